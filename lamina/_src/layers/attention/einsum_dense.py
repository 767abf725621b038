"""`EinsumDense`: a dense layer written as one einsum, e.g. `"abc,cde->abde"` for attention heads.

The weight shapes follow from the equation: each kernel axis takes its size from the output
(`output_shape`) when its letter appears in the output, else from the input. `MultiHeadAttention`
builds its query/key/value/output projections from this layer.
"""

import re

import jax.numpy as jnp

from lamina._src import activations, constraints, initializers, regularizers
from lamina._src.initializers.variance_scaling import VarianceScaling
from lamina._src.layers.input_spec import InputSpec
from lamina._src.layers.layer import Layer
from lamina._src.saving import registry
from lamina._src.saving.serialization import serialize_keras_object

# The three equation forms Keras accepts ("0" stands for "..."): no ellipsis, ellipsis on the
# left of input and output, ellipsis on the right of input and output.
_PLAIN = re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)")
_LEFT = re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)")
_RIGHT = re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0")


class EinsumShapes:
    """The shapes an einsum equation implies for one input shape.

    Attributes:
        kernel: the kernel shape.
        bias: the bias shape (broadcastable against the output), or None.
        output: the full output shape, batch axis first.
        input_axes / output_axes: kernel axes contracted with the input / kept in the output
            (the fans of a variance-scaling initializer).
    """

    def __init__(self, kernel, bias, output, input_axes, output_axes):
        self.kernel = kernel
        self.bias = bias
        self.output = output
        self.input_axes = input_axes
        self.output_axes = output_axes


def analyze_einsum(equation: str, bias_axes: str | None, input_shape, output_shape,
                   layer_name: str = "einsum_dense") -> EinsumShapes:
    """Resolve kernel, bias and output shapes for `equation` applied to `input_shape`.

    Args:
        equation: `"ab,bc->ac"`, `"...b,bc->...c"` or `"ab...,bc->ac..."` forms.
        bias_axes: output letters that get a bias, or None.
        input_shape: the full input shape (batch first).
        output_shape: the output shape without the batch axis and without the axes the
            ellipsis stands for; None entries are taken from the input.
        layer_name: named in error messages.

    Raises:
        ValueError: for an equation of another form, a kernel letter found in neither the input
            nor the output, or an output size that contradicts the input.
    """
    compact = equation.replace("...", "0")
    left_elided = False
    match = _PLAIN.fullmatch(compact)
    if match is None:
        match = _LEFT.fullmatch(compact)
        left_elided = match is not None
    if match is None:
        match = _RIGHT.fullmatch(compact)
    if match is None:
        raise ValueError(
            f"EinsumDense '{layer_name}': invalid equation {equation!r}. Equations must have the "
            "form 'X,Y->Z', '...X,Y->...Z' or 'X...,Y->Z...' with X, Y, Z made of letters."
        )
    input_spec, weight_spec, output_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_spec)

    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    # The batch axis is never part of `output_shape`; the ellipsis axes come from the input.
    if left_elided:
        full = [input_shape[0], *input_shape[1:max(elided, 1)], *partial]
    else:
        full = [input_shape[0], *partial]
        if elided > 0:
            full.extend(input_shape[len(input_shape) - elided:])

    offset = elided if left_elided else 0
    if left_elided:
        input_index = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
    else:
        input_index = {d: i for i, d in enumerate(input_spec)}
    output_index = {d: i + offset for i, d in enumerate(output_spec)}

    for d in input_spec:
        if d in output_index:
            want, have = full[output_index[d]], input_shape[input_index[d]]
            if want is not None and want != have:
                raise ValueError(
                    f"EinsumDense '{layer_name}': input shape and output shape do not match at "
                    f"shared dimension '{d}': the input has {have}, output_shape asks for {want}."
                )
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(
                f"EinsumDense '{layer_name}': output dimension '{d}' of {equation!r} appears in "
                f"neither the input spec '{input_spec}' nor the weight spec '{weight_spec}'."
            )

    kernel, input_axes, output_axes = [], [], []
    for i, d in enumerate(weight_spec):
        if d in output_index:
            kernel.append(full[output_index[d]])
            output_axes.append(i)
        elif d in input_index:
            kernel.append(input_shape[input_index[d]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"EinsumDense '{layer_name}': weight dimension '{d}' of {equation!r} matches "
                f"neither the input spec '{input_spec}' nor the output spec '{output_spec}'; "
                "every kernel axis must be sized by the input or the output."
            )

    bias = None
    if bias_axes is not None:
        for d in bias_axes:
            if d not in output_spec:
                raise ValueError(
                    f"EinsumDense '{layer_name}': bias dimension '{d}' is not part of the "
                    f"output spec '{output_spec}'."
                )
        first = min(output_spec.find(d) for d in bias_axes)
        sizes = {d: full[i + offset] for i, d in enumerate(output_spec)}
        bias = [sizes[d] if d in bias_axes else 1 for d in output_spec[first:]]
        if not left_elided:
            bias.extend([1] * max(elided, 0))
    return EinsumShapes(kernel, bias, full, input_axes, output_axes)


@registry.register("layers")
class EinsumDense(Layer):
    """A dense layer computed as `activation(einsum(equation, inputs, kernel) + bias)`.

    `"ab,bc->ac"` with `output_shape=64` is `Dense(64)`; `"abc,cde->abde"` with
    `output_shape=(None, heads, head_dim)` projects a sequence into attention heads.

    Args:
        equation: the einsum, input first then kernel: `"ab,bc->ac"`, `"...ab,bc->...ac"` or
            `"ab...,bc->ac..."`.
        output_shape: the output shape without the batch axis (and without the axes an
            ellipsis stands for); an int for one axis; None entries are taken from the input.
        activation: an activation name or function (default: none).
        bias_axes: the output letters that carry a bias (e.g. `"de"`), or None for no bias.
        kernel_initializer, bias_initializer: initializers (default glorot_uniform / zeros). A
            variance-scaling kernel initializer computes its fans over the kernel's input and
            output axes.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config: accepted for
            Keras compatibility; only their defaults are supported.

    Input shape: any rank matching the equation's input spec. Output shape: as the equation
    and `output_shape` say.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(equation, str):
            raise TypeError(
                f"EinsumDense '{self.name}': equation must be a string such as 'ab,bc->ac', "
                f"received {equation!r}."
            )
        if lora_rank or quantization_config is not None or gptq_unpacked_column_size:
            raise NotImplementedError(
                f"EinsumDense '{self.name}': LoRA and quantization are not supported by lamina; "
                "pass lora_rank=None and quantization_config=None."
            )
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.quantization_config = quantization_config

    def _analyze(self, input_shape) -> EinsumShapes:
        return analyze_einsum(self.equation, self.bias_axes, input_shape,
                              self.partial_output_shape, self.name)

    def _kernel_initializer_for(self, shapes: EinsumShapes):
        """A variance-scaling initializer without axes gets the einsum's fan axes (as Keras)."""
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and (init.input_axes is None or init.output_axes is None):
            config = init.get_config()
            config.update(seed=init.seed, input_axes=shapes.input_axes,
                          output_axes=shapes.output_axes)
            return type(init).from_config(config)
        return init

    def build(self, input_shape):
        shapes = self._analyze(input_shape)
        if any(d is None for d in shapes.kernel):
            raise ValueError(
                f"EinsumDense '{self.name}': the kernel shape {tuple(shapes.kernel)} has an "
                f"unknown dimension for input shape {tuple(input_shape)}; give its size in "
                "output_shape or make the input dimension known."
            )
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(name="kernel", shape=tuple(shapes.kernel),
                                      initializer=self._kernel_initializer_for(shapes),
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if shapes.bias is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(shapes.bias),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        x = jnp.einsum(self.equation, inputs, self.kernel.value)
        if self.bias is not None:
            x = x + self.bias.value
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        return tuple(self._analyze(input_shape).output)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config
