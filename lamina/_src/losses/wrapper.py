"""`LossFunctionWrapper`: a `Loss` made from a plain `fn(y_true, y_pred, **kwargs)` function."""

from lamina._src.losses.functions import deserialize_function
from lamina._src.losses.loss import Loss
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank
from lamina._src.saving.registry import register
from lamina._src.saving.serialization import serialize_keras_object
from lamina._src.utils import tree


@register("losses")
class LossFunctionWrapper(Loss):
    """Wraps `fn(y_true, y_pred, **kwargs)` (per-sample losses) as a reducing `Loss`.

    Before calling `fn`, `y_true` and `y_pred` are made the same rank when they differ by one
    trailing axis of size 1 (`(batch,)` targets with `(batch, 1)` predictions).

    Args:
        fn: the per-sample loss function.
        reduction: see `Loss`.
        name: the loss's name (default: `loss_function_wrapper`, made unique).
        dtype: see `Loss`.
        **kwargs: keyword arguments passed to `fn` on every call (saved in the config).
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper expects a callable `fn`, received {fn!r}.")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if tree.is_nested(y_true) or tree.is_nested(y_pred):
            pairs = [
                squeeze_or_expand_to_same_rank(t, p)
                for t, p in zip(tree.flatten(y_true), tree.flatten(y_pred))
            ]
            y_true = tree.pack_sequence_as(y_true, [t for t, _ in pairs])
            y_pred = tree.pack_sequence_as(y_pred, [p for _, p in pairs])
        else:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
