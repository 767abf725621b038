"""`Operation` (anything that can sit in a functional graph) and `Node` (one call of it).

Called on arrays an Operation computes; called on KerasTensors it infers the output spec with
`jax.eval_shape` and records a Node linking inputs to outputs. Layers are Operations; so are the
`lamina.ops` functions when they meet a symbolic tensor.
"""

import jax

from lamina._src.backend import naming
from lamina._src.backend.variables import StatelessScope
from lamina._src.ops.keras_tensor import KerasTensor, any_symbolic_tensors
from lamina._src.utils import tree

# Two sizes substituted for unknown dimensions: output dims that differ between the two traces
# depend on an unknown input dim and stay None.
_PROBE_SIZES = (83, 89)


def compute_output_spec(fn, *args, **kwargs):
    """Trace `fn` on abstract values to get the KerasTensors it would return. Runs nothing."""
    leaves = tree.flatten((args, kwargs))
    tensor_positions = [i for i, x in enumerate(leaves) if isinstance(x, KerasTensor)]
    has_unknown = any(None in leaves[i].shape for i in tensor_positions)

    def trace(size):
        abstract = [
            jax.ShapeDtypeStruct(tuple(size if d is None else d for d in leaves[i].shape), leaves[i].dtype)
            for i in tensor_positions
        ]

        def run(tensors):
            filled = list(leaves)
            for i, t in zip(tensor_positions, tensors):
                filled[i] = t
            call_args, call_kwargs = tree.pack_sequence_as((args, kwargs), filled)
            with StatelessScope():  # state updates made while tracing are thrown away
                return fn(*call_args, **call_kwargs)

        return jax.eval_shape(run, abstract)

    first = trace(_PROBE_SIZES[0])
    second = trace(_PROBE_SIZES[1]) if has_unknown else first

    def to_keras_tensor(a, b):
        if a is None:
            return None
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        return KerasTensor(shape, dtype=a.dtype)

    return tree.map_structure(to_keras_tensor, first, second)


class Node:
    """One call of an operation in a graph: its symbolic arguments and outputs."""

    def __init__(self, operation: "Operation", call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = [x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)]
        self.input_tensors = [
            x for x in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(x, KerasTensor)
        ]
        operation._inbound_nodes.append(self)
        for x in self.input_tensors:
            if x._keras_history is not None:
                x._keras_history[0]._outbound_nodes.append(self)
        node_index = len(operation._inbound_nodes) - 1
        for i, x in enumerate(self.outputs):
            x._keras_history = (operation, node_index, i)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list["Node"]:
        parents = []
        for x in self.input_tensors:
            if x._keras_history is not None:
                op, node_index, _ = x._keras_history
                parents.append(op._inbound_nodes[node_index])
        return parents


class Operation:
    """Base of layers and symbolic ops: a name, a `call`, and the graph nodes it appears in."""

    def __init__(self, name: str | None = None):
        if name is None:
            name = naming.auto_name(naming.to_snake_case(type(self).__name__))
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Invalid name {name!r} for {type(self).__name__}: a string without '/' is required."
            )
        self.name = name
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []

    def __call__(self, *args, **kwargs):
        if any_symbolic_tensors(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not implement call().")

    def compute_output_spec(self, *args, **kwargs):
        return compute_output_spec(self.call, *args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name}
