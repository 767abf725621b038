"""`Bidirectional`: runs an RNN forwards and a copy of it backwards, and merges the outputs."""

import copy

import jax.numpy as jnp

from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_layer(layer, **overrides):
    """A new, unbuilt layer from `layer`'s config with some entries replaced.

    The config goes back through `type(layer).from_config` with the classes of the layer's own
    sub-layers (e.g. a custom cell) in scope, so unregistered user classes copy too.
    """
    config = layer.get_config()
    config.update(overrides)
    custom = {type(sub).__name__: type(sub) for sub in layer._flatten_layers()}
    with registry.custom_object_scope(custom):
        return type(layer).from_config(config)


def _strip(prefix: str, name: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


@registry.register("layers")
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    `forward_layer` is a copy of `layer` named `forward_<name>`; `backward_layer` is the given
    one or a copy with `go_backwards=True` named `backward_<name>`. The backward outputs are
    reversed back into time order before merging. The weights are the forward layer's, then the
    backward layer's.

    Args:
        layer: an `RNN` instance (`LSTM`, `GRU`, `SimpleRNN`, `RNN(cell)`...).
        merge_mode: how the two outputs combine: `"concat"` (default), `"sum"`, `"mul"`,
            `"ave"`, or None to return both `[forward, backward]`.
        backward_layer: an optional RNN for the backward direction; it must have
            `go_backwards=True` and the same `return_sequences`, `return_state`, `stateful`.
        weights: optional initial weights (forward then backward), set when built.

    Call arguments: as `RNN`; `initial_state` lists the forward states, then the backward ones.
    With `return_state`, the outputs are `[output, *forward_states, *backward_states]`.

    Example:
        >>> layer = Bidirectional(LSTM(10, return_sequences=True))
        >>> layer(np.zeros((2, 5, 3), "float32")).shape
        (2, 5, 20)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Bidirectional needs a layer (e.g. an LSTM) as `layer`, received {layer!r}."
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "Bidirectional: `backward_layer` must be a layer instance, received "
                f"{backward_layer!r}."
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one of "
                "'sum', 'mul', 'ave', 'concat' or None."
            )
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, name=f"forward_{_strip('forward_', layer.name)}")
        if backward_layer is None:
            backward_layer = _copy_layer(layer, go_backwards=True,
                                         name=f"backward_{_strip('backward_', layer.name)}")
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            # As Keras: masked steps of a returned sequence are zeros in both directions.
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                f"Bidirectional '{self.name}': the forward and backward layers must have "
                f"different `go_backwards`; received forward go_backwards={forward.go_backwards}, "
                f"backward go_backwards={backward.go_backwards}."
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attribute) != getattr(backward, attribute):
                raise ValueError(
                    f"Bidirectional '{self.name}': the forward and backward layers must have the "
                    f"same `{attribute}`; received {getattr(forward, attribute)} (forward) and "
                    f"{getattr(backward, attribute)} (backward)."
                )

    # -- shapes, masks, states -------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shape = ()
        if self.return_state:
            output_shape, state_shape = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*output_shape[:-1], output_shape[-1] * 2)
        elif self.merge_mode is None:
            output_shape = (tuple(output_shape), tuple(output_shape))
        if self.return_state:
            if self.merge_mode is None:
                return output_shape + state_shape + state_shape
            return (output_shape,) + state_shape + state_shape
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list | tuple):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode else [mask, mask]
        else:
            output_mask = None if self.merge_mode else [None, None]
        if self.return_state and self.states is not None:
            state_masks = [None] * len(self.states)
            return (output_mask if isinstance(output_mask, list) else [output_mask]) + state_masks
        return output_mask

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_state(self):
        """Zero both directions' states (stateful layers only)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}': the layer is not stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        self.reset_state()

    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                sub.built = True
        if self._initial_weights:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and "sequences_shape" in shapes:
            config = {"input_shape": shapes["sequences_shape"]}
        super().build_from_config(config)

    # -- calling ---------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_has_training_arg:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask_arg:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = list(initial_state)
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        y = y.astype(self.compute_dtype)
        y_rev = y_rev.astype(self.compute_dtype)
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output = jnp.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output + states) if self.merge_mode is None else (output, *states)
        return output

    # -- config ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(backward,
                                                                custom_objects=custom_objects)
        return cls(**config)
