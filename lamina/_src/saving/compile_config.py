"""The compile arguments in saved files: Keras 3's `compile_config`, tf.keras's `training_config`."""

import warnings

from lamina._src.saving.serialization import serialize_keras_object


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

    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return [_deserialize_loss(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_loss(v, custom_objects) for k, v in spec.items()}
    return losses.deserialize(spec, custom_objects=custom_objects)


def _deserialize_metrics(spec, custom_objects):
    from lamina._src.metrics import lookup as metrics

    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return [_deserialize_metrics(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_metrics(v, custom_objects) for k, v in spec.items()}
    return metrics.deserialize(spec, custom_objects=custom_objects)


def compile_from_config(model, config: dict, custom_objects=None, source: str = "") -> bool:
    """Compile `model` from a saved compile/training config; warn (not fail) if impossible."""
    if not config:
        return False
    from lamina._src.optimizers.serialization import deserialize as deserialize_optimizer

    try:
        optimizer_spec = config.get("optimizer") or config.get("optimizer_config")
        optimizer = (deserialize_optimizer(optimizer_spec, custom_objects=custom_objects)
                     if isinstance(optimizer_spec, dict) else optimizer_spec or "rmsprop")
        model.compile(
            optimizer=optimizer,
            loss=_deserialize_loss(config.get("loss"), custom_objects),
            loss_weights=config.get("loss_weights"),
            metrics=_deserialize_metrics(config.get("metrics"), custom_objects),
            weighted_metrics=_deserialize_metrics(config.get("weighted_metrics"), custom_objects),
            run_eagerly=bool(config.get("run_eagerly", False)),
            steps_per_execution=config.get("steps_per_execution") or 1,
        )
        return True
    except (ValueError, TypeError, KeyError) as e:
        warnings.warn(
            f"{source}: the saved training configuration could not be restored ({e}); the model "
            "is loaded uncompiled. Call `model.compile(...)` before training it.",
            stacklevel=3,
        )
        return False
