"""`Merge`: the base of layers that combine a list of same-shaped tensors elementwise."""

import jax.numpy as jnp

from lamina._src.layers.layer import Layer


class Merge(Layer):
    """Combines a list of inputs with `_merge_function`; shapes broadcast as in Keras."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _check_inputs(self, input_shape):
        if not isinstance(input_shape, list | tuple) or not input_shape or not isinstance(input_shape[0], list | tuple):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) must be called on a list of inputs, '
                f"received input shape {input_shape}."
            )
        if len(input_shape) < 1:
            raise ValueError(f'Layer "{self.name}" needs at least 1 input, received {len(input_shape)}.')

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = max(len(s) for s in shapes)
        out = []
        for axis in range(1, rank + 1):
            dims = [s[-axis] for s in shapes if len(s) >= axis]
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}) requires inputs with matching '
                    f"shapes except for the batch dimension. Received: input_shape={shapes}"
                )
            if known:
                out.append(known.pop())
            elif any(d is None for d in dims):
                out.append(None)
            else:
                out.append(1)
        return tuple(reversed(out))

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [m for m in mask if m is not None]
        result = masks[0]
        for m in masks[1:]:
            result = jnp.logical_and(result, m)
        return result
