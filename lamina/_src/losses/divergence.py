"""Losses between distributions or rates: Kullback-Leibler divergence and Poisson."""

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert, mean
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


@register("losses", "kld", "KLD")
@register("metrics")
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[eps, 1]`."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    eps = config.epsilon()
    y_true = jnp.clip(y_true, eps, 1)
    y_pred = jnp.clip(y_pred, eps, 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


@register("losses")
@register("metrics")
def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + eps), axis=-1)`, for count targets."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    return mean(y_pred - y_true * jnp.log(y_pred + epsilon), axis=-1)


@register("losses")
class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence from `y_true` to `y_pred` (both probability distributions).

    Args:
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@register("losses")
class Poisson(LossFunctionWrapper):
    """The Poisson negative log-likelihood (up to a constant): `y_pred - y_true * log(y_pred)`.

    Args:
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
