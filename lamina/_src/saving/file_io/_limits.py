"""Size limits and the byte budget every read is charged against before it allocates."""

from __future__ import annotations

import math

from ..errors import LoadError, UnsafeFileError

MAX_CONFIG_BYTES = 64 * 2**20  # a config.json / model_config attribute
MAX_METADATA_BYTES = 2**20  # metadata.json
MAX_JSON_DEPTH = 200  # nesting of arrays/objects in any JSON config
MAX_H5_OBJECTS = 200_000  # links walked in one HDF5 file
MAX_H5_DEPTH = 64  # group nesting in one HDF5 file
MAX_CHUNKS = 65_536  # chunks of one HDF5 dataset
MAX_COMPRESSION_RATIO = 1_100  # deflate cannot do better than ~1032:1
MAX_NAMES = 1_000_000  # entries in a layer_names / weight_names list
MAX_NAME_CHUNKS = 10_000  # layer_names0, layer_names1, ...
MAX_ZIP_MEMBERS = 10_000


def where(path: str, member: str | None = None) -> str:
    return f"'{path}' (member {member})" if member else f"'{path}'"


def fail(path: str, problem: str, member: str | None = None) -> LoadError:
    """A `LoadError` that names the file and the problem (raise it)."""
    return LoadError(f"Cannot load {where(path, member)}: {problem}")


def refuse(path: str, problem: str, member: str | None = None) -> UnsafeFileError:
    """An `UnsafeFileError` that names the file and why it was refused (raise it)."""
    return UnsafeFileError(f"Refusing to load {where(path, member)}: {problem}")


class Budget:
    """The bytes a read may still allocate; every allocation is charged before it happens."""

    def __init__(self, path: str, total: int):
        if not isinstance(total, int) or total < 0:
            raise ValueError(f"max_total_bytes must be a non-negative int; received {total!r}.")
        self.path = path
        self.total = total
        self.remaining = total

    def take(self, nbytes: int, what: str, member: str | None = None) -> None:
        if nbytes > self.remaining:
            raise refuse(
                self.path,
                f"{what} needs {nbytes:,} bytes, which exceeds the remaining budget of "
                f"{self.remaining:,} bytes (max_total_bytes={self.total:,}). Raise "
                "max_total_bytes if you trust this file.",
                member,
            )
        self.remaining -= nbytes


def declared_nbytes(shape: tuple[int, ...], itemsize: int) -> int:
    return math.prod(shape) * itemsize


class Source:
    """The file (or archive member) being read: for error messages and size checks."""

    def __init__(
        self, path: str, size: int, budget: Budget, member: str | None = None, load: bool = True
    ):
        self.path = path
        self.size = size
        self.budget = budget
        self.member = member
        self.load = load
        self.raw = None  # the seekable byte stream an HDF5 file is read from
        self.h5file = None  # the open h5py.File, once there is one
        self.heaps: dict[int, dict[int, int]] = {}  # checked global heap collections

    def fail(self, problem: str) -> LoadError:
        return fail(self.path, problem, self.member)

    def refuse(self, problem: str) -> UnsafeFileError:
        return refuse(self.path, problem, self.member)

    def take(self, nbytes: int, what: str) -> None:
        self.budget.take(nbytes, what, self.member)
