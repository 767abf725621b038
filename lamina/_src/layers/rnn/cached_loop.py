"""`run_cached_loop`: an RNN layer's time loop as a `jax.jit` function cached per layer.

An eager `lax.scan` is traced and compiled again at every call (its body is a new closure each
time), which made every eager call of an RNN pay a compilation. For the built-in cells the loop
reads nothing but the cell's variables, so it can be a jitted function of their values: the
first call per layer and input signature compiles, the next ones reuse the executable. Inside
a surrounding `jax.jit` / `jax.grad` the call is an ordinary nested jit.

The variables are read through a `StatelessScope` mapping them to the jit's arguments (the same
seam `stateless_call` uses); the advanced dropout seed is assigned back after the call.
"""

import functools
import weakref

import jax

from lamina._src.backend import autodiff
from lamina._src.backend.variables import StatelessScope


class _LoopKey:
    """The static jit argument: the layer to trace and the settings its trace bakes in.

    For the exact built-in cell classes the settings determine the traced computation (the
    weights are arguments), so layers with equal settings share one executable (a layer and its
    `from_config` clone, the two halves of a Bidirectional). Other cells (subclasses) are keyed by
    layer identity as well; the layer is held weakly either way.
    """

    def __init__(self, layer, settings: tuple, shared: bool):
        self._ref = weakref.ref(layer)
        self._identity = None if shared else id(layer)
        self._hash = hash((self._identity, settings))
        self.settings = settings

    @property
    def layer(self):
        return self._ref()

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        if not isinstance(other, _LoopKey) or self.settings != other.settings:
            return False
        if self._identity is None and other._identity is None:
            return True
        return self._ref() is not None and self._ref() is other._ref()


@functools.partial(jax.jit, static_argnums=0)
def _loop(key, values, sequences, initial_state, mask):
    layer = key.layer
    variables = layer.cell.variables
    with StatelessScope(list(zip(variables, values))) as scope:
        result = layer._uncached_inner_loop(sequences, initial_state, mask, key.settings[0])
    return result, [scope.get(v) for v in variables]


def run_cached_loop(layer, sequences, initial_state, mask, training):
    """`layer._uncached_inner_loop(...)` through the jit cache."""
    cell = layer.cell
    # The reverse-mode hint too: under it, the trace may take hoisted_scan's gradient rule.
    settings = (bool(training), autodiff.is_reverse_mode_only(), type(layer), layer.go_backwards,
                layer.zero_output_for_mask, layer.return_sequences, bool(layer.unroll),
                layer.compute_dtype,
                layer.variable_dtype, layer.autocast, type(cell), cell.activation,
                getattr(cell, "recurrent_activation", None), cell.use_bias,
                getattr(cell, "reset_after", None), cell._dropout_mask_count, cell.dropout,
                cell.recurrent_dropout, cell.compute_dtype, cell.variable_dtype)
    # Only the exact built-in classes: a subclass may add attributes the settings do not list.
    shared = type(cell).__dict__.get("_builtin_cell", False)
    variables = cell.variables
    result, new_values = _loop(_LoopKey(layer, settings, shared), [v.value for v in variables],
                               sequences, initial_state, mask)
    seed_states = {id(generator.state) for generator in cell._seed_generators()}
    for variable, value in zip(variables, new_values):
        if id(variable) in seed_states:  # the only state a built-in cell advances
            variable.assign(value)
    return result
