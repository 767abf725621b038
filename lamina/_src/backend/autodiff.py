"""Trace-time hints about the code being traced: how it will be differentiated, and whether
it runs inside a compiled loop of steps.

A jitted training step differentiates its loss in reverse mode and nothing else. Some ops have
a faster gradient as a `jax.custom_vjp` rule than as the `jax.custom_jvp` rule that also serves
forward mode (`jax.jvp`, `jax.jacfwd`); they may use the first while `reverse_mode_only()` is
active, and must keep the second otherwise. Some ops' fastest form also depends on whether it
runs once per call or many times inside one (`step_loop()`). The hints are read while tracing,
so they hold for everything traced inside the `with` block, compiled or not.
"""

import contextlib
import threading

import jax

_state = threading.local()


@contextlib.contextmanager
def _hint(name: str):
    previous = getattr(_state, name, False)
    setattr(_state, name, True)
    try:
        yield
    finally:
        setattr(_state, name, previous)


def reverse_mode_only():
    """Declare that what is traced inside is differentiated in reverse mode only."""
    return _hint("reverse_only")


def is_reverse_mode_only() -> bool:
    """Whether the code being traced is only differentiated in reverse mode."""
    return getattr(_state, "reverse_only", False)


def step_loop():
    """Declare that what is traced inside runs many times within one compiled call."""
    return _hint("step_loop")


def is_in_step_loop() -> bool:
    """Whether the code being traced runs inside a compiled loop of steps."""
    return getattr(_state, "step_loop", False)


def is_concrete(*values) -> bool:
    """Whether no leaf of `values` is a JAX tracer: then no transformation (`jit`, `grad`,
    `vmap`) sees this call, a custom differentiation rule cannot matter, and an op may run its
    plain function, without the rule's wrapper and its cost per eager call."""
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(values))
