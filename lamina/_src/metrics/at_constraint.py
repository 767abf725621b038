"""One rate at the best threshold where another meets a floor: `SensitivityAtSpecificity`,
`SpecificityAtSensitivity`, `PrecisionAtRecall` and `RecallAtPrecision`.

Each accumulates TP/FP/TN/FN at `num_thresholds` evenly spaced thresholds in [0, 1] and reports
the largest value of one rate among the thresholds where the other rate is >= the given value
(0 when no threshold qualifies).
"""

import jax.numpy as jnp

from lamina._src.losses.numerics import divide_no_nan
from lamina._src.metrics import confusion_utils as cu
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import register


class SensitivitySpecificityBase(Metric):
    """Shared state: the four confusion counts at evenly spaced thresholds."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(f"`num_thresholds` must be an integer > 0, received {num_thresholds}.")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's counts (labels nonzero = positive; scores in [0, 1])."""
        cu.update_confusion_matrix_variables(
            {
                cu.TRUE_POSITIVES: self.true_positives,
                cu.TRUE_NEGATIVES: self.true_negatives,
                cu.FALSE_POSITIVES: self.false_positives,
                cu.FALSE_NEGATIVES: self.false_negatives,
            },
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def reset_state(self):
        count = len(self.thresholds)
        for v in (
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
        ):
            v.assign(jnp.zeros((count,)))

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {
            "sensitivity": divide_no_nan(tp, tp + fn),  # = recall
            "specificity": divide_no_nan(tn, tn + fp),
            "precision": divide_no_nan(tp, tp + fp),
        }

    def _max_where_at_least(self, constrained, dependent):
        feasible = constrained >= self.value
        return jnp.max(jnp.where(feasible, dependent, 0), initial=0)


def _check_rate(name: str, value) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"`{name}` must be in [0, 1], received {name}={value}.")


@register("metrics")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) at thresholds where specificity >= `specificity`.

    Args:
        specificity: the floor, in [0, 1].
        num_thresholds: how many evenly spaced thresholds to try (default 200).
        class_id: compute the metric for this class only.
        name, dtype: the metric's name and dtype.
    """

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["specificity"], rates["sensitivity"])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "specificity": self.specificity,
        }


@register("metrics")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity at thresholds where sensitivity >= `sensitivity`.

    Args as `SensitivityAtSpecificity`, with `sensitivity` the floor.
    """

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["specificity"])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "sensitivity": self.sensitivity,
        }


@register("metrics")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision at thresholds where recall >= `recall`.

    Args as `SensitivityAtSpecificity`, with `recall` the floor.
    """

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["precision"])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "recall": self.recall,
        }


@register("metrics")
class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall at thresholds where precision >= `precision`.

    Args as `SensitivityAtSpecificity`, with `precision` the floor.
    """

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["precision"], rates["sensitivity"])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "precision": self.precision,
        }
