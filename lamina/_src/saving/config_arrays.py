"""Arrays inside configs: Keras 3's `__numpy__` / `__tensor__` envelopes, decoded safely.

Keras writes an array argument (a `Constant` initializer's value, a per-channel `Rescaling`
scale) as `{"class_name": "__numpy__", "config": {"value": <nested list>, "dtype": "float32"}}`.
Decoding one with `np.asarray(value, dtype=<dtype from the file>)` lets the file pick an object
dtype, or a subarray dtype such as `"(20000000,)f8"` that turns a few bytes into 160 MB. Here the
dtype must be a plain numeric or bool name, the nested list must be rectangular and hold only
numbers, and its element count is charged against a fixed cap and the load's allocation budget
before the array is made.
"""

from __future__ import annotations

import numpy as np

from lamina._src.backend import variables as _variables
from lamina._src.saving.errors import UnsafeFileError

ARRAY_CLASS_NAMES = ("__numpy__", "__tensor__")

# The dtype names Keras writes (`keras.backend.standardize_dtype`), and nothing else.
_DTYPES = (
    "bool",
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "float16", "bfloat16", "float32", "float64",
    "complex64", "complex128",
)

# The most bytes one config array may decode to, whatever the budget (a config.json is at most
# 64 MiB of text, so no genuine config array comes near this).
MAX_CONFIG_ARRAY_BYTES = 64 * 2**20


def is_array_envelope(value) -> bool:
    """Whether `value` is a `__numpy__` / `__tensor__` envelope."""
    return isinstance(value, dict) and value.get("class_name") in ARRAY_CLASS_NAMES


def decode_array(value, what: str) -> np.ndarray:
    """A `__numpy__` / `__tensor__` envelope -> a numpy array, after checking it is harmless.

    Args:
        value: the envelope, as read from the config.
        what: where it sits, for error messages (e.g. "the `value` of a Constant initializer").

    Returns:
        A numpy array (callers turn a `__tensor__` into a backend array).

    Raises:
        UnsafeFileError: the dtype is not a plain numeric/bool name, the value is not a
            rectangular nested list of numbers, or it is larger than the cap or the budget.
    """
    inner = value.get("config")
    if not isinstance(inner, dict):
        raise _refuse(what, f"its config must be a dict with 'value' and 'dtype', got {inner!r}")
    dtype = _dtype(inner.get("dtype"), what)
    data = inner.get("value")
    shape = _shape_of(data, what)
    count = 1
    for dim in shape:
        count *= dim
    nbytes = count * dtype.itemsize
    if nbytes > MAX_CONFIG_ARRAY_BYTES:
        raise _refuse(
            what,
            f"an array of shape {shape} ({nbytes:,} bytes) exceeds the {MAX_CONFIG_ARRAY_BYTES:,}"
            "-byte cap on arrays stored in a config",
        )
    budget = getattr(_variables._local, "budget", None)  # set by load_model while it builds
    if budget is not None:
        budget.charge(what, shape, dtype)
    try:
        return np.asarray(data, dtype=dtype)
    except (OverflowError, ValueError, TypeError) as e:
        raise _refuse(what, f"its values do not fit dtype {dtype.name!r} ({e})") from e


def _dtype(name, what: str) -> np.dtype:
    if not isinstance(name, str) or name not in _DTYPES:
        raise _refuse(
            what,
            f"dtype {name!r} is not allowed; config arrays must have one of the plain numeric "
            f"dtypes {', '.join(_DTYPES)} (object, string, structured and subarray dtypes are "
            "refused)",
        )
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _shape_of(data, what: str) -> tuple[int, ...]:
    """The shape of a rectangular nested list of numbers (walked without recursion)."""
    shape: list[int] = []
    level = [data]
    while True:
        lists = [isinstance(item, list) for item in level]
        if not any(lists):
            break
        if not all(lists) or len({len(item) for item in level}) != 1:
            raise _refuse(what, f"the value is not a rectangular nested list (at depth {len(shape)})")
        shape.append(len(level[0]))
        level = [x for item in level for x in item]
    for item in level:
        if not isinstance(item, bool | int | float):
            raise _refuse(
                what, f"the value holds {type(item).__name__} {item!r}; only numbers are allowed"
            )
    return tuple(shape)


def _refuse(what: str, problem: str) -> UnsafeFileError:
    return UnsafeFileError(f"Refusing to load {what}: {problem}.")
