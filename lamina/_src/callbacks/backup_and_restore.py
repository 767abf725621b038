"""`BackupAndRestore`: resume a training run that was interrupted, from its last backup."""

import json
import os
import shutil

from lamina._src.callbacks.callback import Callback
from lamina._src.saving import registry


@registry.register("callbacks")
class BackupAndRestore(Callback):
    """Backs up the weights, the optimizer state and the epoch counter in `backup_dir` (at each
    epoch end, or every `save_freq` batches). If a run is killed, calling `fit` again with the
    same callback restores them and continues from the next epoch. A run that finishes deletes
    the backup (unless `delete_checkpoint=False`).
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore needs a backup_dir.")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"save_freq must be 'epoch' or a positive int, received {save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._meta_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._batches = 0
        self._epoch = 0

    def uses_batch_hook(self, hook: str) -> bool:
        return self.save_freq != "epoch" and hook == "on_train_batch_end"

    def on_train_begin(self, logs=None):
        if not (os.path.exists(self._weights_path) and os.path.exists(self._meta_path)):
            return
        with open(self._meta_path) as f:
            meta = json.load(f)
        self.model.load_weights(self._weights_path)
        epoch, batch = int(meta.get("epoch", -1)), meta.get("batch")
        # A backup taken mid-epoch redoes that epoch; one taken at its end moves on.
        self.model._initial_epoch = epoch if batch is not None else epoch + 1

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._backup(self._epoch, batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch, None)

    def _backup(self, epoch, batch):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            shutil.copyfile(self._weights_path, self._weights_path + ".previous")
        self.model.save_weights(self._weights_path, overwrite=True)
        tmp = self._meta_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"epoch": epoch, "batch": batch}, f)
        os.replace(tmp, self._meta_path)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir) and not self.model.stop_training:
            shutil.rmtree(self.backup_dir, ignore_errors=True)
