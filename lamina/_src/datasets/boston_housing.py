"""The Boston housing price regression data set (`keras.datasets.boston_housing`)."""

from lamina._src.datasets.regression import load_shuffled_split


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads the Boston housing data set: 506 samples of 13 attributes of Boston suburbs (1970s).

    The target is the median value of the owner-occupied homes, in thousands of dollars. The
    data comes from the StatLib library (Carnegie Mellon University); note that one of its
    attributes encodes a racial proportion, which makes the data set problematic for anything
    but illustrating regression. The file is downloaded once into `~/.keras/datasets/` (the
    Keras cache) and checked against Keras's sha256. The samples are shuffled with `seed`, then
    the last `test_split` of them form the test set, as in Keras.

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).
        test_split: Fraction of the data to keep as the test set, in `[0, 1)`.
        seed: Seed of the shuffle.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` of shape
        `(num_samples, 13)`, `y` of shape `(num_samples,)`, floats as stored in the file (404
        training samples and 102 test samples with the defaults).

    Raises:
        ValueError: if `test_split` is not in `[0, 1)`.
    """
    return load_shuffled_split("boston_housing.npz", path, test_split, seed)
