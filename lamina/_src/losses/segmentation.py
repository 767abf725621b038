"""Overlap losses for segmentation: Dice and Tversky (1 minus a soft overlap score)."""

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


@register("losses")
def dice(y_true, y_pred, axis=None):
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps)`, summed over `axis`.

    With `axis=None` the whole batch gives one score.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    denominator = jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + config.epsilon()
    return 1 - jnp.divide(2.0 * intersection, denominator)


@register("losses")
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - TP / (TP + alpha * FP + beta * FN + eps)` with soft counts summed over `axis`.

    Note: the soft counts follow Keras, where `fp = sum((1 - y_pred) * y_true)` and
    `fn = sum(y_pred * (1 - y_true))`; `alpha = beta = 0.5` gives the Dice loss.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    fp = jnp.sum((1 - y_pred) * y_true, axis=axis)
    fn = jnp.sum(y_pred * (1 - y_true), axis=axis)
    score = jnp.divide(intersection, intersection + fp * alpha + fn * beta + config.epsilon())
    return 1 - score


@register("losses")
class Dice(LossFunctionWrapper):
    """The Dice loss, `1 - Dice coefficient`.

    Args:
        reduction, name: see `lamina.losses.Loss`.
        axis: the axes the overlap is summed over (default None: everything).
        dtype: see `lamina.losses.Loss`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


@register("losses")
class Tversky(LossFunctionWrapper):
    """The Tversky loss, a Dice loss with separate weights on false positives and negatives.

    Args:
        alpha: the weight of false positives (default 0.5).
        beta: the weight of false negatives (default 0.5).
        reduction, name: see `lamina.losses.Loss`.
        axis: the axes the overlap is summed over (default None: everything).
        dtype: see `lamina.losses.Loss`.
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis
        )
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}
