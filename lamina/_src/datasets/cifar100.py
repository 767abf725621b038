"""The CIFAR-100 small images data set (`keras.datasets.cifar100`)."""

import os

import numpy as np

from lamina._src.datasets.cifar import load_batch, to_image_data_format
from lamina._src.datasets.remote import fetch


def load_data(label_mode: str = "fine"):
    """Loads the CIFAR-100 data set: 32x32 color images of 100 classes in 20 superclasses.

    50,000 training and 10,000 test images. The archive (161 MB) is downloaded once into
    `~/.keras/datasets/` (the Keras cache, same names as Keras, so a Keras download is reused),
    checked against Keras's sha256 and extracted. See https://www.cs.toronto.edu/~kriz/cifar.html.

    Args:
        label_mode: `"fine"` for the 100 fine-grained classes, `"coarse"` for the 20
            superclasses.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` uint8 of shape
        `(num_samples, 32, 32, 3)` (`(num_samples, 3, 32, 32)` when
        `keras.config.image_data_format()` is `"channels_first"`), pixel values 0-255; `y` int64
        of shape `(num_samples, 1)` with the labels (0-99, or 0-19 for `"coarse"`). The labels
        are int64, not the uint8 Keras's docstring announces, because that is what Keras returns.

    Raises:
        ValueError: if `label_mode` is neither `"fine"` nor `"coarse"`.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode!r}.'
        )
    folder = fetch("cifar-100-python.tar.gz", fname="cifar-100-python-target", extract=True)
    folder = os.path.join(folder, "cifar-100-python")
    splits = []
    for name in ("train", "test"):
        x, y = load_batch(os.path.join(folder, name), label_key=f"{label_mode}_labels")
        splits.append((to_image_data_format(x), np.asarray(y, dtype=np.int64).reshape(-1, 1)))
    return tuple(splits)
