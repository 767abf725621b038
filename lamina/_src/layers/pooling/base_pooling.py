"""`BasePooling`: sliding-window max or average, behind `MaxPooling*D` and `AveragePooling*D`."""

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional.conv_utils import (
    check_rank,
    conv_output_length,
    join_shape,
    spatial_axes,
    split_shape,
    standardize_padding,
    standardize_tuple,
)
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.pooling import tiled_max_pool


def _same_padding_before(length: int, window: int, stride: int) -> int:
    """Elements of zero padding before the input under "same" (the extra one goes after)."""
    out = (length - 1) // stride + 1
    return max((out - 1) * stride + window - length, 0) // 2


def _valid_counts(length: int, window: int, stride: int, padding: str) -> np.ndarray:
    """For each output position, how many of its window's elements are real inputs."""
    out = conv_output_length(length, window, stride, padding)
    start = np.arange(out) * stride
    if padding == "same":
        start = start - _same_padding_before(length, window, stride)
    return np.minimum(start + window, length) - np.maximum(start, 0)


class BasePooling(Layer):
    """Reduce each window of `pool_size` elements, `strides` apart, to its max or its mean.

    With `padding="same"` the input is padded so the output length is `ceil(L / strides)`;
    padded positions never win a max, and an average divides by the number of real (valid)
    elements in its window, not by the window size.

    Args:
        pool_size: an int or a tuple of `pool_dimensions` ints, the window size.
        strides: an int or a tuple of ints (default: `pool_size`, non-overlapping windows).
        pool_dimensions: the number of spatial dimensions (1, 2 or 3).
        pool_mode: `"max"` or `"average"`.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (default: the global setting).

    Input shape: `(batch, *spatial, channels)` (or channels first). Output shape:
    `(batch, *pooled_spatial, channels)`.
    """

    @property
    def _fast_in_loops(self) -> bool:
        # Window reductions and their gradients are slow inside XLA CPU loops (see
        # Layer._fast_in_loops), except the tiling max pool, whose gradient is reshapes.
        return self.pool_mode == "max" and self.strides == self.pool_size

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max", padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.pool_dimensions = pool_dimensions
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size", where)
        self.strides = standardize_tuple(pool_size if strides is None else strides,
                                         pool_dimensions, "strides", where)
        if pool_mode not in ("max", "average"):
            raise ValueError(f"{where}: `pool_mode` must be 'max' or 'average', received "
                             f"pool_mode={pool_mode!r}.")
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    def _window(self, values) -> tuple[int, ...]:
        """Per-spatial-axis values -> a full-rank tuple with 1 on the batch and channel axes."""
        full = [1] * (self.pool_dimensions + 2)
        for axis, value in zip(spatial_axes(self.pool_dimensions, self.data_format), values):
            full[axis] = value
        return tuple(full)

    def call(self, inputs):
        window, strides = self._window(self.pool_size), self._window(self.strides)
        padding = self.padding.upper()
        # Initial values are numpy constants, never traced arrays: only then does JAX recognise
        # the max/sum window reductions it knows how to differentiate under `jit`.
        if self.pool_mode == "max":
            if self.strides == self.pool_size and jnp.issubdtype(inputs.dtype, jnp.floating):
                # The common non-overlapping case: same values and gradients, fast backward.
                return tiled_max_pool.max_pool(
                    inputs, self.pool_size, spatial_axes(self.pool_dimensions, self.data_format),
                    self.padding)
            if jnp.issubdtype(inputs.dtype, jnp.floating):
                initial = np.array(-np.inf, inputs.dtype)
            else:
                initial = np.array(jnp.iinfo(inputs.dtype).min, inputs.dtype)
            return lax.reduce_window(inputs, initial, lax.max, window, strides, padding)
        total = lax.reduce_window(inputs, np.array(0, inputs.dtype), lax.add, window, strides,
                                  padding)
        if self.padding == "valid":
            return total / math.prod(self.pool_size)
        # The window counts depend only on the static spatial shape: a constant, built with
        # numpy as an outer product of the per-axis counts.
        _, spatial, _ = split_shape(inputs.shape, self.data_format)
        counts = np.ones((), np.float64)
        for length, size, stride in zip(spatial, self.pool_size, self.strides):
            counts = np.multiply.outer(counts, _valid_counts(length, size, stride, "same"))
        counts = counts.reshape(self._window(counts.shape))
        return total / jnp.asarray(counts, total.dtype)

    def compute_output_shape(self, input_shape):
        where = f"{type(self).__name__} '{self.name}'"
        shape = check_rank(input_shape, self.pool_dimensions, where)
        batch, spatial, channels = split_shape(shape, self.data_format)
        out = tuple(conv_output_length(n, k, s, self.padding) for n, k, s in
                    zip(spatial, self.pool_size, self.strides))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the output would be empty (spatial size "
                f"{out}) for input shape {tuple(input_shape)} with pool_size={self.pool_size}, "
                f"strides={self.strides} and padding='{self.padding}'. Use a larger input or "
                "padding='same'."
            )
        return join_shape(batch, out, channels, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        })
        return config
