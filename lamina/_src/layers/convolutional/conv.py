"""`Conv1D`, `Conv2D`, `Conv3D`: `BaseConv` at ranks 1, 2 and 3, with Keras's signatures."""

from lamina._src.layers.convolutional.base_conv import BaseConv
from lamina._src.saving import registry


@registry.register("layers", "Convolution1D")
class Conv1D(BaseConv):
    """1D convolution over `(batch, steps, channels)` (temporal convolution).

    `padding="causal"` pads `dilation_rate * (kernel_size - 1)` zeros before the sequence and
    none after, so output step `t` depends only on inputs up to `t` (WaveNet-style models).
    Kernel shape: `(kernel_size, channels // groups, filters)`. See `BaseConv` for the arguments.

    Example:
        >>> layer = Conv1D(8, 3, padding="causal")  # (batch, 40, 4) -> (batch, 40, 8)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


@registry.register("layers", "Convolution2D")
class Conv2D(BaseConv):
    """2D convolution over images `(batch, height, width, channels)`.

    Kernel shape: `(kh, kw, channels // groups, filters)`. See `BaseConv` for the arguments.

    Example:
        >>> layer = Conv2D(32, 3, activation="relu")  # (batch, 16, 16, 3) -> (batch, 14, 14, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


@registry.register("layers", "Convolution3D")
class Conv3D(BaseConv):
    """3D convolution over volumes `(batch, depth, height, width, channels)`.

    Kernel shape: `(kd, kh, kw, channels // groups, filters)`. See `BaseConv` for the arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
