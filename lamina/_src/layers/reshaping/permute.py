"""`Permute`: reorder the non-batch axes."""

import jax.numpy as jnp

from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class Permute(Layer):
    """Permutes the non-batch axes: `Permute((2, 1))` turns `(batch, a, b)` into `(batch, b, a)`.

    Args:
        dims: a permutation of `1..rank-1` (the batch axis 0 never moves).

    Input shape: `(batch, d1, ..., dn)` with `n = len(dims)`. Output shape:
    `(batch, d[dims[0]], ..., d[dims[n-1]])`.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute '{self.name}': dims must be a permutation of 1..{len(self.dims)} (the "
                f"batch axis 0 cannot move), received dims={dims!r}."
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return jnp.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
