"""`SpatialDropout1D/2D/3D`: drop whole feature maps instead of single activations."""

from lamina._src.backend.config import standardize_data_format
from lamina._src.layers.core.dropout import Dropout
from lamina._src.layers.input_spec import InputSpec
from lamina._src.saving import registry


class _SpatialDropout(Dropout):
    """Dropout whose keep mask is shared across the spatial axes: a channel is either dropped in
    every position of a sample or kept (and scaled by `1 / (1 - rate)`) everywhere.

    Adjacent positions of a feature map are strongly correlated, so ordinary dropout barely
    regularises convolutional features; dropping whole channels does.
    """

    _rank = None  # the input rank, batch and channels included

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank)

    def _resolved_noise_shape(self, inputs):
        shape = inputs.shape
        spatial = (1,) * (self._rank - 2)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], *spatial)
        return (shape[0], *spatial, shape[-1])

    def get_config(self) -> dict:
        # Keras's spatial dropouts write only these keys (no `trainable`, no `noise_shape`), and
        # `dtype` as the variable-dtype string (`layer.dtype`), not a serialized DTypePolicy.
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype,
                "data_format": self.data_format}


@registry.register("layers")
class SpatialDropout1D(_SpatialDropout):
    """Spatial dropout for sequences: drops entire channels of `(batch, steps, channels)` inputs.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        seed: an int seed for repeatable masks.

    Input shape: `(batch, steps, channels)`. Output shape: the same. The identity at inference.
    """

    _rank = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype,
                         **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["data_format"]
        return config


@registry.register("layers")
class SpatialDropout2D(_SpatialDropout):
    """Spatial dropout for images: drops entire channels (feature maps) of 4D inputs.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        data_format: `"channels_last"` `(batch, rows, cols, channels)` or `"channels_first"`
            `(batch, channels, rows, cols)`; default `image_data_format()`.
        seed: an int seed for repeatable masks.

    Output shape: the input's. The identity at inference.
    """

    _rank = 4


@registry.register("layers")
class SpatialDropout3D(_SpatialDropout):
    """Spatial dropout for volumes: drops entire channels of 5D inputs.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        data_format: `"channels_last"` `(batch, d1, d2, d3, channels)` or `"channels_first"`
            `(batch, channels, d1, d2, d3)`; default `image_data_format()`.
        seed: an int seed for repeatable masks.

    Output shape: the input's. The identity at inference.
    """

    _rank = 5
