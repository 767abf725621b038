"""`UpSampling3D`: enlarge volumes by repeating voxels."""

import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.reshaping._arguments import int_tuple, spatial_axes
from lamina._src.saving import registry


@registry.register("layers")
class UpSampling3D(Layer):
    """Repeats each voxel `size[0]`, `size[1]`, `size[2]` times along the three spatial axes.

    Args:
        size: an int or 3 ints, the factors.
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or `"channels_first"`
            `(batch, channels, d1, d2, d3)`; default `image_data_format()`.

    Output shape: the spatial sizes multiplied by `size`.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = int_tuple(self, size, 3, "size")
        self.input_spec = InputSpec(ndim=5)
        self.built = True

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            inputs = jnp.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
