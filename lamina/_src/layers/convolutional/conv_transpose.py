"""`Conv1DTranspose`, `Conv2DTranspose`, `Conv3DTranspose`: `BaseConvTranspose` at ranks 1-3."""

from lamina._src.layers.convolutional.base_conv_transpose import BaseConvTranspose
from lamina._src.saving import registry


@registry.register("layers", "Convolution1DTranspose")
class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution: `(batch, steps, channels) -> (batch, new_steps, filters)`.

    Kernel shape: `(kernel_size, filters, channels)`. See `BaseConvTranspose` for the arguments
    and the output-length rules.

    Example:
        >>> layer = Conv1DTranspose(4, 3, strides=2, padding="same")  # 10 steps -> 20 steps
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


@registry.register("layers", "Convolution2DTranspose")
class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (upsampling an image with learned filters).

    Kernel shape: `(kh, kw, filters, channels)`. See `BaseConvTranspose` for the arguments and
    the output-size rules.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


@registry.register("layers", "Convolution3DTranspose")
class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution over volumes.

    Kernel shape: `(kd, kh, kw, filters, channels)`. Note that, as in Keras, `data_format` comes
    before `output_padding` in this class's positional arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
