"""`Dot` and `dot()`: per-sample dot products between two tensors."""

import jax
import jax.numpy as jnp

from lamina._src.layers.merging.base_merge import Merge
from lamina._src.saving import registry

# Keras's floor on the norm when `normalize=True` (its `backend.epsilon()` default).
_NORM_EPSILON = 1e-7


def _l2_normalize(x, axis):
    inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv_norm, 1.0 / _NORM_EPSILON)


@registry.register("layers")
class Dot(Merge):
    """Per-sample dot product of two inputs, contracting `axes[0]` of `x1` with `axes[1]` of `x2`.

    The output's axes are the batch, `x1`'s remaining axes, then `x2`'s remaining axes; a result
    with only the batch axis gets a trailing axis of size 1. For `x1 (b, n, d)` and
    `x2 (b, m, d)`, `Dot(axes=2)` gives `(b, n, m)`; for two `(b, d)` inputs, `Dot(axes=1)`
    gives `(b, 1)`.

    Args:
        axes: an int (the same axis of both inputs) or a pair `(axis1, axis2)`; never the batch
            axis 0. Negative values count from the end.
        normalize: L2-normalise both inputs along the contracted axes first, so the result is the
            cosine similarity.

    Raises:
        ValueError: for a list of other than 2 inputs or contracted axes of different sizes.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, list | tuple):
                raise TypeError(
                    f"Dot '{self.name}': axes must be an int or a list of 2 ints, received "
                    f"axes={axes!r}."
                )
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    f"Dot '{self.name}': axes must be an int or a list of 2 ints, received "
                    f"axes={axes!r}."
                )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, rank1, rank2):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        # As in Keras, an int axis is only wrapped when negative; a pair is wrapped per entry.
        return [axes[0] % rank1 if axes[0] < 0 else axes[0],
                axes[1] % rank2 if axes[1] < 0 else axes[1]]

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Dot) must be called on a list of exactly 2 inputs, '
                f"received input_shape={[tuple(s) for s in input_shape]}"
            )
        shape1, shape2 = input_shape
        a1, a2 = self._resolved_axes(len(shape1), len(shape2))
        if 0 in (a1, a2) or a1 >= len(shape1) or a2 >= len(shape2):
            raise ValueError(
                f'Layer "{self.name}" (Dot): axes={self.axes} must name a non-batch axis of each '
                f"input; received input shapes {tuple(shape1)} and {tuple(shape2)}."
            )
        d1, d2 = shape1[a1], shape2[a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(
                f'Layer "{self.name}" (Dot): incompatible input shapes: axis {a1} of the first '
                f"({d1}) != axis {a2} of the second ({d2}). Full input shapes: {tuple(shape1)}, "
                f"{tuple(shape2)}"
            )

    def call(self, inputs, mask=None):
        if not isinstance(inputs, list | tuple) or len(inputs) != 2:
            raise ValueError(f'Layer "{self.name}" (Dot) must be called on a list of 2 inputs.')
        x1, x2 = inputs
        a1, a2 = self._resolved_axes(x1.ndim, x2.ndim)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        out = jax.lax.dot_general(x1, x2, (((a1,), (a2,)), ((0,), (0,))))
        return out[:, None] if out.ndim == 1 else out

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._resolved_axes(len(shape1), len(shape2))
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        out = shape1 + shape2
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`: `dot([x1, x2], axes=-1, normalize=False)`."""
    return Dot(axes=axes, **kwargs)(inputs)
