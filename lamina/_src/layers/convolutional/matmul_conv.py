"""Convolution with a fast gradient on CPU: the window taps as shifted slices, then one matmul.

XLA's CPU backend runs a convolution's forward pass well, but the two convolutions of its
gradient (with respect to the input and to the kernel) slowly, and all three several times
slower again inside a loop of training steps (jax-ml/jax#12868). The benchmark CNN's training
step at batch 128: 118 ms with `lax.conv_general_dilated`, 895 ms per step in a `fori_loop`.

Written as `prod(kernel_size)` strided slices of the (padded) input concatenated on the channel
axis ("im2col") and one matmul with the kernel reshaped to `(taps * in_channels, filters)`, the
same convolution differentiates into matmuls, slices and pads, which XLA runs fast at top level
and in loops alike: 80-90 ms per step, 64 ms in a loop. Its forward pass, though, is slower than
`lax.conv` (46 ms against 10 at batch 128), so `conv` below keeps `lax.conv` as the primal and
uses the matmul form only through its custom JVP, that is, only when differentiated. Values
agree with `lax.conv` to float rounding (the sums run in a different order).

The patches cost `prod(kernel_size)` times the input's memory while a gradient is taken, so the
matmul form is used only while they stay under `MAX_PATCH_ELEMENTS` per sample.
"""

import functools
import itertools
import math

import jax
import jax.numpy as jnp
from jax import lax

from lamina._src.layers.convolutional.conv_utils import dimension_numbers

MAX_PATCH_ELEMENTS = 2 ** 20  # per sample: 4 MiB of float32 patches

Pads = tuple[tuple[int, int], ...]


def padding_amounts(spatial, kernel_size, strides, padding: str, dilation_rate) -> Pads:
    """Per spatial axis, the `(before, after)` zeros of "valid", "same" or "causal" padding.

    "same" pads `(out - 1) * stride + span - length` in total (`out = ceil(length / stride)`),
    the extra one after, as XLA's "SAME" does; "causal" puts the whole span minus one before.
    """
    pads = []
    for length, k, s, d in zip(spatial, kernel_size, strides, dilation_rate):
        span = (k - 1) * d + 1
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((span - 1, 0))
        else:
            total = max((-(-length // s) - 1) * s + span - length, 0)
            pads.append((total // 2, total - total // 2))
    return tuple(pads)


def applies(input_shape, kernel_shape, data_format: str, groups: int) -> bool:
    """Whether `conv` takes its gradient through the matmul form for these static shapes.

    `input_shape` may have a `None` batch size; unknown spatial sizes rule the form out.
    """
    spatial = tuple(input_shape[1:-1])
    if data_format != "channels_last" or groups != 1 or any(n is None for n in spatial):
        return False
    taps, channels = math.prod(kernel_shape[:-2]), kernel_shape[-2]
    return math.prod(spatial) * taps * channels <= MAX_PATCH_ELEMENTS


def _patches(x, kernel_size, strides, dilation_rate, pads: Pads):
    """`(batch, *out_spatial, taps * channels)`: each output position's window, tap-major."""
    x = jnp.pad(x, ((0, 0), *pads, (0, 0)))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel_size, dilation_rate)]
    out = [(n - span) // s + 1 for n, span, s in zip(x.shape[1:-1], spans, strides)]
    taps = []
    for offsets in itertools.product(*(range(k) for k in kernel_size)):
        starts = [o * d for o, d in zip(offsets, dilation_rate)]
        limits = [start + (m - 1) * s + 1 for start, m, s in zip(starts, out, strides)]
        taps.append(lax.slice(x, (0, *starts, 0), (x.shape[0], *limits, x.shape[-1]),
                              (1, *strides, 1)))
    return jnp.concatenate(taps, axis=-1)


def _matmul_conv(x, kernel, strides, dilation_rate, pads: Pads):
    cols = _patches(x, kernel.shape[:-2], strides, dilation_rate, pads)
    return cols @ jnp.reshape(kernel, (-1, kernel.shape[-1]))


def _lax_conv(x, kernel, strides, dilation_rate, pads: Pads):
    return lax.conv_general_dilated(x, kernel, window_strides=strides, padding=pads,
                                    rhs_dilation=dilation_rate,
                                    dimension_numbers=dimension_numbers(x.ndim - 2,
                                                                        "channels_last"))


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3, 4))
def conv(x, kernel, strides: tuple, dilation_rate: tuple, pads: Pads):
    """A channels-last, ungrouped convolution: `lax.conv` forward, matmul-form derivatives.

    `pads` is `padding_amounts(...)`; `strides` and `dilation_rate` are tuples of ints.
    """
    return _lax_conv(x, kernel, strides, dilation_rate, pads)


@conv.defjvp
def _conv_jvp(strides, dilation_rate, pads, primals, tangents):
    (x, kernel), (x_dot, kernel_dot) = primals, tangents
    # The output too comes from the matmul form: it shares the patches with the kernel term,
    # which XLA then computes once.
    out = _matmul_conv(x, kernel, strides, dilation_rate, pads)
    out_dot = (_matmul_conv(x_dot, kernel, strides, dilation_rate, pads)
               + _matmul_conv(x, kernel_dot, strides, dilation_rate, pads))
    return out, out_dot
