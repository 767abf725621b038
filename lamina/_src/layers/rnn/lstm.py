"""`LSTMCell` and `LSTM`: Long Short-Term Memory (Hochreiter & Schmidhuber, 1997)."""

import jax.numpy as jnp

from lamina._src import activations, initializers
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.rnn.recurrent_cell import SummedRecurrentCell
from lamina._src.layers.rnn.rnn import RNN, forward_to_cell, pop_legacy_rnn_kwargs
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


class _ForgetBiasInitializer:
    """The LSTM bias with `unit_forget_bias`: the bias initializer's values, except ones for the
    forget gate (Jozefowicz et al., 2015)."""

    def __init__(self, bias_initializer, units):
        self.bias_initializer = bias_initializer
        self.units = units

    def __call__(self, shape, dtype=None):
        u = self.units
        return jnp.concatenate([self.bias_initializer((u,), dtype=dtype),
                                initializers.get("ones")((u,), dtype=dtype),
                                self.bias_initializer((2 * u,), dtype=dtype)])


@registry.register("layers")
class LSTMCell(SummedRecurrentCell):
    """One LSTM step. With `z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias` split into the
    gates `[i, f, c~, o]` (Keras's column order):

        c_t = recurrent_activation(f) * c_{t-1} + recurrent_activation(i) * activation(c~)
        h_t = recurrent_activation(o) * activation(c_t)

    The output is `h_t`; the states are `[h_t, c_t]`.

    Args:
        units: the size of the states and output.
        activation: default `"tanh"`.
        recurrent_activation: the gate activation, default `"sigmoid"`.
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: default
            `"glorot_uniform"`, `"orthogonal"`, `"zeros"`.
        unit_forget_bias: initialise the forget-gate bias to ones (default True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout, recurrent_dropout: fractions of the inputs / previous `h` dropped while
            training, with masks drawn once per sequence (one per gate when
            `recurrent_dropout > 0`, as Keras's `implementation=1`).
        seed: the seed of the dropout masks.

    Weights: `kernel` `(input_dim, 4 * units)`, `recurrent_kernel` `(units, 4 * units)`,
    `bias` `(4 * units,)`.
    """

    n_gates = 4
    _builtin_cell = True  # see cached_loop.py

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
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
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self._dropout_mask_count = self.n_gates if self.implementation == 1 else None
        self.state_size = [self.units, self.units]

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _ForgetBiasInitializer(self.bias_initializer, self.units)
        return self.bias_initializer

    def _combine(self, z, states):
        c_prev = states[1]
        z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def _cell_config(self) -> dict:
        return {**super()._cell_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


@registry.register("layers")
@forward_to_cell("units", "activation", "recurrent_activation", "use_bias",
                 "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                 "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout", "implementation")
class LSTM(RNN):
    """Long Short-Term Memory layer: `RNN(LSTMCell(...))` with the cell's arguments inline.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer, unit_forget_bias,
            *_regularizer, *_constraint, dropout, recurrent_dropout, seed: as `LSTMCell`.
        activity_regularizer: a penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.
        use_cudnn: accepted for Keras compatibility; lamina always runs its `lax.scan` loop
            (XLA compiles it for the device).

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state`,
    `[output, h, c]`.

    Example:
        >>> layer = LSTM(4, return_sequences=True)
        >>> layer(np.zeros((32, 10, 8), "float32")).shape
        (32, 10, 4)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        implementation = kwargs.pop("implementation", 2)
        pop_legacy_rnn_kwargs(kwargs.get("name") or "LSTM", kwargs)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"LSTM: `use_cudnn` must be one of 'auto', True, False; received {use_cudnn!r}."
            )
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="lstm_cell", seed=seed, implementation=implementation)
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
