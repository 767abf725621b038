"""`Lambda`: wraps a Python function as a layer."""

import base64
import marshal
import types

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import UnknownObjectError, UnsafeDeserializationError


@registry.register("layers")
class Lambda(Layer):
    """Applies `function(inputs, **arguments)`.

    Saved files can hold a registered function by name. A Python lambda can only be stored as
    marshalled bytecode, which loading refuses unless `safe_mode=False` (it would run code from
    the file).

    Args:
        function: the function to apply.
        output_shape: the output shape, or a function of the input shape (inferred if omitted).
        mask: a fixed output mask, or a function `(inputs, mask) -> mask`.
        arguments: extra keyword arguments for `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda '{self.name}': `function` must be callable, received {function!r}.")
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.supports_masking = mask is not None
        self.built = True

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        from lamina._src.layers.layer import _shape_of, _shapes_to_tensors
        from lamina._src.utils import tree

        input_shape = tree.map_structure(_shape_of, args[0])
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
        else:
            batch = tree.flatten(input_shape)[0] if input_shape else None
            shape = (batch, *self._output_shape)
        return _shapes_to_tensors(tuple(shape), self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["function"] = _serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (_serialize_function(self._output_shape)
                                      if callable(self._output_shape) else list(self._output_shape))
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        config = dict(config)
        config["function"] = _deserialize_function(config["function"], config.get("name"),
                                                   custom_objects, safe_mode)
        if isinstance(config.get("output_shape"), dict | list) and not _is_shape(config["output_shape"]):
            config["output_shape"] = _deserialize_function(config["output_shape"], config.get("name"),
                                                           custom_objects, safe_mode)
        for key in ("function_type", "module", "output_shape_type", "output_shape_module"):
            config.pop(key, None)
        return cls(**config)


def _is_shape(value) -> bool:
    return isinstance(value, list) and all(d is None or isinstance(d, int) for d in value)


# Ops a Lambda may not name: they ignore their input and allocate from sizes in the file, or
# leave the graph.
_NOT_LAMBDA_OPS = frozenset({"arange", "convert_to_numpy", "eye", "full", "linspace", "ones",
                             "zeros"})


def lambda_functions() -> dict:
    """The functions a saved Lambda may name: lamina's activations, then its tensor ops.

    Only pure tensor maths: a file can never make a Lambda call a callback, a loader, a
    utility or a class (`function: "CSVLogger"` is refused).
    """
    from lamina._src.ops import nn, numpy

    table = {}
    for module in (numpy, nn):
        table.update({name: getattr(module, name) for name in module.__all__
                      if name not in _NOT_LAMBDA_OPS})
    table.update(registry.builtins("activations"))
    return table


def _serialize_function(fn):
    name = registry._CUSTOM_NAMES.get(fn)
    if name is not None:
        return {"class_name": "function", "config": name, "registered_name": "function", "module": None}
    category = getattr(fn, "_lamina_category", None)
    if category is not None:
        return {"class_name": "function", "config": fn.__name__, "registered_name": "function",
                "module": registry.KERAS_MODULES.get(category)}
    op_name = getattr(fn, "__name__", None)
    if op_name is not None and lambda_functions().get(op_name) is fn:  # a lamina op
        return {"class_name": "function", "config": op_name, "registered_name": "function",
                "module": "builtins"}  # what Keras 3 writes for `Lambda(keras.ops.sin)`
    # Keras's own format for a Python function: base64 marshalled bytecode.
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__,
                                                   "closure": None}}


def _deserialize_function(spec, layer_name, custom_objects, safe_mode):
    if isinstance(spec, list):  # tf.keras 2: [b64_code, defaults, closure] with function_type
        spec = {"class_name": "__lambda__", "config": {"code": spec[0], "defaults": spec[1]}}
    if isinstance(spec, dict) and spec.get("class_name") == "__lambda__":
        if safe_mode:
            raise UnsafeDeserializationError(
                f"Lambda layer '{layer_name}' holds a Python lambda stored as marshalled bytecode. "
                "Loading it would execute code from the file, which lamina refuses by default. "
                "If you trust the file and it was written by the same Python version, load it with "
                "`safe_mode=False`; better, replace the lambda with a function registered with "
                "`lamina.saving.register_keras_serializable` and pass it in `custom_objects`."
            )
        config = spec.get("config", {})
        code = marshal.loads(base64.b64decode(config["code"]))
        defaults = config.get("defaults")
        return types.FunctionType(code, globals(), argdefs=tuple(defaults) if defaults else None)
    return _named_function(spec, layer_name, custom_objects)


def _named_function(spec, layer_name, custom_objects):
    """A function a Lambda config names: a user custom object, or an activation / op by name."""
    names = []
    if isinstance(spec, str):
        names = [spec]
    elif isinstance(spec, dict):
        registered, inner = spec.get("registered_name"), spec.get("config")
        if spec.get("class_name") == "function":
            names = [registered if registered not in (None, "function") else inner, inner]
        else:  # a class envelope: only a user's own callable class may stand here
            names = [registered, spec.get("class_name")]
    names = [n for n in names if isinstance(n, str)]
    for name in names:
        found = registry.get_registered_object(name, custom_objects)
        if found is None and ">" in name:
            found = registry.get_registered_object(name.split(">", 1)[1], custom_objects)
        if found is not None:
            if isinstance(spec, dict) and spec.get("class_name") != "function":
                from lamina._src.saving.serialization import deserialize_keras_object

                return deserialize_keras_object(spec, custom_objects=custom_objects)
            return found
    if isinstance(spec, str) or (isinstance(spec, dict) and spec.get("class_name") == "function"):
        table = lambda_functions()
        for name in names:
            if ">" not in name and name in table:
                return table[name]
    raise UnknownObjectError(
        f"Lambda layer '{layer_name}' names the function {names[0] if names else spec!r}, which "
        "is not a lamina activation or tensor op, nor a custom object. A saved Lambda may only "
        "name pure tensor maths (activations such as 'relu', ops such as 'sin'); for your own "
        "function, pass it in `custom_objects` or register it with "
        "`lamina.saving.register_keras_serializable()`."
    )
