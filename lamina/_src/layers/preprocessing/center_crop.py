"""`CenterCrop`: the central `height x width` window of each image."""

import jax.numpy as jnp

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.layer import Layer
from lamina._src.layers.preprocessing import image_ops
from lamina._src.saving import registry


@registry.register("layers")
class CenterCrop(Layer):
    """Crops the central `height x width` window of images.

    The window starts at `(H - height) // 2, (W - width) // 2`. An image smaller than the target
    in either dimension is first cropped to the largest centred window of the target's aspect
    ratio, then resized (bilinear) to the target, as Keras's `smart_resize`. Outputs are in the
    compute dtype.

    Args:
        height, width: the output size.
        data_format: `"channels_last"` (default, from `image_data_format()`) or
            `"channels_first"`.

    Input shape: `(batch, H, W, C)` or `(H, W, C)` (channels last). Output shape:
    `(batch, height, width, C)` or `(height, width, C)`.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"CenterCrop '{self.name}': {arg} must be a positive integer, received "
                    f"{arg}={value!r}."
                )
        self.height = height
        self.width = width
        self.data_format = standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        images = jnp.asarray(inputs).astype(self.compute_dtype)
        h_axis, w_axis = image_ops.spatial_axes(images.ndim, self.data_format)
        in_height, in_width = images.shape[h_axis], images.shape[w_axis]
        h_diff, w_diff = in_height - self.height, in_width - self.width
        if h_diff >= 0 and w_diff >= 0:
            return image_ops.crop(images, h_diff // 2, w_diff // 2, self.height, self.width,
                                  self.data_format)
        box = image_ops.aspect_ratio_crop_box(in_height, in_width, self.height, self.width)
        images = image_ops.crop(images, *box, self.data_format)
        return image_ops.resize(images, self.height, self.width, "bilinear",
                                data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) not in (3, 4) or isinstance(input_shape[0], list | tuple):
            raise ValueError(
                f"CenterCrop '{self.name}': input_shape must be a rank-3 (unbatched) or rank-4 "
                f"(batched) shape, received {input_shape}."
            )
        return image_ops.resized_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}
