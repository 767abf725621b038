"""The Keras mask side channel: a boolean array attached to a value array.

Keras marks padded time steps (a `Masking` layer's output) and ignored classes
(`SparseCategoricalCrossentropy(ignore_class=...)`) by attaching a mask to the array itself, as the
attribute `_keras_mask`. Losses and metrics read it to leave those entries out of their averages.
JAX tracers refuse new attributes, so for them the mask lives in a side table keyed by the
array's id, cleared when the array is garbage-collected (the same fallback Keras uses).
"""

import weakref

_SIDE_TABLE: dict[int, object] = {}


def set_keras_mask(x, mask) -> None:
    """Attach `mask` to the array `x` (or clear it with `mask=None`)."""
    try:
        x._keras_mask = mask
        return
    except AttributeError:
        pass
    key = id(x)
    if mask is None:
        _SIDE_TABLE.pop(key, None)
        return
    _SIDE_TABLE[key] = mask
    weakref.finalize(x, _SIDE_TABLE.pop, key, None)


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    mask = getattr(x, "_keras_mask", None)
    if mask is None:
        mask = _SIDE_TABLE.get(id(x))
    return mask
