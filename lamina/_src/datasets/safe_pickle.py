"""Reading the pickled parts of Keras's data sets without running code from the file.

Two of the downloaded formats contain pickles: the CIFAR batch files (a pickled `dict` of bytes,
lists and one `uint8` array) and the `imdb.npz` / `reuters.npz` archives (object arrays of Python
lists, which `.npy` stores as a pickle). Plain `pickle.load` would let a tampered file call any
importable function. `load_pickle` instead builds objects only from pickle's own opcodes
(dicts, lists, tuples, strings, bytes, numbers, None, booleans) plus numpy arrays and scalars,
and those are never built by numpy's unpickling machinery: `find_class` answers the names an
array pickle mentions (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype`, and
`numpy.core.multiarray.scalar` for numpy numbers) with small stand-ins that only record their
arguments, and the arrays are assembled afterwards from the raw bytes with `np.frombuffer`
(numeric dtypes only; structured dtypes are refused) or, for object arrays, from the
already-unpickled list of elements. Any other name raises
`pickle.UnpicklingError`, so a hostile file can at worst fail to load.

Numeric `.npy` members are read with `allow_pickle=False`; only object arrays come here.
"""

import io
import pickle
import zipfile

import numpy as np

# The numpy module that defines `_reconstruct` moved in numpy 2 (`numpy._core`); files written
# by Python 2 (the CIFAR batches) name `numpy.core.multiarray`.
_RECONSTRUCT = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}
# Numpy scalars (e.g. an `np.int64` inside a list of an object array), pickled by value.
_SCALAR = {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}
# Plain numeric kinds: bool, signed/unsigned int, float, complex; "O" only for object arrays.
_NUMERIC_KINDS = frozenset("biufc")


def _text(value) -> str:
    # Python 2 pickles read with encoding="bytes" give `bytes` where numpy expects `str`.
    return value.decode("latin1") if isinstance(value, bytes) else value


class _NDArrayClass:
    """What `numpy.ndarray` resolves to: only a marker passed to `_reconstruct`."""

    def __init__(self, *args, **kwargs):
        raise pickle.UnpicklingError(
            "`numpy.ndarray` may only appear as `_reconstruct`'s argument."
        )


class _DTypeStandIn:
    """Records `numpy.dtype(spec, align, copy)` and its pickled state; `build()` checks them."""

    def __init__(self, spec, align=False, copy=True):
        self.spec = _text(spec)
        self.byteorder = "="

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 8:
            raise pickle.UnpicklingError(f"Unexpected dtype state {state!r}.")
        subarray, names, fields = state[2], state[3], state[4]
        if subarray is not None or names is not None or fields is not None:
            raise pickle.UnpicklingError("Refusing a structured or sub-array dtype.")
        self.byteorder = _text(state[1])

    def build(self) -> np.dtype:
        if not isinstance(self.spec, str) or self.byteorder not in ("<", ">", "|", "="):
            raise pickle.UnpicklingError(f"Unexpected dtype {self.spec!r} ({self.byteorder!r}).")
        dtype = np.dtype(self.spec)
        if dtype.kind not in _NUMERIC_KINDS and dtype.kind != "O":
            raise pickle.UnpicklingError(f"Refusing the dtype {self.spec!r}: not numeric.")
        return dtype.newbyteorder(self.byteorder) if self.byteorder in "<>" else dtype


class _ArrayStandIn:
    """Records `ndarray.__setstate__`'s state; `build()` assembles the real array from it."""

    def __init__(self):
        self.state = None

    def __setstate__(self, state):
        self.state = state

    def build(self) -> np.ndarray:
        state = self.state
        if isinstance(state, tuple) and len(state) == 5:  # (version, shape, dtype, fortran, data)
            state = state[1:]
        if not isinstance(state, tuple) or len(state) != 4:
            raise pickle.UnpicklingError("Unexpected array state in the pickle.")
        shape, dtype, fortran, data = state
        if not isinstance(dtype, _DTypeStandIn) or not isinstance(shape, tuple):
            raise pickle.UnpicklingError("Unexpected array state in the pickle.")
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise pickle.UnpicklingError(f"Invalid array shape {shape!r} in the pickle.")
        dtype = dtype.build()
        order = "F" if fortran else "C"
        size = int(np.prod(shape, dtype=np.int64))
        if dtype.kind == "O":
            if not isinstance(data, list) or len(data) != size:
                raise pickle.UnpicklingError("Object array data is not a list of its elements.")
            flat = np.empty(size, dtype=object)
            for i, element in enumerate(data):  # element-wise: a list element must stay a list
                flat[i] = _materialize(element)
            return flat.reshape(shape, order=order)
        if isinstance(data, str):  # a Python 2 `str` read with encoding="latin1"
            data = data.encode("latin1")
        if not isinstance(data, bytes | bytearray) or len(data) != size * dtype.itemsize:
            raise pickle.UnpicklingError(
                f"Array data of {len(data) if isinstance(data, bytes) else type(data).__name__} "
                f"bytes does not fit shape {shape} and dtype {dtype}."
            )
        return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()


class _ScalarStandIn:
    """Records `numpy.core.multiarray.scalar(dtype, data)`: one numpy number (or object)."""

    def __init__(self, dtype, data=None):
        self.dtype = dtype
        self.data = data

    def build(self):
        if not isinstance(self.dtype, _DTypeStandIn):
            raise pickle.UnpicklingError("Unexpected numpy scalar in the pickle.")
        dtype = self.dtype.build()
        if dtype.kind == "O":
            return _materialize(self.data)
        data = self.data.encode("latin1") if isinstance(self.data, str) else self.data
        if not isinstance(data, bytes) or len(data) != dtype.itemsize:
            raise pickle.UnpicklingError(f"Invalid data for a numpy {dtype} scalar.")
        return np.frombuffer(data, dtype=dtype)[0]


def _reconstruct(cls, shape, typecode):
    if cls is not _NDArrayClass:
        raise pickle.UnpicklingError("`_reconstruct` may only build a `numpy.ndarray`.")
    return _ArrayStandIn()


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can only build builtin containers/scalars and plain numpy arrays."""

    def find_class(self, module: str, name: str):
        if (module, name) in _RECONSTRUCT:
            return _reconstruct
        if (module, name) in _SCALAR:
            return _ScalarStandIn
        if (module, name) == ("numpy", "ndarray"):
            return _NDArrayClass
        if (module, name) == ("numpy", "dtype"):
            return _DTypeStandIn
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` from a data set file: only plain data and numpy "
            "arrays are allowed. The file may be corrupted or malicious; delete it so it is "
            "downloaded again."
        )

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("Refusing a pickle with persistent ids.")


def _materialize(obj):
    """Replaces the array stand-ins inside the unpickled containers by real arrays."""
    if isinstance(obj, _ArrayStandIn | _DTypeStandIn | _ScalarStandIn):
        return obj.build()
    if isinstance(obj, dict):
        return {_materialize(k): _materialize(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_materialize(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_materialize(v) for v in obj)
    return obj


def load_pickle(file, encoding: str = "ASCII", source: str = "the file"):
    """Unpickles `file` (a binary file object) with `RestrictedUnpickler`.

    Args:
        file: Binary file object positioned at the pickle.
        encoding: How Python 2 `str` objects are decoded; `"bytes"` keeps them as bytes.
        source: The file's name, for error messages.

    Raises:
        ValueError: if the pickle holds anything but plain data and numeric/object arrays.
    """
    try:
        return _materialize(RestrictedUnpickler(file, encoding=encoding).load())
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"Could not read {source} safely: {e}") from e


def _read_npy(raw: bytes, source: str) -> np.ndarray:
    try:
        return np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except ValueError as e:
        if "allow_pickle" not in str(e):
            raise ValueError(f"Could not read {source}: {e}") from e
    # An object array: the header, then one pickle of the whole array.
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, _ = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        # 3.0 only differs from 2.0 by a UTF-8 (not latin-1) header; the layout is the same.
        shape, _, _ = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"Could not read {source}: unsupported .npy version {version}.")
    array = load_pickle(stream, encoding="latin1", source=source)
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"Could not read {source}: the pickled array does not match its header.")
    return array


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Reads every array of the `.npz` file at `path`, unpickling object arrays safely."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".npy"):
                key = name[: -len(".npy")]
                arrays[key] = _read_npy(archive.read(name), f"{path} (array {key!r})")
    return arrays
