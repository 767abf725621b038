"""`Lion`: evolved sign momentum (Chen et al., 2023)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "lion")
class Lion(Optimizer):
    """Lion (`keras.optimizers.Lion`): the update is the sign of an interpolated momentum.

    `w = w - lr * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`. Its updates are larger than Adam's, so it usually
    wants a 3-10x smaller learning rate.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the interpolation factor of the update, in (0, 1].
        beta_2: the decay rate of the momentum.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).

    Raises:
        ValueError: if `beta_1` is not in (0, 1] (Lion would degenerate to SignSGD).
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the (0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = as_dtype(learning_rate, dtype)
        gradient = as_dtype(gradient, dtype)
        beta_1 = as_dtype(self.beta_1, dtype)
        beta_2 = as_dtype(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        direction = jnp.sign(m.value * beta_1 + gradient * (1.0 - beta_1))
        variable.assign(variable.value - lr * direction)
        m.assign(m.value * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
