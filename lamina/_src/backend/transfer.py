"""`to_device` / `to_device_tree`: host values (numbers, lists, numpy arrays) as JAX arrays,
without compiling.

Eager `jnp.asarray(numpy_array)` compiles and runs an XLA copy per shape and dtype (JAX 0.10:
20-70 ms each on CPU), and a first `fit` or `load_model` converts dozens of differently
shaped values (weights, biases, optimizer slots, metric totals, the data). `jax.device_put`
transfers the same bytes with no compilation (and copies: the array never aliases the
caller's numpy buffer).
"""

import jax
import numpy as np

from lamina._src.utils import tree


def to_device(value, dtype=None) -> jax.Array:
    """`value` as a JAX array (of `dtype` when given); JAX arrays and tracers pass through."""
    if isinstance(value, jax.Array):
        return value if dtype is None or value.dtype == np.dtype(dtype) else value.astype(dtype)
    return jax.device_put(np.asarray(value, dtype=dtype))


def to_device_tree(structure):
    """Every array of a nested structure (lists, tuples, dicts) as `to_device` puts it; None
    stays None."""
    return tree.map_structure(lambda v: None if v is None else to_device(v), structure)
