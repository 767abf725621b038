"""The table of serializable objects: the only place a file's class name is resolved.

Built-in classes and functions register under the name Keras exports them as, in a category
(`layers`, `activations`, `losses`, ...): `@register("layers")` on `Dense` makes
`{"class_name": "Dense", "module": "keras.layers"}` resolve to it. User classes register with
`register_keras_serializable(package, name)` as `package>name`, or come in `custom_objects`.
Nothing is ever imported from a module a file names.
"""

import contextlib
import threading

# category -> public name -> object
_BUILTINS: dict[str, dict[str, object]] = {}
# "package>name" -> object (user-registered)
_CUSTOM: dict[str, object] = {}
# object -> "package>name"
_CUSTOM_NAMES: dict[object, str] = {}
_local = threading.local()

# The `module` Keras 3 writes for each category.
KERAS_MODULES = {
    "layers": "keras.layers",
    "models": "keras",
    "activations": "keras.activations",
    "initializers": "keras.initializers",
    "regularizers": "keras.regularizers",
    "constraints": "keras.constraints",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules",
    "dtype_policies": "keras",
}


def register(category: str, *aliases: str):
    """Register a built-in class or function under its own name (and aliases) in a category."""

    def decorator(obj):
        table = _BUILTINS.setdefault(category, {})
        for name in (obj.__name__, *aliases):
            table[name] = obj
        obj._lamina_category = category
        return obj

    return decorator


def builtin(category: str, name: str):
    """The built-in object registered as `name` in `category`, or None."""
    return _BUILTINS.get(category, {}).get(name)


def builtins(category: str) -> dict[str, object]:
    return dict(_BUILTINS.get(category, {}))


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Register a user class or function so files can name it as `package>name`.

    Example:
        @lamina.saving.register_keras_serializable(package="my_package")
        class MyLayer(lamina.layers.Layer): ...
    """
    if ">" in package:
        raise ValueError(f"The package name must not contain '>', received {package!r}.")

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: it has no get_config() method.")
        _CUSTOM[registered] = obj
        _CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """`package>name` for a registered object, else its `__name__`."""
    return _CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects=None):
    """Look `name` up in scoped and given custom objects, the user registry, then `module_objects`."""
    for table in (*reversed(_scope_stack()), custom_objects or {}):
        if name in table:
            return table[name]
    if name in _CUSTOM:
        return _CUSTOM[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects() -> dict:
    """The live dict of user-registered objects (`package>name` -> object)."""
    return _CUSTOM


def _scope_stack() -> list[dict]:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


@contextlib.contextmanager
def custom_object_scope(*custom_objects: dict):
    """Inside it, files may name these objects: `with custom_object_scope({"MyLayer": MyLayer}):`."""
    merged = {}
    for table in custom_objects:
        merged.update(table or {})
    _scope_stack().append(merged)
    try:
        yield merged
    finally:
        _scope_stack().pop()


CustomObjectScope = custom_object_scope
