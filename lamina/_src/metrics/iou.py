"""Intersection-over-union metrics for segmentation: `IoU`, `MeanIoU`, `BinaryIoU` and the one-hot
variants.

All accumulate a `(num_classes, num_classes)` confusion matrix (rows: true class, columns:
predicted class) in an integer Variable by default, then report
`IoU = TP / (TP + FP + FN)` per target class, averaged over the classes that occurred (classes
absent from both labels and predictions are left out of the average). Labels or predictions
outside `[0, num_classes)`, and labels equal to `ignore_class`, are skipped.
"""

import warnings

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.numerics import argmax, convert
from lamina._src.metrics.confusion_utils import confusion_matrix
from lamina._src.metrics.metric import Metric
from lamina._src.saving.registry import register


class _IoUBase(Metric):
    """Accumulates the confusion matrix shared by the IoU metrics."""

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        # Integer counts by default: weights are cast to it (so use integer weights).
        super().__init__(name=name, dtype=dtype or "int")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            (num_classes, num_classes), "zeros", dtype=self.dtype, name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's (weighted) `(label, prediction)` pairs to the confusion matrix.

        Args:
            y_true: class ids (or one-hot with `sparse_y_true=False`).
            y_pred: class ids (or scores with `sparse_y_pred=False`, argmax taken over `axis`).
            sample_weight: optional weights, broadcastable to the labels.
        """
        if not self.sparse_y_true:
            y_true = argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = argmax(y_pred, axis=self.axis)
        y_true = jnp.reshape(convert(y_true, self.dtype), (-1,))
        y_pred = jnp.reshape(convert(y_pred, self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = 1
        elif (
            hasattr(sample_weight, "dtype")
            and "float" in str(sample_weight.dtype)
            and "int" in str(self.dtype)
        ):
            warnings.warn(
                "You are passing float sample weights to an IoU metric whose dtype is "
                f"'{self.dtype}': they are truncated to integers. Use integer weights, or give "
                "the metric a float dtype.",
                stacklevel=2,
            )
        sample_weight = jnp.reshape(convert(sample_weight, self.dtype), (-1,))
        sample_weight = jnp.broadcast_to(sample_weight, y_true.shape)

        num_classes = jnp.asarray(self.num_classes, y_true.dtype)
        in_range = (y_true >= 0) & (y_true < num_classes) & (y_pred >= 0) & (y_pred < num_classes)
        if self.ignore_class is not None:
            in_range = in_range & (y_true != jnp.asarray(self.ignore_class, y_true.dtype))
        y_true = jnp.where(in_range, y_true, 0)
        y_pred = jnp.where(in_range, y_pred, 0)
        sample_weight = jnp.where(in_range, sample_weight, 0).astype(self.dtype)
        current = confusion_matrix(
            y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self.dtype
        )
        self.total_cm.assign(self.total_cm.value + current)

    def reset_state(self):
        self.total_cm.assign(jnp.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


@register("metrics")
class IoU(_IoUBase):
    """The mean IoU over `target_class_ids`.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name: the metric's name.
        dtype: the confusion matrix's dtype (default int32).
        ignore_class: a label value to skip (e.g. a void class).
        sparse_y_true: whether labels are class ids (True) or one-hot (False).
        sparse_y_pred: whether predictions are class ids (True) or scores (False).
        axis: the class axis of one-hot labels / scores.
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
            dtype=dtype,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range [0, {num_classes})."
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.value
        predicted_per_class = jnp.sum(cm, axis=0).astype(self.dtype)
        true_per_class = jnp.sum(cm, axis=1).astype(self.dtype)
        true_positives = jnp.diagonal(cm).astype(self.dtype)
        # predicted + true = 2 * TP + FP + FN.
        denominator = predicted_per_class + true_per_class - true_positives
        ids = jnp.asarray(self.target_class_ids, dtype=jnp.int32)
        true_positives = jnp.take_along_axis(true_positives, ids, axis=-1).astype(jnp.float32)
        denominator = jnp.take_along_axis(denominator, ids, axis=-1).astype(jnp.float32)
        valid = (denominator > 1e-9).astype(jnp.float32)
        iou = jnp.divide(true_positives, denominator + config.epsilon())
        iou = jnp.where(valid.astype(bool), iou, 0.0)  # absent classes add 0, not ~1
        return jnp.divide(jnp.sum(iou, axis=self.axis), jnp.sum(valid) + config.epsilon())

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@register("metrics")
class BinaryIoU(IoU):
    """IoU for binary labels, predictions thresholded at `threshold` (`y_pred >= threshold`).

    Args:
        target_class_ids: which of the classes (0, 1) to average over (default both).
        threshold: the score at or above which a prediction is class 1 (default 0.5).
        name: the metric's name.
        dtype: the confusion matrix's dtype (default int32).
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = convert(y_true, self.dtype)
        y_pred = (convert(y_pred, jnp.float32) >= self.threshold).astype(self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


@register("metrics")
class MeanIoU(IoU):
    """The IoU averaged over all `num_classes` classes (those that occur).

    Args:
        num_classes: the number of classes.
        name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as in `IoU`.

    Example:
        m = lamina.metrics.MeanIoU(num_classes=2)
        m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        m.result()  # 0.33333334
    """

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            axis=axis,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@register("metrics")
class OneHotIoU(IoU):
    """`IoU` for one-hot labels and per-class scores (argmax taken over `axis`).

    Args:
        num_classes, target_class_ids, name, dtype, ignore_class, axis: as in `IoU`.
        sparse_y_pred: whether predictions are already class ids (default False).
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_pred=False,
        axis=-1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@register("metrics")
class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels and per-class scores (argmax taken over `axis`).

    Args:
        num_classes, name, dtype, ignore_class, axis: as in `MeanIoU`.
        sparse_y_pred: whether predictions are already class ids (default False).
    """

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes=num_classes,
            axis=axis,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
