"""`lamina diff A B`: how two model or weights files differ, layer by layer.

Layers are matched by name (a nested model's layers as `outer/inner`); for each pair the
configs are compared key by key (nested dicts flattened to dotted keys) and the weights by
position, with the largest absolute change of each. Needs no JAX.
"""

from __future__ import annotations

from ._common import command_parser, existing_file

# Envelope bookkeeping that differs between formats without changing the model.
IGNORED_KEYS = ("shared_object_id", "module", "registered_name", "build_config")
POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy", "Policy")


def add_parser(commands):
    parser = command_parser(
        commands, "diff",
        help="compare two model or weights files: layers, configs and weights",
        description=(
            "Compare two files layer by layer: layers added or removed, config keys that "
            "changed (old -> new), weights whose shape changed, and for every weight the "
            "largest absolute change. Also compares the training configurations. Works across "
            "formats (.h5 vs .keras); the model is not built. The exit status is 0 whether or "
            "not the files differ (use --json to script)."),
        example="lamina diff before.keras after.keras",
    )
    parser.add_argument("a", metavar="A", help="the first file")
    parser.add_argument("b", metavar="B", help="the second file")
    parser.add_argument("--json", action="store_true", help="print the differences as JSON")
    parser.add_argument("--all", action="store_true",
                        help="also list weights that did not change")
    parser.set_defaults(func=run)
    return parser


def flatten(value, prefix: str = "") -> dict:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists stay values; dtype policies become their name."""
    if isinstance(value, dict) and value.get("class_name") in POLICY_CLASSES:
        value = (value.get("config") or {}).get("name", value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in IGNORED_KEYS:
                continue
            out.update(flatten(item, f"{prefix}{key}."))
        return out if out or not prefix else {prefix[:-1]: {}}
    return {prefix[:-1]: value}


def config_changes(a: dict, b: dict) -> list[dict]:
    """Key-level differences between two configs: `{"key", "a", "b"}` (missing -> absent)."""
    fa, fb = flatten(a), flatten(b)
    changes = []
    for key in sorted(set(fa) | set(fb)):
        if key in ("name",):
            continue
        va, vb = fa.get(key, "<absent>"), fb.get(key, "<absent>")
        if va != vb:
            changes.append({"key": key, "a": va, "b": vb})
    return changes


def weight_changes(wa: list, wb: list) -> list[dict]:
    import numpy as np

    out = []
    for i in range(max(len(wa), len(wb))):
        if i >= len(wa) or i >= len(wb):
            present = wa[i] if i < len(wa) else wb[i]
            out.append({"weight": present.name, "status": "only in A" if i < len(wa)
                        else "only in B", "shape_a": list(present.shape) if i < len(wa)
                        else None, "shape_b": list(present.shape) if i >= len(wa) else None,
                        "max_abs_change": None})
            continue
        x, y = wa[i], wb[i]
        name = y.name if len(y.name) <= len(x.name) else x.name
        if x.shape != y.shape:
            out.append({"weight": name, "status": "shape changed", "shape_a": list(x.shape),
                        "shape_b": list(y.shape), "max_abs_change": None})
            continue
        a = np.asarray(x.array, dtype=np.float64)
        b = np.asarray(y.array, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            delta = np.abs(a - b)
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        delta = np.where(same, 0.0, delta)
        change = float(delta.max()) if delta.size else 0.0
        if change != change:  # NaN on one side only
            change = float("inf")
        out.append({"weight": name, "status": "changed" if change else "same",
                    "shape_a": list(x.shape), "shape_b": list(y.shape),
                    "max_abs_change": change})
    return out


def compare(path_a: str, path_b: str) -> dict:
    """The differences between two files, as a JSON-able dict."""
    from .inspection.report import _optimizer_json, layer_items, read_structure

    sa, sb = read_structure(path_a, load_weights=True), read_structure(path_b, load_weights=True)
    la = {p: (c, cfg, w) for p, c, cfg, w in layer_items(sa)}
    lb = {p: (c, cfg, w) for p, c, cfg, w in layer_items(sb)}
    layers = []
    for path in list(la) + [p for p in lb if p not in la]:
        if path not in lb:
            layers.append({"layer": path, "status": "removed", "class_a": la[path][0]})
            continue
        if path not in la:
            layers.append({"layer": path, "status": "added", "class_b": lb[path][0]})
            continue
        (ca, cfa, wa), (cb, cfb, wb) = la[path], lb[path]
        # A nested model's layers are compared one by one below.
        cfa, cfb = ({k: v for k, v in c.items() if k != "layers"} for c in (cfa, cfb))
        entry = {"layer": path, "status": "same", "class_a": ca, "class_b": cb,
                 "config_changes": config_changes(cfa, cfb) if cfa and cfb else [],
                 "weights": weight_changes(wa, wb)}
        if (ca != cb and None not in (ca, cb)) or entry["config_changes"] or any(
                w["status"] != "same" for w in entry["weights"]):
            entry["status"] = "changed"
        layers.append(entry)

    def training(structure):
        data = structure.data
        if data.training_config:
            config = dict(data.training_config)
            config["optimizer"] = _optimizer_json(config.pop("optimizer_config", None))
            return config
        if data.compile_config:
            config = dict(data.compile_config)
            config["optimizer"] = _optimizer_json(config.get("optimizer"))
            return config
        return {}

    return {
        "a": {"path": path_a, "format": sa.data.format, "keras_version": sa.data.keras_version},
        "b": {"path": path_b, "format": sb.data.format, "keras_version": sb.data.keras_version},
        "model_changes": config_changes(
            {k: v for k, v in sa.graph.config.items() if k != "layers"},
            {k: v for k, v in sb.graph.config.items() if k != "layers"})
        if sa.graph and sb.graph else [],
        "layers": layers,
        "training_changes": config_changes(training(sa), training(sb)),
    }


def _short(value) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def print_diff(result: dict, show_all: bool = False) -> None:
    a, b = result["a"], result["b"]
    print(f"A: {a['path']} ({a['format']}, Keras {a['keras_version'] or '?'})")
    print(f"B: {b['path']} ({b['format']}, Keras {b['keras_version'] or '?'})")
    differences = 0
    for change in result["model_changes"]:
        differences += 1
        print(f"model: {change['key']}: {_short(change['a'])} -> {_short(change['b'])}")
    for layer in result["layers"]:
        if layer["status"] == "removed":
            differences += 1
            print(f"- {layer['layer']} ({layer['class_a'] or '?'}): only in A")
            continue
        if layer["status"] == "added":
            differences += 1
            print(f"+ {layer['layer']} ({layer['class_b'] or '?'}): only in B")
            continue
        if layer["status"] == "same" and not show_all:
            continue
        differences += layer["status"] != "same"
        marker = "~" if layer["status"] != "same" else "="
        classes = layer["class_a"] or layer["class_b"]
        if None not in (layer["class_a"], layer["class_b"]) and \
                layer["class_a"] != layer["class_b"]:
            classes = f"{layer['class_a']} -> {layer['class_b']}"
        print(f"{marker} {layer['layer']} ({classes or '?'})")
        for change in layer["config_changes"]:
            print(f"    config {change['key']}: {_short(change['a'])} -> {_short(change['b'])}")
        for w in layer["weights"]:
            if w["status"] == "same" and not show_all:
                continue
            if w["max_abs_change"] is not None:
                detail = f"max |change| = {w['max_abs_change']:.6g}"
            elif w["status"] == "shape changed":
                detail = f"shape {tuple(w['shape_a'])} -> {tuple(w['shape_b'])}"
            else:
                detail = w["status"]
            print(f"    weight {w['weight']} {tuple(w['shape_a'] or w['shape_b'])}: {detail}")
    for change in result["training_changes"]:
        differences += 1
        print(f"training: {change['key']}: {_short(change['a'])} -> {_short(change['b'])}")
    if not differences:
        print("No differences in layers, configs or weights.")


def run(args) -> int:
    import json
    import math

    existing_file(args.a)
    existing_file(args.b)
    result = compare(args.a, args.b)
    if args.json:
        for layer in result["layers"]:
            for w in layer.get("weights", []):
                if w["max_abs_change"] is not None and not math.isfinite(w["max_abs_change"]):
                    w["max_abs_change"] = None
                    w["status"] = "non-finite values differ"
        print(json.dumps(result, indent=2, default=str))
    else:
        print_diff(result, show_all=args.all)
    return 0
