"""The Fashion-MNIST data set (`keras.datasets.fashion_mnist`)."""

import gzip
import os

import numpy as np

from lamina._src.datasets.remote import fetch

_CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
_IDX_UBYTE = 0x08


def _read_idx(path: str, ndim: int) -> np.ndarray:
    """Reads a gzipped IDX file of unsigned bytes (the MNIST file format) with `ndim` axes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header_size = 4 + 4 * ndim
    if len(raw) < header_size or raw[:2] != b"\0\0" or raw[2] != _IDX_UBYTE or raw[3] != ndim:
        raise ValueError(
            f"{path} is not a Fashion-MNIST IDX file of {ndim}-D unsigned bytes (bad header "
            f"{raw[:4].hex()}). Delete it so it is downloaded again."
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=header_size)
    if data.size != np.prod(shape):
        raise ValueError(
            f"{path} holds {data.size} values but its header announces shape {shape}: the file "
            "is truncated or corrupted. Delete it so it is downloaded again."
        )
    return data.reshape(shape).copy()  # a copy, so the arrays are writable


def load_data():
    """Loads the Fashion-MNIST data set: 28x28 grayscale images of 10 kinds of clothing.

    60,000 training and 10,000 test images, a drop-in replacement for MNIST. The four files are
    downloaded once into `~/.keras/datasets/fashion-mnist/` (the Keras cache).

    | Label | Description |
    |:-----:|-------------|
    |   0   | T-shirt/top |
    |   1   | Trouser     |
    |   2   | Pullover    |
    |   3   | Dress       |
    |   4   | Coat        |
    |   5   | Sandal      |
    |   6   | Shirt       |
    |   7   | Sneaker     |
    |   8   | Bag         |
    |   9   | Ankle boot  |

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` uint8 of shape
        `(num_samples, 28, 28)`, `y` uint8 of shape `(num_samples,)` with the labels 0-9.

    Raises:
        ValueError: if a cached file is not a valid IDX file.

    License: The copyright for Fashion-MNIST is held by Zalando SE. Fashion-MNIST is licensed
    under the MIT license.
    """
    paths = [
        fetch(name, cache_subdir=_CACHE_SUBDIR)
        for name in (
            "train-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
        )
    ]
    y_train, x_train = _read_idx(paths[0], 1), _read_idx(paths[1], 3)
    y_test, x_test = _read_idx(paths[2], 1), _read_idx(paths[3], 3)
    for x, y, split in ((x_train, y_train, "training"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise ValueError(
                f"The Fashion-MNIST {split} files disagree: {len(x)} images but {len(y)} "
                f"labels. Delete {os.path.dirname(paths[0])} so they are downloaded again."
            )
    return (x_train, y_train), (x_test, y_test)
