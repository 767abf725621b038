"""The table of serializable objects: the only place a file's class name is resolved.

Built-in classes and functions register under the name Keras exports them as, in a category
(`layers`, `activations`, `losses`, ...): `@register("layers")` on `Dense` makes
`{"class_name": "Dense", "module": "keras.layers"}` resolve to it. User classes register with
`register_keras_serializable(package, name)` as `package>name`, or come in `custom_objects`.
Nothing is ever imported from a module a file names.
"""

import contextlib
import importlib
import threading

# category -> public name -> object. Read it through `builtin` / `builtins` (or the module
# attribute `_BUILTINS`, see `__getattr__`), which first import every built-in class.
_TABLE: dict[str, dict[str, object]] = {}
_loaded = False
# The public namespaces whose import registers every built-in object. `import lamina` is
# lazy, so a lookup must not assume they were imported.
_NAMESPACES = ("layers", "activations", "initializers", "regularizers", "constraints", "losses",
               "metrics", "optimizers", "models", "callbacks")
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


def load_builtins() -> None:
    """Import lamina's public namespaces once, so every built-in object is registered."""
    global _loaded
    if _loaded:
        return
    _loaded = True  # first: the imports below call back into this module
    for name in _NAMESPACES:
        importlib.import_module(f"lamina.{name}")


def __getattr__(name: str):
    # `registry._BUILTINS` keeps working for readers of the whole table, loaded on first use.
    if name == "_BUILTINS":
        load_builtins()
        return _TABLE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(category: str, *aliases: str):
    """Register a built-in class or function under its own name (and aliases) in a category."""

    def decorator(obj):
        table = _TABLE.setdefault(category, {})
        for name in (obj.__name__, *aliases):
            table[name] = obj
        obj._lamina_category = category
        return obj

    return decorator


def builtin(category: str, name: str):
    """The built-in object registered as `name` in `category`, or None."""
    found = _TABLE.get(category, {}).get(name)
    if found is None and not _loaded:
        load_builtins()
        found = _TABLE.get(category, {}).get(name)
    return found


def builtins(category: str) -> dict[str, object]:
    """Every built-in object of `category`, by registered name."""
    load_builtins()
    return dict(_TABLE.get(category, {}))


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
