"""`Sum`, `Mean` and `MeanMetricWrapper`: weighted running totals and averages.

Sample weights follow Keras: a weight of rank r reduces the values over their axes beyond r
(mean for `Mean`, sum for `Sum`); the weighted values are then reduced per sample, and `Mean`
counts the sum of the weights (or the number of samples when unweighted).
"""

import jax.numpy as jnp

from lamina._src.losses import masking
from lamina._src.losses.functions import deserialize_function
from lamina._src.losses.numerics import convert, divide_no_nan, mean
from lamina._src.losses.reduction import apply_mask, squeeze_or_expand_to_same_rank
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import builtins, register
from lamina._src.saving.serialization import serialize_keras_object


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weight `values` and reduce them to one value per sample.

    Returns:
        `(values, sample_weight)`: values of rank <= 1, and the weights reduced to match (or None).
    """
    mask = masking.get_keras_mask(values)
    values = convert(values).astype(dtype)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        # Broadcasting the weights too makes the weight total count every element.
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


@register("metrics")
class Sum(Metric):
    """The (weighted) sum of all values seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the running total.

    Example:
        m = lamina.metrics.Sum()
        m.update_state([1, 3, 5, 7])
        m.result()  # 16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, jnp.sum, self.dtype)
        self.total.assign_add(jnp.sum(values))

    def reset_state(self):
        self.total.assign(0)

    def result(self):
        return self.total.value.astype(self.dtype)


@register("metrics")
class Mean(Metric):
    """The (weighted) mean of all values seen: `total / count`.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.

    Example:
        m = lamina.metrics.Mean()
        m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        m.result()  # 2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, mean, self.dtype)
        self.total.assign_add(jnp.sum(values))
        if sample_weight is not None:
            num_samples = jnp.sum(sample_weight)
        elif values.ndim >= 1:
            num_samples = values.shape[0]
        else:
            num_samples = 1
        self.count.assign_add(jnp.asarray(num_samples).astype(self.dtype))

    def reset_state(self):
        self.total.assign(0)
        self.count.assign(0)

    def result(self):
        return divide_no_nan(self.total.value, self.count.value.astype(self.dtype))


def _is_builtin_loss(fn) -> bool:
    table = builtins("losses").values()
    return any(fn is obj or type(fn) is obj for obj in table)


@register("metrics")
class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    A Keras mask on `y_pred` (and one on `fn`'s output) leaves the masked entries out.

    Args:
        fn: a per-sample function `fn(y_true, y_pred, **kwargs)`, e.g. a loss function.
        name: the metric's name (default: `mean_metric_wrapper`, made unique).
        dtype: the dtype of the running totals.
        **kwargs: passed to `fn` on every call (saved in the config).

    Example:
        m = lamina.metrics.MeanMetricWrapper(lamina.losses.mean_absolute_error)
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper expects a callable `fn`, received {fn!r}.")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_builtin_loss(fn):
            self._direction = "down"  # a loss is minimized

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = masking.get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, dtype=self.dtype, reduction="sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)
