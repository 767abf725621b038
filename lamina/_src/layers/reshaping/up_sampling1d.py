"""`UpSampling1D`: repeat each timestep `size` times."""

import jax.numpy as jnp

from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class UpSampling1D(Layer):
    """Repeats each step of a sequence `size` times: `[a, b] -> [a, a, b, b]` for `size=2`.

    Args:
        size: the repetition factor, a positive int.

    Input shape: `(batch, steps, features)`. Output shape: `(batch, steps * size, features)`.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"UpSampling1D '{self.name}': size must be an int, received {size!r}.")
        if size <= 0:
            raise ValueError(f"UpSampling1D '{self.name}': size must be positive, received {size}.")
        self.size = size
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs):
        return jnp.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
