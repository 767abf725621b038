"""Focal crossentropies (Lin et al., 2017): crossentropy down-weighted on easy examples.

The per-element crossentropy is multiplied by `(1 - p_t) ** gamma`, where `p_t` is the predicted
probability of the true class, so confident correct predictions contribute little.
"""

import jax
import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses import crossentropy_ops
from lamina._src.losses.crossentropy import (
    _check_axis,
    _warn_single_class,
    smooth_categorical_labels,
)
from lamina._src.losses.loss import Loss
from lamina._src.losses.numerics import convert, mean
from lamina._src.losses.wrapper import LossFunctionWrapper
from lamina._src.saving.registry import register


@register("losses")
@register("metrics")
def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary focal crossentropy per sample: `mean((1 - p_t)**gamma * bce, axis)`.

    Args:
        y_true: 0/1 targets, shaped like `y_pred`.
        y_pred: probabilities, or logits with `from_logits=True`.
        apply_class_balancing: weight positives by `alpha` and negatives by `1 - alpha`.
        alpha: the class-balancing weight of positives.
        gamma: the focusing exponent; 0 gives plain binary crossentropy.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + 0.5 * s`.
        axis: the axis the mean is taken over.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = crossentropy_ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = jnp.power(1.0 - p_t, convert(gamma)) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return mean(focal_bce, axis=axis)


@register("losses")
@register("metrics")
def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Categorical focal crossentropy per sample: `sum(alpha * (1 - p)**gamma * -y * log(p))`.

    Args:
        y_true: one-hot targets, shaped like `y_pred`.
        y_pred: probabilities (renormalized and clipped), or logits with `from_logits=True`.
        alpha: the weight of every class's term.
        gamma: the focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; mixes the targets with the uniform distribution.
        axis: the class axis.
    """
    _check_axis(axis)
    y_pred = convert(y_pred)
    y_true = convert(y_true).astype(y_pred.dtype)
    _warn_single_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        y_true = smooth_categorical_labels(y_true, label_smoothing, y_pred.dtype)
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    # Renormalize so each sample's probabilities sum to 1, then keep the log finite.
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1.0 - eps)
    cce = -y_true * jnp.log(output)
    weighting = jnp.power(1.0 - output, convert(gamma)) * convert(alpha)
    return jnp.sum(weighting * cce, axis=axis)


@register("losses")
class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary crossentropy scaled by `(1 - p_t) ** gamma`, optionally class-balanced by `alpha`.

    Args:
        apply_class_balancing: weight positives by `alpha`, negatives by `1 - alpha`.
        alpha: the class-balancing weight (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis: as in `BinaryCrossentropy`.
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "apply_class_balancing": self.apply_class_balancing,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


@register("losses")
class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy scaled by `alpha * (1 - p) ** gamma` per class.

    Args:
        alpha: the weight of every class's term (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis: as in `CategoricalCrossentropy`.
        reduction, name, dtype: see `lamina.losses.Loss`.
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }
