"""Argument checks shared by the reshaping layers: ints -> tuples, and per-axis (before, after)
pairs for padding and cropping."""


def int_tuple(layer, value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """An int or `n` ints -> a tuple of `n` ints (> 0, or >= 0 with `allow_zero`)."""
    owner = f"{type(layer).__name__} '{layer.name}'"
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = ()
        if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool)
                                        for v in values):
            raise ValueError(
                f"{owner}: `{name}` must be an int or a tuple of {n} ints, received "
                f"{name}={value!r}."
            )
    bound, req = (0, ">= 0") if allow_zero else (1, "> 0")
    if any(v < bound for v in values):
        raise ValueError(f"{owner}: every value of `{name}` must be {req}, received {name}={value!r}.")
    return values


def axis_pairs(layer, value, n: int, name: str) -> tuple:
    """Padding/cropping per spatial axis: an int (same on every side), `n` ints (symmetric per
    axis) or `n` pairs `(before, after)` -> a tuple of `n` pairs of ints >= 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (int_tuple(layer, value, 2, name, allow_zero=True),) * n
    if not hasattr(value, "__len__") or len(value) != n:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be an int, a tuple of {n} ints "
            f"or a tuple of {n} (before, after) pairs of ints, received {name}={value!r}."
        )
    return tuple(int_tuple(layer, v, 2, f"{name}[{i}]", allow_zero=True) for i, v in enumerate(value))


def spatial_axes(data_format: str, n: int) -> tuple:
    """The input axes of the `n` spatial dimensions for a batch-first layout."""
    start = 2 if data_format == "channels_first" else 1
    return tuple(range(start, start + n))
