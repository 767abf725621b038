"""The elementwise crossentropy formulas, exactly as Keras 3's JAX backend computes them.

With probabilities (`from_logits=False`) the predictions are clipped to `[eps, 1 - eps]`
(`eps = lamina.config.epsilon()`, 1e-7) before the log; categorical predictions are first
renormalized to sum to 1 along the class axis. With logits the log-sigmoid / log-softmax is used
directly, with no clipping.
"""

import jax
import jax.numpy as jnp

from lamina._src.backend import config


def binary_crossentropy(target, output, from_logits: bool = False) -> jax.Array:
    """Elementwise `-(t * log(p) + (1 - t) * log(1 - p))`; same-shaped inputs."""
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy expects targets and predictions of the same shape, received "
            f"y_true.shape={tuple(target.shape)} and y_pred.shape={tuple(output.shape)}."
        )
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1.0 - target) * jax.nn.log_sigmoid(-output)
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1.0 - eps)
    bce = target * jnp.log(output)
    bce += (1.0 - target) * jnp.log(1.0 - output)
    return -bce


def _log_probabilities(output, from_logits: bool, axis: int) -> jax.Array:
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis, keepdims=True)
    eps = config.epsilon()
    return jnp.log(jnp.clip(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """`-sum(t * log(p), axis)` for one-hot (or soft) targets of the predictions' shape."""
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy expects one-hot targets of the predictions' shape, "
            f"received y_true.shape={tuple(target.shape)} and y_pred.shape={tuple(output.shape)}. "
            "For integer class labels use sparse_categorical_crossentropy."
        )
    if target.ndim < 1:
        raise ValueError(
            "categorical_crossentropy expects inputs of rank at least 1, received scalars."
        )
    return -jnp.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """`-log(p[label])` for integer labels; `output` has one more (class) axis than `target`."""
    target = jnp.asarray(target).astype(jnp.int32)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    if output.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy expects predictions of rank at least 1.")
    if target.shape != output.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy expects integer labels shaped like the predictions "
            f"without their class axis: received y_true.shape={tuple(target.shape)} and "
            f"y_pred.shape={tuple(output.shape)}. For one-hot labels use "
            "categorical_crossentropy."
        )
    log_prob = _log_probabilities(output, from_logits, axis)
    one_hot = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=log_prob.dtype)
    return -jnp.sum(one_hot * log_prob, axis=axis)
