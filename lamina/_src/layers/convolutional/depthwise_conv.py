"""`DepthwiseConv1D`, `DepthwiseConv2D`: `BaseDepthwiseConv` at ranks 1 and 2."""

from lamina._src.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from lamina._src.saving import registry


@registry.register("layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution: `(batch, steps, C) -> (batch, new_steps, C * depth_multiplier)`.

    Kernel shape: `(kernel_size, C, depth_multiplier)`. See `BaseDepthwiseConv` for the
    arguments.
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, depth_multiplier, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


@registry.register("layers")
class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution, the first half of a MobileNet block.

    `(batch, H, W, C) -> (batch, new_H, new_W, C * depth_multiplier)`; kernel shape
    `(kh, kw, C, depth_multiplier)`. See `BaseDepthwiseConv` for the arguments.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
