"""Accuracy metrics: exact match, thresholded binary, categorical (argmax) and top-k.

Each is a per-sample function (1.0 for a hit, 0.0 for a miss) and a `MeanMetricWrapper`
averaging it. Ties in `y_pred` resolve as `argmax` does (the first maximum); for top-k, a label
counts as a hit when fewer than `k` predictions are strictly greater than its own.
"""

import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.losses.numerics import argmax, convert
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank
from lamina._src.metrics.reduction import MeanMetricWrapper
from lamina._src.saving.registry import register


def _as_float(matches):
    return matches.astype(config.floatx())


@register("metrics")
def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred`, else 0.0."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _as_float(jnp.equal(y_true, y_pred))


@register("metrics")
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold) == y_true`, else 0.0."""
    y_pred = convert(y_pred)
    y_true = convert(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = jnp.greater(y_pred, convert(threshold)).astype(y_true.dtype)
    return _as_float(jnp.equal(y_true, y_pred))


@register("metrics")
def categorical_accuracy(y_true, y_pred):
    """1.0 where `argmax(y_true) == argmax(y_pred)` (one-hot targets), else 0.0."""
    y_pred = convert(y_pred)
    y_true = argmax(convert(y_true), axis=-1).astype(y_pred.dtype)
    original_shape = y_true.shape
    squeezed = False
    if y_true.ndim == y_pred.ndim:
        y_true = jnp.squeeze(y_true, -1)
        squeezed = True
    predicted = argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = _as_float(jnp.equal(y_true, predicted))
    return jnp.reshape(matches, original_shape) if squeezed else matches


@register("metrics")
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals `argmax(y_pred)`, else 0.0."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    original_shape = y_true.shape
    squeezed = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
        squeezed = True
    predicted = argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = _as_float(jnp.equal(y_true, predicted))
    if squeezed:
        matches = jnp.reshape(matches, original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def in_top_k(targets, predictions, k: int):
    """Whether each target's prediction ranks within the top `k` (NaN ranks last)."""
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, -1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(jnp.greater(predictions, at_label), axis=-1)
    return jnp.less_equal(rank, k)


def _flatten_for_top_k(y_true, y_pred):
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    if y_true.ndim > 1:
        y_true = jnp.reshape(y_true, (-1,))
    return y_true, y_pred


@register("metrics")
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the `k` highest predictions."""
    y_pred = convert(y_pred)
    y_true = argmax(convert(y_true, y_pred.dtype), axis=-1)
    original_shape = y_true.shape
    flat_true, flat_pred = _flatten_for_top_k(y_true, y_pred)
    matches = _as_float(in_top_k(flat_true.astype(jnp.int32), flat_pred, k))
    return jnp.reshape(matches, original_shape) if y_true.ndim > 1 else matches


@register("metrics")
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the `k` highest predictions.

    With `from_sorted_ids=True`, `y_pred` holds class ids sorted by score (best first) and a hit
    is the label appearing among the first `k` of them.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype if from_sorted_ids else jnp.int32)
    original_shape = y_true.shape
    flat_true, flat_pred = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        hits = jnp.any(jnp.equal(jnp.expand_dims(flat_true, 1), flat_pred[:, :k]), axis=1)
    else:
        hits = in_top_k(flat_true, flat_pred, k)
    matches = _as_float(hits)
    return jnp.reshape(matches, original_shape) if y_true.ndim > 1 else matches


@register("metrics")
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches the 0/1 labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
        threshold: the probability above which a prediction counts as 1 (default 0.5).
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


@register("metrics")
class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the one-hot label's class.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the integer label.

    Args:
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@register("metrics")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the `k` highest predictions.

    Args:
        k: how many top predictions count (default 5).
        name: the metric's name.
        dtype: the dtype of the running totals.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@register("metrics")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest predictions.

    Args:
        k: how many top predictions count (default 5).
        name: the metric's name.
        dtype: the dtype of the running totals.
        from_sorted_ids: whether `y_pred` holds class ids sorted by score instead of scores.
    """

    def __init__(
        self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False
    ):
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
