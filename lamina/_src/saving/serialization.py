"""`serialize_keras_object` / `deserialize_keras_object`: objects <-> Keras 3 config envelopes.

Deserialization only looks names up in the registry (and the user's custom objects): a file can
choose among the classes lamina provides, never make lamina import or call anything else.
"""

import types

from lamina._src.backend.dtypes import DTypePolicy
from lamina._src.saving import registry
from lamina._src.saving.errors import LoadError

# The dtype policy lives in the backend, which imports nothing from saving; register it here.
registry.register("dtype_policies", "FloatDTypePolicy", "Policy")(DTypePolicy)

_KNOWN_MODULE_CATEGORIES = {module: category for category, module in registry.KERAS_MODULES.items()}


class UnsafeDeserializationError(ValueError):
    """A config asked to run code (a serialized Python lambda) while safe_mode is on."""


class UnknownObjectError(ValueError):
    """A config names a class or function that is neither built in nor a custom object."""


def _category_of(obj) -> str | None:
    return getattr(type(obj) if not isinstance(obj, type | types.FunctionType) else obj,
                   "_lamina_category", None)


def serialize_keras_object(obj):
    """An object -> the `{"module", "class_name", "config", "registered_name"}` envelope Keras 3 writes."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, list | tuple):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    category = _category_of(obj)
    custom_name = registry._CUSTOM_NAMES.get(obj if isinstance(obj, type | types.FunctionType) else type(obj))
    if isinstance(obj, types.FunctionType):
        name = custom_name or obj.__name__
        return {
            "module": registry.KERAS_MODULES.get(category, obj.__module__),
            "class_name": "function",
            "config": name,
            "registered_name": "function" if custom_name is None else custom_name,
        }
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize {obj!r}: it is not a lamina object and has no get_config() method."
        )
    module = registry.KERAS_MODULES.get(category) if custom_name is None else None
    return {
        "module": module if module is not None else type(obj).__module__,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": custom_name,
    }


def _resolve(name: str, category: str | None, custom_objects, module_objects=None):
    found = registry.get_registered_object(name, custom_objects, module_objects)
    if found is not None:
        return found
    if ">" in name:
        # "package>name" is a user object: look for it among the user's, not the built-ins,
        # except tf.keras's "Custom>Adam" spelling of its own optimizers (within `category`).
        package, short = name.split(">", 1)
        found = registry.get_registered_object(short, custom_objects)
        if found is None and package == "Custom" and category is not None:
            found = registry.builtin(category, short)
        return found
    categories = [category] if category else list(registry._BUILTINS)
    if category == "layers":
        categories.append("models")  # a nested model is a layer of its parent
    for cat in categories:
        found = registry.builtin(cat, name)
        if found is not None:
            return found
    return None


def deserialize_keras_object(
    config,
    category: str | None = None,
    custom_objects: dict | None = None,
    safe_mode: bool = True,
    module_objects: dict | None = None,
):
    """A config envelope (or a name string) -> the object it describes.

    Args:
        config: a dict `{"class_name", "config", ...}`, a string name, or None.
        category: where built-in names are looked up (`"layers"`, `"activations"`, ...); taken from
            the envelope's `module` when not given.
        custom_objects: extra `name -> object` entries, checked first.
        safe_mode: refuse configs that carry Python bytecode.
    """
    if config is None:
        return None
    if isinstance(config, str):
        found = _resolve(config, category, custom_objects, module_objects)
        if found is None:
            raise UnknownObjectError(_unknown_message(config, category))
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {config!r}: expected a dict with a 'class_name' key.")
    class_name = config["class_name"]
    if not isinstance(class_name, str):
        raise ValueError(f"Invalid class_name {class_name!r}: expected a string.")
    inner = config.get("config", {})
    if class_name == "__lambda__":
        raise UnsafeDeserializationError(
            "The config holds a Python lambda as marshalled bytecode. lamina never executes code "
            "from a file: rewrite the function as a registered function "
            "(`lamina.saving.register_keras_serializable`) and pass it in `custom_objects`."
        )
    if category is None:
        module = config.get("module")
        category = _KNOWN_MODULE_CATEGORIES.get(module) if isinstance(module, str) else None
    if class_name == "function":
        name = config.get("registered_name") if config.get("registered_name") not in (None, "function") else inner
        return deserialize_keras_object(name, category, custom_objects, safe_mode, module_objects)
    if class_name in ("DTypePolicy", "Policy", "FloatDTypePolicy"):
        return DTypePolicy(inner.get("name"))
    registered = config.get("registered_name")
    if registered is not None and registered != class_name:
        # The file says which custom class this is; never fall back to the built-in that
        # `class_name` names (`"pkg>Evil"` with `class_name: "Dense"`, keras-team/keras#22729).
        cls = _resolve_registered(registered, class_name, custom_objects, module_objects)
    else:
        cls = _resolve(class_name, category, custom_objects, module_objects)
    if cls is None:
        raise UnknownObjectError(_unknown_message(class_name, category))
    if not isinstance(inner, dict):
        raise ValueError(f"Invalid config for {class_name!r}: expected a dict, received {inner!r}.")
    if not hasattr(cls, "from_config"):
        return cls
    try:
        return _from_config(cls, inner, custom_objects, safe_mode)
    except LoadError as e:
        name = inner.get("name")
        if getattr(e, "layer", None) is not None or category != "layers" or not isinstance(name, str):
            raise
        located = type(e)(f"Layer {name!r} ({class_name}): {e}")
        located.layer = name  # outer layers (the model) leave the message alone
        raise located from e


def _from_config(cls, inner: dict, custom_objects, safe_mode: bool):
    from_config = cls.from_config
    arguments = getattr(from_config, "__code__", types.SimpleNamespace(co_varnames=())).co_varnames
    if "safe_mode" in arguments:
        return from_config(inner, custom_objects=custom_objects, safe_mode=safe_mode)
    if "custom_objects" in arguments:
        return from_config(inner, custom_objects=custom_objects)
    with registry.custom_object_scope(custom_objects or {}):
        return from_config(inner)


def _resolve_registered(registered, class_name: str, custom_objects, module_objects):
    """The user object a `registered_name` names; refuse rather than guess from `class_name`."""
    if not isinstance(registered, str):
        raise ValueError(
            f"Invalid registered_name {registered!r} for {class_name!r}: expected a string or null."
        )
    found = registry.get_registered_object(registered, custom_objects, module_objects)
    # Then only what the user gave (`custom_objects={"MyLayer": MyLayer}` for a file that
    # registered it as "pkg>MyLayer"): never lamina's built-ins.
    short = registered.split(">", 1)[1] if ">" in registered else registered
    for name in (short, class_name):
        if found is None:
            found = registry.get_registered_object(name, custom_objects)
    if found is None:
        raise UnknownObjectError(
            f"The config names {class_name!r} with registered_name {registered!r}, which is "
            "not a registered class or a custom object; lamina does not fall back to a built-in "
            f"of the same class_name. If the file is yours, pass `custom_objects={{{registered!r}: "
            "YourClass}` or register the class with "
            "`lamina.saving.register_keras_serializable()`."
        )
    return found


def _unknown_message(name: str, category: str | None) -> str:
    where = f" among lamina's {category}" if category else ""
    return (
        f"Unknown object {name!r}{where}. If it is a custom class or function, pass it in "
        f"`custom_objects={{{name.split('>')[-1]!r}: ...}}` or register it with "
        "`lamina.saving.register_keras_serializable()`."
    )
