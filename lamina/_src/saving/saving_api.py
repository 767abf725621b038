"""`model.save`, `load_model`, `save_weights`, `load_weights` for every Keras file format.

This layer maps models to and from plain data (configs and named arrays); reading and writing
the bytes, safely and atomically, is `lamina._src.saving.file_io`'s job.

Formats: `.keras` (Keras 3 zip), `.weights.h5` (Keras 3 weights), `.h5` (legacy HDF5: a full
model from `model.save`, or weights from tf.keras's `save_weights`).
"""

import datetime
import os
import warnings

import numpy as np

from lamina._src.backend.variables import allocation_budget
from lamina._src.saving.compile_config import (
    compile_from_config,
    get_compile_config,
    get_training_config,
)
from lamina._src.saving.errors import LoadError
from lamina._src.saving.object_paths import variable_groups
from lamina._src.saving.registry import custom_object_scope
from lamina._src.saving.serialization import deserialize_keras_object, serialize_keras_object
from lamina._src.version import __version__


class _LazyFileIO:
    """`file_io` imported on first use (it pulls in h5py and zipfile handling)."""

    def __getattr__(self, name):
        from lamina._src.saving import file_io as module

        return getattr(module, name)


file_io = _LazyFileIO()

# The Keras file-format version lamina writes (what real Keras checks in metadata.json).
KERAS_FORMAT_VERSION = "3.15.1"


def _kind(path: str, save_format: str | None = None) -> str:
    name = os.fspath(path)
    if save_format in ("h5", "hdf5"):
        return "h5"
    if save_format == "keras":
        return "keras"
    if save_format == "tf":
        raise ValueError("lamina does not write TensorFlow SavedModel directories; use .keras or .h5.")
    if name.endswith(".keras"):
        return "keras"
    if name.endswith((".h5", ".hdf5")):
        return "h5"
    raise ValueError(
        f"Cannot tell the file format of {name!r}: use a path ending in .keras (Keras 3 archive) "
        "or .h5 (legacy HDF5), or pass save_format='keras' / 'h5'."
    )


# -- model <-> config ---------------------------------------------------------------------------
def model_envelope(model, with_compile: bool = True) -> dict:
    """The model's config envelope as Keras 3 writes it in `config.json`."""
    envelope = serialize_keras_object(model)
    if type(model).__name__ == "Functional":
        envelope["module"] = "keras.src.models.functional"
        envelope["registered_name"] = "Functional"
    build = model.get_build_config() if hasattr(model, "get_build_config") else None
    envelope["build_config"] = build if build is not None else {"input_shape": None}
    if with_compile:
        envelope["compile_config"] = get_compile_config(model)
    return envelope


def model_from_envelope(envelope: dict, custom_objects=None, safe_mode: bool = True):
    if not isinstance(envelope, dict) or "class_name" not in envelope:
        raise ValueError("The model config is not a Keras object envelope (no 'class_name').")
    with custom_object_scope(custom_objects or {}):
        model = deserialize_keras_object(envelope, category="models", custom_objects=custom_objects,
                                         safe_mode=safe_mode)
        build = envelope.get("build_config")
        if not model.built and isinstance(build, dict) and build.get("input_shape") is not None:
            model.build_from_config(build)
    return model


# -- weights ------------------------------------------------------------------------------------
def _v3_vars(model, include_optimizer=True) -> dict:
    return {path: file_io.VarsGroup(name=name, arrays=[np.asarray(v.value) for v in variables])
            for path, (name, variables) in variable_groups(model, include_optimizer).items()}


def _assign_all(pairs, source: str) -> None:
    """Check every (variable, array) pair first, then assign: never half-load a model."""
    for variable, array, where in pairs:
        if tuple(array.shape) != tuple(variable.shape):
            raise LoadError(
                f"{source}: the weight for '{variable.path}' ({where}) has shape "
                f"{tuple(array.shape)}, but the model expects {tuple(variable.shape)}."
            )
    for variable, array, _ in pairs:
        variable.assign(array)


def _load_v3_vars(model, groups: dict, source: str, load_optimizer: bool, skip_mismatch=False):
    expected = variable_groups(model, include_optimizer=False)
    pairs = []
    for path, (name, variables) in expected.items():
        if not variables:
            continue
        stored = groups.get(path)
        if stored is None:
            stored = _find_by_name(groups, name, len(variables))
        if stored is None:
            raise LoadError(f"{source}: no weights stored for layer '{name}' (expected at '{path}/vars').")
        if len(stored.arrays) != len(variables):
            if skip_mismatch:
                warnings.warn(f"{source}: skipping layer '{name}': {len(stored.arrays)} stored "
                              f"weights, {len(variables)} expected.", stacklevel=3)
                continue
            raise LoadError(
                f"{source}: layer '{name}' expects {len(variables)} weights, but the file stores "
                f"{len(stored.arrays)} at '{path}/vars'."
            )
        for variable, array in zip(variables, stored.arrays):
            if skip_mismatch and tuple(array.shape) != tuple(variable.shape):
                break
        else:
            pairs.extend((v, a, path) for v, a in zip(variables, stored.arrays))
            continue
        warnings.warn(f"{source}: skipping layer '{name}': weight shapes differ.", stacklevel=3)
    _assign_all(pairs, source)
    if load_optimizer and "optimizer" in groups and getattr(model, "optimizer", None) is not None:
        _load_optimizer(model, groups["optimizer"].arrays, source)


def _find_by_name(groups: dict, name: str, count: int):
    matches = [g for g in groups.values() if g.name == name and len(g.arrays) == count]
    return matches[0] if len(matches) == 1 else None


def _load_optimizer(model, arrays: list, source: str) -> None:
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    variables = optimizer.variables
    if len(arrays) != len(variables) or any(tuple(np.shape(a)) != tuple(v.shape) for a, v in zip(arrays, variables)):
        warnings.warn(
            f"{source}: the stored optimizer state ({len(arrays)} variables) does not match the "
            f"optimizer's {len(variables)} variables (e.g. saved by another Keras version); the "
            "optimizer starts fresh.", stacklevel=3)
        return
    for variable, array in zip(variables, arrays):
        variable.assign(np.asarray(array).astype(variable.dtype))


def _legacy_order(layer) -> list:
    """tf.keras's per-layer weight order: trainable weights first, then non-trainable ones."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _legacy_layers(model) -> list:
    """One legacy group per `model.layers` entry (a Sequential's InputLayer has none)."""
    return list(model.layers)


def _legacy_weight_name(variable) -> str:
    return variable.path


def _model_legacy_layers(model) -> list:
    return [file_io.LegacyLayerWeights(name=layer.name,
                                       weights=[(_legacy_weight_name(v), np.asarray(v.value))
                                                for v in _legacy_order(layer)])
            for layer in _legacy_layers(model)]


def _load_legacy_layers(model, stored: list, source: str, by_name: bool, skip_mismatch: bool):
    """Match legacy `.h5` weight groups to layers as Keras does, check everything, then assign.

    By default the i-th layer with weights takes the i-th stored group that has weights (names
    are ignored, so a renamed model still loads). With `by_name=True` each stored group goes
    to the layers of that name; layers absent from the file keep their weights. With
    `skip_mismatch=True` a weight of another shape (and, by name, a layer whose weight count
    differs) is skipped with a warning instead of failing.
    """
    if by_name:
        index = {}
        for layer in _legacy_layers(model):
            index.setdefault(layer.name, []).append(layer)
        matches = [(layer, entry) for entry in stored for layer in index.get(entry.name, [])]
    else:
        with_weights = [layer for layer in _legacy_layers(model) if _legacy_order(layer)]
        stored_with = [entry for entry in stored if entry.weights]
        if len(stored_with) != len(with_weights):
            raise LoadError(
                f"{source}: the file holds weights for {len(stored_with)} layers "
                f"({[e.name for e in stored_with]}), but the model has {len(with_weights)} "
                f"layers with weights ({[layer.name for layer in with_weights]})."
            )
        matches = list(zip(with_weights, stored_with))
    pairs = []
    for layer, entry in matches:
        variables = _legacy_order(layer)
        if len(entry.weights) != len(variables):
            if skip_mismatch and by_name:
                warnings.warn(f"{source}: skipping layer '{layer.name}': the file stores "
                              f"{len(entry.weights)} weights, the layer has {len(variables)}.",
                              stacklevel=3)
                continue
            raise LoadError(
                f"{source}: layer '{layer.name}' (stored as '{entry.name}') expects "
                f"{len(variables)} weights, but the file stores {len(entry.weights)} "
                f"({[n for n, _ in entry.weights]})."
            )
        for variable, (name, array) in zip(variables, entry.weights):
            if skip_mismatch and tuple(array.shape) != tuple(variable.shape):
                warnings.warn(f"{source}: skipping weight '{variable.path}' of layer "
                              f"'{layer.name}': the file stores shape {tuple(array.shape)}, the "
                              f"layer expects {tuple(variable.shape)}.", stacklevel=3)
                continue
            pairs.append((variable, array, name))
    _assign_all(pairs, source)


# -- public entry points ------------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True, save_format=None, include_optimizer=True, **kwargs):
    """Save the architecture, weights, compile configuration and optimizer state."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath, save_format)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")
    if kind == "keras":
        metadata = {"keras_version": KERAS_FORMAT_VERSION, "lamina_version": __version__,
                    "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
        file_io.write_keras_archive(filepath, model_envelope(model), _v3_vars(model, include_optimizer),
                                    metadata)
        return
    optimizer_weights = None
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and getattr(optimizer, "built", False):
        optimizer_weights = [(v.path, np.asarray(v.value)) for v in optimizer.variables]
    file_io.write_legacy_h5(filepath, model_envelope(model, with_compile=False),
                            get_training_config(model) if include_optimizer else None,
                            _model_legacy_layers(model), optimizer_weights,
                            keras_version=KERAS_FORMAT_VERSION, backend="jax")


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved by Keras 3 (`.keras`, `.h5`), tf.keras 2 (`.h5`) or lamina.

    Args:
        filepath: the file.
        custom_objects: `{name: class_or_function}` for custom layers, losses, ...
        compile: restore the training configuration and optimizer state.
        safe_mode: refuse files that would run code (serialized Python lambdas). Never
            imports a module named by the file, in either mode.
    """
    filepath = os.fspath(filepath)
    data = file_io.read_model_file(filepath)
    if data.model_config is None:
        raise LoadError(
            f"{filepath}: this is a weights-only file ({data.format}); build the model and call "
            "`model.load_weights(...)` instead."
        )
    try:
        with allocation_budget(_stored_bytes(data) + _BUDGET_SLACK, _refuse_allocation(filepath)):
            model = model_from_envelope(data.model_config, custom_objects, safe_mode)
    except LoadError as e:
        if str(filepath) in str(e):
            raise
        raise type(e)(f"{filepath}: {e}") from e  # the config interpreter knows no path
    except _REBUILD_ERRORS as e:
        raise LoadError(f"{filepath}: the model config cannot be rebuilt: "
                        f"{type(e).__name__}: {e}") from e
    if data.format == "keras_v3":
        _load_v3_vars(model, data.vars or {}, filepath, load_optimizer=False)
    else:
        _load_legacy_layers(model, data.layers or [], filepath, by_name=False, skip_mismatch=False)
    if compile:
        config = data.compile_config if data.format == "keras_v3" else data.training_config
        if compile_from_config(model, config, custom_objects, source=filepath):
            stored = (data.vars or {}).get("optimizer")
            arrays = stored.arrays if stored is not None else [a for _, a in data.optimizer_weights or []]
            if arrays:
                _load_optimizer(model, arrays, filepath)
    return model


# What a crafted or corrupt config can make layer code raise while the model is rebuilt
# (absurd sizes, zero strides, runaway nesting). Other types (a NameError from code the user
# allowed with safe_mode=False) are the user's own code failing and pass through.
_REBUILD_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, ArithmeticError,
                   MemoryError, RecursionError)

# Variables a config may create beyond the bytes the file stores (optimizer-free layers such
# as seed generators, small buffers).
_BUDGET_SLACK = 16 * 2**20


def _stored_bytes(data) -> int:
    total = 0
    for entry in data.layers or []:
        total += sum(a.nbytes for _, a in entry.weights)
    for group in (data.vars or {}).values():
        total += sum(a.nbytes for a in group.arrays)
    return total


def _refuse_allocation(filepath):
    def refuse(name, shape, nbytes, left):
        raise LoadError(
            f"{filepath}: the config declares a weight '{name}' of shape {shape} ({nbytes:,} "
            f"bytes), more than the file stores ({left:,} bytes left of the weights it holds). "
            "The file is corrupt or crafted; nothing was allocated."
        )
    return refuse


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """`.weights.h5`: Keras 3's layout (optimizer included); `.h5`: tf.keras's legacy layout."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")
    if filepath.endswith(".weights.h5"):
        file_io.write_weights_v3(filepath, _v3_vars(model))
    elif filepath.endswith((".h5", ".hdf5")):
        file_io.write_legacy_h5(filepath, None, None, _model_legacy_layers(model), None,
                                keras_version=KERAS_FORMAT_VERSION, backend="jax")
    else:
        raise ValueError(
            f"save_weights needs a path ending in .weights.h5 (or .h5 for the legacy layout); "
            f"received {filepath!r}."
        )


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Load weights from any Keras weights or model file into a built model."""
    filepath = os.fspath(filepath)
    data = file_io.read_model_file(filepath)
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' is not built yet: call it on data or build it before "
            "loading weights, so its weights exist."
        )
    if data.format in ("keras_v3", "weights_v3"):
        _load_v3_vars(model, data.vars or {}, filepath, load_optimizer=True, skip_mismatch=skip_mismatch)
    else:
        _load_legacy_layers(model, data.layers or [], filepath, by_name, skip_mismatch)
