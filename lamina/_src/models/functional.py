"""`Functional`: a model defined by a graph from `Input` tensors to output tensors."""

import inspect

import jax.numpy as jnp
import numpy as np

from lamina._src.backend.dtypes import is_float_dtype
from lamina._src.backend.transfer import to_device
from lamina._src.layers.layer import Layer
from lamina._src.models.graph import fill_in, map_graph
from lamina._src.models.model import Model
from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.saving import registry
from lamina._src.utils import tree


@registry.register("models")
class Functional(Model):
    """A model from symbolic inputs to outputs: `Model(inputs, outputs)`.

    `inputs` and `outputs` may be a tensor, a list, or a dict (their structure is kept: a model
    built with a dict of inputs takes a dict of arrays, keyed by the dict's keys).
    """

    _reported_name = None  # the model named in input errors, when not this one (Sequential)

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        flat_inputs = tree.flatten(inputs)
        flat_outputs = tree.flatten(outputs)
        for kind, tensors in (("inputs", flat_inputs), ("outputs", flat_outputs)):
            for x in tensors:
                if not isinstance(x, KerasTensor):
                    raise ValueError(
                        f"All `{kind}` of a Functional model must be symbolic tensors (from "
                        f"lamina.Input() or a layer called on one); received {x!r} of type "
                        f"{type(x).__name__}."
                    )
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = flat_inputs
        self._outputs = flat_outputs
        self._nodes, self._operations, self._nodes_by_depth = map_graph(flat_inputs, flat_outputs)
        self.built = True

    # -- structure -------------------------------------------------------------------------
    @property
    def _layers(self) -> list[Layer]:
        return [op for op in self._operations if isinstance(op, Layer)]

    @property
    def operations(self) -> list:
        return list(self._operations)

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._outputs)

    @property
    def input_names(self) -> list[str]:
        return [x._keras_history[0].name for x in self._inputs]

    @property
    def output_names(self) -> list[str]:
        return [x._keras_history[0].name for x in self._outputs]

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        return tree.map_structure(lambda x: x.shape, self._inputs_struct)

    @property
    def output_shape(self):
        return tree.map_structure(lambda x: x.shape, self._outputs_struct)

    # -- running -----------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        values = self._standardize_inputs(inputs)
        tensors = {id(x): v for x, v in zip(self._inputs, values)}
        masks = {}
        if mask is not None:
            for x, m in zip(self._inputs, tree.flatten(mask)):
                masks[id(x)] = m
        for node in self._nodes:
            operation = node.operation
            if node.is_input:
                continue
            args, kwargs = fill_in((node.call_args, node.call_kwargs), tensors)
            if masks and isinstance(operation, Layer) and operation._call_has_mask_arg and "mask" not in kwargs:
                input_masks = [masks.get(id(x)) for x in tree.flatten(node.call_args[0])] if node.call_args else []
                if any(m is not None for m in input_masks):
                    kwargs["mask"] = input_masks[0] if len(input_masks) == 1 else input_masks
            if masks and isinstance(operation, Layer):
                _fill_named_masks(operation, node, kwargs, masks)
            outputs = operation(*args, **kwargs)
            flat_outputs = tree.flatten(outputs)
            for x, y in zip(node.outputs, flat_outputs):
                tensors[id(x)] = y
            if isinstance(operation, Layer) and (operation.supports_masking or type(operation).compute_mask is not Layer.compute_mask):
                input_masks = [masks.get(id(x)) for x in tree.flatten(node.call_args[0])] if node.call_args else []
                previous = input_masks[0] if len(input_masks) == 1 else (input_masks or None)
                if previous is not None and not any(m is not None for m in tree.flatten(previous)):
                    previous = None
                out_mask = operation.compute_mask(args[0] if args else None, previous)
                if out_mask is not None:
                    for x, m in zip(node.outputs, tree.flatten(out_mask)):
                        masks[id(x)] = m
        return tree.pack_sequence_as(self._outputs_struct, [tensors[id(x)] for x in self._outputs])

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def _standardize_inputs(self, inputs) -> list:
        """User inputs (array, list, tuple or dict) -> one array per model Input, checked."""
        names = [x._keras_history[0].name for x in self._inputs]
        if isinstance(inputs, dict):
            keys = list(self._inputs_struct) if isinstance(self._inputs_struct, dict) else names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {keys}, but the dict passed is "
                    f"missing {missing} (received keys {sorted(inputs)})."
                )
            flat = [inputs[k] for k in keys]
        else:
            flat = tree.flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self._inputs)} input(s) {names}, but it received "
                f"{len(flat)} input tensors."
            )
        return [self._conform(x, ref, name) for x, ref, name in zip(flat, self._inputs, names)]

    def _conform(self, x, ref: KerasTensor, name: str):
        if isinstance(x, KerasTensor):
            return x
        if not hasattr(x, "shape"):
            x = np.asarray(x)
        x = to_device(x)
        if is_float_dtype(ref.dtype) and x.dtype != ref.dtype:
            x = x.astype(ref.dtype)
        rank, expected = x.ndim, len(ref.shape)
        if rank == expected + 1 and x.shape[-1] == 1:
            x = jnp.squeeze(x, -1)
        elif rank == expected - 1 and ref.shape[-1] == 1:
            x = jnp.expand_dims(x, -1)
        else:
            self._check_input_shape(tuple(x.shape), ref, name)
        return x

    def _check_input_shape(self, shape: tuple, ref: KerasTensor, name: str, model_name=None):
        """Raise a ValueError naming the model, the input and the layer reading it when an
        array of `shape` cannot feed input `ref` (the batch size is never enforced)."""
        rank, expected = len(shape), len(ref.shape)
        if rank == expected + 1 and shape[-1] == 1 or rank == expected - 1 and ref.shape[-1] == 1:
            return
        if rank != expected:
            detail = f"rank {rank}, expected rank {expected}"
        else:
            axes = [a for a, (d, e) in enumerate(zip(shape, ref.shape)) if a > 0 and e is not None
                    and d != e]
            if not axes:
                return
            detail = f"axis {axes[0]} is {shape[axes[0]]}, expected {ref.shape[axes[0]]}"
        readers = [node.operation.name for node in self._nodes if not node.is_input and any(
            t is ref for t in tree.flatten((node.call_args, node.call_kwargs)))]
        layer = f" (read by layer {', '.join(repr(r) for r in readers)})" if readers else ""
        raise ValueError(
            f"Input '{name}'{layer} of model '{model_name or self._reported_name or self.name}' "
            f"expects arrays of shape "
            f"{ref.shape}, but received an array of shape {tuple(shape)} ({detail})."
        )

    def _check_input_shapes(self, inputs, model_name=None) -> None:
        """Check the shapes of user arrays (not converted) against the model's Inputs."""
        names = [x._keras_history[0].name for x in self._inputs]
        if isinstance(inputs, dict):
            keys = list(self._inputs_struct) if isinstance(self._inputs_struct, dict) else names
            flat = [inputs.get(k) for k in keys]
        else:
            flat = tree.flatten(inputs)
        if len(flat) != len(self._inputs):
            return  # _standardize_inputs reports a wrong number of inputs
        for x, ref, name in zip(flat, self._inputs, names):
            if hasattr(x, "shape"):
                self._check_input_shape(tuple(x.shape), ref, name, model_name)

    def compute_output_spec(self, inputs, training=None, mask=None):
        return super().compute_output_spec(inputs, training=training, mask=mask)

    def _maybe_build(self, args, kwargs):
        self.built = True

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        from lamina._src.models.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        from lamina._src.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects=custom_objects, safe_mode=safe_mode)


def _fill_named_masks(layer, node, kwargs, masks) -> None:
    """As Keras: fill `<arg>_mask` call arguments (MultiHeadAttention's query_mask, value_mask,
    key_mask) with the masks of the tensors passed as `<arg>`, for calls taking 2+ tensors."""
    params = list(inspect.signature(layer.call).parameters)
    bound = dict(zip(params, node.call_args))
    bound.update(node.call_kwargs)
    tensors = {k: v for k, v in bound.items() if isinstance(v, KerasTensor)}
    if len(tensors) < 2:
        return
    for name, tensor in tensors.items():
        if f"{name}_mask" in params and kwargs.get(f"{name}_mask") is None:
            mask = masks.get(id(tensor))
            if mask is not None:
                kwargs[f"{name}_mask"] = mask
