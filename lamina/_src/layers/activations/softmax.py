"""`Softmax`: the softmax activation as a layer, with optional masking."""

import jax
import jax.numpy as jnp

from lamina._src import activations
from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


def _large_negative(dtype) -> float:
    """A logit that vanishes under softmax but does not overflow the dtype."""
    return -3e4 if standardize_dtype(dtype) == "float16" else -1e9


@registry.register("layers")
class Softmax(Layer):
    """`exp(x) / sum(exp(x))` along `axis`.

    Call arguments:
        inputs: the logits.
        mask: optional, broadcastable to `inputs` (bool, or numbers where > 0.5 means keep).
            Masked positions get probability 0; the others share the mass among themselves.
            A fully masked row gives all zeros.

    Args:
        axis: an int or a list of ints: the axes the probabilities sum to 1 over (default -1).

    Input shape: any. Output shape: the input's.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._checked_mask(inputs, mask)
            inputs = jnp.where(mask, inputs, jnp.asarray(_large_negative(inputs.dtype), inputs.dtype))
        if isinstance(self.axis, list | tuple) and len(self.axis) > 1:
            axis = tuple(self.axis)
            outputs = jnp.exp(inputs - jax.nn.logsumexp(inputs, axis=axis, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, list | tuple) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            # A fully masked row would otherwise come out uniform.
            outputs = jnp.where(mask, outputs, jnp.zeros((), outputs.dtype))
        return outputs

    def _checked_mask(self, inputs, mask):
        mask = jnp.asarray(mask)
        broadcastable = mask.ndim <= inputs.ndim and all(
            m in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1]))
        if not broadcastable:
            raise ValueError(
                f"Softmax '{self.name}': the mask must be broadcastable to the inputs (each mask "
                f"dimension 1 or equal to the input's, aligned on the right); received "
                f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}."
            )
        if mask.dtype != jnp.bool_:
            mask = mask > jnp.asarray(0.5, mask.dtype)
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
