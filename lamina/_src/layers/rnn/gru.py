"""`GRUCell` and `GRU`: the Gated Recurrent Unit (Cho et al., 2014)."""

import jax.numpy as jnp

from lamina._src import activations
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.rnn.dropout_rnn_cell import masked_matmul
from lamina._src.layers.rnn.hoisted_scan import Combine
from lamina._src.layers.rnn.recurrent_cell import RecurrentCell
from lamina._src.layers.rnn.rnn import RNN, forward_to_cell, pop_legacy_rnn_kwargs
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


@registry.register("layers")
class GRUCell(RecurrentCell):
    """One GRU step, with the gates in Keras's column order `[z, r, h]`:

        z = recurrent_activation(x W_z + h U_z + b_z)        (update gate)
        r = recurrent_activation(x W_r + h U_r + b_r)        (reset gate)
        reset_after=True:  h~ = activation(x W_h + b0_h + r * (h U_h + b1_h))
        reset_after=False: h~ = activation(x W_h + b_h + (r * h) U_h)
        h_t = z * h_{t-1} + (1 - z) * h~

    With `reset_after=True` (the default, cuDNN-compatible) the bias has shape `(2, 3 * units)`:
    row 0 is added to the input projection and row 1 to the recurrent one. With
    `reset_after=False` it is one `(3 * units,)` vector on the input side.

    Args:
        units: the size of the state and output.
        activation: default `"tanh"`.
        recurrent_activation: the gate activation, default `"sigmoid"`.
        use_bias, *_initializer, *_regularizer, *_constraint: as `LSTMCell`.
        dropout, recurrent_dropout: fractions dropped while training, one mask per sequence
            (one per gate when `recurrent_dropout > 0`, as Keras's `implementation=1`).
        reset_after: apply the reset gate after the recurrent matrix product (default True).
        seed: the seed of the dropout masks.

    Weights: `kernel` `(input_dim, 3 * units)`, `recurrent_kernel` `(units, 3 * units)`,
    `bias` `(2, 3 * units)` or `(3 * units,)`.
    """

    n_gates = 3
    _builtin_cell = True  # see cached_loop.py

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self._dropout_mask_count = self.n_gates if self.implementation == 1 else None

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None:
            return None
        return self.bias.value[0] if self.reset_after else self.bias.value

    def _recurrent_bias(self):
        return self.bias.value[1] if self.bias is not None and self.reset_after else None

    def recurrent_step(self, projected, states, recurrent_mask=None):
        h_prev = states[0]
        u = self.units
        kernel = self.recurrent_kernel.value
        if self.reset_after:
            recurrent = masked_matmul(h_prev, recurrent_mask, kernel, u)
            bias = self._recurrent_bias()
            return self._combine_split(projected, recurrent if bias is None else recurrent + bias,
                                       states)
        per_gate = isinstance(recurrent_mask, list)
        zr_mask = recurrent_mask[:2] if per_gate else recurrent_mask
        inner = masked_matmul(h_prev, zr_mask, kernel[:, :2 * u], u)
        z = self.recurrent_activation(projected[..., :u] + inner[..., :u])
        r = self.recurrent_activation(projected[..., u:2 * u] + inner[..., u:])
        h_mask = recurrent_mask[2] if per_gate else recurrent_mask
        rec_h = jnp.matmul(r * (h_prev if h_mask is None else h_prev * h_mask), kernel[:, 2 * u:])
        return self._output(z, projected[..., 2 * u:] + rec_h, h_prev)

    def _hoisted_combine(self):
        return Combine(self._combine_split, apart=self.units) if self.reset_after else None

    def _combine_split(self, projected, recurrent, states):
        """The `reset_after` step from `projected = x W + b0` and `recurrent = h U + b1` on
        (reads no variable: see hoisted_scan.py)."""
        x_z, x_r, x_h = jnp.split(projected, 3, axis=-1)
        rec_z, rec_r, rec_h = jnp.split(recurrent, 3, axis=-1)
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        return self._output(z, x_h + r * rec_h, states[0])

    def _output(self, z, candidate_input, h_prev):
        h = z * h_prev + (1 - z) * self.activation(candidate_input)
        return h, [h]

    def _cell_config(self) -> dict:
        return {**super()._cell_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


@registry.register("layers")
@forward_to_cell("units", "activation", "recurrent_activation", "use_bias",
                 "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                 "recurrent_dropout", "reset_after", "implementation")
class GRU(RNN):
    """Gated Recurrent Unit layer: `RNN(GRUCell(...))` with the cell's arguments inline.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer, *_regularizer,
            *_constraint, dropout, recurrent_dropout, reset_after, seed: as `GRUCell`.
        activity_regularizer: a penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.
        use_cudnn: accepted for Keras compatibility (lamina always runs its scan loop).

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state`, `[output, h]`.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        implementation = kwargs.pop("implementation", 2)
        pop_legacy_rnn_kwargs(kwargs.get("name") or "GRU", kwargs)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"GRU: `use_cudnn` must be one of 'auto', True, False; received {use_cudnn!r}."
            )
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=implementation)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self.use_cudnn = use_cudnn

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        return {**config, **self.cell._cell_config(),
                "activity_regularizer": serialize_keras_object(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
