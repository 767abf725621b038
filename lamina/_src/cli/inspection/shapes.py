"""Output shapes from a layer's config and its input shapes: pure Python, one rule per class.

`lamina inspect` builds no layer, so it cannot call `compute_output_shape`; this table redoes
that arithmetic for the built-in layers from the serialized config alone. A shape is a tuple
of `int | None` (the batch dimension and unknown sizes are `None`). A rule returns the list of
output shapes of one call (one per output tensor), or `None` when the class is unknown or
the config is not understood; the caller then shows "?".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Shape = tuple
Rule = Callable[[dict, list], "list[Shape] | None"]

# Layers whose output has the shape of their (first) input.
IDENTITY = frozenset({
    "Activation", "ActivityRegularization", "AlphaDropout", "BatchNormalization", "Dropout",
    "ELU", "GaussianDropout", "GaussianNoise", "GroupNormalization", "Identity",
    "LayerNormalization", "LeakyReLU", "Masking", "Normalization", "PReLU", "ReLU", "Rescaling",
    "Softmax", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "ThresholdedReLU",
    "UnitNormalization", "RMSNormalization",
})
ELEMENTWISE_MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
RNN_STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}


def _tuple(value, rank: int) -> tuple:
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(value)
    if len(value) == 1 and rank > 1:
        return value * rank
    return value


def _channels_first(config: dict) -> bool:
    return config.get("data_format") == "channels_first"


def conv_length(length, kernel: int, padding: str, stride: int, dilation: int = 1):
    """The output length of a convolution or pooling window along one axis."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return (length - 1) // stride + 1
    span = dilation * (kernel - 1) + 1
    if length < span:
        return None
    return (length - span) // stride + 1


def deconv_length(length, kernel: int, padding: str, stride: int, dilation: int = 1,
                  output_padding: int | None = None):
    """The output length of a transposed convolution along one axis."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        if padding == "full":
            return length * stride - (stride + kernel - 2)
        return length * stride
    pad = {"same": kernel // 2, "valid": 0, "full": kernel - 1}[padding]
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def _spatial(shape: Shape, config: dict) -> tuple[list, bool]:
    first = _channels_first(config)
    return list(shape[2:] if first else shape[1:-1]), first


def _with_spatial(shape: Shape, spatial: Sequence, channels, first: bool) -> Shape:
    if first:
        return (shape[0], channels, *spatial)
    return (shape[0], *spatial, channels)


def _conv(rank: int, transpose: bool = False, depthwise: bool = False) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        shape = inputs[0]
        spatial, first = _spatial(shape, config)
        if len(spatial) != rank:
            return None
        kernel = _tuple(config["kernel_size"], rank)
        strides = _tuple(config.get("strides", 1), rank)
        dilation = _tuple(config.get("dilation_rate", 1), rank)
        padding = config.get("padding", "valid")
        if transpose:
            out_pad = config.get("output_padding")
            out_pad = [None] * rank if out_pad is None else _tuple(out_pad, rank)
            spatial = [deconv_length(n, k, padding, s, d, p) for n, k, s, d, p in
                       zip(spatial, kernel, strides, dilation, out_pad)]
        else:
            spatial = [conv_length(n, k, padding, s, d) for n, k, s, d in
                       zip(spatial, kernel, strides, dilation)]
        if depthwise:
            channels_in = shape[1] if first else shape[-1]
            multiplier = config.get("depth_multiplier", 1)
            channels = None if channels_in is None else channels_in * multiplier
        else:
            channels = config["filters"]
        return [_with_spatial(shape, spatial, channels, first)]
    return rule


def _pool(rank: int) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        shape = inputs[0]
        spatial, first = _spatial(shape, config)
        if len(spatial) != rank:
            return None
        pool = _tuple(config.get("pool_size", 2), rank)
        strides = config.get("strides")
        strides = pool if strides is None else _tuple(strides, rank)
        padding = config.get("padding", "valid")
        spatial = [conv_length(n, k, padding, s) for n, k, s in zip(spatial, pool, strides)]
        channels = shape[1] if first else shape[-1]
        return [_with_spatial(shape, spatial, channels, first)]
    return rule


def _global_pool(config: dict, inputs: list) -> list[Shape]:
    shape = inputs[0]
    first = _channels_first(config)
    channels = shape[1] if first else shape[-1]
    if config.get("keepdims"):
        ones = (1,) * (len(shape) - 2)
        return [(shape[0], channels, *ones) if first else (shape[0], *ones, channels)]
    return [(shape[0], channels)]


def _product(dims):
    return None if any(d is None for d in dims) else math.prod(dims)


def _flatten(config: dict, inputs: list) -> list[Shape]:
    shape = inputs[0]
    return [(shape[0], _product(shape[1:]))]


def _reshape(config: dict, inputs: list) -> list[Shape]:
    target = list(config["target_shape"])
    if -1 in target:
        total = _product(inputs[0][1:])
        known = _product([d for d in target if d != -1])
        target[target.index(-1)] = None if total is None or not known else total // known
    return [(inputs[0][0], *target)]


def _permute(config: dict, inputs: list) -> list[Shape]:
    shape = inputs[0]
    return [(shape[0], *(shape[d] for d in config["dims"]))]


def _repeat_vector(config: dict, inputs: list) -> list[Shape]:
    shape = inputs[0]
    return [(shape[0], config["n"], *shape[1:])]


def _dense(config: dict, inputs: list) -> list[Shape]:
    return [(*inputs[0][:-1], config["units"])]


def _embedding(config: dict, inputs: list) -> list[Shape]:
    return [(*inputs[0], config["output_dim"])]


def _rnn_outputs(class_name: str, config: dict, shape: Shape, units: int) -> list[Shape]:
    output = (shape[0], shape[1], units) if config.get("return_sequences") else (shape[0], units)
    if config.get("return_state"):
        return [output] + [(shape[0], units)] * RNN_STATES.get(class_name, 1)
    return [output]


def _rnn(class_name: str) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        return _rnn_outputs(class_name, config, inputs[0], config["units"])
    return rule


def _bidirectional(config: dict, inputs: list) -> list[Shape] | None:
    inner = config["layer"]
    class_name = inner["class_name"]
    if class_name not in RNN_STATES:
        return None
    inner_config = dict(inner["config"])
    units = inner_config["units"]
    merge_mode = config.get("merge_mode", "concat")
    shape = inputs[0]
    sequences = inner_config.get("return_sequences")
    single = (shape[0], shape[1], units) if sequences else (shape[0], units)
    if merge_mode == "concat":
        outputs = [(*single[:-1], 2 * units)]
    elif merge_mode is None:
        outputs = [single, single]
    else:
        outputs = [single]
    if inner_config.get("return_state"):
        outputs += [(shape[0], units)] * (2 * RNN_STATES[class_name])
    return outputs


def _time_distributed(config: dict, inputs: list) -> list[Shape] | None:
    inner = config["layer"]
    shape = inputs[0]
    inner_out = output_shapes(inner["class_name"], inner.get("config", {}),
                              [(shape[0], *shape[2:])])
    if inner_out is None:
        return None
    return [(s[0], shape[1], *s[1:]) for s in inner_out]


def _concatenate(config: dict, inputs: list) -> list[Shape] | None:
    rank = len(inputs[0])
    axis = config.get("axis", -1) % rank
    out = list(inputs[0])
    for shape in inputs[1:]:
        if len(shape) != rank:
            return None
        out[axis] = None if out[axis] is None or shape[axis] is None else out[axis] + shape[axis]
        for i in range(rank):
            if i != axis and out[i] is None:
                out[i] = shape[i]
    return [tuple(out)]


def _broadcast(config: dict, inputs: list) -> list[Shape]:
    rank = max(len(s) for s in inputs)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in inputs]
    out = []
    for i in range(rank):
        dims = [s[i] for s in padded]
        if i == 0:
            out.append(dims[0])
            continue
        sizes = {d for d in dims if d not in (None, 1)}
        if len(sizes) == 1:
            out.append(sizes.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return [tuple(out)]


def _padding_1d(sign: int) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        shape = inputs[0]
        amount = config.get("padding" if sign > 0 else "cropping", 1)
        total = sum(_tuple(amount, 2)) * sign
        steps = None if shape[1] is None else shape[1] + total
        return [(shape[0], steps, shape[2])]
    return rule


def _padding_2d(sign: int) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        shape = inputs[0]
        spatial, first = _spatial(shape, config)
        amount = config.get("padding" if sign > 0 else "cropping", 1)
        pairs = [_tuple(a, 2) for a in (amount if isinstance(amount, (list, tuple)) else
                                        (amount, amount))]
        spatial = [None if n is None else n + sign * sum(p) for n, p in zip(spatial, pairs)]
        channels = shape[1] if first else shape[-1]
        return [_with_spatial(shape, spatial, channels, first)]
    return rule


def _upsampling(rank: int) -> Rule:
    def rule(config: dict, inputs: list) -> list[Shape]:
        shape = inputs[0]
        if rank == 1:
            size = config.get("size", 2)
            return [(shape[0], None if shape[1] is None else shape[1] * size, shape[2])]
        spatial, first = _spatial(shape, config)
        sizes = _tuple(config.get("size", 2), rank)
        spatial = [None if n is None else n * s for n, s in zip(spatial, sizes)]
        channels = shape[1] if first else shape[-1]
        return [_with_spatial(shape, spatial, channels, first)]
    return rule


def _identity(config: dict, inputs: list) -> list[Shape]:
    return [inputs[0]]


RULES: dict[str, Rule] = {
    "Dense": _dense,
    "Embedding": _embedding,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Permute": _permute,
    "RepeatVector": _repeat_vector,
    "Bidirectional": _bidirectional,
    "TimeDistributed": _time_distributed,
    "Concatenate": _concatenate,
    "UpSampling1D": _upsampling(1), "UpSampling2D": _upsampling(2),
    "ZeroPadding1D": _padding_1d(+1), "Cropping1D": _padding_1d(-1),
    "ZeroPadding2D": _padding_2d(+1), "Cropping2D": _padding_2d(-1),
    "GlobalAveragePooling1D": _global_pool, "GlobalAveragePooling2D": _global_pool,
    "GlobalAveragePooling3D": _global_pool, "GlobalMaxPooling1D": _global_pool,
    "GlobalMaxPooling2D": _global_pool, "GlobalMaxPooling3D": _global_pool,
}
for _rank in (1, 2, 3):
    RULES[f"Conv{_rank}D"] = _conv(_rank)
    RULES[f"Conv{_rank}DTranspose"] = _conv(_rank, transpose=True)
    RULES[f"MaxPooling{_rank}D"] = _pool(_rank)
    RULES[f"AveragePooling{_rank}D"] = _pool(_rank)
RULES["SeparableConv1D"] = _conv(1)
RULES["SeparableConv2D"] = _conv(2)
RULES["DepthwiseConv1D"] = _conv(1, depthwise=True)
RULES["DepthwiseConv2D"] = _conv(2, depthwise=True)
for _name in RNN_STATES:
    RULES[_name] = _rnn(_name)
for _name in IDENTITY:
    RULES[_name] = _identity
for _name in ELEMENTWISE_MERGES:
    RULES[_name] = _broadcast
# Keras 2 / tf.keras aliases that still appear in old files.
RULES["Convolution1D"], RULES["Convolution2D"] = RULES["Conv1D"], RULES["Conv2D"]
RULES["MaxPool1D"], RULES["MaxPool2D"] = RULES["MaxPooling1D"], RULES["MaxPooling2D"]
RULES["AvgPool1D"], RULES["AvgPool2D"] = RULES["AveragePooling1D"], RULES["AveragePooling2D"]


def output_shapes(class_name: str, config: dict, inputs: list[Shape]) -> list[Shape] | None:
    """The output shapes of one call of a built-in layer, or `None` when unknown.

    Args:
        class_name: the config's class name (`"Dense"`).
        config: the layer's `config` dict.
        inputs: the shapes of the call's input tensors, flattened in call order.
    """
    rule = RULES.get(class_name)
    if rule is None or not inputs or any(s is None for s in inputs):
        return None
    try:
        result = rule(config, [tuple(s) for s in inputs])
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError, AttributeError):
        return None
    if result is None:
        return None
    result = [tuple(s) for s in result]
    if not all(valid_shape(s) for s in result):
        return None
    return result


def valid_shape(shape) -> bool:
    """A tuple of non-negative ints and `None`s (config values of other types are refused)."""
    return isinstance(shape, tuple) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in shape)


def known_class(class_name: str) -> bool:
    return class_name in RULES
