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

A grouped convolution (`groups` > 1) is, per group, an ungrouped one of its block of input
channels by its block of filters: its derivatives are those of each group's matmul form,
concatenated. XLA CPU's own gradient of a grouped convolution is slower still (see `applies`).

Two differentiation rules, same values: `conv` (a custom JVP: every transformation, forward
mode included) and `conv_reverse` (a custom VJP: reverse mode only, for training steps). The
VJP writes the kernel gradient as `patches^T @ g` itself; JAX's transpose of the JVP's kernel
term is `(g^T @ patches)^T`, which XLA CPU ran as a transposing copy of `g` and a slower dot
inside the training loop (conv1 of the benchmark CNN: 2.8 ms against 0.65 per step; the
whole CNN trains 12-20% faster).

That kernel gradient is still the slowest of the three matmuls: it contracts the long axis of
both operands, which XLA CPU hands to Eigen rather than YNNPACK, at about half the FLOP rate
(conv2 of the benchmark CNN: ~5.4 ms against ~3 for each of the others). Where the patches are
wide (`MIN_TRANSPOSED_KERNEL_GRAD` columns), the rule computes `(g^T @ patches)^T` instead, a
row-major dot YNNPACK runs, after materializing `g^T`: the benchmark CNN's step 19.0 -> 18.0 ms
(2026-12-05, minimum of 10 epochs, 4 paired runs). On narrow patches (conv1's 9 columns) the
transpose of `g` costs more than the dot saves, up to 1.9x at 32 columns. An earlier try of the
same idea had lost because XLA had folded the transposes back into an Eigen dot.
Measured and dropped: splitting the contraction into 2-32 batches (+2% at best, noise), and
XLA's YNN/XNN fusion flags (no change).
"""

import functools
import itertools
import math

import jax
import jax.numpy as jnp
from jax import lax

from lamina._src.layers.convolutional.conv_utils import (
    conv_output_length,
    dimension_numbers,
    effective_kernel,
)

MAX_PATCH_ELEMENTS = 2 ** 20  # per sample: 4 MiB of float32 patches
MAX_UNLOOPED_PATCH_ELEMENTS = 6 * 2 ** 20  # per call, outside loops: 24 MiB of float32
MIN_TRANSPOSED_KERNEL_GRAD = 256  # taps * in_channels from which `g^T @ patches` pays
MAX_GROUPS = 32  # a grouped convolution's derivatives unroll a matmul form per group
MIN_GROUPED_FORWARD_ROWS = 64  # batches from which a grouped value is per-group matmuls

Pads = tuple[tuple[int, int], ...]


def padding_amounts(spatial, kernel_size, strides, padding: str, dilation_rate) -> Pads:
    """Per spatial axis, the `(before, after)` zeros of "valid", "same" or "causal" padding.

    "same" pads `(out - 1) * stride + span - length` in total (`out = ceil(length / stride)`),
    the extra one after, as XLA's "SAME" does; "causal" puts the whole span minus one before.
    """
    pads = []
    for length, k, s, d in zip(spatial, kernel_size, strides, dilation_rate):
        span = effective_kernel(k, d)
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((span - 1, 0))
        else:
            total = max((-(-length // s) - 1) * s + span - length, 0)
            pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _patch_elements(input_shape, kernel_shape, data_format: str, groups: int = 1):
    """Per sample, the elements of the patches of a convolution of `input_shape` by
    `kernel_shape` (all groups'), or None where the matmul form does not apply (see `applies`)."""
    spatial = tuple(input_shape[1:-1])
    if jax.default_backend() != "cpu":
        return None
    if data_format != "channels_last" or groups > MAX_GROUPS or any(n is None for n in spatial):
        return None
    per_sample = math.prod(spatial) * math.prod(kernel_shape[:-1]) * groups
    return per_sample if per_sample <= MAX_PATCH_ELEMENTS else None


def _fits_unlooped(batch, per_sample: int) -> bool:
    return batch is not None and batch * per_sample <= MAX_UNLOOPED_PATCH_ELEMENTS


def applies(input_shape, kernel_shape, data_format: str, groups: int,
            looped: bool = True) -> bool:
    """Whether `conv` takes its gradient through the matmul form for these static shapes.

    `input_shape` may have a `None` batch size; unknown spatial sizes rule the form out. Only
    on the CPU backend: the form works around XLA CPU's convolution gradients, while GPUs and
    TPUs have fast convolution kernels (cuDNN, the MXU) and no memory to spare for patches.

    `looped=False` is for a gradient computed once per compiled call (not inside a loop of
    steps, `autodiff.step_loop`), where XLA's own gradient runs at full speed. There the form
    pays only where the filters outnumber the input channels (XLA's kernel gradient is slow on
    few input channels; on few filters the matmuls are bound by the patches' memory), and while
    the batch's patches stay under `MAX_UNLOOPED_PATCH_ELEMENTS`: a call's larger working
    memory is mapped afresh by the OS every time. Gradient and its input at top level, batch
    64, 28x28 (2026-12-05): 16 -> 16 channels 35 ms against lax.conv's 9; 16 -> 1: 20 against
    5; 3 -> 32 at 32x32: 4.7 against 13; 32 -> 64 at 16x16: 16 against 21, but 57 against 41
    at batch 128 (36 MiB of patches).

    Grouped convolutions (up to `MAX_GROUPS` groups) take the form everywhere: XLA CPU's
    gradient of a grouped convolution is 10-50x slower than a matmul form per group, at top
    level as in loops (a training step of 64x16x16x64, 3x3, 4 groups: 477 ms against 34;
    8x56x56x128 in 32 groups: 7.8 s against 0.16, 2026-12-06).
    """
    per_sample = _patch_elements(input_shape, kernel_shape, data_format, groups)
    if per_sample is None:
        return False
    if looped or groups > 1:
        return True
    return kernel_shape[-1] > kernel_shape[-2] and _fits_unlooped(input_shape[0], per_sample)


def transpose_applies(output_shape, kernel_shape, strides, data_format: str,
                      looped: bool = True) -> bool:
    """Whether `conv_transpose_reverse` serves a transposed convolution of these static shapes.

    `output_shape` is the transposed convolution's output, i.e. the input of the convolution
    it transposes, whose kernel is the same `(*kernel_size, filters, in_channels)` array: the
    rule's patches are those of that convolution, taken of the output's gradient.

    XLA CPU's own gradients of `lax.conv_transpose` are slow at top level too, most of all
    when strided (one training step of the layer, 3x3, stride 2, 2026-12-05: 64x14x14, 32 ->
    16 channels 25 ms against the rule's 5.4; 32x16x16, 128 -> 64: 363 against 29; inside a
    loop of steps 86 and 1600 against 4.5 and 25). Unstrided, outside loops, the rule pays
    only while the patches stay small, as for `applies` (64x28x28, 16 -> 16: 25 ms against
    8.3; 64x14x14: 2.3 against 2.6).
    """
    per_sample = _patch_elements(output_shape, kernel_shape, data_format)
    if per_sample is None:
        return False
    return looped or max(strides) > 1 or _fits_unlooped(output_shape[0], per_sample)


def window_taps(x, kernel_size, strides, dilation_rate, pads: Pads):
    """`(offsets, slice)` per kernel tap: the (padded) input positions each output position
    sees through that tap, `(batch, *out_spatial, channels)`, in the kernel's row-major order."""
    # `lax.pad` takes the negative pads of some transposed convolutions (a cropped end).
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0), *((lo, hi, 0) for lo, hi in pads),
                                             (0, 0, 0)))
    out = [conv_output_length(n, k, s, "valid", d)
           for n, k, s, d in zip(x.shape[1:-1], kernel_size, strides, dilation_rate)]
    for offsets in itertools.product(*(range(k) for k in kernel_size)):
        starts = [o * d for o, d in zip(offsets, dilation_rate)]
        limits = [start + (m - 1) * s + 1 for start, m, s in zip(starts, out, strides)]
        yield offsets, lax.slice(x, (0, *starts, 0), (x.shape[0], *limits, x.shape[-1]),
                                 (1, *strides, 1))


def _patches(x, kernel_size, strides, dilation_rate, pads: Pads):
    """`(batch, *out_spatial, taps * channels)`: each output position's window, tap-major."""
    return jnp.concatenate([tap for _, tap in window_taps(x, kernel_size, strides,
                                                          dilation_rate, pads)], axis=-1)


def _group_slices(array, groups: int):
    """The last axis of `array` cut into `groups` equal parts (the array itself for one)."""
    if groups == 1:
        return [array]
    size = array.shape[-1] // groups
    return [array[..., i * size:(i + 1) * size] for i in range(groups)]


def _concat_groups(arrays):
    return arrays[0] if len(arrays) == 1 else jnp.concatenate(arrays, axis=-1)


def _group_matmuls(x, kernel, strides, dilation_rate, pads: Pads, groups: int):
    """Per group, its patches and its block of the kernel as `(taps * channels, filters)`.

    Input channels and filters both come in `groups` consecutive blocks (Keras's layout)."""
    return [(_patches(x_part, kernel.shape[:-2], strides, dilation_rate, pads),
             jnp.reshape(kernel_part, (-1, kernel_part.shape[-1])))
            for x_part, kernel_part in zip(_group_slices(x, groups),
                                           _group_slices(kernel, groups))]


def _matmul_conv(x, kernel, strides, dilation_rate, pads: Pads, groups: int):
    return _concat_groups([cols @ flat_kernel for cols, flat_kernel in
                           _group_matmuls(x, kernel, strides, dilation_rate, pads, groups)])


def lax_conv(x, kernel, strides, dilation_rate, pads: Pads, groups: int = 1):
    return lax.conv_general_dilated(x, kernel, window_strides=strides, padding=pads,
                                    rhs_dilation=dilation_rate,
                                    dimension_numbers=dimension_numbers(x.ndim - 2,
                                                                        "channels_last"),
                                    feature_group_count=groups)


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3, 4, 5))
def conv(x, kernel, strides: tuple, dilation_rate: tuple, pads: Pads, groups: int = 1):
    """A channels-last convolution: `lax.conv` forward, matmul-form derivatives.

    `pads` is `padding_amounts(...)`; `strides` and `dilation_rate` are tuples of ints. A
    grouped one differentiates as one matmul form per group, and computes its value so too
    on large batches (`_grouped_forward_rows`).
    """
    rows = _grouped_forward_rows(x.shape, kernel.shape, groups)
    if rows is None:
        return lax_conv(x, kernel, strides, dilation_rate, pads, groups)
    forward = functools.partial(_matmul_conv, kernel=kernel, strides=strides,
                                dilation_rate=dilation_rate, pads=pads, groups=groups)
    chunks, rest = divmod(x.shape[0], rows)
    if chunks <= 1:
        return forward(x)
    # In chunks of `rows`, so that one chunk's patches are alive at a time.
    looped = lax.map(forward, x[:chunks * rows].reshape(chunks, rows, *x.shape[1:]))
    outs = [looped.reshape(chunks * rows, *looped.shape[2:])]
    return jnp.concatenate(outs + [forward(x[chunks * rows:])] if rest else outs)


def _grouped_forward_rows(input_shape, kernel_shape, groups: int):
    """For a grouped convolution's value (not differentiated) as per-group matmuls, how many
    rows at a time; None where one grouped `lax.conv` computes it.

    XLA CPU runs its grouped convolution 2-4x slower than per-group matmuls, but compiles
    it 10-50x faster: one operation against a patch extraction and a dot per group. Predict
    on the grouped benchmark model (4 and 8 groups), 2026-12-06, in batches of 32, 128 and
    1024: 1,207, 1,049 and 1,320 samples/s against 745, 554 and 526, but each new input
    shape took 1.5-1.7 s to compile against 0.09-0.16. So only for batches of at least
    `MIN_GROUPED_FORWARD_ROWS`, where the rows outweigh a compile (predict's partial
    batches of fewer rows, and single samples, keep `lax.conv`), and as many rows at a time
    as keep one group's patches under `MAX_UNLOOPED_PATCH_ELEMENTS` (a group's patches are
    freed before the next's; all 1024 rows at once ran at 900 samples/s).
    """
    batch = input_shape[0]
    if groups == 1 or batch is None or batch < MIN_GROUPED_FORWARD_ROWS:
        return None
    per_sample = _patch_elements(input_shape, kernel_shape, "channels_last", groups)
    if per_sample is None:
        return None
    return max(1, min(batch, MAX_UNLOOPED_PATCH_ELEMENTS * groups // per_sample))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5))
def conv_reverse(x, kernel, strides: tuple, dilation_rate: tuple, pads: Pads,
                 groups: int = 1):
    """`conv` with a reverse-mode-only rule (`jax.jvp` of it raises): for training steps."""
    return lax_conv(x, kernel, strides, dilation_rate, pads, groups)


def _conv_reverse_forward(x, kernel, strides, dilation_rate, pads, groups):
    parts = _group_matmuls(x, kernel, strides, dilation_rate, pads, groups)
    out = _concat_groups([cols @ flat_kernel for cols, flat_kernel in parts])
    # x for its shape only: the compiled step drops it
    return out, ([cols for cols, _ in parts], kernel, x)


def _kernel_gradient(flat_cols, flat_g):
    """`flat_cols^T @ flat_g`."""
    if flat_cols.shape[-1] >= MIN_TRANSPOSED_KERNEL_GRAD:
        # XLA folds a transpose next to a dot into the dot's dimension numbers, back onto
        # Eigen: the barriers keep `g^T` and the product as written. (They do not order this
        # dot after the step's other large one: XLA CPU runs the two concurrently, and
        # forcing an order with a data dependency gained nothing, 2026-12-06.)
        g_t = lax.optimization_barrier(flat_g.T)
        return lax.optimization_barrier(g_t @ flat_cols).T
    return lax.dot_general(flat_cols, flat_g, (((0,), (0,)), ((), ())))


def _conv_reverse_backward(strides, dilation_rate, pads, groups, residuals, g):
    all_cols, kernel, x = residuals
    # The input gradient is the transpose of the patch extraction (pads and adds).
    extract = functools.partial(_patches, kernel_size=kernel.shape[:-2], strides=strides,
                                dilation_rate=dilation_rate, pads=pads)
    part_shape = jax.ShapeDtypeStruct((*x.shape[:-1], x.shape[-1] // groups), g.dtype)
    x_grads, kernel_grads = [], []
    for cols, part, part_g in zip(all_cols, _group_slices(kernel, groups),
                                  _group_slices(g, groups)):
        filters = part.shape[-1]
        cols_grad = part_g @ jnp.reshape(part, (-1, filters)).T
        kernel_grad = _kernel_gradient(cols.reshape(-1, cols.shape[-1]),
                                       part_g.reshape(-1, filters))
        x_grads.append(jax.linear_transpose(extract, part_shape)(cols_grad)[0])
        kernel_grads.append(kernel_grad.reshape(part.shape))
    return _concat_groups(x_grads), _concat_groups(kernel_grads)


conv_reverse.defvjp(_conv_reverse_forward, _conv_reverse_backward)


@conv.defjvp
def _conv_jvp(strides, dilation_rate, pads, groups, primals, tangents):
    (x, kernel), (x_dot, kernel_dot) = primals, tangents
    # The output too comes from the matmul form: it shares the patches with the kernel term,
    # which XLA then computes once.
    out = _matmul_conv(x, kernel, strides, dilation_rate, pads, groups)
    out_dot = (_matmul_conv(x_dot, kernel, strides, dilation_rate, pads, groups)
               + _matmul_conv(x, kernel_dot, strides, dilation_rate, pads, groups))
    return out, out_dot


def lax_conv_transpose(x, kernel, strides, dilation_rate, pads: Pads):
    return lax.conv_transpose(x, kernel, strides=strides, padding=pads,
                              rhs_dilation=dilation_rate,
                              dimension_numbers=dimension_numbers(x.ndim - 2, "channels_last"),
                              transpose_kernel=True)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def conv_transpose_reverse(x, kernel, strides: tuple, dilation_rate: tuple, pads: Pads):
    """A channels-last transposed convolution, `lax.conv_transpose` forward, with a
    reverse-mode-only rule in matmul form (`jax.jvp` of it raises): for training steps.

    `kernel` has Keras's layout `(*kernel_size, filters, in_channels)`; `pads` are
    `lax.conv_transpose`'s, per spatial axis. The layer is the transpose of a convolution
    of its output by the same kernel, so its input gradient is that convolution of the
    output's gradient (patches and one matmul), and its kernel gradient that convolution's
    kernel gradient, with the layer's input in the place of the output gradient.
    """
    return lax_conv_transpose(x, kernel, strides, dilation_rate, pads)


def _conv_transpose_reverse_forward(x, kernel, strides, dilation_rate, pads):
    return lax_conv_transpose(x, kernel, strides, dilation_rate, pads), (x, kernel)


def _conv_transpose_reverse_backward(strides, dilation_rate, pads, residuals, g):
    x, kernel = residuals
    kernel_size, channels = kernel.shape[:-2], kernel.shape[-1]
    # The convolution being transposed pads its input (the layer's output) by the kernel's
    # span less one, less `lax.conv_transpose`'s pads: negative where those crop an end.
    conv_pads = tuple((span - 1 - lo, span - 1 - hi) for span, (lo, hi) in
                      zip(map(effective_kernel, kernel_size, dilation_rate), pads))
    cols = _patches(g, kernel_size, strides, dilation_rate, conv_pads)
    x_grad = cols @ jnp.reshape(kernel, (-1, channels))
    kernel_grad = _kernel_gradient(cols.reshape(-1, cols.shape[-1]), x.reshape(-1, channels))
    return x_grad, kernel_grad.reshape(kernel.shape)


conv_transpose_reverse.defvjp(_conv_transpose_reverse_forward, _conv_transpose_reverse_backward)
