"""`ReLU`: the rectified linear unit, optionally leaky, capped and shifted."""

from lamina._src import activations
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


@registry.register("layers")
class ReLU(Layer):
    """Rectified linear unit:

        f(x) = max_value                          if x >= max_value
        f(x) = x                                  if threshold <= x < max_value
        f(x) = negative_slope * (x - threshold)   otherwise

    Args:
        max_value: the largest output (>= 0), or None for no cap.
        negative_slope: the slope below the threshold (>= 0).
        threshold: values below it are damped or zeroed (>= 0).

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value, optional in (("max_value", max_value, True),
                                     ("negative_slope", negative_slope, False),
                                     ("threshold", threshold, False)):
            if (value is None and not optional) or (value is not None and value < 0):
                raise ValueError(
                    f"ReLU '{self.name}': {arg} must be a number >= 0"
                    f"{' or None' if optional else ''}, received {arg}={value!r}."
                )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
