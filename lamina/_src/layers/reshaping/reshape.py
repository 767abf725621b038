"""`Reshape`: give each sample a new shape."""

import math

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class Reshape(Layer):
    """Reshapes each sample to `target_shape` (no batch axis; one entry may be -1).

    Example: `Reshape((3, 4))` turns `(batch, 12)` into `(batch, 3, 4)`.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(
                f"Reshape '{self.name}': at most one dimension of target_shape may be -1, "
                f"received {target_shape}."
            )
        self.target_shape = target_shape
        self.built = True

    def _resolved(self, input_shape):
        if -1 not in self.target_shape:
            return self.target_shape
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        total = math.prod(rest)
        if known == 0 or total % known:
            raise ValueError(
                f"Reshape '{self.name}': cannot reshape input of shape {tuple(input_shape)} to "
                f"target_shape {self.target_shape}: the total size {total} is not divisible by {known}."
            )
        return tuple(total // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs):
        target = self._resolved(inputs.shape)
        return jnp.reshape(inputs, (inputs.shape[0], *(-1 if d is None else d for d in target)))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if None not in rest:
            total, target = math.prod(rest), self._resolved(input_shape)
            if math.prod(target) != total:
                raise ValueError(
                    f"Reshape '{self.name}': the total size of the input shape {tuple(input_shape)} "
                    f"({total}) does not match target_shape {self.target_shape}."
                )
            return (input_shape[0], *target)
        return (input_shape[0], *self._resolved(input_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
