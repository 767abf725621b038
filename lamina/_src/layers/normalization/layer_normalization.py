"""`LayerNormalization`: normalise each sample over its feature axes."""

import warnings

import jax
import jax.numpy as jnp

from lamina._src import constraints, initializers, regularizers
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


def check_axes_in_bounds(layer, axes, input_shape):
    """Raise a ValueError naming `layer` if an axis does not exist in `input_shape`."""
    rank = len(input_shape)
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': axis {axis} is out of bounds for input "
                f"shape {tuple(input_shape)} (rank {rank}). Received: axis={layer.axis}"
            )


@registry.register("layers")
class LayerNormalization(Layer):
    """Normalises each sample independently over `axis`:

        y = gamma * (x - mean) / sqrt(var + epsilon) + beta

    where `mean` and the biased `var` are taken over `axis` of each sample. Statistics are
    computed in float32 (at least) for half-precision inputs.

    Args:
        axis: an int or a list of ints, the axes to normalise over (default -1, the features).
            `gamma` and `beta` have the sizes of these axes (in sorted axis order).
        epsilon: added to the variance before the square root.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned scale `gamma`.
        beta_initializer, gamma_initializer: initializers (zeros / ones).
        beta_regularizer, gamma_regularizer: penalties on `beta` / `gamma`.
        beta_constraint, gamma_constraint: projections applied to `beta` / `gamma`.
        rms_scaling: keyword-only (as in Keras, where it is read from `**kwargs`); deprecated:
            `y = gamma * x / sqrt(var + epsilon)` (it scales by the variance, not the root mean
            square), with `gamma` and no `beta`.

    Weights, in order: `gamma` (if scale or rms_scaling), `beta` (if center and not rms_scaling).
    Input shape: any. Output shape: the input's.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, *, rms_scaling=False, **kwargs):
        if rms_scaling:
            warnings.warn(
                "LayerNormalization(rms_scaling=True) is deprecated, as in Keras: it scales by "
                "the variance, not the root mean square. Use RMS normalization for that.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple) and all(isinstance(a, int) for a in axis):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(
                f"LayerNormalization '{self.name}': axis must be an int or a list/tuple of ints, "
                f"received axis={axis!r}."
            )
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        # Inputs keep their dtype: the statistics are computed in float32 regardless.
        self.autocast = False

    def _axes(self):
        return list(self.axis) if isinstance(self.axis, list) else [self.axis]

    def build(self, input_shape):
        check_axes_in_bounds(self, self._axes(), input_shape)
        # As in Keras, the axis becomes a sorted list once built (and so in the config).
        self.axis = sorted(self._axes())
        shape = tuple(input_shape[a] for a in self.axis)
        if any(d is None for d in shape):
            raise ValueError(
                f"LayerNormalization '{self.name}': the normalised axes {self.axis} must have "
                f"known sizes, received input shape {tuple(input_shape)}."
            )
        self.gamma = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        self.beta = None
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)

    def call(self, inputs):
        original = inputs.dtype
        x = inputs.astype(jnp.promote_types(original, jnp.float32))
        axes = tuple(self._axes())
        # gamma / beta hold the normalised axes' sizes; lay them out against the input.
        broadcast = [1] * x.ndim
        for a in axes:
            broadcast[a] = x.shape[a]
        variance = jnp.var(x, axis=axes, keepdims=True)
        inv = jax.lax.rsqrt(variance + self.epsilon)
        if self.rms_scaling:
            outputs = x * inv
            if self.gamma is not None:
                outputs = outputs * jnp.reshape(self.gamma.value.astype(x.dtype), broadcast)
        else:
            mean = jnp.mean(x, axis=axes, keepdims=True)
            if self.gamma is not None:
                inv = inv * jnp.reshape(self.gamma.value.astype(x.dtype), broadcast)
            offset = -mean * inv
            if self.beta is not None:
                offset = offset + jnp.reshape(self.beta.value.astype(x.dtype), broadcast)
            outputs = x * inv + offset
        return outputs.astype(original).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, self._axes(), input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
        })
        return config
