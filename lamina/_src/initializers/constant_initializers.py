"""Initializers with no randomness: `Constant`, `Zeros`, `Ones`, `Identity`."""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.backend.transfer import to_device
from lamina._src.initializers.initializer import Initializer
from lamina._src.saving import config_arrays
from lamina._src.saving.registry import register

_CATEGORY = "initializers"


def _serialize_value(value):
    # Keras 3 writes an array value as a `__numpy__` (or, for a backend tensor, `__tensor__`)
    # envelope holding a nested list; plain numbers and lists are written as they are.
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    if isinstance(value, np.ndarray | jax.Array):
        kind = "__numpy__" if isinstance(value, np.ndarray) else "__tensor__"
        return {
            "class_name": kind,
            "config": {
                "value": np.asarray(value).tolist(),
                "dtype": standardize_dtype(value.dtype),
            },
        }
    return value


def _deserialize_value(value):
    if config_arrays.is_array_envelope(value):
        array = config_arrays.decode_array(value, "the `value` of a Constant initializer")
        return array if value["class_name"] == "__numpy__" else jnp.asarray(array)
    return value


@register(_CATEGORY, "constant")
class Constant(Initializer):
    """Fill with `value` (a number, or an array broadcast to the requested shape).

    Args:
        value: the fill value. Defaults to 0.0.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None) -> jax.Array:
        dtype = standardize_dtype(dtype)
        if isinstance(self.value, jax.Array):
            return jnp.broadcast_to(self.value.astype(dtype), shape)
        return to_device(np.broadcast_to(np.asarray(self.value, dtype=dtype), shape))

    def get_config(self) -> dict:
        return {"value": _serialize_value(self.value)}

    @classmethod
    def from_config(cls, config: dict) -> "Constant":
        return cls(_deserialize_value(config.get("value", 0.0)))


@register(_CATEGORY, "zeros", "zero")
class Zeros(Initializer):
    """Fill with 0."""

    def __call__(self, shape, dtype=None) -> jax.Array:
        return to_device(np.zeros(shape, dtype=standardize_dtype(dtype)))


@register(_CATEGORY, "ones", "one")
class Ones(Initializer):
    """Fill with 1."""

    def __call__(self, shape, dtype=None) -> jax.Array:
        return to_device(np.ones(shape, dtype=standardize_dtype(dtype)))


@register(_CATEGORY, "identity", "IdentityInitializer")
class Identity(Initializer):
    """`gain` times the identity matrix (2D shapes only; non-square shapes get `eye(n, m)`).

    Args:
        gain: the diagonal value. Defaults to 1.0.

    Note:
        Keras 3 leaves `gain` out of `get_config()`; lamina writes it only when it is not 1.0,
        so default configs match Keras's and a non-default gain survives a round trip.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> jax.Array:
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity initializer: expected a 2D shape (rows, cols), received shape={shape} "
                f"of rank {len(shape)}. Use it for Dense-like kernels, or use Orthogonal."
            )
        dtype = standardize_dtype(dtype)
        return self.gain * jnp.eye(*shape, dtype=dtype)

    def get_config(self) -> dict:
        return {} if self.gain == 1.0 else {"gain": self.gain}
