"""`model.summary()`: the same rich table Keras 3 prints, plus an optional activation column.

This module walks the live model (layers, graph nodes, weights); drawing the table from the
resulting rows is `lamina._src.utils.summary_table`, which `lamina inspect` shares.
"""

import rich.markup

from lamina._src.utils.summary_table import (
    build_table,
    connection_text,
    count_params,
    format_shape,
    layer_cell,
    layer_range_bounds,
    nested_prefix,
    params_cell,
    params_footers,
    print_summary_table,
    readable_memory_size,
    table_layout,
    trainable_cell,
    weight_memory_size,
)

__all__ = ["count_params", "describe_activation", "format_layer_shape", "print_summary",
           "readable_memory_size", "weight_memory_size"]


def format_layer_shape(layer) -> str:
    """The output shape(s) of a layer from its last graph node, else from its build shape."""
    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
        shapes = [format_shape(x.shape) for x in outputs]
    elif getattr(layer, "_build_shapes", None) is not None:
        try:
            out = layer.compute_output_shape(layer._build_shapes)
        except NotImplementedError:
            return "?"
        shapes = _shape_leaves(out)
    else:
        return "?"
    if len(shapes) == 1:
        return shapes[0]
    return "[" + ", ".join(shapes) + "]"


def _shape_leaves(shapes) -> list[str]:
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return [format_shape(shapes)]
    return [s for item in (shapes.values() if isinstance(shapes, dict) else shapes)
            for s in _shape_leaves(item)]


def describe_activation(layer) -> str:
    """`relu`, `LeakyReLU(negative_slope=0.05)`, or `-` for layers without an activation."""
    from lamina._src.layers.activations.leaky_relu import LeakyReLU

    if isinstance(layer, LeakyReLU):
        return f"LeakyReLU(negative_slope={layer.negative_slope:g})"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return "-"
    if isinstance(activation, LeakyReLU):
        return f"LeakyReLU(negative_slope={activation.negative_slope:g})"
    if hasattr(activation, "get_config") and not callable(getattr(activation, "__name__", None)):
        config = {k: v for k, v in activation.get_config().items()
                  if k not in ("name", "trainable", "dtype")}
        args = ", ".join(f"{k}={v}" for k, v in config.items())
        return f"{type(activation).__name__}({args})"
    return getattr(activation, "__name__", type(activation).__name__)


def _is_sequential_like(model) -> bool:
    from lamina._src.models.functional import Functional

    if not isinstance(model, Functional):
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].input_tensors) > 1):
            return False
        nodes.extend(depth_nodes)
    node_ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in node_ids) > 1:
            return False
    return True


def _layers_to_print(model):
    from lamina._src.models.functional import Functional

    return list(model._operations) if isinstance(model, Functional) else model.layers


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None, show_activations=False) -> None:
    sequential_like = _is_sequential_like(model)
    layout = table_layout(sequential_like, show_activations=show_activations,
                          show_trainable=show_trainable, line_length=line_length,
                          positions=positions)
    relevant_nodes = set() if sequential_like else {
        id(n) for nodes in model._nodes_by_depth.values() for n in nodes}

    def connections(layer) -> str:
        parts = []
        for node in layer._inbound_nodes:
            if relevant_nodes and id(node) not in relevant_nodes:
                continue
            for x in node.input_tensors:
                op, node_index, tensor_index = x._keras_history
                parts.append(connection_text(op.name, node_index, tensor_index))
        return ", ".join(parts) or "-"

    def fields(layer, prefix=""):
        name = layer_cell(layer.name, type(layer).__name__, prefix)
        if not hasattr(layer, "built"):
            params = params_cell(None)
        else:
            params = params_cell(layer.count_params() if layer.built else 0, layer.built)
        row = [name, format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_activations:
            row.append(rich.markup.escape(describe_activation(layer)))
        if show_trainable:
            row.append(trainable_cell(bool(getattr(layer, "weights", None)), layer.trainable))
        return row

    def rows(layer, level=0):
        result = [fields(layer, nested_prefix(level))]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                result.extend(rows(inner, level + 1))
        return result

    layers = _layers_to_print(model)
    first, last = layer_range_bounds([layer.name for layer in layers], layer_range)
    table_rows = [row for layer in layers[first:last] for row in rows(layer)]

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_variables = (list(optimizer.variables)
                           if getattr(model, "compiled", False) and optimizer is not None
                           and getattr(optimizer, "built", False) else None)
    footers = params_footers(
        (count_params(trainable), weight_memory_size(trainable)),
        (count_params(non_trainable), weight_memory_size(non_trainable)),
        None if optimizer_variables is None else
        (count_params(optimizer_variables), weight_memory_size(optimizer_variables)),
    )
    print_summary_table(model.name, build_table(layout, table_rows), footers,
                        layout.line_length, print_fn=print_fn)

