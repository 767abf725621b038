"""Parameter counts explained: each built-in layer's formula, with the numbers filled in.

`explain(node)` gives the count the config implies (from the layer's settings and its input
shape), the weight shapes it implies, and the formula as text, e.g. for `Dense(32)` on 3
inputs `P = I·O + O = 3·32 + 32 = 128`. When the input shape is unknown, the input size is
read from the stored kernel instead (and the text says so). Comparing the implied shapes with
the stored ones is how `lamina inspect` notices weights that disagree with the config.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import shapes as shape_rules
from .graph import LayerNode
from .weights import layer_weights

GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


@dataclass
class Explanation:
    """What the config says a layer's parameters are.

    Attributes:
        formula: e.g. `"P = I·O + O = 3·32 + 32 = 128"`; None when the class has no formula.
        expected: the count the config implies (None when it cannot be computed).
        shapes: the weight shapes the config implies, in the file's order (None if unknown).
        non_trainable: how many of `expected` are non-trainable by design (BatchNormalization's
            moving statistics).
        notes: where the numbers came from (`"I = 3 inputs"`).
    """

    formula: str | None = None
    expected: int | None = None
    shapes: list[tuple] | None = None
    non_trainable: int = 0
    notes: list[str] = field(default_factory=list)


def _fmt(n: int) -> str:
    return f"{n:,}"


def _first_input(node: LayerNode):
    if node.input_shapes and node.input_shapes[0] and node.input_shapes[0][0] is not None:
        return tuple(node.input_shapes[0][0])
    return None


def _stored_shape(node: LayerNode, index: int = 0):
    weights = layer_weights(node)
    return weights[index].shape if index < len(weights) else None


def _input_dim(node: LayerNode, axis: int = -1, kernel_axis: int | None = 0,
               what: str = "inputs"):
    """The input size along `axis`, from the inferred input shape or else the stored kernel."""
    shape = _first_input(node)
    if shape is not None and len(shape) > (axis if axis >= 0 else -axis - 1) and \
            shape[axis] is not None:
        return shape[axis], f"{what} from the input shape {_shape_text(shape)}"
    stored = _stored_shape(node)
    if kernel_axis is not None and stored is not None and len(stored) > abs(kernel_axis):
        return stored[kernel_axis], f"{what} read from the stored {stored} kernel"
    return None, None


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _total(shapes: list[tuple]) -> int:
    return sum(math.prod(s) for s in shapes)


def _dense(node: LayerNode) -> Explanation:
    units = int(node.config["units"])
    i, source = _input_dim(node)
    if i is None:
        return Explanation("P = I·O + O (I unknown)" if node.config.get("use_bias", True)
                           else "P = I·O (I unknown)")
    bias = node.config.get("use_bias", True)
    shapes = [(i, units)] + ([(units,)] if bias else [])
    p = _total(shapes)
    text = (f"P = I·O + O = {i}·{units} + {units} = {_fmt(p)}" if bias
            else f"P = I·O = {i}·{units} = {_fmt(p)}")
    return Explanation(text, p, shapes, notes=[f"I = {i} {source}", f"O = {units} units"])


def _conv(node: LayerNode) -> Explanation:
    config = node.config
    name = node.class_name
    rank = int(re.search(r"(\d)D", name).group(1))
    kernel = shape_rules._tuple(config["kernel_size"], rank)
    k = math.prod(kernel)
    first = config.get("data_format") == "channels_first"
    axis = 1 if first else -1
    transpose = name.endswith("Transpose")
    i, source = _input_dim(node, axis, kernel_axis=None, what="input channels")
    if i is None:
        stored = _stored_shape(node)
        if stored is not None and len(stored) == rank + 2:
            groups = config.get("groups", 1) or 1
            i = stored[-1] * groups if transpose else stored[-2] * groups
            source = f"input channels read from the stored {stored} kernel"
    k_text = "×".join(str(d) for d in kernel)
    bias = config.get("use_bias", True)
    if name.startswith("DepthwiseConv"):
        m = int(config.get("depth_multiplier", 1))
        if i is None:
            return Explanation("P = I·m·k + I·m (I unknown)")
        shapes = [(*kernel, i, m)] + ([(i * m,)] if bias else [])
        p = _total(shapes)
        text = (f"P = I·m·k + I·m = {i}·{m}·{k} + {i}·{m} = {_fmt(p)}" if bias
                else f"P = I·m·k = {i}·{m}·{k} = {_fmt(p)}")
        return Explanation(text, p, shapes, notes=[f"k = {k_text} = {k}", f"I = {i} {source}",
                                                   f"m = {m} depth multiplier"])
    o = int(config["filters"])
    if name.startswith("SeparableConv"):
        m = int(config.get("depth_multiplier", 1))
        if i is None:
            return Explanation("P = I·m·k + I·m·O + O (I unknown)")
        shapes = [(*kernel, i, m), (*(1,) * rank, i * m, o)] + ([(o,)] if bias else [])
        p = _total(shapes)
        text = (f"P = I·m·k + I·m·O + O = {i}·{m}·{k} + {i}·{m}·{o} + {o} = {_fmt(p)}"
                if bias else f"P = I·m·k + I·m·O = {i}·{m}·{k} + {i}·{m}·{o} = {_fmt(p)}")
        return Explanation(text, p, shapes, notes=[f"k = {k_text} = {k}", f"I = {i} {source}",
                                                   f"O = {o} filters"])
    groups = int(config.get("groups", 1) or 1)
    if i is None:
        return Explanation("P = O·(I·k + 1) (I unknown)")
    per = i // groups
    kernel_shape = (*kernel, o, per) if transpose else (*kernel, per, o)
    shapes = [kernel_shape] + ([(o,)] if bias else [])
    p = _total(shapes)
    i_text = f"{i}/{groups}" if groups > 1 else str(i)
    i_sym = "I/g" if groups > 1 else "I"
    text = (f"P = O·({i_sym}·k + 1) = {o}·({i_text}·{k} + 1) = {_fmt(p)}" if bias
            else f"P = O·{i_sym}·k = {o}·{i_text}·{k} = {_fmt(p)}")
    notes = [f"k = {k_text} = {k}", f"I = {i} {source}", f"O = {o} filters"]
    if groups > 1:
        notes.append(f"g = {groups} groups")
    return Explanation(text, p, shapes, notes=notes)


def _embedding(node: LayerNode) -> Explanation:
    v, d = int(node.config["input_dim"]), int(node.config["output_dim"])
    return Explanation(f"P = V·D = {v}·{d} = {_fmt(v * d)}", v * d, [(v, d)],
                       notes=[f"V = {v} input_dim (vocabulary)", f"D = {d} output_dim"])


def _axis_dims(node: LayerNode, default_axis) -> tuple[list[int] | None, str | None]:
    axis = node.config.get("axis", default_axis)
    axes = axis if isinstance(axis, list) else [axis]
    shape = _first_input(node)
    if shape is not None:
        try:
            dims = [shape[a] for a in axes]
        except (IndexError, TypeError):
            dims = None
        if dims and all(d is not None for d in dims):
            return dims, f"from the input shape {_shape_text(shape)}, axis {axis}"
    stored = _stored_shape(node)
    if stored is not None:
        return list(stored), f"read from the stored {stored} weights"
    return None, None


def _batch_norm(node: LayerNode) -> Explanation:
    dims, source = _axis_dims(node, -1)
    flags = int(bool(node.config.get("scale", True))) + int(bool(node.config.get("center", True)))
    n = flags + 2
    if dims is None:
        return Explanation(f"P = {n}·C (C unknown)")
    c = math.prod(dims)
    shapes = [tuple(dims)] * n
    p = n * c
    text = f"P = {n}·C = {n}·{c} = {_fmt(p)}, of which 2·C = {_fmt(2 * c)} non-trainable"
    return Explanation(text, p, shapes, non_trainable=2 * c,
                       notes=[f"C = {c} channels {source}",
                              "the moving mean and variance are not trained"])


def _layer_norm(node: LayerNode) -> Explanation:
    default = -1 if node.class_name == "GroupNormalization" else [-1]
    dims, source = _axis_dims(node, default)
    n = int(bool(node.config.get("scale", True))) + int(bool(node.config.get("center", True)))
    if dims is None:
        return Explanation(f"P = {n}·C (C unknown)")
    c = math.prod(dims)
    shapes = [tuple(dims)] * n
    return Explanation(f"P = {n}·C = {n}·{c} = {_fmt(n * c)}", n * c, shapes,
                       notes=[f"C = {c} {source}"])


def _rnn_parts(class_name: str, config: dict, i: int) -> tuple[str, int, list[tuple]]:
    u = int(config["units"])
    g = GATES[class_name]
    bias = config.get("use_bias", True)
    reset_after = class_name == "GRU" and config.get("reset_after", True)
    shapes = [(i, g * u), (u, g * u)]
    if bias:
        shapes.append((2, g * u) if reset_after else (g * u,))
    p = _total(shapes)
    body, numbers = "U·(I+U)", f"{u}·({i}+{u})"
    if bias:
        body += " + 2·U" if reset_after else " + U"
        numbers += f" + 2·{u}" if reset_after else f" + {u}"
    if g > 1:
        text = f"P = {g}·({body}) = {g}·({numbers}) = {_fmt(p)}"
    else:
        text = f"P = {body} = {numbers} = {_fmt(p)}"
    return text, p, shapes


def _rnn(node: LayerNode) -> Explanation:
    i, source = _input_dim(node)
    units = int(node.config["units"])
    if i is None:
        return Explanation(f"{node.class_name} with U = {units} (I unknown)")
    text, p, shapes = _rnn_parts(node.class_name, node.config, i)
    notes = [f"I = {i} {source}", f"U = {units} units"]
    if node.class_name == "GRU":
        notes.append("reset_after=True: separate input and recurrent biases"
                     if node.config.get("reset_after", True) else "reset_after=False: one bias")
    return Explanation(text, p, shapes, notes=notes)


def _inner(entry) -> tuple[str, dict]:
    if not isinstance(entry, dict):
        return "", {}
    return str(entry.get("class_name", "")).rsplit(">", 1)[-1], entry.get("config") or {}


def _bidirectional(node: LayerNode) -> Explanation:
    forward = _inner(node.config.get("layer"))
    backward = _inner(node.config.get("backward_layer")) if node.config.get(
        "backward_layer") else forward
    if forward[0] not in GATES or backward[0] not in GATES:
        return Explanation()
    i, source = _input_dim(node)
    if i is None:
        return Explanation("P = P_forward + P_backward (I unknown)")
    f_text, f_p, f_shapes = _rnn_parts(*forward, i)
    b_text, b_p, b_shapes = _rnn_parts(*backward, i)
    text = f"P = P_forward + P_backward = {_fmt(f_p)} + {_fmt(b_p)} = {_fmt(f_p + b_p)}"
    notes = [f"forward {forward[0]}: {f_text}"]
    notes.append(f"backward {backward[0]}: {b_text}")
    notes.append(f"I = {i} {source}")
    return Explanation(text, f_p + b_p, f_shapes + b_shapes, notes=notes)


def _prelu(node: LayerNode) -> Explanation:
    shape = _first_input(node)
    if shape is None or any(d is None for d in shape[1:]):
        return Explanation("P = ∏ input dims (unknown)")
    dims = list(shape[1:])
    shared = node.config.get("shared_axes") or []
    for axis in shared if isinstance(shared, list) else [shared]:
        dims[axis - 1] = 1
    p = math.prod(dims)
    return Explanation(f"P = {'·'.join(map(str, dims))} = {_fmt(p)}", p, [tuple(dims)],
                       notes=["one slope per input unit, 1 along shared_axes"])


def _time_distributed(node: LayerNode) -> Explanation:
    class_name, config = _inner(node.config.get("layer"))
    shape = _first_input(node)
    inner = LayerNode(name=node.name, class_name=class_name, config=config, envelope={},
                      weights=node.weights)
    if shape is not None:
        inner.input_shapes = [[(shape[0], *shape[2:])]]
    result = explain(inner)
    if result.formula:
        result.notes.insert(0, f"the {class_name} applied at every time step")
    return result


def _nested(node: LayerNode) -> Explanation:
    parts = [sum(w.size for w in layer_weights(child)) for child in node.model.layers]
    parts = [p for p in parts if p]
    total = sum(w.size for w in layer_weights(node))
    shown = " + ".join(_fmt(p) for p in parts) or "0"
    return Explanation(f"P = {shown} = {_fmt(total)}", total, None,
                       notes=[f"the sum of its {len(node.model.layers)} layers"])


EXPLAINERS: dict[str, Callable[[LayerNode], Explanation]] = {
    "Dense": _dense, "Embedding": _embedding, "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm, "GroupNormalization": _layer_norm,
    "LSTM": _rnn, "GRU": _rnn, "SimpleRNN": _rnn, "Bidirectional": _bidirectional,
    "PReLU": _prelu, "TimeDistributed": _time_distributed,
}
for _name in ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
              "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
              "SeparableConv2D", "Convolution1D", "Convolution2D"):
    EXPLAINERS[_name] = _conv

WEIGHTED = set(EXPLAINERS) | {"EinsumDense", "MultiHeadAttention", "Normalization"}
# Classes with a shape rule and no weights.
WEIGHTLESS = (set(shape_rules.RULES) - WEIGHTED) | {"InputLayer", "Lambda"}


def explain(node: LayerNode) -> Explanation:
    """The formula for `node`'s parameter count; an empty `Explanation` for unknown classes."""
    if node.model is not None:
        return _nested(node)
    if node.class_name in WEIGHTLESS:
        return Explanation("P = 0 (no weights)", 0, [])
    explainer = EXPLAINERS.get(node.class_name)
    if explainer is None:
        return Explanation()
    try:
        return explainer(node)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError):
        return Explanation()


def known_class(class_name: str) -> bool:
    """Whether `explain` has a rule for the class (a formula, or known to have no weights)."""
    return class_name in EXPLAINERS or class_name in WEIGHTLESS
