"""`GlobalAveragePooling1D`/`2D`/`3D` (and `GlobalAvgPool*D`); the 1D one honours a mask."""

import jax.numpy as jnp

from lamina._src.layers.pooling.base_global_pooling import BaseGlobalPooling
from lamina._src.saving import registry


class _GlobalAveragePooling(BaseGlobalPooling):
    def _reduce(self, inputs, axes):
        return jnp.mean(inputs, axis=axes, keepdims=self.keepdims)


@registry.register("layers", "GlobalAvgPool1D")
class GlobalAveragePooling1D(_GlobalAveragePooling):
    """The mean over all steps: `(batch, steps, C) -> (batch, C)`.

    With a mask `(batch, steps)` (e.g. from `Embedding(mask_zero=True)`), masked steps are left
    out: `out[b, c] = sum_t mask[b, t] * x[b, t, c] / sum_t mask[b, t]`. The output carries no
    mask.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, steps)`).
        keepdims: keep the steps axis with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return self._reduce(inputs, self._axes)
        steps_axis = self._axes[0]
        keep = jnp.expand_dims(mask.astype(bool), 2 if steps_axis == 1 else 1)
        weights = keep.astype(inputs.dtype)
        total = jnp.sum(jnp.where(keep, inputs, 0), axis=steps_axis, keepdims=self.keepdims)
        return total / jnp.sum(weights, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


@registry.register("layers", "GlobalAvgPool2D")
class GlobalAveragePooling2D(_GlobalAveragePooling):
    """The mean over all positions of an image: `(batch, H, W, C) -> (batch, C)`.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, H, W)`).
        keepdims: keep the spatial axes with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


@registry.register("layers", "GlobalAvgPool3D")
class GlobalAveragePooling3D(_GlobalAveragePooling):
    """The mean over all positions of a volume: `(batch, D1, D2, D3, C) -> (batch, C)`.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, D1, D2, D3)`).
        keepdims: keep the spatial axes with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
