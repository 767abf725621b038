"""Preprocessing layers that live inside models: rescaling, normalization, crops and resizes."""

from lamina._src.layers.preprocessing.center_crop import CenterCrop
from lamina._src.layers.preprocessing.normalization import Normalization
from lamina._src.layers.preprocessing.rescaling import Rescaling
from lamina._src.layers.preprocessing.resizing import Resizing

__all__ = ["CenterCrop", "Normalization", "Rescaling", "Resizing"]
