"""Weight constraints (`keras.constraints`): a projection applied to a weight after each update.

Norms are taken along `axis` (default 0: for a Dense kernel `(input_dim, units)`, each unit's
incoming weight vector); `epsilon()` is added to the norm in the denominator, as in Keras.
"""

import inspect

import jax
import jax.numpy as jnp

from lamina._src.backend import config
from lamina._src.saving import registry
from lamina._src.saving.registry import register
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

_CATEGORY = "constraints"


def _norms(w, axis):
    return jnp.sqrt(jnp.sum(jnp.square(w), axis=axis, keepdims=True))


@register(_CATEGORY, "constraint")
class Constraint:
    """Base class: `constraint(w)` returns the projected weight. The base returns `w` unchanged."""

    def __call__(self, w) -> jax.Array:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@register(_CATEGORY, "max_norm")
class MaxNorm(Constraint):
    """Rescale weight vectors whose L2 norm exceeds `max_value` down to it.

    Args:
        max_value: the largest norm allowed. Defaults to 2.
        axis: the axis (or axes) the norm runs over. Defaults to 0.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = jnp.clip(norms, 0, self.max_value)
        return w.astype(norms.dtype) * (desired / (config.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


@register(_CATEGORY, "non_neg")
class NonNeg(Constraint):
    """Set negative weights to 0."""

    def __call__(self, w) -> jax.Array:
        return jnp.maximum(jnp.asarray(w), 0)


@register(_CATEGORY, "unit_norm")
class UnitNorm(Constraint):
    """Rescale weight vectors to unit L2 norm.

    Args:
        axis: the axis (or axes) the norm runs over. Defaults to 0.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        return w.astype(norms.dtype) / (config.epsilon() + norms)

    def get_config(self) -> dict:
        return {"axis": self.axis}


@register(_CATEGORY, "min_max_norm")
class MinMaxNorm(Constraint):
    """Move weight-vector norms into `[min_value, max_value]`, by a fraction `rate` per call.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.

    Args:
        min_value: the smallest norm. Defaults to 0.0.
        max_value: the largest norm. Defaults to 1.0.
        rate: 1.0 projects at once; smaller values move part of the way. Defaults to 1.0.
        axis: the axis (or axes) the norm runs over. Defaults to 0.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * jnp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return w.astype(norms.dtype) * (desired / (config.epsilon() + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


def serialize(constraint) -> dict | None:
    """A constraint -> its Keras 3 envelope `{"module", "class_name", "config", ...}`."""
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects: dict | None = None):
    """A config envelope (or a name) -> the constraint it describes (a name gives the class)."""
    return deserialize_keras_object(config, category=_CATEGORY, custom_objects=custom_objects)


def get(identifier):
    """Any way Keras lets you name a constraint -> a constraint (or None).

    Args:
        identifier: None; a name (`"max_norm"`, `"MaxNorm"`, `"non_neg"`, ...); a config dict;
            a class (instantiated with defaults); an instance or any callable.

    Raises:
        ValueError: if `identifier` names no known constraint.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = registry.builtin(_CATEGORY, identifier) or registry.get_registered_object(identifier)
        if obj is None:
            names = ", ".join(sorted(registry.builtins(_CATEGORY)))
            raise ValueError(
                f"Unknown constraint {identifier!r}. Expected one of: {names}; or the name of a "
                "class registered with `lamina.saving.register_keras_serializable()`."
            )
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret the constraint {identifier!r} (type {type(identifier).__name__}): "
        "expected None, a name such as 'max_norm', a config dict, or a Constraint."
    )
