"""`MaxPooling1D`, `MaxPooling2D`, `MaxPooling3D` (and the `MaxPool*D` aliases)."""

from lamina._src.layers.pooling.base_pooling import BasePooling
from lamina._src.saving import registry


@registry.register("layers", "MaxPool1D")
class MaxPooling1D(BasePooling):
    """The maximum over each window of a 1D input.

    Args:
        pool_size: an int or a 1-tuple, the window size (default 2).
        strides: an int or a 1-tuple (default: `pool_size`).
        padding: `"valid"` or `"same"` (padding is never the maximum).
        data_format: `"channels_last"` `(batch, steps, channels)` or
            `"channels_first"` `(batch, channels, steps)`.
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


@registry.register("layers", "MaxPool2D")
class MaxPooling2D(BasePooling):
    """The maximum over each window of a 2D input.

    Args:
        pool_size: an int or a tuple of 2 ints, the window size (default (2, 2)).
        strides: an int or a tuple of 2 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (padding is never the maximum).
        data_format: `"channels_last"` `(batch, height, width, channels)` or
            `"channels_first"` `(batch, channels, height, width)`.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


@registry.register("layers", "MaxPool3D")
class MaxPooling3D(BasePooling):
    """The maximum over each window of a 3D input.

    Args:
        pool_size: an int or a tuple of 3 ints, the window size (default (2, 2, 2)).
        strides: an int or a tuple of 3 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (padding is never the maximum).
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or
            `"channels_first"` `(batch, channels, d1, d2, d3)`.
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
