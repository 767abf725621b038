"""`RepeatVector`: repeat each sample's vector `n` times along a new time axis."""

import jax.numpy as jnp

from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class RepeatVector(Layer):
    """`(batch, features) -> (batch, n, features)`, e.g. to feed an encoder's vector to every
    step of a decoder RNN.

    Args:
        n: the number of repetitions, a positive int.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"RepeatVector '{self.name}': n must be an int, received n={n!r}.")
        if n <= 0:
            raise ValueError(f"RepeatVector '{self.name}': n must be positive, received n={n}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return jnp.repeat(inputs[:, None, :], self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
