"""`RecurrentCell`: what SimpleRNNCell, LSTMCell and GRUCell share.

Each built-in cell owns `kernel` `(input_dim, n_gates * units)`, `recurrent_kernel`
`(units, n_gates * units)` and `bias`, created in that order under Keras's names. A step is split
in two: `project_inputs` (`x @ kernel + input bias`, which depends on the input alone) and
`recurrent_step` (the work that needs the previous state). `call` composes them for one
timestep, which is what a cell used on its own, inside `StackedRNNCells` or inside `RNN(cell)`
runs; the `RNN` layer's loop composes them too, without the layer-call machinery per step.
"""

import jax.numpy as jnp

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.layers.rnn.dropout_rnn_cell import DropoutRNNCell, masked_matmul
from lamina._src.layers.rnn.hoisted_scan import Combine
from lamina._src.saving.serialization import serialize_keras_object
from lamina._src.utils import tree


def check_units(layer_name: str, units) -> int:
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(
            f"Layer '{layer_name}': `units` must be a positive integer, received units={units!r}."
        )
    return units


def check_rate(layer_name: str, argument: str, rate) -> float:
    if not isinstance(rate, int | float) or isinstance(rate, bool):
        raise ValueError(
            f"Layer '{layer_name}': `{argument}` must be a float in [0, 1], received {rate!r}."
        )
    return min(1.0, max(0.0, float(rate)))  # Keras clips out-of-range rates


class RecurrentCell(Layer, DropoutRNNCell):
    """Base of the built-in cells (see the module docstring). Subclasses set `n_gates` and
    implement `recurrent_step`; the arguments are those of Keras's cells."""

    n_gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_units(self.name, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(self.name, "dropout", dropout)
        self.recurrent_dropout = check_rate(self.name, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = self.units
        self.output_size = self.units

    # -- weights ---------------------------------------------------------------------------
    def _bias_shape(self) -> tuple:
        return (self.n_gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}': the last (feature) axis of the input must be known, "
                f"received input shape {tuple(input_shape)}."
            )
        width = self.n_gates * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, width),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=self._bias_shape(),
                                        initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    # -- the step, in two halves -----------------------------------------------------------
    def _input_bias(self):
        return None if self.bias is None else self.bias.value

    def project_inputs(self, inputs, input_mask=None):
        """`inputs @ kernel + input_bias` over the last axis of `(..., batch, input_dim)`,
        after the input dropout mask; the part of a step that needs no state."""
        projected = masked_matmul(inputs, input_mask, self.kernel.value, self.units)
        bias = self._input_bias()
        return projected if bias is None else projected + bias

    def recurrent_step(self, projected, states, recurrent_mask=None):
        """`(output, new_states)` from one timestep's projected input and the state list."""
        raise NotImplementedError

    def _hoisted_combine(self):
        """The `hoisted_scan.Combine` that, with `_input_bias` and `_recurrent_bias`, makes
        `recurrent_step` without dropout; None where the step has no such form."""
        return None

    def _recurrent_bias(self):
        return None

    def call(self, inputs, states, training=False):
        nested = tree.is_nested(states)
        state_list = list(states) if nested else [states]
        input_mask, recurrent_mask = self._step_dropout_masks(inputs, state_list[0], training)
        output, new_states = self.recurrent_step(self.project_inputs(inputs, input_mask),
                                                 state_list, recurrent_mask)
        return output, (new_states if nested or len(new_states) > 1 else new_states[0])

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list | tuple) else [self.state_size]
        return [jnp.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]

    def compute_output_shape(self, inputs_shape, states_shape=None):
        sizes = self.state_size if isinstance(self.state_size, list | tuple) else [self.state_size]
        batch = inputs_shape[0]
        states = [(batch, d) for d in sizes]
        return (batch, self.units), (states if len(states) > 1 else states[0])

    # -- config ----------------------------------------------------------------------------
    def _cell_config(self) -> dict:
        """The cell's own constructor arguments (the RNN layers repeat them in their config)."""
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "recurrent_initializer": serialize_keras_object(self.recurrent_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "recurrent_regularizer": serialize_keras_object(self.recurrent_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "recurrent_constraint": serialize_keras_object(self.recurrent_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }

    def get_config(self) -> dict:
        return {**super().get_config(), **self._cell_config()}


class SummedRecurrentCell(RecurrentCell):
    """A cell whose step needs only `z = projected + h_prev @ recurrent_kernel` (LSTM,
    SimpleRNN): subclasses implement `_combine(z, states)`, the step from that sum on."""

    def recurrent_step(self, projected, states, recurrent_mask=None):
        recurrent = masked_matmul(states[0], recurrent_mask, self.recurrent_kernel.value,
                                  self.units)
        return self._combine(projected + recurrent, states)

    def _hoisted_combine(self):
        return Combine(self._combine)

    def _combine(self, z, states):
        """`(output, new_states)` from `z` and the states (reads no variable: see
        hoisted_scan.py)."""
        raise NotImplementedError

