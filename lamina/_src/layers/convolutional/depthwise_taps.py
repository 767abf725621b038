"""Depthwise convolution as a sum over the window's taps of shifted slices times the kernel.

XLA's CPU backend runs a depthwise convolution (a convolution with one group per input
channel) very slowly, its gradients slower still, and several times slower again inside a
loop of training steps (jax-ml/jax#12868). Each output is a per-channel weighted sum of
`prod(kernel_size)` input positions, so it is also `sum over taps (slice of x) * kernel[tap]`:
elementwise products XLA fuses into one pass over the input. 3x3, 64x32x32, 32 channels,
(2026-12-05): the forward pass 1.2 ms against `lax.conv`'s 55; a training step of the layer
with a normalization and a ReLU after it 25 ms against 148, and 17 against 2100 inside a loop
of steps.

The reverse-mode rule (`depthwise_conv_reverse`, for training steps) writes the two
gradients itself. The input gradient is the transpose of the taps' slices (pads and adds).
The kernel gradient sums `slice * g` over the batch and positions per tap; as one reduction
per tap, XLA CPU materializes every product for a library reduction, 15x slower than the one
variadic reduction over all taps written here, which it fuses with the products. Both read the
output gradient once per tap, and XLA fuses the elementwise operations that make it (a
normalization's and an activation's gradients) into every one of those reads: the rule first
stores it (`_stored`).
"""

import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from lamina._src.layers.convolutional.matmul_conv import window_taps

MAX_TAPS = 49  # up to 7x7 windows: the fused sums grow with the taps, and so does compiling


def applies(kernel_shape, data_format: str) -> bool:
    """Whether `depthwise_conv` serves a depthwise kernel `(*kernel_size, channels, multiplier)`.

    Only on the CPU backend (GPUs and TPUs have fast grouped convolutions), channels-last.
    """
    return (jax.default_backend() == "cpu" and data_format == "channels_last"
            and math.prod(kernel_shape[:-2]) <= MAX_TAPS)


def _times(tap, weights):
    """`tap` (`(..., channels)`) times `weights` (`(channels, multiplier)`), channel-major."""
    if weights.shape[-1] == 1:
        return tap * weights[:, 0]
    return tap[..., None] * weights  # reshaped to `channels * multiplier` by the caller


def depthwise_conv(x, kernel, strides: tuple, dilation_rate: tuple, pads):
    """A channels-last depthwise convolution; `pads` as `matmul_conv.padding_amounts`.

    Output channel `c * multiplier + m` is input channel `c` through `kernel[..., c, m]`.
    Plain JAX operations: every transformation differentiates it.
    """
    out = None
    for offsets, tap in window_taps(x, kernel.shape[:-2], strides, dilation_rate, pads):
        term = _times(tap, kernel[offsets])
        out = term if out is None else out + term
    return out.reshape(*out.shape[:x.ndim - 1], -1)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def depthwise_conv_reverse(x, kernel, strides: tuple, dilation_rate: tuple, pads):
    """`depthwise_conv` with a reverse-mode-only rule (`jax.jvp` of it raises): for training
    steps."""
    return depthwise_conv(x, kernel, strides, dilation_rate, pads)


def _reverse_forward(x, kernel, strides, dilation_rate, pads):
    return depthwise_conv(x, kernel, strides, dilation_rate, pads), (x, kernel)


def _stored(v):
    """`v`, computed once into memory rather than fused into each of its consumers.

    `lax.optimization_barrier` does not survive to XLA CPU's fusion; a conditional's operand
    does. Both branches return `v` (the second as `v * 1.0`, an exact identity, so that XLA
    cannot prove them equal and drop the conditional). The benchmark's MobileNet-style step,
    2026-12-06: 8.6-9.1 ms before, 6.3-6.5 ms after (2 paired runs each).
    """
    if v.size == 0:
        return v
    first = v.reshape(-1)[0]
    return lax.cond(first == first, lambda u: u, lambda u: u * jnp.ones((), u.dtype), v)


def _reverse_backward(strides, dilation_rate, pads, residuals, g):
    x, kernel = residuals
    rank = x.ndim - 2
    g = _stored(g)
    (x_grad,) = jax.linear_transpose(
        lambda v: depthwise_conv(v, kernel, strides, dilation_rate, pads),
        jax.ShapeDtypeStruct(x.shape, g.dtype))(g)
    g = g.reshape(*g.shape[:-1], *kernel.shape[-2:]) if kernel.shape[-1] > 1 else g
    products = tuple(tap[..., None] * g if kernel.shape[-1] > 1 else tap * g
                     for _, tap in window_taps(x, kernel.shape[:-2], strides, dilation_rate, pads))
    zeros = (jnp.zeros((), g.dtype),) * len(products)
    per_sample = lax.reduce(products, zeros,
                            lambda a, b: tuple(u + v for u, v in zip(a, b)),
                            tuple(range(1, rank + 1)))
    kernel_grad = jnp.sum(jnp.stack(per_sample), axis=1)  # taps first, row-major like the kernel
    return x_grad, kernel_grad.reshape(kernel.shape)


depthwise_conv_reverse.defvjp(_reverse_forward, _reverse_backward)
