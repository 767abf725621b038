"""`AlphaDropout`: dropout that keeps the mean and variance of SELU activations."""

import jax
import jax.numpy as jnp

from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry

# SELU's constants: a dropped unit is set to SELU's negative saturation -alpha * scale.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@registry.register("layers")
class AlphaDropout(Layer):
    """While training, sets a fraction `rate` of the inputs to `alpha' = -alpha * scale` (SELU's
    saturation value) and applies the affine map `a * x + b` that restores zero mean and unit
    variance:

        a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5,   b = -a * alpha' * rate

    The identity at inference. Meant for self-normalising networks (SELU + lecun_normal).

    Args:
        rate: the fraction of inputs to drop, in [0, 1].
        noise_shape: the shape of the keep mask, broadcast against the input (None entries take
            the input's size).
        seed: an int seed for repeatable masks.

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"AlphaDropout '{self.name}': rate must be a float in [0, 1], received "
                f"rate={rate!r}."
            )
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def _resolved_noise_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        return tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        uniform = jax.random.uniform(self.seed_generator.next(), self._resolved_noise_shape(inputs))
        kept = (uniform >= self.rate).astype(inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return jnp.asarray(a * x + b, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
