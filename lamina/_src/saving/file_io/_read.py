"""`read_model_file`: sniff the bytes, then read a `.keras` zip or an HDF5 file as plain data."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import h5py

from ..errors import LoadError
from ._h5_read import read_h5
from ._limits import Budget, Source, fail
from ._types import ModelFile
from ._zip_read import read_keras_archive

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

# What h5py, zipfile and the C libraries under them raise on damaged input. They are turned
# into a LoadError naming the file; lamina's own LoadErrors pass through unchanged.
_MALFORMED = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    RuntimeError,
    OverflowError,
    EOFError,
    MemoryError,
    NotImplementedError,
    UnicodeError,
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
)


def sniff(stream, size: int) -> str | None:
    """ "hdf5", "zip" or None, from the magic bytes (HDF5 may sit after a user block)."""
    stream.seek(0)
    head = stream.read(8)
    if head[:4] in ZIP_SIGNATURES:
        return "zip"
    offset = 0
    while offset + 8 <= size:
        if offset:
            stream.seek(offset)
            head = stream.read(8)
        if head == HDF5_SIGNATURE:
            return "hdf5"
        offset = 512 if offset == 0 else offset * 2
    return None


def read_model_file(
    path: str | os.PathLike, *, max_total_bytes: int = 4 * 2**30, load_weights: bool = True
) -> ModelFile:
    """Read any Keras model or weights file into plain data, without building anything.

    The format is detected from the content: a zip is a `.keras` archive, an HDF5 file is a
    legacy model (`model_weights` group), a legacy weights file (root `layer_names`) or a Keras
    3 weights file (`layers/.../vars` groups), whatever the file is called.

    Args:
        path: the file to read.
        max_total_bytes: the most bytes the read may allocate (archive members held in memory
            plus every array). Sizes are checked against it, and against the bytes the file
            really stores, before anything is allocated.
        load_weights: when False, arrays are not read: each is an `ArraySpec` (shape and
            dtype). Every safety check still runs, so the verdict on a file is the same.

    Returns:
        A `ModelFile`.

    Raises:
        LoadError: the file is missing, truncated or not a Keras file; the message names the
            file and the problem.
        UnsafeFileError: the file was refused for safety (links or data outside the file, zip
            traversal names, sizes over the budget, configs nested too deeply, ...).

    Example:
        >>> data = read_model_file("model.keras")
        >>> data.model_config["class_name"], sorted(data.vars)[:2]
        ('Sequential', ['', 'layers/dense'])
    """
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    budget = Budget(path, max_total_bytes)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError as e:
        raise fail(path, "no such file.") from e
    except IsADirectoryError as e:
        raise fail(path, "it is a directory, not a model file.") from e
    except OSError as e:
        raise fail(path, f"it cannot be opened ({e}).") from e
    try:
        with stream:
            size = os.fstat(stream.fileno()).st_size
            source = Source(path, size, budget, load=load_weights)
            source.raw = stream
            kind = sniff(stream, size)
            if kind == "zip":
                return read_keras_archive(stream, source)
            if kind == "hdf5":
                stream.seek(0)
                with h5py.File(stream, "r") as h5file:
                    return read_h5(h5file, source)
            raise fail(
                path,
                "it is neither an HDF5 file nor a zip archive (the Keras formats: .h5, "
                ".weights.h5, .keras). Is it empty or truncated?",
            )
    except LoadError:
        raise
    except RecursionError as e:
        raise fail(path, "its structure is nested too deeply.") from e
    except _MALFORMED as e:
        raise fail(
            path, f"the file is damaged or not a valid Keras file ({type(e).__name__}: {e})."
        ) from e
