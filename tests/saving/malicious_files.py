"""Generators of hostile and damaged model files for the loader tests (benign payloads).

Each `make_*` function writes one file into `folder` and returns its path. They start from the
real Keras fixtures where that makes the attack realistic (a correct `.keras` archive plus one
bad member, a real weights file plus one bad link). The cases follow
`shared/docs/loading-security.md`; the number in each docstring is its case number there.

Also here: `load_file_io_standalone`, which imports `lamina._src.saving.file_io` without running
`lamina/__init__.py` (which imports JAX), for subprocess checks.
"""

from __future__ import annotations

import random
import shutil
import stat
import struct
import sys
import types
import warnings
import zipfile
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO.parent / "shared" / "keras-fixtures"
SEED_KERAS = FIXTURES / "keras3_jax" / "seed_mlp.keras"
SEED_H5 = FIXTURES / "keras3_jax" / "seed_mlp.h5"
SEED_WEIGHTS = FIXTURES / "keras3_tf" / "seed_mlp.weights.h5"
SEED_LEGACY_WEIGHTS = FIXTURES / "tf_keras2" / "seed_mlp_weights.h5"


def load_file_io_standalone(repo: Path = REPO):
    """Import `lamina._src.saving.file_io` with empty stand-ins for its parent packages.

    Use only in a fresh process: the stand-ins replace the real `lamina` package there.
    """
    for name, folder in (
        ("lamina", "lamina"),
        ("lamina._src", "lamina/_src"),
        ("lamina._src.saving", "lamina/_src/saving"),
    ):
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [str(repo / folder)]
            sys.modules[name] = module
    import lamina._src.saving.file_io as file_io

    return file_io


# -- .keras archives ---------------------------------------------------------------------------
def keras_members(source: Path = SEED_KERAS) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(source) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_zip(path: Path, members, compression=zipfile.ZIP_STORED) -> Path:
    """Write `(name or ZipInfo, bytes)` members in order; duplicates are allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


def make_keras_with_member(folder: Path, member_name: str, file_name="evil.keras") -> Path:
    """21: a correct archive plus one member with a hostile name (`../../evil`, `/etc/x`...)."""
    members = keras_members() + [(member_name, b"touch marker\n")]
    return write_zip(folder / file_name, members)


def make_keras_duplicate_config(folder: Path) -> Path:
    """22: two `config.json` members; which one wins would be ambiguous."""
    members = keras_members()
    other = {"class_name": "Sequential", "config": {"name": "other", "layers": []}}
    members.append(("config.json", str(other).replace("'", '"').encode()))
    return write_zip(folder / "duplicate.keras", members)


def make_keras_symlink_member(folder: Path) -> Path:
    """23: a member whose Unix mode says it is a symbolic link."""
    info = zipfile.ZipInfo("assets/link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    members = keras_members() + [(info, b"/etc/passwd")]
    return write_zip(folder / "symlink.keras", members)


def _patch_sizes(data: bytearray, name: bytes, declared: int) -> None:
    """Set the uncompressed size of member `name` in its local and central headers."""
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)


def make_zip_bomb(folder: Path, member="config.json", declared=3 * 2**30) -> Path:
    """20: a deflated member that declares ~3 GiB from a few KiB of compressed bytes."""
    members = []
    for name, data in keras_members():
        if name == member:
            data = data + b" " * 2**20  # compresses to about 1 KiB
        members.append((name, data))
    path = write_zip(folder / f"bomb_{member}.keras", members, compression=zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    _patch_sizes(data, member.encode(), declared)
    path.write_bytes(bytes(data))
    return path


def make_keras_bzip2(folder: Path) -> Path:
    """A member compressed with a method other than stored/deflated (bzip2)."""
    return write_zip(folder / "bzip2.keras", keras_members(), compression=zipfile.ZIP_BZIP2)


def make_keras_with_config(folder: Path, config: bytes, name="config.keras") -> Path:
    """18/19: a correct archive whose `config.json` is replaced by `config`."""
    members = [(n, config if n == "config.json" else d) for n, d in keras_members()]
    return write_zip(folder / name, members)


def deep_json(depth: int) -> bytes:
    """18: `{"class_name": "X", "config": [[[[...]]]]}` nested `depth` levels."""
    return b'{"class_name": "X", "config": ' + b"[" * depth + b"]" * depth + b"}"


def make_keras_with_weights(folder: Path, weights_file: Path, name="weights.keras") -> Path:
    """33: the same HDF5 attack inside a `.keras` archive."""
    members = [
        (n, weights_file.read_bytes() if n == "model.weights.h5" else d) for n, d in keras_members()
    ]
    return write_zip(folder / name, members)


# -- HDF5 --------------------------------------------------------------------------------------
def copy_fixture(folder: Path, source: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(source, target)
    return target


def make_h5_soft_link(folder: Path) -> Path:
    """24: a weights file where one `vars` dataset is a soft link to another."""
    path = copy_fixture(folder, SEED_WEIGHTS, "soft_link.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = h5py.SoftLink("/layers/dense_1/vars/1")
    return path


def make_h5_external_link(folder: Path, target: Path) -> Path:
    """24: a legacy model whose first layer group is an external link to another file."""
    with h5py.File(target, "w") as f:
        f.create_group("dense").attrs["weight_names"] = [b"secret"]
        f["dense/secret"] = np.zeros(3, "f4")
    path = copy_fixture(folder, SEED_H5, "external_link.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/dense"]
        f["model_weights/dense"] = h5py.ExternalLink(str(target), "/dense")
    return path


def make_h5_external_storage(folder: Path, target: Path) -> Path:
    """25: a dataset whose raw data lives in another file (`target`, e.g. /etc/passwd)."""
    path = copy_fixture(folder, SEED_WEIGHTS, "external_storage.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_dataset(
            "1", shape=(32,), dtype="f4", external=[(str(target), 0, 128)]
        )
    return path


def make_h5_virtual(folder: Path, target: Path) -> Path:
    """26: a virtual dataset mapping a dataset of another file."""
    with h5py.File(target, "w") as f:
        f["secret"] = np.arange(32, dtype="f4")
    layout = h5py.VirtualLayout(shape=(32,), dtype="f4")
    layout[:] = h5py.VirtualSource(str(target), "secret", shape=(32,))
    path = copy_fixture(folder, SEED_WEIGHTS, "virtual.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_virtual_dataset("1", layout)
    return path


def make_h5_declared_only(folder: Path, shape=(10**6, 10**6), chunks=None) -> Path:
    """27: a dataset that declares a huge shape but stores nothing (only a fill value)."""
    path = copy_fixture(folder, SEED_WEIGHTS, "declared_only.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_dataset("1", shape=shape, dtype="f4", chunks=chunks)
    return path


def make_h5_dtype(folder: Path, dtype, data) -> Path:
    """15: weights of a non-numeric dtype (strings, nested arrays)."""
    path = copy_fixture(folder, SEED_WEIGHTS, "bad_dtype.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        dataset = f["layers/dense/vars"].create_dataset("1", shape=data.shape[:1], dtype=dtype)
        dataset[...] = data
    return path


def make_h5_unknown_filter(folder: Path) -> Path:
    """A chunked dataset that names an HDF5 filter only a plugin could decode."""
    path = copy_fixture(folder, SEED_WEIGHTS, "filter.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        plist.set_chunk((32,))
        plist.set_filter(32099, h5py.h5z.FLAG_OPTIONAL, ())
        space = h5py.h5s.create_simple((32,))
        dataset_id = h5py.h5d.create(
            f["layers/dense/vars"].id, b"1", h5py.h5t.NATIVE_FLOAT, space, dcpl=plist
        )
        h5py.Dataset(dataset_id)[...] = np.zeros(32, "f4")
    return path


def make_h5_cycle(folder: Path) -> Path:
    """A group that contains a hard link to its own parent (an endless walk)."""
    path = copy_fixture(folder, SEED_WEIGHTS, "cycle.weights.h5")
    with h5py.File(path, "a") as f:
        f["layers/dense/loop"] = f["layers"]
    return path


def make_legacy_config(folder: Path, value, name="config_attr.h5") -> Path:
    """2/30: a legacy model whose `model_config` attribute is replaced by `value`."""
    path = copy_fixture(folder, SEED_H5, name)
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = value
    return path


def _attribute_value_offset(data: bytes, name: bytes) -> int:
    """Where the value of attribute `name` starts in a (version 1) attribute message."""
    position = data.find(name + b"\x00")
    name_size, type_size, space_size = struct.unpack_from("<HHH", data, position - 6)
    pad = lambda n: (n + 7) & ~7  # noqa: E731
    return position + pad(name_size) + pad(type_size) + pad(space_size)


def make_vlen_length_bomb(folder: Path) -> Path:
    """A legacy model whose `model_config` string declares 3.8 GB in a 36 KB file.

    HDF5 allocates the declared length before it reads the heap object (found by fuzzing).
    """
    data = bytearray(SEED_H5.read_bytes())
    value = _attribute_value_offset(data, b"model_config")
    struct.pack_into("<I", data, value, 0xE6000F07)
    path = folder / "vlen_bomb.h5"
    path.write_bytes(bytes(data))
    return path


def make_global_heap_loop(folder: Path) -> Path:
    """A legacy model whose global heap free-space entry has size 0.

    HDF5 loops forever parsing such a collection (found by fuzzing).
    """
    data = bytearray(SEED_H5.read_bytes())
    value = _attribute_value_offset(data, b"model_config")
    collection = struct.unpack_from("<Q", data, value + 4)[0]
    size = struct.unpack_from("<Q", data, collection + 8)[0]
    position = 16
    while position + 16 <= size:
        index, object_size = (
            struct.unpack_from("<H", data, collection + position)[0],
            struct.unpack_from("<Q", data, collection + position + 8)[0],
        )
        if index == 0:
            struct.pack_into("<Q", data, collection + position + 8, 0)
            break
        position += 16 + ((object_size + 7) & ~7)
    else:
        raise AssertionError("no free-space entry found")
    path = folder / "heap_loop.h5"
    path.write_bytes(bytes(data))
    return path


# -- damaged bytes -----------------------------------------------------------------------------
def make_truncated(folder: Path, source: Path, keep: int) -> Path:
    path = folder / f"cut{keep}_{source.name}"
    path.write_bytes(source.read_bytes()[:keep])
    return path


def mutations(source: Path, count: int, seed: int):
    """`count` copies of `source` with 1-8 bytes replaced, as (description, bytes).

    Half the edits hit the first 4 KiB and the last 1 KiB, where the HDF5 superblock, object
    headers and the zip central directory live; the rest land anywhere.
    """
    rng = random.Random(seed)
    original = source.read_bytes()
    size = len(original)
    for index in range(count):
        data = bytearray(original)
        edits = []
        for _ in range(rng.randint(1, 8)):
            if index % 2:
                position = rng.randrange(size)
            elif rng.random() < 0.7:
                position = rng.randrange(min(4096, size))
            else:
                position = size - 1 - rng.randrange(min(1024, size))
            data[position] = rng.randrange(256)
            edits.append(position)
        yield f"{source.parent.name}/{source.name} bytes {edits}", bytes(data)


def inner_mutations(folder: Path, count: int, seed: int):
    """Mutations of the `model.weights.h5` inside a `.keras` archive, re-zipped with good CRCs.

    (Mutating the archive itself mostly trips the CRC check; these reach the HDF5 reader.)
    """
    inner = folder / "inner.weights.h5"
    with zipfile.ZipFile(SEED_KERAS) as archive:
        inner.write_bytes(archive.read("model.weights.h5"))
    for description, data in mutations(inner, count, seed):
        members = [(n, data if n == "model.weights.h5" else d) for n, d in keras_members()]
        buffer = folder / "inner.keras"
        write_zip(buffer, members)
        yield f"{SEED_KERAS.name}: {description}", buffer.read_bytes()


def describe_directory(folder: Path) -> set[str]:
    """Every path under `folder` (to check that loading created nothing)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}
