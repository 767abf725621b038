"""`symbolic_op`: make a JAX function also accept KerasTensors (building a graph node)."""

import functools

from lamina._src.backend.variables import Variable
from lamina._src.ops.keras_tensor import any_symbolic_tensors
from lamina._src.ops.operation import Operation
from lamina._src.utils import tree


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class FunctionOperation(Operation):
    """A graph node for a plain function call (`lamina.ops.add(a, b)` on symbolic tensors)."""

    def __init__(self, fn, op_name: str):
        from lamina._src.backend import naming

        super().__init__(name=naming.auto_name(naming.to_snake_case(op_name)))
        self.fn = fn
        self.op_name = op_name

    def call(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return f"<Operation {self.op_name} name={self.name}>"


def _unwrap(x):
    return x.value if isinstance(x, Variable) else x


def symbolic_op(fn):
    """Decorate a jnp-based function so symbolic inputs produce a symbolic output."""
    op_name = _camel(fn.__name__)
    # A class per op, so graph nodes show as `multiply (Multiply)` in summaries, as in Keras.
    op_class = type(op_name, (FunctionOperation,), {"__module__": fn.__module__})

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if any_symbolic_tensors(args, kwargs):
            return op_class(fn, op_name)(*args, **kwargs)
        args, kwargs = tree.map_structure(_unwrap, (args, kwargs))
        return fn(*args, **kwargs)

    return wrapper
