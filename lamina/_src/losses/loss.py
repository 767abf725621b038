"""`Loss`: the base class of every loss, and the place sample weights, masks and reduction meet."""

from lamina._src.backend import config, naming
from lamina._src.backend.dtypes import get_policy
from lamina._src.losses import masking
from lamina._src.losses.numerics import convert
from lamina._src.losses.reduction import reduce_weighted_values, standardize_reduction
from lamina._src.saving.registry import register
from lamina._src.utils import tree


@register("losses")
class Loss:
    """Base class for losses: subclass it and implement `call(y_true, y_pred)`.

    `call` returns the per-sample (or per-element) losses; `__call__` converts the inputs to the
    loss's dtype, applies `sample_weight` and any Keras mask, then reduces.

    Args:
        name: the loss's name (default: the snake-cased class name, made unique).
        reduction: `"sum_over_batch_size"` (default: the sum divided by the number of loss
            elements), `"sum"`, `"mean"` (same as `"sum_over_batch_size"`),
            `"mean_with_sample_weight"` (the sum divided by the sum of the weights), or
            `"none"` / None (no reduction).
        dtype: the dtype inputs are cast to and the loss is computed in (default: floatx);
            a dtype policy's compute dtype is used.

    Example:
        class MeanSquaredError(lamina.losses.Loss):
            def call(self, y_true, y_pred):
                return jnp.mean(jnp.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name: str | None = None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype_policy = get_policy(dtype or config.floatx())
        self._dtype = self._dtype_policy.compute_dtype

    @property
    def dtype(self) -> str:
        """The dtype the loss is computed in."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss for a batch.

        Args:
            y_true: the targets.
            y_pred: the predictions; a Keras mask attached to it leaves masked entries out.
            sample_weight: optional weights, broadcastable to the per-sample losses (a trailing
                axis of size 1 is squeezed or added as needed).

        Returns:
            A scalar, or the weighted per-sample losses when `reduction` is None / `"none"`.
        """
        in_mask = masking.get_keras_mask(y_pred)
        y_pred = tree.map_structure(lambda x: convert(x, self.dtype), y_pred)
        y_true = tree.map_structure(lambda x: convert(x, self.dtype), y_true)
        losses = self.call(y_true, y_pred)
        out_mask = masking.get_keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = convert(in_mask).astype(bool) & convert(out_mask).astype(bool)
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true, y_pred):
        """The unreduced losses; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(y_true, y_pred)` returning the "
            "per-sample losses."
        )

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
