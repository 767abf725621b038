"""Math ops beyond NumPy's (`keras.ops.top_k`, `erf`, `segment_sum`, ...), as Keras's JAX backend."""

import jax
import jax.numpy as jnp
import jax.scipy.special

from lamina._src.ops.dispatch import symbolic_op

__all__ = [
    "cdist",
    "erf",
    "erfc",
    "erfinv",
    "in_top_k",
    "logdet",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "top_k",
]


@symbolic_op
def top_k(x, k, sorted=True):  # noqa: A002 - Keras's name
    """`(values, indices)` of the `k` largest entries along the last axis (always sorted)."""
    return jax.lax.top_k(jnp.asarray(x), k)


@symbolic_op
def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the `k` largest (NaN never counts as large)."""
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, axis=-1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(jnp.greater(predictions, at_label), axis=-1)
    return jnp.less_equal(rank, k)


@symbolic_op
def cdist(x, y):
    """Pairwise Euclidean distances between the rows of `x` and `y` (last axis: features)."""
    x, y = jnp.asarray(x), jnp.asarray(y)
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError(f"cdist: expected inputs of rank >= 2 with equal last dimensions, "
                         f"received shapes {x.shape} and {y.shape}.")
    diff = jnp.expand_dims(x, -2) - jnp.expand_dims(y, -3)
    return jnp.sqrt(jnp.sum(diff * diff, axis=-1))


@symbolic_op
def erf(x):
    return jax.lax.erf(jnp.asarray(x))


@symbolic_op
def erfc(x):
    return jax.scipy.special.erfc(jnp.asarray(x))


@symbolic_op
def erfinv(x):
    return jax.scipy.special.erfinv(jnp.asarray(x))


@symbolic_op
def logdet(x):
    """`log(det(x))`, through the more stable `slogdet`."""
    return jnp.linalg.slogdet(x)[1]


def _segment(name, jax_fn):
    def fn(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        if num_segments is None:
            raise ValueError(f"{name}: `num_segments` must be set (as on Keras's JAX backend); "
                             "received num_segments=None.")
        return jax_fn(data, segment_ids, num_segments, indices_are_sorted=sorted)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"`{name}` over `num_segments` segments given by `segment_ids`."
    return symbolic_op(fn)


segment_sum = _segment("segment_sum", jax.ops.segment_sum)
segment_max = _segment("segment_max", jax.ops.segment_max)
segment_min = _segment("segment_min", jax.ops.segment_min)
segment_prod = _segment("segment_prod", jax.ops.segment_prod)
