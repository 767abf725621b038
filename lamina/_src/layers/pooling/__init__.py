"""Pooling layers: `MaxPooling*D`, `AveragePooling*D`, `GlobalMaxPooling*D`,
`GlobalAveragePooling*D`, and their Keras aliases (`MaxPool2D`, `GlobalAvgPool1D`, ...)."""

from lamina._src.layers.pooling.average_pooling import AveragePooling1D as AveragePooling1D
from lamina._src.layers.pooling.average_pooling import AveragePooling2D as AveragePooling2D
from lamina._src.layers.pooling.average_pooling import AveragePooling3D as AveragePooling3D
from lamina._src.layers.pooling.average_pooling import AvgPool1D as AvgPool1D
from lamina._src.layers.pooling.average_pooling import AvgPool2D as AvgPool2D
from lamina._src.layers.pooling.average_pooling import AvgPool3D as AvgPool3D
from lamina._src.layers.pooling.global_average_pooling import (
    GlobalAveragePooling1D as GlobalAveragePooling1D,
)
from lamina._src.layers.pooling.global_average_pooling import (
    GlobalAveragePooling2D as GlobalAveragePooling2D,
)
from lamina._src.layers.pooling.global_average_pooling import (
    GlobalAveragePooling3D as GlobalAveragePooling3D,
)
from lamina._src.layers.pooling.global_average_pooling import GlobalAvgPool1D as GlobalAvgPool1D
from lamina._src.layers.pooling.global_average_pooling import GlobalAvgPool2D as GlobalAvgPool2D
from lamina._src.layers.pooling.global_average_pooling import GlobalAvgPool3D as GlobalAvgPool3D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPool1D as GlobalMaxPool1D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPool2D as GlobalMaxPool2D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPool3D as GlobalMaxPool3D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPooling1D as GlobalMaxPooling1D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPooling2D as GlobalMaxPooling2D
from lamina._src.layers.pooling.global_max_pooling import GlobalMaxPooling3D as GlobalMaxPooling3D
from lamina._src.layers.pooling.max_pooling import MaxPool1D as MaxPool1D
from lamina._src.layers.pooling.max_pooling import MaxPool2D as MaxPool2D
from lamina._src.layers.pooling.max_pooling import MaxPool3D as MaxPool3D
from lamina._src.layers.pooling.max_pooling import MaxPooling1D as MaxPooling1D
from lamina._src.layers.pooling.max_pooling import MaxPooling2D as MaxPooling2D
from lamina._src.layers.pooling.max_pooling import MaxPooling3D as MaxPooling3D

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "MaxPool1D", "MaxPool2D", "MaxPool3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
]
