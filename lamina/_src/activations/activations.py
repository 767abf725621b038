"""The activation functions of `keras.activations`, each registered under the name Keras uses.

Every function works on arrays, Variables and symbolic KerasTensors (through `lamina.ops`). Its
`__name__` is the name Keras writes in a layer config: `swish` *is* `silu` and `hard_swish` *is*
`hard_silu`, so both serialize as the latter.
"""

import jax.numpy as jnp

from lamina._src.ops import nn
from lamina._src.ops.dispatch import symbolic_op
from lamina._src.saving.registry import register

_CATEGORY = "activations"


def _remember_logits(output, x):
    # Losses with from_logits=False look for `_keras_logits` to recover the logits of a
    # softmax / sigmoid output (as Keras does); JAX arrays refuse attributes, so only
    # symbolic outputs carry them.
    try:
        output._keras_logits = x
    except AttributeError:
        pass
    return output


@register(_CATEGORY)
@symbolic_op
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, optionally leaky, capped and shifted.

    With the defaults this is `max(x, 0)`. Otherwise: values above `max_value` become
    `max_value`, values at or below `threshold` become `negative_slope * (x - threshold)`.

    Args:
        x: input tensor.
        negative_slope: slope for values below the threshold. Defaults to 0.
        max_value: the largest output, or None for no cap.
        threshold: values at or below it are damped or zeroed. Defaults to 0.
    """
    x = jnp.asarray(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return nn.leaky_relu(x, negative_slope=negative_slope)
    clip_max = max_value is not None
    if threshold != 0:
        out = jnp.where(x > jnp.asarray(threshold, x.dtype), x, 0)
    elif max_value == 6:
        out = nn.relu6(x)
        clip_max = False
    else:
        out = nn.relu(x)
    if clip_max:
        out = jnp.clip(out, jnp.asarray(0.0, out.dtype), jnp.asarray(max_value, out.dtype))
    if negative_slope != 0.0:
        out = out - negative_slope * nn.relu(threshold - x if threshold != 0 else -x)
    return out


@register(_CATEGORY)
def leaky_relu(x, negative_slope=0.2):
    """`x` where `x >= 0`, else `negative_slope * x`."""
    return nn.leaky_relu(x, negative_slope=negative_slope)


@register(_CATEGORY)
def relu6(x):
    """`min(max(x, 0), 6)`."""
    return nn.relu6(x)


@register(_CATEGORY)
def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`: turns logits into a probability distribution."""
    return _remember_logits(nn.softmax(x, axis=axis), x)


@register(_CATEGORY)
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`."""
    return nn.elu(x, alpha=alpha)


@register(_CATEGORY)
def selu(x):
    """Scaled exponential linear unit (use with `lecun_normal` init and `AlphaDropout`)."""
    return nn.selu(x)


@register(_CATEGORY)
def softplus(x):
    """`log(exp(x) + 1)`."""
    return nn.softplus(x)


@register(_CATEGORY)
def softsign(x):
    """`x / (abs(x) + 1)`."""
    return nn.softsign(x)


@register(_CATEGORY)
def soft_shrink(x, threshold=0.5):
    """Move `x` towards 0 by `threshold`, zeroing values within `threshold` of 0."""
    return nn.soft_shrink(x, threshold=threshold)


@register(_CATEGORY)
def sparse_plus(x):
    """`0` below -1, `x` above 1, `(x + 1)**2 / 4` between."""
    return nn.sparse_plus(x)


@register(_CATEGORY, "swish")
def silu(x):
    """`x * sigmoid(x)`; `swish` is the same function."""
    return nn.silu(x)


swish = silu


@register(_CATEGORY)
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`."""
    return nn.squareplus(x, b=b)


@register(_CATEGORY)
def gelu(x, approximate=False):
    """Gaussian error linear unit, `x * P(X <= x)`; exact (erf) unless `approximate=True`."""
    return nn.gelu(x, approximate=approximate)


@register(_CATEGORY)
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`."""
    return nn.celu(x, alpha=alpha)


@register(_CATEGORY)
def glu(x, axis=-1):
    """Gated linear unit: halves `a, b` of `x` along `axis` give `a * sigmoid(b)`."""
    return nn.glu(x, axis=axis)


@register(_CATEGORY)
def tanh(x):
    """Hyperbolic tangent."""
    return _tanh(x)


@symbolic_op
def _tanh(x):
    return jnp.tanh(jnp.asarray(x))


@register(_CATEGORY)
def tanh_shrink(x):
    """`x - tanh(x)`."""
    return nn.tanh_shrink(x)


@register(_CATEGORY)
def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return nn.hard_tanh(x)


@register(_CATEGORY)
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0."""
    return nn.hard_shrink(x, threshold=threshold)


@register(_CATEGORY)
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return nn.threshold(x, threshold, default_value)


@register(_CATEGORY)
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return _remember_logits(nn.sigmoid(x), x)


@register(_CATEGORY)
def exponential(x):
    """`exp(x)`."""
    return _exp(x)


@symbolic_op
def _exp(x):
    return jnp.exp(jnp.asarray(x))


@register(_CATEGORY)
def hard_sigmoid(x):
    """`relu6(x + 3) / 6`: 0 below -3, 1 above 3, linear between."""
    return nn.hard_sigmoid(x)


@register(_CATEGORY)
def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return nn.log_sigmoid(x)


@register(_CATEGORY)
def sparse_sigmoid(x):
    """`0` below -1, `1` above 1, `(x + 1) / 2` between."""
    return nn.sparse_sigmoid(x)


@register(_CATEGORY, "hard_swish")
def hard_silu(x):
    """`x * relu6(x + 3) / 6`; `hard_swish` is the same function."""
    return nn.hard_silu(x)


hard_swish = hard_silu


@register(_CATEGORY)
def linear(x):
    """The identity: returns `x` unchanged (the activation of a layer given `activation=None`)."""
    return x


@register(_CATEGORY)
@symbolic_op
def mish(x):
    """`x * tanh(softplus(x))`."""
    x = jnp.asarray(x)
    return x * jnp.tanh(nn.softplus(x))


@register(_CATEGORY)
def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`."""
    return nn.log_softmax(x, axis=axis)


@register(_CATEGORY)
def sparsemax(x, axis=-1):
    """Projection of `x` onto the probability simplex: a softmax with exact zeros."""
    return nn.sparsemax(x, axis=axis)
