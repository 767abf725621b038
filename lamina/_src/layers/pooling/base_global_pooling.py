"""`BaseGlobalPooling`: one max or mean over all spatial positions, per channel."""

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.convolutional.conv_utils import check_rank, spatial_axes, split_shape
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Reduce every spatial axis away: `(batch, *spatial, C) -> (batch, C)`.

    Args:
        pool_dimensions: the number of spatial dimensions (1, 2 or 3).
        data_format: `"channels_last"` or `"channels_first"` (default: the global setting).
        keepdims: keep the spatial axes with size 1, e.g. `(batch, 1, 1, C)`.

    Subclasses implement `_reduce(inputs, axes)`.
    """

    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.pool_dimensions = pool_dimensions
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    @property
    def _axes(self) -> tuple[int, ...]:
        return spatial_axes(self.pool_dimensions, self.data_format)

    def call(self, inputs):
        return self._reduce(inputs, self._axes)

    def _reduce(self, inputs, axes):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        where = f"{type(self).__name__} '{self.name}'"
        shape = check_rank(input_shape, self.pool_dimensions, where)
        batch, spatial, channels = split_shape(shape, self.data_format)
        if not self.keepdims:
            return (batch, channels)
        ones = (1,) * len(spatial)
        if self.data_format == "channels_last":
            return (batch, *ones, channels)
        return (batch, channels, *ones)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
