"""`GlobalMaxPooling1D`, `GlobalMaxPooling2D`, `GlobalMaxPooling3D` (and `GlobalMaxPool*D`)."""

import jax.numpy as jnp

from lamina._src.layers.pooling.base_global_pooling import BaseGlobalPooling
from lamina._src.saving import registry


class _GlobalMaxPooling(BaseGlobalPooling):
    def _reduce(self, inputs, axes):
        return jnp.max(inputs, axis=axes, keepdims=self.keepdims)


@registry.register("layers", "GlobalMaxPool1D")
class GlobalMaxPooling1D(_GlobalMaxPooling):
    """The maximum over all steps: `(batch, steps, C) -> (batch, C)`.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, steps)`).
        keepdims: keep the steps axis with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)


@registry.register("layers", "GlobalMaxPool2D")
class GlobalMaxPooling2D(_GlobalMaxPooling):
    """The maximum over all positions of an image: `(batch, H, W, C) -> (batch, C)`.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, H, W)`).
        keepdims: keep the spatial axes with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


@registry.register("layers", "GlobalMaxPool3D")
class GlobalMaxPooling3D(_GlobalMaxPooling):
    """The maximum over all positions of a volume: `(batch, D1, D2, D3, C) -> (batch, C)`.

    Args:
        data_format: `"channels_last"` or `"channels_first"` (`(batch, C, D1, D2, D3)`).
        keepdims: keep the spatial axes with size 1.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
