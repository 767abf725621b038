"""`Normalization`: `(x - mean) / sqrt(variance)` with statistics given or learned by `adapt()`."""

import math

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.config import epsilon
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry


def _first_of_batch(batch):
    """`(x, y)` or `(x, y, sample_weight)` batches -> x."""
    return batch[0] if isinstance(batch, tuple) else batch


@registry.register("layers")
class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per position of the kept `axis`.

    `y = (x - mean) / max(sqrt(variance), epsilon)`, or with `invert=True`
    `y = mean + x * max(sqrt(variance), epsilon)`. The statistics are either given
    (`mean`, `variance`, broadcast over the kept axes) or computed from data by `adapt()` and
    stored as the non-trainable weights `mean`, `variance` and `count` (Keras's layout; `count`
    is kept for old files and stays 0).

    Args:
        axis: the axis or axes that keep a separate mean and variance (default -1, the
            features); None normalizes every element with one scalar mean and variance.
        mean, variance: fixed statistics, both or neither.
        invert: apply the inverse transformation (de-normalize).

    Input shape: any, with the kept axes known. Output shape: the same.

    Unlike Keras, `call` reads the `mean`/`variance` weights themselves, so values set with
    `set_weights` or passed to `stateless_call` take effect without re-adapting.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                f"Normalization '{self.name}': when setting values directly, both `mean` and "
                f"`variance` must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"Normalization '{self.name}': `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"Normalization '{self.name}': the rank of `mean` must be at most the number "
                    f"of axes ({len(self.axis)}). Received: mean shape {np.shape(mean)} for "
                    f"axis {self.axis}"
                )

    def build(self, input_shape):
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization '{self.name}': all `axis` values must be in the range "
                f"[-ndim, ndim). Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(
                    f"Normalization '{self.name}': all `axis` values to be kept must have a known "
                    f"shape. Received axis={self.axis}, inputs.shape={input_shape}, with unknown "
                    f"axis at index {a}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1
                                      for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int",
                                         initializer="zeros", trainable=False)
        else:
            self.mean, self.variance = (self._broadcast_given(v) for v in
                                        (self.input_mean, self.input_variance))

    def _broadcast_given(self, value):
        """A given mean/variance -> the broadcast shape, its axes aligned right to left with the
        kept axes."""
        value = np.asarray(value)
        expanded = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            expanded[self._keep_axis[-i]] = value.shape[-i]
        value = np.broadcast_to(value.reshape(expanded), self._broadcast_shape)
        return jnp.asarray(value, self.compute_dtype)

    def _statistics(self):
        if self.input_mean is not None:
            return self.mean, self.variance
        dtype = self.compute_dtype
        mean = jnp.reshape(self.adapt_mean.value, self._broadcast_shape).astype(dtype)
        variance = jnp.reshape(self.adapt_variance.value, self._broadcast_shape).astype(dtype)
        return mean, variance

    def adapt(self, data) -> None:
        """Compute the mean and variance of `data` and store them in the layer's weights.

        Args:
            data: a numpy array or JAX array, or an iterable of batches (a list of arrays, a
                generator, a `PyDataset`, a batched `tf.data.Dataset`); `(x, y)` batches use x.
                Batches are merged with the exact pooled-variance formula.

        Raises:
            ValueError: for an empty iterable, or data whose kept axes differ from the built
                shape.
            TypeError: for data of another kind.
        """
        iterable = False
        if isinstance(data, np.ndarray | jax.Array):
            input_shape = tuple(data.shape)
        elif hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(
                    f"Normalization '{self.name}': adapt() received an empty iterable (no "
                    "batches). Pass a non-empty iterable of arrays, e.g. layer.adapt([x])."
                )
            first = _first_of_batch(first)
            if not hasattr(first, "shape"):
                raise TypeError(
                    f"Normalization '{self.name}': adapt() expects an iterable of arrays with a "
                    f"`.shape`; received an element of type {type(first).__name__}."
                )
            input_shape = tuple(first.shape)
            iterable = True

            def batches():
                yield first
                yield from iterator

            data = batches()
        else:
            raise TypeError(
                f"Normalization '{self.name}': adapt() supports numpy arrays, JAX arrays and "
                f"iterables of batches; received {type(data).__name__}."
            )
        if not self.built:
            self.build(input_shape)
        else:
            self._check_adapt_shape(input_shape)

        if isinstance(data, np.ndarray):
            total_mean = np.mean(data, axis=self._reduce_axis)
            total_var = np.var(data, axis=self._reduce_axis)
        elif not iterable:
            total_mean = jnp.mean(data, axis=self._reduce_axis)
            total_var = jnp.var(data, axis=self._reduce_axis)
        else:
            total_mean, total_var = self._pooled_statistics(data)
        self.adapt_mean.assign(jnp.asarray(total_mean, self.adapt_mean.dtype))
        self.adapt_variance.assign(jnp.asarray(total_var, self.adapt_variance.dtype))

    def _check_adapt_shape(self, shape):
        for a in self._keep_axis:
            if shape[a] != self._build_input_shape[a]:
                raise ValueError(
                    f"Normalization '{self.name}': the layer was built with "
                    f"input_shape={self._build_input_shape}, but adapt() received data with an "
                    f"incompatible shape {tuple(shape)}."
                )

    def _pooled_statistics(self, batches):
        """Running mean and variance over batches (the lack-of-fit sum of squares merge)."""
        total_mean = jnp.zeros(self._mean_and_var_shape)
        total_var = jnp.zeros(self._mean_and_var_shape)
        total_count = 0
        for batch in batches:
            batch = jnp.asarray(np.asarray(_first_of_batch(batch)), self.compute_dtype)
            self._check_adapt_shape(batch.shape)
            batch_mean = jnp.mean(batch, axis=self._reduce_axis)
            batch_var = jnp.var(batch, axis=self._reduce_axis)
            batch_count = math.prod(batch.shape[d] for d in self._reduce_axis)
            total_count += batch_count
            batch_weight = float(batch_count) / total_count
            existing_weight = 1.0 - batch_weight
            new_mean = total_mean * existing_weight + batch_mean * batch_weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * existing_weight
                         + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
            total_mean = new_mean
        return total_mean, total_var

    def call(self, inputs):
        mean, variance = self._statistics()
        inputs = jnp.asarray(inputs).astype(self.compute_dtype)
        std = jnp.maximum(jnp.sqrt(variance), epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}

    def get_build_config(self) -> dict | None:
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config: dict) -> None:
        if config and not self.built:
            self.build(tuple(config["input_shape"]))
