"""`Adamax`: Adam with the infinity norm (Kingma & Ba, 2014, section 7)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "adamax")
class Adamax(Optimizer):
    """Adamax (`keras.optimizers.Adamax`).

    At step `t`: `m = m + (g - m) * (1 - beta_1)`, `u = max(beta_2 * u, |g|)` and
    `w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the infinity norm.
        epsilon: added to the norm for numerical stability.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = as_dtype(learning_rate, dtype)
        gradient = as_dtype(gradient, dtype)
        step = as_dtype(self.iterations + 1, dtype)
        beta_1_power = jnp.power(as_dtype(self.beta_1, dtype), step)
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        m.assign(m.value + (gradient - m.value) * (1 - self.beta_1))
        u.assign(jnp.maximum(self.beta_2 * u.value, jnp.abs(gradient)))
        variable.assign(
            variable.value - (lr * m.value) / ((1 - beta_1_power) * (u.value + self.epsilon))
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
