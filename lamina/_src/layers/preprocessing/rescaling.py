"""`Rescaling`: `inputs * scale + offset`, e.g. pixels from [0, 255] to [0, 1]."""

import jax.numpy as jnp
import numpy as np

from lamina._src.backend.config import image_data_format
from lamina._src.layers.layer import Layer
from lamina._src.saving import config_arrays, registry


def serialize_array_arg(value):
    """A constructor argument for a config: numpy arrays become Keras's `__numpy__` envelope."""
    if isinstance(value, np.ndarray | np.generic):
        return {"class_name": "__numpy__",
                "config": {"value": np.asarray(value).tolist(), "dtype": str(value.dtype)}}
    return value


def deserialize_array_arg(value, what: str = "an array argument"):
    """The inverse of `serialize_array_arg` (checked by `config_arrays.decode_array`)."""
    if config_arrays.is_array_envelope(value):
        return config_arrays.decode_array(value, what)
    return value


@registry.register("layers")
class Rescaling(Layer):
    """Multiplies the inputs by `scale` and adds `offset`, in the compute dtype.

    `scale=1/255` maps [0, 255] to [0, 1]; `scale=1/127.5, offset=-1` maps it to [-1, 1].
    Integer inputs give float outputs.

    Args:
        scale: a float, or an array broadcast against the inputs (per channel, say). With
            `image_data_format() == "channels_first"`, a non-scalar scale is aligned with the
            channel axis of `(channels, height, width)`.
        offset: a float or an array added after scaling.

    Input shape: any. Output shape: the same.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = jnp.asarray(self.scale, dtype)
        offset = jnp.asarray(self.offset, dtype)
        if scale.ndim > 0 and image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        return jnp.asarray(inputs).astype(dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": serialize_array_arg(self.scale),
                "offset": serialize_array_arg(self.offset)}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["scale"] = deserialize_array_arg(config["scale"], "the `scale` of a Rescaling layer")
        config["offset"] = deserialize_array_arg(config.get("offset", 0.0),
                                                 "the `offset` of a Rescaling layer")
        return cls(**config)
