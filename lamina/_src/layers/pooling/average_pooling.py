"""`AveragePooling1D`, `AveragePooling2D`, `AveragePooling3D` (and the `AvgPool*D` aliases)."""

from lamina._src.layers.pooling.base_pooling import BasePooling
from lamina._src.saving import registry


@registry.register("layers", "AvgPool1D")
class AveragePooling1D(BasePooling):
    """The mean over each window of a 1D input.

    With `padding="same"` each average is over the window's real (unpadded) elements only.

    Args:
        pool_size: an int or a 1-tuple, the window size.
        strides: an int or a 1-tuple (default: `pool_size`).
        padding: `"valid"` or `"same"` (averages count only the real elements).
        data_format: `"channels_last"` `(batch, steps, channels)` or
            `"channels_first"` `(batch, channels, steps)`.
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


@registry.register("layers", "AvgPool2D")
class AveragePooling2D(BasePooling):
    """The mean over each window of a 2D input.

    With `padding="same"` each average is over the window's real (unpadded) elements only.

    Args:
        pool_size: an int or a tuple of 2 ints, the window size.
        strides: an int or a tuple of 2 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (averages count only the real elements).
        data_format: `"channels_last"` `(batch, height, width, channels)` or
            `"channels_first"` `(batch, channels, height, width)`.
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


@registry.register("layers", "AvgPool3D")
class AveragePooling3D(BasePooling):
    """The mean over each window of a 3D input.

    With `padding="same"` each average is over the window's real (unpadded) elements only.

    Args:
        pool_size: an int or a tuple of 3 ints, the window size.
        strides: an int or a tuple of 3 ints (default: `pool_size`).
        padding: `"valid"` or `"same"` (averages count only the real elements).
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or
            `"channels_first"` `(batch, channels, d1, d2, d3)`.
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
