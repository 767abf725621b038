"""`PReLU`: a leaky ReLU whose negative slope is learned."""

import jax

from lamina._src import constraints, initializers, regularizers
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


@registry.register("layers")
class PReLU(Layer):
    """Parametric ReLU: `f(x) = x` for `x >= 0`, `alpha * x` otherwise, with `alpha` a learned
    array shaped like one sample (or shared along `shared_axes`).

    Args:
        alpha_initializer: the initializer of `alpha` (default zeros: a plain ReLU at first).
        alpha_regularizer: a penalty on `alpha`.
        alpha_constraint: a projection applied to `alpha`.
        shared_axes: the non-batch axes along which one `alpha` is shared, e.g. `[1, 2]` for one
            slope per channel of `(batch, rows, cols, channels)` feature maps.

    Weights: `alpha`, shape `input_shape[1:]` with the shared axes set to 1.
    Input shape: any. Output shape: the input's.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, list | tuple):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU '{self.name}': shared_axes must be non-batch axes (1..."
                    f"{len(input_shape) - 1}) of the input, received shared_axes="
                    f"{self.shared_axes} for input shape {tuple(input_shape)}."
                )
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"PReLU '{self.name}': every non-batch axis that is not in shared_axes must have a "
                f"known size, received input shape {tuple(input_shape)}."
            )
        self.alpha = self.add_weight(name="alpha", shape=param_shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape))
                    if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        # relu(x) - alpha * relu(-x), the form Keras computes (it fixes the gradient at 0).
        return jax.nn.relu(inputs) - self.alpha.value * jax.nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": serialize_keras_object(self.alpha_initializer),
                "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
                "alpha_constraint": serialize_keras_object(self.alpha_constraint),
                "shared_axes": self.shared_axes}
