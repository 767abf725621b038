"""`SGD`: gradient descent, with optional (Nesterov) momentum."""

from lamina._src.optimizers.base_optimizer import Optimizer, as_dtype
from lamina._src.saving.registry import register


@register("optimizers", "sgd")
class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (`keras.optimizers.SGD`).

    Without momentum: `w = w - learning_rate * g`. With momentum:
    `velocity = momentum * velocity - learning_rate * g`, then `w = w + velocity`, or, with
    `nesterov=True`, `w = w + momentum * velocity - learning_rate * g`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.01.
        momentum: a float in [0, 1]; 0 means plain SGD (and no slot variables).
        nesterov: whether to use Nesterov momentum.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, `use_ema`, `name`...).
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if (
            isinstance(momentum, bool)
            or not isinstance(momentum, int | float)
            or not (0 <= momentum <= 1)
        ):
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = as_dtype(learning_rate, variable.dtype)
        gradient = as_dtype(gradient, variable.dtype)
        if self.momentum == 0:
            variable.assign(variable.value - gradient * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = as_dtype(self.momentum, variable.dtype)
        m.assign(m.value * momentum - gradient * lr)
        if self.nesterov:
            variable.assign(variable.value + (m.value * momentum - gradient * lr))
        else:
            variable.assign(variable.value + m.value)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
