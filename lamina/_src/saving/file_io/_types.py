"""The plain data a model file holds: configs and named arrays, no lamina objects."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class LegacyLayerWeights:
    """One layer group of a legacy HDF5 file.

    Attributes:
        name: the layer name, as listed in the file's `layer_names`.
        weights: `(weight_name, array)` pairs in the file's `weight_names` order (trainable
            weights first, then non-trainable ones). The names are stored verbatim, e.g.
            `"dense/kernel:0"` (tf.keras 2) or `"sequential/dense/kernel"` (Keras 3).
    """

    name: str
    weights: list[tuple[str, np.ndarray]]


@dataclass
class VarsGroup:
    """The `vars` group of one object in a Keras 3 weights file.

    Attributes:
        name: the group's `name` attribute (the layer's real name); `None` when absent, as in
            files written by tf.keras.
        arrays: the datasets `"0"`, `"1"`, ... in numeric order.
    """

    name: str | None
    arrays: list[np.ndarray]


@dataclass(frozen=True)
class ArraySpec:
    """Shape and dtype of a stored array whose values were not read (`load_weights=False`).

    It answers `shape`, `dtype`, `ndim`, `size` and `nbytes` like an array does, so code that
    only describes weights (`lamina inspect`, parameter counts) works on either.
    """

    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize


@dataclass
class ModelFile:
    """Everything a model or weights file holds, as plain Python and numpy data.

    Attributes:
        path: the file that was read.
        format: what the content is (detected from the bytes, not the file name):
            `"legacy_h5"` (`model.save("m.h5")`), `"legacy_weights_h5"` (tf.keras
            `save_weights("w.h5")`), `"keras_v3"` (`.keras` zip) or `"weights_v3"` (Keras 3
            `.weights.h5`).
        keras_version: the writer's Keras version, when the file records it.
        backend: the writer's backend, when the file records it.
        model_config: the parsed `{"class_name", "config", ...}` envelope; `None` for
            weights-only files.
        training_config: a legacy HDF5 file's `training_config`, parsed.
        compile_config: a `.keras` file's top-level `compile_config` (it also stays inside
            `model_config`).
        metadata: a `.keras` file's `metadata.json`, or `{}`.
        layers: legacy formats: the layer groups in `layer_names` order.
        optimizer_weights: legacy HDF5: `/optimizer_weights` in `weight_names` order.
        vars: Keras 3 formats: object path without the trailing `/vars` (`"layers/dense"`,
            `"optimizer"`, `""` for the model itself) -> its arrays.
        top_level_weights: legacy formats: the `top_level_model_weights` group (the model's
            own weights that belong to no layer; normally empty).

    With `read_model_file(..., load_weights=False)` every array is an `ArraySpec`.
    """

    path: str
    format: str
    keras_version: str | None = None
    backend: str | None = None
    model_config: dict | None = None
    training_config: dict | None = None
    compile_config: dict | None = None
    metadata: dict = field(default_factory=dict)
    layers: list[LegacyLayerWeights] | None = None
    optimizer_weights: list[tuple[str, np.ndarray]] | None = None
    vars: dict[str, VarsGroup] | None = None
    top_level_weights: list[tuple[str, np.ndarray]] = field(default_factory=list)
