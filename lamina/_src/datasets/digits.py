"""The 8x8 handwritten digits data set, bundled with lamina (no download needed).

1,797 grayscale 8x8 images of the digits 0-9, each pixel a count in 0..16. Source: the UCI
Machine Learning Repository, E. Alpaydin and C. Kaynak (1998), "Optical Recognition of
Handwritten Digits", CC BY 4.0, https://doi.org/10.24432/C50P49 (its test set, as bundled with
scikit-learn). See `data/DIGITS_LICENSE.txt`.
"""

import importlib.resources

import numpy as np

_DATA_FILE = "digits.npz"


def _read_bundled():
    path = importlib.resources.files("lamina._src.datasets").joinpath("data", _DATA_FILE)
    try:
        with path.open("rb") as f, np.load(f) as npz:
            return npz["images"], npz["labels"]
    except FileNotFoundError as e:
        raise FileNotFoundError(
            f"The bundled digits data is missing: expected {path}. Reinstall lamina; a source "
            "checkout needs lamina/_src/datasets/data/digits.npz."
        ) from e


def load_data(test_split: float = 0.2, seed: int = 113):
    """Loads the 8x8 handwritten digits data set (bundled, so it works offline).

    1,797 images of the digits 0-9 (about 180 of each), 8x8 pixels, each pixel an integer in
    0..16. The samples are shuffled with `seed`, then the first `1 - test_split` of them form the
    training set and the rest the test set, so the same arguments always give the same split.

    Data: UCI Machine Learning Repository, E. Alpaydin and C. Kaynak (1998), "Optical Recognition
    of Handwritten Digits", licensed CC BY 4.0, https://doi.org/10.24432/C50P49; lamina ships the
    copy bundled with scikit-learn.

    Args:
        test_split: Fraction of the data to keep as the test set, in `[0, 1]`.
        seed: Seed of the shuffle before the split.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` uint8 of shape
        `(num_samples, 8, 8)`, `y` uint8 of shape `(num_samples,)` with the digit labels 0-9.
        With the default `test_split=0.2`: 1,437 training and 360 test samples.

    Raises:
        ValueError: if `test_split` is not in `[0, 1]`.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((1437, 8, 8), (360, 8, 8))
    """
    if not 0 <= test_split <= 1:
        raise ValueError(
            f"`test_split` must be a fraction in [0, 1]; received {test_split}. For example "
            "test_split=0.2 keeps 20% of the samples as the test set."
        )
    images, labels = _read_bundled()
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    num_train = int(len(images) * (1 - test_split))
    return (images[:num_train], labels[:num_train]), (images[num_train:], labels[num_train:])
