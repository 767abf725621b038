"""`Adagrad`: per-parameter rates scaled by the accumulated squared gradients (Duchi et al.)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "adagrad")
class Adagrad(Optimizer):
    """Adagrad (`keras.optimizers.Adagrad`).

    `acc = acc + g**2` and `w = w - lr * g / sqrt(acc + epsilon)`, with `acc` starting at
    `initial_accumulator_value`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        initial_accumulator_value: the starting value of the accumulators.
        epsilon: added inside the square root for numerical stability.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=self.initial_accumulator_value
        )

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = as_dtype(learning_rate, variable.dtype)
        gradient = as_dtype(gradient, variable.dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign(accumulator.value + jnp.square(gradient))
        variable.assign(
            variable.value - (lr * gradient) / jnp.sqrt(accumulator.value + self.epsilon)
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
        )
        return config
