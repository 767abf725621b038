"""Shared logic for callbacks that watch a logged quantity (`val_loss`, `accuracy`, ...)."""

import warnings

import numpy as np


class Monitor:
    """Decides whether a new value of `monitor` improves on the best so far.

    `mode="auto"` means "max" for accuracy-like names (and AUC, precision, recall, F-scores),
    "min" otherwise, as Keras decides.
    """

    def __init__(self, monitor: str, mode: str = "auto", min_delta: float = 0.0, owner: str = ""):
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{owner}: mode {mode!r} is unknown, falling back to 'auto'.", stacklevel=3)
            mode = "auto"
        if mode == "auto":
            name = monitor.removeprefix("val_")
            mode = "max" if (name.endswith(("acc", "accuracy", "auc")) or name.startswith(
                ("acc", "auc", "precision", "recall", "f1", "fbeta"))) else "min"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self.owner = owner

    def better(self, current, reference) -> bool:
        if reference is None:
            return True
        if self.mode == "max":
            return np.greater(current - self.min_delta, reference)
        return np.less(current - self.min_delta, reference)

    def initial(self):
        return -np.inf if self.mode == "max" else np.inf

    def value(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{self.owner} monitors '{self.monitor}', which is not in the logs (available: "
                f"{sorted(logs or {})}).", stacklevel=3)
        return value
