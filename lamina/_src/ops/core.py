"""Control flow, gradients and indexed updates (`keras.ops.cond`, `scan`, `scatter`, ...).

Thin wrappers over `jax.lax`, with Keras 3's signatures (its JAX backend is the reference).
On symbolic KerasTensors they build a graph node like every `lamina.ops` function.
"""

import jax
import jax.numpy as jnp

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.backend.variables import Variable
from lamina._src.ops.dispatch import symbolic_op

__all__ = [
    "associative_scan",
    "cond",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "scan",
    "scatter",
    "scatter_update",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "vectorized_map",
    "while_loop",
]


@symbolic_op
def stop_gradient(variable):
    """The value, with its gradient treated as zero."""
    return jax.lax.stop_gradient(variable)


@symbolic_op
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()` (both traced; `jax.lax.cond`)."""
    return jax.lax.cond(pred, true_fn, false_fn)


@symbolic_op
def switch(index, branches, *operands):
    """`branches[index](*operands)` (`jax.lax.switch`)."""
    return jax.lax.switch(index, branches, *operands)


@symbolic_op
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`f(carry, x) -> (carry, y)` over the leading axis of `xs`; returns `(carry, ys)`."""
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(f"scan: `unroll` must be a positive integer or a bool, received {unroll!r}.")
    return jax.lax.scan(f, init=init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@symbolic_op
def associative_scan(f, elems, reverse=False, axis=0):
    return jax.lax.associative_scan(f, elems, reverse, axis)


@symbolic_op
def map(f, xs):  # noqa: A001 - Keras's name
    """`f` applied to each slice of `xs` along its leading axis (`jax.lax.map`)."""
    return jax.lax.map(f, xs)


@symbolic_op
def vectorized_map(function, elements):
    return jax.vmap(function)(elements)


@symbolic_op
def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `[lower, upper)`."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


@symbolic_op
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`loop_vars = body(*loop_vars)` while `cond(*loop_vars)`, at most `maximum_iterations`
    times. A tuple/list of loop variables is unpacked into `cond` and `body`, as in Keras."""
    is_tuple = isinstance(loop_vars, tuple | list)
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    limited = maximum_iterations is not None
    if limited:
        state = state + (0,)

    def _cond(args):
        if limited:
            return jnp.logical_and(cond(*args[:-1]), args[-1] < maximum_iterations)
        return cond(*args)

    def _body(args):
        outputs = body(*(args[:-1] if limited else args))
        outputs = tuple(outputs) if is_tuple else (outputs,)
        return outputs + (args[-1] + 1,) if limited else outputs

    outputs = jax.lax.while_loop(_cond, _body, state)
    if limited:
        outputs = outputs[:-1]
    return outputs if is_tuple else outputs[0]


@symbolic_op
def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (duplicates accumulate)."""
    indices, values = jnp.asarray(indices), jnp.asarray(values)
    zeros = jnp.zeros(tuple(shape), values.dtype)
    return zeros.at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


@symbolic_op
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or reduced: add, max, min, mul) at `indices`."""
    index = tuple(jnp.transpose(jnp.asarray(indices)))
    at = jnp.asarray(inputs).at[index]
    methods = {None: at.set, "add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}
    if reduction not in methods:
        raise ValueError(f"scatter_update: unsupported reduction {reduction!r}; expected one of "
                         "None, 'add', 'max', 'min', 'mul'.")
    return methods[reduction](updates)


@symbolic_op
def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    """The block of `shape` starting at `start_indices` (-1 in `shape`: to the end)."""
    inputs = jnp.asarray(inputs)
    final = tuple(inputs.shape[i] - start_indices[i] if s == -1 else s for i, s in enumerate(shape))
    return jax.lax.dynamic_slice(inputs, start_indices, final)


@symbolic_op
def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`."""
    return jax.lax.dynamic_update_slice(jnp.asarray(inputs), jnp.asarray(updates), start_indices)


def is_tensor(x) -> bool:
    """Whether `x` is a backend tensor (a JAX array), as `keras.ops.is_tensor`."""
    return isinstance(x, jax.Array) and not isinstance(x, Variable)


def dtype(x) -> str:
    """The dtype name of an array, Variable or KerasTensor (`"float32"`)."""
    return standardize_dtype(x.dtype)


def custom_gradient(f):
    """Decorate `f(*args) -> (output, grad_fn)` to use `grad_fn(upstream)` as its gradient."""
    with_gradient = jax.custom_gradient(fun=f)

    def wrapper(*args, **kwargs):
        args, kwargs = jax.tree_util.tree_map(
            lambda x: x.value if isinstance(x, Variable) else x, (args, kwargs),
            is_leaf=lambda x: isinstance(x, Variable))
        return with_gradient(*args, **kwargs)

    return wrapper
