"""A Functional model's config (Keras 3 form) and rebuilding a model from one.

Writing follows Keras 3: each layer's envelope plus `name` and `inbound_nodes` (a list of calls
`{"args": [...], "kwargs": {...}}`, tensors as `__keras_tensor__` references
`[layer_name, node_index, tensor_index]`), then `input_layers` / `output_layers` keeping the
structure the model was built with.

Reading also accepts tf.keras 2 configs (list-form `inbound_nodes`
`[[["name", node, tensor, kwargs], ...]]`) and the node-index offsets both libraries use for
nested models (keras-formats.md §4.3): a reference is resolved against the calls made so far
while rebuilding, and one that points one past them on a nested model means its latest call.
"""

from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object
from lamina._src.utils import tree

_MAX_PASSES = 10_000


def _node_index_map(model) -> dict:
    """(layer id, node) -> the node's index among the calls that belong to this model."""
    own = {id(node) for node in model._nodes}
    mapping = {}
    for operation in model._operations:
        index = 0
        for node in operation._inbound_nodes:
            if id(node) in own:
                mapping[id(node)] = index
                index += 1
    return mapping


def functional_config(model) -> dict:
    node_index = _node_index_map(model)

    def tensor_ref(x: KerasTensor):
        operation, node, index = x._keras_history
        mapped = node_index.get(id(operation._inbound_nodes[node]), node)
        return [operation.name, mapped, index]

    def serialize_arg(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": tensor_ref(value)}}
        if isinstance(value, list | tuple):
            return [serialize_arg(v) for v in value]
        if isinstance(value, dict):
            return {k: serialize_arg(v) for k, v in value.items()}
        return serialize_keras_object(value)

    layers = []
    own = {id(node) for node in model._nodes}
    for operation in model._operations:
        entry = serialize_keras_object(operation)
        entry["name"] = operation.name
        entry["inbound_nodes"] = [
            {"args": serialize_arg(list(node.call_args)), "kwargs": serialize_arg(node.call_kwargs)}
            for node in operation._inbound_nodes if id(node) in own and not node.is_input
        ]
        build = operation.get_build_config() if hasattr(operation, "get_build_config") else None
        if build is not None:
            entry["build_config"] = build
        layers.append(entry)

    def refs(structure):
        return tree.map_structure(tensor_ref, structure)

    inputs = model._inputs_struct
    outputs = model._outputs_struct
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": refs(inputs if not isinstance(inputs, tuple) else list(inputs)),
        "output_layers": refs(outputs if not isinstance(outputs, tuple) else list(outputs)),
    }


def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def functional_from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
    """Rebuild a Functional model: create every layer, then replay the recorded calls."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError("A Functional config needs a 'layers' list.")
    created: dict = {}
    calls: dict = {}  # layer name -> list of outputs of each call made while rebuilding
    pending = []
    for layer_config in config["layers"]:
        if not isinstance(layer_config, dict) or not isinstance(layer_config.get("name"), str):
            raise ValueError(f"Invalid layer entry in a Functional config: {str(layer_config)[:200]}")
        name = layer_config["name"]
        if name in created:
            raise ValueError(f"The layer name {name!r} appears twice in the Functional config.")
        layer = deserialize_keras_object(layer_config, category="layers", custom_objects=custom_objects,
                                         safe_mode=safe_mode)
        created[name] = layer
        calls[name] = []
        if type(layer).__name__ == "InputLayer":
            calls[name].append(layer.output)
        for node in layer_config.get("inbound_nodes") or []:
            pending.append((name, node))

    def resolve(name, node_index, tensor_index):
        if name not in created:
            raise ValueError(f"The Functional config refers to an unknown layer {name!r}.")
        made = calls[name]
        if node_index < len(made):
            outputs = made[node_index]
        elif node_index == len(made) and made and hasattr(created[name], "_inbound_nodes") and \
                type(created[name]).__name__ in ("Sequential", "Functional") and len(made) >= 1:
            outputs = made[node_index - 1]  # tf.keras 2 / Keras 3 +1 offset for nested models
        else:
            return None
        flat = tree.flatten(outputs)
        if tensor_index >= len(flat):
            raise ValueError(
                f"The Functional config refers to output {tensor_index} of layer {name!r}, which "
                f"has {len(flat)} output(s)."
            )
        return flat[tensor_index]

    def materialize(value):
        """Replace references by tensors; None when a referenced call has not happened yet."""
        missing = False

        def convert(v):
            nonlocal missing
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                history = v.get("config", {}).get("keras_history")
                if not _is_ref(history):
                    raise ValueError(f"Invalid tensor reference in a Functional config: {history!r}")
                t = resolve(*history[:3])
                if t is None:
                    missing = True
                return t
            if isinstance(v, dict):
                return {k: convert(x) for k, x in v.items()}
            if isinstance(v, list):
                return [convert(x) for x in v]
            return v

        result = convert(value)
        return None if missing else result

    passes = 0
    while pending:
        passes += 1
        if passes > _MAX_PASSES:
            break
        progressed = False
        remaining = []
        for name, node in pending:
            args, kwargs = _node_arguments(node)
            args_t, kwargs_t = materialize(args), materialize(kwargs)
            if args_t is None or kwargs_t is None:
                remaining.append((name, node))
                continue
            layer = created[name]
            outputs = layer(*args_t, **kwargs_t)
            calls[name].append(outputs)
            progressed = True
        pending = remaining
        if not progressed:
            names = sorted({name for name, _ in pending})
            raise ValueError(
                f"The Functional config has layer calls whose inputs never become available "
                f"(a dangling or cyclic reference) at layers {names}."
            )

    def structure(spec, what):
        if _is_ref(spec):
            t = resolve(*spec[:3])
            if t is None:
                raise ValueError(f"The Functional config's {what} refers to {spec}, which was never computed.")
            return t
        if isinstance(spec, dict):
            return {k: structure(v, what) for k, v in spec.items()}
        if isinstance(spec, list):
            return [structure(v, what) for v in spec]
        raise ValueError(f"Invalid {what} in a Functional config: {spec!r}")

    inputs = structure(config.get("input_layers"), "input_layers")
    outputs = structure(config.get("output_layers"), "output_layers")
    # A one-element list means a single tensor (tf.keras 2 always writes lists), as in Keras.
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=config.get("trainable", True))


def _node_arguments(node):
    """(args, kwargs) of one recorded call, from the Keras 3 dict form or tf.keras 2's list form."""
    if isinstance(node, dict):
        args = node.get("args", [])
        kwargs = node.get("kwargs", {}) or {}
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise ValueError(f"Invalid inbound node in a Functional config: {str(node)[:200]}")
        return args, kwargs
    if isinstance(node, list):  # tf.keras 2: [[name, node, tensor, kwargs], ...]
        tensors, kwargs = [], {}
        for ref in node:
            if not _is_ref(ref):
                raise ValueError(f"Invalid inbound node in a Functional config: {str(node)[:200]}")
            tensors.append({"class_name": "__keras_tensor__", "config": {"keras_history": list(ref[:3])}})
            if len(ref) == 4 and isinstance(ref[3], dict):
                kwargs.update(ref[3])
        return ([tensors[0]] if len(tensors) == 1 else [tensors]), kwargs
    raise ValueError(f"Invalid inbound node in a Functional config: {str(node)[:200]}")
