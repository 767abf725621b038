"""`AdditiveAttention`: Bahdanau-style attention, scores from `tanh(query + key)`."""

import jax.numpy as jnp

from lamina._src.layers.attention.attention import Attention
from lamina._src.saving import registry


@registry.register("layers")
class AdditiveAttention(Attention):
    """Additive attention: `scores[i, j] = sum(scale * tanh(query[i] + key[j]))`.

    The rest (masking, softmax, dropout, causal mask, returned scores) is `Attention`'s.

    Args:
        use_scale: learn a per-feature `scale` vector of shape `(dim,)` (glorot-uniform
            initialized); otherwise the scale is 1.
        dropout: the fraction of attention weights dropped while training.
        seed: an int seed for the dropout (keyword only).

    Call arguments, input and output shapes: as `Attention`.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(tuple(input_shape[0])[-1],),
                                         initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        pairs = jnp.tanh(query[..., :, None, :] + key[..., None, :, :])  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = self.scale.value * pairs
        return jnp.sum(pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
