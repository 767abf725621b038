"""Reading a CIFAR batch file (shared by `cifar10` and `cifar100`).

A batch file is a Python 2 pickle of a dict: `b"data"` a uint8 array of shape `(n, 3072)` (the
red, green and blue 32x32 planes of each image), the labels as lists of ints (`b"labels"` for
CIFAR-10, `b"fine_labels"` / `b"coarse_labels"` for CIFAR-100), plus names we do not use. It is
read with `safe_pickle.load_pickle`, which cannot run code from the file.
"""

import os

import numpy as np

from lamina._src.backend.config import image_data_format
from lamina._src.datasets.safe_pickle import load_pickle


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """Reads one batch file: `(data, labels)`, data uint8 `(n, 3, 32, 32)`, labels a list."""
    if not os.path.isfile(fpath):
        raise FileNotFoundError(
            f"The CIFAR batch file {fpath} is missing: the extracted archive is incomplete. "
            f"Delete {os.path.dirname(os.path.dirname(fpath))} so it is extracted again."
        )
    with open(fpath, "rb") as f:
        batch = load_pickle(f, encoding="bytes", source=fpath)
    if not isinstance(batch, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch file (it holds a {type(batch).__name__}).")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3 * 32 * 32
        or labels is None
        or len(labels) != len(data)
    ):
        raise ValueError(
            f"{fpath} is not a CIFAR batch file: expected a uint8 'data' array of shape "
            f"(n, 3072) and {label_key!r} with n labels. Delete it so it is downloaded again."
        )
    return data.reshape(len(data), 3, 32, 32), list(labels)


def to_image_data_format(x: np.ndarray) -> np.ndarray:
    """`(n, 3, 32, 32)` -> `(n, 32, 32, 3)` unless `image_data_format()` is channels_first."""
    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x
