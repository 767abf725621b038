"""Argument checks and output-size arithmetic shared by the convolution and pooling layers.

Everything here is plain Python on shapes (no arrays), so `compute_output_shape` and `build`
can use it on symbolic shapes with `None` entries.

Output lengths, for an input length `L`, kernel `k`, stride `s`, dilation `d` and the
effective kernel `K = (k - 1) * d + 1`:

* convolution, `"valid"`: `floor((L - K) / s) + 1`; `"same"` and `"causal"`: `ceil(L / s)`.
* transposed convolution, `"valid"`: `(L - 1) * s + K + p` where the output padding `p`
  defaults to `max(K, s) - K`; `"same"`: `L * s` by default, else `(L - 1) * s + K % 2 + p`.
"""

import math

from jax import lax


def standardize_tuple(value, n: int, name: str, where: str, allow_zero: bool = False) -> tuple:
    """An int or a sequence of `n` ints -> a tuple of `n` ints, checked to be positive.

    Args:
        value: the argument as the user wrote it (`3`, `(3, 3)`, `[2, 1]`).
        n: how many spatial dimensions the layer has.
        name: the argument's name, for the error message.
        where: the layer's description (`"Conv2D 'conv2d'"`), for the error message.
        allow_zero: accept zeros (e.g. `output_padding`).

    Raises:
        ValueError: if `value` is not `n` integers, or has a negative (or zero) entry.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        result = (value,) * n
    else:
        try:
            result = tuple(value)
        except TypeError:
            result = None
        if result is None or len(result) != n or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in result):
            raise ValueError(
                f"{where}: `{name}` must be an integer or a tuple of {n} integers, received "
                f"{name}={value!r}."
            )
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in result):
        raise ValueError(
            f"{where}: every entry of `{name}` must be {'>= 0' if allow_zero else '> 0'}, "
            f"received {name}={value!r}."
        )
    return result


def standardize_padding(value, where: str, allow_causal: bool = False) -> str:
    """`"valid"` / `"same"` (any case), and `"causal"` where allowed -> the lower-case name.

    Raises:
        ValueError: for any other value, listing the accepted ones.
    """
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"{where}: `padding` must be one of {', '.join(repr(a) for a in allowed)}, received "
            f"padding={value!r}."
        )
    return padding


def effective_kernel(kernel: int, dilation: int) -> int:
    """The span of a dilated kernel: `(kernel - 1) * dilation + 1`."""
    return (kernel - 1) * dilation + 1


def conv_output_length(length, kernel: int, stride: int, padding: str, dilation: int = 1):
    """The output length of a convolution or pooling window along one axis (None stays None)."""
    if length is None:
        return None
    if padding == "valid":
        return (length - effective_kernel(kernel, dilation)) // stride + 1
    return (length - 1) // stride + 1  # "same" and "causal": ceil(length / stride)


def conv_transpose_output_length(length, kernel: int, stride: int, padding: str,
                                 output_padding, dilation: int = 1):
    """The output length of a transposed convolution along one axis (None stays None)."""
    if length is None:
        return None
    span = effective_kernel(kernel, dilation)
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return (length - 1) * stride + span + extra
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + span % 2 + output_padding


def conv_transpose_padding(kernel: int, stride: int, padding: str, output_padding,
                           dilation: int = 1) -> tuple[int, int]:
    """The `(left, right)` padding of the stride-dilated input that gives the output length above.

    `lax.conv_transpose` with explicit padding produces `(L - 1) * s + 1 + left + right - K + 1`
    elements; these pads make that equal to `conv_transpose_output_length`, with the extra
    element of an odd total on the left (as TensorFlow and Keras place it).
    """
    span = effective_kernel(kernel, dilation)
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return span - 1, span - 1 + extra
    if output_padding is None:
        total = stride + span - 2
    else:
        total = span + span % 2 - 2 + output_padding
    left = min(math.ceil(total / 2), span - 1)
    return left, total - left


def spatial_axes(rank: int, data_format: str) -> tuple[int, ...]:
    """The spatial axes of a `(rank + 2)`-D input in `data_format`."""
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def check_rank(input_shape, rank: int, where: str) -> tuple:
    """The shape as a tuple, after checking it has `rank` spatial axes plus batch and channels."""
    shape = tuple(input_shape)
    if len(shape) != rank + 2:
        raise ValueError(
            f"{where} expects inputs of rank {rank + 2} (batch, {rank} spatial axes, channels), "
            f"received input shape {shape}."
        )
    return shape


def split_shape(input_shape, data_format: str):
    """`(batch, spatial..., channels)` or `(batch, channels, spatial...)` -> the three parts."""
    shape = tuple(input_shape)
    if data_format == "channels_last":
        return shape[0], shape[1:-1], shape[-1]
    return shape[0], shape[2:], shape[1]


def join_shape(batch, spatial, channels, data_format: str) -> tuple:
    """The inverse of `split_shape`."""
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def dimension_numbers(rank: int, data_format: str) -> lax.ConvDimensionNumbers:
    """Input/output layout from `data_format`; the kernel is always `(*spatial, in, out)`."""
    spatial = tuple(range(rank))
    if data_format == "channels_last":
        io_spec = (0, rank + 1, *range(1, rank + 1))
    else:
        io_spec = (0, 1, *range(2, rank + 2))
    return lax.ConvDimensionNumbers(lhs_spec=io_spec, rhs_spec=(rank + 1, rank, *spatial),
                                    out_spec=io_spec)
