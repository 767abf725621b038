"""Which stored arrays belong to which layer of the config, and what they are called.

Legacy HDF5 files group weights by layer name (a nested model's group holds all its
sub-layers' weights, named with the sub-layer's name); Keras 3 files by object path
(`layers/dense_2`, `layers/sequential/layers/batch_normalization`, `layers/lstm/cell`), built
from class-name slugs numbered in list order (see `shared/docs/keras-formats.md` §2.3, §5.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .graph import LayerNode, ModelGraph

NON_TRAINABLE_NAMES = ("moving_mean", "moving_variance")
# Sub-objects of a layer, in the order their variables come in the layer's own list.
SUBOBJECT_ORDER = ("layer", "forward_layer", "backward_layer", "cell")
# Keras 3 file groups that hold training state rather than layer weights (tf.keras's `.keras`
# saves its loss tracker under `metrics/`).
STATE_PREFIXES = ("optimizer/", "metrics/")


@dataclass
class Weight:
    """One stored array of a layer.

    Attributes:
        name: its name: the legacy file's weight name (`"dense/kernel:0"`), or for Keras 3 files
            the sub-object path and the variable's role (`"kernel"`, `"cell/bias"`,
            `"forward_layer/cell/kernel"`; the index when the role is unknown).
        array: the numpy array, or an `ArraySpec` (shape and dtype) when values were not read.
        trainable: False for moving statistics and for frozen layers.
        declared_dtype: the variable dtype the layer's dtype policy asks for (`"float64"`),
            which Keras's summary counts in bytes even when a writer stored another.
    """

    name: str
    array: object
    trainable: bool
    declared_dtype: str | None = None

    @property
    def shape(self) -> tuple:
        return tuple(self.array.shape)

    @property
    def size(self) -> int:
        return int(self.array.size)


def to_snake_case(name: str) -> str:
    """Keras's class-name slug: `LeakyReLU` -> `leaky_re_lu`, `Conv2D` -> `conv2d`."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def variable_dtype(config: dict) -> str | None:
    """The dtype of a layer's variables from its `dtype` entry (a string or a policy)."""
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    if not isinstance(dtype, str):
        return None
    if dtype.startswith("mixed_"):
        return "float32"
    return dtype


def _rnn_names(config: dict) -> list[str]:
    return ["kernel", "recurrent_kernel"] + (["bias"] if config.get("use_bias", True) else [])


def _inner_names(entry) -> list[str]:
    if not isinstance(entry, dict):
        return []
    return weight_names(str(entry.get("class_name", "")).rsplit(">", 1)[-1],
                        entry.get("config") or {})


def weight_names(class_name: str, config: dict) -> list[str]:
    """The roles of a built-in layer's variables, in Keras's order (empty when unknown)."""
    bias = ["bias"] if config.get("use_bias", True) else []
    if class_name in ("Dense", "EinsumDense") or re.fullmatch(r"Conv\dD(Transpose)?", class_name):
        return ["kernel", *bias]
    if class_name.startswith("DepthwiseConv"):
        return ["depthwise_kernel", *bias]
    if class_name.startswith("SeparableConv"):
        return ["depthwise_kernel", "pointwise_kernel", *bias]
    if class_name == "Embedding":
        return ["embeddings"]
    if class_name in ("BatchNormalization",):
        return ([n for n, on in (("gamma", config.get("scale", True)),
                                 ("beta", config.get("center", True))) if on]
                + list(NON_TRAINABLE_NAMES))
    if class_name in ("LayerNormalization", "GroupNormalization"):
        return [n for n, on in (("gamma", config.get("scale", True)),
                                ("beta", config.get("center", True))) if on]
    if class_name == "PReLU":
        return ["alpha"]
    if class_name in ("LSTM", "GRU", "SimpleRNN"):
        return [f"cell/{n}" for n in _rnn_names(config)]
    if class_name == "Bidirectional":
        forward = _inner_names(config.get("layer"))
        backward = _inner_names(config.get("backward_layer") or config.get("layer"))
        return [f"forward_layer/{n}" for n in forward] + [f"backward_layer/{n}" for n in backward]
    if class_name == "TimeDistributed":
        return [f"layer/{n}" for n in _inner_names(config.get("layer"))]
    return []


def is_trainable(name: str, layer_trainable: bool) -> bool:
    base = name.rsplit("/", 1)[-1].split(":", 1)[0]
    return layer_trainable and base not in NON_TRAINABLE_NAMES


def _make(name: str, array, node: LayerNode) -> Weight:
    return Weight(name, array, is_trainable(name, node.trainable), variable_dtype(node.config))


# ---------------------------------------------------------------------------- legacy HDF5
def _split_nested(weights: list, graph: ModelGraph) -> dict[str, list]:
    """A nested model's flat `(name, array)` list, split by the sub-layer its name mentions."""
    names = {node.name for node in graph.layers}
    split: dict[str, list] = {}
    for name, array in weights:
        parts = name.split("/")
        owner = next((p.split(":", 1)[0] for p in parts[:-1] if p.split(":", 1)[0] in names),
                     None)
        split.setdefault(owner, []).append((name, array))
    return split


def _attach_legacy_model(graph: ModelGraph, groups: dict[str, list]) -> list:
    """Give each layer its `(name, array)` pairs; return the pairs no layer claimed."""
    unclaimed = []
    for node in graph.layers:
        pairs = groups.pop(node.name, [])
        if node.model is not None:
            split = _split_nested(pairs, node.model)
            unclaimed += [(f"{node.name}/{n}", a) for n, a in split.pop(None, [])]
            unclaimed += _attach_legacy_model(node.model, split)
        else:
            node.weights = [_make(n, a, node) for n, a in pairs]
    for name, pairs in groups.items():
        unclaimed += pairs if pairs else [(name, None)]
    return unclaimed


def attach_legacy(graph: ModelGraph, layers: list) -> list[str]:
    """Attach a legacy file's layer groups; return the weights that match no config layer."""
    groups = {group.name: list(group.weights) for group in layers}
    return [name for name, array in _attach_legacy_model(graph, groups) if array is not None]


# ---------------------------------------------------------------------------- Keras 3 files
def _subpath_key(subpath: str) -> tuple:
    first = subpath.split("/", 1)[0]
    rank = SUBOBJECT_ORDER.index(first) if first in SUBOBJECT_ORDER else len(SUBOBJECT_ORDER)
    return (subpath != "", rank, subpath)


def _collect(path: str, vars_: dict, used: set, node: LayerNode) -> list[Weight]:
    prefix = path + "/"
    subpaths = sorted((key[len(prefix):] if key != path else "" for key in vars_
                       if key == path or key.startswith(prefix)), key=_subpath_key)
    flat = []
    for sub in subpaths:
        key = f"{prefix}{sub}" if sub else path
        used.add(key)
        flat += [(sub, i, array) for i, array in enumerate(vars_[key].arrays)]
    roles = weight_names(node.class_name, node.config)
    if len(roles) == len(flat):
        names = roles
    else:
        names = [f"{sub}/{i}" if sub else str(i) for sub, i, _ in flat]
    return [_make(name, array, node) for name, (_, _, array) in zip(names, flat)]


def _attach_v3_model(graph: ModelGraph, vars_: dict, prefix: str, used: set) -> None:
    counts: dict[str, int] = {}
    for node in graph.layers:
        slug = to_snake_case(node.class_name)
        index = counts.get(slug, 0)
        counts[slug] = index + 1
        path = f"{prefix}layers/{slug}" + (f"_{index}" if index else "")
        if path not in vars_:
            path = next((k for k, group in vars_.items() if group.name == node.name
                         and k.startswith(f"{prefix}layers/") and k not in used), path)
        if node.model is not None:
            if path in vars_:
                used.add(path)
                node.weights = [_make(str(i), a, node) for i, a in enumerate(vars_[path].arrays)]
            _attach_v3_model(node.model, vars_, path + "/", used)
        else:
            node.weights = _collect(path, vars_, used, node)


def attach_v3(graph: ModelGraph, vars_: dict) -> list[str]:
    """Attach a Keras 3 file's `vars` groups; return the paths with arrays no layer claimed."""
    used = {"", "optimizer"}
    _attach_v3_model(graph, vars_, "", used)
    return [key for key, group in vars_.items()
            if key not in used and group.arrays and not key.startswith(STATE_PREFIXES)]


def all_weights(graph: ModelGraph) -> list[Weight]:
    """Every weight of every layer, nested models included, in layer order."""
    result = []
    for node in graph.layers:
        result += node.weights
        if node.model is not None:
            result += all_weights(node.model)
    return result


def layer_weights(node: LayerNode) -> list[Weight]:
    """A layer's weights; for a nested model, those of all its layers."""
    return list(node.weights) + (all_weights(node.model) if node.model is not None else [])
