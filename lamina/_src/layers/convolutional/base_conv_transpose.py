"""`BaseConvTranspose`: the transposed convolution behind `Conv1DTranspose` to `Conv3DTranspose`."""

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional import conv_ops
from lamina._src.layers.convolutional.conv_utils import (
    channel_axis,
    check_rank,
    conv_transpose_output_length,
    join_shape,
    split_shape,
    standardize_padding,
    standardize_tuple,
)
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving.serialization import serialize_keras_object


class BaseConvTranspose(Layer):
    """A transposed ("deconvolution") N-D convolution: the gradient of a convolution with respect
    to its input, so each input position scatters `kernel`-weighted copies `strides` apart.

    Output length per spatial axis, with `K = (kernel_size - 1) * dilation_rate + 1`:

    * `padding="valid"`: `(L - 1) * strides + K + output_padding`, where `output_padding`
      defaults to `max(K, strides) - K`;
    * `padding="same"`: `L * strides`, or `(L - 1) * strides + K % 2 + output_padding` when
      `output_padding` is given.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size: an int or a tuple of `rank` ints.
        strides: an int or a tuple of `rank` ints (default 1).
        padding: `"valid"` or `"same"`.
        output_padding: an int or a tuple of `rank` ints, each `< strides`: extra rows added at
            the end of each spatial axis to pick one of the input sizes a strided convolution
            maps to the same output size (default: None, see above).
        data_format: `"channels_last"` or `"channels_first"` (default: the global setting).
        dilation_rate: an int or a tuple of `rank` ints; > 1 is incompatible with strides > 1.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in
            `BaseConv`.

    Weights: `kernel` of shape `(*kernel_size, filters, in_channels)` (note the order, Keras's
    and TensorFlow's), then `bias` of shape `(filters,)`.
    """

    # XLA CPU runs `lax.conv_transpose` and its gradients slowly inside loops of steps (see
    # Layer._fast_in_loops). Its matmul-form gradient (`conv_ops.conv_transpose`) would not
    # be, but the models measured train faster one step per call all the same: the bench
    # autoencoder's first epoch 1.64-1.76 s against 2.11-2.17 looped (a longer compile, and
    # its other convolutions' matmul forms), later epochs 0.56-0.66 s against 0.68-0.77.
    _fast_in_loops = False

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{where}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(output_padding, rank, "output_padding", where,
                                                    allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(
                    f"{where}: each entry of `output_padding` must be smaller than the matching "
                    f"stride, received output_padding={self.output_padding} and "
                    f"strides={self.strides}."
                )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{where}: `strides > 1` cannot be combined with `dilation_rate > 1`, received "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}."
            )
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
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
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={channel_axis(self.data_format): channels})

    def call(self, inputs):
        outputs = conv_ops.conv_transpose(inputs, self.kernel.value, self.strides, self.padding,
                                          self.output_padding, self.dilation_rate,
                                          self.data_format)
        if self.bias is not None:
            outputs = conv_ops.bias_add(outputs, self.bias.value, self.data_format)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        shape = check_rank(input_shape, self.rank, f"{type(self).__name__} '{self.name}'")
        batch, spatial, _ = split_shape(shape, self.data_format)
        output_padding = self.output_padding or (None,) * self.rank
        out = tuple(conv_transpose_output_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                    zip(spatial, self.kernel_size, self.strides, output_padding,
                        self.dilation_rate))
        return join_shape(batch, out, self.filters, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        })
        return config
