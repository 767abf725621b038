"""`ModelCheckpoint`: save the model or its weights during training."""

import os
import re

from lamina._src.callbacks.callback import Callback
from lamina._src.callbacks.monitor import Monitor
from lamina._src.saving import registry


@registry.register("callbacks")
class ModelCheckpoint(Callback):
    """Saves the model (or weights) at the end of an epoch or every `save_freq` batches.

    `filepath` may hold `{epoch:02d}` and log names such as `{val_loss:.2f}`. The file type
    follows the name: `.keras` or `.h5` for whole models, `.weights.h5` (or `.h5` with
    `save_weights_only=True`) for weights. Every write is atomic, so an interrupted save never
    leaves a broken checkpoint behind.

    Args:
        filepath: where to save (a template).
        monitor: the log compared when `save_best_only`.
        verbose: 1 prints a line per save.
        save_best_only: save only when `monitor` improves (the file keeps the best model).
        save_weights_only: save only the weights.
        mode: "min", "max" or "auto".
        save_freq: "epoch", or an int number of batches.
        initial_value_threshold: a value `monitor` must beat before the first save.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self._monitor = Monitor(monitor, mode, 0, "ModelCheckpoint")
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"save_freq must be 'epoch' or a positive int, received {save_freq!r}.")
        if save_weights_only and not self.filepath.endswith(".h5"):
            raise ValueError(
                "With save_weights_only=True, the filepath must end in .weights.h5 (or .h5); "
                f"received {self.filepath!r}."
            )
        if not save_weights_only and not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                f"ModelCheckpoint saves whole models to .keras or .h5 files; received {self.filepath!r}."
            )
        self._batches_seen = 0
        self._epoch = 0

    def uses_batch_hook(self, hook: str) -> bool:
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _format(self, epoch, batch, logs) -> str:
        values = {"epoch": epoch + 1, **(logs or {})}
        if batch is not None:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as e:
            names = re.findall(r"{(\w+)", self.filepath)
            raise KeyError(
                f"ModelCheckpoint filepath {self.filepath!r} names {e}, which is not in the logs "
                f"(available: {sorted(values)}); the template uses {names}."
            ) from e

    def _save(self, epoch, batch, logs):
        path = self._format(epoch, batch, logs)
        if self.save_best_only:
            current = self._monitor.value(logs)
            if current is None:
                return
            if not self._monitor.better(current, self.best):
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
