"""`TimeDistributed`: applies a layer to every timestep of a sequence."""

import copy

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object


@registry.register("layers")
class TimeDistributed(Layer):
    """Applies `layer` to each slice `inputs[:, t]` of a `(batch, timesteps, ...)` input, with
    the same weights at every timestep.

    The timesteps are folded into the batch (`(batch * timesteps, ...)`), the layer runs once,
    and the result is unfolded: one call instead of a loop, and the same numbers for any layer
    that treats samples independently (Dense, Conv2D, ...). A layer computing statistics over
    its batch (BatchNormalization in training) sees `batch * timesteps` samples at once rather
    than one batch per timestep as in Keras.

    Args:
        layer: the layer to apply (e.g. `Dense(10)`).

    Input shape: `(batch, timesteps, ...)`, at least 3D. Output shape: `(batch, timesteps, ...)`
    with the trailing axes of `layer`'s output. A `(batch, timesteps, ...)` mask is folded the
    same way and passed on to `layer` when it takes one.

    Example:
        >>> layer = TimeDistributed(Dense(8))
        >>> layer(np.zeros((32, 10, 16), "float32")).shape
        (32, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"TimeDistributed needs a layer instance (e.g. `Dense(10)`), received {layer!r}."
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, list | tuple) or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}' needs inputs of at least 3 dimensions "
                f"(batch, timesteps, ...), received input shape {input_shape}."
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        child_shape = self._child_input_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child_shape)
            self.layer.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child = tuple(self.layer.compute_output_shape(self._child_input_shape(input_shape)))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        folded = jnp.reshape(inputs, (batch * steps, *inputs.shape[2:]))
        kwargs = {}
        if self.layer._call_has_training_arg:
            kwargs["training"] = training
        if mask is not None and self.layer._call_has_mask_arg:
            mask = jnp.asarray(mask)
            if mask.ndim < 2 or tuple(mask.shape[:2]) != (batch, steps):
                raise ValueError(
                    f"TimeDistributed '{self.name}': the mask must start with the input's "
                    f"(batch, timesteps) = ({batch}, {steps}) axes, received mask shape "
                    f"{tuple(mask.shape)}."
                )
            kwargs["mask"] = jnp.reshape(mask, (batch * steps, *mask.shape[2:]))
        outputs = self.layer.call(folded, **kwargs)
        return jnp.reshape(outputs, (batch, steps, *outputs.shape[1:]))

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        return cls(**config)
