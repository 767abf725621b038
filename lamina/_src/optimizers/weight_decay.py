"""Decoupled weight decay, and which variables are exempt from it (Loshchilov & Hutter, 2019)."""

import re

import jax.numpy as jnp

from lamina._src.backend.variables import to_value


class WeightDecayExclusions:
    """The variables exempt from weight decay: by identity, or by a pattern in their `name`.

    Args:
        var_list: variables to exempt.
        var_names: substrings (regular expressions); a variable whose `name` contains any of them
            is exempt (`["bias"]` exempts every bias).
    """

    def __init__(self, var_list=None, var_names=None):
        self._ids = {id(v) for v in var_list or ()}
        self._pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._cache: dict[int, bool] = {}

    def applies_to(self, variable) -> bool:
        """Whether weight decay applies to `variable` (it is not exempt)."""
        key = id(variable)
        if key not in self._cache:
            by_name = self._pattern is not None and self._pattern.search(variable.name) is not None
            self._cache[key] = not (key in self._ids or by_name)
        return self._cache[key]


def decay_weights(variables, weight_decay: float, learning_rate, applies_to) -> None:
    """`w <- w - w * weight_decay * learning_rate` for each variable `applies_to` accepts.

    The factors are cast to each variable's dtype first, as Keras does.
    """
    learning_rate = jnp.asarray(to_value(learning_rate))
    for variable in variables:
        if applies_to(variable):
            lr = learning_rate.astype(variable.dtype)
            wd = jnp.asarray(weight_decay).astype(variable.dtype)
            variable.assign(variable.value - variable.value * wd * lr)
