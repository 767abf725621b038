"""Activation layers (`LeakyReLU` is exported directly by `lamina.layers`)."""

from lamina._src.layers.activations.elu import ELU as ELU
from lamina._src.layers.activations.prelu import PReLU as PReLU
from lamina._src.layers.activations.relu import ReLU as ReLU
from lamina._src.layers.activations.softmax import Softmax as Softmax

__all__ = ["ELU", "PReLU", "ReLU", "Softmax"]
