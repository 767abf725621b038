"""`Variable` and the stateless scope: the one seam between stateful Keras objects and pure JAX.

A Variable holds a JAX array. Reading `variable.value` normally returns that array, but inside a
`StatelessScope` it returns the array the scope maps the variable to, and `assign` records the new
value in the scope instead of mutating the variable. This is how an ordinary, stateful `call()`
runs as a pure function of its variables under `jax.jit` / `jax.grad`:

    with StatelessScope({v: array for v, array in zip(variables, values)}) as scope:
        outputs = layer(inputs)
    new_values = [scope.get(v) for v in variables]
"""

import threading

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import naming, tracking
from lamina._src.backend.dtypes import is_float_dtype, standardize_dtype
from lamina._src.backend.transfer import to_device

_local = threading.local()


def _canonical(dtype) -> str:
    """The dtype JAX will really store: 64-bit types narrow to 32-bit unless x64 is enabled.

    Keras's JAX backend follows the same silent rule and, like it, a Variable keeps reporting
    the dtype it was declared with (`float64`), which is what summaries and configs show.
    """
    return jnp.dtype(jax.dtypes.canonicalize_dtype(standardize_dtype(dtype))).name


def _scopes() -> list:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class StatelessScope:
    """Maps variables to values for the code run inside it; collects their assignments."""

    def __init__(self, state_mapping=None, collect_losses: bool = False):
        self._values: dict[int, jax.Array] = {}
        self._assigned: dict[int, jax.Array] = {}
        self.collect_losses = collect_losses
        self.losses: list = []
        for variable, value in state_mapping or ():
            self._values[id(variable)] = value

    def __enter__(self):
        _scopes().append(self)
        return self

    def __exit__(self, *exc):
        _scopes().pop()

    def get_current_value(self, variable: "Variable"):
        return self._values.get(id(variable))

    def add_update(self, variable: "Variable", value) -> None:
        self._values[id(variable)] = value
        self._assigned[id(variable)] = value

    def get(self, variable: "Variable"):
        """The variable's value at the end of the scope (the mapped or assigned one)."""
        value = self._values.get(id(variable))
        return variable._value if value is None else value

    def was_assigned(self, variable: "Variable") -> bool:
        return id(variable) in self._assigned


def in_stateless_scope() -> bool:
    return bool(_scopes())


def get_stateless_scope() -> StatelessScope | None:
    scopes = _scopes()
    return scopes[-1] if scopes else None


class allocation_budget:
    """Inside it, creating Variables whose total size exceeds `max_bytes` calls `on_exceed`
    (which raises) before anything is allocated. Loading a file uses it so a config that
    declares absurd sizes (`units=10**9`) is refused instead of exhausting memory."""

    def __init__(self, max_bytes: int, on_exceed):
        self.max_bytes = int(max_bytes)
        self.used = 0
        self.on_exceed = on_exceed

    def __enter__(self):
        self._previous = getattr(_local, "budget", None)
        _local.budget = self
        return self

    def __exit__(self, *exc):
        _local.budget = self._previous

    def charge(self, name: str, shape, dtype) -> None:
        size = 1
        for d in shape:
            size *= int(d)
        nbytes = size * np.dtype(dtype).itemsize
        if self.used + nbytes > self.max_bytes:
            self.on_exceed(name, tuple(shape), nbytes, self.max_bytes - self.used)
        self.used += nbytes


class AutocastScope:
    """Inside it, float variables read in `dtype` (mixed precision: float32 storage, f16 math)."""

    def __init__(self, dtype):
        self.dtype = None if dtype is None else standardize_dtype(dtype)

    def __enter__(self):
        self._previous = getattr(_local, "autocast", None)
        _local.autocast = self
        return self

    def __exit__(self, *exc):
        _local.autocast = self._previous


def _autocast_dtype():
    scope = getattr(_local, "autocast", None)
    return None if scope is None else scope.dtype


class Variable:
    """A named, stateful array owned by a layer, optimizer or metric.

    Args:
        initializer: an initializer (callable `(shape, dtype) -> array`), or an initial value.
        shape: the shape; taken from the value when `initializer` is an array.
        dtype: the storage dtype (default: floatx).
        trainable: whether gradients update it.
        name: the short name (`kernel`); `path` adds the enclosing name scopes.
        autocast: whether mixed-precision layers read it in their compute dtype.
    """

    def __init__(
        self,
        initializer,
        shape=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "mean",
        name: str | None = None,
    ):
        name = name or naming.auto_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Variable names must be strings without '/', received {name!r}.")
        self._name = name
        parent = naming.current_path()
        self._path = f"{parent}/{name}" if parent else name
        self._trainable = trainable
        tracking.bump()
        self._autocast = autocast
        self.aggregation = aggregation
        self.constraint = None
        self.regularizer = None
        # Variables may be created while a layer is first called inside a jax trace (jit,
        # eval_shape): their initial values must still be concrete arrays, not tracers.
        with jax.ensure_compile_time_eval():
            self._init_value(initializer, shape, dtype)

    def _init_value(self, initializer, shape, dtype):
        name = self._name
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{name}': a shape is required when the initializer is callable."
                )
            if any(int(d) < 0 for d in shape):
                raise ValueError(f"Variable '{self._path}': negative dimension in shape {tuple(shape)}.")
            self._dtype = standardize_dtype(dtype)
            self._storage_dtype = _canonical(self._dtype)
            budget = getattr(_local, "budget", None)
            if budget is not None:
                budget.charge(self._path, shape, self._storage_dtype)
            value = initializer(tuple(shape), dtype=self._storage_dtype)
        else:
            if dtype is None and not isinstance(initializer, Variable):
                kind = np.asarray(initializer).dtype
                dtype = None if kind.kind == "f" else kind  # floats default to floatx, as in Keras
            value = to_value(initializer)
            self._dtype = standardize_dtype(dtype)
            self._storage_dtype = _canonical(self._dtype)
        self._value = self._convert(value, shape)

    def _convert(self, value, expected_shape=None):
        value = to_device(value, self._storage_dtype)
        if expected_shape is not None and tuple(value.shape) != tuple(expected_shape):
            raise ValueError(
                f"Variable '{self.path}' expects shape {tuple(expected_shape)}, "
                f"received a value of shape {tuple(value.shape)}."
            )
        return value

    # -- the value, read through the active scopes ---------------------------------------
    @property
    def value(self) -> jax.Array:
        scope = get_stateless_scope()
        value = None
        if scope is not None:
            value = scope.get_current_value(self)
        if value is None:
            value = self._value
        cast = _autocast_dtype()
        if cast is not None and self._autocast and is_float_dtype(self._dtype) and cast != self._storage_dtype:
            return value.astype(cast)
        return value

    def assign(self, value) -> "Variable":
        value = to_device(value, self._storage_dtype)
        if value.shape != self.shape:
            raise ValueError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable '{self.path}' "
                f"of shape {self.shape}."
            )
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update(self, value)
        else:
            self._value = value
        return self

    def assign_add(self, value) -> "Variable":
        return self.assign(self.value + value)

    def assign_sub(self, value) -> "Variable":
        return self.assign(self.value - value)

    # -- attributes ------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool):
        if bool(value) != self._trainable:
            self._trainable = bool(value)
            tracking.bump()

    @property
    def name(self) -> str:
        return self._name

    @property
    def path(self) -> str:
        return self._path

    @property
    def shape(self) -> tuple:
        return tuple(self._value.shape)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numpy(self) -> np.ndarray:
        return np.asarray(self.value)

    def __array__(self, dtype=None, copy=None):
        array = np.asarray(self.value)
        return array if dtype is None else array.astype(dtype)

    def __jax_array__(self):
        return self.value

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={np.asarray(self._value)}>"
        )

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, idx):
        return self.value[idx]

    # Arithmetic reads the value, so `variable * 2` works as it does in Keras.
    def __neg__(self):
        return -self.value

    def __pos__(self):
        return self.value

    def __abs__(self):
        return abs(self.value)

    def __add__(self, o):
        return self.value + o

    def __radd__(self, o):
        return o + self.value

    def __sub__(self, o):
        return self.value - o

    def __rsub__(self, o):
        return o - self.value

    def __mul__(self, o):
        return self.value * o

    def __rmul__(self, o):
        return o * self.value

    def __truediv__(self, o):
        return self.value / o

    def __rtruediv__(self, o):
        return o / self.value

    def __matmul__(self, o):
        return self.value @ o

    def __rmatmul__(self, o):
        return o @ self.value

    def __pow__(self, o):
        return self.value**o

    def __lt__(self, o):
        return self.value < o

    def __le__(self, o):
        return self.value <= o

    def __gt__(self, o):
        return self.value > o

    def __ge__(self, o):
        return self.value >= o

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    __hash__ = object.__hash__


def to_value(x):
    """A Variable's current value; anything else unchanged."""
    return x.value if isinstance(x, Variable) else x
