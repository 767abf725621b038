"""`Dropout`: zero a random fraction of the inputs while training, scaling the rest."""

import jax
import jax.numpy as jnp

from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class Dropout(Layer):
    """Sets inputs to 0 with probability `rate` during training and scales the kept ones by
    `1 / (1 - rate)`; the identity at inference.

    Args:
        rate: the fraction of inputs to drop, in [0, 1).
        noise_shape: the shape of the keep mask, broadcast against the input (None entries take
            the input's size), e.g. `(batch, 1, features)` to drop the same features at every
            timestep.
        seed: an int seed for repeatable masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"Dropout '{self.name}': rate must be a float in [0, 1], received rate={rate!r}."
            )
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.built = True

    def _resolved_noise_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        return tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.seed_generator.next(), keep,
                                    self._resolved_noise_shape(inputs))
        return jnp.where(mask, inputs / jnp.asarray(keep, inputs.dtype), jnp.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
