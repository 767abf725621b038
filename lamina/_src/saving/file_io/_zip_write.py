"""Write a `.keras` archive the way Keras 3 does: three stored members, weights in HDF5."""

from __future__ import annotations

import io
import os
import zipfile

import h5py

from ._atomic import atomic_path
from ._h5_write import _check_vars, _json_bytes, write_vars_to
from ._types import VarsGroup

# Fixed member dates (the zip epoch) make the archive reproducible for equal inputs.
_DATE = (1980, 1, 1, 0, 0, 0)


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    return info


def write_keras_archive(
    path: str | os.PathLike, config: dict, vars: dict[str, VarsGroup], metadata: dict
) -> None:
    """Write a Keras 3 `.keras` archive (atomically).

    Members, all stored uncompressed: `metadata.json`, `config.json` (the model envelope, with
    `compile_config` at its top level when the model was compiled) and `model.weights.h5`
    (the `vars` layout of `write_weights_v3`).

    Args:
        path: the file to write.
        config: the model's `{"class_name", "config", ...}` envelope.
        vars: object path -> `VarsGroup`, as for `write_weights_v3`.
        metadata: written as `metadata.json`, e.g. `{"keras_version": "3.15.1",
            "date_saved": "2026-01-01@12:00:00"}`.

    Raises:
        TypeError, ValueError: the arguments are not of the documented types.
        SaveError: writing failed; an existing file at `path` is unchanged.
    """
    path = os.fspath(path)
    config_bytes = _json_bytes(config, "config")
    metadata_bytes = _json_bytes(metadata, "metadata")
    checked = _check_vars(vars)
    with atomic_path(path) as temp:
        weights = io.BytesIO()
        with h5py.File(weights, "w") as h5file:
            write_vars_to(h5file, checked)
        with open(temp, "wb") as stream:
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(_member("metadata.json"), metadata_bytes)
                archive.writestr(_member("config.json"), config_bytes)
                # Released on the way out, failure included: a traceback that keeps the view
                # alive puts the BytesIO's buffer in a reference cycle, and CPython 3.12.0-3.12.1
                # crash collecting one (python/cpython#111049).
                with weights.getbuffer() as view:
                    archive.writestr(_member("model.weights.h5"), view)
            stream.flush()
            os.fsync(stream.fileno())
