"""Correlation metrics: Pearson and concordance correlation, per sample then averaged."""

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.numerics import convert, mean
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank
from lamina._src.metrics.reduction import MeanMetricWrapper
from lamina._src.saving.registry import register


def _prepare(y_true, y_pred):
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@register("metrics")
def pearson_correlation(y_true, y_pred, axis=-1):
    """The Pearson correlation coefficient of `y_true` and `y_pred` along `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true_norm = y_true - mean(y_true, axis=axis, keepdims=True)
    y_pred_norm = y_pred - mean(y_pred, axis=axis, keepdims=True)
    y_true_norm = y_true_norm / jnp.std(y_true_norm, axis=axis, keepdims=True)
    y_pred_norm = y_pred_norm / jnp.std(y_pred_norm, axis=axis, keepdims=True)
    return mean(y_true_norm * y_pred_norm, axis=axis)


@register("metrics")
def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient of `y_true` and `y_pred` along `axis`.

    Note: as in Keras, the covariance term centres `y_true` on the mean of `y_pred`.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true_mean = mean(y_true, axis=axis, keepdims=True)
    y_pred_mean = mean(y_pred, axis=axis, keepdims=True)
    y_true_var = jnp.var(y_true - y_true_mean, axis=axis, keepdims=True)
    y_pred_var = jnp.var(y_pred - y_pred_mean, axis=axis, keepdims=True)
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + jnp.square(y_true_mean - y_pred_mean)
    return mean(2 * covar / (norm + config.epsilon()), axis=axis)


class _CorrelationMetric(MeanMetricWrapper):
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


@register("metrics")
class PearsonCorrelation(_CorrelationMetric):
    """The mean Pearson correlation between labels and predictions.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        axis: the axis the correlation is computed along (default -1).
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


@register("metrics")
class ConcordanceCorrelation(_CorrelationMetric):
    """The mean concordance correlation between labels and predictions. Args as
    `PearsonCorrelation`."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"
