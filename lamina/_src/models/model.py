"""`Model`: a Layer with training, saving and a summary. `Model(inputs, outputs)` is Functional."""

from lamina._src.layers.layer import Layer
from lamina._src.ops.keras_tensor import KerasTensor
from lamina._src.saving import registry
from lamina._src.trainers.trainer import Trainer
from lamina._src.utils import tree


def _is_functional_call(args, kwargs) -> bool:
    return "inputs" in kwargs or "outputs" in kwargs or (
        len(args) >= 2 or (len(args) == 1 and any(isinstance(x, KerasTensor) for x in tree.flatten(args[0])))
    )


@registry.register("models")
class Model(Trainer, Layer):
    """A model: layers plus `compile` / `fit` / `evaluate` / `predict`, `summary` and `save`.

    Build one in three ways:

    * Functional: `Model(inputs, outputs)` from `Input` tensors and layer calls.
    * `Sequential([...])`: a plain stack of layers.
    * Subclassing: define layers in `__init__` and the forward pass in `call()`.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            from lamina._src.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        if args or kwargs:
            raise TypeError(
                f"Model.__init__ received unexpected arguments {args or ''} {sorted(kwargs)}. "
                "A subclassed model takes name=, trainable= and dtype=; a functional model takes "
                "inputs= and outputs=."
            )
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype)
        Trainer.__init__(self)

    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in Keras's order."""
        return list(self._layers)

    @layers.setter
    def layers(self, _):
        raise AttributeError(
            "`Model.layers` is read-only: add layers with `Sequential.add()` or by building a new model."
        )

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or an index, received index={index} and name={name!r}.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model '{self.name}' only "
                    f"has {len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}."
            )
        raise ValueError("Provide either a layer name or a layer index to get_layer().")

    def build(self, input_shape=None):
        """Create a subclassed model's weights by tracing `call` on an input of this shape."""
        if self.built or input_shape is None:
            self.built = True
            return
        from lamina._src.layers.layer import _as_shape_structure, _shapes_to_tensors

        spec = _shapes_to_tensors(_as_shape_structure(input_shape), self.compute_dtype)
        self.built = True  # tracing `call` below must not come back here
        try:
            self.compute_output_spec(spec)
        except Exception as e:
            self.built = False
            raise ValueError(
                f"Model '{self.name}' could not be built with input_shape={input_shape}: {e}. "
                "Call the model on real data instead, or implement build()."
            ) from e
        self._build_shapes = input_shape
        self.built = True

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        if getattr(type(self).build, "__wrapped__", None) is _MODEL_BUILD:
            # A subclassed model without its own build(): sub-layers build during the call.
            self._build_shapes = self._build_input_shapes(args, kwargs)
            self.built = True
            return
        super()._maybe_build(args, kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None, show_activations=False):
        """Print a table of the layers, their output shapes and parameter counts (as Keras does).

        Args:
            line_length: total width (default: 88, or 108 with a "Connected to" column, capped
                by the terminal width).
            positions: relative or absolute right edges of the columns.
            print_fn: called with the whole text instead of printing it.
            expand_nested: also list the layers inside nested models.
            show_trainable: add a column saying whether each layer is trainable.
            layer_range: `[first_name, last_name]` to print only part of the model.
            show_activations: lamina's addition: a column with each layer's activation.
        """
        from lamina._src.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range, show_activations=show_activations)

    def get_config(self) -> dict:
        """Subclassed models return only base arguments unless they override this."""
        return Layer.get_config(self)

    # -- saving ---------------------------------------------------------------------------
    def save(self, filepath, overwrite: bool = True, save_format=None, **kwargs) -> None:
        """Save the whole model: `.keras` (Keras 3 archive) or `.h5` (legacy HDF5).

        The file is written to a temporary file and renamed, so a failed save leaves an
        existing file intact.
        """
        from lamina._src.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite, save_format=save_format, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights: `.weights.h5` (Keras 3 layout) or `.h5` (tf.keras layout)."""
        from lamina._src.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
        """Load weights from a `.weights.h5`, `.keras` or `.h5` file (checked before assigning)."""
        from lamina._src.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    def to_json(self, **kwargs) -> str:
        """The model's config envelope as JSON (`models.model_from_json` reads it)."""
        import json

        from lamina._src.saving.saving_api import model_envelope

        return json.dumps(model_envelope(self, with_compile=False), **kwargs)

    def get_build_config(self) -> dict | None:
        shapes = self._build_shapes
        if shapes is None:
            return None
        return {"input_shape": _jsonable_shape(shapes)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        """A functional config (with `layers`, `input_layers`, `output_layers`) builds a
        Functional model; any other config goes to the class's constructor."""
        from lamina._src.models.functional import Functional

        if isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config):
            target = cls if issubclass(cls, Functional) else Functional
            from lamina._src.models.functional_config import functional_from_config

            return functional_from_config(target, config, custom_objects=custom_objects,
                                          safe_mode=safe_mode)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _jsonable_shape(shape):
    if isinstance(shape, tuple | list):
        if all(d is None or isinstance(d, int) for d in shape):
            return list(shape)
        return [_jsonable_shape(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    return shape


_MODEL_BUILD = Model.build.__wrapped__
