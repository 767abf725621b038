"""`model.summary()`: the same rich table Keras 3 prints, plus an optional activation column."""

import math
import re
import shutil

import numpy as np
import rich.console
import rich.markup
import rich.table


def count_params(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def weight_memory_size(weights) -> int:
    unique = {id(w): w for w in weights}.values()
    return int(sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in unique))


def readable_memory_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _number(x) -> str:
    return f"[color({45 if x is None else 34})]{x}[/]"


def _format_shape(shape) -> str:
    return f"({', '.join(_number(d) for d in shape)})"


def format_layer_shape(layer) -> str:
    """The output shape(s) of a layer from its last graph node, else from its build shape."""
    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
        shapes = [_format_shape(x.shape) for x in outputs]
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
        return [_format_shape(shapes)]
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
    if sequential_like:
        default_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
        relevant_nodes = set()
    else:
        default_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
        relevant_nodes = {id(n) for nodes in model._nodes_by_depth.values() for n in nodes}
    positions = list(positions)
    for extra, flag in (("Activation", show_activations), ("Trainable", show_trainable)):
        if flag:
            default_length += 12 if extra == "Trainable" else 24
            share = 0.90 if extra == "Trainable" else 0.78
            positions = [p * share for p in positions] + [1.0]
            header.append(extra)
            alignment.append("center" if extra == "Trainable" else "left")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    if positions[-1] <= 1:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = int(pos) - current
        if width < 4:
            raise ValueError(
                f"Insufficient console width to print the summary: a column would be {width} "
                f"characters wide. Pass a larger `line_length` (currently {line_length})."
            )
        widths.append(width)
        current += width

    columns = [rich.table.Column(name, justify=alignment[i], width=widths[i],
                                 overflow="fold" if name == "Activation" else "ellipsis")
               for i, name in enumerate(header)]
    table = rich.table.Table(*columns, width=line_length, show_lines=True)

    def connections(layer) -> str:
        parts = []
        for node in layer._inbound_nodes:
            if relevant_nodes and id(node) not in relevant_nodes:
                continue
            for x in node.input_tensors:
                op, node_index, tensor_index = x._keras_history
                parts.append(f"{op.name}[{_number(node_index)}][{_number(tensor_index)}]")
        return ", ".join(parts) or "-"

    def fields(layer, prefix=""):
        name = rich.markup.escape(f"{prefix}{layer.name}")
        name += f" ([color(33)]{rich.markup.escape(type(layer).__name__)}[/])"
        if not hasattr(layer, "built"):
            params = _number(0)
        elif not layer.built:
            params = f"{_number(0)} (unbuilt)"
        else:
            params = _number(f"{layer.count_params():,}")
        row = [name, format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_activations:
            row.append(rich.markup.escape(describe_activation(layer)))
        if show_trainable:
            if getattr(layer, "weights", None):
                row.append("[bold][color(34)]Y[/][/]" if layer.trainable else "[bold][color(9)]N[/][/]")
            else:
                row.append("[bold]-[/]")
        return row

    def rows(layer, level=0):
        prefix = "   " * level + "└ " if level else ""
        result = [fields(layer, prefix)]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                result.extend(rows(inner, level + 1))
        return result

    layers = _layers_to_print(model)
    first, last = _layer_range_bounds(layers, layer_range)
    for layer in layers[first:last]:
        for row in rows(layer):
            table.add_row(*row)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_variables = (list(optimizer.variables)
                           if getattr(model, "compiled", False) and optimizer is not None
                           and getattr(optimizer, "built", False) else None)
    total_count = count_params(trainable) + count_params(non_trainable)
    total_size = weight_memory_size(trainable) + weight_memory_size(non_trainable)
    if optimizer_variables is not None:
        total_count += count_params(optimizer_variables)
        total_size += weight_memory_size(optimizer_variables)

    if print_fn:
        console = rich.console.Console(highlight=False, force_terminal=False, color_system=None,
                                       width=max(line_length + 4, 80))
        console.begin_capture()
    else:
        console = rich.console.Console(highlight=False)
    console.print(f'[bold]Model: "{rich.markup.escape(model.name)}"[/]')
    console.print(table)

    def footer(label, count, size):
        console.print(f"[bold] {label}: [/]{_number(f'{count:,}')} ({readable_memory_size(size)})")

    footer("Total params", total_count, total_size)
    footer("Trainable params", count_params(trainable), weight_memory_size(trainable))
    footer("Non-trainable params", count_params(non_trainable), weight_memory_size(non_trainable))
    if optimizer_variables is not None:
        footer("Optimizer params", count_params(optimizer_variables),
               weight_memory_size(optimizer_variables))
    if print_fn:
        print_fn(console.end_capture())


def _layer_range_bounds(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(
            f"layer_range must be a list or tuple of two layer names, received {layer_range!r}."
        )
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            f"The layer_range names {list(layer_range)} do not match any layer of the model; "
            f"its layers are {[layer.name for layer in layers]}."
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1

