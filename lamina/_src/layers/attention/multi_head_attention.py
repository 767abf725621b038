"""`MultiHeadAttention`: scaled dot-product attention over several learned projections.

Weights live in `EinsumDense` sub-layers named `query`, `key`, (`gate`), `value` and
`attention_output`, created in that order (Keras's order, so weight files load). Keras saves
them under the attribute paths `query_dense`, `key_dense`, `value_dense`, `output_dense`
(and `_gate_dense`), the names of the properties below.
"""

import math

import jax
import jax.numpy as jnp

from lamina._src import constraints, initializers, regularizers
from lamina._src.layers.attention import attention_ops
from lamina._src.layers.attention.attention import causal_mask
from lamina._src.layers.attention.einsum_dense import EinsumDense
from lamina._src.layers.attention.equations import (
    attention_equations,
    partial_output_shape,
    projection_equation,
)
from lamina._src.layers.core.dropout import Dropout
from lamina._src.layers.layer import Layer
from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


@registry.register("layers")
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017).

    For each head h: `softmax(Q_h K_h^T / sqrt(key_dim)) V_h` with `Q_h = query W^Q_h + b`,
    `K_h = key W^K_h + b`, `V_h = value W^V_h + b`; the heads are then projected back with
    `W^O` to the query's last dimension (or `output_shape`).

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each head for query and key.
        value_dim: the size of each head for value (defaults to `key_dim`).
        dropout: the dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output shape besides the batch and sequence axes (an int or a
            tuple); defaults to the query's last dimension.
        attention_axes: the axes attention runs over; default all but batch, heads and
            features (axis 1 for `(batch, T, dim)` inputs).
        sliding_window: if set, query i only sees keys j with `|i - j| < sliding_window`.
        flash_attention: accepted for Keras compatibility; lamina always takes XLA's
            attention (the numbers are the same).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: passed to every projection.
        use_gate: gate the heads with `sigmoid(query W^G + b)` before the output projection.
        seed: an int seed for the dropout.

    Call arguments:
        query: `(batch, T, dim)`.
        value: `(batch, S, dim_v)`.
        key: `(batch, S, dim_k)`; defaults to `value`.
        query_mask / value_mask / key_mask: booleans `(batch, T)` / `(batch, S)`: the Keras
            masks of those tensors (a Functional model fills them in).
        attention_mask: booleans `(batch, T, S)`: True where query i may attend to key j.
        return_attention_scores: also return the attention probabilities
            `(batch, heads, T, S)`.
        training: whether dropout is applied.
        use_causal_mask: forbid query i to attend to keys `j > i`.

    Output shape: `(batch, T, dim)` (or `(batch, T, *output_shape)`), plus the scores when asked.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True)):
            if (value is not None or not optional) and (not isinstance(value, int) or value <= 0):
                raise ValueError(
                    f"MultiHeadAttention '{self.name}': {arg} must be a positive integer"
                    f"{' or None' if optional else ''}, received {arg}={value!r}."
                )
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            if not isinstance(output_shape, list | tuple):
                raise ValueError(
                    f"MultiHeadAttention '{self.name}': output_shape must be an int, a tuple or a "
                    f"list, received output_shape={output_shape!r}."
                )
            output_shape = tuple(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, list | tuple):
            raise ValueError(
                f"MultiHeadAttention '{self.name}': attention_axes must be an int, list or tuple, "
                f"received attention_axes={attention_axes!r}."
            )
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(
                f"MultiHeadAttention '{self.name}': sliding_window must be None or a positive "
                f"integer, received sliding_window={sliding_window!r}."
            )
        if flash_attention and dropout > 0.0:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': dropout is not supported with "
                "flash_attention=True; set dropout=0.0 or flash_attention=None."
            )
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._output_shape = output_shape
        self._attention_axes = tuple(attention_axes) if attention_axes else attention_axes
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    # -- public read-only attributes (Keras's) -------------------------------------------------
    @property
    def num_heads(self) -> int:
        return self._num_heads

    @property
    def key_dim(self) -> int:
        return self._key_dim

    @property
    def value_dim(self) -> int:
        return self._value_dim

    @property
    def dropout(self) -> float:
        return self._dropout

    @property
    def use_bias(self) -> bool:
        return self._use_bias

    @property
    def attention_axes(self):
        return self._attention_axes

    @property
    def query_dense(self) -> EinsumDense:
        return self._query_dense

    @property
    def key_dense(self) -> EinsumDense:
        return self._key_dense

    @property
    def value_dense(self) -> EinsumDense:
        return self._value_dense

    @property
    def output_dense(self) -> EinsumDense:
        return self._output_dense

    # -- building ------------------------------------------------------------------------------
    def _sublayer_kwargs(self) -> dict:
        # Fresh initializer copies per projection, as Keras does.
        return {
            "kernel_initializer": type(self._kernel_initializer).from_config(
                self._kernel_initializer.get_config()),
            "bias_initializer": type(self._bias_initializer).from_config(
                self._bias_initializer.get_config()),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype_policy,
        }

    def _projection(self, input_rank: int, head_dim: int, name: str, activation=None):
        equation, bias_axes, output_rank = projection_equation(input_rank - 1, 1, 2)
        return EinsumDense(equation,
                           output_shape=partial_output_shape(output_rank - 1,
                                                             [self._num_heads, head_dim]),
                           bias_axes=bias_axes if self._use_bias else None,
                           activation=activation, name=name, **self._sublayer_kwargs())

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, except "
                f"the last one, must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        self._query_dense = self._projection(len(query_shape), self._key_dim, "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection(len(key_shape), self._key_dim, "key")
        self._key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(len(query_shape), self._value_dim, "gate",
                                                activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection(len(value_shape), self._value_dim, "value")
        self._value_dense.build(value_shape)

        rank = len(query_shape) + 1  # the projected tensors' rank
        if self._attention_axes is None:
            self._attn_axes = tuple(range(1, rank - 2))
        else:
            self._attn_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        # As in Keras, a built layer reports (and serializes) the resolved, non-negative axes.
        self._attention_axes = self._attn_axes
        self._dot_product_equation, self._combine_equation, scores_rank = attention_equations(
            rank, self._attn_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attn_axes), scores_rank))
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)

        output_shape = self._output_shape if self._output_shape else [query_shape[-1]]
        equation, bias_axes, output_rank = projection_equation(len(query_shape) - 1, 2,
                                                               len(output_shape))
        self._output_dense = EinsumDense(
            equation, output_shape=partial_output_shape(output_rank - 1, output_shape),
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        self._output_dense.build((*query_shape[:-1], self._num_heads, self._value_dim))

    def get_build_config(self) -> dict | None:
        shapes = self._build_shapes
        if shapes is None:
            return None
        if not isinstance(shapes, dict):
            shapes = dict(zip(("query_shape", "value_shape", "key_shape"), shapes))
        return {"shapes_dict": {k: None if v is None else tuple(v) for k, v in shapes.items()}}

    def build_from_config(self, config: dict) -> None:
        if not config or self.built:
            return
        if "shapes_dict" in config:
            self.build(**{k: None if v is None else tuple(v)
                          for k, v in config["shapes_dict"].items()})
        elif config.get("input_shape") is not None:
            super().build_from_config(config)

    # -- the computation -----------------------------------------------------------------------
    def _attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                        attention_mask=None, use_causal_mask=False):
        """All masks merged into one boolean `(batch, T, S)` (broadcastable) mask, or None."""
        auto = None

        def merge(mask):
            return mask if auto is None else jnp.logical_and(auto, mask)

        if query_mask is not None:
            auto = jnp.asarray(query_mask).astype(bool)[..., None]
        if value_mask is not None:
            auto = merge(jnp.asarray(value_mask).astype(bool)[..., None, :])
        if key_mask is not None:
            auto = merge(jnp.asarray(key_mask).astype(bool)[..., None, :])
        if use_causal_mask:
            auto = merge(causal_mask(query.shape[1], value.shape[1]))
        if self._sliding_window is not None:
            rows = jnp.arange(query.shape[1])[:, None]
            cols = jnp.arange(value.shape[1])[None, :]
            auto = merge((jnp.abs(rows - cols) < self._sliding_window)[None])
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask).astype(bool)
            return attention_mask if auto is None else jnp.logical_and(attention_mask, auto)
        return auto

    def _expand_mask(self, mask, rank):
        """The `(batch, <query axes>, <key axes>)` mask with the head axis (and any other
        leading ones) inserted before the query attention axes, up to `rank`."""
        axis = -len(self._attn_axes) * 2 - 1
        while mask.ndim < rank:
            mask = jnp.expand_dims(mask, axis)
        return mask

    def _masked_softmax(self, scores, mask):
        if mask is None:
            return jax.nn.softmax(scores, axis=self._norm_axes)
        mask = self._expand_mask(mask, scores.ndim)
        large_negative = -3.0e4 if scores.dtype == jnp.float16 else -1.0e9
        probs = jax.nn.softmax(jnp.where(mask, scores, jnp.asarray(large_negative, scores.dtype)),
                               axis=self._norm_axes)
        return jnp.where(mask, probs, jnp.zeros((), probs.dtype))

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Attention between projected tensors; returns `(output, probabilities or None)`.

        As Keras on JAX: without dropout or returned scores, `(batch, T, heads, dim)`
        tensors go through `jax.nn.dot_product_attention` (XLA), which gives fully masked
        query rows a uniform distribution; the explicit path zeroes them. On XLA CPU the
        fused call also runs ~2x faster than the two einsums around a softmax, which YNNPACK
        fuses into one slower kernel (256 x 64 tokens, 4 heads of 16: 31 -> 16 ms). In
        training steps `attention_ops` gives that call a faster gradient.
        """
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': return_attention_scores=True is not "
                "supported with flash_attention=True; leave flash_attention=None."
            )
        if not (self._dropout > 0.0 or return_attention_scores or query.ndim != 4):
            mask = None if attention_mask is None else self._expand_mask(attention_mask, 4)
            output = attention_ops.dot_product_attention(query, key, value, mask,
                                                         self._inverse_sqrt_key_dim)
            return output, None
        query = query * jnp.asarray(self._inverse_sqrt_key_dim, query.dtype)
        scores = jnp.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0.0 else scores
        return jnp.einsum(self._combine_equation, dropped, value), scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        query, value, key = (jnp.asarray(t) for t in (query, value, key))
        attention_mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                              attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        output, scores = self._compute_attention(query, key, value, attention_mask, training,
                                                 return_attention_scores)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    # -- shapes and masks ----------------------------------------------------------------------
    def compute_mask(self, inputs, previous_mask=None):
        """The output carries the query's mask."""
        if previous_mask is not None:
            return previous_mask
        return getattr(inputs, "_keras_mask", None)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, except "
                f"the last one, must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        if self._output_shape:
            return (*query_shape[:-1], *self._output_shape)
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        key_shape = None if key is None else key.shape
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, key_shape),
                             dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        key_shape = tuple(value.shape if key is None else key.shape)
        rank = len(query.shape) + 1
        projected_query = (*tuple(query.shape)[:-1], self._num_heads, self._key_dim)
        projected_key = (*key_shape[:-1], self._num_heads, self._key_dim)
        batch_axes = [i for i in range(rank) if i not in self._attn_axes and i != rank - 1]
        scores_shape = ([projected_query[i] for i in batch_axes]
                        + [projected_query[i] for i in self._attn_axes]
                        + [projected_key[i] for i in self._attn_axes])
        return output, KerasTensor(tuple(scores_shape), dtype=self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": serialize_keras_object(self._kernel_initializer),
            "bias_initializer": serialize_keras_object(self._bias_initializer),
            "kernel_regularizer": serialize_keras_object(self._kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self._bias_regularizer),
            "activity_regularizer": serialize_keras_object(self._activity_regularizer),
            "kernel_constraint": serialize_keras_object(self._kernel_constraint),
            "bias_constraint": serialize_keras_object(self._bias_constraint),
            "seed": self.seed,
        })
        return config
