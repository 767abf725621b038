"""Regression metrics: mean errors, RMSE, cosine similarity, log-cosh and R^2."""

import warnings

import jax
import jax.numpy as jnp

from lamina._src.losses.numerics import convert, l2_normalize
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank
from lamina._src.losses.regression import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from lamina._src.metrics.metric import Metric
from lamina._src.metrics.reduction import Mean, MeanMetricWrapper
from lamina._src.saving.registry import register


class _PlainConfigMean(MeanMetricWrapper):
    """A wrapper metric whose config is just `name` and `dtype` (its function is fixed)."""

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class MeanSquaredError(_PlainConfigMean):
    """The mean of `square(y_true - y_pred)` over all samples seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class MeanAbsoluteError(_PlainConfigMean):
    """The mean of `abs(y_true - y_pred)`. Args as `MeanSquaredError`."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class MeanAbsolutePercentageError(_PlainConfigMean):
    """The mean of `100 * abs((y_true - y_pred) / y_true)`. Args as `MeanSquaredError`."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class MeanSquaredLogarithmicError(_PlainConfigMean):
    """The mean of `square(log(y_true + 1) - log(y_pred + 1))`. Args as `MeanSquaredError`."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class RootMeanSquaredError(Mean):
    """`sqrt(mean(square(y_true - y_pred)))` over all elements seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's squared errors (optionally weighted)."""
        y_true = convert(y_true, self.dtype)
        y_pred = convert(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(jnp.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return jnp.sqrt(super().result())


@register("metrics")
def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine similarity of `y_true` and `y_pred` along `axis` (positive: 1 is identical)."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.sum(l2_normalize(y_true, axis=axis) * l2_normalize(y_pred, axis=axis), axis=axis)


@register("metrics")
class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions (1 is best).

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        axis: the axis the similarity is computed along (default -1).

    Note: Keras 3 leaves `axis` out of this metric's config; lamina writes it (every
    constructor argument is in the config), which Keras also accepts when it reads the file.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


@register("metrics")
class LogCoshError(_PlainConfigMean):
    """The mean of `log(cosh(y_pred - y_true))`. Args as `MeanSquaredError`."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name, dtype=dtype)
        self._direction = "down"


@register("metrics")
class R2Score(Metric):
    """The coefficient of determination, `1 - SS_res / SS_tot`, per output then aggregated.

    Args:
        class_aggregation: how per-output scores combine: `"uniform_average"` (default, the
            mean), `"variance_weighted_average"` (weighted by each output's variance), or None
            (one score per output).
        num_regressors: the number of independent variables, for the adjusted R^2
            (default 0: plain R^2).
        name: the metric's name.
        dtype: the metric's dtype.

    Inputs are 2-D `(batch, outputs)`; the per-output state is created on the first batch.
    """

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                f"Invalid class_aggregation {class_aggregation!r}: expected one of {valid}."
            )
        if num_regressors < 0:
            raise ValueError(f"`num_regressors` must be >= 0, received {num_regressors}.")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs of shape (batch_size, output_dim); received "
                f"y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}."
            )
        outputs = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(outputs, "zeros", name="squared_sum")
        self.sum = self.add_variable(outputs, "zeros", name="sum")
        self.total_mse = self.add_variable(outputs, "zeros", name="residual")
        self.count = self.add_variable(outputs, "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's sums.

        Args:
            y_true: targets, shape (batch, outputs).
            y_pred: predictions, shape (batch, outputs).
            sample_weight: optional weights, shape (batch,) or (batch, outputs).
        """
        y_true = convert(y_true, self.dtype)
        y_pred = convert(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if sample_weight is None:
            sample_weight = 1
        sample_weight = convert(sample_weight, self.dtype)
        if sample_weight.ndim == 1:
            sample_weight = jnp.expand_dims(sample_weight, axis=1)
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape).astype(y_true.dtype)
        weighted_y_true = y_true * sample_weight
        self.sum.assign(self.sum.value + jnp.sum(weighted_y_true, axis=0))
        self.squared_sum.assign(self.squared_sum.value + jnp.sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign(
            self.total_mse.value + jnp.sum((y_true - y_pred) ** 2 * sample_weight, axis=0)
        )
        self.count.assign(self.count.value + jnp.sum(sample_weight, axis=0))
        self.num_samples.assign(self.num_samples.value + y_true.size)

    def result(self):
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw_scores = 1 - (self.total_mse.value / total)
        raw_scores = jnp.where(jnp.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            score = jnp.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = jnp.sum(total * raw_scores) / jnp.sum(total)
        else:
            score = raw_scores
        if self.num_regressors == 0:
            return score
        return self._adjust(score)

    def _adjust(self, score):
        """The adjusted R^2; falls back to plain R^2 when there are too few samples."""
        n = self.num_samples.value.astype(jnp.float32)
        p = jnp.asarray(self.num_regressors, jnp.float32)
        if not isinstance(n, jax.core.Tracer):
            if self.num_regressors > float(n) - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. Falling "
                    "back to standard R2 score.",
                    stacklevel=3,
                )
            elif self.num_regressors == float(n) - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=3,
                )
        adjusted = 1.0 - ((1.0 - score) * (n - 1.0)) / (n - p - 1.0)
        # Decided on the values so that it also works under jax.jit.
        return jnp.where(p < n - 1, adjusted, score)

    def reset_state(self):
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, dtype=v.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
