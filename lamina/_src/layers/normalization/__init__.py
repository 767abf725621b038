"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization."""

from lamina._src.layers.normalization.batch_normalization import (
    BatchNormalization as BatchNormalization,
)
from lamina._src.layers.normalization.group_normalization import (
    GroupNormalization as GroupNormalization,
)
from lamina._src.layers.normalization.layer_normalization import (
    LayerNormalization as LayerNormalization,
)
from lamina._src.layers.normalization.unit_normalization import (
    UnitNormalization as UnitNormalization,
)

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "UnitNormalization"]
