"""`BaseConv`: the N-D convolution behind `Conv1D`, `Conv2D` and `Conv3D`."""

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional import conv_ops, matmul_conv
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


class BaseConv(Layer):
    """An N-D convolution: `activation(conv(inputs, kernel) + bias)`.

    For each output position `o` and filter `f` (channels_last, one spatial axis shown):
    `out[o, f] = sum_{i, c} x[o * s + i * d - pad, c] * kernel[i, c, f] + bias[f]`, where the sum
    over `c` runs over the `in_channels // groups` channels of filter `f`'s group.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size: an int or a tuple of `rank` ints, the window size.
        strides: an int or a tuple of `rank` ints (default 1). Strides > 1 cannot be combined
            with a dilation rate > 1.
        padding: `"valid"` (no padding), `"same"` (output length `ceil(L / stride)`, zeros
            split as evenly as possible, the extra one after) or, for rank 1, `"causal"` (all
            padding before, so `out[t]` sees no input after `t`).
        data_format: `"channels_last"` (`(batch, *spatial, channels)`) or `"channels_first"`
            (`(batch, channels, *spatial)`); by default `keras.config.image_data_format()`.
        dilation_rate: an int or a tuple of `rank` ints, the spacing between kernel taps.
        groups: split the input channels into this many groups, each convolved with
            `filters // groups` filters; both `filters` and the input channels must divide.
        activation: applied to the output (default: none).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (default glorot_uniform / zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    Weights: `kernel` of shape `(*kernel_size, in_channels // groups, filters)`, then `bias` of
    shape `(filters,)`.

    Input shape: `(batch, *spatial, channels)` (or channels first). Output shape:
    `(batch, *new_spatial, filters)`, each new spatial size given by `conv_output_length`.
    """

    # Slow inside XLA CPU loops (see Layer._fast_in_loops) unless `build` finds that the
    # gradient takes the matmul form, which runs as fast in loops as at top level.
    _fast_in_loops = False
    _forward_fast_in_loops = False  # the forward pass is `lax.conv` either way

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if lora_rank:
            raise NotImplementedError(
                f"{where}: LoRA (lora_rank={lora_rank!r}) is not supported on convolution layers "
                "in lamina; remove `lora_rank` (and `lora_alpha`)."
            )
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{where}: `filters` must be a positive integer, received "
                             f"filters={filters!r}.")
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{where}: `groups` must be a positive integer, received "
                             f"groups={groups!r}.")
        if filters % groups:
            raise ValueError(f"{where}: `filters` must be divisible by `groups`, received "
                             f"filters={filters} and groups={groups}.")
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{where}: `strides > 1` cannot be combined with `dilation_rate > 1`, received "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}."
            )
        self.padding = standardize_padding(padding, where, allow_causal=rank == 1)
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
        if channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the number of input channels must be "
                f"divisible by `groups`, received groups={self.groups} and {channels} input "
                f"channels (input shape {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)  # rejects inputs too small for the kernel
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, channels // self.groups, self.filters),
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
        self._fast_in_loops = matmul_conv.applies(tuple(input_shape), self.kernel.shape,
                                                  self.data_format, self.groups)

    def call(self, inputs):
        outputs = conv_ops.conv(inputs, self.kernel.value, self.strides, self.padding,
                                self.dilation_rate, self.data_format, self.groups)
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
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
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
