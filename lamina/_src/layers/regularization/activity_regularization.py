"""`ActivityRegularization`: the identity, plus an L1/L2 penalty on its output."""

from lamina._src import regularizers
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class ActivityRegularization(Layer):
    """Returns its input unchanged and adds `l1 * sum(|x|) + l2 * sum(x^2)`, divided by the batch
    size, to the layer's losses.

    Args:
        l1: the L1 factor (>= 0).
        l2: the L2 factor (>= 0).

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)  # rebuilt from l1 / l2
        return {**config, "l1": self.l1, "l2": self.l2}
