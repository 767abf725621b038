"""`KerasTensor`: a symbolic tensor (shape, dtype, history) flowing through the functional API."""

from lamina._src.backend.dtypes import standardize_dtype


class KerasTensor:
    """A placeholder with a shape (None for unknown dims) and a dtype, made by `Input()` or by
    calling a layer or op on other KerasTensors. `_keras_history` records where it came from:
    `(operation, node_index, tensor_index)`."""

    def __init__(self, shape, dtype="float32", sparse: bool = False, name: str | None = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.sparse = sparse
        self.name = name
        self._keras_history = None
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __iter__(self):
        raise NotImplementedError(
            "Iterating over a symbolic KerasTensor is not supported. Use lamina.ops.unstack or "
            "index it (x[:, 0])."
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor has no truth value; it holds no data yet.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic KerasTensor cannot be converted to a NumPy array: it holds no data. "
            "Call the model on real arrays, or use lamina.ops on symbolic tensors."
        )

    def __hash__(self):
        return id(self)

    # Arithmetic builds graph nodes through lamina.ops.
    def _op(name):
        def method(self, *args):
            from lamina._src.ops import numpy as knp

            return getattr(knp, name)(self, *args)

        return method

    def _rop(name):
        def method(self, other):
            from lamina._src.ops import numpy as knp

            return getattr(knp, name)(other, self)

        return method

    __add__ = _op("add")
    __radd__ = _rop("add")
    __sub__ = _op("subtract")
    __rsub__ = _rop("subtract")
    __mul__ = _op("multiply")
    __rmul__ = _rop("multiply")
    __truediv__ = _op("divide")
    __rtruediv__ = _rop("divide")
    __floordiv__ = _op("floor_divide")
    __mod__ = _op("mod")
    __pow__ = _op("power")
    __rpow__ = _rop("power")
    __matmul__ = _op("matmul")
    __rmatmul__ = _rop("matmul")
    __neg__ = _op("negative")
    __abs__ = _op("abs")
    __lt__ = _op("less")
    __le__ = _op("less_equal")
    __gt__ = _op("greater")
    __ge__ = _op("greater_equal")
    __getitem__ = _op("get_item")
    __and__ = _op("logical_and")
    __or__ = _op("logical_or")
    __invert__ = _op("logical_not")
    del _op, _rop

    def reshape(self, *shape):
        from lamina._src.ops import numpy as knp

        return knp.reshape(self, shape[0] if len(shape) == 1 else shape)

    def astype(self, dtype):
        from lamina._src.ops import numpy as knp

        return knp.cast(self, dtype)


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)


def any_symbolic_tensors(args=(), kwargs=None) -> bool:
    from lamina._src.utils.tree import flatten

    return any(isinstance(x, KerasTensor) for x in flatten((args, kwargs or {})))
