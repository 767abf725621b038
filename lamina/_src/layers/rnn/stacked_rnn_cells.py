"""`StackedRNNCells`: several cells used as one, each feeding its output to the next."""

import copy

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object
from lamina._src.utils import tree


@registry.register("layers")
class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that `RNN` runs them as one cell, in a single loop.

    At each timestep cell `k` reads the output of cell `k - 1`. The states are a list with one
    entry per cell (each that cell's own state or list of states).

    Args:
        cells: a list of RNN cells (objects with `call(inputs, states)` and `state_size`).

    Example:
        cells = [LSTMCell(64), LSTMCell(64)]
        layer = RNN(StackedRNNCells(cells))  # same as RNN(cells)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(
                    f"StackedRNNCells '{self.name}': every cell needs a `call(inputs, states)` "
                    f"method and a `state_size` attribute; received {cell!r}."
                )
        self.cells = cells

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if isinstance(last.state_size, list | tuple):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            get_initial_state = getattr(cell, "get_initial_state", None)
            if get_initial_state is not None:
                states.append(get_initial_state(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(jnp.zeros((batch_size, cell.state_size), self.compute_dtype))
            else:
                states.append([jnp.zeros((batch_size, d), self.compute_dtype)
                               for d in cell.state_size])
        return states

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            if isinstance(cell, Layer):
                inputs, cell_states = cell(inputs, cell_states, training=training)
            else:
                inputs, cell_states = cell.call(inputs, cell_states)
            if not tree.is_nested(cell_states):
                cell_states = [cell_states]
            new_states.append(cell_states if was_list or len(cell_states) > 1 else cell_states[0])
        return inputs, new_states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            output_size = getattr(cell, "output_size", None)
            if output_size is None:
                output_size = (cell.state_size[0] if isinstance(cell.state_size, list | tuple)
                               else cell.state_size)
            input_shape = (input_shape[0], output_size)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)
