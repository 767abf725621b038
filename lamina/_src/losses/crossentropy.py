"""Binary, categorical and sparse categorical crossentropy: the functions and `Loss` classes."""

import warnings

import jax.numpy as jnp

from lamina._src.losses import crossentropy_ops, masking
from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert, mean
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


def _check_axis(axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(
            f"`axis` must be an int, received axis={axis!r} of type {type(axis).__name__}."
        )


def _warn_single_class(loss_name: str, y_pred) -> None:
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {loss_name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def smooth_categorical_labels(y_true, label_smoothing: float, dtype):
    """`y * (1 - s) + s / num_classes`, the class count taken from the last axis."""
    num_classes = jnp.asarray(y_true.shape[-1], dtype)
    return y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)


@register("losses", "bce", "BCE")
@register("metrics")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy per sample: the mean over `axis` of the elementwise crossentropy.

    Args:
        y_true: 0/1 (or soft) targets, shaped like `y_pred`.
        y_pred: probabilities (clipped to `[eps, 1 - eps]`), or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + 0.5 * s`.
        axis: the axis the mean is taken over.

    Returns:
        The losses, with `axis` reduced.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return mean(crossentropy_ops.binary_crossentropy(y_true, y_pred, from_logits), axis=axis)


@register("losses")
@register("metrics")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy per sample, for one-hot (or soft) targets.

    Args:
        y_true: one-hot targets, shaped like `y_pred`.
        y_pred: probabilities (renormalized along `axis`, then clipped to `[eps, 1 - eps]`), or
            logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / num_classes`.
        axis: the class axis.

    Returns:
        The losses, with the class axis reduced.
    """
    _check_axis(axis)
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    _warn_single_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        y_true = smooth_categorical_labels(y_true, label_smoothing, y_pred.dtype)
    return crossentropy_ops.categorical_crossentropy(y_true, y_pred, from_logits, axis)


@register("losses")
@register("metrics")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical crossentropy per sample, for integer class labels.

    Args:
        y_true: integer labels, shaped like `y_pred` without its class axis (a trailing axis of
            size 1 is accepted).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label value (e.g. a padding label such as -1) whose entries get loss 0
            and are masked out of the reduction (the result carries a Keras mask).
        axis: the class axis.

    Returns:
        The losses, with the class axis reduced.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis=axis)
    if ignore_class is not None:
        class_axis = axis % y_pred.ndim
        result_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
        valid = jnp.not_equal(y_true, jnp.asarray(ignore_class, y_pred.dtype))
        y_true = jnp.where(valid, y_true, 0)
        y_pred = jnp.where(jnp.expand_dims(valid, axis), y_pred, 0)
    losses = crossentropy_ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)
    if ignore_class is not None:
        valid = jnp.reshape(valid, result_shape)
        losses = jnp.where(valid, losses, 0.0)
        masking.set_keras_mask(losses, valid)
    return losses


@register("losses")
class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy between 0/1 targets and predicted probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; squeezes targets towards 0.5.
        axis: the axis the per-sample mean is taken over.
        reduction, name, dtype: see `lamina.losses.Loss`.

    Example:
        loss = lamina.losses.BinaryCrossentropy(from_logits=True)
        loss([[0.0], [1.0]], [[-2.3], [1.1]])
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@register("losses")
class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between one-hot targets and predicted class probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; mixes the targets with the uniform distribution.
        axis: the class axis.
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@register("losses")
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between integer labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        ignore_class: a label value left out of the loss and of the average (e.g. padding).
        reduction: see `lamina.losses.Loss`.
        axis: the class axis.
        name, dtype: see `lamina.losses.Loss`.

    Note: Keras 3 leaves `axis` out of this class's config; lamina writes it (every constructor
    argument is in the config), which Keras also accepts when it reads the file.
    """

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
