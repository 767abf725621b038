"""`Nadam`: Adam with Nesterov momentum (Dozat, 2015)."""

import jax.numpy as jnp

from lamina._src.backend.config import floatx
from lamina._src.backend.variables import Variable
from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "nadam")
class Nadam(Optimizer):
    """Nadam (`keras.optimizers.Nadam`), with Dozat's momentum schedule.

    At step `t`: `u_t = beta_1 * (1 - 0.5 * 0.96**t)`; a running product `U_t = U_{t-1} * u_t`
    (the extra, unnamed variable at the end of `variables`, as in Keras);
    `m_hat = u_{t+1} * m / (1 - U_t * u_{t+1}) + (1 - u_t) * g / (1 - U_t)`,
    `v_hat = v / (1 - beta_2**t)` and `w = w - lr * m_hat / (sqrt(v_hat) + epsilon)`, with `m`
    and `v` updated as in Adam.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: added to `sqrt(v_hat)` for numerical stability.
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
        dtype = var_list[0].dtype if var_list else floatx()
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        # An unnamed Variable assigned as an attribute, tracked last: Keras's layout.
        self._u_product = Variable(1.0, dtype=dtype, trainable=False)

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        dtype = self._u_product.dtype
        step = as_dtype(self.iterations + 1, dtype)
        self._u_product.assign(
            self._u_product.value * self.beta_1 * (1.0 - 0.5 * jnp.power(0.96, step))
        )
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = as_dtype(learning_rate, dtype)
        gradient = as_dtype(gradient, dtype)
        step = as_dtype(self.iterations + 1, dtype)
        next_step = as_dtype(self.iterations + 2, dtype)
        decay = as_dtype(0.96, dtype)
        beta_1 = as_dtype(self.beta_1, dtype)
        beta_2 = as_dtype(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(decay, step))
        u_t_1 = beta_1 * (1.0 - 0.5 * jnp.power(decay, next_step))
        u_product_t = as_dtype(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = jnp.power(beta_2, step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign(m.value + (gradient - m.value) * (1 - beta_1))
        v.assign(v.value + (jnp.square(gradient) - v.value) * (1 - beta_2))
        m_hat = (u_t_1 * m.value) / (1 - u_product_t_1) + ((1 - u_t) * gradient) / (1 - u_product_t)
        v_hat = v.value / (1 - beta_2_power)
        variable.assign(variable.value - (m_hat * lr) / (jnp.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
