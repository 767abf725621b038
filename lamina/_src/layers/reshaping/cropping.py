"""`Cropping1D/2D/3D`: remove rows/columns from the edges of the spatial axes."""

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.reshaping._arguments import axis_pairs, int_tuple, spatial_axes
from lamina._src.saving import registry


class _Cropping(Layer):
    """Removes `cropping[i] = (before, after)` entries from each spatial axis."""

    _n = None  # the number of spatial axes

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if self._n == 1:
            self.cropping = int_tuple(self, cropping, 2, "cropping", allow_zero=True)
        else:
            self.cropping = axis_pairs(self, cropping, self._n, "cropping")
        self.input_spec = InputSpec(ndim=self._n + 2)
        self.built = True

    def _pairs(self):
        return (self.cropping,) if self._n == 1 else self.cropping

    def _cropped_shape(self, shape):
        shape = list(shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._n), self._pairs()):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': cropping={self.cropping} must leave "
                    f"something of each spatial axis, but axis {axis} of input shape "
                    f"{tuple(shape)} has size {shape[axis]}."
                )
            shape[axis] -= before + after
        return tuple(shape)

    def call(self, inputs):
        self._cropped_shape(inputs.shape)
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(spatial_axes(self.data_format, self._n), self._pairs()):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        return self._cropped_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


@registry.register("layers")
class Cropping1D(_Cropping):
    """Crops the steps axis of `(batch, steps, features)` inputs.

    Args:
        cropping: an int (both ends) or `(start, end)`: how many steps to remove.

    Output shape: `(batch, steps - start - end, features)`.
    """

    _n = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, data_format="channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["data_format"]
        return config


@registry.register("layers")
class Cropping2D(_Cropping):
    """Crops the rows and columns of images.

    Args:
        cropping: an int (every side), `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` `(batch, rows, cols, channels)` or `"channels_first"`;
            default `image_data_format()`.

    Output shape: rows - top - bottom, cols - left - right.
    """

    _n = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


@registry.register("layers")
class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: an int (every side), 3 ints (symmetric per axis), or 3 `(before, after)` pairs.
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or `"channels_first"`;
            default `image_data_format()`.

    Output shape: each spatial size - before - after.
    """

    _n = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)
