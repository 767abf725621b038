"""How per-sample losses become one number: sample weights, masks and the `reduction` modes.

Keras 3 semantics, exactly:

* the mask (from `y_pred` or from the loss values) is folded into the sample weights: with the
  `"sum_over_batch_size"` and `"mean"` reductions valid entries get weight `total / valid`, so the
  result is the mean over valid entries only; with the other reductions the mask is a 0/1 weight;
* the weights are squeezed or expanded by one trailing axis to match the loss's rank, then
  broadcast against it;
* `"sum"` sums; `"sum_over_batch_size"` and `"mean"` divide the sum by the number of loss
  elements; `"mean_with_sample_weight"` divides by the sum of the weights; None / `"none"` returns
  the weighted values unreduced. Division by zero gives 0.
"""

import jax
import jax.numpy as jnp

from lamina._src.losses.numerics import convert, divide_no_nan

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    """Validate a `reduction` argument and return it unchanged."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid reduction {reduction!r}. Expected one of 'sum_over_batch_size' (the default), "
            "'sum', 'mean', 'mean_with_sample_weight', 'none' or None."
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Make two arrays the same rank when they differ by one trailing axis of size 1.

    The longer array loses its trailing 1, except that a rank-1 partner is expanded instead when
    `expand_rank_1` is true. Arrays whose ranks differ otherwise are returned unchanged.
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean `mask` into `sample_weight` (either may be None)."""
    if mask is None:
        return sample_weight
    mask = convert(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        # Valid entries weigh total/valid, so dividing the weighted sum by `total` later gives
        # the mean over valid entries.
        total = jnp.asarray(_size(mask.shape), dtype=dtype)
        valid = jnp.sum(mask.astype(dtype))
        float_mask = jnp.where(mask.astype(bool), divide_no_nan(total, valid), 0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = convert(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size") -> jax.Array:
    """Reduce already-weighted loss values according to `reduction`."""
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = jnp.sum(sample_weight).astype(loss.dtype)
        else:
            divisor = jnp.asarray(_size(values.shape), dtype=loss.dtype)
        loss = divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(
    values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None
) -> jax.Array:
    """Weight (by `sample_weight` and `mask`) then reduce per-element loss values."""
    reduction = standardize_reduction(reduction)
    values = convert(values, dtype)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _size(shape) -> int:
    size = 1
    for dim in shape:
        size *= int(dim)
    return size
