"""`AUC`: the area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

The curve is sampled at `num_thresholds` thresholds: `0 - eps`, `num_thresholds - 2` evenly
spaced values in (0, 1), and `1 + eps` (or the given `thresholds` between the two end points).
TP/FP/TN/FN accumulate at each; `result()` integrates the curve:

* `curve="ROC"`: recall (y) against false-positive rate (x);
* `curve="PR"`: precision against recall; with `summation_method="interpolation"` this uses the
  Davis & Goadrich (2006) interpolation instead of straight trapezoids;
* `curve="PRGAIN"`: precision gain against recall gain (Flach & Kull, 2015).

`summation_method` is `"interpolation"` (trapezoids), `"minoring"` (left Riemann sum, a lower
bound) or `"majoring"` (an upper bound).
"""

import enum

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import config
from lamina._src.losses.numerics import convert, divide_no_nan
from lamina._src.metrics import confusion_utils as cu
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import register


class AUCCurve(enum.StrEnum):
    """The curve `AUC` integrates; compares equal to its string value."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key):
        for member in AUCCurve:
            if key in (member.value, member.value.lower(), member):
                return member
        raise ValueError(f"Invalid AUC curve {key!r}: expected 'ROC', 'PR' or 'PRGAIN'.")


class AUCSummationMethod(enum.StrEnum):
    """How `AUC` sums the area; compares equal to its string value."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        for member in AUCSummationMethod:
            if key in (member.value, member.value.capitalize(), member):
                return member
        raise ValueError(
            f"Invalid AUC summation method {key!r}: expected 'interpolation', 'majoring' or "
            "'minoring'."
        )


@register("metrics")
class AUC(Metric):
    """Area under the ROC or PR curve, approximated over thresholds.

    Args:
        num_thresholds: how many thresholds to sample the curve at, > 1 (default 200).
        curve: `"ROC"` (default), `"PR"` or `"PRGAIN"`.
        summation_method: `"interpolation"` (default), `"minoring"` or `"majoring"`.
        name: the metric's name.
        dtype: the metric's dtype.
        thresholds: explicit thresholds in [0, 1], used instead of `num_thresholds` (the end
            points `-eps` and `1 + eps` are added).
        multi_label: treat each column of `y_pred` as a separate label: one curve per label,
            averaged (weighted by `label_weights`). Otherwise all entries are pooled.
        num_labels: the number of labels with `multi_label`; if None, taken from the first batch.
        label_weights: per-label weights: of the average with `multi_label`, else of each
            label's counts.
        from_logits: whether `y_pred` holds logits (a sigmoid is applied).

    Example:
        m = lamina.metrics.AUC(num_thresholds=3)
        m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        m.result()  # 0.75
    """

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0])
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"`num_thresholds` must be an integer > 1, received {num_thresholds}."
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # End points just outside [0, 1] so predictions of exactly 0 or 1 are still counted.
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = AUCCurve.from_str(curve)
        self.summation_method = AUCSummationMethod.from_str(summation_method)
        super().__init__(name=name, dtype=dtype)

        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else convert(label_weights, self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is only used with `multi_label=True`.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds the curve is sampled at, end points included."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "With `multi_label=True`, y_pred must have rank 2 (batch, labels); received "
                    f"shape {tuple(shape)}."
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(variable_shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(variable_shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(variable_shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(variable_shape, "zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's counts.

        Args:
            y_true: labels (nonzero is positive).
            y_pred: scores in [0, 1] (or logits with `from_logits=True`).
            sample_weight: optional weights, broadcastable to `y_pred`.
        """
        y_pred = convert(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
        cu.update_confusion_matrix_variables(
            {
                cu.TRUE_POSITIVES: self.true_positives,
                cu.TRUE_NEGATIVES: self.true_negatives,
                cu.FALSE_POSITIVES: self.false_positives,
                cu.FALSE_NEGATIVES: self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            # With multi_label the weights apply to the per-label areas, in result().
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _counts(self):
        return (
            self.true_positives.value,
            self.false_positives.value,
            self.true_negatives.value,
            self.false_negatives.value,
        )

    def interpolate_pr_auc(self):
        """The PR-AUC with Davis & Goadrich's interpolation between thresholds.

        Between consecutive thresholds precision is interpolated as a function of the number of
        predicted positives `p`: `precision = slope + intercept / p`, which integrates in closed
        form. Returns the area (averaged over labels with `multi_label`).
        """
        return _area(
            *self._counts(),
            self.label_weights,
            curve=AUCCurve.PR.value,
            summation_method=AUCSummationMethod.INTERPOLATION.value,
            multi_label=self.multi_label,
        )

    def result(self):
        return _area(
            *self._counts(),
            self.label_weights,
            curve=self.curve.value,
            summation_method=self.summation_method.value,
            multi_label=self.multi_label,
        )

    def reset_state(self):
        if self._built:
            shape = (
                (self.num_thresholds, self._num_labels)
                if self.multi_label
                else (self.num_thresholds,)
            )
            for v in (
                self.true_positives,
                self.false_positives,
                self.true_negatives,
                self.false_negatives,
            ):
                v.assign(jnp.zeros(shape))

    def get_config(self) -> dict:
        label_weights = self.label_weights
        if label_weights is not None:
            label_weights = np.asarray(label_weights).tolist()
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": label_weights,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            # Without the end points, so a metric built from this config has the same thresholds.
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _area(tp, fp, tn, fn, label_weights, *, curve, summation_method, multi_label):
    """The area under the curve from the accumulated counts."""
    n = tp.shape[0]
    if curve == "PR" and summation_method == "interpolation":
        by_threshold = _interpolated_pr_increments(tp, fp, fn)
    else:
        recall = divide_no_nan(tp, tp + fn)
        if curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            x, y = _pr_gain(tp, fp, tn, fn)
        if summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif summation_method == "minoring":
            heights = jnp.minimum(y[: n - 1], y[1:])
        else:
            heights = jnp.maximum(y[: n - 1], y[1:])
        by_threshold = (x[: n - 1] - x[1:]) * heights
    if not multi_label:
        return jnp.sum(by_threshold)
    by_label = jnp.sum(by_threshold, axis=0)
    if label_weights is None:
        return jnp.mean(by_label)
    return divide_no_nan(jnp.sum(by_label * label_weights), jnp.sum(label_weights))


def _interpolated_pr_increments(tp, fp, fn):
    """Davis & Goadrich's PR area between consecutive thresholds."""
    n = tp.shape[0]
    dtp = tp[: n - 1] - tp[1:]
    p = tp + fp
    dp = p[: n - 1] - p[1:]
    prec_slope = divide_no_nan(dtp, jnp.maximum(dp, 0))
    intercept = tp[1:] - prec_slope * p[1:]
    safe_p_ratio = jnp.where(
        (p[: n - 1] > 0) & (p[1:] > 0),
        divide_no_nan(p[: n - 1], jnp.maximum(p[1:], 0)),
        jnp.ones_like(p[1:]),
    )
    return divide_no_nan(
        prec_slope * (dtp + intercept * jnp.log(safe_p_ratio)),
        jnp.maximum(tp[1:] + fn[1:], 0),
    )


def _pr_gain(tp, fp, tn, fn):
    """(recall gain, precision gain), with Keras's fixes where the gains are undefined.

    Without true positives recall gain is 0 and precision gain 1; negative recall gains are 0.
    """
    scaling = divide_no_nan(tp + fn, tn + fp)  # P / N
    recall_gain = 1.0 - scaling * divide_no_nan(fn, tp)
    precision_gain = 1.0 - scaling * divide_no_nan(fp, tp)
    recall_gain = jnp.where(tp == 0.0, 0.0, recall_gain)
    precision_gain = jnp.where(tp == 0.0, 1.0, precision_gain)
    return jnp.maximum(recall_gain, 0.0), precision_gain
