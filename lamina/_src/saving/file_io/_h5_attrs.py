"""HDF5 attributes as Keras writes them: strings as bytes or str, name lists maybe chunked.

Shapes and types are checked on the attribute's header before its value is read.
"""

from __future__ import annotations

import h5py
import numpy as np

from ._h5_header import declared_vlen_bytes
from ._limits import MAX_NAME_CHUNKS, MAX_NAMES, Source


def _open(obj, name: str):
    raw = name.encode("utf-8")
    if not h5py.h5a.exists(obj.id, raw):
        return None
    return h5py.h5a.open(obj.id, raw)


def _is_string_type(dtype: np.dtype) -> bool:
    return dtype.kind == "S" or h5py.check_string_dtype(dtype) is not None


def _check_vlen(obj, name: str, attr, source: Source, limit: int, what: str) -> None:
    """Compare the lengths a variable-length attribute declares with `limit` before reading."""
    if attr.dtype.kind == "S":
        return
    count = 1 if attr.shape == () else attr.shape[0]
    declared = declared_vlen_bytes(obj, name, count, source, source.h5file)
    if declared > min(limit, source.size):
        raise source.refuse(
            f"{what} declares {declared:,} bytes of text; the limit is {min(limit, source.size):,} "
            "(the file cannot hold more)."
        )


def _decode(value, where: str, source: Source) -> str:
    if isinstance(value, np.bytes_ | bytes):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as e:
            raise source.fail(f"{where} is not valid UTF-8 ({e}).") from e
    if isinstance(value, str):
        return value
    raise source.fail(f"{where} should be a string; found {type(value).__name__}.")


def read_string(obj, name: str, source: Source, *, max_bytes: int, where: str) -> str | None:
    """A scalar string attribute (bytes or str, fixed or variable length); None if absent."""
    attr = _open(obj, name)
    if attr is None:
        return None
    what = f"attribute '{name}' of {where}"
    if attr.shape != () or not _is_string_type(attr.dtype):
        raise source.fail(
            f"{what} should be a single string; found dtype {attr.dtype} with shape {attr.shape}."
        )
    # Fixed-length strings know their size from the header; variable-length ones declare their
    # lengths in the object header, which is checked before HDF5 allocates from them.
    if attr.dtype.kind == "S" and attr.get_storage_size() > max_bytes:
        raise source.refuse(
            f"{what} is {attr.get_storage_size():,} bytes; the limit is {max_bytes:,}."
        )
    _check_vlen(obj, name, attr, source, max_bytes, what)
    text = _decode(obj.attrs[name], what, source)
    if len(text) > max_bytes:
        raise source.refuse(f"{what} is {len(text):,} characters; the limit is {max_bytes:,}.")
    return text


def _read_names(obj, name: str, attr, source: Source, where: str) -> list[str]:
    what = f"attribute '{name}' of {where}"
    if len(attr.shape) != 1:
        raise source.fail(f"{what} should be a list of names; found shape {attr.shape}.")
    if attr.shape[0] > MAX_NAMES:
        raise source.refuse(f"{what} lists {attr.shape[0]:,} names; the limit is {MAX_NAMES:,}.")
    if not _is_string_type(attr.dtype):
        if attr.shape[0] == 0:  # Keras stores an empty name list as float64 with shape (0,)
            return []
        raise source.fail(f"{what} should be a list of names; found dtype {attr.dtype}.")
    _check_vlen(obj, name, attr, source, source.size, what)
    values = obj.attrs[name]
    return [_decode(value, what, source) for value in np.asarray(values, dtype=object).ravel()]


def read_name_list(obj, name: str, source: Source, *, where: str) -> list[str] | None:
    """A name list such as `layer_names`: whole, or in chunks `name0`, `name1`, ...

    Returns None when the attribute is absent in both forms.
    """
    attr = _open(obj, name)
    if attr is not None:
        return _read_names(obj, name, attr, source, where)
    names: list[str] | None = None
    for index in range(MAX_NAME_CHUNKS + 1):
        chunk_name = f"{name}{index}"
        attr = _open(obj, chunk_name)
        if attr is None:
            return names
        if index == MAX_NAME_CHUNKS:
            raise source.refuse(f"{where} splits '{name}' into more than {MAX_NAME_CHUNKS} chunks.")
        names = (names or []) + _read_names(obj, chunk_name, attr, source, where)
        if len(names) > MAX_NAMES:
            raise source.refuse(f"{where} lists more than {MAX_NAMES:,} names in '{name}'.")
    return names
