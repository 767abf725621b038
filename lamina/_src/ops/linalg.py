"""Linear algebra (`keras.ops.linalg`): thin wrappers over `jnp.linalg`, as Keras's JAX backend."""

import jax.numpy as jnp
import jax.scipy.linalg

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.ops.dispatch import symbolic_op

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "lstsq",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]


@symbolic_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's name
    """Vector or matrix norm (ints are computed in floating point)."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype("float32" if standardize_dtype(x.dtype) in ("int64", "uint64")
                    else jnp.result_type(x.dtype, float))
    return jnp.linalg.norm(x, ord=ord, axis=tuple(axis) if isinstance(axis, list) else axis,
                           keepdims=keepdims)


@symbolic_op
def cholesky(x, upper=False):
    result = jnp.linalg.cholesky(x)
    return jnp.swapaxes(result, -1, -2).conj() if upper else result


@symbolic_op
def cholesky_inverse(x, upper=False):
    """The inverse of `a` from its Cholesky factor `x` (lower, or upper if `upper`)."""
    identity = jnp.eye(x.shape[-1], dtype=x.dtype)
    inv_chol = jax.scipy.linalg.solve_triangular(x, identity, lower=not upper)
    if upper:
        return jnp.matmul(inv_chol, jnp.transpose(inv_chol))
    return jnp.matmul(jnp.transpose(inv_chol), inv_chol)


@symbolic_op
def matrix_rank(x, tol=None):
    x = jnp.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_rank: expected an input of rank >= 2, received shape {x.shape}.")
    return jnp.linalg.matrix_rank(x, rtol=tol).astype("int32")


@symbolic_op
def det(x):
    return jnp.linalg.det(x)


@symbolic_op
def eig(x):
    return jnp.linalg.eig(x)


@symbolic_op
def eigh(x):
    return jnp.linalg.eigh(x)


@symbolic_op
def inv(x):
    return jnp.linalg.inv(x)


@symbolic_op
def pinv(x, rcond=None):
    return jnp.linalg.pinv(x, rtol=rcond)


@symbolic_op
def lstsq(a, b, rcond=None):
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


@symbolic_op
def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    return jnp.linalg.qr(x, mode=mode)


@symbolic_op
def solve(a, b):
    return jnp.linalg.solve(a, b)


@symbolic_op
def solve_triangular(a, b, lower=False):
    return jax.scipy.linalg.solve_triangular(a, b, lower=lower)


@symbolic_op
def svd(x, full_matrices=True, compute_uv=True):
    return jnp.linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)
