"""`Attention`: dot-product (Luong-style) attention of a query sequence over a value sequence."""

import jax
import jax.numpy as jnp

from lamina._src.backend.random import SeedGenerator
from lamina._src.layers.layer import Layer
from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.saving import registry

_SCORE_MODES = ("dot", "concat")


def large_negative(dtype) -> float:
    """The additive bias that removes a masked score from a softmax (float16 tops out at 65504)."""
    return -65504.0 if jnp.dtype(dtype) == jnp.float16 else -1.0e9


def causal_mask(query_length: int, key_length: int) -> jax.Array:
    """`(1, Tq, Tv)` booleans, True where query position i may see key position j (`j <= i`)."""
    rows = jnp.arange(query_length)[:, None]
    cols = jnp.arange(key_length)[None, :]
    return (rows >= cols)[None]


@registry.register("layers")
class Attention(Layer):
    """Dot-product attention: `softmax(scores(query, key)) @ value`.

    With `scores = query @ key^T` (`score_mode="dot"`, times a learned scalar when `use_scale`),
    or `scores = c * sum(tanh(s * (query_i + key_j)))` (`score_mode="concat"`, with learned
    scalars `c` and, when `use_scale`, `s`). Masked value positions get `-1e9` added before the
    softmax; masked query positions give zero outputs.

    Args:
        use_scale: learn a scalar `scale` applied to the scores.
        score_mode: `"dot"` or `"concat"`.
        dropout: the fraction of attention weights dropped while training.
        seed: an int seed for the dropout.

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`, with query `(batch, Tq, dim)` and
            value/key `(batch, Tv, dim)`; key defaults to value.
        mask: `[query_mask, value_mask]`, booleans `(batch, Tq)` and `(batch, Tv)`.
        training: whether dropout is applied.
        return_attention_scores: also return the attention weights `(batch, Tq, Tv)`.
        use_causal_mask: forbid position i to attend to positions `j > i`.

    Output shape: `(batch, Tq, dim)`, plus the scores when asked for.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': score_mode must be one of {_SCORE_MODES}, "
                f"received score_mode={score_mode!r}."
            )
        if not 0 <= dropout <= 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': dropout must be in [0, 1], received "
                f"dropout={dropout!r}."
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            self.seed_generator = SeedGenerator(seed)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    # -- the computation -------------------------------------------------------------------
    def _calculate_scores(self, query, key):
        """`(batch, Tq, Tv)` scores."""
        if self.score_mode == "dot":
            scores = jnp.matmul(query, jnp.swapaxes(key, -2, -1))
            if self.scale is not None:
                scores = scores * self.scale.value
            return scores
        pairs = query[..., :, None, :] + key[..., None, :, :]  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = self.scale.value * pairs
        return self.concat_score_weight.value * jnp.sum(jnp.tanh(pairs), axis=-1)

    def _score_mask(self, scores, value_mask, use_causal_mask):
        """The boolean mask of allowed (query, key) pairs, or None."""
        if value_mask is not None:
            value_mask = jnp.asarray(value_mask).astype(bool)[..., None, :]  # (batch, 1, Tv)
        if not use_causal_mask:
            return value_mask
        causal = causal_mask(scores.shape[-2], scores.shape[-1])
        return causal if value_mask is None else jnp.logical_and(value_mask, causal)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """Masked softmax of the scores (with dropout when training), applied to the value."""
        if scores_mask is not None:
            scores = jnp.where(scores_mask, scores, scores + large_negative(scores.dtype))
        weights = jax.nn.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            keep = 1.0 - self.dropout
            kept = jax.random.bernoulli(self.seed_generator.next(), keep, weights.shape)
            dropped = jnp.where(kept, weights / jnp.asarray(keep, weights.dtype),
                                jnp.zeros((), weights.dtype))
        # Keras returns the weights after dropout.
        return jnp.matmul(dropped, value), dropped

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._score_mask(scores, value_mask, use_causal_mask)
        outputs, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            query_mask = jnp.asarray(query_mask).astype(bool)[..., None]
            outputs = jnp.where(query_mask, outputs, jnp.zeros((), outputs.dtype))
        if return_attention_scores:
            return outputs, weights
        return outputs

    # -- shapes and masks ------------------------------------------------------------------
    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0] if isinstance(mask[0], KerasTensor) else jnp.asarray(mask[0])

    def compute_output_shape(self, input_shape):
        self._validate_inputs(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs, mask=None, training=None, return_attention_scores=False,
                            use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(self.compute_output_shape([query.shape, value.shape]),
                             dtype=self.compute_dtype)
        if return_attention_scores:
            return output, KerasTensor((*query.shape[:-1], key.shape[-2]), dtype=self.compute_dtype)
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"{name} layer '{self.name}' must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: inputs={inputs}."
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{name} layer '{self.name}' accepts an inputs list of length 2 or 3, namely "
                f"[query, value] or [query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list | tuple):
                raise ValueError(
                    f"{name} layer '{self.name}' mask must be a list, namely "
                    f"[query_mask, value_mask]. Received: mask={mask}."
                )
            if not 2 <= len(mask) <= 3:
                raise ValueError(
                    f"{name} layer '{self.name}' accepts a mask list of length 2 or 3. "
                    f"Received a mask list of length {len(mask)}."
                )

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
