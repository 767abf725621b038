"""`Ftrl`: follow the regularized leader (McMahan et al., 2013)."""

import jax.numpy as jnp

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "ftrl")
class Ftrl(Optimizer):
    """FTRL-proximal (`keras.optimizers.Ftrl`), with L1, L2 and L2-shrinkage regularization.

    With `p = -learning_rate_power`, `acc' = acc + g**2`,
    `linear += g + 2 * l2_shrinkage * w - (acc'**p - acc**p) / lr * w`,
    `quadratic = acc'**p / lr + 2 * (l2 + beta / (2 * lr))` and
    `w = (clip(linear, -l1, l1) - linear) / quadratic`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        learning_rate_power: <= 0; how the rate decreases during training (-0.5: 1/sqrt).
        initial_accumulator_value: >= 0; the starting value of the accumulators.
        l1_regularization_strength: >= 0.
        l2_regularization_strength: >= 0 (the stabilization penalty).
        l2_shrinkage_regularization_strength: >= 0 (a magnitude penalty added to the gradient).
        beta: added to the denominator, as in the FTRL paper.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).

    Raises:
        ValueError: for a positive `learning_rate_power` or a negative strength or accumulator.
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        for name, value in (
            ("initial_accumulator_value", initial_accumulator_value),
            ("l1_regularization_strength", l1_regularization_strength),
            ("l2_regularization_strength", l2_regularization_strength),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength),
        ):
            if value < 0.0:
                raise ValueError(
                    f"`{name}` needs to be positive or zero. Received: {name}={value}."
                )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list,
            ["accumulator", "linear"],
            initializer=[self.initial_accumulator_value, "zeros"],
        )

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = as_dtype(learning_rate, variable.dtype)
        gradient = as_dtype(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable.value
        new_accumulator = accumulator.value + jnp.square(gradient)
        linear.assign(
            linear.value
            + (
                shrunk_gradient
                - (jnp.power(new_accumulator, power) - jnp.power(accumulator.value, power))
                / lr
                * variable.value
            )
        )
        quadratic = jnp.power(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        clipped = jnp.clip(linear.value, -l1, l1)
        variable.assign((clipped - linear.value) / quadratic)
        accumulator.assign(new_accumulator)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config
