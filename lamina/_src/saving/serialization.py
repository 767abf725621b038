"""`serialize_keras_object` / `deserialize_keras_object`: objects <-> Keras 3 config envelopes.

Deserialization only looks names up in the registry (and the user's custom objects): a file can
choose among the classes lamina provides, never make lamina import or call anything else.
"""

import types

from lamina._src.backend.dtypes import DTypePolicy
from lamina._src.saving import registry

# The dtype policy lives in the backend, which imports nothing from saving; register it here.
registry.register("dtype_policies", "FloatDTypePolicy", "Policy")(DTypePolicy)

_KNOWN_MODULE_CATEGORIES = {module: category for category, module in registry.KERAS_MODULES.items()}


class UnsafeDeserializationError(ValueError):
    """A config asked to run code (a serialized Python lambda) while safe_mode is on."""


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
    short = name.split(">", 1)[1] if ">" in name else name
    if short != name:
        found = registry.get_registered_object(short, custom_objects)
        if found is not None:
            return found
    categories = [category] if category else list(registry._BUILTINS)
    if category == "layers":
        categories.append("models")  # a nested model is a layer of its parent
    for cat in categories:
        found = registry.builtin(cat, short)
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
            raise ValueError(_unknown_message(config, category))
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
    cls = None
    registered = config.get("registered_name")
    if isinstance(registered, str) and registered != class_name:
        cls = registry.get_registered_object(registered, custom_objects, module_objects)
    if cls is None:
        cls = _resolve(class_name, category, custom_objects, module_objects)
    if cls is None:
        raise ValueError(_unknown_message(registered or class_name, category))
    if not isinstance(inner, dict):
        raise ValueError(f"Invalid config for {class_name!r}: expected a dict, received {inner!r}.")
    if not hasattr(cls, "from_config"):
        return cls
    from_config = cls.from_config
    if "safe_mode" in getattr(from_config, "__code__", types.SimpleNamespace(co_varnames=())).co_varnames:
        return from_config(inner, custom_objects=custom_objects, safe_mode=safe_mode)
    if "custom_objects" in getattr(from_config, "__code__", types.SimpleNamespace(co_varnames=())).co_varnames:
        return from_config(inner, custom_objects=custom_objects)
    with registry.custom_object_scope(custom_objects or {}):
        return from_config(inner)


def _unknown_message(name: str, category: str | None) -> str:
    where = f" among lamina's {category}" if category else ""
    return (
        f"Unknown object {name!r}{where}. If it is a custom class or function, pass it in "
        f"`custom_objects={{{name.split('>')[-1]!r}: ...}}` or register it with "
        "`lamina.saving.register_keras_serializable()`."
    )
