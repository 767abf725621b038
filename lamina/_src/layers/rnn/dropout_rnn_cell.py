"""`DropoutRNNCell`: the per-sequence dropout masks of the built-in recurrent cells.

Keras draws a cell's input and recurrent dropout masks once per sequence and reuses them at
every timestep. The `RNN` layer asks the cell to draw them before its `lax.scan` (so no random
key is drawn inside the loop), the loop reads them, and the layer clears them afterwards. A cell
called on its own, outside an `RNN`, draws fresh masks for that call.
"""

import jax
import jax.numpy as jnp


def dropout_mask(key, like, rate):
    """`0` with probability `rate`, else `1 / (1 - rate)`, in the shape and dtype of `like`."""
    keep = 1.0 - rate
    bits = jax.random.bernoulli(key, keep, like.shape)
    scale = jnp.asarray(1.0 / keep if keep > 0 else 0.0, like.dtype)
    return jnp.where(bits, scale, jnp.zeros((), like.dtype))


def masked_matmul(x, masks, kernel, units):
    """`x @ kernel`, with `x` multiplied first by a dropout mask.

    Args:
        x: `(..., batch, features)`.
        masks: None; one `(batch, features)` mask for every gate; or a list of masks, one per
            block of `units` columns of `kernel` (Keras's `implementation=1`).
        kernel: `(features, n_gates * units)`.
        units: the width of one gate block.
    """
    if masks is None:
        return jnp.matmul(x, kernel)
    if not isinstance(masks, list | tuple):
        return jnp.matmul(x * masks, kernel)
    return jnp.concatenate(
        [jnp.matmul(x * m, kernel[:, g * units:(g + 1) * units]) for g, m in enumerate(masks)],
        axis=-1)


class DropoutRNNCell:
    """Mixin for cells with `dropout`, `recurrent_dropout` and a `seed_generator`.

    `_dropout_mask_count` (None, or the number of gates) selects one mask for all gates or one
    per gate, as Keras's `implementation` 2 and 1 do.
    """

    _dropout_mask_count = None
    # Keras's SimpleRNNCell also drops at rate 1 (all zeros); LSTM and GRU skip rate 1.
    _drops_fully = False

    def _draw(self, like, rate):
        if self._dropout_mask_count is None:
            return dropout_mask(self.seed_generator.next(), like, rate)
        return [dropout_mask(self.seed_generator.next(), like, rate)
                for _ in range(self._dropout_mask_count)]

    def _applies(self, rate) -> bool:
        return 0.0 < rate < 1.0 or (rate == 1.0 and self._drops_fully)

    def _step_dropout_masks(self, step_input, state, training):
        """`(input_mask, recurrent_mask)` for this call: the cached per-sequence masks, else
        fresh ones when training (None where a rate is 0 or not training)."""
        if not training:
            return None, None
        cached = getattr(self, "_cached_dropout_masks", None)
        if cached is not None:
            return cached
        input_mask = self._draw(step_input, self.dropout) if self._applies(self.dropout) else None
        recurrent_mask = (self._draw(state, self.recurrent_dropout)
                          if self._applies(self.recurrent_dropout) else None)
        return input_mask, recurrent_mask

    def _cache_dropout_masks(self, step_input, state, training):
        """Draw the masks for a whole sequence (called by `RNN` before its loop)."""
        self._cached_dropout_masks = None
        masks = self._step_dropout_masks(step_input, state, training)
        self._cached_dropout_masks = masks if training else None
        return masks

    def _clear_dropout_masks(self):
        self._cached_dropout_masks = None
