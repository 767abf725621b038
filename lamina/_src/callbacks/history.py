"""`History`: records each epoch's logs; `fit` returns it."""

from lamina._src.callbacks.callback import Callback
from lamina._src.saving import registry


@registry.register("callbacks")
class History(Callback):
    """`history.history` maps each log name (`loss`, `accuracy`, `val_loss`, ...) to a list with
    one value per epoch; `history.epoch` lists the epoch indices; `history.params` the fit params."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
