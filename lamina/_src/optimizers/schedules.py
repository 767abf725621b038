"""Learning rate schedules: `lamina.optimizers.schedules` (Keras's `keras.optimizers.schedules`).

A schedule is a callable `step -> learning rate`. Pass one as an optimizer's `learning_rate` and
the optimizer evaluates it at its iteration count on every update. Each schedule computes in the
dtype of its `initial_learning_rate` (float32 for a Python float) with the same formulas as
Keras 3, and its `get_config()` holds exactly Keras's keys, so saved configs load in both.

Example:
    schedule = lamina.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9
    )
    optimizer = lamina.optimizers.SGD(learning_rate=schedule)
"""

import math

import jax.numpy as jnp

from lamina._src.backend.config import floatx
from lamina._src.backend.variables import to_value
from lamina._src.saving import serialization
from lamina._src.saving.registry import register


def _float_dtype(value):
    """The dtype a schedule computes in: that of `value` when it is a float, else floatx."""
    dtype = jnp.asarray(value).dtype
    return dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.dtype(floatx())


def _as(value, dtype):
    return jnp.asarray(to_value(value)).astype(dtype)


def _check_positive(name: str, value) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


@register("schedules")
class LearningRateSchedule:
    """The base class of learning rate schedules.

    Subclasses implement `__call__(step)` (the step is a scalar integer array: the optimizer's
    iteration count) and, to be serializable, `get_config()`.

    Example:
        class InverseStep(lamina.optimizers.schedules.LearningRateSchedule):
            def __init__(self, initial_learning_rate):
                self.initial_learning_rate = initial_learning_rate

            def __call__(self, step):
                return self.initial_learning_rate / (step + 1)
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
            "order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        """Creates the schedule from the output of its `get_config()`."""
        return cls(**config)


@register("schedules")
class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive; the decay is `decay_rate` every `decay_steps` steps.
        decay_rate: the decay factor.
        staircase: if True, `step / decay_steps` is floored (the rate drops in steps).
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        dtype = _float_dtype(self.initial_learning_rate)
        p = _as(step, dtype) / _as(self.decay_steps, dtype)
        if self.staircase:
            p = jnp.floor(p)
        return _as(self.initial_learning_rate, dtype) * jnp.power(_as(self.decay_rate, dtype), p)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@register("schedules")
class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant learning rate per interval of steps.

    The rate is `values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after `boundaries[-1]`.

    Args:
        boundaries: strictly increasing step numbers.
        values: one more value than there are boundaries.
        name: the schedule's name.

    Raises:
        ValueError: when `len(values) != len(boundaries) + 1`.
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of "
                f"length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = jnp.asarray(to_value(step))
        bounds = [_as(b, step.dtype) for b in self.boundaries]
        values = [jnp.asarray(to_value(v)) for v in self.values]
        dtype = values[0].dtype
        result = (step <= bounds[0]).astype(dtype) * values[0]
        result = result + (step > bounds[-1]).astype(dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            result = result + ((step > low) & (step <= high)).astype(dtype) * value
        return result.astype(dtype)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@register("schedules")
class PolynomialDecay(LearningRateSchedule):
    """Decays from `initial_learning_rate` to `end_learning_rate` over `decay_steps` steps.

    `(initial - end) * (1 - step / decay_steps) ** power + end`, with the step held at
    `decay_steps` afterwards, or, when `cycle` is True, `decay_steps` stretched to the first
    multiple of itself that is at least `step`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive; the number of steps of the decay.
        end_learning_rate: the final learning rate.
        power: the power of the polynomial.
        cycle: whether to start again (from a lower rate) after `decay_steps`.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        dtype = _float_dtype(self.initial_learning_rate)
        initial = _as(self.initial_learning_rate, dtype)
        end = _as(self.end_learning_rate, dtype)
        step = _as(step, dtype)
        decay_steps = _as(self.decay_steps, dtype)
        if self.cycle:
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / self.decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        p = step / decay_steps
        return ((initial - end) * jnp.power(1 - p, _as(self.power, dtype)) + end).astype(dtype)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@register("schedules")
class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive; how often the decay applies.
        decay_rate: the decay rate.
        staircase: if True, `step / decay_steps` is floored.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        dtype = _float_dtype(self.initial_learning_rate)
        p = _as(step, dtype) / _as(self.decay_steps, dtype)
        if self.staircase:
            p = jnp.floor(p)
        denominator = jnp.ones((), dtype) + _as(self.decay_rate, dtype) * p
        return _as(self.initial_learning_rate, dtype) / denominator

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@register("schedules")
class CosineDecay(LearningRateSchedule):
    """An optional linear warmup, then a cosine decay (SGDR without restarts).

    Without `warmup_target` the rate decays from `initial_learning_rate` to
    `initial_learning_rate * alpha` over `decay_steps`. With it, the rate first rises linearly
    from `initial_learning_rate` to `warmup_target` over `warmup_steps`, then decays from
    `warmup_target` to `warmup_target * alpha` over `decay_steps`:
    `decayed = (1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive; the number of steps of the decay.
        alpha: the final rate as a fraction of the rate the decay starts from.
        name: the schedule's name.
        warmup_target: the rate reached at the end of the warmup; None skips the warmup.
        warmup_steps: the number of warmup steps.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, start, dtype):
        cosine = 0.5 * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * (step / decay_steps)))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        dtype = _float_dtype(self.initial_learning_rate)
        initial = _as(self.initial_learning_rate, dtype)
        decay_steps = _as(self.decay_steps, dtype)
        step = _as(step, dtype)
        if self.warmup_target is None:
            return self._decay(jnp.minimum(step, decay_steps), decay_steps, initial, dtype)
        target = _as(self.warmup_target, dtype)
        warmup_steps = _as(self.warmup_steps, dtype)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warmup = (target - initial) * (step / warmup_steps) + initial
        decay = self._decay(step - warmup_steps, decay_steps, target, dtype)
        return jnp.where(step < warmup_steps, warmup, decay).astype(dtype)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@register("schedules")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016).

    The multiplier decays from 1 to `alpha` over `first_decay_steps`; then the schedule
    restarts, each period `t_mul` times longer than the last and starting `m_mul` times lower.

    Args:
        initial_learning_rate: the learning rate at step 0.
        first_decay_steps: positive; the length of the first period.
        t_mul: the growth factor of the period length.
        m_mul: the factor applied to the starting rate at each restart.
        alpha: the minimum rate, as a fraction of `initial_learning_rate`.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ):
        _check_positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        dtype = _float_dtype(self.initial_learning_rate)
        initial = _as(self.initial_learning_rate, dtype)
        alpha = _as(self.alpha, dtype)
        t_mul = _as(self._t_mul, dtype)
        fraction = _as(step, dtype) / _as(self.first_decay_steps, dtype)
        if self._t_mul == 1.0:
            restart = jnp.floor(fraction)
            fraction = fraction - restart
        else:
            # Periods grow geometrically: invert the geometric sum to find the current one.
            restart = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
            done = (1.0 - jnp.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / jnp.power(t_mul, restart)
        scale = jnp.power(_as(self._m_mul, dtype), restart)
        cosine = 0.5 * scale * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * fraction))
        return initial * ((1 - alpha) * cosine + alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """A schedule -> its Keras 3 config envelope (`{"module", "class_name", "config", ...}`)."""
    return serialization.serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects: dict | None = None) -> LearningRateSchedule:
    """A Keras 3 (or tf.keras) schedule config envelope -> the schedule it describes."""
    return serialization.deserialize_keras_object(
        config, category="schedules", custom_objects=custom_objects
    )
