"""The convolutions themselves, as pure JAX functions of arrays (no Variables, no layers).

Kernels use Keras's layouts whatever the data format:

* convolution: `(*kernel_size, in_channels // groups, filters)`;
* transposed convolution: `(*kernel_size, filters, in_channels)`;
* depthwise: `(*kernel_size, in_channels, depth_multiplier)`, output channel
  `c * depth_multiplier + m` being input channel `c` through multiplier `m`.
"""

import jax.numpy as jnp
from jax import lax

from lamina._src.backend import autodiff
from lamina._src.layers.convolutional import depthwise_taps, matmul_conv
from lamina._src.layers.convolutional.conv_utils import (
    conv_transpose_output_length,
    conv_transpose_padding,
    dimension_numbers,
)


def _lax_padding(padding: str, kernel_size, dilation_rate):
    if padding == "causal":  # all of the dilated kernel's overhang on the left, none on the right
        return [((k - 1) * d, 0) for k, d in zip(kernel_size, dilation_rate)]
    return padding.upper()


def conv(inputs, kernel, strides, padding: str, dilation_rate, data_format: str, groups: int = 1):
    """An N-D (grouped, dilated) convolution: `padding` is "valid", "same" or "causal".

    Channels-last convolutions (up to `matmul_conv.MAX_GROUPS` groups) whose patches are
    small enough differentiate through `matmul_conv` (same values; a gradient XLA's CPU
    backend runs much faster), with its reverse-mode-only rule inside a training step
    (`autodiff.reverse_mode_only`). Outside loops of steps (`autodiff.step_loop`), only where
    that form is the faster there too.
    """
    rank = inputs.ndim - 2
    if matmul_conv.applies(inputs.shape, kernel.shape, data_format, groups,
                           looped=autodiff.is_in_step_loop()):
        pads = matmul_conv.padding_amounts(inputs.shape[1:-1], kernel.shape[:rank], strides,
                                           padding, dilation_rate)
        if autodiff.is_concrete(inputs, kernel):
            fn = matmul_conv.lax_conv  # eager: what the rules' primal computes
        elif autodiff.is_reverse_mode_only():
            fn = matmul_conv.conv_reverse
        else:
            fn = matmul_conv.conv
        return fn(inputs.astype(kernel.dtype), kernel, tuple(strides), tuple(dilation_rate), pads,
                  groups)
    return lax.conv_general_dilated(
        inputs.astype(kernel.dtype), kernel, window_strides=tuple(strides),
        padding=_lax_padding(padding, kernel.shape[:rank], dilation_rate),
        rhs_dilation=tuple(dilation_rate), dimension_numbers=dimension_numbers(rank, data_format),
        feature_group_count=groups)


def depthwise_conv(inputs, kernel, strides, padding: str, dilation_rate, data_format: str):
    """Each input channel convolved with its own `depth_multiplier` filters.

    Traced channels-last ones run as `depthwise_taps` where it applies (a sum of shifted
    slices, far faster on XLA CPU than its grouped convolution), with its reverse-mode-only
    rule inside a training step. Eager calls keep the grouped convolution: one dispatch
    rather than one per tap (`model(x)` on one sample of the bench's mobile model: 6.5 ms
    against 11.5).
    """
    rank = inputs.ndim - 2
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    inputs = inputs.astype(kernel.dtype)
    if (depthwise_taps.applies(kernel.shape, data_format)
            and not autodiff.is_concrete(inputs, kernel)):
        pads = matmul_conv.padding_amounts(inputs.shape[1:-1], kernel.shape[:rank], strides,
                                           padding, dilation_rate)
        fn = (depthwise_taps.depthwise_conv_reverse if autodiff.is_reverse_mode_only()
              else depthwise_taps.depthwise_conv)
        return fn(inputs, kernel, tuple(strides), tuple(dilation_rate), pads)
    grouped = jnp.reshape(kernel, (*kernel.shape[:rank], 1, channels * multiplier))
    return conv(inputs, grouped, strides, padding, dilation_rate, data_format, groups=channels)


def conv_transpose(inputs, kernel, strides, padding: str, output_padding, dilation_rate,
                   data_format: str):
    """The gradient of a convolution with respect to its input, with Keras's output sizes.

    Inside training steps (`autodiff.reverse_mode_only`), channels-last ones differentiate
    through `matmul_conv.conv_transpose_reverse` where `matmul_conv.transpose_applies`.
    """
    rank = inputs.ndim - 2
    kernel_size = kernel.shape[:rank]
    output_padding = (None,) * rank if output_padding is None else output_padding
    pads = tuple(conv_transpose_padding(k, s, padding, p, d)
                 for k, s, p, d in zip(kernel_size, strides, output_padding, dilation_rate))
    inputs = inputs.astype(kernel.dtype)
    if (data_format == "channels_last" and autodiff.is_reverse_mode_only()
            and not autodiff.is_concrete(inputs, kernel)):
        spatial = [conv_transpose_output_length(n, k, s, padding, p, d) for n, k, s, p, d in
                   zip(inputs.shape[1:-1], kernel_size, strides, output_padding, dilation_rate)]
        if matmul_conv.transpose_applies((inputs.shape[0], *spatial, kernel.shape[-2]),
                                         kernel.shape, strides, data_format,
                                         looped=autodiff.is_in_step_loop()):
            return matmul_conv.conv_transpose_reverse(inputs, kernel, tuple(strides),
                                                      tuple(dilation_rate), pads)
    return lax.conv_transpose(
        inputs, kernel, strides=tuple(strides), padding=pads,
        rhs_dilation=tuple(dilation_rate), dimension_numbers=dimension_numbers(rank, data_format),
        transpose_kernel=True)


def bias_add(outputs, bias, data_format: str):
    """Add a per-channel bias along the channel axis of `data_format`."""
    if data_format == "channels_last":
        return outputs + bias
    return outputs + jnp.reshape(bias, (bias.shape[0],) + (1,) * (outputs.ndim - 2))
