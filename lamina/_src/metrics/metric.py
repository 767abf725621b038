"""`Metric`: streaming statistics whose state lives in non-trainable Variables.

A metric is used statefully (`update_state` per batch, `result` at the end, `reset_state` between
epochs) or purely, as the jitted train step does: `stateless_update_state(values, ...)` runs the
same `update_state` code inside a `StatelessScope` mapping the metric's variables to `values`,
and returns the new values without touching the variables.
"""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import config, naming
from lamina._src.backend.dtypes import get_policy
from lamina._src.backend.transfer import to_device
from lamina._src.backend.variables import StatelessScope, Variable
from lamina._src.saving import registry
from lamina._src.saving.registry import register


def _zeros(shape, dtype=None):
    return to_device(np.zeros(shape, dtype=dtype))


def _ones(shape, dtype=None):
    return to_device(np.ones(shape, dtype=dtype))


def _get_initializer(initializer):
    if initializer is None or initializer == "zeros":
        return _zeros
    if initializer == "ones":
        return _ones
    if isinstance(initializer, str):
        found = registry.builtin("initializers", initializer)
        if found is None:
            camel = "".join(part.capitalize() for part in initializer.split("_"))
            found = registry.builtin("initializers", camel)
        if found is None:
            raise ValueError(
                f"Unknown initializer {initializer!r} for a metric variable. Use 'zeros', "
                "'ones', or a callable `(shape, dtype) -> array`."
            )
        return found() if isinstance(found, type) else found
    if callable(initializer):
        return initializer
    raise TypeError(
        f"A metric variable's initializer must be a name or a callable `(shape, dtype) -> array`, "
        f"received {initializer!r}."
    )


@register("metrics")
class Metric:
    """Base class for metrics: subclass it, create state with `add_variable` in `__init__`, and
    implement `update_state(...)` and `result()`.

    Args:
        dtype: the dtype of the metric's computations and default variable dtype (default:
            floatx; a dtype policy's compute dtype is used).
        name: the metric's name (default: the snake-cased class name, made unique).

    Example:
        class BatchCount(lamina.metrics.Metric):
            def __init__(self, name="batch_count", dtype=None):
                super().__init__(name=name, dtype=dtype)
                self.count = self.add_variable(shape=(), initializer="zeros", name="count")

            def update_state(self, *args, **kwargs):
                self.count.assign_add(1.0)

            def result(self):
                return self.count.value
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = get_policy(dtype or config.floatx())
        self._dtype = self._dtype_policy.compute_dtype
        self._metrics: list[Metric] = []
        self._variables: list[Variable] = []

    # -- tracking ----------------------------------------------------------------------------
    def __setattr__(self, name, value):
        # Variables and sub-metrics assigned as attributes join `variables`, as in Keras.
        tracked = self.__dict__.get("_variables")
        if tracked is not None:
            if isinstance(value, Variable) and not any(v is value for v in tracked):
                tracked.append(value)
            elif isinstance(value, Metric) and not any(m is value for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call `super().__init__(name=..., "
                "dtype=...)` before creating variables or using the metric."
            )

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Create a non-trainable state Variable, tracked in `variables` (in creation order).

        Args:
            shape: the variable's shape.
            initializer: `"zeros"`, `"ones"`, another initializer name, or a callable
                `(shape, dtype) -> array`.
            dtype: the variable's dtype (default: floatx).
            aggregation: how replicas combine it (`"sum"` for counters).
            name: the variable's name; its path is `<metric name>/<name>`.
        """
        self._check_super_called()
        with naming.name_scope(self.name.replace("/", ">")):
            variable = Variable(
                _get_initializer(initializer),
                shape=tuple(shape),
                dtype=dtype,
                trainable=False,
                aggregation=aggregation,
                name=name,
            )
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of `add_variable`, kept for Keras 2 code."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """The state variables: this metric's own, then its sub-metrics'."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    @property
    def dtype(self) -> str:
        return self._dtype

    # -- the stateful API ------------------------------------------------------------------
    def update_state(self, *args, **kwargs):
        """Accumulate statistics from one batch; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state(...)`.")

    def result(self):
        """The metric's value from the accumulated state; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result()`.")

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, dtype=v.dtype))

    def __call__(self, *args, **kwargs):
        """`update_state(*args, **kwargs)`, then return `result()`."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # -- the pure API (what the jitted train step uses) ------------------------------------
    def _check_values(self, metric_variables) -> None:
        expected = len(self.variables)
        if len(metric_variables) != expected:
            raise ValueError(
                f"Metric '{self.name}' ({type(self).__name__}) has {expected} variables, but "
                f"{len(metric_variables)} values were given. Pass one value per entry of "
                "`metric.variables`, in that order. (Metrics that size their state from the "
                "first batch, such as F1Score or R2Score, create their variables on the first "
                "`update_state`.)"
            )

    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list[jax.Array]:
        """`update_state` as a pure function of the state.

        Args:
            metric_variables: one value per entry of `self.variables`, in order.
            *args, **kwargs: the `update_state` arguments.

        Returns:
            The new values, in the same order; the variables themselves are not changed.
        """
        self._check_values(metric_variables)
        mapping = list(zip(self.variables, metric_variables))
        with StatelessScope(mapping) as scope:
            self.update_state(*args, **kwargs)
        return [scope.get(v) for v in self.variables]

    def stateless_result(self, metric_variables):
        """`result()` computed from the given state values."""
        self._check_values(metric_variables)
        with StatelessScope(list(zip(self.variables, metric_variables))):
            return self.result()

    def stateless_reset_state(self) -> list[jax.Array]:
        """The state values `reset_state()` would set, without setting them."""
        with StatelessScope() as scope:
            self.reset_state()
        return [scope.get(v) for v in self.variables]

    # -- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
