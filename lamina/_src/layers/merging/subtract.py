"""`Subtract` and `subtract()`: the difference of exactly two inputs."""

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.saving import registry


@registry.register("layers")
class Subtract(Merge):
    """`Subtract()([x1, x2])` is `x1 - x2` (shapes broadcast as in every merge layer).

    Raises:
        ValueError: if called on anything but a list of exactly 2 inputs.
    """

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Subtract) must be called on exactly 2 inputs, received '
                f"{len(input_shape)}: input_shape={[tuple(s) for s in input_shape]}"
            )

    def _merge_function(self, inputs, masks=None):
        if len(inputs) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Subtract) must be called on exactly 2 inputs, received '
                f"{len(inputs)}."
            )
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([x1, x2])` is `x1 - x2`."""
    return Subtract(**kwargs)(inputs)
