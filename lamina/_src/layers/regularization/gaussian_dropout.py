"""`GaussianDropout`: multiply by one-centred Gaussian noise while training."""

import math

import jax

from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class GaussianDropout(Layer):
    """`y = x * n`, `n ~ Normal(1, rate / (1 - rate))` drawn afresh at every training call; the
    identity at inference. The noise has the mean and variance of the rescaled Bernoulli mask of
    `Dropout(rate)`.

    Args:
        rate: the equivalent dropout rate, in [0, 1].
        seed: an int seed for repeatable noise.

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"GaussianDropout '{self.name}': rate must be a float in [0, 1], received "
                f"rate={rate!r}."
            )
        self.rate = rate
        self.seed = seed
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = jax.random.normal(self.seed_generator.next(), inputs.shape, self.compute_dtype)
        return inputs * (1.0 + noise * stddev)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
