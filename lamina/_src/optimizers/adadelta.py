"""`Adadelta`: an adaptive rate from running averages of updates and gradients (Zeiler, 2012)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "adadelta")
class Adadelta(Optimizer):
    """Adadelta (`keras.optimizers.Adadelta`).

    `Eg = rho * Eg + (1 - rho) * g**2`;
    `delta = -sqrt(Ed + epsilon) * g / sqrt(Eg + epsilon)`;
    `Ed = rho * Ed + (1 - rho) * delta**2`; `w = w + lr * delta`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001
            (Zeiler's paper uses 1.0).
        rho: the decay rate of the running averages.
        epsilon: added inside the square roots for numerical stability.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"]
        )

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = as_dtype(learning_rate, variable.dtype)
        gradient = as_dtype(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        grads_avg = self._accumulated_grads[index]
        deltas_avg = self._accumulated_delta_vars[index]
        rho = self.rho
        grads_avg.assign(rho * grads_avg.value + (1 - rho) * jnp.square(gradient))
        delta = -(
            (jnp.sqrt(deltas_avg.value + self.epsilon) * gradient)
            / jnp.sqrt(grads_avg.value + self.epsilon)
        )
        deltas_avg.assign(rho * deltas_avg.value + (1 - rho) * jnp.square(delta))
        variable.assign(variable.value + lr * delta)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
