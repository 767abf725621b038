"""`Resizing`: resize images to `height x width` with `jax.image.resize`."""

import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.layer import Layer
from lamina._src.layers.preprocessing import image_ops
from lamina._src.saving import registry


@registry.register("layers")
class Resizing(Layer):
    """Resizes images to `height x width`.

    Sampling uses half-pixel centres (`jax.image.resize`, as Keras's JAX backend), without
    antialiasing unless asked. Integer images are rounded and saturated back to their dtype;
    float images keep theirs.

    Args:
        height, width: the output size.
        interpolation: `"bilinear"` (default), `"nearest"`, `"bicubic"`, `"lanczos3"` or
            `"lanczos5"`.
        crop_to_aspect_ratio: first crop the largest centred window of the target's aspect
            ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad the short side evenly with `fill_value` to the
            target's aspect ratio.
        fill_mode: only `"constant"`.
        fill_value: the padding value for `pad_to_aspect_ratio`.
        antialias: antialias when downsampling.
        data_format: `"channels_last"` (default, from `image_data_format()`) or
            `"channels_first"`.

    Input shape: `(batch, H, W, C)` or `(H, W, C)` (channels last). Output shape:
    `(batch, height, width, C)` or `(height, width, C)`.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Resizing '{self.name}': {arg} must be a positive integer, received "
                    f"{arg}={value!r}."
                )
        if interpolation not in image_ops.RESIZE_INTERPOLATIONS:
            raise ValueError(
                f"Resizing '{self.name}': interpolation must be one of "
                f"{image_ops.RESIZE_INTERPOLATIONS}, received interpolation={interpolation!r}."
            )
        if fill_mode != "constant":
            raise ValueError(
                f"Resizing '{self.name}': only fill_mode='constant' is supported, received "
                f"fill_mode={fill_mode!r}."
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"Resizing '{self.name}': only one of crop_to_aspect_ratio and "
                "pad_to_aspect_ratio can be True."
            )
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        images = jnp.asarray(inputs)
        if self.crop_to_aspect_ratio:
            h_axis, w_axis = image_ops.spatial_axes(images.ndim, self.data_format)
            box = image_ops.aspect_ratio_crop_box(images.shape[h_axis], images.shape[w_axis],
                                                  self.height, self.width)
            images = image_ops.crop(images, *box, self.data_format)
        elif self.pad_to_aspect_ratio:
            images = image_ops.pad_to_aspect_ratio(images, self.height, self.width,
                                                   self.fill_value, self.data_format)
        resized = image_ops.resize(images, self.height, self.width, self.interpolation,
                                   self.antialias, self.data_format)
        if resized.dtype == inputs.dtype:
            return resized
        if jnp.issubdtype(inputs.dtype, jnp.integer):
            resized = jnp.round(resized)
        return image_ops.saturate_cast(resized, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return image_ops.resized_shape(tuple(input_shape), self.height, self.width,
                                       self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias,
                "data_format": self.data_format}
