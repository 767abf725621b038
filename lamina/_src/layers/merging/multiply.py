"""`Multiply` and `multiply()`: the elementwise product of a list of inputs."""

import jax.numpy as jnp

from lamina._src.layers.merging.base_merge import Merge, masks_for
from lamina._src.saving import registry


@registry.register("layers")
class Multiply(Merge):
    """`Multiply()([x1, ..., xn])` is `x1 * ... * xn`.

    With masks (Keras's rule): a masked position of an input counts as 1, so it does not affect
    the product; when every input has a mask, positions masked in all inputs become 0.
    """

    def _merge_function(self, inputs, masks=None):
        full = masks_for(inputs, masks)
        all_masked = all(m is not None for m in full)
        output, output_mask = None, None
        for x, m in zip(inputs, full):
            if m is not None:
                x = jnp.where(m, x, jnp.ones((), x.dtype))
                if all_masked:
                    output_mask = m if output_mask is None else jnp.logical_or(output_mask, m)
            output = x if output is None else output * x
        if all_masked:
            output = jnp.where(output_mask, output, jnp.zeros((), output.dtype))
        return output


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: `multiply([x1, x2])`."""
    return Multiply(**kwargs)(inputs)
