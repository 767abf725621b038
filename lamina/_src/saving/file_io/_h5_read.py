"""Read the three HDF5 layouts (legacy model, legacy weights, Keras 3 weights) into plain data."""

from __future__ import annotations

import re

import h5py

from ._h5_attrs import read_name_list, read_string
from ._h5_checks import H5Tree, join, read_array, walk
from ._json import check_envelope, parse_json_dict
from ._limits import MAX_CONFIG_BYTES, Source
from ._types import LegacyLayerWeights, ModelFile, VarsGroup

_SMALL_STRING = 4096  # keras_version, backend, a vars group's name
_INDEX = re.compile(r"0|[1-9][0-9]*")
_V3_ROOTS = ("layers", "vars", "optimizer", "metrics", "_layer_checkpoint_dependencies")


def detect_layout(h5file: h5py.File, tree: H5Tree, source: Source) -> str:
    """Which Keras layout an HDF5 file holds, from its content."""
    if "model_weights" in tree.groups or h5py.h5a.exists(h5file.id, b"model_config"):
        return "legacy_h5"
    if h5py.h5a.exists(h5file.id, b"layer_names") or h5py.h5a.exists(h5file.id, b"layer_names0"):
        return "legacy_weights_h5"
    if any(name in tree.groups for name in _V3_ROOTS):
        return "weights_v3"
    raise source.fail(
        "this HDF5 file is not a Keras model or weights file: it has no 'model_weights' group, "
        "no 'layer_names' attribute and no 'layers' or 'vars' group."
    )


def read_h5(h5file: h5py.File, source: Source) -> ModelFile:
    """Check and read an open HDF5 file of any Keras layout (`source.raw` is its byte stream)."""
    source.h5file = h5file
    tree = walk(h5file, source)
    layout = detect_layout(h5file, tree, source)
    if layout == "weights_v3":
        return ModelFile(path=source.path, format=layout, vars=read_vars_groups(tree, source))
    result = ModelFile(path=source.path, format=layout)
    weights_root = "model_weights" if layout == "legacy_h5" else ""
    if layout == "legacy_h5":
        if "model_weights" not in tree.groups:
            raise source.fail("it has a 'model_config' but no 'model_weights' group.")
        result.model_config = _json_attr(h5file, "model_config", source)
        if result.model_config is not None:
            check_envelope(
                result.model_config, path=source.path, what="model_config", member=source.member
            )
        result.training_config = _json_attr(h5file, "training_config", source)
    version_holders = [h5file, tree.groups[weights_root]]
    result.keras_version = _first_string(version_holders, "keras_version", source)
    result.backend = _first_string(version_holders, "backend", source)
    result.layers, result.top_level_weights = _read_legacy_layers(tree, weights_root, source)
    if layout == "legacy_h5" and "optimizer_weights" in tree.groups:
        result.optimizer_weights = _read_weight_list(tree, "optimizer_weights", source)
    return result


def _json_attr(h5file, name: str, source: Source) -> dict | None:
    text = read_string(h5file, name, source, max_bytes=MAX_CONFIG_BYTES, where="the file root")
    if text is None:
        return None
    return parse_json_dict(
        text,
        path=source.path,
        what=f"the '{name}' attribute",
        max_bytes=MAX_CONFIG_BYTES,
        member=source.member,
    )


def _first_string(holders, name: str, source: Source) -> str | None:
    for holder in holders:
        where = f"group '{holder.name}'"
        value = read_string(holder, name, source, max_bytes=_SMALL_STRING, where=where)
        if value is not None:
            return value
    return None


def _read_legacy_layers(tree: H5Tree, root: str, source: Source):
    root_group = tree.groups[root]
    where = f"group '{root_group.name}'"
    names = read_name_list(root_group, "layer_names", source, where=where)
    if names is None:
        raise source.fail(f"{where} has no 'layer_names' attribute.")
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise source.fail(f"'layer_names' of {where} lists {duplicates} more than once.")
    layers = []
    for name in names:
        group_path = join(root, name)
        if group_path not in tree.groups:
            raise source.fail(
                f"'layer_names' lists layer '{name}' but there is no group '{group_path}'."
            )
        layers.append(
            LegacyLayerWeights(name=name, weights=_read_weight_list(tree, group_path, source))
        )
    top_level = join(root, "top_level_model_weights")
    top_weights = []
    if top_level in tree.groups and top_level not in {join(root, n) for n in names}:
        top_weights = _read_weight_list(tree, top_level, source)
    return layers, top_weights


def _read_weight_list(tree: H5Tree, group_path: str, source: Source):
    group = tree.groups[group_path]
    where = f"group '{group.name}'"
    names = read_name_list(group, "weight_names", source, where=where)
    if names is None:
        raise source.fail(f"{where} has no 'weight_names' attribute.")
    weights = []
    for name in names:
        dataset_path = join(group_path, name)
        dataset = tree.datasets.get(dataset_path) if name and not name.startswith("/") else None
        if dataset is None:
            raise source.fail(
                f"{where} lists weight '{name}' but there is no dataset '{dataset_path}'."
            )
        weights.append((name, read_array(dataset, dataset_path, source)))
    return weights


def _is_vars(path: str) -> bool:
    return path == "vars" or path.endswith("/vars")


def read_vars_groups(tree: H5Tree, source: Source) -> dict[str, VarsGroup]:
    """Keras 3 layout: every `.../vars` group with its datasets `0`, `1`, ... in numeric order."""
    members: dict[str, dict[int, str]] = {path: {} for path in tree.groups if _is_vars(path)}
    for path in tree.datasets:
        parent, _, leaf = path.rpartition("/")
        if parent not in members:
            raise source.fail(
                f"dataset '{path}' is not inside a 'vars' group, as the Keras 3 weights layout "
                "requires."
            )
        if not _INDEX.fullmatch(leaf):
            raise source.fail(
                f"dataset '{path}' should be named by its index ('0', '1', ...), found '{leaf}'."
            )
        members[parent][int(leaf)] = path
    result = {}
    for group_path in sorted(members):
        indices = members[group_path]
        if sorted(indices) != list(range(len(indices))):
            raise source.fail(
                f"group '{group_path}' should hold datasets 0..{len(indices) - 1}; found "
                f"{sorted(indices)}."
            )
        name = read_string(
            tree.groups[group_path],
            "name",
            source,
            max_bytes=_SMALL_STRING,
            where=f"group '{group_path}'",
        )
        arrays = [
            read_array(tree.datasets[indices[i]], indices[i], source) for i in range(len(indices))
        ]
        key = group_path[: -len("vars")].rstrip("/")
        result[key] = VarsGroup(name=name, arrays=arrays)
    return result
