"""`get`, `serialize` and `deserialize` for activations: names and configs <-> callables.

Keras 3 writes a built-in activation in a layer config as its bare name (`"relu"`, `"silu"`),
a registered or plain user function as a `"function"` envelope naming it, and an object with
`get_config` (a `LeakyReLU` layer used as an activation) as its full envelope.
"""

import types

from lamina._src.activations import activations
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

_CATEGORY = "activations"


def _is_builtin(fn) -> bool:
    name = getattr(fn, "__name__", None)
    return isinstance(name, str) and registry.builtin(_CATEGORY, name) is fn


def _valid_names() -> str:
    return ", ".join(sorted(registry.builtins(_CATEGORY)))


def serialize(activation):
    """An activation -> what Keras 3 writes for it in a layer config.

    Args:
        activation: a built-in activation function, a user function, or an object with
            `get_config()` (e.g. a `LeakyReLU` layer).

    Returns:
        The name string for built-in functions (`"relu"`, `"silu"` for swish); a `"function"`
        envelope whose `config` is the registered name (`"package>name"`) for user functions;
        the full `{"module", "class_name", "config", "registered_name"}` envelope for objects.

    Raises:
        ValueError: if `activation` is none of these.
    """
    if _is_builtin(activation):
        return activation.__name__
    if isinstance(activation, types.FunctionType):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": registry.get_registered_name(activation),
            "registered_name": "function",
        }
    if hasattr(activation, "get_config"):
        return serialize_keras_object(activation)
    name = getattr(activation, "__name__", None)
    if isinstance(name, str) and registry.builtin(_CATEGORY, name) is not None:
        # e.g. `jax.nn.relu` passed directly: saved under the built-in of the same name.
        return name
    raise ValueError(
        f"Cannot serialize the activation {activation!r}: it is not a built-in activation, a "
        "Python function, or an object with get_config(). Use a name such as 'relu', or "
        "register your function with `lamina.saving.register_keras_serializable()`."
    )


def deserialize(config, custom_objects: dict | None = None):
    """A name or config envelope -> the activation it describes.

    Args:
        config: a name (`"relu"`, `"swish"`, `"package>my_fn"`) or an envelope dict, e.g. a
            serialized `LeakyReLU` layer.
        custom_objects: extra `name -> object` entries for user activations.

    Raises:
        ValueError: if the name is unknown.
    """
    if isinstance(config, str) or (
        isinstance(config, dict) and config.get("class_name") == "function"
    ):
        return deserialize_keras_object(config, category=_CATEGORY, custom_objects=custom_objects)
    # An object envelope (e.g. a LeakyReLU layer): its `module` says where to look it up.
    return deserialize_keras_object(config, category=None, custom_objects=custom_objects)


def get(identifier):
    """Any way Keras lets you name an activation -> a callable.

    Args:
        identifier: None (the identity, `linear`), a name (`"relu"`), a config envelope (dict),
            or a callable (returned as is).

    Returns:
        A callable activation.

    Raises:
        ValueError: if `identifier` names no known activation or is not callable.

    Example:
        >>> get("swish") is get("silu")
        True
    """
    if identifier is None:
        return activations.linear
    if isinstance(identifier, str):
        found = registry.builtin(_CATEGORY, identifier)
        if found is None:
            found = registry.get_registered_object(identifier)
        if found is None:
            raise ValueError(
                f"Unknown activation {identifier!r}. Expected one of: {_valid_names()}; or the "
                "name of a function registered with `lamina.saving.register_keras_serializable()`."
            )
        return found
    obj = deserialize(identifier) if isinstance(identifier, dict) else identifier
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret the activation {identifier!r} (type {type(identifier).__name__}): "
        "expected None, a name such as 'relu', a config dict, or a callable."
    )
