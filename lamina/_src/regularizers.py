"""Weight regularizers (`keras.regularizers`): a penalty added to the loss for each weight.

`L1` and `OrthogonalRegularizer` keep their factor as float32, as Keras does, so their configs
read e.g. `{"l1": 0.009999999776482582}` exactly as a file written by Keras 3.
"""

import inspect
import math

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.ops import nn
from lamina._src.saving import registry
from lamina._src.saving.registry import register
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

_CATEGORY = "regularizers"


def _non_negative(value, name: str, owner: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"{owner}: `{name}` must be a non-negative float, received {name}={value!r}."
        )
    return float(value)


def _as_float32(value: float) -> float:
    return float(np.float32(value))


@register(_CATEGORY, "regularizer")
class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar penalty to add to the loss.

    Subclasses implement `__call__(x)` and `get_config()`.
    """

    def __call__(self, x) -> jax.Array | float:
        return 0.0

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"{type(self).__name__} must implement get_config() to be saved in a model config."
        )

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


@register(_CATEGORY, "l1l2", "l1_l2")
class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Args:
        l1: the L1 factor. Defaults to 0.0.
        l2: the L2 factor. Defaults to 0.0.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _non_negative(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _non_negative(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x) -> jax.Array:
        x = jnp.asarray(x)
        penalty = jnp.asarray(0.0, dtype=x.dtype)
        if self.l1 != 0.0:
            penalty += jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))
        if self.l2 != 0.0:
            penalty += jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@register(_CATEGORY, "l1")
class L1(Regularizer):
    """`l1 * sum(abs(x))`.

    Args:
        l1: the factor (kept as float32). Defaults to 0.01.
    """

    def __init__(self, l1=0.01):
        self.l1 = _as_float32(_non_negative(0.01 if l1 is None else l1, "l1", "L1"))

    def __call__(self, x) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


@register(_CATEGORY, "l2")
class L2(Regularizer):
    """`l2 * sum(square(x))`.

    Args:
        l2: the factor. Defaults to 0.01.
    """

    def __init__(self, l2=0.01):
        self.l2 = _non_negative(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


@register(_CATEGORY, "orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """Push the rows (or columns) of a 2D weight towards being orthogonal to each other.

    The penalty is `factor * 0.5 * mean |<v_i, v_j>|` over pairs `i < j` of L2-normalised rows
    (mode "rows") or columns (mode "columns").

    Args:
        factor: the factor (kept as float32). Defaults to 0.01.
        mode: "rows" or "columns". Defaults to "rows".
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _as_float32(_non_negative(factor, "factor", "OrthogonalRegularizer"))
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer: `mode` must be 'rows' or 'columns', received {mode!r}."
            )
        self.mode = mode

    def __call__(self, inputs) -> jax.Array:
        inputs = jnp.asarray(inputs)
        if inputs.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer applies to 2D weights; received shape {inputs.shape}. "
                "Reshape the weight to (rows, columns) or use another regularizer."
            )
        if self.mode == "rows":
            vectors = nn.normalize(inputs, axis=1)
            product = vectors @ vectors.T
            size = inputs.shape[0]
        else:
            vectors = nn.normalize(inputs, axis=0)
            product = vectors.T @ vectors
            size = inputs.shape[1]
        off_diagonal = product * (1.0 - jnp.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        factor = jnp.asarray(self.factor, dtype="float32")
        return factor * 0.5 * jnp.sum(jnp.abs(off_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def serialize(regularizer) -> dict | None:
    """A regularizer -> its Keras 3 envelope `{"module", "class_name", "config", ...}`."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects: dict | None = None):
    """A config envelope (or a name) -> the regularizer it describes (a name gives the class)."""
    return deserialize_keras_object(config, category=_CATEGORY, custom_objects=custom_objects)


def get(identifier):
    """Any way Keras lets you name a regularizer -> a regularizer (or None).

    Args:
        identifier: None; a name (`"l1"` -> `L1(0.01)`, `"l2"`, `"l1_l2"`, `"L1L2"`); a config
            dict; a class (instantiated with defaults); an instance or any callable.

    Raises:
        ValueError: if `identifier` names no known regularizer.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = registry.builtin(_CATEGORY, identifier) or registry.get_registered_object(identifier)
        if obj is None:
            names = ", ".join(sorted(registry.builtins(_CATEGORY)))
            raise ValueError(
                f"Unknown regularizer {identifier!r}. Expected one of: {names}; or the name of a "
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
        f"Could not interpret the regularizer {identifier!r} (type {type(identifier).__name__}): "
        "expected None, a name such as 'l2', a config dict, or a Regularizer."
    )
