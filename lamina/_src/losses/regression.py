"""Regression losses: squared, absolute, percentage and log errors, Huber, log-cosh, cosine.

Each is a function returning one loss per sample (the mean over the last axis) and a `Loss`
class wrapping it. All of them first make `y_true` and `y_pred` the same rank when they differ by
a trailing axis of size 1.
"""

import jax
import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert, l2_normalize, mean
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


def _prepare(y_true, y_pred):
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@register("losses", "mse", "MSE")
@register("metrics")
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return mean(jnp.square(y_true - y_pred), axis=-1)


@register("losses", "mae", "MAE")
@register("metrics")
def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return mean(jnp.abs(y_true - y_pred), axis=-1)


@register("losses", "mape", "MAPE")
@register("metrics")
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), epsilon))
    return 100.0 * mean(diff, axis=-1)


@register("losses", "msle", "MSLE")
@register("metrics")
def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    first_log = jnp.log(jnp.maximum(y_pred, epsilon) + 1.0)
    second_log = jnp.log(jnp.maximum(y_true, epsilon) + 1.0)
    return mean(jnp.square(first_log - second_log), axis=-1)


@register("losses")
def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine similarity of the L2-normalized inputs along `axis`, in [-1, 1].

    -1 means identical directions, so minimizing it aligns `y_pred` with `y_true`; a zero vector
    gives 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -jnp.sum(l2_normalize(y_true, axis=axis) * l2_normalize(y_pred, axis=axis), axis=axis)


@register("losses")
@register("metrics")
def huber(y_true, y_pred, delta=1.0):
    """Huber loss: `0.5 * e**2` where `|e| <= delta`, else `delta * |e| - 0.5 * delta**2`.

    `e = y_pred - y_true`; the mean over the last axis.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    half = jnp.asarray(0.5, abs_error.dtype)
    return mean(
        jnp.where(
            abs_error <= delta,
            half * jnp.square(error),
            delta * abs_error - half * jnp.square(delta),
        ),
        axis=-1,
    )


@register("losses")
@register("metrics")
def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _prepare(y_true, y_pred)
    log2 = jnp.log(jnp.asarray(2.0, y_pred.dtype))
    x = y_pred - y_true
    return mean(x + jax.nn.softplus(x * -2.0) - log2, axis=-1)


class _PlainConfigLoss(LossFunctionWrapper):
    """A wrapper class whose config is just the `Loss` arguments (its function is fixed)."""

    def get_config(self) -> dict:
        return Loss.get_config(self)


@register("losses")
class MeanSquaredError(_PlainConfigLoss):
    """Mean of squares of errors: `mean(square(y_true - y_pred))`.

    Args:
        reduction: see `lamina.losses.Loss`.
        name: the loss's name.
        dtype: the dtype of the computation (default: floatx).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


@register("losses")
class MeanAbsoluteError(_PlainConfigLoss):
    """Mean of absolute errors: `mean(abs(y_true - y_pred))`. Args as `MeanSquaredError`."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


@register("losses")
class MeanAbsolutePercentageError(_PlainConfigLoss):
    """`100 * mean(abs((y_true - y_pred) / y_true))`. Args as `MeanSquaredError`."""

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(
            mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype
        )


@register("losses")
class MeanSquaredLogarithmicError(_PlainConfigLoss):
    """`mean(square(log(y_true + 1) - log(y_pred + 1)))`. Args as `MeanSquaredError`."""

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(
            mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype
        )


@register("losses")
class CosineSimilarity(LossFunctionWrapper):
    """Minus the cosine similarity between targets and predictions along `axis`.

    Args:
        axis: the axis the similarity is computed along (default -1).
        reduction, name, dtype: see `lamina.losses.Loss`.

    Note: Keras 3 leaves `axis` out of this class's config (so a reloaded loss silently uses
    -1); lamina writes it, which Keras also accepts when it reads the file.
    """

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


@register("losses")
class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss turns from quadratic to linear (default 1.0).
        reduction, name, dtype: see `lamina.losses.Loss`.

    Note: Keras 3 leaves `delta` out of this class's config (so a reloaded loss silently uses
    1.0); lamina writes it, which Keras also accepts when it reads the file.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = delta

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "delta": self.delta}


@register("losses")
class LogCosh(_PlainConfigLoss):
    """`mean(log(cosh(y_pred - y_true)))`: like MSE for small errors, MAE for large ones."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)
