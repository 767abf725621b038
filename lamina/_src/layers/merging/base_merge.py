"""`Merge`: the base of layers that combine a list of tensors elementwise."""

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.ops import numpy as ops


class Merge(Layer):
    """Combines a list of inputs with `_merge_function`, as Keras's merge layers do.

    Shapes: the non-batch axes broadcast against each other, aligned on the right
    (`(b, 3)` with `(b, 4, 3)` gives `(b, 4, 3)`). At call time an input of lower rank gets
    size-1 axes inserted after the batch axis (Keras's rule), so `(b, 1)` with `(b, 4, 3)`
    gives `(b, 4, 3)` too.

    Masks: the output mask is the OR of the input masks (None if any input has none).
    Subclasses whose result depends on masks (`Multiply`, `Maximum`, `Minimum`) read them from
    the `masks` argument of `_merge_function`.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs, masks=None):
        raise NotImplementedError

    def _check_inputs(self, input_shape):
        if (not isinstance(input_shape, list | tuple) or not input_shape
                or not all(isinstance(s, list | tuple) for s in input_shape)):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) must be called on a list of at '
                f"least 1 input, received input shape {input_shape}."
            )
        batch_sizes = {s[0] for s in input_shape if len(s)} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) cannot merge tensors with different '
                f"batch sizes. Received input shapes {[tuple(s) for s in input_shape]}"
            )

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) must be called on a list of inputs, '
                f"received {type(inputs).__name__}."
            )
        inputs = list(inputs)
        rank = max(x.ndim for x in inputs)
        inputs = [jnp.reshape(x, (x.shape[0], *(1,) * (rank - x.ndim), *x.shape[1:]))
                  if 0 < x.ndim < rank else x for x in inputs]
        masks = None
        if mask is not None:
            masks = list(mask) if isinstance(mask, list | tuple) else [mask]
        return self._merge_function(inputs, masks)

    def _broadcast_shapes(self, shapes):
        """Right-aligned broadcast of non-batch shapes (Keras's output-shape rule)."""
        rank = max(len(s) for s in shapes)
        out = []
        for axis in range(1, rank + 1):
            dims = [s[-axis] for s in shapes if len(s) >= axis]
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}) received inputs with '
                    f"incompatible shapes: they must be equal or 1 on each non-batch axis. "
                    f"Received: input_shape={shapes}"
                )
            if any(d is None for d in dims):
                out.append(None)
            elif known:
                out.append(known.pop())
            else:
                out.append(1)
        return tuple(reversed(out))

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        batch_sizes = {s[0] for s in shapes if len(s)} - {None}
        batch = batch_sizes.pop() if batch_sizes else None
        return (batch, *self._broadcast_shapes([s[1:] for s in shapes]))

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, list | tuple) or len(mask) != len(inputs):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): the mask must be a list with one '
                f"entry per input ({len(inputs)}), received mask={mask!r}."
            )
        if any(m is None for m in mask):
            return None
        result = mask[0]
        for m in mask[1:]:
            result = ops.logical_or(result, m)
        return result


def masks_for(inputs, masks):
    """Per-input masks broadcast to the inputs' shapes (mask `(b, t)` -> `(b, t, features)`)."""
    if masks is None:
        return [None] * len(inputs)
    return [None if m is None else jnp.broadcast_to(jnp.expand_dims(m, -1), x.shape).astype(bool)
            for x, m in zip(inputs, masks)]
