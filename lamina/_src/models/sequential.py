"""`Sequential`: a plain stack of layers, each feeding the next."""

from lamina._src.backend import tracking
from lamina._src.layers.input_layer import InputLayer
from lamina._src.layers.layer import Layer
from lamina._src.models.functional import Functional
from lamina._src.models.model import Model
from lamina._src.saving import registry
from lamina._src.utils import tree


@registry.register("models")
class Sequential(Model):
    """A linear stack of layers.

    The input shape comes from an `Input` first, from `input_shape=` on the first layer, or from
    the first call. Once it is known the model is built (a Functional graph inside), so
    `summary()` shows every output shape.

    Example:
        model = lamina.Sequential([
            lamina.Input(shape=(784,)),
            lamina.layers.Dense(32, activation="relu"),
            lamina.layers.Dense(10, activation="softmax"),
        ])
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._layer_list: list[Layer] = []
        self._functional = None
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    @property
    def _layers(self) -> list[Layer]:
        return list(self.__dict__.get("_layer_list", []))

    @property
    def layers(self) -> list[Layer]:
        layers = self._layer_list
        if layers and isinstance(layers[0], InputLayer):
            return layers[1:]
        return list(layers)

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or an `Input` tensor, which sets the input shape)."""
        history = getattr(layer, "_keras_history", None)
        if history is not None and isinstance(history[0], InputLayer):
            layer = history[0]
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `lamina.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if not self._layer_list and not isinstance(layer, InputLayer) and layer._input_batch_shape is not None:
            self._layer_list.append(InputLayer(batch_shape=layer._input_batch_shape))
        if any(existing.name == layer.name for existing in self._layer_list):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Pass a unique "
                "`name` to the layer."
            )
        if isinstance(layer, InputLayer) and self._layer_list and isinstance(self._layer_list[0], InputLayer):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input shape "
                f"{self._layer_list[0].batch_shape}. You cannot add a different Input layer to it."
            )
        self._layer_list.append(layer)
        tracking.bump()
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False
            self._functional = None

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError(f"There are no layers in Sequential model '{self.name}' to pop.")
        layer = self._layer_list.pop()
        tracking.bump()
        self.built = False
        self._functional = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self.built = False
        self._functional = None
        first = self._layer_list[0] if self._layer_list else None
        if isinstance(first, InputLayer) and len(self._layer_list) > 1:
            self.build(first.batch_shape)

    def build(self, input_shape=None):
        if input_shape is None or not isinstance(input_shape, tuple | list) or (
            input_shape and not all(d is None or isinstance(d, int) for d in input_shape)
        ):
            return  # several inputs: run layer by layer at call time
        if not self._layer_list:
            raise ValueError(
                f"Sequential model '{self.name}' has no layers: add layers before building it."
            )
        input_shape = tuple(input_shape)
        first = self._layer_list[0]
        if isinstance(first, InputLayer):
            if tuple(first.batch_shape) != input_shape:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {first.batch_shape}. You cannot build it with input_shape {input_shape}."
                )
        else:
            self._layer_list.insert(0, InputLayer(batch_shape=input_shape, dtype=first.compute_dtype))
        x = inputs = self._layer_list[0].output
        for layer in self._layer_list[1:]:
            try:
                x = layer(x)
            except NotImplementedError:
                return
        self._functional = Functional(inputs=inputs, outputs=x)
        self._functional._reported_name = self.name  # errors name the user's model
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training, mask=mask)
        outputs = inputs
        for layer in self.layers:
            kwargs = {}
            if layer._call_has_mask_arg and mask is not None:
                kwargs["mask"] = mask
            if layer._call_has_training_arg and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            mask = layer.compute_mask(inputs, mask)
            inputs = outputs
        return outputs

    def _maybe_build(self, args, kwargs):
        if self.built or not args:
            return
        shape = tree.map_structure(lambda x: tuple(x.shape) if hasattr(x, "shape") else None, args[0])
        if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
            self.build(shape)  # as Keras: the first batch's size shows in the summary

    @property
    def inputs(self):
        return self._functional.inputs if self._functional is not None else None

    @property
    def outputs(self):
        return self._functional.outputs if self._functional is not None else None

    @property
    def input_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' is not built: it has no input shape yet.")
        return self._functional.input_shape

    @property
    def output_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' is not built: it has no output shape yet.")
        return self._functional.output_shape

    @property
    def input(self):
        return self._functional.input if self._functional is not None else super().input

    @property
    def output(self):
        return self._functional.output if self._functional is not None else super().output

    def compute_output_spec(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.compute_output_spec(inputs, training=training, mask=mask)
        return super().compute_output_spec(inputs, training=training, mask=mask)

    def get_config(self) -> dict:
        from lamina._src.saving.serialization import serialize_keras_object

        config = Layer.get_config(self)
        layers = [serialize_keras_object(layer) for layer in self._layer_list]
        config["layers"] = layers
        if self._functional is not None:
            config["build_input_shape"] = list(self._layer_list[0].batch_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        from lamina._src.saving.serialization import deserialize_keras_object

        layer_configs = config.get("layers", config if isinstance(config, list) else [])
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in layer_configs:
            layer = deserialize_keras_object(layer_config, category="layers",
                                             custom_objects=custom_objects, safe_mode=safe_mode)
            model.add(layer, rebuild=False)
        if model._layer_list:
            model._maybe_rebuild()
        build_shape = config.get("build_input_shape")
        if not model.built and build_shape is not None:
            model.build(tuple(build_shape))
        return model
