"""`RNN`: runs a recurrent cell over the time axis of a sequence with one `jax.lax.scan`."""

import copy

import jax.numpy as jnp

from lamina._src.backend import autodiff, naming
from lamina._src.backend.variables import Variable
from lamina._src.layers.layer import Layer
from lamina._src.layers.rnn.cached_loop import run_cached_loop
from lamina._src.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from lamina._src.layers.rnn.hoisted_scan import hoisted_scan
from lamina._src.layers.rnn.recurrent_cell import RecurrentCell
from lamina._src.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina._src.layers.rnn.time_loop import scan_time_loop
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object
from lamina._src.utils import tree


def pop_legacy_rnn_kwargs(layer_name: str, kwargs: dict) -> None:
    """Drop the tf.keras 2 config keys Keras 3 no longer has, so old files load.

    `time_major=False` (what tf.keras writes) is the only layout lamina runs; `implementation`
    only chose between equivalent computations.
    """
    if kwargs.pop("time_major", False):
        raise ValueError(
            f"Layer '{layer_name}': `time_major=True` is not supported (Keras 3 removed it). "
            "Transpose the inputs to `(batch, timesteps, features)` and pass time_major=False."
        )
    kwargs.pop("implementation", None)


def forward_to_cell(*names):
    """Class decorator: read-only properties forwarding `names` to `self.cell`, as Keras's
    `LSTM.units`, `LSTM.dropout`, ... do."""

    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, _name=name: getattr(self.cell, _name),
                                        doc=f"The cell's `{name}`."))
        return cls

    return decorate


def _is_fused(cell) -> bool:
    """Built-in cells whose step splits into an input projection and a recurrent update."""
    return isinstance(cell, RecurrentCell) and type(cell).call is RecurrentCell.call


def _hoisted_combine(cell):
    """The fused cell's `hoisted_scan.Combine`, or None. None too where a subclass replaces
    the step that the `Combine` describes: it would run the parent's step instead."""
    cls = type(cell)
    owner = next(k for k in cls.__mro__ if "_hoisted_combine" in k.__dict__)
    for name in ("project_inputs", "recurrent_step", "_input_bias", "_recurrent_bias"):
        if getattr(cls, name) is not getattr(owner, name):
            return None
    return cell._hoisted_combine()


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    if size is None:
        size = cell.state_size
    return size[0] if isinstance(size, list | tuple) else size


def _cache_masks(cell, step_input, states, training):
    """Draw every (nested) cell's dropout masks for the sequence, before the loop."""
    if isinstance(cell, StackedRNNCells):
        for sub_cell, sub_states in zip(cell.cells, states):
            _cache_masks(sub_cell, step_input, sub_states, training)
            step_input = jnp.zeros((step_input.shape[0], _output_size(sub_cell)), step_input.dtype)
    elif isinstance(cell, DropoutRNNCell):
        cell._cache_dropout_masks(step_input, states[0] if tree.is_nested(states) else states,
                                  training)


def _clear_masks(cell):
    if isinstance(cell, StackedRNNCells):
        for sub_cell in cell.cells:
            _clear_masks(sub_cell)
    elif isinstance(cell, DropoutRNNCell):
        cell._clear_dropout_masks()


@registry.register("layers")
class RNN(Layer):
    """Applies a recurrent cell to every timestep of a sequence.

    For each timestep `t`, `output_t, states = cell.call(x_t, states)`; the loop is a single
    `jax.lax.scan`, traced once whatever the sequence length. For the built-in cells the input
    projection `x @ kernel` is computed for all timesteps before the loop.

    Args:
        cell: an RNN cell: a layer with `call(inputs, states, training=None) -> (output,
            new_states)`, a `state_size` attribute (an int or a list of ints, one per state) and
            optionally `output_size` and `get_initial_state(batch_size)`; or a list of cells,
            which are stacked (`StackedRNNCells`).
        return_sequences: return the output of every timestep `(batch, timesteps, units)`
            instead of the last one `(batch, units)`.
        return_state: also return the final states: `[output, *states]`.
        go_backwards: process the sequence backwards; the returned sequence is then reversed.
        stateful: carry the final states of a batch over as the initial states of the next
            call (sample `i` continues sample `i`); the batch size must be fixed. Clear them
            with `reset_states()`.
        unroll: unroll the loop (accepted for Keras compatibility; same numbers, a bigger
            program).
        zero_output_for_mask: output zeros at masked timesteps instead of repeating the
            previous output.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: a list of initial state tensors (default: the cell's zeros).
        mask: boolean `(batch, timesteps)`; at a False entry the states are kept and the output
            repeats the previous one (Keras's masking).
        training: whether dropout is active.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        pop_legacy_rnn_kwargs(kwargs.get("name") or type(self).__name__, kwargs)
        if isinstance(cell, list | tuple):
            cell = StackedRNNCells(cell)
        for attribute in ("call", "state_size"):
            if not hasattr(cell, attribute):
                raise ValueError(
                    f"{type(self).__name__}: the cell must have a `call(inputs, states)` method "
                    "and a `state_size` attribute (an int or a list of ints, one per state); "
                    f"received cell={cell!r} without `{attribute}`."
                )
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.states = None
        self._expected_batch_size = None
        state_size = cell.state_size
        if not isinstance(state_size, list | tuple | int):
            raise ValueError(
                f"Layer '{self.name}': the cell's state_size must be an int or a list of ints, "
                f"received {state_size!r}."
            )
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # -- shapes, masks, states -------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch, size))
            else:
                states_shape.append([(batch, s) for s in size])
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = self.state_size[0]
        if not isinstance(output_size, int):
            raise ValueError(
                f"Layer '{self.name}': the cell's output_size must be an int, received "
                f"{output_size!r}."
            )
        output_shape = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        if self.return_state:
            return output_shape, *states_shape
        return output_shape

    def compute_mask(self, inputs, mask=None):
        mask = tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    def get_initial_state(self, batch_size):
        """The cell's initial states for a batch (zeros unless the cell says otherwise)."""
        get_initial_state = getattr(self.cell, "get_initial_state", None)
        if get_initial_state is None:
            dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
            return [jnp.zeros((batch_size, d), dtype=dtype) for d in self.state_size]
        states = get_initial_state(batch_size=batch_size)
        return list(states) if tree.is_nested(states) else [states]

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' expects inputs of shape (batch, timesteps, features), "
                f"received input shape {tuple(input_shape)}."
            )
        step_shape = (input_shape[0], *input_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful:
            if self.states is not None:
                self.reset_state()
                return
            if input_shape[0] is None:
                raise ValueError(
                    f"Layer '{self.name}': a stateful RNN needs a fixed batch size, but the input "
                    f"shape is {tuple(input_shape)}. Give the first layer "
                    "`batch_shape=(batch_size, timesteps, features)` (or `Input(batch_size=...)`)."
                )
            self._create_state_variables(input_shape[0])

    def _create_state_variables(self, batch_size):
        # Not weights: a list of Variables is not tracked, as in Keras (files do not hold them).
        with naming.name_scope(self.name):
            self.states = tree.map_structure(
                lambda value: Variable(value, trainable=False, dtype=self.variable_dtype,
                                       name="rnn_state"),
                self.get_initial_state(batch_size))
        self._expected_batch_size = batch_size

    def reset_state(self):
        """Set a stateful layer's states back to zeros."""
        if self.states is not None:
            for variable in tree.flatten(self.states):
                variable.assign(jnp.zeros_like(variable.value))

    def reset_states(self):
        """Alias of `reset_state` (the tf.keras 2 name)."""
        self.reset_state()

    def build_from_config(self, config):
        # Keras writes {"shapes_dict": {"sequences_shape": ...}} when built with initial states.
        shapes = (config or {}).get("shapes_dict")
        if shapes and "sequences_shape" in shapes:
            config = {"input_shape": shapes["sequences_shape"]}
        super().build_from_config(config)

    # -- calling ---------------------------------------------------------------------------
    def _initial_states(self, sequences, initial_state):
        if initial_state is None:
            if self.stateful:
                return tree.map_structure(lambda v: v.value, self.states)
            return self.get_initial_state(sequences.shape[0])
        if self.stateful and self._expected_batch_size not in (None, sequences.shape[0]):
            raise ValueError(
                f"Layer '{self.name}' is stateful with batch size {self._expected_batch_size}, "
                f"but it received a batch of {sequences.shape[0]} sequences."
            )
        return list(initial_state) if tree.is_nested(initial_state) else [initial_state]

    def _step_function(self, first_input, states, training):
        """The scan's `step(x_t, states)`; draws the dropout masks up front."""
        cell = self.cell
        if _is_fused(cell):
            input_mask, recurrent_mask = cell._step_dropout_masks(first_input, states[0], training)
            # The input projection stays inside the loop: hoisted out as one big matmul over
            # all timesteps, it made the benchmark LSTM's predict (batch 1024) 2x slower on
            # XLA CPU (its (time, batch, 4 * units) result round-trips through memory).
            return lambda x_t, s: cell.recurrent_step(cell.project_inputs(x_t, input_mask), s,
                                                      recurrent_mask)
        _cache_masks(cell, first_input, states, training)
        call = cell if isinstance(cell, Layer) else cell.call

        def step(x_t, s):
            kwargs = {"training": training} if isinstance(cell, Layer) else {}
            output, new_states = call(x_t, s, **kwargs)
            return output, (new_states if tree.is_nested(new_states) else [new_states])

        return step

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """`(last_output, outputs, final_states)` of the cell over `sequences` (batch-major).

        The built-in cells run through a jit cached per layer (see cached_loop.py), so eager
        calls do not recompile the scan each time.
        """
        if _is_fused(self.cell):
            return run_cached_loop(self, sequences, initial_state, mask, training)
        return self._uncached_inner_loop(sequences, initial_state, mask, training)

    def _uncached_inner_loop(self, sequences, initial_state, mask, training):
        xs = jnp.swapaxes(sequences, 0, 1)  # time-major for the scan
        if self._hoists_weight_gradients():
            return self._hoisted_inner_loop(xs, initial_state, mask, training)
        try:
            step = self._step_function(xs[0], initial_state, training)
            last_output, outputs, states = scan_time_loop(
                step, xs, initial_state, mask=mask, go_backwards=self.go_backwards,
                zero_output_for_mask=self.zero_output_for_mask,
                return_sequences=self.return_sequences, unroll=self.unroll)
        finally:
            _clear_masks(self.cell)
        if outputs is not None:
            outputs = jnp.swapaxes(outputs, 0, 1)
        return last_output, outputs, states

    def _hoists_weight_gradients(self) -> bool:
        """Whether the loop runs as `hoisted_scan` (a faster gradient, reverse mode only): in a
        training step, for a cell with a `Combine`, when not unrolled."""
        return (autodiff.is_reverse_mode_only() and _is_fused(self.cell)
                and _hoisted_combine(self.cell) is not None and not self.unroll)

    def _hoisted_inner_loop(self, xs, initial_state, mask, training):
        cell = self.cell
        dropout = cell._step_dropout_masks(xs[0], initial_state[0], training)
        keep = None if mask is None else jnp.swapaxes(jnp.asarray(mask).astype(bool), 0, 1)
        if self.go_backwards:  # processed last to first; outputs in processing order
            xs = jnp.flip(xs, axis=0)
            keep = None if keep is None else jnp.flip(keep, axis=0)
        weights = (cell.kernel.value, cell.recurrent_kernel.value, cell._input_bias(),
                   cell._recurrent_bias())
        outputs, states = hoisted_scan(_hoisted_combine(cell), bool(self.zero_output_for_mask),
                                       weights, dropout, xs, keep, list(initial_state))
        sequence = jnp.swapaxes(outputs, 0, 1) if self.return_sequences else None
        return outputs[-1], sequence, states

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if tree.is_nested(mask):
            mask = tree.flatten(mask)[0]
        states = self._initial_states(sequences, initial_state)
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        states = tree.map_structure(lambda s: jnp.asarray(s, dtype=dtype), states)
        last_output, outputs, states = self.inner_loop(sequences, states, mask, training)
        cast = lambda x: x.astype(self.compute_dtype)  # noqa: E731
        states = tree.map_structure(cast, states)
        if self.stateful:
            for variable, value in zip(tree.flatten(self.states), tree.flatten(states)):
                variable.assign(value)
        output = cast(outputs if self.return_sequences else last_output)
        if self.return_state:
            return output, *states
        return output

    # -- config ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)
