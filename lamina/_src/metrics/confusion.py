"""Thresholded counts (`TruePositives`, ...) and `Precision` / `Recall`.

A prediction is positive when `y_pred > threshold`; a label is positive when nonzero. With one
threshold the result is a scalar, with several a vector (one entry per threshold).
"""

import jax.numpy as jnp

from lamina._src.losses.numerics import divide_no_nan
from lamina._src.metrics import confusion_utils as cu
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import register


class _ConfusionMatrixConditionCount(Metric):
    """Counts one confusion-matrix condition at each threshold."""

    _condition = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's (weighted) counts.

        Args:
            y_true: labels (nonzero is positive).
            y_pred: scores in [0, 1].
            sample_weight: optional weights, broadcastable to `y_pred`.
        """
        cu.update_confusion_matrix_variables(
            {self._condition: self.accumulator},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self):
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@register("metrics")
class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted positive.

    Args:
        thresholds: a threshold or list of thresholds in [0, 1] (default 0.5).
        name: the metric's name.
        dtype: the metric's dtype.
    """

    _condition = cu.TRUE_POSITIVES


@register("metrics")
class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted positive. Args as `TruePositives`."""

    _condition = cu.FALSE_POSITIVES


@register("metrics")
class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted negative. Args as `TruePositives`."""

    _condition = cu.TRUE_NEGATIVES


@register("metrics")
class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted negative. Args as `TruePositives`."""

    _condition = cu.FALSE_NEGATIVES


class _PrecisionRecallBase(Metric):
    """Shared state of `Precision` and `Recall`: true positives and one error count."""

    _error_condition = ""
    _error_name = ""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k, every kept prediction counts as positive unless a threshold is given.
        default_threshold = 0.5 if top_k is None else cu.NEG_INF
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=default_threshold)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(self.thresholds)
        self.true_positives = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="true_positives"
        )
        setattr(
            self,
            self._error_name,
            self.add_variable(
                shape=(len(self.thresholds),), initializer="zeros", name=self._error_name
            ),
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's counts.

        Args:
            y_true: labels (nonzero is positive).
            y_pred: scores in [0, 1].
            sample_weight: optional weights, broadcastable to `y_pred`.
        """
        cu.update_confusion_matrix_variables(
            {
                cu.TRUE_POSITIVES: self.true_positives,
                self._error_condition: getattr(self, self._error_name),
            },
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self):
        tp = self.true_positives.value
        value = divide_no_nan(tp, tp + getattr(self, self._error_name).value)
        return value[0] if len(self.thresholds) == 1 else value

    def reset_state(self):
        count = len(self.thresholds)
        self.true_positives.assign(jnp.zeros((count,)))
        getattr(self, self._error_name).assign(jnp.zeros((count,)))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


@register("metrics")
class Precision(_PrecisionRecallBase):
    """Precision: `TP / (TP + FP)`, the fraction of predicted positives that are positive.

    Args:
        thresholds: a threshold or list of thresholds in [0, 1] (default 0.5; with `top_k`,
            every top-k prediction counts as positive).
        top_k: only each sample's `top_k` highest predictions can be positive.
        class_id: compute the metric for this class of a multi-class output only.
        name: the metric's name.
        dtype: the metric's dtype.

    Example:
        m = lamina.metrics.Precision()
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        m.result()  # 0.6666667
    """

    _error_condition = cu.FALSE_POSITIVES
    _error_name = "false_positives"


@register("metrics")
class Recall(_PrecisionRecallBase):
    """Recall: `TP / (TP + FN)`, the fraction of positives predicted positive.

    Args are those of `Precision`.
    """

    _error_condition = cu.FALSE_NEGATIVES
    _error_name = "false_negatives"
