"""The compile arguments in saved files: Keras 3's `compile_config`, tf.keras's `training_config`."""

import warnings

from lamina._src.saving import registry
from lamina._src.saving.errors import UnsafeFileError
from lamina._src.saving.registry import custom_object_scope
from lamina._src.saving.serialization import (
    UnknownObjectError,
    UnsafeDeserializationError,
    serialize_keras_object,
)


def _serialize_spec(spec):
    if spec is None or isinstance(spec, str | int | float | bool):
        return spec
    if isinstance(spec, list | tuple):
        return [_serialize_spec(s) for s in spec]
    if isinstance(spec, dict):
        return {k: _serialize_spec(v) for k, v in spec.items()}
    return serialize_keras_object(spec)


def get_compile_config(model) -> dict:
    """Keras 3's `compile_config`: the compile arguments, the optimizer fully serialized."""
    if not getattr(model, "compiled", False):
        return {}
    args = model._compile_config
    from lamina._src.optimizers.serialization import serialize as serialize_optimizer

    return {
        "optimizer": serialize_optimizer(model.optimizer),
        "loss": _serialize_spec(args["loss"]),
        "loss_weights": _serialize_spec(args["loss_weights"]),
        "metrics": _serialize_spec(args["metrics"]),
        "weighted_metrics": _serialize_spec(args["weighted_metrics"]),
        "run_eagerly": bool(args["run_eagerly"]),
        "steps_per_execution": int(args["steps_per_execution"] or 1),
        "jit_compile": args["jit_compile"] if isinstance(args["jit_compile"], bool) else True,
    }


def get_training_config(model) -> dict | None:
    """The legacy H5 `training_config` (Keras 3's form of it)."""
    config = get_compile_config(model)
    if not config:
        return None
    optimizer = config.pop("optimizer")
    config["optimizer_config"] = {"class_name": optimizer["class_name"], "config": optimizer["config"]}
    return config


def _deserialize_loss(spec, custom_objects):
    from lamina._src.losses import lookup as losses
    from lamina._src.losses.compile_strings import CROSSENTROPY_STRINGS

    if spec is None:
        return spec
    if isinstance(spec, str):
        if spec.lower() in CROSSENTROPY_STRINGS:
            return spec
        return _check_name(losses.get, spec, "loss", custom_objects)
    if isinstance(spec, list):
        return [_deserialize_loss(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_loss(v, custom_objects) for k, v in spec.items()}
    return _named(losses.deserialize, spec, custom_objects, "loss")


def _deserialize_metrics(spec, custom_objects):
    from lamina._src.metrics import lookup as metrics
    from lamina._src.metrics.compile_strings import ACCURACY_STRINGS

    if spec is None:
        return spec
    if isinstance(spec, str):
        if spec.lower() in ACCURACY_STRINGS:
            return spec
        return _check_name(metrics.get, spec, "metric", custom_objects)
    if isinstance(spec, list):
        return [_deserialize_metrics(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_metrics(v, custom_objects) for k, v in spec.items()}
    return _named(metrics.deserialize, spec, custom_objects, "metric")


class _Refused(Exception):
    """A loss, metric or optimizer the file names that must not load (see `compile_from_config`)."""


def _check_name(get, name: str, what: str, custom_objects):
    """A name `compile()` resolves later must name a known object; a custom one is returned
    itself (compile resolves names when it first sees data, after `custom_objects` is gone)."""
    found = registry.get_registered_object(name, custom_objects)
    if found is not None:
        return found
    try:
        get(name)
    except ValueError as e:
        raise _Refused(f"the {what} {name!r} is unknown ({e})") from e
    return name


def _named(deserialize, spec, custom_objects, what: str):
    """Deserialize one loss/metric envelope; unsafe or unknown callables refuse the load."""
    try:
        return deserialize(spec, custom_objects=custom_objects)
    except (UnsafeDeserializationError, UnknownObjectError) as e:
        raise _Refused(f"the {what} {_label(spec)} cannot be loaded safely ({e})") from e
    except ValueError as e:
        if isinstance(spec, dict) and spec.get("class_name") == "function":  # an unknown function
            raise _Refused(f"the {what} {_label(spec)} is unknown ({e})") from e
        raise


def _label(spec) -> str:
    if isinstance(spec, dict):
        return repr(spec.get("registered_name") or spec.get("class_name"))
    return repr(spec)


def compile_from_config(model, config: dict, custom_objects=None, source: str = "") -> bool:
    """Compile `model` from a saved compile/training config.

    A loss, metric or optimizer that is a serialized Python lambda, or that names a function or
    class lamina does not know (and `custom_objects` does not give), refuses the load with an
    `UnsafeFileError`: compiling with something else would silently change what the model
    trains on. Other failures (an argument lamina's `compile()` rejects) only warn, and the
    model loads uncompiled.
    """
    if not config:
        return False
    if not isinstance(config, dict):
        warnings.warn(f"{source}: the saved training configuration is not a dict "
                      f"({type(config).__name__}); the model is loaded uncompiled.", stacklevel=3)
        return False
    from lamina._src.optimizers.serialization import deserialize as deserialize_optimizer

    try:
        with custom_object_scope(custom_objects or {}):  # so names resolve to them in compile()
            optimizer_spec = config.get("optimizer") or config.get("optimizer_config")
            try:
                optimizer = (deserialize_optimizer(optimizer_spec, custom_objects=custom_objects)
                             if isinstance(optimizer_spec, dict) else optimizer_spec or "rmsprop")
            except (UnsafeDeserializationError, UnknownObjectError) as e:
                raise _Refused(f"the optimizer cannot be loaded safely ({e})") from e
            model.compile(
                optimizer=optimizer,
                loss=_deserialize_loss(config.get("loss"), custom_objects),
                loss_weights=config.get("loss_weights"),
                metrics=_deserialize_metrics(config.get("metrics"), custom_objects),
                weighted_metrics=_deserialize_metrics(config.get("weighted_metrics"),
                                                      custom_objects),
                run_eagerly=bool(config.get("run_eagerly", False)),
                steps_per_execution=config.get("steps_per_execution") or 1,
            )
        return True
    except _Refused as e:
        raise UnsafeFileError(
            f"Refusing to load {source!r}: its training configuration is unsafe or unknown: {e}. "
            "Pass the functions and classes it names in `custom_objects` (a Python lambda is "
            "never run from a training configuration, not even with `safe_mode=False`, which "
            "only concerns Lambda layers: register it as a named function), or load with "
            "`compile=False` and compile the model yourself."
        ) from e.__cause__
    except (ValueError, TypeError, KeyError) as e:
        warnings.warn(
            f"{source}: the saved training configuration could not be restored ({e}); the model "
            "is loaded uncompiled. Call `model.compile(...)` before training it.",
            stacklevel=3,
        )
        return False
