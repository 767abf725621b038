"""`ELU`: the exponential linear unit."""

from lamina._src import activations
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class ELU(Layer):
    """`f(x) = x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        alpha: the saturation value for negative inputs is `-alpha` (default 1.0).

    Input shape: any. Output shape: the input's.

    Note: Keras 3's `ELU.get_config()` omits `alpha`, so its files lose a non-default value;
    lamina writes it (Keras reads it back fine).
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
