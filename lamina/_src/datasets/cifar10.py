"""The CIFAR-10 small images data set (`keras.datasets.cifar10`)."""

import os

import numpy as np

from lamina._src.datasets.cifar import load_batch, to_image_data_format
from lamina._src.datasets.remote import fetch

_NUM_TRAIN_BATCHES = 5


def load_data():
    """Loads the CIFAR-10 data set: 32x32 color images of 10 classes.

    50,000 training and 10,000 test images. The archive (163 MB) is downloaded once into
    `~/.keras/datasets/` (the Keras cache, same names as Keras, so a Keras download is reused),
    checked against Keras's sha256 and extracted. See https://www.cs.toronto.edu/~kriz/cifar.html.

    | Label | Description |
    |:-----:|-------------|
    |   0   | airplane    |
    |   1   | automobile  |
    |   2   | bird        |
    |   3   | cat         |
    |   4   | deer        |
    |   5   | dog         |
    |   6   | frog        |
    |   7   | horse       |
    |   8   | ship        |
    |   9   | truck       |

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` uint8 of shape
        `(num_samples, 32, 32, 3)` (`(num_samples, 3, 32, 32)` when
        `keras.config.image_data_format()` is `"channels_first"`), pixel values 0-255; `y` uint8
        of shape `(num_samples, 1)` with the labels 0-9.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (50000, 32, 32, 3) and y_train.shape == (50000, 1)
    ```
    """
    folder = fetch("cifar-10-python.tar.gz", fname="cifar-10-batches-py-target", extract=True)
    folder = os.path.join(folder, "cifar-10-batches-py")
    batches = [
        load_batch(os.path.join(folder, f"data_batch_{i}"))
        for i in range(1, _NUM_TRAIN_BATCHES + 1)
    ]
    x_train = np.concatenate([x for x, _ in batches])
    y_train = np.concatenate([np.asarray(y, dtype=np.uint8) for _, y in batches])
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_test = np.asarray(y_test, dtype=np.uint8)
    return (
        (to_image_data_format(x_train), y_train.reshape(-1, 1)),
        (to_image_data_format(x_test), y_test.reshape(-1, 1)),
    )
