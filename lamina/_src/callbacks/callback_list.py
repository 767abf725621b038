"""`CallbackList`: calls every callback's hook in order; keeps idle batch hooks off the hot path."""

from lamina._src.callbacks.callback import BATCH_HOOKS, Callback, overrides
from lamina._src.callbacks.history import History
from lamina._src.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """A container that forwards each hook to its callbacks.

    Args:
        callbacks: the user's callbacks.
        add_history: append a `History` (returned by `fit`).
        add_progbar: append a `ProgbarLogger` when `verbose` is non-zero.
        model, **params: handed to every callback.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh_batch_hooks()

    def _refresh_batch_hooks(self):
        self._batch_hooks = {hook: [c for c in self.callbacks if overrides(c, hook)
                                    or (hook.startswith("on_train_batch") and overrides(c, hook.replace("train_batch", "batch")))]
                             for hook in BATCH_HOOKS}

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._refresh_batch_hooks()

    def needs_batch_hooks(self, hook: str) -> bool:
        """True when some callback overrides this batch hook (the trainer syncs state then)."""
        return bool(self._batch_hooks.get(hook))

    def set_model(self, model):
        super().set_model(model)
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        for c in self.callbacks:
            c.set_params(params)

    # As Keras, every hook receives a dict: `{}` where the trainer has no logs to give.
    def _call(self, hook, *args):
        *args, logs = args
        logs = {} if logs is None else logs
        for c in self.callbacks:
            getattr(c, hook)(*args, logs)

    def _call_batch(self, hook, batch, logs):
        logs = {} if logs is None else logs
        for c in self._batch_hooks[hook]:
            getattr(c, hook)(batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)
