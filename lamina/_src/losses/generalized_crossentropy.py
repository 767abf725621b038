"""Generalized crossentropy (Zhang & Sabuncu, 2018): a noise-robust mix of CE and MAE."""

import jax
import jax.numpy as jnp

from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


@register("losses")
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """`(1 - p**q) / q`, `p` the predicted probability of the integer label `y_true`.

    `q -> 0` approaches crossentropy, `q = 1` is MAE on the true class's probability.
    """
    y_pred = convert(y_pred)
    labels = convert(y_true).astype(jnp.int32)
    one_hot = jax.nn.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype)
    p = jnp.sum(y_pred * one_hot, axis=-1)
    return (1 - jnp.power(p, q)) / q


@register("losses")
class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized crossentropy for integer labels and predicted probabilities.

    Args:
        q: in (0, 1): closer to 0 behaves like crossentropy, closer to 1 like MAE (default 0.5).
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(
        self,
        q=0.5,
        reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if not 0 < q < 1:
            raise ValueError(
                f"CategoricalGeneralizedCrossEntropy: q must be in (0, 1), received {q!r}."
            )
        super().__init__(
            categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q
        )
        self.q = q

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "q": self.q}
