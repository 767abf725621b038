"""`Flatten`: collapse every axis but the batch axis."""

import math

import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class Flatten(Layer):
    """`(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)`, row-major over channels_last axes.

    Args:
        data_format: `"channels_first"` inputs are moved to channels_last before flattening, so
            the element order matches a channels_last model's.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = jnp.moveaxis(inputs, 1, -1)
        return jnp.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
