"""Gradient clipping as Keras 3 optimizers do it (`clipnorm`, `global_clipnorm`, `clipvalue`).

These are pure functions of arrays, so they run unchanged under `jax.jit`.
"""

import jax.numpy as jnp


def clip_by_norm(gradient, clip_norm: float):
    """Rescales one gradient so its L2 norm (over all axes) is at most `clip_norm`.

    A zero gradient stays zero (its norm is never divided by), as in Keras.
    """
    l2sum = jnp.sum(jnp.square(gradient), keepdims=True)
    positive = l2sum > 0
    # Take the square root of a safe value so a zero norm cannot produce NaNs.
    l2norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, l2sum, jnp.ones_like(l2sum))), l2sum)
    return gradient * clip_norm / jnp.maximum(l2norm, clip_norm)


def global_norm(gradients: list):
    """The L2 norm of all the (non-None) gradients taken together."""
    squares = [jnp.sum(jnp.square(g)) for g in gradients if g is not None]
    return jnp.sqrt(jnp.sum(jnp.stack(squares)))


def clip_by_global_norm(gradients: list, clip_norm: float) -> list:
    """Rescales all gradients by one factor so that their global norm is at most `clip_norm`.

    A non-finite global norm turns every gradient into NaN, so the problem shows.
    """
    norm = global_norm(gradients)
    scale = clip_norm * jnp.minimum(1.0 / norm, 1.0 / clip_norm)
    scale = scale + (norm - norm)  # NaN when the norm is inf or NaN
    return [None if g is None else g * scale for g in gradients]


def clip_by_value(gradients: list, clip_value: float) -> list:
    """Clips every element of every gradient into `[-clip_value, clip_value]`."""
    return [None if g is None else jnp.clip(g, -clip_value, clip_value) for g in gradients]
