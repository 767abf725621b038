"""`scan_time_loop`: run an RNN step function over the time axis with one `jax.lax.scan`.

The loop is traced once whatever the sequence length, so a 1,000-step LSTM compiles to one XLA
while loop instead of 1,000 copies of the cell. Masking follows Keras 3 (JAX backend): at a
masked timestep every state keeps its previous value and the output repeats the previous one
(or is zero with `zero_output_for_mask=True`).
"""

import jax
import jax.numpy as jnp
from jax import lax

from lamina._src.utils import tree


def _expand_to(mask_t, x):
    """A `(batch,)` boolean mask reshaped to broadcast against `x` of shape `(batch, ...)`."""
    return jnp.reshape(mask_t, mask_t.shape + (1,) * (x.ndim - 1))


def _conform(new_states, states):
    """The step's new states in the carry's exact structure and dtypes (scan requires it)."""
    leaves = tree.flatten(new_states) if tree.is_nested(new_states) else [new_states]
    old = tree.flatten(states)
    if len(leaves) != len(old):
        raise ValueError(
            f"An RNN cell returned {len(leaves)} state tensor(s) but was given {len(old)}: a cell's "
            "`call(inputs, states)` must return `(output, new_states)` with one new state per "
            "entry of its `state_size`."
        )
    leaves = [jnp.asarray(n).astype(o.dtype) for n, o in zip(leaves, old)]
    return tree.pack_sequence_as(states, leaves)


def _previous_output(states):
    """Keras's choice of the output repeated at a masked step: the first state (of the last cell
    when the states are nested per cell, as for stacked cells)."""
    first = states[0]
    if tree.is_nested(first):
        first = states[-1][0]
    return first


def scan_time_loop(step, inputs, initial_states, *, mask=None, go_backwards=False,
                   zero_output_for_mask=False, return_sequences=True, unroll=False):
    """Apply `step` along the leading (time) axis of `inputs`.

    Args:
        step: `(input_t, states) -> (output_t, new_states)` for one timestep; `states` is a
            (possibly nested) list of `(batch, ...)` arrays.
        inputs: a time-major array `(time, batch, ...)`.
        initial_states: the list of states before the first step.
        mask: optional boolean `(batch, time)` array; False marks a timestep to skip.
        go_backwards: process the sequence from its last timestep to its first. The returned
            outputs are then in processing order (reversed), as Keras returns them.
        zero_output_for_mask: emit zeros (instead of the previous output) at masked steps.
        return_sequences: also return every step's output (else only the last).
        unroll: unroll the scan fully (Keras's `unroll=True`; same numbers).

    Returns:
        `(last_output, outputs, final_states)`: `last_output` is `(batch, ...)`, `outputs` is
        time-major `(time, batch, ...)` or None when `return_sequences` is False.
    """
    initial_states = _conform(initial_states, initial_states)
    out_spec = jax.eval_shape(lambda x, s: step(x, s)[0], inputs[0], initial_states)
    first_output = jnp.zeros(out_spec.shape, out_spec.dtype)

    def body(carry, xs_t):
        states, last = carry
        if mask is None:
            x_t, keep_t = xs_t, None
        else:
            x_t, keep_t = xs_t
        output, new_states = step(x_t, states)
        output = jnp.asarray(output).astype(last.dtype)
        new_states = _conform(new_states, states)
        if keep_t is not None:
            if zero_output_for_mask:
                previous = jnp.zeros_like(output)
            else:
                previous = _previous_output(states)
                if previous.shape != output.shape:
                    previous = last
            output = jnp.where(_expand_to(keep_t, output), output, previous.astype(output.dtype))
            new_states = tree.map_structure(
                lambda old, new: jnp.where(_expand_to(keep_t, new), new, old), states, new_states)
        return (new_states, output), (output if return_sequences else None)

    xs = inputs if mask is None else (inputs, jnp.swapaxes(jnp.asarray(mask).astype(bool), 0, 1))
    (final_states, last_output), outputs = lax.scan(
        body, (initial_states, first_output), xs, reverse=go_backwards, unroll=bool(unroll))
    if outputs is not None and go_backwards:
        outputs = jnp.flip(outputs, axis=0)
    return last_output, outputs, final_states
