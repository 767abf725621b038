"""Attention layers: dot-product, additive and multi-head attention, and `EinsumDense`."""

from lamina._src.layers.attention.additive_attention import AdditiveAttention
from lamina._src.layers.attention.attention import Attention
from lamina._src.layers.attention.einsum_dense import EinsumDense
from lamina._src.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "EinsumDense", "MultiHeadAttention"]
