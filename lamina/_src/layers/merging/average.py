"""`Average` and `average()`: the elementwise mean of a list of inputs."""

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.saving import registry


@registry.register("layers")
class Average(Merge):
    """`Average()([x1, ..., xn])` is `(x1 + ... + xn) / n` (masks do not change the values)."""

    def _merge_function(self, inputs, masks=None):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: `average([x1, x2])`."""
    return Average(**kwargs)(inputs)
