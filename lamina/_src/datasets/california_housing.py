"""The California housing price regression data set (`keras.datasets.california_housing`)."""

from lamina._src.datasets.regression import load_shuffled_split

_SMALL_VERSION_SIZE = 600


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """Loads the California housing data set: one row per block group of the 1990 US census.

    20,640 samples of 8 attributes (median income, house age, average rooms and bedrooms,
    population, average occupancy, latitude, longitude); the target is the median house value
    in dollars. The `"small"` version keeps the first 600 samples. The file is downloaded once
    into `~/.keras/datasets/` (the Keras cache) and checked against Keras's sha256. The samples
    are shuffled with `seed`, then the last `test_split` of them form the test set, as in Keras.

    Args:
        version: `"large"` (all 20,640 samples) or `"small"` (the first 600).
        path: Name of the file in the cache folder (`~/.keras/datasets`).
        test_split: Fraction of the data to keep as the test set, in `[0, 1)`.
        seed: Seed of the shuffle.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` of shape
        `(num_samples, 8)`, `y` of shape `(num_samples,)`, floats as stored in the file.

    Raises:
        ValueError: if `version` is neither `"small"` nor `"large"`, or `test_split` is not in
            `[0, 1)`.
    """
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version!r}"
        )
    limit = _SMALL_VERSION_SIZE if version == "small" else None
    return load_shuffled_split("california_housing.npz", path, test_split, seed, limit=limit)
