"""(De)serializing the plain functions that `LossFunctionWrapper` and `MeanMetricWrapper` wrap.

A wrapped function is written as Keras writes it: `{"class_name": "function", "config": name, ...}`.
Reading one back only looks the name up: first the user's custom objects, then lamina's built-in
loss functions, then its metric functions. A name shared with a class (`mean_squared_error` is
also the snake-case alias of the `MeanSquaredError` metric) therefore always gives the function.
"""

import types

from lamina._src.saving import registry


def deserialize_function(config, custom_objects: dict | None = None):
    """A function envelope (or a bare name, or a function) -> the function it names.

    Raises:
        ValueError: when no built-in or custom function has that name.
    """
    if callable(config):
        return config
    name = config
    if isinstance(config, dict):
        registered = config.get("registered_name")
        name = registered if registered not in (None, "function") else config.get("config")
    if not isinstance(name, str):
        raise ValueError(
            f"Cannot read a wrapped function from {config!r}: expected a function name or a "
            "{'class_name': 'function', 'config': name} dict."
        )
    found = registry.get_registered_object(name, custom_objects)
    if found is None and ">" in name:
        found = registry.get_registered_object(name.split(">", 1)[1], custom_objects)
    for category in ("losses", "metrics"):
        if found is not None:
            break
        candidate = registry.builtin(category, name)
        if isinstance(candidate, types.FunctionType):
            found = candidate
    if found is None:
        raise ValueError(
            f"Unknown function {name!r}: it is neither a lamina loss or metric function nor a "
            f"custom object. Pass it in `custom_objects={{{name!r}: fn}}` or register it with "
            "`lamina.saving.register_keras_serializable()`."
        )
    return found
