"""`GroupNormalization`: normalise each sample over groups of channels."""

import jax
import jax.numpy as jnp

from lamina._src import constraints, initializers, regularizers
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.layers.normalization.layer_normalization import check_axes_in_bounds
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object


@registry.register("layers")
class GroupNormalization(Layer):
    """Splits the channels (`axis`) into `groups` and normalises each sample's groups separately:

        y = gamma * (x - mean_g) / sqrt(var_g + epsilon) + beta

    where `mean_g` and the biased `var_g` are taken over the group's channels and every other
    non-batch axis. `groups=1` is layer normalization over all features; `groups=-1` (one group
    per channel) is instance normalization.

    Args:
        groups: the number of groups; must divide the channel count. `-1` means one per channel.
        axis: the channels axis (default -1).
        epsilon: added to the variance before the square root.
        center: whether to add the learned per-channel offset `beta`.
        scale: whether to multiply by the learned per-channel scale `gamma`.
        beta_initializer, gamma_initializer: initializers (zeros / ones).
        beta_regularizer, gamma_regularizer: penalties on `beta` / `gamma`.
        beta_constraint, gamma_constraint: projections applied to `beta` / `gamma`.

    Weights, in order: `gamma` (channels,), `beta` (channels,). Input shape: any, with a known
    channel count. Output shape: the input's.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                f"GroupNormalization '{self.name}': groups must be a positive integer (or -1 for "
                f"instance normalization), received groups={groups!r}."
            )
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape):
        check_axes_in_bounds(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"GroupNormalization '{self.name}': axis {self.axis} of the input must have a "
                f"known size, received input shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups or dim % self.groups:
            raise ValueError(
                f"GroupNormalization '{self.name}': groups={self.groups} must divide the number "
                f"of channels ({dim}) of input shape {tuple(input_shape)}."
            )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=(dim,),
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        self.beta = None
        if self.center:
            self.beta = self.add_weight(name="beta", shape=(dim,),
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)

    def call(self, inputs):
        rank = inputs.ndim
        axis = self.axis % rank
        dim = inputs.shape[axis]
        # (..., C, ...) -> (..., groups, C // groups, ...): the group axis sits at `axis`.
        grouped_shape = (*inputs.shape[:axis], self.groups, dim // self.groups,
                         *inputs.shape[axis + 1:])
        original = inputs.dtype
        x = jnp.reshape(inputs, grouped_shape).astype(jnp.promote_types(original, jnp.float32))
        reduce = tuple(i for i in range(1, rank + 1) if i != axis)
        mean = jnp.mean(x, axis=reduce, keepdims=True)
        variance = jnp.var(x, axis=reduce, keepdims=True)
        param_shape = [1] * (rank + 1)
        param_shape[axis], param_shape[axis + 1] = self.groups, dim // self.groups
        inv = jax.lax.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * jnp.reshape(self.gamma.value.astype(x.dtype), param_shape)
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + jnp.reshape(self.beta.value.astype(x.dtype), param_shape)
        outputs = (x * inv + offset).astype(original)
        return jnp.reshape(outputs, inputs.shape).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self, [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
        })
        return config
