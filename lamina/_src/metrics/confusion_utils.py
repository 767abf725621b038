"""Accumulating thresholded confusion-matrix counts (TP, FP, TN, FN) for the confusion metrics.

A prediction is positive at threshold `t` when `y_pred > t`; a label is positive when nonzero.
Counts are weighted by `sample_weight` (and per-class `label_weights`) and accumulated into the
given Variables, one entry per threshold (and per label with `multi_label=True`).

Two code paths give Keras's exact numbers:

* evenly spaced thresholds (`i / (n - 1)`, e.g. AUC's) bucket each prediction once and take
  reverse cumulative sums: O(batch + thresholds) rather than O(batch * thresholds). A prediction
  of exactly `i / (n - 1)` lands in bucket `i - 1`, i.e. counts as above threshold `i - 1` only;
* any other thresholds are compared one by one.
"""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import config
from lamina._src.losses.numerics import convert
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank

TRUE_POSITIVES = "tp"
FALSE_POSITIVES = "fp"
TRUE_NEGATIVES = "tn"
FALSE_NEGATIVES = "fn"
CONDITIONS = (TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES)

# The score given to predictions outside the top k, below any threshold.
NEG_INF = -1e10


def parse_init_thresholds(thresholds, default_threshold=0.5) -> list:
    """A threshold or list of thresholds (each in [0, 1]) as a list; None gives the default."""
    if thresholds is not None:
        values = list(thresholds) if isinstance(thresholds, list | tuple) else [thresholds]
        invalid = [t for t in values if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1], received {invalid}.")
        return values
    return [default_threshold]


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """Whether the thresholds are `i / (n - 1)` for `i = 0..n-1`, n >= 3 (within epsilon)."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def filter_top_k(x, k: int):
    """`x` where it is among the last axis's top `k`, else `NEG_INF`."""
    _, top_k_idx = jax.lax.top_k(x, k)
    top_k_mask = jnp.sum(jax.nn.one_hot(top_k_idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * top_k_mask + NEG_INF * (1 - top_k_mask)


def update_confusion_matrix_variables(
    variables_to_update: dict,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label: bool = False,
    label_weights=None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Add one batch's thresholded counts to the Variables in `variables_to_update`.

    Args:
        variables_to_update: `{"tp" | "fp" | "tn" | "fn": Variable}`; each Variable has shape
            `(num_thresholds,)`, or `(num_thresholds, num_labels)` with `multi_label`.
        y_true: labels (nonzero is positive).
        y_pred: scores, normally in [0, 1].
        thresholds: a list or array of thresholds.
        top_k: keep only each sample's `top_k` highest scores as candidates for positive.
        class_id: count only this class (the last axis's entry).
        sample_weight: optional weights, broadcastable to `y_pred`.
        multi_label: keep labels (the last axis) separate instead of flattening them together.
        label_weights: per-label weights (only without `multi_label`).
        thresholds_distributed_evenly: take the bucketing fast path (see the module docstring).
    """
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` must be applied outside update_confusion_matrix_variables when "
            "`multi_label=True`."
        )
    if not variables_to_update:
        return
    invalid = [key for key in variables_to_update if key not in CONDITIONS]
    if invalid:
        raise ValueError(f"Invalid confusion-matrix keys {invalid}: expected some of {CONDITIONS}.")
    dtype = next(iter(variables_to_update.values())).dtype
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        # AUC adds thresholds just below 0 and just above 1; then predictions of exactly 0
        # still count as above the first threshold.
        thresholds_with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    y_pred = convert(y_pred)
    if class_id is not None and y_pred.ndim == 1:
        raise ValueError(
            "With `class_id`, y_pred must have shape (num_samples, num_classes); received "
            f"shape {tuple(y_pred.shape)}."
        )
    deltas = _confusion_deltas(
        convert(y_true).astype(dtype),
        y_pred.astype(dtype),
        jnp.asarray(np.asarray(thresholds), dtype=dtype),
        None if sample_weight is None else convert(sample_weight).astype(dtype),
        None if label_weights is None else convert(label_weights),
        conditions=tuple(key for key in CONDITIONS if key in variables_to_update),
        top_k=top_k,
        class_id=class_id,
        multi_label=multi_label,
        evenly=bool(thresholds_distributed_evenly),
        with_epsilon=thresholds_with_epsilon,
    )
    for key, delta in deltas.items():
        variable = variables_to_update[key]
        variable.assign(variable.value + delta.astype(variable.dtype))


# Not wrapped in jax.jit on purpose: op-by-op eager execution keeps the counts bit-identical
# to Keras's, and compiling it as one kernel measured no faster for the first call.
def _confusion_deltas(
    y_true,
    y_pred,
    thresholds,
    sample_weight,
    label_weights,
    *,
    conditions,
    top_k,
    class_id,
    multi_label,
    evenly,
    with_epsilon,
):
    """The counts to add for each requested condition."""
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(sample_weight, -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if evenly:
        return _bucketed_deltas(
            y_true,
            y_pred,
            thresholds.shape[0],
            multi_label,
            sample_weight,
            label_weights,
            with_epsilon,
            conditions,
        )
    return _comparison_deltas(
        y_true, y_pred, thresholds, multi_label, sample_weight, label_weights, conditions
    )


def _comparison_deltas(
    y_true, y_pred, thresholds, multi_label, sample_weight, label_weights, conditions
):
    if multi_label:
        # (thresholds, batch, labels): each label keeps its own column.
        pred_is_pos = y_pred[None] > thresholds.reshape(-1, 1, 1)
        label_is_pos = jnp.broadcast_to(y_true.astype(bool)[None], pred_is_pos.shape)
    else:
        pred_is_pos = jnp.reshape(y_pred, (1, -1)) > thresholds.reshape(-1, 1)
        label_is_pos = jnp.broadcast_to(
            jnp.reshape(y_true.astype(bool), (1, -1)), pred_is_pos.shape
        )

    weights = None
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
    if label_weights is not None and not multi_label:
        lw = jnp.broadcast_to(jnp.expand_dims(label_weights, 0), y_pred.shape)
        weights = lw if weights is None else weights * lw
    if weights is not None:
        weights = weights[None] if multi_label else jnp.reshape(weights, (1, -1))

    pred_is_neg = ~pred_is_pos
    label_is_neg = ~label_is_pos
    pairs = {
        TRUE_POSITIVES: (label_is_pos, pred_is_pos),
        FALSE_POSITIVES: (label_is_neg, pred_is_pos),
        TRUE_NEGATIVES: (label_is_neg, pred_is_neg),
        FALSE_NEGATIVES: (label_is_pos, pred_is_neg),
    }
    deltas = {}
    for key in conditions:
        label, pred = pairs[key]
        hit = label & pred
        if weights is None:
            counts = hit.astype(y_pred.dtype)
        else:
            counts = jnp.where(hit, weights.astype(y_pred.dtype), 0)
        deltas[key] = jnp.sum(counts, 1)
    return deltas


def _bucketed_deltas(
    y_true,
    y_pred,
    num_thresholds,
    multi_label,
    sample_weight,
    label_weights,
    with_epsilon,
    conditions,
):
    if sample_weight is None:
        sample_weight = 1.0
    else:
        sample_weight = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
        if not multi_label:
            sample_weight = jnp.reshape(sample_weight, (-1,))
    if label_weights is None:
        label_weights = 1.0
    else:
        label_weights = jnp.broadcast_to(jnp.expand_dims(label_weights, 0), y_pred.shape)
        if not multi_label:
            label_weights = jnp.reshape(label_weights, (-1,))
    weights = jnp.asarray(jnp.multiply(sample_weight, label_weights)).astype(y_true.dtype)

    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = y_true.astype(bool).astype(y_true.dtype)
    if not multi_label:
        y_true = jnp.reshape(y_true, (-1,))
        y_pred = jnp.reshape(y_pred, (-1,))
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights

    # A prediction p is above thresholds 0 .. ceil(p * (n - 1)) - 1: it goes in that bucket.
    buckets = jnp.ceil(y_pred * (jnp.asarray(num_thresholds, y_pred.dtype) - 1)) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0)
    buckets = buckets.astype(jnp.int32)

    def reverse_cumsum(per_bucket, axis):
        return jnp.flip(jnp.cumsum(jnp.flip(per_bucket, axis), axis=axis), axis)

    def bucket_sums(labels, ids):
        return jax.ops.segment_sum(labels, ids, num_segments=num_thresholds)

    if multi_label:
        tp = reverse_cumsum(jax.vmap(bucket_sums)(true_labels.T, buckets.T), 1).T
        fp = reverse_cumsum(jax.vmap(bucket_sums)(false_labels.T, buckets.T), 1).T
        total_true = jnp.sum(true_labels.T, axis=1)
        total_false = jnp.sum(false_labels.T, axis=1)
    else:
        tp = reverse_cumsum(bucket_sums(true_labels, buckets), 0)
        fp = reverse_cumsum(bucket_sums(false_labels, buckets), 0)
        total_true = jnp.sum(true_labels)
        total_false = jnp.sum(false_labels)

    all_deltas = {
        TRUE_POSITIVES: lambda: tp,
        FALSE_POSITIVES: lambda: fp,
        TRUE_NEGATIVES: lambda: total_false - fp,
        FALSE_NEGATIVES: lambda: total_true - tp,
    }
    return {key: all_deltas[key]() for key in conditions}


def confusion_matrix(labels, predictions, num_classes: int, weights=None, dtype="int32"):
    """The `(num_classes, num_classes)` matrix counting (weighted) `(label, prediction)` pairs."""
    labels = convert(labels).astype(dtype)
    predictions = convert(predictions).astype(dtype)
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    values = (
        jnp.ones_like(predictions, dtype) if weights is None else convert(weights).astype(dtype)
    )
    num_classes = int(num_classes)
    matrix = jnp.zeros((num_classes, num_classes), dtype=dtype)
    return matrix.at[labels.astype(jnp.int32), predictions.astype(jnp.int32)].add(values)
