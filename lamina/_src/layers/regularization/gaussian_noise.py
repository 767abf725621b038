"""`GaussianNoise`: add zero-centred Gaussian noise while training."""

import jax

from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class GaussianNoise(Layer):
    """`y = x + n`, `n ~ Normal(0, stddev^2)` drawn afresh at every training call; the identity
    at inference. A regulariser and a form of data augmentation for real-valued inputs.

    Args:
        stddev: the noise's standard deviation, in [0, 1].
        seed: an int seed for repeatable noise.

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError(
                f"GaussianNoise '{self.name}': stddev must be a float in [0, 1], received "
                f"stddev={stddev!r}."
            )
        self.stddev = stddev
        self.seed = seed
        if stddev > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = jax.random.normal(self.seed_generator.next(), inputs.shape, self.compute_dtype)
        return inputs + noise * self.stddev

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
