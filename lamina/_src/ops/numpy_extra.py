"""More NumPy-style ops (`keras.ops.tril`, `roll`, `isclose`, `unique`, ...), as Keras's JAX backend.

The companion of `numpy.py`: same conventions (arrays, Variables and symbolic KerasTensors in;
`jnp` underneath), kept apart so each file stays readable.
"""

import jax.numpy as jnp

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.ops.dispatch import symbolic_op
from lamina._src.ops.keras_tensor import any_symbolic_tensors
from lamina._src.ops.numpy import _axis, _unary

__all__ = [
    "allclose",
    "angle",
    "append",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan2",
    "arctanh",
    "argpartition",
    "argsort",
    "array",
    "array_split",
    "average",
    "bartlett",
    "bincount",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "blackman",
    "cbrt",
    "conj",
    "conjugate",
    "copy",
    "corrcoef",
    "correlate",
    "cosh",
    "count_nonzero",
    "cross",
    "cumprod",
    "deg2rad",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "digitize",
    "dsplit",
    "dstack",
    "empty",
    "empty_like",
    "exp2",
    "fabs",
    "fliplr",
    "flipud",
    "fmax",
    "fmin",
    "fmod",
    "full_like",
    "gcd",
    "geomspace",
    "hamming",
    "hanning",
    "heaviside",
    "hsplit",
    "hstack",
    "hypot",
    "i0",
    "identity",
    "imag",
    "inner",
    "isclose",
    "isin",
    "isneginf",
    "isposinf",
    "isreal",
    "kaiser",
    "kron",
    "lcm",
    "ldexp",
    "left_shift",
    "logaddexp",
    "logaddexp2",
    "logical_xor",
    "logspace",
    "median",
    "meshgrid",
    "nan_to_num",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmedian",
    "nanmin",
    "nanpercentile",
    "nanprod",
    "nanquantile",
    "nanstd",
    "nansum",
    "nanvar",
    "nextafter",
    "nonzero",
    "outer",
    "percentile",
    "ptp",
    "quantile",
    "rad2deg",
    "ravel",
    "real",
    "right_shift",
    "roll",
    "rot90",
    "searchsorted",
    "select",
    "signbit",
    "sinc",
    "sinh",
    "slogdet",
    "trace",
    "trapezoid",
    "tri",
    "tril",
    "triu",
    "trunc",
    "unique",
    "unravel_index",
    "vander",
    "vdot",
    "vsplit",
    "vstack",
]

arccos = _unary("arccos", jnp.arccos)
arccosh = _unary("arccosh", jnp.arccosh)
arcsin = _unary("arcsin", jnp.arcsin)
arcsinh = _unary("arcsinh", jnp.arcsinh)
arctanh = _unary("arctanh", jnp.arctanh)
cosh = _unary("cosh", jnp.cosh)
sinh = _unary("sinh", jnp.sinh)
cbrt = _unary("cbrt", jnp.cbrt)
exp2 = _unary("exp2", jnp.exp2)
deg2rad = _unary("deg2rad", jnp.deg2rad)
rad2deg = _unary("rad2deg", jnp.rad2deg)
signbit = _unary("signbit", jnp.signbit)
sinc = _unary("sinc", jnp.sinc)
trunc = _unary("trunc", jnp.trunc)
conj = _unary("conj", jnp.conj)
conjugate = conj
real = _unary("real", jnp.real)
imag = _unary("imag", jnp.imag)
ravel = _unary("ravel", jnp.ravel)
copy = _unary("copy", jnp.array)
fliplr = _unary("fliplr", jnp.fliplr)
flipud = _unary("flipud", jnp.flipud)
fabs = _unary("fabs", jnp.fabs)
isneginf = _unary("isneginf", jnp.isneginf)
isposinf = _unary("isposinf", jnp.isposinf)
isreal = _unary("isreal", jnp.isreal)
angle = _unary("angle", jnp.angle)
i0 = _unary("i0", jnp.i0)
bitwise_invert = _unary("bitwise_invert", jnp.bitwise_invert)
bitwise_not = _unary("bitwise_not", jnp.bitwise_not)
corrcoef = _unary("corrcoef", jnp.corrcoef)


def _binary(name, jnp_fn):
    def fn(x1, x2):
        return jnp_fn(x1, x2)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise `{name}`."
    return symbolic_op(fn)


arctan2 = _binary("arctan2", jnp.arctan2)
logaddexp = _binary("logaddexp", jnp.logaddexp)
hypot = _binary("hypot", jnp.hypot)
fmod = _binary("fmod", jnp.fmod)
logical_xor = _binary("logical_xor", jnp.logical_xor)
heaviside = _binary("heaviside", jnp.heaviside)
outer = _binary("outer", jnp.outer)
inner = _binary("inner", jnp.inner)
vdot = _binary("vdot", jnp.vdot)
kron = _binary("kron", jnp.kron)
fmax = _binary("fmax", jnp.fmax)
fmin = _binary("fmin", jnp.fmin)
logaddexp2 = _binary("logaddexp2", jnp.logaddexp2)
nextafter = _binary("nextafter", jnp.nextafter)
gcd = _binary("gcd", jnp.gcd)
lcm = _binary("lcm", jnp.lcm)
ldexp = _binary("ldexp", jnp.ldexp)
bitwise_and = _binary("bitwise_and", jnp.bitwise_and)
bitwise_or = _binary("bitwise_or", jnp.bitwise_or)
bitwise_xor = _binary("bitwise_xor", jnp.bitwise_xor)
bitwise_left_shift = _binary("bitwise_left_shift", jnp.left_shift)
bitwise_right_shift = _binary("bitwise_right_shift", jnp.right_shift)
left_shift = _binary("left_shift", jnp.left_shift)
right_shift = _binary("right_shift", jnp.right_shift)


# -- comparison -----------------------------------------------------------------------------
@symbolic_op
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return jnp.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


@symbolic_op
def isin(x1, x2, assume_unique=False, invert=False):
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)


@symbolic_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


# -- sorting and searching --------------------------------------------------------------------
@symbolic_op
def argsort(x, axis=-1):
    return jnp.argsort(x, axis=axis)


@symbolic_op
def argpartition(x, kth, axis=-1):
    return jnp.argpartition(x, kth, axis=axis)


@symbolic_op
def searchsorted(sorted_sequence, values, side="left"):
    return jnp.searchsorted(sorted_sequence, values, side=side)


@symbolic_op
def digitize(x, bins):
    return jnp.digitize(x, bins)


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """The sorted unique values (plus indices / inverse / counts on request).

    The output size depends on the data, so on symbolic tensors (and under `jit`) `size` must be
    given, as on Keras's JAX backend.
    """
    if size is None and any_symbolic_tensors((x,)):
        raise ValueError("unique: the number of unique values of a symbolic tensor is unknown; "
                         "pass size= (and fill_value=) to get a fixed-size result.")
    return _unique(x, return_index=return_index, return_inverse=return_inverse,
                   return_counts=return_counts, axis=axis, size=size, fill_value=fill_value)


@symbolic_op
def _unique(x, **kwargs):
    return jnp.unique(x, **kwargs)


# -- reductions -------------------------------------------------------------------------------
@symbolic_op
def cumprod(x, axis=None, dtype=None):
    return jnp.cumprod(x, axis=axis, dtype=dtype)


@symbolic_op
def count_nonzero(x, axis=None):
    return jnp.count_nonzero(x, axis=_axis(axis)).astype("int32")


@symbolic_op
def average(x, axis=None, weights=None):
    return jnp.average(x, axis=axis, weights=weights)


@symbolic_op
def median(x, axis=None, keepdims=False):
    return jnp.median(x, axis=_axis(axis), keepdims=keepdims)


@symbolic_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.quantile(x, q, axis=_axis(axis), method=method, keepdims=keepdims)


@symbolic_op
def ptp(x, axis=None, keepdims=False):
    return jnp.ptp(x, axis=_axis(axis), keepdims=keepdims)


def _nan_reduction(name, jnp_fn):
    def fn(x, axis=None, keepdims=False):
        return jnp_fn(x, axis=_axis(axis), keepdims=keepdims)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"`{name}`: the reduction ignoring NaNs."
    return symbolic_op(fn)


nansum = _nan_reduction("nansum", jnp.nansum)
nanmean = _nan_reduction("nanmean", jnp.nanmean)
nanmax = _nan_reduction("nanmax", jnp.nanmax)
nanmin = _nan_reduction("nanmin", jnp.nanmin)
nanprod = _nan_reduction("nanprod", jnp.nanprod)
nanstd = _nan_reduction("nanstd", jnp.nanstd)
nanvar = _nan_reduction("nanvar", jnp.nanvar)
nanmedian = _nan_reduction("nanmedian", jnp.nanmedian)
nanargmax = _nan_reduction("nanargmax", jnp.nanargmax)
nanargmin = _nan_reduction("nanargmin", jnp.nanargmin)


@symbolic_op
def nancumsum(x, axis=None, dtype=None):
    return jnp.nancumsum(x, axis=axis, dtype=dtype)


@symbolic_op
def nancumprod(x, axis=None, dtype=None):
    return jnp.nancumprod(x, axis=axis, dtype=dtype)


@symbolic_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.nanquantile(x, q, axis=_axis(axis), method=method, keepdims=keepdims)


@symbolic_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.nanpercentile(x, q, axis=_axis(axis), method=method, keepdims=keepdims)


@symbolic_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.percentile(x, q, axis=_axis(axis), method=method, keepdims=keepdims)


@symbolic_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    return jnp.trapezoid(y, x=x, dx=dx, axis=axis)


@symbolic_op
def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (lamina has no sparse tensors).")
    return jnp.bincount(x, weights=weights, minlength=minlength, length=None)


@symbolic_op
def diff(a, n=1, axis=-1):
    return jnp.diff(a, n=n, axis=axis)


@symbolic_op
def nonzero(x):
    return jnp.nonzero(x)


# -- matrices -------------------------------------------------------------------------------
@symbolic_op
def tril(x, k=0):
    return jnp.tril(x, k=k)


@symbolic_op
def triu(x, k=0):
    return jnp.triu(x, k=k)


@symbolic_op
def diag(x, k=0):
    return jnp.diag(x, k=k)


@symbolic_op
def diagflat(x, k=0):
    return jnp.diagflat(x, k=k)


@symbolic_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


@symbolic_op
def trace(x, offset=0, axis1=0, axis2=1):
    return jnp.trace(x, offset=offset, axis1=axis1, axis2=axis2)


@symbolic_op
def correlate(x1, x2, mode="valid"):
    return jnp.correlate(x1, x2, mode=mode)


@symbolic_op
def slogdet(x):
    return tuple(jnp.linalg.slogdet(x))


@symbolic_op
def vander(x, N=None, increasing=False):  # noqa: N803 - Keras's name
    return jnp.vander(x, N=N, increasing=increasing)


@symbolic_op
def unravel_index(indices, shape):
    return jnp.unravel_index(indices, tuple(shape))


@symbolic_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return jnp.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


@symbolic_op
def rot90(array, k=1, axes=(0, 1)):
    return jnp.rot90(array, k=k, axes=tuple(axes))


# -- joining, splitting, rearranging -----------------------------------------------------------
@symbolic_op
def hstack(xs):
    return jnp.hstack(xs)


@symbolic_op
def vstack(xs):
    return jnp.vstack(xs)


@symbolic_op
def dstack(xs):
    return jnp.dstack(xs)


@symbolic_op
def append(x1, x2, axis=None):
    return jnp.append(x1, x2, axis=axis)


@symbolic_op
def dsplit(x, indices_or_sections):
    return jnp.dsplit(x, indices_or_sections)


@symbolic_op
def hsplit(x, indices_or_sections):
    return jnp.hsplit(x, indices_or_sections)


@symbolic_op
def vsplit(x, indices_or_sections):
    return jnp.vsplit(x, indices_or_sections)


@symbolic_op
def array_split(x, indices_or_sections, axis=0):
    return jnp.array_split(x, indices_or_sections, axis=axis)


@symbolic_op
def roll(x, shift, axis=None):
    return jnp.roll(x, shift, axis=axis)


@symbolic_op
def meshgrid(*x, indexing="xy"):
    return jnp.meshgrid(*x, indexing=indexing)


@symbolic_op
def select(condlist, choicelist, default=0):
    return jnp.select(condlist, choicelist, default=default)


# -- creation -----------------------------------------------------------------------------------
def _dtype(dtype):
    return None if dtype is None else standardize_dtype(dtype)


def array(x, dtype=None):
    return jnp.array(x, dtype=_dtype(dtype))


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    return jnp.tri(N, M=M, k=k, dtype=standardize_dtype(dtype))


def identity(n, dtype=None):
    return jnp.identity(n, dtype=standardize_dtype(dtype))


def empty(shape, dtype=None):
    return jnp.empty(tuple(shape) if not isinstance(shape, int) else shape,
                     dtype=standardize_dtype(dtype))


@symbolic_op
def empty_like(x, dtype=None):
    return jnp.empty_like(x, dtype=_dtype(dtype))


@symbolic_op
def full_like(x, fill_value, dtype=None):
    return jnp.full_like(x, fill_value, dtype=_dtype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return jnp.geomspace(start, stop, num, endpoint=endpoint, dtype=_dtype(dtype), axis=axis)


def _window(name, jnp_fn):
    def fn(x):
        return jnp_fn(int(x)).astype("float32")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The `{name}` window of `x` points (float32)."
    return fn


bartlett = _window("bartlett", jnp.bartlett)
blackman = _window("blackman", jnp.blackman)
hamming = _window("hamming", jnp.hamming)
hanning = _window("hanning", jnp.hanning)


def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta` (float32)."""
    return jnp.kaiser(int(x), beta).astype("float32")


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return jnp.logspace(start, stop, num, endpoint=endpoint, base=base, dtype=_dtype(dtype),
                        axis=axis)
