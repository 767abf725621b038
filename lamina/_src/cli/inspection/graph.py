"""A model's layers, calls and output shapes, read from its JSON config without building it.

`read_graph(envelope)` turns the config of a Sequential or Functional model (Keras 3 dict
`inbound_nodes` or tf.keras 2 list `inbound_nodes`, nested models included) into
`ModelGraph`: the layers in config order, each with the calls it receives, and the output
shapes of every call, propagated from the inputs with `shapes.output_shapes`. Layers whose
class has no shape rule get their output shape from the `build_config` of the layers they
feed (`.keras` files record it), else it stays unknown.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from . import shapes as shape_rules

MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})


@dataclass(frozen=True)
class Ref:
    """A tensor passed to a call: output `tensor_index` of call `node_index` of `layer`."""

    layer: str
    node_index: int
    tensor_index: int


@dataclass
class LayerNode:
    """One layer of a model config.

    Attributes:
        name, class_name: the layer's name and class (`"SimpleDense"` for a registered
            `"fixtures>SimpleDense"`).
        config: the layer's `config` dict.
        envelope: the whole serialized entry (`module`, `registered_name`, `build_config`...).
        calls: for each call of the layer in a Functional config, its input tensors.
        trainable: the effective flag (False when the layer or a model around it is frozen).
        model: for a nested Sequential/Functional, its own graph.
        output_shapes: per call, the shapes of its outputs (`None` when unknown).
        shape_source: "config" (computed), "build_config" (taken from a consumer's recorded
            input shape), "weights" (guessed from the stored weights), or None (unknown).
        weights: the stored weights of this layer (`weights.Weight`), filled by
            `weights.attach_*`; a nested model's are on its own layers.
    """

    name: str
    class_name: str
    config: dict
    envelope: dict
    calls: list[list[Ref]] = field(default_factory=list)
    trainable: bool = True
    model: ModelGraph | None = None
    input_shapes: list[list] = field(default_factory=list)
    output_shapes: list[list | None] = field(default_factory=list)
    shape_source: str | None = None
    weights: list = field(default_factory=list)

    @property
    def build_input_shape(self):
        build = self.envelope.get("build_config")
        return build.get("input_shape") if isinstance(build, dict) else None


@dataclass
class ModelGraph:
    """A Sequential or Functional config, parsed.

    Attributes:
        kind: "sequential", "functional" or "other" (a subclassed model: no layer list).
        layers: the layers Keras's summary lists, in config order (a Sequential's InputLayer
            is left out, as in `model.layers`).
        input_layer: a Sequential's InputLayer entry, if any.
        inputs, outputs: a Functional's `input_layers` / `output_layers`, flattened.
        legacy_nodes: the config uses tf.keras 2's list-form `inbound_nodes`, where a node
            index that refers to a nested model counts an internal node first (so is 1 more).
        input_shapes, output_shapes: the model's, once `propagate` ran (None if unknown).
    """

    name: str
    class_name: str
    kind: str
    config: dict
    layers: list[LayerNode] = field(default_factory=list)
    input_layer: LayerNode | None = None
    inputs: list[Ref] = field(default_factory=list)
    outputs: list[Ref] = field(default_factory=list)
    legacy_nodes: bool = False
    input_shapes: list | None = None
    output_shapes: list | None = None

    def layer(self, name: str) -> LayerNode | None:
        for node in self.layers:
            if node.name == name:
                return node
        if self.input_layer is not None and self.input_layer.name == name:
            return self.input_layer
        return None


def display_class(envelope: dict) -> str:
    name = str(envelope.get("class_name", "?"))
    return name.rsplit(">", 1)[-1]


def input_layer_shape(config: dict):
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if shape is None and isinstance(config.get("shape"), list):
        shape = [config.get("batch_size"), *config["shape"]]
    return _single_shape(shape)


def _is_ref(value) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) >= 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def _tensor_refs(value, out: list) -> None:
    """Collect `__keras_tensor__` references from a Keras 3 node's args/kwargs, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if _is_ref(history):
                out.append(Ref(*history[:3]))
            return
        for item in value.values():
            _tensor_refs(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _tensor_refs(item, out)


def parse_calls(inbound_nodes) -> tuple[list[list[Ref]], bool]:
    """The calls of a layer from either `inbound_nodes` form; also whether it was the list form."""
    calls, legacy = [], False
    for node in inbound_nodes or []:
        refs: list[Ref] = []
        if isinstance(node, dict):
            _tensor_refs(node.get("args", []), refs)
            _tensor_refs(node.get("kwargs", {}), refs)
        elif isinstance(node, list):
            legacy = True
            for item in node:
                if _is_ref(item):
                    refs.append(Ref(*item[:3]))
                    if len(item) > 3 and isinstance(item[3], dict):
                        for value in item[3].values():
                            if _is_ref(value):
                                refs.append(Ref(*value[:3]))
        calls.append(refs)
    return calls, legacy


def _flat_refs(value) -> list[Ref]:
    if _is_ref(value):
        return [Ref(*value[:3])]
    if isinstance(value, dict):
        return [r for item in value.values() for r in _flat_refs(item)]
    if isinstance(value, (list, tuple)):
        return [r for item in value for r in _flat_refs(item)]
    return []


def _layer_node(entry: dict, parent_trainable: bool, legacy_file: bool) -> LayerNode:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    name = entry.get("name") or config.get("name") or "?"
    node = LayerNode(name=str(name), class_name=display_class(entry), config=config,
                     envelope=entry,
                     trainable=parent_trainable and config.get("trainable", True) is not False)
    if node.class_name in MODEL_CLASSES or isinstance(config.get("layers"), list):
        node.model = read_graph(entry, node.trainable, legacy_file)
    return node


def read_graph(envelope: dict, trainable: bool = True, legacy_file: bool = False) -> ModelGraph:
    """Parse a model envelope (`{"class_name", "config"}`) into a `ModelGraph`."""
    config = envelope.get("config") if isinstance(envelope.get("config"), dict) else {}
    class_name = display_class(envelope)
    graph = ModelGraph(name=str(config.get("name", "?")), class_name=class_name, kind="other",
                       config=config)
    trainable = trainable and config.get("trainable", True) is not False
    entries = config.get("layers")
    if not isinstance(entries, list):
        return graph
    entries = [e for e in entries if isinstance(e, dict)]
    functional = "input_layers" in config or any("inbound_nodes" in e for e in entries)
    graph.kind = "functional" if functional else "sequential"
    for entry in entries:
        node = _layer_node(entry, trainable, legacy_file)
        if graph.kind == "functional":
            node.calls, legacy = parse_calls(entry.get("inbound_nodes"))
            graph.legacy_nodes |= legacy
        elif node.class_name == "InputLayer" and graph.input_layer is None and not graph.layers:
            graph.input_layer = node
            continue
        graph.layers.append(node)
    graph.legacy_nodes |= legacy_file
    if graph.kind == "functional":
        graph.inputs = _flat_refs(config.get("input_layers"))
        graph.outputs = _flat_refs(config.get("output_layers"))
    for node in graph.layers:
        if node.model is not None:
            node.model.legacy_nodes |= graph.legacy_nodes
    return graph


def _single_shape(value):
    """`value` as a shape when it is one flat list of dims (not a list of shapes)."""
    if isinstance(value, (list, tuple)) and shape_rules.valid_shape(tuple(value)):
        return tuple(value)
    return None


def sequential_input_shape(graph: ModelGraph):
    """A Sequential's input shape: its InputLayer, else any shape the config records."""
    if graph.input_layer is not None:
        shape = input_layer_shape(graph.input_layer.config)
        if shape is not None:
            return shape
    candidates = [graph.config.get("build_input_shape")]
    if graph.layers:
        candidates += [graph.layers[0].config.get("batch_input_shape"),
                       graph.layers[0].build_input_shape]
    for value in candidates:
        shape = _single_shape(value)
        if shape is not None:
            return shape
    return None


def call_index(graph: ModelGraph, ref: Ref, in_outputs: bool = False) -> int:
    """The call of `ref.layer` that `ref` means, counting the calls in this config from 0.

    tf.keras 2 numbers a nested model's first call 1 everywhere; Keras 3 numbers a nested
    Functional's first call 1 in `input_layers`/`output_layers` only.
    """
    layer = graph.layer(ref.layer)
    index = ref.node_index
    if layer is not None and layer.model is not None:
        calls = max(len(layer.calls), 1)
        if graph.legacy_nodes or (in_outputs and layer.model.kind == "functional"):
            index -= 1
        if index >= calls:
            index = calls - 1
        index = max(index, 0)
    return index


def _ref_shape(graph: ModelGraph, ref: Ref, in_outputs: bool = False):
    layer = graph.layer(ref.layer)
    if layer is None:
        return None
    index = call_index(graph, ref, in_outputs)
    if index >= len(layer.output_shapes) or layer.output_shapes[index] is None:
        return None
    outputs = layer.output_shapes[index]
    return outputs[ref.tensor_index] if ref.tensor_index < len(outputs) else None


def _call_layer(node: LayerNode, inputs: list, guess=None) -> list | None:
    recorded = node.build_input_shape
    if any(s is None for s in inputs) and recorded is not None:
        single = _single_shape(recorded)
        if single is not None and len(inputs) == 1:
            inputs = [single]
        elif isinstance(recorded, list) and len(recorded) == len(inputs):
            inputs = [s if s is not None else _single_shape(r) for s, r in zip(inputs, recorded)]
    node.input_shapes.append(inputs)
    source = "config"
    if not inputs or any(s is None for s in inputs):
        result = None
    elif node.model is not None:
        result = propagate(node.model, inputs, guess)
    else:
        result = shape_rules.output_shapes(node.class_name, node.config, inputs)
        if result is None and guess is not None:
            result, source = guess(node, inputs), "weights"
    node.output_shapes.append(result)
    if result is not None:
        node.shape_source = source
    return result


def propagate(graph: ModelGraph, input_shapes: list | None = None, guess=None) -> list | None:
    """Fill in every layer's input and output shapes; return the model's output shapes.

    `guess(node, input_shapes)`, when given, is asked for the outputs of layers of classes
    the shape table does not know (it may look at the stored weights).
    """
    for node in graph.layers:
        node.input_shapes, node.output_shapes, node.shape_source = [], [], None
    if graph.kind == "sequential":
        shape = input_shapes[0] if input_shapes else sequential_input_shape(graph)
        graph.input_shapes = [shape]
        current = [shape] if shape is not None else [None]
        for node in graph.layers:
            current = _call_layer(node, current, guess) or [None]
        _fill_from_build_configs(graph)
        graph.output_shapes = None if current == [None] else current
        return graph.output_shapes
    if graph.kind != "functional":
        return None
    given = dict(zip([r.layer for r in graph.inputs], input_shapes or []))
    for node in graph.layers:
        if node.class_name == "InputLayer":
            shape = given.get(node.name) or input_layer_shape(node.config)
            node.output_shapes = [[tuple(shape)] if shape is not None else None]
            node.shape_source = "config" if shape is not None else None
    pending = collections.deque((node, call) for node in graph.layers for call in node.calls)
    stalled = 0
    while pending and stalled <= len(pending):
        node, call = pending.popleft()
        ready = all(graph.layer(r.layer) is not None and call_index(graph, r) < len(
            graph.layer(r.layer).output_shapes) for r in call)
        if not ready:
            pending.append((node, call))
            stalled += 1
            continue
        stalled = 0
        _call_layer(node, [_ref_shape(graph, r) for r in call], guess)
    _fill_from_build_configs(graph)
    graph.input_shapes = [_ref_shape(graph, r) for r in graph.inputs]
    outputs = [_ref_shape(graph, r, in_outputs=True) for r in graph.outputs]
    graph.output_shapes = None if any(s is None for s in outputs) else outputs
    return graph.output_shapes


def _fill_from_build_configs(graph: ModelGraph) -> None:
    """Unknown output shapes taken from the `build_config` of a single-input consumer."""
    consumers: dict[str, list[LayerNode]] = collections.defaultdict(list)
    if graph.kind == "sequential":
        for before, after in zip(graph.layers, graph.layers[1:]):
            consumers[before.name].append(after)
    else:
        for node in graph.layers:
            for call in node.calls:
                if len(call) == 1:
                    consumers[call[0].layer].append(node)
    for node in graph.layers:
        if node.output_shapes and all(s is not None for s in node.output_shapes) and \
                node.shape_source != "weights":
            continue
        for consumer in consumers.get(node.name, []):
            shape = _single_shape(consumer.build_input_shape)
            if shape is not None:
                node.output_shapes = [[shape]] * max(len(node.output_shapes), 1)
                node.shape_source = "build_config"
                break


def last_output_shapes(node: LayerNode) -> list | None:
    """The output shapes of the layer's last call (what Keras's summary shows)."""
    for shapes in reversed(node.output_shapes):
        return shapes
    return None


def nodes_by_depth(graph: ModelGraph) -> dict[int, list[tuple[str, int]]]:
    """Keras's node depths (0 at the outputs) for the calls the outputs depend on."""
    order: list[tuple[str, int]] = []
    done: set = set()

    def visit(key: tuple[str, int], seen: frozenset) -> None:
        if key in done or key in seen:
            return
        layer = graph.layer(key[0])
        if layer is not None and key[1] < len(layer.calls):
            for ref in layer.calls[key[1]]:
                visit((ref.layer, call_index(graph, ref)), seen | {key})
        done.add(key)
        order.append(key)

    for ref in graph.outputs:
        visit((ref.layer, call_index(graph, ref, in_outputs=True)), frozenset())
    node_depth: dict = {}
    layer_depth: dict = {}
    for key in reversed(order):
        depth = max(node_depth.setdefault(key, 0), layer_depth.get(key[0], 0))
        layer_depth[key[0]] = depth
        node_depth[key] = depth
        layer = graph.layer(key[0])
        if layer is not None and key[1] < len(layer.calls):
            for ref in layer.calls[key[1]]:
                parent = (ref.layer, call_index(graph, ref))
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    by_depth: dict[int, list] = collections.defaultdict(list)
    for key, depth in node_depth.items():
        by_depth[depth].append(key)
    return dict(by_depth)


def is_sequential_like(graph: ModelGraph) -> bool:
    """Keras's test for the 3-column summary: a chain of single-input calls."""
    if graph.kind != "functional":
        return True
    used: collections.Counter = collections.Counter()
    for keys in nodes_by_depth(graph).values():
        if len(keys) > 1:
            return False
        name, index = keys[0]
        layer = graph.layer(name)
        if layer is not None and index < len(layer.calls) and len(layer.calls[index]) > 1:
            return False
        used[name] += 1
    return all(count <= 1 for count in used.values())
