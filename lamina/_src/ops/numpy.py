"""NumPy-style tensor ops (`lamina.ops.*`) on arrays, Variables and symbolic KerasTensors."""

import jax.numpy as jnp
import numpy as np

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.ops.dispatch import symbolic_op

__all__ = [
    "abs",
    "absolute",
    "add",
    "all",
    "amax",
    "amin",
    "any",
    "arange",
    "arctan",
    "argmax",
    "argmin",
    "broadcast_to",
    "cast",
    "ceil",
    "clip",
    "concatenate",
    "convert_to_numpy",
    "convert_to_tensor",
    "cos",
    "cumsum",
    "divide",
    "divide_no_nan",
    "dot",
    "einsum",
    "equal",
    "exp",
    "expand_dims",
    "expm1",
    "eye",
    "flip",
    "floor",
    "floor_divide",
    "full",
    "get_item",
    "greater",
    "greater_equal",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log10",
    "log1p",
    "log2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mod",
    "moveaxis",
    "multiply",
    "ndim",
    "negative",
    "not_equal",
    "ones",
    "ones_like",
    "pad",
    "power",
    "prod",
    "reciprocal",
    "repeat",
    "reshape",
    "round",
    "rsqrt",
    "shape",
    "sign",
    "sin",
    "size",
    "sort",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "swapaxes",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "transpose",
    "true_divide",
    "unstack",
    "var",
    "where",
    "zeros",
    "zeros_like",
]


# -- elementwise arithmetic ---------------------------------------------------------------
@symbolic_op
def add(x1, x2):
    return jnp.add(x1, x2)


@symbolic_op
def subtract(x1, x2):
    return jnp.subtract(x1, x2)


@symbolic_op
def multiply(x1, x2):
    return jnp.multiply(x1, x2)


@symbolic_op
def divide(x1, x2):
    return jnp.true_divide(x1, x2)


true_divide = divide


@symbolic_op
def divide_no_nan(x1, x2):
    safe = jnp.where(x2 == 0, 1, x2)
    return jnp.where(x2 == 0, 0, jnp.true_divide(x1, safe))


@symbolic_op
def floor_divide(x1, x2):
    return jnp.floor_divide(x1, x2)


@symbolic_op
def mod(x1, x2):
    return jnp.mod(x1, x2)


@symbolic_op
def power(x1, x2):
    return jnp.power(x1, x2)


@symbolic_op
def maximum(x1, x2):
    return jnp.maximum(x1, x2)


@symbolic_op
def minimum(x1, x2):
    return jnp.minimum(x1, x2)


@symbolic_op
def negative(x):
    return jnp.negative(x)


@symbolic_op
def abs(x):  # noqa: A001 - Keras's name
    return jnp.abs(x)


absolute = abs


def _unary(name, jnp_fn):
    def fn(x):
        return jnp_fn(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise `{name}`."
    return symbolic_op(fn)


exp = _unary("exp", jnp.exp)
expm1 = _unary("expm1", jnp.expm1)
log = _unary("log", jnp.log)
log1p = _unary("log1p", jnp.log1p)
log2 = _unary("log2", jnp.log2)
log10 = _unary("log10", jnp.log10)
sqrt = _unary("sqrt", jnp.sqrt)
rsqrt = _unary("rsqrt", lambda x: 1.0 / jnp.sqrt(x))
square = _unary("square", jnp.square)
sign = _unary("sign", jnp.sign)
sin = _unary("sin", jnp.sin)
cos = _unary("cos", jnp.cos)
tan = _unary("tan", jnp.tan)
tanh = _unary("tanh", jnp.tanh)
arctan = _unary("arctan", jnp.arctan)
floor = _unary("floor", jnp.floor)
ceil = _unary("ceil", jnp.ceil)
round = _unary("round", jnp.round)  # noqa: A001
reciprocal = _unary("reciprocal", jnp.reciprocal)
isnan = _unary("isnan", jnp.isnan)
isinf = _unary("isinf", jnp.isinf)
isfinite = _unary("isfinite", jnp.isfinite)
logical_not = _unary("logical_not", jnp.logical_not)


@symbolic_op
def clip(x, x_min, x_max):
    return jnp.clip(x, x_min, x_max)


# -- comparison and logic -----------------------------------------------------------------
@symbolic_op
def equal(x1, x2):
    return jnp.equal(x1, x2)


@symbolic_op
def not_equal(x1, x2):
    return jnp.not_equal(x1, x2)


@symbolic_op
def less(x1, x2):
    return jnp.less(x1, x2)


@symbolic_op
def less_equal(x1, x2):
    return jnp.less_equal(x1, x2)


@symbolic_op
def greater(x1, x2):
    return jnp.greater(x1, x2)


@symbolic_op
def greater_equal(x1, x2):
    return jnp.greater_equal(x1, x2)


@symbolic_op
def logical_and(x1, x2):
    return jnp.logical_and(x1, x2)


@symbolic_op
def logical_or(x1, x2):
    return jnp.logical_or(x1, x2)


@symbolic_op
def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return jnp.nonzero(condition)
    return jnp.where(condition, x1, x2)


# -- linear algebra -----------------------------------------------------------------------
@symbolic_op
def matmul(x1, x2):
    return jnp.matmul(x1, x2)


@symbolic_op
def dot(x1, x2):
    return jnp.dot(x1, x2)


@symbolic_op
def tensordot(x1, x2, axes=2):
    return jnp.tensordot(x1, x2, axes=axes)


@symbolic_op
def einsum(subscripts, *operands):
    return jnp.einsum(subscripts, *operands)


# -- reductions -----------------------------------------------------------------------------
def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@symbolic_op
def sum(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def mean(x, axis=None, keepdims=False):
    return jnp.mean(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return jnp.max(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


amax = max


@symbolic_op
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return jnp.min(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


amin = min


@symbolic_op
def prod(x, axis=None, keepdims=False, dtype=None):
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


@symbolic_op
def var(x, axis=None, keepdims=False):
    return jnp.var(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def std(x, axis=None, keepdims=False):
    return jnp.std(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(x, axis=axis, keepdims=keepdims)


@symbolic_op
def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(x, axis=axis, keepdims=keepdims)


@symbolic_op
def any(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.any(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def all(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.all(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def cumsum(x, axis=None, dtype=None):
    return jnp.cumsum(x, axis=axis, dtype=dtype)


@symbolic_op
def logsumexp(x, axis=None, keepdims=False):
    import jax.scipy.special

    return jax.scipy.special.logsumexp(x, axis=_axis(axis), keepdims=keepdims)


# -- shapes ---------------------------------------------------------------------------------
@symbolic_op
def reshape(x, newshape):
    return jnp.reshape(x, tuple(-1 if d is None else d for d in _as_shape(newshape)))


def _as_shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


@symbolic_op
def transpose(x, axes=None):
    return jnp.transpose(x, axes=axes)


@symbolic_op
def expand_dims(x, axis):
    return jnp.expand_dims(x, axis)


@symbolic_op
def squeeze(x, axis=None):
    return jnp.squeeze(x, axis=_axis(axis))


@symbolic_op
def concatenate(xs, axis=0):
    return jnp.concatenate(xs, axis=axis)


@symbolic_op
def stack(x, axis=0):
    return jnp.stack(x, axis=axis)


@symbolic_op
def split(x, indices_or_sections, axis=0):
    return jnp.split(x, indices_or_sections, axis=axis)


@symbolic_op
def unstack(x, num=None, axis=0):
    return [jnp.take(x, i, axis=axis) for i in range(x.shape[axis])]


@symbolic_op
def repeat(x, repeats, axis=None):
    return jnp.repeat(x, repeats, axis=axis)


@symbolic_op
def tile(x, repeats):
    return jnp.tile(x, repeats)


@symbolic_op
def flip(x, axis=None):
    return jnp.flip(x, axis=axis)


@symbolic_op
def swapaxes(x, axis1, axis2):
    return jnp.swapaxes(x, axis1, axis2)


@symbolic_op
def moveaxis(x, source, destination):
    return jnp.moveaxis(x, source, destination)


@symbolic_op
def broadcast_to(x, shape):
    return jnp.broadcast_to(x, tuple(shape))


@symbolic_op
def pad(x, pad_width, mode="constant", constant_values=None):
    kwargs = {} if constant_values is None else {"constant_values": constant_values}
    return jnp.pad(x, pad_width, mode=mode, **kwargs)


@symbolic_op
def get_item(x, key):
    return x[key]


@symbolic_op
def take(x, indices, axis=None):
    return jnp.take(x, jnp.asarray(indices), axis=axis)


@symbolic_op
def take_along_axis(x, indices, axis=None):
    return jnp.take_along_axis(x, indices, axis=axis)


@symbolic_op
def cast(x, dtype):
    return jnp.asarray(x).astype(standardize_dtype(dtype))


@symbolic_op
def sort(x, axis=-1):
    return jnp.sort(x, axis=axis)


@symbolic_op
def zeros_like(x, dtype=None):
    return jnp.zeros_like(x, dtype=dtype)


@symbolic_op
def ones_like(x, dtype=None):
    return jnp.ones_like(x, dtype=dtype)


def shape(x) -> tuple:
    """The shape as a tuple (None for unknown dims of a symbolic tensor)."""
    return tuple(x.shape)


def ndim(x) -> int:
    return len(x.shape)


@symbolic_op
def size(x):
    """The number of elements: an int, or an int32 scalar KerasTensor when `x` is symbolic."""
    return int(np.prod(jnp.shape(x)))


# -- creation (no symbolic inputs) ---------------------------------------------------------
def zeros(shape, dtype=None):
    return jnp.zeros(_as_shape(shape), dtype=standardize_dtype(dtype))


def ones(shape, dtype=None):
    return jnp.ones(_as_shape(shape), dtype=standardize_dtype(dtype))


def full(shape, fill_value, dtype=None):
    return jnp.full(_as_shape(shape), fill_value, dtype=None if dtype is None else standardize_dtype(dtype))


def eye(n, m=None, k=0, dtype=None):
    return jnp.eye(n, m, k=k, dtype=standardize_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None):
    return jnp.arange(start, stop, step, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    return jnp.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)


def convert_to_tensor(x, dtype=None):
    """A JAX array from array-likes and Variables."""
    from lamina._src.backend.variables import to_value

    x = to_value(x)
    return jnp.asarray(x, dtype=None if dtype is None else standardize_dtype(dtype))


def convert_to_numpy(x) -> np.ndarray:
    from lamina._src.backend.variables import to_value

    return np.asarray(to_value(x))
