"""`Layer`: the stateful Keras building block, and its stateless call path.

A layer owns Variables (made by `add_weight` in `build()`), runs `call()` on its inputs, and
builds itself from the first input's shape. Two ways to run it:

* `layer(x)`: stateful; reads and updates its Variables.
* `layer.stateless_call(trainable_values, non_trainable_values, x)`: pure; returns
  `(outputs, new_non_trainable_values)` and touches no Variable, so it composes with `jax.jit`
  and `jax.grad`. Both run the same `call()` code (see backend/variables.py for the scope).

Variable order is Keras's everywhere: `weights` is the layer's own trainable then non-trainable
weights, then each tracked sub-layer's weights, in attribute-assignment order.
"""

import functools
import inspect
import threading

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import naming, tracking
from lamina._src.backend.dtypes import get_policy, is_float_dtype, standardize_dtype
from lamina._src.backend.random import SeedGenerator
from lamina._src.backend.variables import (
    AutocastScope,
    StatelessScope,
    Variable,
    get_stateless_scope,
)
from lamina._src.layers.input_spec import assert_input_compatibility
from lamina._src.ops.keras_tensor import KerasTensor, any_symbolic_tensors
from lamina._src.ops.operation import Node, Operation, compute_output_spec, default
from lamina._src.saving import registry
from lamina._src.utils import tree

_local = threading.local()

# Constructor arguments every Keras layer accepts besides its own.
_LEGACY_INPUT_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size", "batch_shape")
_IGNORED_KWARGS = ("weights", "input_length")


class _CallContext:
    """Per-thread stack of outer layer calls; inner layers inherit `training` from it."""

    def __init__(self, training):
        self.training = training


def _contexts() -> list:
    if not hasattr(_local, "contexts"):
        _local.contexts = []
    return _local.contexts


def _shape_of(x):
    if hasattr(x, "shape"):
        return tuple(None if d is None else int(d) for d in x.shape)
    return None


class Layer(Operation):
    """Base class of all layers.

    Subclasses create weights in `build(input_shape)` with `add_weight`, compute in
    `call(inputs, training=None, mask=None)`, and return every constructor argument from
    `get_config()`.

    Args:
        trainable: whether the layer's weights are updated by training.
        dtype: the dtype policy (`"float32"`, `"mixed_float16"`, a `DTypePolicy`).
        name: the layer name; by default the snake-cased class name made unique (`dense_1`).
        activity_regularizer: a penalty on the layer's output added to the loss.
        input_shape / input_dim / batch_size / batch_input_shape: Keras's shorthand for an
            `Input` in front of the first layer of a `Sequential`.
    """

    # Whether XLA on CPU runs this layer at full speed inside a loop of training steps
    # (`fit` batches steps per dispatch for models made only of such layers). The gradients of
    # `lax` convolutions and pooling windows run several times slower in loops there
    # (jax-ml/jax#12868: the benchmark CNN 1.3k samples/s one step per dispatch, 170 with 16),
    # so those classes set it to False, or compute it where their gradient avoids them
    # (`Conv*D` through `matmul_conv`, depthwise and separable ones through
    # `depthwise_taps`, the tiling max pool). Embedding lookups and their
    # scatter-add gradients are fine (the benchmark embedding model: 19-27k -> 42k samples/s
    # with 16 steps per dispatch).
    _fast_in_loops = True
    # Whether its forward pass alone (`predict`) also runs at full speed inside such a loop,
    # which saves each dispatch's fresh working memory (the survey transformer predicts 1.6x
    # faster, the embedding model 1.9x at batch 32). `lax.conv`, the convolutions' forward
    # pass, loses ~5% there (the benchmark CNN).
    _forward_fast_in_loops = True

    def __init__(self, *, activity_regularizer=None, trainable: bool = True, dtype=None,
                 autocast: bool = True, name: str | None = None, **kwargs):
        batch_shape = self._pop_input_shape_kwargs(kwargs)
        for key in _IGNORED_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword argument(s) passed to {type(self).__name__}: "
                f"{sorted(kwargs)}"
            )
        Operation.__init__(self, name=name)
        self._input_batch_shape = batch_shape
        self._dtype_policy = get_policy(dtype)
        self._trainable = bool(trainable)
        self.autocast = autocast
        self.built = False
        self.supports_masking = getattr(self, "supports_masking", False)
        self.input_spec = None
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._losses: list = []
        self._build_shapes = None
        from lamina._src import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        signature = inspect.signature(self.call).parameters
        self._call_has_training_arg = "training" in signature
        default = signature["training"].default if "training" in signature else None
        self._call_training_default = None if default is inspect.Parameter.empty else default
        self._call_has_mask_arg = "mask" in signature
        self._lamina_initialized = True

    @staticmethod
    def _pop_input_shape_kwargs(kwargs: dict):
        """Keras's input shorthands -> a batch shape (or None)."""
        batch_size = kwargs.pop("batch_size", None)
        batch_shape = kwargs.pop("batch_shape", None) or kwargs.pop("batch_input_shape", None)
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        if batch_shape is not None:
            return tuple(batch_shape)
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            return (batch_size, *input_shape)
        return None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _wrap_build(cls.__dict__["build"])

    # -- dtypes ----------------------------------------------------------------------------
    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = get_policy(value)

    @property
    def dtype(self) -> str:
        """The variable dtype (Keras's `layer.dtype`)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    # -- building --------------------------------------------------------------------------
    def build(self, input_shape=None):
        """Create the layer's weights from the input shape. The default creates none."""
        self.built = True

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   aggregation: str = "mean", name: str | None = None) -> Variable:
        """Create a weight Variable owned by this layer (Keras's signature and defaults)."""
        from lamina._src import constraints, initializers, regularizers

        self._check_super_called()
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if is_float_dtype(dtype) else "zeros"
        initializer = initializers.get(initializer)
        with naming.name_scope(self.name):
            variable = Variable(initializer, shape=shape, dtype=dtype, trainable=trainable,
                                autocast=autocast, aggregation=aggregation, name=name)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        return variable

    add_variable = add_weight

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        shapes = self._build_input_shapes(args, kwargs)
        with naming.name_scope(self.name):
            if shapes is None:
                self.build()
            elif isinstance(shapes, dict):
                self.build(**shapes)
            else:
                self.build(shapes)
        self.built = True

    def _build_input_shapes(self, args, kwargs):
        """The shape structure `build()` receives: the first argument's, or one per `*_shape`
        parameter of `build` (`build(query_shape, value_shape)`)."""
        params = [p for p in inspect.signature(self.build).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if not params:
            return None
        if len(params) > 1 and all(p.name.endswith("_shape") for p in params):
            call_params = list(inspect.signature(self.call).parameters)
            bound = dict(zip(call_params, args))
            bound.update(kwargs)
            return {p.name: tree.map_structure(_shape_of, bound.get(p.name[: -len("_shape")]))
                    for p in params if bound.get(p.name[: -len("_shape")]) is not None}
        if not args:
            return None
        return tree.map_structure(_shape_of, args[0])

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        self._check_super_called()
        args, kwargs = self._convert_inputs(args, kwargs)
        # What the caller wrote is what a graph node records; `training` and masks are
        # resolved afresh at every execution.
        node_kwargs = dict(kwargs)
        contexts = _contexts()
        outermost = not contexts
        training = kwargs.get("training") if self._call_has_training_arg else None
        if training is None and contexts:
            training = contexts[-1].training
        if self._call_has_training_arg:
            if training is None:
                training = self._call_training_default
            kwargs["training"] = training
        elif "training" in kwargs:
            kwargs.pop("training")
        if self._call_has_mask_arg and kwargs.get("mask") is None and args:
            masks = [getattr(x, "_keras_mask", None) for x in tree.flatten(args[0])]
            if any(m is not None for m in masks):
                kwargs["mask"] = tree.pack_sequence_as(args[0], masks)
        if outermost:
            self._clear_losses()
        contexts.append(_CallContext(training))
        try:
            if any_symbolic_tensors(args, kwargs):
                return self._symbolic_call(args, kwargs, node_kwargs)
            self._maybe_build(args, kwargs)
            if args:
                assert_input_compatibility(self.input_spec, args[0], self.name)
            with naming.name_scope(self.name), self._autocast_scope():
                outputs = self.call(*args, **kwargs)
            if self.activity_regularizer is not None:
                for output in tree.flatten(outputs):
                    if output is not None:  # Keras averages the penalty over the batch
                        batch = output.shape[0] if output.ndim else 1
                        self.add_loss(self.activity_regularizer(output) / batch)
            return outputs
        finally:
            contexts.pop()

    def _symbolic_call(self, args, kwargs, node_kwargs):
        self._maybe_build(args, kwargs)
        if args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, call_args=args, call_kwargs=node_kwargs, outputs=outputs)
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            mask = self.compute_mask(args[0] if args else None, kwargs.get("mask"))
            if mask is not None:
                for out, m in zip(tree.flatten(outputs), tree.flatten(mask)):
                    if isinstance(out, KerasTensor):
                        out._keras_mask = m
        return outputs

    def _autocast_scope(self):
        policy = self._dtype_policy
        if self.autocast and policy.compute_dtype != policy.variable_dtype:
            return AutocastScope(policy.compute_dtype)
        return AutocastScope(None)

    def _convert_inputs(self, args, kwargs):
        """numpy -> jax arrays; float inputs cast to the compute dtype (Keras's input autocast)."""
        compute = jnp.dtype(jax.dtypes.canonicalize_dtype(self.compute_dtype))

        def convert(x):
            if isinstance(x, np.ndarray | np.generic) or isinstance(x, jax.Array):
                x = jnp.asarray(x)
                if self.autocast and is_float_dtype(x.dtype) and x.dtype != compute and is_float_dtype(compute.name):
                    x = x.astype(compute)
                return x
            if isinstance(x, Variable):
                return x.value
            return x

        if not args:
            return args, kwargs
        return (tree.map_structure(convert, args[0]), *args[1:]), kwargs

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; the default returns the inputs unchanged."""
        return inputs

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses: bool = False, **kwargs):
        """Run the layer as a pure function of variable values.

        Args:
            trainable_variables: values in the order of `self.trainable_variables`.
            non_trainable_variables: values in the order of `self.non_trainable_variables`.
            *args, **kwargs: the call's inputs and options (`training=True`...).
            return_losses: also return the losses added during the call (activity and weight
                regularization).

        Returns:
            `(outputs, new_non_trainable_values)`, plus the list of losses if `return_losses`.
        """
        trainable = self.trainable_variables
        non_trainable = self.non_trainable_variables
        if len(trainable_variables) != len(trainable) or len(non_trainable_variables) != len(non_trainable):
            raise ValueError(
                f"Layer '{self.name}' has {len(trainable)} trainable and {len(non_trainable)} "
                f"non-trainable variables; stateless_call received {len(trainable_variables)} and "
                f"{len(non_trainable_variables)} values."
            )
        mapping = list(zip(trainable, trainable_variables)) + list(zip(non_trainable, non_trainable_variables))
        with StatelessScope(mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
            losses = list(scope.losses) + self._regularization_losses() if return_losses else None
        new_non_trainable = [scope.get(v) for v in non_trainable]
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable

    # -- shapes and masks ------------------------------------------------------------------
    def compute_output_shape(self, *args, **kwargs):
        """Output shape(s) for the given input shape(s), inferred by tracing `call`."""
        def to_tensor(shape):
            return KerasTensor(shape, dtype=self.compute_dtype)

        shape_args = [tree.map_structure(to_tensor, _as_shape_structure(a)) for a in args]
        spec = compute_output_spec(self._traced_call, *shape_args, **kwargs)
        return tree.map_structure(lambda t: None if t is None else t.shape, spec)

    def compute_output_spec(self, *args, **kwargs):
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = tree.map_structure(_shape_of, args[0]) if args else None
            out = self.compute_output_shape(shapes)
            return _shapes_to_tensors(out, self.compute_dtype)
        return compute_output_spec(self._traced_call, *args, **kwargs)

    def _traced_call(self, *args, **kwargs):
        self._maybe_build(args, kwargs)
        with naming.name_scope(self.name), self._autocast_scope():
            return self.call(*args, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        """The output mask: the input mask when the layer supports masking, else None."""
        if not self.supports_masking:
            return None
        return previous_mask

    # -- variables and weights -------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool):
        # As in Keras: freezing flips the flag on the weights created trainable, so the file
        # order (creation order) stays put while trainable_weights changes.
        self._trainable = bool(value)
        tracking.bump()
        for variable in self._trainable_variables:
            variable.trainable = self._trainable
        for layer in self._layers:
            layer.trainable = value

    @property
    def _layers(self) -> list["Layer"]:
        """Directly tracked sub-layers, in attribute-assignment order (lists and dicts too)."""
        found, seen = [], set()

        def visit(value):
            if isinstance(value, Layer):
                if id(value) not in seen and value is not self:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, list | tuple):
                for item in value:
                    visit(item)
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)

        for key, value in self.__dict__.items():
            if key not in _UNTRACKED_ATTRIBUTES:
                visit(value)
        return found

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list["Layer"]:
        layers = [self] if include_self else []
        for layer in self._layers:
            layers.append(layer)
            if recursive:
                layers.extend(layer._flatten_layers(include_self=False))
        unique, seen = [], set()
        for layer in layers:
            if id(layer) not in seen:
                seen.add(id(layer))
                unique.append(layer)
        return unique

    def _own_variables(self) -> list[Variable]:
        """Variables made by add_weight, then Variables assigned directly as attributes."""
        own = self._trainable_variables + self._non_trainable_variables
        ids = {id(v) for v in own}
        for key, value in self.__dict__.items():
            if isinstance(value, Variable) and id(value) not in ids and key not in _UNTRACKED_ATTRIBUTES:
                ids.add(id(value))
                (self._trainable_variables if value.trainable else self._non_trainable_variables).append(value)
        return self._trainable_variables + self._non_trainable_variables

    def _seed_generators(self) -> list[SeedGenerator]:
        return [v for v in self.__dict__.values() if isinstance(v, SeedGenerator)]

    @property
    def weights(self) -> list[Variable]:
        """The layer's own weights (trainable first), then its sub-layers' weights."""
        return _unique(self._own_variables() + [w for layer in self._layers for w in layer.weights])

    @property
    def trainable_weights(self) -> list[Variable]:
        return [w for w in self.weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return self.weights if not self.trainable else [w for w in self.weights if not w.trainable]

    @property
    def variables(self) -> list[Variable]:
        """All state: weights plus seed-generator states (what the stateless call threads)."""
        own = self._own_variables() + [g.state for g in self._seed_generators()]
        return _unique(own + [v for layer in self._layers for v in layer.variables])

    @property
    def trainable_variables(self) -> list[Variable]:
        return [v for v in self.variables if v.trainable] if self.trainable else []

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return self.variables if not self.trainable else [v for v in self.variables if not v.trainable]

    def get_weights(self) -> list[np.ndarray]:
        """The weights as numpy arrays, in Keras's order."""
        return [np.asarray(w.value) for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign numpy arrays to the weights (Keras's order); shapes are checked first."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expects {len(own)} weight arrays "
                f"({[w.name for w in own]}), but received {len(weights)}."
            )
        for variable, value in zip(own, weights):
            if tuple(np.shape(value)) != variable.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight '{variable.name}' has shape {variable.shape}, "
                    f"but the value given has shape {tuple(np.shape(value))}."
                )
        for variable, value in zip(own, weights):
            variable.assign(value)

    def count_params(self) -> int:
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. Call it on an input first, or call `build(input_shape)`."
            )
        return int(sum(np.prod(w.shape, dtype=np.int64) for w in self.weights))

    # -- losses ----------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add a scalar to the training loss (e.g. an activity penalty)."""
        scope = get_stateless_scope()
        if scope is not None and scope.collect_losses:
            scope.losses.append(loss)
        elif scope is None:
            self._losses.append(loss)

    def _regularization_losses(self) -> list:
        return [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer is not None]

    @property
    def losses(self) -> list:
        """Losses added during the last call, plus the weight-regularization penalties."""
        added = [loss for layer in self._flatten_layers() for loss in layer._losses]
        return added + self._regularization_losses()

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            layer._losses.clear()

    # -- graph connectivity ----------------------------------------------------------------
    def _node_attribute(self, attribute: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input, so it has no "
                f"defined {attribute}."
            )
        node = self._inbound_nodes[0]
        values = node.input_tensors if attribute == "input" else node.outputs
        return values[0] if len(values) == 1 else list(values)

    @property
    def input(self):
        return self._node_attribute("input")

    @property
    def output(self):
        return self._node_attribute("output")

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: t.shape, self.input)

    @property
    def output_shape(self):
        return tree.map_structure(lambda t: t.shape, self.output)

    # -- config ----------------------------------------------------------------------------
    @default
    def get_config(self) -> dict:
        """The constructor arguments; subclasses add their own to this base.

        A subclass that does not override it gets Keras's auto-config: the arguments it was
        constructed with, when they are plain values (see `Operation.get_config`).
        """
        from lamina._src.saving.serialization import serialize_keras_object

        config = {
            **super().get_config(),
            "trainable": self.trainable,
            "dtype": serialize_keras_object(self._dtype_policy),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        return config

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        if isinstance(self._build_shapes, dict):  # build(query_shape, value_shape, ...)
            return {"shapes_dict": self._build_shapes}
        return {"input_shape": self._build_shapes}

    def build_from_config(self, config: dict) -> None:
        if "shapes_dict" in (config or {}) and not self.built:
            with naming.name_scope(self.name):
                self.build(**{k: _as_shape_structure(v) for k, v in config["shapes_dict"].items()})
            return
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            with naming.name_scope(self.name):
                self.build(_as_shape_structure(shape))

    # -- misc --------------------------------------------------------------------------------
    def _check_super_called(self):
        if not self.__dict__.get("_lamina_initialized"):
            raise RuntimeError(
                f"{type(self).__name__}.__init__ did not call super().__init__(**kwargs): "
                "every Layer subclass must call it before using the layer."
            )

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_UNTRACKED_ATTRIBUTES = frozenset({"_inbound_nodes", "_outbound_nodes", "_losses",
                                   "_trainable_variables", "_non_trainable_variables"})


def _unique(variables):
    seen, result = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            result.append(v)
    return result


def _as_shape_structure(shape):
    """Lists of ints/None (from JSON) -> tuples; nested lists of shapes stay nested."""
    if isinstance(shape, list | tuple) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {k: _as_shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, list | tuple):
        return [_as_shape_structure(s) for s in shape]
    return shape


def _shapes_to_tensors(shapes, dtype):
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return KerasTensor(shapes, dtype=dtype)
    if isinstance(shapes, dict):
        return {k: _shapes_to_tensors(v, dtype) for k, v in shapes.items()}
    if isinstance(shapes, list | tuple):
        return type(shapes)(_shapes_to_tensors(s, dtype) for s in shapes)
    raise TypeError(f"compute_output_shape returned {shapes!r}; expected a shape tuple or nest.")


def _wrap_build(build):
    """Make every subclass `build` record its input shape and mark the layer built."""

    @functools.wraps(build)
    def wrapped(self, *args, **kwargs):
        with naming.name_scope(self.name):
            result = build(self, *args, **kwargs)
        if self._build_shapes is None:
            shapes = args[0] if len(args) == 1 and not kwargs else (kwargs or list(args) or None)
            self._build_shapes = tree.map_structure(
                lambda d: d, shapes) if shapes is not None else None
        self.built = True
        return result

    return wrapped


registry.register("layers")(Layer)
