"""`AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

from lamina._src.optimizers.adam import Adam
from lamina._src.saving.registry import register


@register("optimizers", "adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay on by default (`keras.optimizers.AdamW`).

    Before each Adam step every variable (not excluded with `exclude_from_weight_decay`)
    becomes `w - w * weight_decay * learning_rate`; the rest is `Adam`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        weight_decay: the decoupled weight decay rate (required; defaults to 0.004).
        beta_1, beta_2, epsilon, amsgrad: as in `Adam`.
        **kwargs: the base `Optimizer` arguments (`clipnorm`, `use_ema`, `name`, ...).

    Raises:
        ValueError: if `weight_decay` is None.
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float for AdamW. Received: weight_decay=None. "
                "Use `Adam` for Adam without weight decay."
            )
