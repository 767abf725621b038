"""`get`, `serialize` and `deserialize` for losses: names and configs <-> loss objects.

Strings resolve within the *losses* table only (`"MeanSquaredError"` is also a metric class):
class names give classes, function names and the Keras short aliases (`"mse"`, `"mae"`, `"mape"`,
`"msle"`, `"kld"`, `"bce"`, and their upper-case forms) give functions.
"""

import inspect

# Imported for their registrations: every built-in loss must be in the table before a lookup.
from lamina._src.losses import (  # noqa: F401
    crossentropy,
    divergence,
    focal,
    generalized_crossentropy,
    hinge,
    regression,
    segmentation,
)
from lamina._src.losses.functions import deserialize_function
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object


def serialize(loss) -> dict:
    """A loss function or `Loss` instance -> its Keras 3 config envelope."""
    return serialize_keras_object(loss)


def deserialize(config, custom_objects: dict | None = None):
    """A config envelope (or a name) -> the loss function, `Loss` class or `Loss` instance.

    Raises:
        ValueError: when the name is neither a lamina loss nor a custom object.
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize_function(config, custom_objects)
    return deserialize_keras_object(config, category="losses", custom_objects=custom_objects)


def get(identifier):
    """Any loss identifier -> a loss function or `Loss` instance (None stays None).

    Args:
        identifier: a name (`"mse"`, `"categorical_crossentropy"`, `"CategoricalCrossentropy"`),
            a config dict, a `Loss` class (instantiated with defaults), a `Loss` instance or a
            callable `fn(y_true, y_pred)`.

    Raises:
        ValueError: when `identifier` names no loss or is not callable.

    Example:
        lamina.losses.get("mse")                      # the function
        lamina.losses.get("MeanSquaredError")         # an instance
        lamina.losses.get({"class_name": "Huber", "config": {"delta": 2.0}})
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = registry.builtin("losses", identifier)
        if obj is None:
            obj = registry.get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. Use a lamina loss name "
                "('mse', 'categorical_crossentropy', 'CategoricalCrossentropy', ...), a Loss "
                "instance or a callable `fn(y_true, y_pred)`."
            )
    else:
        obj = identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected a name, a config dict, a "
        "Loss instance or a callable `fn(y_true, y_pred)`."
    )
