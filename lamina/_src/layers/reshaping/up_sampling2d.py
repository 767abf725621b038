"""`UpSampling2D`: enlarge images by integer factors (repetition or interpolation)."""

import jax
import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.reshaping._arguments import int_tuple, spatial_axes
from lamina._src.saving import registry

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


@registry.register("layers")
class UpSampling2D(Layer):
    """Scales rows by `size[0]` and columns by `size[1]`.

    `"nearest"` repeats each pixel; the other interpolations resample with `jax.image.resize`
    (half-pixel centres, no antialiasing), as Keras's JAX backend does.

    Args:
        size: an int or 2 ints, the row and column factors.
        data_format: `"channels_last"` `(batch, rows, cols, channels)` or `"channels_first"`
            `(batch, channels, rows, cols)`; default `image_data_format()`.
        interpolation: one of "nearest", "bilinear", "bicubic", "lanczos3", "lanczos5".

    Output shape: rows and columns multiplied by `size`.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = int_tuple(self, size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D '{self.name}': interpolation must be one of {_INTERPOLATIONS}, "
                f"received interpolation={interpolation!r}."
            )
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        axes = spatial_axes(self.data_format, 2)
        if self.interpolation == "nearest":
            for axis, factor in zip(axes, self.size):
                inputs = jnp.repeat(inputs, factor, axis=axis)
            return inputs
        shape = list(inputs.shape)
        for axis, factor in zip(axes, self.size):
            shape[axis] *= factor
        return jax.image.resize(inputs, tuple(shape), method=self.interpolation, antialias=False)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, 2), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
