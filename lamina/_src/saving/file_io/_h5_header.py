"""Read the declared lengths of a variable-length attribute straight from its object header.

HDF5 allocates a variable-length value from the length written next to it *before* it finds
out how many bytes are really stored, so one damaged length field makes it allocate
gigabytes. Before such an attribute is read, this module finds the attribute message in the
object header (versions 1 and 2, with continuation blocks) and sums the lengths it declares,
so the reader can compare them with the file size and its limits first, and checks the
global heap collection they point to (HDF5 parses a damaged one forever). Attributes that
cannot be located this way (dense or shared attribute storage, which Keras never writes) are
refused rather than read blind.
"""

from __future__ import annotations

import h5py

from ._limits import Source

_ATTRIBUTE = 0x000C
_CONTINUATION = 0x0010
_ATTRIBUTE_INFO = 0x0015
_MAX_MESSAGES = 100_000
_MAX_BLOCKS = 10_000


def _u(data: bytes, start: int, size: int) -> int:
    return int.from_bytes(data[start : start + size], "little")


def _pad8(n: int) -> int:
    return (n + 7) & ~7


class _Header:
    def __init__(self, source: Source, h5file: h5py.File):
        plist = h5file.id.get_create_plist()
        self.offset_size, self.length_size = plist.get_sizes()
        self.base = plist.get_userblock()
        self.source = source

    def read(self, address: int, count: int) -> bytes:
        start = self.base + address
        if address < 0 or count < 0 or start + count > self.source.size:
            raise self.source.fail("an HDF5 object header points past the end of the file.")
        raw = self.source.raw
        position = raw.tell()
        try:
            raw.seek(start)
            data = raw.read(count)
        finally:
            raw.seek(position)
        if len(data) != count:
            raise self.source.fail("an HDF5 object header is truncated.")
        return data

    def messages(self, address: int):
        """Yield `(type, flags, body)` for every message of the object header at `address`."""
        prefix = self.read(address, min(48, self.source.size - self.base - address))
        if prefix[:4] == b"OHDR":
            version, flags = prefix[4], prefix[5]
            position = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 0x3)
            blocks = [(address + position + width, _u(prefix, position, width), False)]
        elif prefix[:1] == b"\x01":
            version, flags = 1, 0
            blocks = [(address + 16, _u(prefix, 8, 4), False)]
        else:
            raise self.source.fail("an HDF5 object header has an unknown version.")
        count = 0
        for block_number, (start, length, continued) in enumerate(blocks):
            if block_number >= _MAX_BLOCKS:
                raise self.source.refuse("an HDF5 object header has too many continuation blocks.")
            data = self.read(start, length)
            if version == 2 and continued:
                if data[:4] != b"OCHK":
                    raise self.source.fail("an HDF5 object header continuation block is damaged.")
                data = data[4:-4]
            head = (4 + (2 if flags & 0x04 else 0)) if version == 2 else 8
            position = 0
            while position + head <= len(data):
                if version == 2:
                    kind, size, message_flags = (
                        data[position],
                        _u(data, position + 1, 2),
                        data[position + 3],
                    )
                else:
                    kind, size, message_flags = (
                        _u(data, position, 2),
                        _u(data, position + 2, 2),
                        data[position + 4],
                    )
                body = data[position + head : position + head + size]
                position += head + size
                if len(body) != size:
                    raise self.source.fail("an HDF5 object header message is truncated.")
                count += 1
                if count > _MAX_MESSAGES:
                    raise self.source.refuse("an HDF5 object header has too many messages.")
                if kind == _CONTINUATION:
                    target = _u(body, 0, self.offset_size)
                    target_length = _u(body, self.offset_size, self.length_size)
                    blocks.append((target, target_length, True))
                yield kind, message_flags, body


def _heap_objects(header: _Header, address: int) -> dict[int, int]:
    """`{index: size}` of a global heap collection, after checking its structure.

    HDF5 trusts these sizes when it parses the collection (a free-space entry of size 0 makes
    it loop forever), so they are checked here first.
    """
    length_size = header.length_size
    start = header.read(address, 8 + length_size)
    if start[:4] != b"GCOL" or start[4] != 1:
        raise header.source.fail("a global heap collection is damaged (bad signature).")
    size = _u(start, 8, length_size)
    if size < 8 + length_size or header.base + address + size > header.source.size:
        raise header.source.fail("a global heap collection is damaged (bad size).")
    data = header.read(address, size)
    objects: dict[int, int] = {}
    position = 8 + length_size
    object_header = 8 + length_size  # index, reference count, reserved, size
    while position + object_header <= size:
        index = _u(data, position, 2)
        object_size = _u(data, position + 8, length_size)
        need = object_size if index == 0 else object_header + _pad8(object_size)
        if need <= 0 or need > size - position:
            raise header.source.fail("a global heap collection is damaged (bad object size).")
        if index:
            objects[index] = object_size
        position += need
    return objects


def _attribute_data(body: bytes, name: bytes) -> bytes | None:
    """The data part of an attribute message, or None if the message is another attribute."""
    version = body[0] if body else 0
    if version not in (1, 2, 3):
        return None
    name_size, type_size, space_size = _u(body, 2, 2), _u(body, 4, 2), _u(body, 6, 2)
    position = 9 if version == 3 else 8
    if body[position : position + name_size].rstrip(b"\x00") != name:
        return None
    pad = _pad8 if version == 1 else int
    return body[position + pad(name_size) + pad(type_size) + pad(space_size) :]


def declared_vlen_bytes(obj, name: str, count: int, source: Source, h5file: h5py.File) -> int:
    """The total length that the `count` variable-length elements of attribute `name` declare."""
    header = _Header(source, h5file)
    address = h5py.h5o.get_info(obj.id).addr
    raw_name = name.encode("utf-8")
    dense = False
    for kind, flags, body in header.messages(address):
        if kind == _ATTRIBUTE_INFO:
            dense = True
        if kind != _ATTRIBUTE:
            continue
        if flags & 0x02:
            dense = True  # a shared attribute message: its body is only a reference
            continue
        data = _attribute_data(body, raw_name)
        if data is None:
            continue
        element = 4 + header.offset_size + 4  # length, global heap collection, object index
        if len(data) < count * element:
            raise source.fail(f"attribute '{name}' of '{obj.name}' is truncated.")
        total = 0
        collections = source.heaps  # collections already checked in this file
        for i in range(count):
            start = i * element
            length = _u(data, start, 4)
            if length == 0:
                continue
            total += length
            if total > source.size:
                break  # the caller refuses it by size; no need to look further
            address = _u(data, start + 4, header.offset_size)
            index = _u(data, start + 4 + header.offset_size, 4)
            if address not in collections:
                collections[address] = _heap_objects(header, address)
            if collections[address].get(index) != length:
                raise source.fail(
                    f"attribute '{name}' of '{obj.name}' does not match the global heap object "
                    "it points to (damaged file)."
                )
        return total
    if dense:
        raise source.refuse(
            f"attribute '{name}' of '{obj.name}' is kept in HDF5 dense or shared attribute "
            "storage, where its size cannot be checked before reading."
        )
    raise source.fail(f"attribute '{name}' of '{obj.name}' is missing from its object header.")
