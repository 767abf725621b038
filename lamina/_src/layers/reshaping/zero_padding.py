"""`ZeroPadding1D/2D/3D`: add rows/columns of zeros around the spatial axes."""

import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.reshaping._arguments import axis_pairs, int_tuple, spatial_axes
from lamina._src.saving import registry


class _ZeroPadding(Layer):
    """Pads each spatial axis with `padding[i] = (before, after)` zeros."""

    _n = None  # the number of spatial axes

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if self._n == 1:
            self.padding = int_tuple(self, padding, 2, "padding", allow_zero=True)
        else:
            self.padding = axis_pairs(self, padding, self._n, "padding")
        self.input_spec = InputSpec(ndim=self._n + 2)
        self.built = True

    def _pairs(self):
        return (self.padding,) if self._n == 1 else self.padding

    def call(self, inputs):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(spatial_axes(self.data_format, self._n), self._pairs()):
            widths[axis] = pair
        return jnp.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._n), self._pairs()):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


@registry.register("layers")
class ZeroPadding1D(_ZeroPadding):
    """Adds zeros at the start and end of the steps axis.

    Args:
        padding: an int (both ends) or `(before, after)`.
        data_format: `"channels_last"` `(batch, steps, features)` or `"channels_first"`
            `(batch, features, steps)`; default `image_data_format()`.

    Output shape: steps + before + after.
    """

    _n = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


@registry.register("layers")
class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around images.

    Args:
        padding: an int (every side), `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` `(batch, rows, cols, channels)` or `"channels_first"`;
            default `image_data_format()`.

    Output shape: rows + top + bottom, cols + left + right.
    """

    _n = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


@registry.register("layers")
class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around the three spatial axes of volumes.

    Args:
        padding: an int (every side), 3 ints (symmetric per axis), or 3 `(before, after)` pairs.
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or `"channels_first"`;
            default `image_data_format()`.

    Output shape: each spatial size + before + after.
    """

    _n = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)
