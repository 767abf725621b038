"""`Activation`: applies an activation function to its input."""

from lamina._src import activations
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class Activation(Layer):
    """Applies `activation` (a name such as `"relu"`, or a function) elementwise."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
