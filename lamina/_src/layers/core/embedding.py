"""`Embedding`: integer indices -> rows of a trainable `(input_dim, output_dim)` table."""

import warnings

import jax.numpy as jnp

from lamina._src import constraints, initializers, regularizers
from lamina._src.backend.dtypes import is_float_dtype
from lamina._src.layers.layer import Layer
from lamina._src.ops import numpy as ops
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


def _check_dim(argument: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Embedding: `{argument}` must be a positive integer, received {argument}={value!r} "
            f"(of type {type(value).__name__})."
        )
    return value


@registry.register("layers")
class Embedding(Layer):
    """Turns indices into dense vectors: `output[..., :] = embeddings[inputs[...]]`.

    Args:
        input_dim: the vocabulary size (the largest index + 1).
        output_dim: the size of each vector.
        embeddings_initializer: default `"uniform"` (uniform in [-0.05, 0.05]).
        embeddings_regularizer, embeddings_constraint: for the table.
        activity_regularizer: a penalty on the output.
        mask_zero: treat index 0 as padding: the layer emits the mask `inputs != 0` for the
            layers after it (an RNN then skips those timesteps). Index 0 still looks up row 0,
            so `input_dim` must count it.
        weights: optional initial value of the table (an array or a one-element list).
        input_length: Keras 2's argument; accepted and ignored.

    Input shape: `(batch, ...)` integers. Output shape: `(batch, ..., output_dim)`.
    Weights: `embeddings` `(input_dim, output_dim)`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        input_dim = _check_dim("input_dim", input_dim)
        output_dim = _check_dim("output_dim", output_dim)
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Embedding: the `input_length` argument is deprecated and ignored.",
                          stacklevel=2)
        if lora_rank or quantization_config is not None:
            raise NotImplementedError(
                "Embedding: LoRA (`lora_rank`) and quantization are not supported by lamina; "
                "remove these arguments."
            )
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False  # integer inputs; the output is cast to the compute dtype
        self.lora_rank = None
        self.lora_alpha = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(name="embeddings",
                                          shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if inputs.dtype not in (jnp.int32, jnp.int64):
            inputs = inputs.astype("int32")
        outputs = jnp.take(self.embeddings.value, inputs, axis=0)
        return outputs.astype(self.compute_dtype) if is_float_dtype(self.compute_dtype) else outputs

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize_keras_object(self.embeddings_initializer),
                "embeddings_regularizer": serialize_keras_object(self.embeddings_regularizer),
                "activity_regularizer": serialize_keras_object(self.activity_regularizer),
                "embeddings_constraint": serialize_keras_object(self.embeddings_constraint),
                "mask_zero": self.mask_zero,
                "quantization_config": None}
