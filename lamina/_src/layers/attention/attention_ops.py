"""Scaled dot-product attention on `(batch, length, heads, dim)` tensors, as Keras's JAX backend
computes it (`jax.nn.dot_product_attention`, XLA implementation), with a faster gradient.

JAX differentiates that function through its vmap and its softmax written as `exp / sum`; on
XLA CPU the backward pass becomes a YNNPACK fusion of `dO V^T` with the softmax's derivative
that runs ~4x slower than the forward's fusion (the benchmark transformer step: 1.1 of 7.8
ms). `reverse_rule` states the derivative once, from the probabilities kept by the forward
pass: `dS = P * (dP - rowsum(dP * P))`. Attention forward and backward at 32 x 64 tokens,
4 heads of 16, inside a training loop: 2.27 -> 1.16 ms (2026-12-05).

A custom VJP serves reverse mode only, so `dot_product_attention` takes it only where the
traced code is differentiated that way (`autodiff.is_reverse_mode_only()`, training steps).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import autodiff


def dot_product_attention(query, key, value, mask, scale: float):
    """`softmax(Q K^T * scale, masked) V` per head; `mask` is None or boolean, broadcastable to
    `(batch, heads, query length, key length)`. A query whose keys are all masked attends to
    all of them uniformly, as in JAX and Keras."""
    if autodiff.is_reverse_mode_only() and not autodiff.is_concrete(query, key, value):
        return reverse_rule(query, key, value, mask, scale)
    return _xla(query, key, value, mask, scale)


def _xla(query, key, value, mask, scale):
    return jax.nn.dot_product_attention(query, key, value, mask=mask, scale=scale,
                                        implementation="xla")


@functools.partial(jax.custom_vjp, nondiff_argnums=(4,))
def reverse_rule(query, key, value, mask, scale):
    """`dot_product_attention` with a reverse-mode-only rule (`jax.jvp` of it raises)."""
    return _xla(query, key, value, mask, scale)


def _probabilities(query, key, mask, scale):
    """JAX's own steps: float32 logits, scaled, masked with a large negative, softmax."""
    logits_dtype = jnp.promote_types(query.dtype, jnp.float32)
    logits = jnp.einsum("btnh,bsnh->bnts", query, key, preferred_element_type=logits_dtype)
    logits = logits * jnp.asarray(scale, logits_dtype)
    if mask is not None:
        large_negative = -0.7 * min(float(jnp.finfo(logits_dtype).max),
                                    float(np.finfo(np.float32).max))
        logits = jnp.where(mask, logits, jnp.asarray(large_negative, logits_dtype))
    return jax.nn.softmax(logits.astype(jnp.float32), axis=-1).astype(key.dtype)


def _forward(query, key, value, mask, scale):
    probs = _probabilities(query, key, mask, scale)
    output = jnp.einsum("bnts,bsnh->btnh", probs, value)
    return output, (query, key, value, mask, probs)


def _backward(scale, residuals, d_output):
    query, key, value, mask, probs = residuals
    d_value = jnp.einsum("bnts,btnh->bsnh", probs, d_output)
    d_probs = jnp.einsum("btnh,bsnh->bnts", d_output, value)
    d_logits = probs * (d_probs - jnp.sum(d_probs * probs, axis=-1, keepdims=True))
    if mask is not None:  # masked logits were replaced by a constant
        d_logits = jnp.where(mask, d_logits, jnp.zeros((), d_logits.dtype))
    d_logits = d_logits * jnp.asarray(scale, d_logits.dtype)
    d_query = jnp.einsum("bnts,bsnh->btnh", d_logits, key)
    d_key = jnp.einsum("bnts,btnh->bsnh", d_logits, query)
    return d_query, d_key, d_value, None


reverse_rule.defvjp(_forward, _backward)
