"""`hoisted_scan`: a fused RNN cell's time loop whose gradient finds the weights' after the loop.

Reverse-mode autodiff of `lax.scan` accumulates each weight's gradient inside the backward
loop: at every timestep `x_t^T @ dz_t` and `h_{t-1}^T @ dz_t`, small dots that contract the
batch axis of both operands, which XLA CPU runs with Eigen at a fraction of its matmul rate.
This rule's backward loop only carries the states' gradients back and emits each step's
gradients of `projected_t = x_t @ kernel + input_bias` and `recurrent_t = h_{t-1} @
recurrent_kernel + recurrent_bias`; the kernel, recurrent-kernel, bias and input gradients are
then one matmul (or sum) each over all the timesteps. Same values to float rounding (the sums
run in another order). The benchmark LSTM (separate processes, 3 each): 3.9-4.1k -> 4.6-5.2k
samples/s, first epoch 2.6 -> 2.0-2.2 s.

A cell takes part through a `Combine`: the step from `projected_t` and `recurrent_t` on.
Where the cell only needs their sum (LSTM, SimpleRNN), `combine(z, states)` takes that sum,
and the loop keeps and emits one array per step. A GRU with `reset_after` multiplies its
reset gate into the last third of `recurrent_t` first, so it takes both; the other two
thirds still enter through their sum, so their gradients are the projection's, and the
backward loop emits only the last third besides `d projected_t` (GRU benchmark analog:
5.3k -> 5.8k samples/s against emitting both whole). `combine` must read no variable: the
weights are this function's arguments, so that it can return their gradients.

Masked timesteps (padding from `Embedding(mask_zero=True)`, say) are skipped as
`time_loop.scan_time_loop` skips them; their rows of the emitted gradients are zero.
Embedding(mask_zero) -> LSTM 64 x 2 on 50 steps: 3.3k -> 3.7-4.4k samples/s (Keras-JAX 3.3k).

The cells' per-sequence dropout masks multiply the matmuls' left operands, in the loop and
in the transposes after it (one matmul per gate with Keras's per-gate masks). The benchmark
LSTM with `dropout=0.2`: 3.7k -> 4.3k samples/s (Keras-JAX 3.6k); adding
`recurrent_dropout=0.2`, whose four per-gate matmuls per step dominate: 2.8k -> 2.9-3.0k
(Keras-JAX 2.9k); GRU with both: 3.1k -> 4.1k (Keras-JAX 3.4k).

A reverse-mode-only rule (`jax.jvp` of it raises): the RNN layer uses it while
`autodiff.is_reverse_mode_only()`, i.e. inside training steps.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from lamina._src.layers.rnn.dropout_rnn_cell import masked_matmul


class Combine(NamedTuple):
    """A cell's step from its two matmuls on, returning `(output, new_states)`:
    `fn(projected + recurrent, states)`, or where the last `apart` columns of `recurrent`
    enter otherwise than added to `projected`'s, `fn(projected, recurrent, states)`."""

    fn: Callable
    apart: int = 0


def _add_bias(product, bias):
    return product if bias is None else product + bias


def _matmul(x, masks, kernel):
    """`x @ kernel` after the cell's dropout masks (see `dropout_rnn_cell.masked_matmul`)."""
    per_gate = isinstance(masks, list | tuple)
    return masked_matmul(x, masks, kernel, kernel.shape[-1] // len(masks) if per_gate else None)


def _step(combine, zero_masked_output, parts, states, keep_t):
    """One timestep from the matmuls' results on. Where `keep_t` (batch,) is False, as in
    `time_loop.scan_time_loop`: the states stay, and the output repeats `h` (or is zero)."""
    output, new_states = combine.fn(*parts, states)
    new_states = [s.astype(c.dtype) for s, c in zip(new_states, states)]
    if keep_t is not None:
        keep = keep_t[:, None]
        previous = jnp.zeros_like(output) if zero_masked_output else states[0]
        output = jnp.where(keep, output, previous.astype(output.dtype))
        new_states = [jnp.where(keep, new, old) for new, old in zip(new_states, states)]
    return output, new_states


def _scan(combine, zero_masked_output, weights, dropout, xs, keep, states,
          keep_residuals: bool):
    kernel, recurrent_kernel, input_bias, recurrent_bias = weights
    input_masks, recurrent_masks = dropout

    def body(carry, step_inputs):
        x_t, keep_t = step_inputs
        projected = _add_bias(_matmul(x_t, input_masks, kernel), input_bias)
        recurrent = _add_bias(_matmul(carry[0], recurrent_masks, recurrent_kernel),
                              recurrent_bias)
        parts = (projected, recurrent) if combine.apart else (projected + recurrent,)
        output, new_states = _step(combine, zero_masked_output, parts, carry, keep_t)
        return new_states, (output, (parts, carry) if keep_residuals else None)

    final_states, (outputs, residuals) = lax.scan(body, list(states), (xs, keep))
    return outputs, final_states, residuals


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def hoisted_scan(combine: Combine, zero_masked_output: bool, weights, dropout, xs, keep,
                 states):
    """`(outputs, final_states)` of the cell over time-major `xs` `(time, batch, features)`
    from `states` (a list, `h` first).

    `weights` is `(kernel, recurrent_kernel, input_bias, recurrent_bias)`, either bias may
    be None; `dropout` is `(input_masks, recurrent_masks)`, the cell's per-sequence masks
    (`dropout_rnn_cell`), either None. Each step is `combine` of `x_t @ kernel + input_bias`
    and `states[0] @ recurrent_kernel + recurrent_bias`, their left operands dropped out.
    `keep`: None, or a boolean `(time, batch)` mask whose False steps are skipped (`_step`).
    """
    outputs, final_states, _ = _scan(combine, zero_masked_output, weights, dropout, xs, keep,
                                     states, False)
    return outputs, final_states


def _forward(combine, zero_masked_output, weights, dropout, xs, keep, states):
    outputs, final_states, residuals = _scan(combine, zero_masked_output, weights, dropout,
                                             xs, keep, states, True)
    return (outputs, final_states), (weights, dropout, xs, keep, residuals)


def _backward(combine, zero_masked_output, saved, cotangents):
    weights, (input_masks, recurrent_masks), xs, keep, (parts, previous) = saved
    kernel, recurrent_kernel, input_bias, recurrent_bias = weights
    d_outputs, d_final = cotangents

    def body(d_states, step_inputs):
        d_output, parts_t, states_t, keep_t = step_inputs
        _, vjp = jax.vjp(lambda parts, states: _step(combine, zero_masked_output, parts, states,
                                                     keep_t), parts_t, states_t)
        d_parts, d_previous = vjp((d_output, d_states))
        d_parts, d_previous = list(d_parts), list(d_previous)
        _, recurrent_vjp = jax.vjp(lambda h: _matmul(h, recurrent_masks, recurrent_kernel),
                                   states_t[0])
        d_previous[0] = d_previous[0] + recurrent_vjp(d_parts[-1])[0]
        if combine.apart:  # the leading columns' gradients are d_projected's
            d_parts[-1] = d_parts[-1][..., -combine.apart:]
        return d_previous, tuple(d_parts)

    d_initial, d_parts = lax.scan(body, list(d_final), (d_outputs, parts, previous, keep),
                                  reverse=True)
    d_projected = d_parts[0]
    d_recurrent = d_projected
    if combine.apart:
        d_recurrent = jnp.concatenate([d_projected[..., :-combine.apart], d_parts[-1]], axis=-1)
    # Over all timesteps at once: one matmul per weight (per gate, with per-gate masks).
    _, input_vjp = jax.vjp(lambda x, k: _matmul(x, input_masks, k), xs, kernel)
    d_xs, d_kernel = input_vjp(d_projected)
    _, recurrent_vjp = jax.vjp(lambda u: _matmul(previous[0], recurrent_masks, u),
                               recurrent_kernel)
    bias_gradient = lambda bias, d: None if bias is None else jnp.sum(d, axis=(0, 1))  # noqa: E731
    d_weights = (d_kernel, recurrent_vjp(d_recurrent)[0], bias_gradient(input_bias, d_projected),
                 bias_gradient(recurrent_bias, d_recurrent))
    return d_weights, None, d_xs, None, d_initial


hoisted_scan.defvjp(_forward, _backward)
