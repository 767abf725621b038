"""`Maximum` / `Minimum` and `maximum()` / `minimum()`: elementwise extremes of a list of inputs."""

import jax.numpy as jnp

from lamina._src.layers.merging.base_merge import Merge, masks_for
from lamina._src.saving import registry


def _masked_reduce(op, inputs, masks):
    """Fold `op` over the inputs, ignoring masked positions (Keras's rule).

    A masked position of an input takes the running result's value, and a position masked in
    the running result takes the input's, so masked values never win. Once some input has no
    mask, the running result counts as fully valid.
    """
    output, output_mask = None, None
    for x, m in zip(inputs, masks_for(inputs, masks)):
        if output is None:
            output, output_mask = x, m
            continue
        if m is not None:
            x = jnp.where(m, x, output)
        if output_mask is not None:
            output = jnp.where(output_mask, output, x)
        output_mask = jnp.logical_or(output_mask, m) if m is not None and output_mask is not None else None
        output = op(output, x)
    return output


@registry.register("layers")
class Maximum(Merge):
    """`Maximum()([x1, ..., xn])` is the elementwise maximum; masked positions do not compete."""

    def _merge_function(self, inputs, masks=None):
        return _masked_reduce(jnp.maximum, inputs, masks)


@registry.register("layers")
class Minimum(Merge):
    """`Minimum()([x1, ..., xn])` is the elementwise minimum; masked positions do not compete."""

    def _merge_function(self, inputs, masks=None):
        return _masked_reduce(jnp.minimum, inputs, masks)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: `maximum([x1, x2])`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: `minimum([x1, x2])`."""
    return Minimum(**kwargs)(inputs)
