"""`RMSprop`: divide the gradient by a running root mean square (Hinton, 2012)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "rmsprop")
class RMSprop(Optimizer):
    """RMSprop (`keras.optimizers.RMSprop`), optionally centered and with momentum.

    `v = rho * v + (1 - rho) * g**2`; centered, also `a = rho * a + (1 - rho) * g` and the
    denominator is `sqrt(v - a**2 + epsilon)`, else `sqrt(v + epsilon)`;
    `increment = lr * g / denominator`. With momentum, `mom = momentum * mom + increment` and
    `w = w - mom`; without, `w = w - increment`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        rho: the decay rate of the running averages.
        momentum: the momentum; 0 means none (and no momentum slots).
        epsilon: added inside the square root for numerical stability.
        centered: whether to normalize by the estimated variance rather than the second moment.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = as_dtype(learning_rate, variable.dtype)
        gradient = as_dtype(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        rho = self.rho
        velocity = self._velocities[index]
        velocity.assign(rho * velocity.value + (1 - rho) * jnp.square(gradient))
        if self.centered:
            average = self._average_gradients[index]
            average.assign(rho * average.value + (1 - rho) * gradient)
            denominator = velocity.value - jnp.square(average.value) + self.epsilon
        else:
            denominator = velocity.value + self.epsilon
        increment = (lr * gradient) / jnp.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(self.momentum * momentum.value + increment)
            variable.assign(variable.value - momentum.value)
        else:
            variable.assign(variable.value - increment)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
