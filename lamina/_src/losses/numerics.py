"""Small array helpers shared by the losses and metrics, written on `jax.numpy`.

They follow the exact formulas of Keras 3's JAX backend, so lamina's numbers match Keras's to
float32 rounding: `divide_no_nan` returns 0 where the divisor is 0, and `l2_normalize` multiplies by
`rsqrt` capped at `1 / epsilon` rather than dividing by the norm.
"""

import jax
import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.backend.variables import to_value


def convert(x, dtype=None) -> jax.Array:
    """Any array-like (or a Variable) as a JAX array, cast to `dtype` when one is given."""
    x = to_value(x)
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == jnp.dtype(dtype)):
        return x
    return jnp.asarray(x, dtype=dtype)


def mean(x, axis=None, keepdims: bool = False) -> jax.Array:
    """`jnp.mean` accumulated in at least float32 (half-precision sums overflow); integer and
    boolean inputs give float32, float inputs keep their dtype."""
    x = convert(x)
    compute_dtype = jnp.promote_types(x.dtype, jnp.float32)
    floating = jnp.issubdtype(x.dtype, jnp.floating)
    result_dtype = x.dtype if floating else compute_dtype
    return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=compute_dtype).astype(result_dtype)


def divide_no_nan(x, y) -> jax.Array:
    """`x / y`, with 0 wherever `y` is 0."""
    x = convert(x)
    y = convert(y)
    safe_y = jnp.where(y == 0, 1, y)
    return jnp.where(y == 0, 0, jnp.divide(x, safe_y))


def l2_normalize(x, axis=-1) -> jax.Array:
    """`x / ||x||` along `axis`, with the inverse norm capped at `1 / epsilon` (zeros stay zero)."""
    x = convert(x)
    if x.ndim == 0:
        x = jnp.expand_dims(x, 0)
    square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    inv_norm = jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / config.epsilon())
    return x * inv_norm


def argmax(x, axis=-1) -> jax.Array:
    """`jnp.argmax`, treating -0.0 as smaller than +0.0 on CPU as Keras does (XLA's FTZ quirk)."""
    x = convert(x)
    if not jnp.issubdtype(x.dtype, jnp.floating) or x.ndim == 0 or not _on_cpu(x):
        return jnp.argmax(x, axis=axis)
    x = x.astype(jnp.promote_types(x.dtype, jnp.float32))
    negative_zero = (x == 0.0) & jnp.signbit(x)
    x = jnp.where(negative_zero, -jnp.finfo(x.dtype).tiny, x)
    return jnp.argmax(x, axis=axis)


def _on_cpu(x) -> bool:
    try:
        devices = x.devices()
    except Exception:  # a tracer: its placement is decided later; use the default backend
        return jax.default_backend() == "cpu"
    return any(d.platform == "cpu" for d in devices)
