"""Reshaping layers (`Flatten` and `Reshape` are exported directly by `lamina.layers`)."""

from lamina._src.layers.reshaping.cropping import Cropping1D as Cropping1D
from lamina._src.layers.reshaping.cropping import Cropping2D as Cropping2D
from lamina._src.layers.reshaping.cropping import Cropping3D as Cropping3D
from lamina._src.layers.reshaping.permute import Permute as Permute
from lamina._src.layers.reshaping.repeat_vector import RepeatVector as RepeatVector
from lamina._src.layers.reshaping.up_sampling1d import UpSampling1D as UpSampling1D
from lamina._src.layers.reshaping.up_sampling2d import UpSampling2D as UpSampling2D
from lamina._src.layers.reshaping.up_sampling3d import UpSampling3D as UpSampling3D
from lamina._src.layers.reshaping.zero_padding import ZeroPadding1D as ZeroPadding1D
from lamina._src.layers.reshaping.zero_padding import ZeroPadding2D as ZeroPadding2D
from lamina._src.layers.reshaping.zero_padding import ZeroPadding3D as ZeroPadding3D

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Permute",
    "RepeatVector",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
