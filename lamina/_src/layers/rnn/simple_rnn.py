"""`SimpleRNNCell` and `SimpleRNN`: the fully connected recurrence `h = act(x W + h U + b)`."""

from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.rnn.recurrent_cell import SummedRecurrentCell
from lamina._src.layers.rnn.rnn import RNN, forward_to_cell, pop_legacy_rnn_kwargs
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


@registry.register("layers")
class SimpleRNNCell(SummedRecurrentCell):
    """One step of a fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @
    recurrent_kernel + bias)`; the output is `h_t`.

    Args:
        units: the size of the state and output.
        activation: default `"tanh"`.
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: default
            `"glorot_uniform"`, `"orthogonal"`, `"zeros"`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: the fraction of the inputs dropped (training only; one mask per sequence).
        recurrent_dropout: the fraction of the previous state dropped (likewise).
        seed: the seed of the dropout masks.

    Weights: `kernel` `(input_dim, units)`, `recurrent_kernel` `(units, units)`, `bias` `(units,)`.
    """

    n_gates = 1
    _builtin_cell = True  # see cached_loop.py
    _drops_fully = True  # Keras applies a rate-1 mask here (all zeros)

    def _combine(self, z, states):
        output = z
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


@registry.register("layers")
@forward_to_cell("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                 "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                 "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout")
class SimpleRNN(RNN):
    """A fully connected RNN whose output is fed back as the next step's state.

    Args:
        units, activation, use_bias, *_initializer, *_regularizer, *_constraint, dropout,
            recurrent_dropout, seed: as `SimpleRNNCell`.
        activity_regularizer: a penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state`, `[output, h]`.
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        pop_legacy_rnn_kwargs(kwargs.get("name") or "SimpleRNN", kwargs)
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell._cell_config()
        del cell_config["seed"]  # Keras's SimpleRNN does not write it
        return {**config, **cell_config,
                "activity_regularizer": serialize_keras_object(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
