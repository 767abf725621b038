"""Walk an HDF5 file without following anything but hard links; check and read datasets.

Every object is reached through hard links only: soft links, external links and
user-defined links are refused wherever they appear, as are datasets whose data lives
outside the file (external storage, virtual datasets) and datasets that declare more bytes
than they store. Nothing is read from a dataset before its size has been charged to the
budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import h5py
import numpy as np

from ._h5_attrs import read_string
from ._limits import MAX_CHUNKS, MAX_COMPRESSION_RATIO, MAX_H5_DEPTH, MAX_H5_OBJECTS, Source
from ._types import ArraySpec

# HDF5 filters that h5py decodes itself; any other id would make HDF5 look for a plugin.
_SAFE_FILTERS = {
    h5py.h5z.FILTER_DEFLATE: "deflate",
    h5py.h5z.FILTER_SHUFFLE: "shuffle",
    h5py.h5z.FILTER_FLETCHER32: "fletcher32",
    32000: "lzf",
}


@dataclass
class H5Tree:
    """Every group and dataset of a checked file, by path ("" is the root)."""

    groups: dict[str, h5py.Group] = field(default_factory=dict)
    datasets: dict[str, h5py.Dataset] = field(default_factory=dict)


def join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def walk(root: h5py.Group, source: Source) -> H5Tree:
    """Map and check every object of the file; refuse any link that is not a hard link."""
    tree = H5Tree()
    tree.groups[""] = root
    seen = {root.id: "/"}
    stack = [("", root, 0)]
    count = 0
    while stack:
        group_path, group, depth = stack.pop()
        for raw_name in group.id:
            count += 1
            if count > MAX_H5_OBJECTS:
                raise source.refuse(f"it holds more than {MAX_H5_OBJECTS:,} HDF5 objects.")
            name = raw_name.decode("utf-8")
            path = join(group_path, name)
            link_type = group.id.links.get_info(raw_name).type
            if link_type == h5py.h5l.TYPE_SOFT:
                raise source.refuse(
                    f"'{path}' is an HDF5 soft link; links are never followed when loading."
                )
            if link_type == h5py.h5l.TYPE_EXTERNAL:
                raise source.refuse(
                    f"'{path}' is an HDF5 external link to another file; links to other files "
                    "are never followed when loading."
                )
            if link_type != h5py.h5l.TYPE_HARD:
                raise source.refuse(f"'{path}' is a user-defined HDF5 link (type {link_type}).")
            object_id = h5py.h5o.open(group.id, raw_name)
            if object_id in seen:
                raise source.fail(
                    f"'{path}' is a second link to the object at '{seen[object_id]}'; Keras "
                    "files store every object once."
                )
            seen[object_id] = path
            if isinstance(object_id, h5py.h5g.GroupID):
                if depth + 1 > MAX_H5_DEPTH:
                    raise source.refuse(f"its groups are nested more than {MAX_H5_DEPTH} deep.")
                child = h5py.Group(object_id)
                tree.groups[path] = child
                stack.append((path, child, depth + 1))
            elif isinstance(object_id, h5py.h5d.DatasetID):
                dataset = h5py.Dataset(object_id)
                check_storage(dataset, path, source)
                tree.datasets[path] = dataset
            # Named datatypes hold no data: nothing to check or read.
    return tree


def check_storage(dataset: h5py.Dataset, path: str, source: Source) -> None:
    """Refuse data stored outside the file, unknown filters, and declared-but-unstored bytes."""
    dataset_id = dataset.id
    space = dataset_id.get_space()
    if space.get_simple_extent_type() == h5py.h5s.NULL:
        raise source.fail(f"dataset '{path}' has no dataspace (an HDF5 null dataspace).")
    plist = dataset_id.get_create_plist()
    layout = plist.get_layout()
    if layout == h5py.h5d.VIRTUAL:
        raise source.refuse(
            f"dataset '{path}' is an HDF5 virtual dataset, which maps data from other files."
        )
    if plist.get_external_count() > 0:
        raise source.refuse(
            f"dataset '{path}' keeps its data in external files "
            f"({plist.get_external(0)[0]!r}, ...); data is only read from inside the file."
        )
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    for code in filters:
        if code not in _SAFE_FILTERS:
            raise source.refuse(
                f"dataset '{path}' uses HDF5 filter {code}, which lamina does not decode "
                f"(supported: {', '.join(_SAFE_FILTERS.values())})."
            )
    shape = space.shape
    itemsize = dataset_id.get_type().get_size()
    nbytes = math.prod(shape) * itemsize
    if nbytes == 0:
        return
    stored = dataset_id.get_storage_size()
    short = (
        f"dataset '{path}' declares {nbytes:,} bytes (shape {shape}) but the file stores "
        f"{stored:,} bytes for it"
    )
    if layout == h5py.h5d.CONTIGUOUS:
        offset = dataset_id.get_offset()
        if offset is None or stored != nbytes:
            raise source.refuse(f"{short}; the rest would be invented fill values.")
        if offset + nbytes > source.size:
            raise source.fail(f"dataset '{path}' ends past the end of the file (truncated?).")
    elif layout == h5py.h5d.COMPACT:
        if stored != nbytes:
            raise source.refuse(f"{short}.")
    elif layout == h5py.h5d.CHUNKED:
        _check_chunks(dataset, path, source, shape, itemsize, nbytes, bool(filters))
    else:
        raise source.fail(f"dataset '{path}' has an unknown HDF5 storage layout ({layout}).")


def _check_chunks(dataset, path, source, shape, itemsize, nbytes, filtered) -> None:
    chunk_shape = dataset.id.get_create_plist().get_chunk()
    expected = math.prod(-(-s // c) for s, c in zip(shape, chunk_shape))
    if expected > MAX_CHUNKS:
        raise source.refuse(
            f"dataset '{path}' has {expected:,} chunks; the limit is {MAX_CHUNKS:,}."
        )
    allocated = dataset.id.get_num_chunks()
    if allocated != expected:
        raise source.refuse(
            f"dataset '{path}' declares shape {shape} in {expected:,} chunks but the file stores "
            f"{allocated:,} of them; the rest would be invented fill values."
        )
    chunk_nbytes = math.prod(chunk_shape) * itemsize
    total = 0
    for index in range(allocated):
        info = dataset.id.get_chunk_info(index)
        if info.byte_offset is None or info.byte_offset + info.size > source.size:
            raise source.fail(f"a chunk of dataset '{path}' lies past the end of the file.")
        if not filtered and info.size != chunk_nbytes:
            raise source.fail(
                f"a chunk of dataset '{path}' has {info.size} bytes, not {chunk_nbytes}."
            )
        total += info.size
    if nbytes > total * MAX_COMPRESSION_RATIO:
        raise source.refuse(
            f"dataset '{path}' would expand {total:,} stored bytes to {nbytes:,} bytes, more than "
            f"{MAX_COMPRESSION_RATIO}:1."
        )


def _bfloat16():
    try:
        import ml_dtypes
    except ImportError as e:  # pragma: no cover - ml_dtypes ships with jax
        raise ImportError("Reading bfloat16 weights needs the `ml_dtypes` package.") from e
    return np.dtype(ml_dtypes.bfloat16)


def _is_bfloat16(dataset: h5py.Dataset, path: str, source: Source) -> bool:
    where = f"dataset '{path}'"
    return read_string(dataset, "dtype", source, max_bytes=64, where=where) == "bfloat16"


def read_array(dataset: h5py.Dataset, path: str, source: Source):
    """The dataset as a numpy array (or an `ArraySpec` when `source.load` is False).

    Only plain numeric dtypes (and Keras's tagged bfloat16) are accepted; the bytes are
    charged to the budget before anything is allocated.
    """
    dtype = dataset.dtype
    shape = tuple(dataset.shape)
    bfloat16 = False
    if (
        dtype.kind == "V"
        and dtype.itemsize == 2
        and dtype.fields is None
        and dtype.subdtype is None
    ):
        if not _is_bfloat16(dataset, path, source):
            raise source.refuse(f"dataset '{path}' holds opaque 2-byte values not tagged bfloat16.")
        bfloat16 = True
    elif dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        raise source.refuse(
            f"dataset '{path}' has dtype {dtype}; weights must be plain numbers (bool, int, "
            "uint, float, complex or bfloat16), never objects, strings or nested types."
        )
    nbytes = math.prod(shape) * dtype.itemsize
    source.take(nbytes, f"dataset '{path}' (shape {shape}, {dtype})")
    out_dtype = _bfloat16() if bfloat16 else dtype
    if not source.load:
        return ArraySpec(shape=shape, dtype=out_dtype)
    array = np.empty(shape, dtype=dtype)
    if array.size:
        dataset.read_direct(array)
    return array.view(out_dtype) if bfloat16 else array
