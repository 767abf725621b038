"""`FBetaScore` and `F1Score`: the weighted harmonic mean of precision and recall.

`F_beta = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)`, per class, from
2-D `(batch, classes)` inputs. With `threshold=None` each sample's highest score(s) are the
predicted positives; otherwise scores above `threshold`.
"""

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.numerics import convert
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import register

AVERAGES = (None, "micro", "macro", "weighted")


@register("metrics")
class FBetaScore(Metric):
    """The F-beta score.

    Args:
        average: None (default: one score per class), `"micro"` (pool all classes' counts),
            `"macro"` (the unweighted mean of the per-class scores) or `"weighted"` (their mean
            weighted by each class's number of true instances).
        beta: how many times more recall matters than precision (a float > 0, default 1.0).
        threshold: a float in (0, 1]: scores above it are positives. None (default) takes
            each sample's maximum score as its positive prediction.
        name: the metric's name.
        dtype: the metric's dtype.

    The state variables are created on the first `update_state`, sized from its inputs.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in AVERAGES:
            raise ValueError(
                f"Invalid `average` {average!r}: expected None, 'micro', 'macro' or 'weighted'."
            )
        if not isinstance(beta, float):
            raise ValueError(
                f"`beta` must be a Python float, received {beta!r} of type {type(beta).__name__}."
            )
        if beta <= 0.0:
            raise ValueError(f"`beta` must be > 0, received beta={beta}.")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    f"`threshold` must be a Python float, received {threshold!r} of type "
                    f"{type(threshold).__name__}."
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    f"`threshold` must satisfy 0 < threshold <= 1, received {threshold}."
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs of shape (batch_size, output_dim); "
                f"received y_true.shape={tuple(y_true_shape)} and "
                f"y_pred.shape={tuple(y_pred_shape)}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} needs a known output_dim; received "
                f"y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in (
            "true_positives",
            "false_positives",
            "false_negatives",
            "intermediate_weights",
        ):
            setattr(self, name, self.add_variable(shape, "zeros", dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's per-class counts.

        Args:
            y_true: 0/1 labels, shape (batch, classes).
            y_pred: scores, shape (batch, classes).
            sample_weight: optional per-sample weights, shape (batch,).
        """
        y_true = convert(y_true, self.dtype)
        y_pred = convert(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            threshold = jnp.max(y_pred, axis=-1, keepdims=True)
            # `abs > 1e-9` keeps an all-zero row from predicting every class.
            y_pred = (y_pred >= threshold) & (jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        if sample_weight is not None:
            sample_weight = convert(sample_weight, self.dtype)

        def weighted_sum(value):
            if sample_weight is not None:
                value = value * jnp.expand_dims(sample_weight, 1)
            return jnp.sum(value, axis=self.axis)

        self.true_positives.assign(self.true_positives.value + weighted_sum(y_pred * y_true))
        self.false_positives.assign(
            self.false_positives.value + weighted_sum(y_pred * (1 - y_true))
        )
        self.false_negatives.assign(
            self.false_negatives.value + weighted_sum((1 - y_pred) * y_true)
        )
        self.intermediate_weights.assign(self.intermediate_weights.value + weighted_sum(y_true))

    def result(self):
        eps = config.epsilon()
        tp = self.true_positives.value
        precision = jnp.divide(tp, tp + self.false_positives.value + eps).astype(self.dtype)
        recall = jnp.divide(tp, tp + self.false_negatives.value + eps).astype(self.dtype)
        beta_squared = self.beta**2
        score = jnp.divide(precision * recall, beta_squared * precision + recall + eps)
        score = score * (1 + beta_squared)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            weights = jnp.divide(weights, jnp.sum(weights) + eps)
            return jnp.sum(score * weights)
        if self.average is not None:  # micro, macro
            return jnp.mean(score)
        return score

    def reset_state(self):
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, dtype=v.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


@register("metrics")
class F1Score(FBetaScore):
    """The F1 score, `2 * precision * recall / (precision + recall)`: `FBetaScore(beta=1.0)`.

    Args:
        average, threshold, name, dtype: as in `FBetaScore`.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
