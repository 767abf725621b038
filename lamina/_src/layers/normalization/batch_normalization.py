"""`BatchNormalization`: normalise each feature with batch statistics (training) or with moving
averages of them (inference)."""

import jax
import jax.numpy as jnp

from lamina._src import constraints, initializers, regularizers
from lamina._src.backend import config as backend_config
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object

_RENORM_CLIPPING_KEYS = ("rmax", "rmin", "dmax")


def _statistics_dtype(dtype):
    """Half-precision inputs are normalised in float32 (their sums overflow); float64 stays."""
    return jnp.promote_types(dtype, jnp.float32)


@registry.register("layers")
class BatchNormalization(Layer):
    """Normalises the features of its input: `gamma * (x - mean) / sqrt(var + epsilon) + beta`.

    **Training** (`training=True`, as in `fit()`): `mean` and `var` are the statistics of the
    current batch over every axis but `axis` (biased variance), and the moving statistics are
    updated in place:

        moving_mean     = moving_mean * momentum     + mean * (1 - momentum)
        moving_variance = moving_variance * momentum + var  * (1 - momentum)

    **Inference** (the default): `mean` and `var` are `moving_mean` and `moving_variance`.
    A frozen layer (`trainable=False`) always runs in inference mode, as in Keras.

    With a `mask` (shape: the input's without the last axis), masked positions do not count
    towards the batch statistics.

    Args:
        axis: the features axis (an int), e.g. `1` after a channels_first convolution. A
            one-element list (tf.keras 2's config format) is accepted.
        momentum: the moving averages' momentum.
        epsilon: added to the variance before the square root.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned scale `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: initializers (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer: penalties on `beta` / `gamma`.
        beta_constraint, gamma_constraint: projections applied to `beta` / `gamma`.
        synchronized: whether statistics are reduced across devices. Accepted for configs written
            with TensorFlow. Under `jax.jit` a batch sharded over devices already gives global
            statistics, so the flag changes nothing here.
        renorm: whether to use Batch Renormalization (Ioffe, 2017); adds `moving_stddev`,
            `renorm_mean` and `renorm_stddev` non-trainable weights.
        renorm_clipping: `{"rmax", "rmin", "dmax"}` bounds of the renorm corrections `r`, `d`.
        renorm_momentum: the momentum of the renorm statistics.

    Weights, in order: `gamma` (if scale), `beta` (if center), `moving_mean`, `moving_variance`
    (then the renorm statistics). Input shape: any. Output shape: the input's.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        kwargs.pop("fused", None)  # a TF kernel choice some tf.keras files record; no meaning here
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple) and len(axis) == 1:
            axis = axis[0]  # tf.keras 2 files write the axis as a one-element list
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"BatchNormalization '{self.name}': axis must be an int (or a one-element list, as "
                f"tf.keras 2 writes it), received axis={axis!r}."
            )
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.renorm = renorm
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - set(_RENORM_CLIPPING_KEYS)
            if unknown:
                raise ValueError(
                    f"BatchNormalization '{self.name}': renorm_clipping accepts the keys "
                    f"{list(_RENORM_CLIPPING_KEYS)}, received {renorm_clipping}."
                )
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            dmax = renorm_clipping.get("dmax")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(
                    f"BatchNormalization '{self.name}': renorm_clipping needs rmax >= rmin, "
                    f"received rmax={rmax}, rmin={rmin}."
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    f"BatchNormalization '{self.name}': renorm_clipping needs dmax >= 0, "
                    f"received dmax={dmax}."
                )
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._reduction_axes = None

    def _checked_axis(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} is out of bounds for an "
                f"input of shape {tuple(input_shape)} (rank {rank})."
            )
        return self.axis % rank

    def build(self, input_shape):
        axis = self._checked_axis(input_shape)
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} of the input must have a "
                f"known size, received input shape {tuple(input_shape)}."
            )
        shape = (dim,)
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, autocast=False)
        if self.renorm:
            # Renorm tracks standard deviations, started at sqrt(initial moving variance).
            def stddev_init(shape, dtype=None):
                return jnp.sqrt(jnp.asarray(self.moving_variance_initializer(shape, dtype=dtype)))

            self.moving_stddev = self.add_weight(name="moving_stddev", shape=shape,
                                                 initializer=stddev_init,
                                                 trainable=False, autocast=False)
            self.renorm_mean = self.add_weight(name="renorm_mean", shape=shape,
                                               initializer=self.moving_mean_initializer,
                                               trainable=False, autocast=False)
            self.renorm_stddev = self.add_weight(name="renorm_stddev", shape=shape,
                                                 initializer=stddev_init,
                                                 trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._reduction_axes = tuple(i for i in range(len(input_shape)) if i != axis)

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"BatchNormalization '{self.name}': the mask must have one dimension less than "
                f"the inputs, received mask.shape={tuple(mask.shape)}, "
                f"inputs.shape={tuple(inputs.shape)}."
            )
        x = inputs.astype(_statistics_dtype(inputs.dtype))
        moving_mean = self.moving_mean.value.astype(x.dtype)
        moving_variance = self.moving_variance.value.astype(x.dtype)
        gamma = self.gamma.value.astype(x.dtype) if self.scale else None
        beta = self.beta.value.astype(x.dtype) if self.center else None

        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            if self.renorm:
                r, d = self._renorm_corrections(mean, variance)
                gamma, beta = self._compose_renorm(r, d, gamma, beta, x.dtype)
                self._update_renorm_statistics(mean, variance)
            else:
                self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
                self.moving_variance.assign(
                    moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = moving_mean, moving_variance

        outputs = self._normalize(x, mean, variance, gamma, beta)
        return outputs.astype(self.compute_dtype)

    def _normalize(self, x, mean, variance, gamma, beta):
        shape = [1] * x.ndim
        shape[self.axis] = mean.shape[0]
        inv = jax.lax.rsqrt(jnp.reshape(variance, shape) + self.epsilon)
        if gamma is not None:
            inv = inv * jnp.reshape(gamma, shape)
        offset = -jnp.reshape(mean, shape) * inv
        if beta is not None:
            offset = offset + jnp.reshape(beta, shape)
        return x * inv + offset

    def _moments(self, x, mask):
        axes = self._reduction_axes
        if mask is None:
            return jnp.mean(x, axis=axes), jnp.var(x, axis=axes)
        weights = jnp.broadcast_to(jnp.expand_dims(mask, -1), x.shape).astype(bool)
        count = jnp.sum(weights.astype(x.dtype), axis=axes, keepdims=True)
        # Keras's fuzz factor keeps an all-masked batch finite.
        fuzz = backend_config.epsilon()
        mean = jnp.sum(jnp.where(weights, x, 0), axis=axes, keepdims=True) / (count + fuzz)
        squared = jnp.square(jnp.where(weights, x - mean, 0))
        variance = jnp.sum(squared, axis=axes, keepdims=True) / (count + fuzz)
        return jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)

    def _renorm_corrections(self, mean, variance):
        stddev = jnp.sqrt(variance + self.epsilon)
        renorm_mean = self.renorm_mean.value.astype(mean.dtype)
        renorm_stddev = jnp.maximum(self.renorm_stddev.value.astype(mean.dtype),
                                    jnp.sqrt(jnp.asarray(self.epsilon, mean.dtype)))
        r = stddev / renorm_stddev
        d = (mean - renorm_mean) / renorm_stddev
        clipping = self.renorm_clipping
        if clipping.get("rmin") is not None:
            r = jnp.maximum(r, clipping["rmin"])
        if clipping.get("rmax") is not None:
            r = jnp.minimum(r, clipping["rmax"])
        if clipping.get("dmax") is not None:
            d = jnp.clip(d, -clipping["dmax"], clipping["dmax"])
        return r, d

    @staticmethod
    def _compose_renorm(r, d, gamma, beta, dtype):
        """`(x_hat * r + d) * gamma + beta` as one scale and one offset (r, d get no gradient)."""
        r, d = jax.lax.stop_gradient(r), jax.lax.stop_gradient(d)
        if gamma is not None:
            scale, offset = r * gamma, d * gamma
        else:
            scale, offset = r.astype(dtype), d.astype(dtype)
        if beta is not None:
            offset = offset + beta
        return scale, offset

    def _update_renorm_statistics(self, mean, variance):
        stddev = jnp.sqrt(variance + self.epsilon)
        m = self.renorm_momentum
        self.renorm_mean.assign(self.renorm_mean.value.astype(mean.dtype) * m + mean * (1.0 - m))
        self.renorm_stddev.assign(
            self.renorm_stddev.value.astype(mean.dtype) * m + stddev * (1.0 - m))
        self.moving_mean.assign(
            self.moving_mean.value.astype(mean.dtype) * self.momentum + mean * (1.0 - self.momentum))
        new_stddev = (self.moving_stddev.value.astype(mean.dtype) * self.momentum
                      + stddev * (1.0 - self.momentum))
        self.moving_stddev.assign(new_stddev)
        # The variance follows the stddev; relu guards against rounding below zero.
        self.moving_variance.assign(jax.nn.relu(new_stddev * new_stddev - self.epsilon))

    def compute_output_shape(self, input_shape):
        self._checked_axis(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "moving_mean_initializer": serialize_keras_object(self.moving_mean_initializer),
            "moving_variance_initializer": serialize_keras_object(self.moving_variance_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config
