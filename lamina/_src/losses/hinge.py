"""Hinge losses for maximum-margin classifiers: hinge, squared hinge and categorical hinge.

`hinge` and `squared_hinge` expect targets in {-1, 1}; when every target is 0 or 1 they are
first mapped to -1 / 1 (decided on the values, so it also works under `jax.jit`).
"""

import jax.numpy as jnp

from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert, mean
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


def convert_binary_labels_to_hinge(y_true):
    """0/1 labels -> -1/1 when all labels are 0 or 1; other labels unchanged."""
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


@register("losses")
@register("metrics")
def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`."""
    y_pred = convert(y_pred)
    y_true = convert_binary_labels_to_hinge(convert(y_true).astype(y_pred.dtype))
    return mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@register("losses")
@register("metrics")
def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`."""
    y_pred = convert(y_pred)
    y_true = convert_binary_labels_to_hinge(convert(y_true).astype(y_pred.dtype))
    return mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@register("losses")
@register("metrics")
def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` for one-hot targets."""
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, jnp.asarray(0.0, y_pred.dtype))


@register("losses")
class Hinge(LossFunctionWrapper):
    """The hinge loss `maximum(1 - y_true * y_pred, 0)`; 0/1 targets are mapped to -1/1.

    Args:
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@register("losses")
class SquaredHinge(LossFunctionWrapper):
    """The squared hinge loss `square(maximum(1 - y_true * y_pred, 0))`. Args as `Hinge`."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@register("losses")
class CategoricalHinge(LossFunctionWrapper):
    """The categorical hinge loss for one-hot targets. Args as `Hinge`."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
