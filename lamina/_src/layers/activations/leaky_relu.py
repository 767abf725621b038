"""`LeakyReLU`: `x` for x >= 0, `negative_slope * x` otherwise."""

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class LeakyReLU(Layer):
    """Leaky rectified linear unit.

    Args:
        negative_slope: the slope below zero (default 0.3). tf.keras 2's name `alpha` is accepted.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                f"LeakyReLU '{self.name}': negative_slope must be a number >= 0, received "
                f"negative_slope={negative_slope!r}."
            )
        self.negative_slope = float(negative_slope)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return jnp.where(inputs >= 0, inputs, inputs * jnp.asarray(self.negative_slope, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
