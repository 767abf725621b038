"""`Operation` (anything that can sit in a functional graph) and `Node` (one call of it).

Called on arrays an Operation computes; called on KerasTensors it infers the output spec with
`jax.eval_shape` and records a Node linking inputs to outputs. Layers are Operations; so are the
`lamina.ops` functions when they meet a symbolic tensor.

As in Keras 3, `Operation.__new__` records the constructor arguments when they are all plain
values (str, int, float, bool, None, nested in lists/tuples/dicts), and the default `get_config`
returns them, so a custom layer that never overrides `get_config` still round-trips.
"""

import inspect
import textwrap

import jax

from lamina._src.backend import naming
from lamina._src.backend.dtypes import get_policy
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


def default(method):
    """Mark a method as the base implementation, so overrides can be detected (`is_default`)."""
    method._is_default = True
    return method


def is_default(method) -> bool:
    return getattr(method, "_is_default", False)


_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def _capture_constructor_args(cls, args, kwargs):
    """Keras's auto-config: `(config or None, error_is_about_positional_args)`."""
    try:
        signature = inspect.signature(cls.__init__)
        argspec = inspect.getfullargspec(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None, False
    if any(p.kind == p.POSITIONAL_ONLY for name, p in signature.parameters.items()
           if name != argspec.args[0]):
        return None, True  # cannot be restored via cls(**config)
    bound.apply_defaults()
    captured = dict(bound.arguments)
    captured |= captured.pop(argspec.varkw, {}) if argspec.varkw else {}
    captured.pop(argspec.args[0])
    captured.pop("name", None)  # get_config adds the name itself
    if argspec.varargs is not None and captured.pop(argspec.varargs):
        return None, True
    if not all(isinstance(v, _AUTO_CONFIG_TYPES) for v in tree.flatten(captured)):
        return None, False
    return captured, False


_CONFIG_EXAMPLE = """
    class CustomLayer(keras.layers.Layer):
        def __init__(self, arg1, arg2, **kwargs):
            super().__init__(**kwargs)
            self.arg1 = arg1
            self.arg2 = arg2

        def get_config(self):
            config = super().get_config()
            config.update({"arg1": self.arg1, "arg2": self.arg2})
            return config
"""


class Operation:
    """Base of layers and symbolic ops: a name, a `call`, and the graph nodes it appears in."""

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        # Recorded before __init__ runs, so the values are the caller's, as in Keras.
        instance._auto_config, instance._auto_config_error_args = _capture_constructor_args(
            cls, args, kwargs)
        return instance

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

    @default
    def get_config(self) -> dict:
        """`{"name": ...}`; for a subclass that does not override `get_config`, also the
        constructor arguments captured at creation (Keras's auto-config).

        Raises:
            NotImplementedError: the subclass does not override `get_config` and was created
                with arguments that are not plain values (or with positional-only / `*args`).
        """
        config = {"name": self.name}
        if not is_default(self.get_config):
            return config  # the subclass writes its own arguments
        auto_config = getattr(self, "_auto_config", None)
        if auto_config is not None:
            config.update(auto_config)
            params = inspect.signature(self.__init__).parameters
            has_kwargs = "kwargs" in params and params["kwargs"].kind == inspect.Parameter.VAR_KEYWORD
            if "name" not in params and not has_kwargs:
                config.pop("name", None)  # __init__ could not take it back
            return config
        if getattr(self, "_auto_config_error_args", False):
            reason = ("was created with positional-only or variadic positional arguments "
                      "(`*args`) in `__init__()`, which the automatic config cannot restore")
        else:
            reason = ("was created with non-serializable argument values in `__init__()` "
                      "(only str, int, float, bool, None and lists/tuples/dicts of them are "
                      "captured automatically)")
        raise NotImplementedError(
            f"Object {type(self).__name__} {reason}. Override `get_config()` (and `from_config()` "
            f"if needed) to make it serializable. Example:\n{textwrap.dedent(_CONFIG_EXAMPLE)}"
        )

    @classmethod
    def from_config(cls, config: dict):
        """`cls(**config)`, with a serialized dtype policy turned back into its name.

        A config the constructor cannot take raises TypeError naming the class and the config,
        as in Keras. (Keras wraps every error so; lamina lets a layer's own ValueError, which
        already names the layer and the bad value, through unchanged.)
        """
        if isinstance(config.get("dtype"), dict):
            config = {**config, "dtype": get_policy(config["dtype"]).name}
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {e}"
            ) from e
