"""Image helpers shared by `Resizing` and `CenterCrop`: crops, padding and `jax.image.resize`.

Images are `(height, width, channels)` or `(batch, height, width, channels)` for
`"channels_last"`, channels before height and width for `"channels_first"`.
"""

import jax
import jax.numpy as jnp
import numpy as np

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def spatial_axes(ndim: int, data_format: str) -> tuple[int, int]:
    """The (height, width) axes of an image tensor of rank 3 or 4."""
    if ndim not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received input of rank {ndim}."
        )
    return (ndim - 2, ndim - 1) if data_format == "channels_first" else (ndim - 3, ndim - 2)


def resized_shape(shape, height: int, width: int, data_format: str) -> tuple:
    """`shape` with its height and width replaced."""
    shape = list(shape)
    h_axis, w_axis = spatial_axes(len(shape), data_format)
    shape[h_axis], shape[w_axis] = height, width
    return tuple(shape)


def crop(images, top: int, left: int, height: int, width: int, data_format: str):
    """The window `[top:top+height, left:left+width]` of every image."""
    h_axis, w_axis = spatial_axes(images.ndim, data_format)
    index = [slice(None)] * images.ndim
    index[h_axis] = slice(top, top + height)
    index[w_axis] = slice(left, left + width)
    return images[tuple(index)]


def aspect_ratio_crop_box(height: int, width: int, target_height: int, target_width: int):
    """The largest centred window of the target's aspect ratio: `(top, left, height, width)`."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width


def pad_to_aspect_ratio(images, target_height: int, target_width: int, fill_value,
                        data_format: str):
    """Pad the short side evenly (the same amount on both sides) towards the target's aspect
    ratio, with `fill_value`."""
    h_axis, w_axis = spatial_axes(images.ndim, data_format)
    height, width = images.shape[h_axis], images.shape[w_axis]
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top = int(float(pad_height - height) / 2)
    left = int(float(pad_width - width) / 2)
    pads = [(0, 0)] * images.ndim
    if top > 0:
        pads[h_axis] = (top, top)
    elif left > 0:
        pads[w_axis] = (left, left)
    else:
        return images
    return jnp.pad(images, pads, constant_values=jnp.asarray(fill_value, images.dtype))


def resize(images, height: int, width: int, interpolation: str = "bilinear",
           antialias: bool = False, data_format: str = "channels_last"):
    """`jax.image.resize` of the spatial axes (half-pixel centres, as Keras's JAX backend)."""
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation {interpolation!r}: expected one of {RESIZE_INTERPOLATIONS}."
        )
    shape = resized_shape(images.shape, height, width, data_format)
    return jax.image.resize(images, shape, method=interpolation, antialias=antialias)


def saturate_cast(x, dtype):
    """Cast, clipping to the range of `dtype` first (so 300.0 -> uint8 gives 255, not 44)."""
    dtype = jnp.dtype(dtype)
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        source = np.dtype(x.dtype)
        # The limits as input-dtype values, nudged inside the range where rounding pushed them
        # out (float32 cannot hold 2**31 - 1; casting a value above it is undefined).
        low = np.asarray(info.min).astype(source)
        high = np.asarray(info.max).astype(source)
        if int(low) < info.min:
            low = np.nextafter(low, np.zeros((), source))
        if int(high) > info.max:
            high = np.nextafter(high, np.zeros((), source))
        x = jnp.clip(x, low, high)
    return x.astype(dtype)
