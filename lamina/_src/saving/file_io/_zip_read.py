"""Read a `.keras` zip archive from memory: named members only, sizes checked first.

Nothing is extracted to disk. Member names are validated even for members that are never
read (traversal, absolute paths, backslashes, symlinks, duplicates); only `config.json`,
`metadata.json` and `model.weights.h5` are read, each after its declared size has been
compared with its compressed size and charged to the budget.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib

import h5py

from ._h5_read import read_h5
from ._json import check_envelope, parse_json_dict
from ._limits import (
    MAX_COMPRESSION_RATIO,
    MAX_CONFIG_BYTES,
    MAX_METADATA_BYTES,
    MAX_ZIP_MEMBERS,
    Source,
)
from ._types import ModelFile

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_DRIVE = re.compile(r"^[A-Za-z]:")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_COPY_CHUNK = 2**20


def _check_name(info: zipfile.ZipInfo, source: Source) -> None:
    name = info.filename
    if info.orig_filename != name or "\x00" in info.orig_filename:
        raise source.refuse(f"member name {info.orig_filename!r} contains a NUL byte.")
    if not name:
        raise source.refuse("it has a member with an empty name.")
    if "\\" in name:
        raise source.refuse(f"member name {name!r} contains a backslash.")
    if name.startswith("/") or _DRIVE.match(name):
        raise source.refuse(f"member name {name!r} is an absolute path.")
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise source.refuse(f"member name {name!r} has an empty, '.' or '..' component.")
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        raise source.refuse(f"member {name!r} is a symbolic link.")


def _check_members(archive: zipfile.ZipFile, source: Source) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise source.refuse(f"it has {len(infos):,} members; the limit is {MAX_ZIP_MEMBERS:,}.")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_name(info, source)
        if info.filename in members:
            raise source.refuse(f"member {info.filename!r} appears more than once (ambiguous).")
        members[info.filename] = info
    return members


def _check_size(info: zipfile.ZipInfo, source: Source, limit: int) -> None:
    """Compare the declared sizes with each other, the archive and `limit`, before reading."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise source.fail(f"member {name!r} is encrypted.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise source.refuse(
            f"member {name!r} uses zip compression method {info.compress_type}; only stored "
            "(0) and deflated (8) members are read."
        )
    if info.header_offset + info.compress_size > source.size:
        raise source.fail(f"member {name!r} extends past the end of the archive (truncated?).")
    if info.file_size > limit:
        raise source.refuse(
            f"member {name!r} declares {info.file_size:,} bytes; the limit is {limit:,}."
        )
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        raise source.refuse(
            f"stored member {name!r} declares {info.file_size:,} bytes but occupies "
            f"{info.compress_size:,}."
        )
    if info.file_size > max(info.compress_size, 1) * MAX_COMPRESSION_RATIO:
        raise source.refuse(
            f"member {name!r} declares {info.file_size:,} bytes from {info.compress_size:,} "
            f"compressed bytes, more than deflate can produce (a zip bomb)."
        )


def _read_member(archive, info, source: Source, limit: int) -> bytes:
    _check_size(info, source, limit)
    source.take(info.file_size, f"member {info.filename!r}")
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)  # reading to EOF makes zipfile check the CRC
    if len(data) != info.file_size:
        raise source.fail(
            f"member {info.filename!r} holds {len(data):,} bytes, not {info.file_size:,}."
        )
    return data


class _Window(io.RawIOBase):
    """A read-only, seekable view of `length` bytes of `stream` starting at `start`."""

    def __init__(self, stream, start: int, length: int):
        super().__init__()
        self._stream, self._start, self._length, self._pos = stream, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self._length - self._pos))
        if count == 0:
            return 0
        self._stream.seek(self._start + self._pos)
        view = memoryview(buffer)[:count]
        got = self._stream.readinto(view)
        self._pos += got
        return got


def _stored_window(archive_file, info: zipfile.ZipInfo, source: Source) -> _Window:
    """The bytes of a stored member, in place in the archive, after checking its CRC."""
    archive_file.seek(info.header_offset)
    header = archive_file.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise source.fail(f"the local header of member {info.filename!r} is truncated.")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise source.fail(f"member {info.filename!r} has a bad local header.")
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    local_name = archive_file.read(name_length).decode(encoding, "replace")
    if local_name != info.orig_filename:
        raise source.refuse(
            f"member {info.filename!r} is named {local_name!r} in its local header (ambiguous)."
        )
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    if start + info.compress_size > source.size:
        raise source.fail(f"member {info.filename!r} extends past the end of the archive.")
    window = _Window(archive_file, start, info.compress_size)
    crc = 0
    while chunk := window.read(_COPY_CHUNK):
        crc = zlib.crc32(chunk, crc)
    if crc != info.CRC:
        raise source.fail(f"member {info.filename!r} is corrupt (CRC mismatch).")
    window.seek(0)
    return window


def read_keras_archive(archive_file, source: Source) -> ModelFile:
    """Read an open `.keras` file object (the outer file, seekable)."""
    with zipfile.ZipFile(archive_file) as archive:
        return _read_archive(archive, archive_file, source)


def _read_archive(archive: zipfile.ZipFile, archive_file, source: Source) -> ModelFile:
    members = _check_members(archive, source)
    for required in (CONFIG, WEIGHTS):
        if required not in members:
            hint = ""
            if required == WEIGHTS and "model.weights.npz" in members:
                hint = " (lamina does not read npz weights)"
            raise source.fail(f"the archive has no {required!r} member{hint}.")
    config = parse_json_dict(
        _read_member(archive, members[CONFIG], source, MAX_CONFIG_BYTES),
        path=source.path,
        what=CONFIG,
        max_bytes=MAX_CONFIG_BYTES,
    )
    check_envelope(config, path=source.path, what=CONFIG)
    compile_config = config.get("compile_config")
    if compile_config is not None and not isinstance(compile_config, dict):
        raise source.fail(f"'compile_config' in {CONFIG} should be an object or null.")
    metadata = {}
    if METADATA in members:
        metadata = parse_json_dict(
            _read_member(archive, members[METADATA], source, MAX_METADATA_BYTES),
            path=source.path,
            what=METADATA,
            max_bytes=MAX_METADATA_BYTES,
        )
    weights_info = members[WEIGHTS]
    if weights_info.compress_type == zipfile.ZIP_STORED:
        # Read in place: the bytes are not copied, so only the arrays are charged to the budget.
        _check_size(weights_info, source, source.size)
        weights_stream = _stored_window(archive_file, weights_info, source)
    else:
        weights_stream = io.BytesIO(
            _read_member(archive, weights_info, source, source.budget.remaining)
        )
    inner = Source(
        source.path, weights_info.file_size, source.budget, member=WEIGHTS, load=source.load
    )
    inner.raw = weights_stream
    if weights_stream.read(8) != b"\x89HDF\r\n\x1a\n":
        raise inner.fail("it is not an HDF5 file.")
    weights_stream.seek(0)
    with h5py.File(weights_stream, "r") as h5file:
        weights = read_h5(h5file, inner)
    if weights.format != "weights_v3":
        raise inner.fail(f"it holds the {weights.format} layout, not the Keras 3 weights layout.")
    keras_version = metadata.get("keras_version")
    backend = metadata.get("backend")
    return ModelFile(
        path=source.path,
        format="keras_v3",
        keras_version=keras_version if isinstance(keras_version, str) else None,
        backend=backend if isinstance(backend, str) else None,
        model_config=config,
        compile_config=compile_config,
        metadata=metadata,
        vars=weights.vars,
    )
