"""`Masking`: mark timesteps whose features all equal `mask_value` as padding."""

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.ops import numpy as ops
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object


@registry.register("layers")
class Masking(Layer):
    """Masks a sequence: a timestep is skipped when all its features equal `mask_value`.

    For an input `(batch, timesteps, features)` the emitted mask is
    `any(inputs != mask_value, axis=-1)` `(batch, timesteps)`; masked timesteps are also set to
    zero in the output. Layers after it that support masks (LSTM, GRU, ...) skip them.

    Args:
        mask_value: the padding value (default 0.0).

    Example:
        >>> x = np.array([[[1.0], [0.0], [2.0]]], "float32")
        >>> Masking(0.0).compute_mask(x)   # [[True, False, True]]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config") is not None:
            mask_value = deserialize_keras_object(mask_value)  # a serialized tensor
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return jnp.where(keep, inputs, jnp.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
