"""`ProgbarLogger`: prints Keras's per-epoch progress bar during fit / evaluate / predict."""

from lamina._src.callbacks.callback import Callback
from lamina._src.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Shows `Epoch i/n` and a progress bar (verbose=1) or one line per epoch (verbose=2).

    Its batch hook only reads the logs the trainer already prepared (the trainer hands it
    fresh metric values at display intervals), so it does not slow every step down.
    """

    def __init__(self):
        super().__init__()
        self.progbar = None
        self._epochs = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self._epochs = params.get("epochs", 1)

    def _new_bar(self, steps):
        self.progbar = Progbar(target=steps, verbose=self.verbose, unit_name="step")

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self._epochs}", flush=True)
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        if self.progbar is not None and self.verbose == 1:
            self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.progbar is not None and self.verbose:
            self.progbar.update(self.progbar.seen if self.progbar.target is None else self.progbar.target,
                                list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if self.model is not None and not getattr(self.model, "_in_fit", False):
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if self.model is not None and not getattr(self.model, "_in_fit", False) and self.verbose == 1:
            self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if self.model is not None and not getattr(self.model, "_in_fit", False) and self.verbose:
            self.progbar.update(self.progbar.target or self.progbar.seen, list((logs or {}).items()),
                                finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        if self.verbose:
            self.progbar.update(self.progbar.target or self.progbar.seen, finalize=True)
