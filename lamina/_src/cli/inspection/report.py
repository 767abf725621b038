"""`inspect_file(path)`: everything `lamina inspect` reports, as the JSON document of `schema`.

Reads the file with the data-only reader (`saving.file_io`), parses the config with `graph`,
attaches the stored arrays with `weights`, infers shapes with `shapes`, and explains counts
with `params`. Nothing here builds a layer or imports JAX.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from lamina._src.saving.file_io import read_model_file

from . import graph as graph_mod
from . import weights as weights_mod
from .params import explain, known_class
from .schema import SCHEMA_VERSION

FORMATS = {
    "legacy_h5": "legacy HDF5 model (model.save('*.h5'))",
    "legacy_weights_h5": "legacy HDF5 weights (tf.keras save_weights('*.h5'))",
    "keras_v3": ".keras archive (model.save('*.keras'))",
    "weights_v3": "Keras 3 weights (save_weights('*.weights.h5'))",
}
HIDDEN_CONFIG_KEYS = ("name",)


def _shape_json(shape):
    return None if shape is None else [None if d is None else int(d) for d in shape]


def _itemsize(dtype) -> int:
    try:
        return np.dtype(dtype).itemsize
    except TypeError:
        return 4


def describe_activation(config: dict, class_name: str) -> str | None:
    """`relu`, `LeakyReLU(negative_slope=0.05)`; None for layers without an activation."""
    if class_name == "LeakyReLU":
        slope = config.get("negative_slope", config.get("alpha", 0.3))
        return f"LeakyReLU(negative_slope={float(slope):g})"
    value = config.get("activation")
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = str(value.get("class_name", "?")).rsplit(">", 1)[-1]
        inner = value.get("config") if isinstance(value.get("config"), dict) else {}
        if name == "LeakyReLU":
            return describe_activation(inner, "LeakyReLU")
        if isinstance(value.get("config"), str):  # a registered function, by name
            return value["config"]
        args = ", ".join(f"{k}={v}" for k, v in inner.items()
                         if k not in ("name", "trainable", "dtype"))
        return f"{name}({args})"
    return str(value)


def weight_stats(array) -> dict | None:
    """min/max/mean/std over the finite values, the zero fraction and the NaN/Inf counts.

    None for values that were not read (`ArraySpec`) or are not numbers.
    """
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        return None
    values = array.astype(np.float64, copy=False)
    finite = values[np.isfinite(values)]

    def summary(reduce):
        return float(reduce(finite)) if finite.size else None

    return {
        "min": summary(np.min),
        "max": summary(np.max),
        "mean": summary(np.mean),
        "std": summary(np.std),
        "zeros_fraction": float((values == 0).sum() / values.size) if values.size else 0.0,
        "nan_count": int(np.isnan(values).sum()),
        "inf_count": int(np.isinf(values).sum()),
    }


def _weight_json(weight: weights_mod.Weight, with_stats: bool) -> dict:
    return {
        "name": weight.name,
        "shape": [int(d) for d in weight.shape],
        "dtype": str(np.dtype(weight.array.dtype)),
        "declared_dtype": weight.declared_dtype,
        "size": weight.size,
        "trainable": weight.trainable,
        "stats": weight_stats(weight.array) if with_stats else None,
    }


def _weight_bytes(weight: weights_mod.Weight) -> int:
    dtype = weight.declared_dtype or weight.array.dtype
    return weight.size * _itemsize(dtype)


def bare_items(data) -> list[tuple[str, list[weights_mod.Weight]]]:
    """A file's weights grouped by top-level layer, without a config (weights-only files)."""
    items: list[tuple[str, list[weights_mod.Weight]]] = []
    if data.layers is not None:
        for group in data.layers:
            items.append((group.name, [
                weights_mod.Weight(n, a, weights_mod.is_trainable(n, True))
                for n, a in group.weights]))
    elif data.vars is not None:
        tops: dict[str, list] = {}
        names: dict[str, str] = {}
        for key in sorted(data.vars):
            parts = key.split("/")
            if len(parts) < 2 or parts[0] != "layers":
                continue
            top = "/".join(parts[:2])
            names.setdefault(top, parts[1])
            if key == top and data.vars[key].name:
                names[top] = data.vars[key].name
            sub = key[len(top) + 1:]
            group = tops.setdefault(top, [])
            for i, array in enumerate(data.vars[key].arrays):
                group.append(weights_mod.Weight(f"{sub}/{i}" if sub else str(i), array, True))
        items = [(names[top], tops[top]) for top in tops]
    return items


class _Builder:
    def __init__(self, data, with_stats: bool):
        self.data = data
        self.with_stats = with_stats
        self.warnings: list[dict] = []

    def warn(self, layer: str | None, kind: str, message: str) -> None:
        self.warnings.append({"layer": layer, "kind": kind, "message": message})

    # ------------------------------------------------------------------ layers of a config
    def check_params(self, node: graph_mod.LayerNode, path: str, explanation,
                     weights: list) -> bool | None:
        """Compare the stored weights with the config's; warn and return whether they agree."""
        count = sum(w.size for w in weights)
        if explanation.expected is None:
            if node.model is None and explanation.formula is None:
                if known_class(node.class_name):
                    self.warn(path, "bad_config",
                              f"{path} ({node.class_name}): its config could not be "
                              "interpreted; its parameter formula is unknown.")
                else:
                    self.warn(path, "unknown_layer",
                              f"{path}: lamina inspect has no rule for the class "
                              f"{node.class_name!r}; its output shape and parameter formula "
                              "are not checked.")
            return None
        stored_shapes = [w.shape for w in weights]
        expected_shapes = None if explanation.shapes is None else [
            tuple(s) for s in explanation.shapes]
        if explanation.expected != count:
            self.warn(path, "missing_weights" if count == 0 else "param_mismatch",
                      f"{path} ({node.class_name}): the config implies "
                      f"{explanation.expected:,} parameters ({explanation.formula}) but the "
                      f"file stores {count:,}.")
            return False
        if expected_shapes is not None and expected_shapes != stored_shapes:
            self.warn(path, "shape_mismatch",
                      f"{path} ({node.class_name}): the config implies weight shapes "
                      f"{expected_shapes} but the file stores {stored_shapes}.")
            return False
        return True

    def check_dtypes(self, node: graph_mod.LayerNode, path: str) -> None:
        for weight in node.weights:
            stored = np.dtype(weight.array.dtype)
            declared = weight.declared_dtype
            if declared and declared.startswith("float") and stored.kind == "f" and \
                    declared != str(stored):
                self.warn(path, "dtype_mismatch",
                          f"{path}: the config declares {declared} variables but "
                          f"{weight.name} is stored as {stored} (Keras 3 on JAX without x64, "
                          "for one, stores float32).")
                return

    def layer_json(self, node: graph_mod.LayerNode, graph: graph_mod.ModelGraph,
                   sequential_like: bool, prefix: str = "") -> dict:
        """One LAYER of the schema, with its nested layers."""
        path = f"{prefix}{node.name}"
        all_weights = weights_mod.layer_weights(node)
        count = sum(w.size for w in all_weights)
        trainable = sum(w.size for w in all_weights if w.trainable)
        explanation = explain(node)
        matches = self.check_params(node, path, explanation, all_weights)
        self.check_dtypes(node, path)
        connected = []
        if not sequential_like:
            for call in node.calls:
                for ref in call:
                    connected.append({"layer": ref.layer,
                                      "call_index": graph_mod.call_index(graph, ref),
                                      "tensor_index": ref.tensor_index})
        shapes = graph_mod.last_output_shapes(node)
        children = []
        if node.model is not None:
            inner_like = graph_mod.is_sequential_like(node.model)
            children = [self.layer_json(child, node.model, inner_like, path + "/")
                        for child in node.model.layers]
        return {
            "name": node.name,
            "class_name": node.class_name,
            "path": path,
            "trainable": node.trainable,
            "output_shapes": None if shapes is None else [_shape_json(s) for s in shapes],
            "output_shape_source": node.shape_source if shapes is not None else None,
            "connected_to": connected,
            "activation": describe_activation(node.config, node.class_name),
            "params": {
                "count": count,
                "trainable": trainable,
                "non_trainable": count - trainable,
                "expected": explanation.expected,
                "formula": explanation.formula,
                "notes": explanation.notes,
                "matches": matches,
            },
            "weights": [_weight_json(w, self.with_stats) for w in node.weights],
            "layers": children,
        }

    # ------------------------------------------------------------------ weights-only files
    def bare_layers(self) -> tuple[list[dict], list]:
        items = bare_items(self.data)
        layers, flat = [], []
        for name, weights in items:
            flat += weights
            count = sum(w.size for w in weights)
            trainable = sum(w.size for w in weights if w.trainable)
            layers.append({
                "name": name, "class_name": None, "path": name, "trainable": True,
                "output_shapes": None, "output_shape_source": None, "connected_to": [],
                "activation": None,
                "params": {"count": count, "trainable": trainable,
                           "non_trainable": count - trainable, "expected": None,
                           "formula": None, "notes": [], "matches": None},
                "weights": [_weight_json(w, self.with_stats) for w in weights],
                "layers": [],
            })
        return layers, flat

    # ------------------------------------------------------------------ optimizer, training
    def optimizer_arrays(self) -> list:
        data = self.data
        if data.optimizer_weights is not None:
            return [a for _, a in data.optimizer_weights]
        if data.vars is not None:
            arrays = []
            for key in sorted(k for k in data.vars if k == "optimizer" or
                              k.startswith("optimizer/")):
                arrays += data.vars[key].arrays
            return arrays
        return []

    def training(self) -> dict | None:
        data = self.data
        if data.training_config:
            source, config = "training_config", data.training_config
            optimizer = config.get("optimizer_config")
        elif data.compile_config:
            source, config = "compile_config", data.compile_config
            optimizer = config.get("optimizer")
        else:
            return None
        return {
            "source": source,
            "optimizer": _optimizer_json(optimizer),
            "loss": config.get("loss"),
            "loss_weights": config.get("loss_weights"),
            "metrics": config.get("metrics"),
            "weighted_metrics": config.get("weighted_metrics"),
        }


def _optimizer_json(optimizer) -> dict | None:
    if optimizer is None:
        return None
    if isinstance(optimizer, str):
        return {"class_name": optimizer, "name": None, "hyperparameters": {}}
    if not isinstance(optimizer, dict):
        return {"class_name": str(optimizer), "name": None, "hyperparameters": {}}
    config = optimizer.get("config") if isinstance(optimizer.get("config"), dict) else {}
    class_name = str(optimizer.get("class_name", "?")).rsplit(">", 1)[-1]
    return {
        "class_name": class_name,
        "name": config.get("name"),
        "hyperparameters": {k: v for k, v in sorted(config.items(),
                                                     key=lambda kv: kv[0] != "learning_rate")
                            if k not in HIDDEN_CONFIG_KEYS and v is not None},
    }


def _flatten_layers(layers: list[dict]) -> list[dict]:
    out = []
    for layer in layers:
        out.append(layer)
        out += _flatten_layers(layer["layers"])
    return out


def _guess_from_weights(node: graph_mod.LayerNode, inputs: list):
    """A custom layer with `units` and a stored (inputs, units) kernel acts like Dense."""
    units = node.config.get("units")
    if not isinstance(units, int) or len(inputs) != 1 or not node.weights:
        return None
    kernel = node.weights[0].shape
    if len(kernel) == 2 and kernel[1] == units and inputs[0][-1] in (kernel[0], None):
        return [(*inputs[0][:-1], units)]
    return None


@dataclass
class Structure:
    """A file read and interpreted: its data, the parsed config with weights attached."""

    data: object
    graph: graph_mod.ModelGraph | None
    unmatched: list[str]


def read_structure(path: str, load_weights: bool = False) -> Structure:
    """Read `path`, parse its config, attach the stored weights and infer the shapes."""
    data = read_model_file(path, load_weights=load_weights)
    if data.model_config is None:
        return Structure(data, None, [])
    legacy_file = str(data.keras_version or "").startswith("2.")
    graph = graph_mod.read_graph(data.model_config, legacy_file=legacy_file)
    unmatched: list[str] = []
    if data.layers is not None:
        unmatched = weights_mod.attach_legacy(graph, data.layers)
    elif data.vars is not None:
        unmatched = weights_mod.attach_v3(graph, data.vars)
    graph_mod.propagate(graph, guess=_guess_from_weights)
    return Structure(data, graph, unmatched)


def layer_items(structure: Structure) -> list[tuple[str, str | None, dict, list]]:
    """`(path, class_name, config, weights)` of every layer, nested ones included."""
    if structure.graph is None or structure.graph.kind == "other":
        return [(name, None, {}, weights) for name, weights in bare_items(structure.data)]
    items = []

    def walk(graph, prefix):
        for node in graph.layers:
            items.append((prefix + node.name, node.class_name, node.config, node.weights))
            if node.model is not None:
                walk(node.model, f"{prefix}{node.name}/")

    walk(structure.graph, "")
    return items


def inspect_file(path: str | os.PathLike, with_stats: bool = False) -> dict:
    """The inspection report of a model or weights file (the `schema` document).

    Args:
        path: a `.keras`, `.h5` or `.weights.h5` file.
        with_stats: read the weight values and add each weight's statistics.

    Raises:
        LoadError: the file is missing, damaged or not a Keras file.
    """
    path = os.fspath(path)
    structure = read_structure(path, load_weights=with_stats)
    data, graph, unmatched = structure.data, structure.graph, structure.unmatched
    builder = _Builder(data, with_stats)
    model = None
    if graph is not None:
        sequential_like = graph_mod.is_sequential_like(graph)
        layers = [builder.layer_json(node, graph, sequential_like) for node in graph.layers]
        flat_weights = weights_mod.all_weights(graph)
        if graph.kind == "other":
            layers, flat_weights = builder.bare_layers()
        model = {
            "class_name": graph.class_name,
            "name": graph.name,
            "kind": graph.kind,
            "sequential_like": sequential_like,
            "inputs": _io_json(graph, graph.inputs, graph.input_shapes, sequential=True),
            "outputs": _io_json(graph, graph.outputs, graph.output_shapes),
        }
    else:
        layers, flat_weights = builder.bare_layers()
    if unmatched:
        builder.warn(None, "unmatched_weights",
                     f"{len(unmatched)} stored weight(s) match no layer of the config: "
                     f"{', '.join(unmatched[:5])}{' ...' if len(unmatched) > 5 else ''}")

    trainable = [w for w in flat_weights if w.trainable]
    frozen = [w for w in flat_weights if not w.trainable]
    optimizer = builder.optimizer_arrays()
    metric_arrays = [a for key, group in (data.vars or {}).items()
                     if key.startswith("metrics/") for a in group.arrays]
    optimizer_count = sum(int(a.size) for a in optimizer)
    optimizer_bytes = sum(int(a.size) * _itemsize(a.dtype) for a in optimizer)
    iterations = None
    if optimizer and isinstance(optimizer[0], np.ndarray) and optimizer[0].shape == () and \
            optimizer[0].dtype.kind in "iu":
        iterations = int(optimizer[0])
    totals = {
        "params": sum(w.size for w in flat_weights),
        "trainable_params": sum(w.size for w in trainable),
        "non_trainable_params": sum(w.size for w in frozen),
        "params_bytes": sum(_weight_bytes(w) for w in flat_weights),
        "trainable_bytes": sum(_weight_bytes(w) for w in trainable),
        "non_trainable_bytes": sum(_weight_bytes(w) for w in frozen),
        "optimizer_params": optimizer_count if optimizer else None,
        "optimizer_bytes": optimizer_bytes if optimizer else None,
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "file": {
            "path": path,
            "size_bytes": os.path.getsize(path),
            "format": data.format,
            "format_description": FORMATS.get(data.format, data.format),
            "keras_version": data.keras_version or data.metadata.get("keras_version"),
            "backend": data.backend,
            "date_saved": data.metadata.get("date_saved"),
        },
        "model": model,
        "layers": layers,
        "totals": totals,
        "training": builder.training(),
        "optimizer_state": {
            "stored": bool(optimizer),
            "variables": len(optimizer),
            "params": optimizer_count,
            "bytes": optimizer_bytes,
            "iterations": iterations,
        },
        "metrics_state": {"stored": bool(metric_arrays), "variables": len(metric_arrays)},
        "unmatched_weights": unmatched,
        "warnings": builder.warnings,
    }


def _io_json(graph: graph_mod.ModelGraph, refs: list, shapes: list | None,
             sequential: bool = False) -> list[dict]:
    if graph.kind == "sequential":
        if sequential:
            name = graph.input_layer.name if graph.input_layer is not None else "input"
            shape = (graph.input_shapes or [None])[0]
            return [{"name": name, "shape": _shape_json(shape)}]
        last = graph.layers[-1].name if graph.layers else "output"
        out = (graph.output_shapes or [None])
        return [{"name": last, "shape": _shape_json(s)} for s in out]
    shapes = shapes or [None] * len(refs)
    return [{"name": ref.layer, "shape": _shape_json(shape)} for ref, shape in zip(refs, shapes)]


def flatten_layers(report: dict) -> list[dict]:
    """Every layer of the report, nested ones after their model, depth first."""
    return _flatten_layers(report["layers"])
