"""The MNIST handwritten digits data set (`keras.datasets.mnist`)."""

import numpy as np

from lamina._src.datasets.remote import fetch


def load_data(path: str = "mnist.npz"):
    """Loads the MNIST data set: 60,000 training and 10,000 test 28x28 grayscale digit images.

    The file is downloaded once (11 MB) into `~/.keras/datasets/` (the Keras cache, so a copy
    downloaded with Keras is reused) and checked against Keras's sha256.

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` uint8 of shape
        `(num_samples, 28, 28)` with pixel values 0-255, `y` uint8 of shape `(num_samples,)`
        with the digit labels 0-9.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_test.shape == (10000,)
    ```

    License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative work of the
    NIST data sets, made available under the terms of the Creative Commons Attribution-Share
    Alike 3.0 license.
    """
    path = fetch("mnist.npz", fname=path)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
