"""`InputLayer` and `Input()`: the entry points of a functional graph."""

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.layers.layer import Layer
from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.ops.operation import Node
from lamina._src.saving import registry


@registry.register("layers")
class InputLayer(Layer):
    """The layer behind `Input()`: holds the input's batch shape and dtype; computes nothing."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        # tf.keras 2 configs: batch_input_shape / input_shape.
        batch_shape = batch_shape or kwargs.pop("batch_input_shape", None)
        shape = shape if shape is not None else kwargs.pop("input_shape", None)
        _check_not_ragged(ragged, name)
        if batch_shape is None and shape is None and input_tensor is None:
            raise ValueError("An Input needs a `shape` or a `batch_shape`, e.g. Input(shape=(784,)).")
        if batch_shape is None and shape is not None:
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size, *shape)
        if input_tensor is not None:
            batch_shape = input_tensor.shape
            dtype = dtype or input_tensor.dtype
        super().__init__(name=name, dtype=None, **kwargs)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._input_dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        tensor = KerasTensor(self._batch_shape, dtype=self._input_dtype, name=self.name)
        Node(self, outputs=tensor)
        self._input_tensor = tensor
        self.built = True

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs=None):
        return inputs

    def get_config(self) -> dict:
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._input_dtype,
            "sparse": self.sparse,
            "ragged": False,
            "optional": self.optional,
            "name": self.name,
        }


def _check_not_ragged(ragged, name):
    # Keras accepts `ragged` only on the TensorFlow backend; configs write ragged=False.
    if ragged:
        raise ValueError(
            f"Input '{name}': ragged=True is not supported (Keras supports ragged inputs only on "
            "the TensorFlow backend); pass ragged=False."
        )


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False) -> KerasTensor:
    """A symbolic input: `Input(shape=(784,))` stands for a batch of 784-vectors.

    Args:
        shape: the shape of one sample (no batch dimension); None entries are free.
        batch_size: a fixed batch size, if any.
        dtype: the input dtype (default float32).
        sparse: accepted for Keras's signature.
        ragged: must be falsy (Keras supports ragged inputs only on TensorFlow).
        batch_shape: the full shape with the batch dimension, instead of shape + batch_size.
        name: the input's name (also its key when a model takes a dict of inputs).
    """
    _check_not_ragged(ragged, name)
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional, name=name)
    return layer.output
