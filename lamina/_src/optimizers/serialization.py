"""`get`, `serialize` and `deserialize` for optimizers (`keras.optimizers.get`, ...)."""

from lamina._src.optimizers.base_optimizer import Optimizer
from lamina._src.saving import registry, serialization


def serialize(optimizer: Optimizer) -> dict:
    """An optimizer -> its Keras 3 config envelope (`{"module", "class_name", "config", ...}`)."""
    return serialization.serialize_keras_object(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """A config envelope -> a new optimizer (without state).

    Built-in class names match case-insensitively (`"adam"`, `"Adam"`, `"RMSprop"`), as in Keras;
    tf.keras's `"Custom>Adam"` spelling resolves to the built-in class too.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Cannot deserialize an optimizer from {config!r}: expected a dict with "
            "'class_name' and 'config' keys, such as {'class_name': 'Adam', 'config': {}}."
        )
    class_name = config["class_name"]
    if isinstance(class_name, str) and registry.builtin("optimizers", class_name.lower()):
        config = {**config, "class_name": class_name.lower()}
    return serialization.deserialize_keras_object(
        config, category="optimizers", custom_objects=custom_objects
    )


def get(identifier) -> Optimizer | None:
    """An optimizer from a name (`"adam"`), a config dict, or an optimizer (returned as is).

    Raises:
        ValueError: if the identifier does not describe an optimizer.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        optimizer = deserialize(identifier)
    elif isinstance(identifier, str):
        optimizer = deserialize({"class_name": identifier, "config": {}})
    else:
        optimizer = identifier
    if isinstance(optimizer, Optimizer):
        return optimizer
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Pass an optimizer name "
        "('adam', 'sgd', 'rmsprop', ...), a config dict, or an Optimizer instance."
    )
