"""`Callback`: hooks that `fit`, `evaluate` and `predict` call at each stage."""

from lamina._src.saving import registry


@registry.register("callbacks")
class Callback:
    """Base class for callbacks. Override the hooks you need; each receives a `logs` dict.

    Attributes:
        model: the model being trained (set by `fit`/`evaluate`/`predict`).
        params: `{"verbose", "epochs", "steps"}` as Keras passes them.
    """

    def __init__(self):
        self.params: dict = {}
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # Keras 2 names, still called by some user code.
    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)


BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
               "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
               "on_batch_begin", "on_batch_end")


def overrides(callback: Callback, hook: str) -> bool:
    """Whether the callback really uses `hook` (so the trainer must call it every batch).

    True when the class or the instance replaces the base's do-nothing hook, unless the
    callback's `uses_batch_hook(hook)` says otherwise (e.g. a checkpoint saved per epoch).
    """
    replaced = hook in vars(callback) or getattr(type(callback), hook, None) is not getattr(Callback, hook)
    if replaced and hasattr(callback, "uses_batch_hook"):
        return bool(callback.uses_batch_hook(hook))
    return replaced
