"""`BaseDepthwiseConv`: the per-channel convolution of `DepthwiseConv1D` and `DepthwiseConv2D`."""

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional import conv_ops, depthwise_taps
from lamina._src.layers.convolutional.conv_utils import (
    channel_axis,
    check_rank,
    conv_output_length,
    join_shape,
    split_shape,
    standardize_padding,
    standardize_tuple,
)
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving.serialization import serialize_keras_object


def check_depth_multiplier(depth_multiplier, where: str) -> int:
    if (not isinstance(depth_multiplier, int) or isinstance(depth_multiplier, bool)
            or depth_multiplier <= 0):
        raise ValueError(f"{where}: `depth_multiplier` must be a positive integer, received "
                         f"depth_multiplier={depth_multiplier!r}.")
    return depth_multiplier


class BaseDepthwiseConv(Layer):
    """A depthwise convolution: each input channel `c` is convolved with its own
    `depth_multiplier` filters, giving output channel `c * depth_multiplier + m`:
    `out[o, c * M + m] = sum_i x[o * s + i * d - pad, c] * kernel[i, c, m] + bias[c * M + m]`.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        depth_multiplier: output channels per input channel.
        kernel_size, strides, padding ("valid" / "same"), data_format, dilation_rate,
            activation, use_bias: as in `BaseConv` (strides and dilation may both exceed 1).
        depthwise_initializer, bias_initializer: initializers (glorot_uniform / zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties.
        depthwise_constraint, bias_constraint: projections applied after each update.

    Weights: `kernel` of shape `(*kernel_size, in_channels, depth_multiplier)`, then `bias` of
    shape `(in_channels * depth_multiplier,)`.
    """

    # Slow inside XLA CPU loops (see Layer._fast_in_loops) unless `build` finds that it runs
    # as `depthwise_taps`, as fast in loops as at top level.
    _fast_in_loops = False

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        # tf.keras 2 wrote `"groups": 1` into depthwise configs; it means nothing here.
        if kwargs.get("groups", None) == 1:
            kwargs.pop("groups")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        self.depth_multiplier = check_depth_multiplier(depth_multiplier, where)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _input_channels(self, input_shape) -> int:
        shape = check_rank(input_shape, self.rank, f"{type(self).__name__} '{self.name}'")
        channels = split_shape(shape, self.data_format)[2]
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel dimension of the inputs "
                f"({self.data_format}) must be known, received input shape {shape}."
            )
        return channels

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(channels * self.depth_multiplier,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={channel_axis(self.data_format): channels})
        self._fast_in_loops = depthwise_taps.applies(self.kernel.shape, self.data_format)

    def call(self, inputs):
        outputs = conv_ops.depthwise_conv(inputs, self.kernel.value, self.strides, self.padding,
                                          self.dilation_rate, self.data_format)
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias.value, self.data_format)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        shape = check_rank(input_shape, self.rank, f"{type(self).__name__} '{self.name}'")
        batch, spatial, channels = split_shape(shape, self.data_format)
        out = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the output would be empty (spatial size "
                f"{out}) for input shape {tuple(input_shape)} with kernel_size="
                f"{self.kernel_size}, strides={self.strides}, dilation_rate={self.dilation_rate} "
                f"and padding='{self.padding}'. Use a larger input or padding='same'."
            )
        filters = None if channels is None else channels * self.depth_multiplier
        return join_shape(batch, out, filters, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialize_keras_object(self.depthwise_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "depthwise_regularizer": serialize_keras_object(self.depthwise_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "depthwise_constraint": serialize_keras_object(self.depthwise_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        })
        return config
