"""`UnitNormalization`: scale each sample to unit L2 norm along some axes."""

import jax
import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.layers.normalization.layer_normalization import check_axes_in_bounds
from lamina._src.saving import registry

# Keras's floor on the norm: norms below it count as it, so zero vectors stay zero.
_EPSILON = 1e-12


@registry.register("layers")
class UnitNormalization(Layer):
    """`y = x / max(||x||_2, 1e-12)`, the L2 norm taken over `axis` of each sample.

    Args:
        axis: an int or a list of ints (default -1).

    Input shape: any. Output shape: the input's. No weights.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple) and all(isinstance(a, int) for a in axis):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(
                f"UnitNormalization '{self.name}': axis must be an int or a list/tuple of ints, "
                f"received axis={axis!r}."
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(inputs), axis=axis, keepdims=True))
        return inputs * jnp.minimum(inv_norm, 1.0 / _EPSILON)

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, self.axis if isinstance(self.axis, list) else [self.axis],
                             input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
