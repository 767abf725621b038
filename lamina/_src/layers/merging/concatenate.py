"""`Concatenate` and `concatenate()`: join a list of inputs along an axis."""

import jax.numpy as jnp

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.ops import numpy as ops
from lamina._src.saving import registry


@registry.register("layers")
class Concatenate(Merge):
    """Concatenates a list of inputs along `axis` (default -1); other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge_function(self, inputs, masks=None):
        return jnp.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank
        for s in shapes:
            if len(s) != rank:
                raise ValueError(
                    f'Layer "{self.name}" (Concatenate) requires inputs of the same rank; received '
                    f"input shapes {shapes}."
                )
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, d in enumerate(s):
                if i == axis:
                    out[i] = None if out[i] is None or d is None else out[i] + d
                elif i > 0 and out[i] is not None and d is not None and out[i] != d:
                    raise ValueError(
                        f'Layer "{self.name}" (Concatenate) requires inputs with matching shapes '
                        f"except for the concatenation axis. Received: input_shape={shapes}"
                    )
                elif out[i] is None:
                    out[i] = d
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: each input's mask is broadcast over its own last axis, the masks are
        concatenated like the inputs, and a position is kept if any of its features is.

        Concatenating on the features axis therefore ORs the masks; on the time axis it
        concatenates them.
        """
        if mask is None:
            return None
        if not isinstance(mask, list | tuple) or len(mask) != len(inputs):
            raise ValueError(
                f'Layer "{self.name}" (Concatenate): the mask must be a list with one entry per '
                f"input ({len(inputs)}), received mask={mask!r}."
            )
        if all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif len(m.shape) < len(x.shape):
                full.append(ops.logical_or(ops.expand_dims(m, -1), ops.zeros_like(x, dtype="bool")))
            else:
                full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([x1, x2], axis=-1)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
