"""Merge layers (`Add` and `Concatenate` are exported directly by `lamina.layers`)."""

from lamina._src.layers.merging.average import Average as Average
from lamina._src.layers.merging.average import average as average
from lamina._src.layers.merging.dot import Dot as Dot
from lamina._src.layers.merging.dot import dot as dot
from lamina._src.layers.merging.min_max import Maximum as Maximum
from lamina._src.layers.merging.min_max import Minimum as Minimum
from lamina._src.layers.merging.min_max import maximum as maximum
from lamina._src.layers.merging.min_max import minimum as minimum
from lamina._src.layers.merging.multiply import Multiply as Multiply
from lamina._src.layers.merging.multiply import multiply as multiply
from lamina._src.layers.merging.subtract import Subtract as Subtract
from lamina._src.layers.merging.subtract import subtract as subtract

__all__ = [
    "Average",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "average",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
