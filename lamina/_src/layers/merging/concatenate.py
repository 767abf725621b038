"""`Concatenate` and `concatenate()`: join a list of inputs along an axis."""

import jax.numpy as jnp

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.saving import registry


@registry.register("layers")
class Concatenate(Merge):
    """Concatenates a list of inputs along `axis` (default -1); other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge_function(self, inputs):
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
        if mask is None or all(m is None for m in mask):
            return None
        masks = [jnp.ones(x.shape[: len(x.shape) - 1], dtype=bool) if m is None else m
                 for x, m in zip(inputs, mask)]
        if self.axis in (-1, len(inputs[0].shape) - 1):
            return jnp.all(jnp.stack(masks, axis=0), axis=0)
        return jnp.concatenate(masks, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([x1, x2], axis=-1)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
