"""Max pooling over non-overlapping windows (`strides == pool_size`), with a fast gradient.

`lax.reduce_window`'s gradient is XLA's `select_and_scatter`, which the CPU backend runs
~15x slower than the forward pass: for the benchmark CNN's first MaxPooling2D (a
(128, 26, 26, 32) input) 187 ms against 12 ms here, most of a training step. When the windows
tile the input, they can instead be laid out as an extra axis by reshapes; the forward pass is
a max over that axis and the gradient is a one-hot scatter of the incoming gradient to each
window's first maximum, in the window's row-major order. That is the element
`select_and_scatter` picks, so values and gradients are identical to `reduce_window`'s (ties
included), only faster. The undifferentiated forward stays `reduce_window` (see `pool`).
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from lamina._src.backend import autodiff


def _pads(shape, pool_size, axes, padding):
    """Per spatial axis `(before, after)`: negative `after` crops (valid), positive pads (same)."""
    pads = []
    for axis, k in zip(axes, pool_size):
        length = shape[axis]
        if padding == "valid":
            pads.append((0, (length // k) * k - length))
        else:
            total = -(-length // k) * k - length
            pads.append((total // 2, total - total // 2))
    return pads


def _windows(x, pool_size, axes):
    """`x` with each spatial axis `L` split into `(L // k, k)` and the `k`s moved last, flattened."""
    shape, order_outer, order_inner = [], [], []
    for axis, size in enumerate(x.shape):
        if axis in axes:
            k = pool_size[axes.index(axis)]
            order_outer.append(len(shape))
            order_inner.append(len(shape) + 1)
            shape += [size // k, k]
        else:
            order_outer.append(len(shape))
            shape.append(size)
    x = jnp.reshape(x, shape).transpose(*order_outer, *order_inner)
    return jnp.reshape(x, (*x.shape[: len(order_outer)], -1))


def max_pool(x, pool_size, axes, padding: str):
    """Max over the tiling windows of `pool_size` on `axes` (`padding` "valid" or "same")."""
    axes = list(axes)
    pads = _pads(x.shape, pool_size, axes, padding)
    fill = float("-inf") if jnp.issubdtype(x.dtype, jnp.floating) else int(jnp.iinfo(x.dtype).min)
    if autodiff.is_concrete(x):  # eager: what the rule's primal computes
        return _reduce_window_max(x, pool_size, axes, pads, fill)
    return _pool_function(tuple(x.shape), tuple(pool_size), tuple(axes), tuple(pads), fill)(x)


def _reduce_window_max(x, pool_size, axes, pads, fill):
    window = [1] * x.ndim
    for axis, k in zip(axes, pool_size):
        window[axis] = k
    padding = "VALID" if all(after <= 0 for _, after in pads) else "SAME"
    return lax.reduce_window(x, np.array(fill, x.dtype), lax.max, window, window, padding)


def _prepare(x, pool_size, axes, pads, fill):
    crop = [slice(None)] * x.ndim
    pad_width = [(0, 0)] * x.ndim
    for axis, (before, after) in zip(axes, pads):
        if after < 0:
            crop[axis] = slice(0, x.shape[axis] + after)
        else:
            pad_width[axis] = (before, after)
    x = x[tuple(crop)]
    if any(p != (0, 0) for p in pad_width):
        x = jnp.pad(x, pad_width, constant_values=fill)
    return x


def _max_and_first_argmax(windows, fill):
    """The max over the last axis and the index of its first maximum, in one reduction.

    As `jnp.max` and `jnp.argmax` (NaN counts as the largest value, ties go to the lowest
    index), but one variadic reduce: XLA then reads the windows once, straight from the
    producer's output, where separate max and argmax reductions made it also materialize the
    transposed windows for the max (1.6 of 24 ms in the benchmark CNN's training step).
    """
    axis = windows.ndim - 1
    index = lax.broadcasted_iota(jnp.int32, windows.shape, axis)

    def pick(a, b):
        (a_value, a_index), (b_value, b_index) = a, b
        a_nan, b_nan = a_value != a_value, b_value != b_value
        tie = (a_value == b_value) | (a_nan & b_nan)
        a_wins = (a_value > b_value) | (a_nan & ~b_nan) | (tie & (a_index < b_index))
        return lax.select(a_wins, a_value, b_value), lax.select(a_wins, a_index, b_index)

    init = (np.array(fill, windows.dtype), np.array(0, np.int32))
    return lax.reduce((windows, index), init, pick, (axis,))


@functools.lru_cache(maxsize=256)
def _pool_function(shape, pool_size, axes, pads, fill):
    """The differentiable pooling function for one static configuration (cached)."""

    @jax.custom_vjp
    def pool(x):
        # Undifferentiated (predict), reduce_window is the faster forward: XLA fuses it with the
        # convolution before it (the benchmark CNN's forward: 74 ms against 135 for the
        # windows' max at batch 1024). Only the gradient needs the windows laid out.
        return _reduce_window_max(x, pool_size, axes, pads, fill)

    def forward(x):
        windows = _windows(_prepare(x, pool_size, axes, pads, fill), pool_size, list(axes))
        return _max_and_first_argmax(windows, fill)

    def backward(first, g):
        scattered = jax.nn.one_hot(first, math.prod(pool_size), dtype=g.dtype) * g[..., None]
        # Undo `_windows`: unflatten the window axis, move each k back beside its axis.
        split = [*scattered.shape[:-1], *pool_size]
        scattered = jnp.reshape(scattered, split)
        rank = len(shape)
        inverse, k_index = [], rank
        for axis in range(rank):
            inverse.append(axis)
            if axis in axes:
                inverse.append(k_index)
                k_index += 1
        scattered = scattered.transpose(inverse)
        padded = [s * (pool_size[axes.index(a)] if a in axes else 1)
                  for a, s in enumerate(first.shape)]
        grad = jnp.reshape(scattered, padded)
        # Undo `_prepare`: drop the "same" padding, give cropped "valid" positions zeros.
        index = [slice(None)] * rank
        pad_width = [(0, 0)] * rank
        for axis, (before, after) in zip(axes, pads):
            if after < 0:
                pad_width[axis] = (0, -after)
            else:
                index[axis] = slice(before, before + shape[axis])
        grad = jnp.pad(grad[tuple(index)], pad_width)
        return (grad,)

    pool.defvjp(forward, backward)
    return pool
