"""`BaseSeparableConv`: depthwise then pointwise convolution (`SeparableConv1D`/`2D`)."""

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional import conv_ops, depthwise_taps, matmul_conv
from lamina._src.layers.convolutional.base_depthwise_conv import check_depth_multiplier
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


class BaseSeparableConv(Layer):
    """A depthwise-separable convolution: a depthwise convolution (each input channel with its
    own `depth_multiplier` filters, see `BaseDepthwiseConv`) followed by a 1x1 convolution that
    mixes the `in_channels * depth_multiplier` results into `filters` outputs, then the bias and
    activation. Far fewer weights than a full convolution of the same window.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        depth_multiplier: depthwise outputs per input channel.
        filters: the number of output channels.
        kernel_size, strides, padding ("valid" / "same"), data_format, dilation_rate,
            activation, use_bias: as in `BaseConv` (they apply to the depthwise step).
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: projections.

    Weights, in order: `depthwise_kernel` `(*kernel_size, in_channels, depth_multiplier)`,
    `pointwise_kernel` `(1, ..., 1, in_channels * depth_multiplier, filters)`, `bias`
    `(filters,)`.
    """

    # Slow inside XLA CPU loops (see Layer._fast_in_loops) unless `build` finds that both
    # halves avoid XLA's convolution gradients (`depthwise_taps`, `matmul_conv`).
    _fast_in_loops = False
    _forward_fast_in_loops = False  # the pointwise half's forward pass is `lax.conv`

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        self.depth_multiplier = check_depth_multiplier(depth_multiplier, where)
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{where}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        shape = check_rank(input_shape, self.rank, f"{type(self).__name__} '{self.name}'")
        channels = split_shape(shape, self.data_format)[2]
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel dimension of the inputs "
                f"({self.data_format}) must be known, received input shape {shape}."
            )
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={channel_axis(self.data_format): channels})
        # Both rules need channels last, where the pointwise half's input is this shape:
        pointwise_input = (*self.compute_output_shape(input_shape)[:-1],
                           channels * self.depth_multiplier)
        self._fast_in_loops = (
            depthwise_taps.applies(self.depthwise_kernel.shape, self.data_format)
            and matmul_conv.applies(pointwise_input, self.pointwise_kernel.shape,
                                    self.data_format, 1))

    def call(self, inputs):
        depthwise = conv_ops.depthwise_conv(inputs, self.depthwise_kernel.value, self.strides,
                                            self.padding, self.dilation_rate, self.data_format)
        ones = (1,) * self.rank
        outputs = conv_ops.conv(depthwise, self.pointwise_kernel.value, ones, "valid", ones,
                                self.data_format)
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias.value, self.data_format)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        shape = check_rank(input_shape, self.rank, f"{type(self).__name__} '{self.name}'")
        batch, spatial, _ = split_shape(shape, self.data_format)
        out = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the output would be empty (spatial size "
                f"{out}) for input shape {tuple(input_shape)} with kernel_size="
                f"{self.kernel_size}, strides={self.strides}, dilation_rate={self.dilation_rate} "
                f"and padding='{self.padding}'. Use a larger input or padding='same'."
            )
        return join_shape(batch, out, self.filters, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialize_keras_object(self.depthwise_initializer),
            "pointwise_initializer": serialize_keras_object(self.pointwise_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "depthwise_regularizer": serialize_keras_object(self.depthwise_regularizer),
            "pointwise_regularizer": serialize_keras_object(self.pointwise_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "depthwise_constraint": serialize_keras_object(self.depthwise_constraint),
            "pointwise_constraint": serialize_keras_object(self.pointwise_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        })
        return config
