"""Trace-time hints about how the code being traced will be differentiated.

A jitted training step differentiates its loss in reverse mode and nothing else. Some ops have
a faster gradient as a `jax.custom_vjp` rule than as the `jax.custom_jvp` rule that also serves
forward mode (`jax.jvp`, `jax.jacfwd`); they may use the first while `reverse_mode_only()` is
active, and must keep the second otherwise. The hint is read while tracing, so it holds for
everything traced inside the `with` block, compiled or not.
"""

import contextlib
import threading

import jax

_state = threading.local()


@contextlib.contextmanager
def reverse_mode_only():
    """Declare that what is traced inside is differentiated in reverse mode only."""
    previous = getattr(_state, "reverse_only", False)
    _state.reverse_only = True
    try:
        yield
    finally:
        _state.reverse_only = previous


def is_reverse_mode_only() -> bool:
    """Whether the code being traced is only differentiated in reverse mode."""
    return getattr(_state, "reverse_only", False)


def is_concrete(*values) -> bool:
    """Whether no leaf of `values` is a JAX tracer: then no transformation (`jit`, `grad`,
    `vmap`) sees this call, a custom differentiation rule cannot matter, and an op may run its
    plain function, without the rule's wrapper and its cost per eager call."""
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(values))
