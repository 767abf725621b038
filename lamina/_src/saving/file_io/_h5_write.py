"""Write Keras 3 `.weights.h5` and legacy `.h5` layouts, with the attribute types Keras uses.

Keras stores (h5py 3): `keras_version`/`backend` on the root as UTF-8 strings (a `str` was
written); JSON configs and everything under `model_weights` as ASCII strings (bytes were
written); name lists as arrays of variable-length ASCII strings, and an empty list as a
`float64` array of shape `(0,)`. Lists bigger than 64,512 bytes are split into `name0`,
`name1`, ... like Keras does.
"""

from __future__ import annotations

import json
import os

import h5py
import numpy as np

from ._atomic import atomic_path
from ._types import LegacyLayerWeights, VarsGroup

HDF5_OBJECT_HEADER_LIMIT = 64512


def _check_array(array, where: str) -> np.ndarray:
    if not isinstance(array, np.ndarray) and not np.isscalar(array):
        raise TypeError(f"{where}: expected a numpy array; received {type(array).__name__}.")
    array = np.asarray(array)
    if _is_bfloat16(array.dtype):
        return array
    if array.dtype.kind not in "biufc" or array.dtype.fields is not None:
        raise TypeError(
            f"{where}: cannot save an array of dtype {array.dtype}; weights are numbers."
        )
    return array


def _is_bfloat16(dtype: np.dtype) -> bool:
    return dtype.kind == "V" and dtype.itemsize == 2 and dtype.name == "bfloat16"


def _create_dataset(group: h5py.Group, name: str, array: np.ndarray) -> None:
    dataset = group.create_dataset(name, data=array)
    if _is_bfloat16(array.dtype):
        dataset.attrs["dtype"] = "bfloat16"


def _write_name_list(group: h5py.Group, name: str, names: list[str]) -> None:
    encoded = [n.encode("utf-8") for n in names]
    if not encoded:
        group.attrs[name] = np.zeros((0,), dtype=np.float64)
        return
    chunks = [encoded]
    count = 1
    while any(np.array(c).nbytes > HDF5_OBJECT_HEADER_LIMIT for c in chunks):
        count += 1
        chunks = [list(c) for c in np.array_split(np.array(encoded, dtype=object), count)]
    if count == 1:
        group.attrs[name] = encoded
    else:
        for index, chunk in enumerate(chunks):
            group.attrs[f"{name}{index}"] = chunk


def _vars_group_path(key: str) -> str:
    if not isinstance(key, str) or key.startswith("/") or key.endswith("/") or "//" in key:
        raise ValueError(
            f"Invalid vars path {key!r}: use 'layers/dense' style paths ('' is the root)."
        )
    return f"{key}/vars" if key else "vars"


def _check_vars(vars: dict[str, VarsGroup]) -> dict[str, tuple[str, VarsGroup, list]]:
    if not isinstance(vars, dict):
        raise TypeError(
            f"vars must be a dict of path -> VarsGroup; received {type(vars).__name__}."
        )
    checked = {}
    for key, group in vars.items():
        group_path = _vars_group_path(key)
        if not isinstance(group, VarsGroup):
            raise TypeError(f"vars[{key!r}] must be a VarsGroup; received {type(group).__name__}.")
        arrays = [_check_array(a, f"vars[{key!r}].arrays[{i}]") for i, a in enumerate(group.arrays)]
        checked[key] = (group_path, group, arrays)
    return checked


def write_vars_to(h5file: h5py.File, checked) -> None:
    for group_path, group, arrays in checked.values():
        vars_group = h5file.create_group(group_path)
        if group.name is not None:
            vars_group.attrs["name"] = str(group.name)
        for index, array in enumerate(arrays):
            _create_dataset(vars_group, str(index), array)


def write_weights_v3(path: str | os.PathLike, vars: dict[str, VarsGroup]) -> None:
    """Write a Keras 3 `.weights.h5` file (atomically).

    Args:
        path: the file to write.
        vars: object path without `/vars` (`"layers/dense"`, `"optimizer"`, `""` for the
            model) -> its `VarsGroup`. Each becomes the group `<path>/vars` with datasets
            `"0"`, `"1"`, ... and the `name` attribute.

    Raises:
        TypeError, ValueError: the arguments are not of the documented types.
        SaveError: writing failed; an existing file at `path` is unchanged.
    """
    path = os.fspath(path)
    checked = _check_vars(vars)
    with atomic_path(path) as temp, h5py.File(temp, "w") as h5file:
        write_vars_to(h5file, checked)


def _check_weights(weights, where: str) -> list[tuple[str, np.ndarray]]:
    checked = []
    for index, item in enumerate(weights or []):
        if not (isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str)):
            raise TypeError(
                f"{where}[{index}] must be a (name, array) pair; received {item!r:.80}."
            )
        name, array = item
        if not name or name.startswith("/"):
            raise ValueError(f"{where}[{index}]: invalid weight name {name!r}.")
        checked.append((name, _check_array(array, f"{where}[{index}] ({name})")))
    return checked


def _write_weight_group(group: h5py.Group, weights: list[tuple[str, np.ndarray]]) -> None:
    _write_name_list(group, "weight_names", [name for name, _ in weights])
    for name, array in weights:
        _create_dataset(group, name, array)


def _json_bytes(value: dict, what: str) -> bytes:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict; received {type(value).__name__}.")
    try:
        return json.dumps(value).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} is not JSON-serializable: {e}") from e


def write_legacy_h5(
    path: str | os.PathLike,
    model_config: dict | None,
    training_config: dict | None,
    layers: list[LegacyLayerWeights],
    optimizer_weights: list[tuple[str, np.ndarray]] | None,
    keras_version: str,
    backend: str,
    *,
    top_level_weights: list[tuple[str, np.ndarray]] | None = None,
) -> None:
    """Write a legacy HDF5 file (atomically), as Keras's `model.save("m.h5")` does.

    With `model_config=None` the tf.keras `save_weights("w.h5")` layout is written instead: the
    layer groups and `layer_names` sit at the root, with no config and no optimizer.

    Args:
        path: the file to write.
        model_config: the model's `{"class_name", "config"}` envelope, or None.
        training_config: the legacy training config (compiled models), or None.
        layers: one entry per layer in `model.layers` order; each weight name is also its
            dataset path inside the layer group ('/' makes nested groups).
        optimizer_weights: `(name, array)` pairs for `/optimizer_weights`, or None.
        keras_version: recorded in the file, e.g. "3.15.1".
        backend: recorded in the file, e.g. "jax".
        top_level_weights: the model's own weights that belong to no layer (the
            `top_level_model_weights` group); normally none.

    Raises:
        TypeError, ValueError: the arguments are not of the documented types.
        SaveError: writing failed; an existing file at `path` is unchanged.
    """
    path = os.fspath(path)
    if model_config is None and (training_config is not None or optimizer_weights is not None):
        raise ValueError(
            "The legacy weights-only layout (model_config=None) stores no training config or "
            "optimizer weights; pass a model_config to write a full model file."
        )
    config_bytes = None if model_config is None else _json_bytes(model_config, "model_config")
    training_bytes = (
        None if training_config is None else _json_bytes(training_config, "training_config")
    )
    checked_layers = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, LegacyLayerWeights):
            raise TypeError(
                f"layers[{index}] must be a LegacyLayerWeights; received {type(layer).__name__}."
            )
        if not layer.name or "/" in layer.name or layer.name == "top_level_model_weights":
            raise ValueError(f"layers[{index}]: invalid layer name {layer.name!r}.")
        checked_layers.append(
            (layer.name, _check_weights(layer.weights, f"layers[{index}].weights"))
        )
    names = [name for name, _ in checked_layers]
    if len(set(names)) != len(names):
        raise ValueError(f"Layer names must be unique; received {names}.")
    checked_optimizer = None
    if optimizer_weights is not None:
        checked_optimizer = _check_weights(optimizer_weights, "optimizer_weights")
    checked_top = _check_weights(top_level_weights, "top_level_weights")
    for what, value in (("keras_version", keras_version), ("backend", backend)):
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a str; received {type(value).__name__}.")

    with atomic_path(path) as temp, h5py.File(temp, "w") as h5file:
        if config_bytes is None:
            weights_root = h5file
        else:
            h5file.attrs["keras_version"] = keras_version
            h5file.attrs["backend"] = backend
            h5file.attrs["model_config"] = config_bytes
            weights_root = h5file.create_group("model_weights")
        _write_name_list(weights_root, "layer_names", names)
        weights_root.attrs["backend"] = backend.encode("utf-8")
        weights_root.attrs["keras_version"] = keras_version.encode("utf-8")
        for name, weights in checked_layers:
            _write_weight_group(weights_root.create_group(name), weights)
        _write_weight_group(weights_root.create_group("top_level_model_weights"), checked_top)
        if training_bytes is not None:
            h5file.attrs["training_config"] = training_bytes
        if checked_optimizer is not None:
            _write_weight_group(h5file.create_group("optimizer_weights"), checked_optimizer)
