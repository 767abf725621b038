"""`to_device`: host values (numbers, lists, numpy arrays) as JAX arrays, without compiling.

Eager `jnp.asarray(numpy_array)` compiles and runs an XLA copy per shape and dtype (JAX 0.10:
20-70 ms each on CPU), and a first `fit` or `load_model` converts dozens of differently
shaped values (weights, biases, optimizer slots, metric totals, the data). `jax.device_put`
transfers the same bytes with no compilation (and copies: the array never aliases the
caller's numpy buffer).
"""

import jax
import numpy as np


def to_device(value, dtype=None) -> jax.Array:
    """`value` as a JAX array (of `dtype` when given); JAX arrays and tracers pass through."""
    if isinstance(value, jax.Array):
        return value if dtype is None or value.dtype == np.dtype(dtype) else value.astype(dtype)
    return jax.device_put(np.asarray(value, dtype=dtype))
