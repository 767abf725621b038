"""`Adam`: adaptive moment estimation (Kingma & Ba, 2014), with optional AMSGrad."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "adam")
class Adam(Optimizer):
    """Adam (`keras.optimizers.Adam`), in Keras's "epsilon hat" form.

    At step `t` (1-based): `m = m + (g - m) * (1 - beta_1)`, `v = v + (g**2 - v) * (1 - beta_2)`,
    `alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)` and
    `w = w - m * alpha / (sqrt(v) + epsilon)`. With `amsgrad=True`, `v` is replaced by the running
    maximum of `v` in the last step.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: added to `sqrt(v)` for numerical stability.
        amsgrad: whether to use the AMSGrad variant (Reddi et al., 2018).
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = as_dtype(learning_rate, dtype)
        gradient = as_dtype(gradient, dtype)
        step = as_dtype(self.iterations + 1, dtype)
        beta_1_power = jnp.power(as_dtype(self.beta_1, dtype), step)
        beta_2_power = jnp.power(as_dtype(self.beta_2, dtype), step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        alpha = lr * jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign(m.value + (gradient - m.value) * (1 - self.beta_1))
        v.assign(v.value + (jnp.square(gradient) - v.value) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            v_hat.assign(jnp.maximum(v_hat.value, v.value))
            v = v_hat
        variable.assign(variable.value - (m.value * alpha) / (jnp.sqrt(v.value) + self.epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config
