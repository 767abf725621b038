"""`SeparableConv1D`, `SeparableConv2D`: `BaseSeparableConv` at ranks 1 and 2."""

from lamina._src.layers.convolutional.base_separable_conv import BaseSeparableConv
from lamina._src.saving import registry


@registry.register("layers", "SeparableConvolution1D")
class SeparableConv1D(BaseSeparableConv):
    """1D depthwise-separable convolution: `(batch, steps, C) -> (batch, new_steps, filters)`.

    Weights: `depthwise_kernel` `(kernel_size, C, depth_multiplier)`, `pointwise_kernel`
    `(1, C * depth_multiplier, filters)`, `bias`. See `BaseSeparableConv` for the arguments.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, depth_multiplier, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


@registry.register("layers", "SeparableConvolution2D")
class SeparableConv2D(BaseSeparableConv):
    """2D depthwise-separable convolution (Xception-style).

    Weights: `depthwise_kernel` `(kh, kw, C, depth_multiplier)`, `pointwise_kernel`
    `(1, 1, C * depth_multiplier, filters)`, `bias`. See `BaseSeparableConv` for the arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
