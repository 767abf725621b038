"""`Add` and `add()`: elementwise sum of a list of inputs."""

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.saving import registry


@registry.register("layers")
class Add(Merge):
    """Sums a list of inputs of the same shape: `Add()([x1, x2])`."""

    def _merge_function(self, inputs, masks=None):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2])`."""
    return Add(**kwargs)(inputs)
