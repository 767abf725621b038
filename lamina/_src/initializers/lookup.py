"""`get`, `serialize` and `deserialize` for initializers: names and configs <-> objects."""

import inspect

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.backend.transfer import to_device
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

_CATEGORY = "initializers"


def serialize(initializer) -> dict:
    """An initializer -> its Keras 3 envelope `{"module", "class_name", "config", ...}`."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects: dict | None = None):
    """A config envelope (or a name) -> an initializer (a name gives the class itself).

    Args:
        config: an envelope dict such as `{"class_name": "GlorotUniform", "config": {...}}`,
            or a name.
        custom_objects: extra `name -> class` entries for user initializers.

    Raises:
        ValueError: if the class name is unknown.
    """
    return deserialize_keras_object(config, category=_CATEGORY, custom_objects=custom_objects)


def _from_array(value):
    def initialize(shape, dtype=None):
        if tuple(shape) != tuple(value.shape):
            raise ValueError(
                f"This initializer is a fixed array of shape {tuple(value.shape)}, but a weight of "
                f"shape {tuple(shape)} asked for it. Pass an array of shape {tuple(shape)}."
            )
        return to_device(value, dtype=standardize_dtype(dtype))

    return initialize


def get(identifier):
    """Any way Keras lets you name an initializer -> an initializer (or None).

    Args:
        identifier: None; a name (`"glorot_uniform"`, `"GlorotUniform"`, `"zeros"`); a config
            dict; an initializer class (instantiated with defaults) or instance; a function
            `(shape, dtype=None) -> array`; or an array (used as the value, shapes must match).

    Returns:
        A callable `(shape, dtype=None) -> array`, or None for None.

    Raises:
        ValueError: if `identifier` names no known initializer.

    Example:
        >>> get("he_normal").get_config()
        {'seed': None, 'input_axes': None, 'output_axes': None}
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = (
            deserialize_keras_object(identifier, category=_CATEGORY) if _known(identifier) else None
        )
        if obj is None:
            names = ", ".join(sorted(registry.builtins(_CATEGORY)))
            raise ValueError(
                f"Unknown initializer {identifier!r}. Expected one of: {names}; or the name of a "
                "class registered with `lamina.saving.register_keras_serializable()`."
            )
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, np.ndarray | np.generic | jax.Array):
        obj = _from_array(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret the initializer {identifier!r} (type {type(identifier).__name__}): "
        "expected None, a name such as 'glorot_uniform', a config dict, an Initializer, a "
        "function (shape, dtype=None) -> array, or an array."
    )


def _known(name: str) -> bool:
    return (
        registry.builtin(_CATEGORY, name) is not None
        or registry.get_registered_object(name) is not None
    )
