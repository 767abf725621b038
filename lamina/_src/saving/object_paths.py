"""Where each object's variables live in a Keras 3 weights file (`.keras`, `.weights.h5`).

Keras addresses objects by attribute path, not by layer name (keras-formats.md §5.1): the
model's `layers` list first (each element named by the snake-case of its class, numbered
`_1`, `_2`, ... within the list), then the other attributes holding layers, in sorted order;
an object reachable twice is stored at its first path only. Every layer gets a `vars` group,
empty or not; the optimizer is at `optimizer`.
"""

from lamina._src.backend import naming
from lamina._src.layers.layer import Layer

# Attributes of lamina's own machinery that hold layers but are not part of the saved tree.
_INTERNAL = frozenset({"_layer_list", "_functional", "_operations", "_inbound_nodes",
                       "_outbound_nodes", "_compile_loss", "_compile_metrics", "_loss_trackers",
                       "_compiled_fns", "_inputs", "_outputs", "_inputs_struct", "_outputs_struct",
                       "_nodes", "_nodes_by_depth", "optimizer", "history"})


def _own_variables(obj) -> list:
    if isinstance(obj, Layer):
        return list(obj._trainable_variables) + list(obj._non_trainable_variables)
    return list(getattr(obj, "variables", []))


# Properties that never hold sub-layers (or raise before a graph exists): not worth reading.
_SKIP = frozenset({"input", "output", "input_shape", "output_shape", "losses", "weights",
                   "trainable_weights", "non_trainable_weights", "variables", "trainable_variables",
                   "non_trainable_variables", "metrics", "metrics_names", "_layers", "inputs",
                   "outputs", "input_spec", "dtype_policy", "output_names", "input_names",
                   "operations"})


def _attribute_names(obj) -> list[str]:
    """Instance attributes and class properties, public names first (each part sorted), as
    Keras's walk orders them: a layer reachable as `query_dense` and `_query_dense` is saved at
    `query_dense`."""
    names = set(vars(obj))
    for cls in type(obj).__mro__:
        names.update(k for k, v in vars(cls).items() if isinstance(v, property))
    names -= _INTERNAL | _SKIP
    public = sorted(n for n in names if not n.startswith("_"))
    private = sorted(n for n in names if n.startswith("_") and not n.startswith("__"))
    return public + private


def _children(obj):
    """(attribute name, value) pairs to visit, in Keras's order."""
    from lamina._src.models.functional import Functional
    from lamina._src.models.sequential import Sequential

    if isinstance(obj, Sequential | Functional):
        yield "layers", obj.layers
        return
    for name in _attribute_names(obj):
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a property that cannot answer holds no layer
            continue
        if isinstance(value, Layer) or (isinstance(value, list | tuple | dict) and _holds_layers(value)):
            yield name, value


def _holds_layers(container) -> bool:
    values = container.values() if isinstance(container, dict) else container
    return any(isinstance(v, Layer) for v in values)


def variable_groups(model, include_optimizer: bool = True) -> dict[str, tuple[str, list]]:
    """`{path: (object name, [Variable, ...])}` for every saved object of the model."""
    groups: dict[str, tuple[str, list]] = {}
    visited: set[int] = set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        groups[path] = (obj.name, _own_variables(obj))
        for attr, value in _children(obj):
            child_path = f"{path}/{attr}" if path else attr
            if isinstance(value, Layer):
                visit(value, child_path)
            else:
                used: dict[str, int] = {}
                items = value.values() if isinstance(value, dict) else value
                for item in items:
                    if not isinstance(item, Layer):
                        continue
                    slug = naming.to_snake_case(type(item).__name__)
                    if slug in used:
                        used[slug] += 1
                        slug = f"{slug}_{used[slug]}"
                    else:
                        used[slug] = 0
                    visit(item, f"{child_path}/{slug}")

    visit(model, "")
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and getattr(optimizer, "built", False):
        groups["optimizer"] = (optimizer.name, list(optimizer.variables))
    return groups
