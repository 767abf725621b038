"""The 8x8 handwritten digits data set (UCI, CC BY 4.0), bundled with lamina."""

from lamina._src.datasets.digits import load_data as load_data
