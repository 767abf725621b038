"""The exponential moving average (EMA) of model weights kept by optimizers with `use_ema`."""

import jax.numpy as jnp


def update_moving_averages(variables, averages, first_step, momentum: float) -> None:
    """`average <- m * average + (1 - m) * value`, with `m = 0` on the first step.

    `first_step` may be a traced boolean; `averages` holds None for variables without one.
    """
    not_first_step = jnp.logical_not(first_step)
    for variable, average in zip(variables, averages):
        if average is not None:
            m = not_first_step.astype(variable.dtype) * momentum
            average.assign(m * average.value + (1 - m) * variable.value)


def overwrite_with_averages(variables, averages, condition=True) -> None:
    """Writes each average into its variable where `condition` (possibly traced) holds."""
    for variable, average in zip(variables, averages):
        if average is not None:
            variable.assign(jnp.where(condition, average.value, variable.value))
