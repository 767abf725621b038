"""Mapping a graph of Nodes between input and output KerasTensors (Keras's ordering rules).

`map_graph` finds every node that leads from `inputs` to `outputs`, assigns depths (distance
from the outputs), and orders operations by decreasing depth, ties broken by the order a
depth-first walk from the outputs met them. That order is `model.layers`, the summary's row
order and the saved config's `layers` order, so it must be exactly Keras's.
"""

import collections

from lamina._src.utils import tree


def map_graph(inputs: list, outputs: list):
    """Returns `(nodes_in_execution_order, operations, nodes_by_depth)`.

    Raises a ValueError for cycles, disconnected graphs and duplicate layer names.
    """
    input_ids = {id(x) for x in inputs}
    finished, in_progress = set(), set()
    nodes_decreasing_depth: list = []
    operation_index: dict = {}

    def visit(tensor):
        history = tensor._keras_history
        if history is None:
            raise ValueError(
                f"Output tensor {tensor} was not produced by a layer or op: it has no history. "
                "Model outputs must be computed from the model's Input tensors."
            )
        operation, node_index, _ = history
        node = operation._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"Tensor {tensor} from operation '{operation.name}' is part of a cycle.")
        if node.is_input and id(tensor) not in input_ids:
            raise ValueError(
                f"Graph disconnected: the outputs depend on the input '{operation.name}' "
                f"(shape {tensor.shape}), which is not among the model's inputs "
                f"{[x._keras_history[0].name for x in inputs]}. Pass every Input the outputs "
                "depend on in `inputs=`."
            )
        operation_index.setdefault(operation, len(operation_index))
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_decreasing_depth.append(node)

    for output in outputs:
        visit(output)

    node_depth: dict = {}
    operation_depth: dict = {}
    for node in reversed(nodes_decreasing_depth):
        depth = max(node_depth.setdefault(id(node), 0), operation_depth.get(node.operation, 0))
        operation_depth[node.operation] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    nodes_by_id = {id(n): n for n in nodes_decreasing_depth}
    for x in inputs:  # inputs that no output depends on still belong to the model
        operation = x._keras_history[0]
        if operation not in operation_depth:
            operation_depth[operation] = 0
            operation_index[operation] = -1
            node = operation._inbound_nodes[0]
            nodes_by_id[id(node)] = node
            node_depth[id(node)] = 0

    operations_by_depth = collections.defaultdict(list)
    for operation, depth in operation_depth.items():
        operations_by_depth[depth].append(operation)
    operations = []
    for depth in sorted(operations_by_depth, reverse=True):
        operations.extend(sorted(operations_by_depth[depth], key=lambda op: operation_index[op]))

    nodes_by_depth = collections.defaultdict(list)
    for node_id, depth in node_depth.items():
        nodes_by_depth[depth].append(nodes_by_id[node_id])
    computable = set(input_ids)
    seen_operations: list[str] = []
    ordered_nodes = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot find parent for tensor {x} at layer "
                        f"'{node.operation.name}'. The model's inputs do not lead to it; pass "
                        f"every Input the outputs depend on in `inputs=`. Layers reached without "
                        f"issue: {seen_operations}"
                    )
            seen_operations.append(node.operation.name)
            computable.update(id(x) for x in node.outputs)
            ordered_nodes.append(node)

    names = [op.name for op in operations]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All layer '
                "names must be unique."
            )
    return ordered_nodes, operations, dict(nodes_by_depth)


def fill_in(structure, values: dict):
    """Replace each KerasTensor in `structure` by `values[id(tensor)]`."""
    from lamina._src.ops.keras_tensor import KerasTensor

    return tree.map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, structure)
