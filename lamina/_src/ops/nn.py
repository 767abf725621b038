"""Neural-network ops (`lamina.ops.relu`, `lamina.ops.softmax`, ...) on arrays and KerasTensors.

Each op matches `keras.ops` on Keras's JAX backend: same signature, defaults and numerics (most
are `jax.nn` functions, as in Keras). Note `gelu` defaults to `approximate=True` here, as in
`keras.ops.gelu`, while the activation `keras.activations.gelu` defaults to `False`.
"""

import warnings

import jax
import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.ops.dispatch import symbolic_op

__all__ = [
    "celu",
    "elu",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
]


# -- rectifiers ---------------------------------------------------------------------------
@symbolic_op
def relu(x):
    """`max(x, 0)`."""
    return jax.nn.relu(jnp.asarray(x))


@symbolic_op
def relu6(x):
    """`min(max(x, 0), 6)`."""
    return jax.nn.relu6(jnp.asarray(x))


@symbolic_op
def leaky_relu(x, negative_slope=0.2):
    """`x` where `x >= 0`, else `negative_slope * x`."""
    return jax.nn.leaky_relu(jnp.asarray(x), negative_slope=negative_slope)


@symbolic_op
def elu(x, alpha=1.0):
    """`x` where `x > 0`, else `alpha * (exp(x) - 1)`."""
    return jax.nn.elu(jnp.asarray(x), alpha=alpha)


@symbolic_op
def selu(x):
    """Scaled ELU with the self-normalising constants (alpha ~1.6733, scale ~1.0507)."""
    return jax.nn.selu(jnp.asarray(x))


@symbolic_op
def celu(x, alpha=1.0):
    """`max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`."""
    return jax.nn.celu(jnp.asarray(x), alpha=alpha)


# -- sigmoid family -----------------------------------------------------------------------
@symbolic_op
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(jnp.asarray(x))


@symbolic_op
def hard_sigmoid(x):
    """`relu6(x + 3) / 6`: a piecewise-linear sigmoid."""
    return jax.nn.hard_sigmoid(jnp.asarray(x))


@symbolic_op
def sparse_sigmoid(x):
    """`0` below -1, `1` above 1, `(x + 1) / 2` between."""
    return jax.nn.sparse_sigmoid(jnp.asarray(x))


@symbolic_op
def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return jax.nn.log_sigmoid(jnp.asarray(x))


@symbolic_op
def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    return jax.nn.silu(jnp.asarray(x))


swish = silu


@symbolic_op
def hard_silu(x):
    """`x * hard_sigmoid(x)` (also called hard swish)."""
    return jax.nn.hard_silu(jnp.asarray(x))


hard_swish = hard_silu


@symbolic_op
def gelu(x, approximate=True):
    """Gaussian error linear unit, `x * P(X <= x)`; the tanh approximation by default."""
    return jax.nn.gelu(jnp.asarray(x), approximate)


@symbolic_op
def glu(x, axis=-1):
    """Gated linear unit: split `x` in two halves `a, b` along `axis`, return `a * sigmoid(b)`.

    Raises:
        ValueError: if the size of `axis` is odd.
    """
    x = jnp.asarray(x)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu splits axis {axis} in two halves, so its size must be even; received a tensor "
            f"of shape {x.shape}."
        )
    return jax.nn.glu(x, axis=axis)


# -- smooth and shrinking functions -------------------------------------------------------
@symbolic_op
def softplus(x):
    """`log(exp(x) + 1)`."""
    return jax.nn.softplus(jnp.asarray(x))


@symbolic_op
def softsign(x):
    """`x / (abs(x) + 1)`."""
    return jax.nn.soft_sign(jnp.asarray(x))


@symbolic_op
def sparse_plus(x):
    """`0` below -1, `x` above 1, `(x + 1)**2 / 4` between."""
    return jax.nn.sparse_plus(jnp.asarray(x))


@symbolic_op
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`."""
    return jax.nn.squareplus(jnp.asarray(x), b=b)


@symbolic_op
def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return jax.nn.hard_tanh(jnp.asarray(x))


@symbolic_op
def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = jnp.asarray(x)
    return x - jnp.tanh(x)


@symbolic_op
def soft_shrink(x, threshold=0.5):
    """Move `x` towards 0 by `threshold`; values within `threshold` of 0 become 0."""
    x = jnp.asarray(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


@symbolic_op
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0."""
    x = jnp.asarray(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


@symbolic_op
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = jnp.asarray(x)
    return jnp.where(x > threshold, x, default_value)


# -- normalising along an axis ------------------------------------------------------------
def _warn_if_size_one(x, axis):
    shape = getattr(x, "shape", None)
    if shape is None or not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
        return
    if shape[axis] == 1:
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {tuple(shape)}: that axis has size 1, "
            "so the result is always 1. Did you mean sigmoid, or a different axis?",
            stacklevel=3,
        )


@symbolic_op
def _softmax(x, axis=-1):
    return jax.nn.softmax(jnp.asarray(x), axis=axis)


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (an int or a tuple of ints).

    Args:
        x: input tensor.
        axis: the axis (or axes) the probabilities sum to 1 over. Defaults to -1.

    Returns:
        A tensor of the same shape as `x`.
    """
    _warn_if_size_one(x, axis)
    return _softmax(x, axis=axis)


@symbolic_op
def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis` (an int or a tuple of ints)."""
    return jax.nn.log_softmax(jnp.asarray(x), axis=axis)


@symbolic_op
def sparsemax(x, axis=-1):
    """The Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax, but gives exact zeros to low logits.
    """
    x = jnp.asarray(x)
    ordered = -jnp.sort(-x, axis=axis)
    cumulative = jnp.cumsum(ordered, axis=axis)
    rank_shape = [1] * x.ndim
    rank_shape[axis] = -1
    rank = jnp.arange(1, x.shape[axis] + 1).reshape(rank_shape)
    support = ordered - (cumulative - 1) / rank > 0
    k = jnp.sum(support, axis=axis, keepdims=True)
    tau = (jnp.sum(jnp.where(support, cumulative, 0.0), axis=axis, keepdims=True) - 1) / k
    return jnp.maximum(x - tau, 0.0)


@symbolic_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """Divide `x` by its `order`-norm along `axis` (a norm below `epsilon` counts as `epsilon`).

    Args:
        x: input tensor.
        axis: the axis to normalise along. Defaults to -1.
        order: the norm's order, an int >= 1. Defaults to 2.
        epsilon: the smallest norm divided by. Defaults to `lamina.config.epsilon()`.

    Raises:
        ValueError: if `order` is not an int >= 1.
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1, received order={order!r}.")
    x = jnp.asarray(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inv_norm, 1.0 / epsilon)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, epsilon)


# -- encodings and statistics -------------------------------------------------------------
def _check_not_sparse(name, sparse):
    if sparse:
        raise ValueError(
            f"{name}: sparse=True is not supported by lamina (JAX has no sparse tensors in this "
            "path). Pass sparse=False and get a dense tensor."
        )


@symbolic_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer class ids -> one-hot vectors (a new axis of size `num_classes` at `axis`).

    Ids outside `[0, num_classes)` give all-zero vectors.

    Args:
        x: integer tensor of class ids.
        num_classes: the size of the new axis.
        axis: where the new axis goes. Defaults to -1.
        dtype: the output dtype. Defaults to `floatx()` ("float32").
        sparse: only False is supported.
    """
    _check_not_sparse("one_hot", sparse)
    return jax.nn.one_hot(jnp.asarray(x), num_classes, axis=axis, dtype=standardize_dtype(dtype))


@symbolic_op
def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """Class ids -> multi-hot vectors: a batch of id lists becomes a batch of 0/1 indicator rows.

    Args:
        inputs: integer tensor of class ids, `(batch, ids)` or `(ids,)`.
        num_classes: the length of each indicator vector.
        axis: where the class axis goes. Defaults to -1.
        dtype: the output dtype. Defaults to `floatx()` ("float32").
        sparse: only False is supported.
    """
    _check_not_sparse("multi_hot", sparse)
    inputs = jnp.asarray(inputs)
    reduction_axis = 1 if inputs.ndim > 1 else 0
    encoded = jax.nn.one_hot(
        inputs.astype("int32"), num_classes, axis=axis, dtype=standardize_dtype(dtype)
    )
    return jnp.max(encoded, axis=reduction_axis)


@symbolic_op
def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and variance of `x` over `axes`.

    float16 / bfloat16 inputs are reduced in float32 and cast back (clipped to the float16 range),
    as Keras does, because their range is too small for the sums.

    Args:
        x: input tensor.
        axes: the axes to reduce (an int or a sequence of ints).
        keepdims: keep the reduced axes with size 1.
        synchronized: only False is supported (JAX has no cross-replica moments here).

    Returns:
        A tuple `(mean, variance)`.
    """
    if synchronized:
        raise NotImplementedError(
            "moments(synchronized=True) is not supported with JAX; pass synchronized=False."
        )
    x = jnp.asarray(x)
    axes = tuple(axes) if isinstance(axes, list | tuple) else axes
    original = standardize_dtype(x.dtype)
    half = original in ("float16", "bfloat16")
    if half:
        x = x.astype("float32")
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.var(x, axis=axes, keepdims=True)
    if not keepdims:
        mean = jnp.squeeze(mean, axes)
        variance = jnp.squeeze(variance, axes)
    if half:
        limit = float(jnp.finfo(jnp.float16).max)
        mean = jnp.clip(mean, -limit, limit).astype(original)
        variance = jnp.clip(variance, -limit, limit).astype(original)
    return mean, variance
