"""Convolution layers: `Conv*D`, `Conv*DTranspose`, `DepthwiseConv*D`, `SeparableConv*D`."""

from lamina._src.layers.convolutional.conv import Conv1D as Conv1D
from lamina._src.layers.convolutional.conv import Conv2D as Conv2D
from lamina._src.layers.convolutional.conv import Conv3D as Conv3D
from lamina._src.layers.convolutional.conv import Convolution1D as Convolution1D
from lamina._src.layers.convolutional.conv import Convolution2D as Convolution2D
from lamina._src.layers.convolutional.conv import Convolution3D as Convolution3D
from lamina._src.layers.convolutional.conv_transpose import Conv1DTranspose as Conv1DTranspose
from lamina._src.layers.convolutional.conv_transpose import Conv2DTranspose as Conv2DTranspose
from lamina._src.layers.convolutional.conv_transpose import Conv3DTranspose as Conv3DTranspose
from lamina._src.layers.convolutional.conv_transpose import (
    Convolution1DTranspose as Convolution1DTranspose,
)
from lamina._src.layers.convolutional.conv_transpose import (
    Convolution2DTranspose as Convolution2DTranspose,
)
from lamina._src.layers.convolutional.conv_transpose import (
    Convolution3DTranspose as Convolution3DTranspose,
)
from lamina._src.layers.convolutional.depthwise_conv import DepthwiseConv1D as DepthwiseConv1D
from lamina._src.layers.convolutional.depthwise_conv import DepthwiseConv2D as DepthwiseConv2D
from lamina._src.layers.convolutional.separable_conv import SeparableConv1D as SeparableConv1D
from lamina._src.layers.convolutional.separable_conv import SeparableConv2D as SeparableConv2D
from lamina._src.layers.convolutional.separable_conv import (
    SeparableConvolution1D as SeparableConvolution1D,
)
from lamina._src.layers.convolutional.separable_conv import (
    SeparableConvolution2D as SeparableConvolution2D,
)

__all__ = [
    "Conv1D", "Conv2D", "Conv3D",
    "Convolution1D", "Convolution2D", "Convolution3D",
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
    "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D",
    "SeparableConvolution1D", "SeparableConvolution2D",
]
