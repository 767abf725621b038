"""`Optimizer`: the base class of lamina's optimizers, with Keras 3's API and numerics.

An optimizer owns Variables: `iterations`, `learning_rate` (unless a schedule drives it) and, once
built, its slots (momentums, velocities, ...), in the order Keras 3 creates them, so
`optimizer.variables` lines up with the `optimizer/vars/0..n` of Keras `.keras` and `.weights.h5`
files. Slot paths are `<optimizer name>/<variable path with "/" -> "_">_<slot>`
(`adam/dense_kernel_momentum`).

A subclass implements `build(var_list)` (create slots with `add_optimizer_variables` /
`add_variable_from_reference`) and `update_step(gradient, variable, learning_rate)` (update the
variable and its slots with `variable.assign(...)`). The base class does the rest around it:
loss-scale unscaling, gradient clipping, decoupled weight decay, gradient accumulation, EMA of the
weights, variable constraints and the iteration count.

There are two ways to run an update, sharing that one code path:
* `apply_gradients([(grad, var), ...])` / `apply(grads, vars)` mutate the Variables;
* `stateless_apply(optimizer_values, grads, trainable_values)` runs the same code inside a
  `StatelessScope` and returns the new values, touching no Python state: this is what a jitted
  train step calls.
"""

import numbers
import warnings

import jax.numpy as jnp
import numpy as np

from lamina._src.backend import naming
from lamina._src.backend.config import floatx
from lamina._src.backend.variables import StatelessScope, Variable, to_value
from lamina._src.optimizers import arguments, averaging, clipping
from lamina._src.optimizers.schedules import LearningRateSchedule
from lamina._src.optimizers.schedules import serialize as serialize_schedule
from lamina._src.optimizers.weight_decay import WeightDecayExclusions, decay_weights
from lamina._src.saving import serialization
from lamina._src.saving.registry import register


def as_dtype(value, dtype):
    """`value` (an array, a Variable or a Python number) as an array of `dtype`."""
    return jnp.asarray(to_value(value)).astype(dtype)


@register("optimizers")
class Optimizer:
    """The base class of optimizers (`keras.optimizers.Optimizer`).

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable taking no argument that
            returns the learning rate.
        weight_decay: if set, decoupled weight decay: before each update every variable (not
            excluded with `exclude_from_weight_decay`) becomes `var - var * weight_decay * lr`.
        clipnorm: if set, each gradient is rescaled so its L2 norm is at most this value.
        clipvalue: if set, each gradient element is clipped into `[-clipvalue, clipvalue]`.
        global_clipnorm: if set, all gradients are rescaled together so their global L2 norm is
            at most this value. At most one of the three clipping arguments may be set.
        use_ema: whether to keep an exponential moving average (EMA) of the weights.
        ema_momentum: the EMA momentum: `average = m * average + (1 - m) * value`.
        ema_overwrite_frequency: if set (with `use_ema`), the weights are overwritten with their
            average every this many iterations; otherwise call `finalize_variable_values()` at
            the end of training (`fit()` does).
        loss_scale_factor: if set, `scale_loss()` multiplies the loss by it and gradients are
            divided by it before being applied (static loss scaling for mixed precision).
        gradient_accumulation_steps: if set (an int >= 2), variables are updated only every this
            many steps, with the mean of the gradients since the last update.
        name: the optimizer's name, which prefixes its variables' paths. Defaults to the
            snake-case class name, made unique (`adam`, `adam_1`, `rm_sprop`, ...).

    Raises:
        ValueError: for an invalid `learning_rate`, clipping or EMA arguments, or an unknown
            keyword argument.
    """

    def __init__(
        self,
        learning_rate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ):
        self._lock = False
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        for key in arguments.TF_KERAS_ONLY_KEYS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized by {type(self).__name__}: {kwargs}")
        arguments.check_base_arguments(
            clipnorm,
            clipvalue,
            global_clipnorm,
            use_ema,
            ema_momentum,
            ema_overwrite_frequency,
            gradient_accumulation_steps,
        )
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._weight_decay_exclusions = WeightDecayExclusions()
        with naming.name_scope(self.name):
            self._iterations = Variable(
                0,
                dtype="int32",  # Keras's "int": int32 on its JAX backend (summary bytes)
                trainable=False,
                aggregation="only_first_replica",
                name="iteration",
            )
        self._learning_rate = self._make_learning_rate(learning_rate)

    # -- variable tracking -------------------------------------------------------------------
    def __setattr__(self, name, value):
        if name != "_lock" and "_lock" not in self.__dict__:
            raise RuntimeError(
                f"In optimizer '{type(self).__name__}', you forgot to call `super().__init__()` "
                "as the first statement of `__init__()`. Add it before setting attributes."
            )
        # Variables assigned as attributes are tracked (in creation order), as in Keras.
        if isinstance(value, Variable) and "_variables" in self.__dict__:
            self._track_variable(value)
        super().__setattr__(name, value)

    def _track_variable(self, variable: Variable) -> None:
        if all(v is not variable for v in self._variables):
            self._variables.append(variable)

    def _untrack_variable(self, variable: Variable) -> None:
        self._variables = [v for v in self._variables if v is not variable]

    @property
    def variables(self) -> list[Variable]:
        """All the optimizer's variables, in Keras's order (the order of saved files)."""
        return self._variables[:]

    @property
    def iterations(self):
        """The iteration counter; with gradient accumulation, the number of real updates."""
        if self.gradient_accumulation_steps:
            return self._iterations.value // self.gradient_accumulation_steps
        return self._iterations

    # -- the learning rate -------------------------------------------------------------------
    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, Variable)
        ):
            return learning_rate
        value = to_value(learning_rate)
        is_scalar_array = hasattr(value, "dtype") and np.ndim(value) == 0
        if isinstance(value, bool) or not (isinstance(value, numbers.Real) or is_scalar_array):
            raise ValueError(
                "Argument `learning_rate` should be a float, a LearningRateSchedule, or a callable "
                "that takes no argument and returns the learning rate. Received instead: "
                f"learning_rate={learning_rate!r}"
            )
        with naming.name_scope(self.name):
            return Variable(
                float(value),
                dtype=floatx(),
                trainable=False,
                aggregation="only_first_replica",
                name="learning_rate",
            )

    @property
    def learning_rate(self):
        """The current learning rate: the `learning_rate` Variable, or the schedule's value at
        the current iteration. Setting a float assigns the Variable (as callbacks do)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations.value)
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        previous = self._learning_rate if isinstance(self._learning_rate, Variable) else None
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, Variable)
        ):
            self._learning_rate = learning_rate
        elif previous is None:
            raise TypeError(
                f"Optimizer '{self.name}' was created with a LearningRateSchedule (or a callable) "
                "as its `learning_rate`, so its learning rate cannot be set to a number. Create "
                "the optimizer with a float `learning_rate` to make it settable."
            )
        else:
            previous.assign(to_value(learning_rate))
        if previous is not None and not isinstance(self._learning_rate, Variable):
            self._untrack_variable(previous)

    def _current_learning_rate(self):
        return jnp.asarray(to_value(self.learning_rate))

    # -- building: slot variables ----------------------------------------------------------
    def build(self, var_list: list) -> None:
        """Creates the optimizer's variables for these trainable variables.

        Subclasses call `super().build(var_list)` first, then create their slots.
        """
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = []
        for i, variable in enumerate(var_list):
            self._trainable_variables_indices[self._var_key(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulated_gradients.append(
                    self.add_variable_from_reference(variable, name="gradient_accumulator")
                )
        self._trainable_variables = list(var_list)
        self.built = True

    def add_variable(
        self,
        shape,
        initializer="zeros",
        dtype=None,
        aggregation: str = "none",
        layout=None,
        name: str | None = None,
    ) -> Variable:
        """Creates and tracks one optimizer variable, named `<optimizer name>/<name>`.

        Args:
            shape: its shape.
            initializer: `"zeros"`, `"ones"`, a number, or a callable `(shape, dtype) -> array`.
            dtype: its dtype (default: floatx).
            aggregation: the multi-replica aggregation annotation.
            layout: accepted for Keras compatibility; ignored.
            name: its short name.
        """
        del layout
        with naming.name_scope(self.name):
            variable = Variable(
                arguments.make_initializer(initializer),
                shape=tuple(shape),
                dtype=dtype,
                trainable=False,
                aggregation=aggregation,
                name=name,
            )
        self._track_variable(variable)
        return variable

    def add_variable_from_reference(
        self, reference_variable, name: str | None = None, initializer="zeros"
    ) -> Variable:
        """A slot shaped like `reference_variable`, named `<its path with / -> _>_<name>`."""
        name = name or "var"
        if hasattr(reference_variable, "path"):
            prefix = reference_variable.path.replace("/", "_")
        else:
            prefix = str(reference_variable.name).replace("/", "_").replace(":", "_")
        return self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=f"{prefix}_{name}",
        )

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Slots for each trainable variable, created interleaved (per variable, each name).

        Args:
            trainable_variables: the model variables.
            name: a slot name, or a list of them.
            initializer: one initializer, or one per name.

        Returns:
            A list of slots (one per variable; None for variables whose gradient overwrites
            them), or, for a list of names, a tuple of such lists.
        """
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(name, str) or not isinstance(initializer, list | tuple):
            initializers = [initializer] * len(names)
        else:
            initializers = list(initializer)
        if len(names) != len(initializers):
            raise ValueError(
                "The number of provided names must match the number of provided initializers. "
                f"Received name={name!r}, initializer={initializer!r}"
            )
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            overwrite = getattr(variable, "overwrite_with_gradient", False)
            for i, (slot_name, slot_init) in enumerate(zip(names, initializers)):
                slots[i].append(
                    None
                    if overwrite
                    else self.add_variable_from_reference(variable, slot_name, slot_init)
                )
        return slots[0] if isinstance(name, str) else slots

    def _var_key(self, variable) -> int:
        return id(variable)

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[self._var_key(variable)]

    def _check_variables_are_known(self, variables) -> None:
        for v in variables:
            if self._var_key(v) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {getattr(v, 'path', v)}. Optimizer '{self.name}' can only "
                    "update the variables it was built with. To train a new set of variables, "
                    "create a new optimizer."
                )

    # -- assignment helpers (Keras's API for update_step) ----------------------------------
    def assign(self, variable, value) -> None:
        variable.assign(value)

    def assign_add(self, variable, value) -> None:
        variable.assign_add(value)

    def assign_sub(self, variable, value) -> None:
        variable.assign_sub(value)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Updates one variable (and its slots) from its gradient. Subclasses implement it."""
        raise NotImplementedError(
            f"Optimizer '{type(self).__name__}' must implement "
            "`update_step(self, gradient, variable, learning_rate)`."
        )

    # -- applying gradients ----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `[(gradient, variable), ...]`; builds the optimizer on first use.

        Returns:
            The `iterations` Variable (as tf.keras did).
        """
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates the variables from their gradients, then increments `iterations`.

        Args:
            grads: one gradient (or None, to skip a variable) per variable.
            trainable_variables: the variables; may be omitted once the optimizer is built, and
                the first call with them builds it.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `trainable_variables`, the optimizer must "
                    "already be built: call `optimizer.build(trainable_variables)` first."
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"Received {len(grads)} gradients, but optimizer '{self.name}' was built on "
                    f"{len(self._trainable_variables)} variables: pass one gradient per variable."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                with naming.name_scope(self.name):
                    self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)

        with naming.name_scope(self.name):
            grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
            grads, trainable_variables = self._overwrite_variables_directly_with_gradients(
                grads, trainable_variables
            )
            if grads:
                if self.loss_scale_factor is not None:
                    grads = [g / self.loss_scale_factor for g in grads]
                self._backend_apply_gradients(grads, trainable_variables)
                for variable in trainable_variables:
                    if getattr(variable, "constraint", None) is not None:
                        variable.assign(variable.constraint(variable.value))
        self._iterations.assign_add(1)

    def _backend_apply_gradients(self, grads, trainable_variables) -> None:
        """Clipping, weight decay and the update, with gradient accumulation and EMA.

        Written without data-dependent Python control flow, so it traces under `jax.jit`: with
        gradient accumulation the update is always computed and then kept or discarded with
        `jnp.where`, as Keras's JAX backend does.
        """
        steps = self.gradient_accumulation_steps
        if steps:
            is_update_step = (self._iterations.value + 1) % steps == 0
            accumulators = [
                self._accumulated_gradients[self._get_variable_index(v)]
                for v in trainable_variables
            ]
            old_trainable = [v.value for v in trainable_variables]
            old_optimizer = [v.value for v in self.variables]
            new_accumulated = [
                jnp.where(is_update_step, jnp.zeros_like(a.value), g + a.value)
                for g, a in zip(grads, accumulators)
            ]
            grads = [
                jnp.where(is_update_step, (g + a.value) / steps, g)
                for g, a in zip(grads, accumulators)
            ]
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        self._backend_update_step(grads, trainable_variables, self._current_learning_rate())
        if steps:
            for variable, old in zip(trainable_variables, old_trainable):
                variable.assign(jnp.where(is_update_step, variable.value, old))
            for variable, old in zip(self.variables, old_optimizer):
                variable.assign(jnp.where(is_update_step, variable.value, old))
            for accumulator, value in zip(accumulators, new_accumulated):
                accumulator.assign(value)

        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency is not None:
                overwrite = (self.iterations + 1) % self.ema_overwrite_frequency == 0
                averaging.overwrite_with_averages(
                    self._trainable_variables, self._model_variables_moving_average, overwrite
                )

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """The pure form of `apply`, for jitted train steps: no Variable or Python state changes.

        Args:
            optimizer_variables: the values of `self.variables`, in that order.
            grads: one gradient per trainable variable.
            trainable_variables: the values of the variables the optimizer was built with.

        Returns:
            `(new_trainable_values, new_optimizer_values)`, lists in the same orders.

        Raises:
            ValueError: if the optimizer is not built, or a list has the wrong length.
        """
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be built (its variables "
                "created). Build it with `optimizer.build(trainable_variables)`."
            )
        if len(optimizer_variables) != len(self._variables):
            raise ValueError(
                "Argument `optimizer_variables` must hold one value per entry of "
                f"`{type(self).__name__}.variables` ({len(self._variables)}); received "
                f"{len(optimizer_variables)}."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                "Argument `trainable_variables` must hold one value per variable the optimizer "
                f"was built with ({len(self._trainable_variables)}); received "
                f"{len(trainable_variables)}."
            )
        mapping = list(zip(self._trainable_variables, trainable_variables))
        mapping += list(zip(self._variables, optimizer_variables))
        with StatelessScope(mapping) as scope:
            self.apply(grads)
        return (
            [scope.get(v) for v in self._trainable_variables],
            [scope.get(v) for v in self._variables],
        )

    def scale_loss(self, loss):
        """Multiplies the loss by `loss_scale_factor` (when set) before gradients are taken."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # -- the steps around update_step --------------------------------------------------------
    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [
                getattr(v, "path", getattr(v, "name", v))
                for g, v in zip(grads, variables)
                if g is None
            ]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. If "
                "using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=3,
            )
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_variables_directly_with_gradients(self, grads, variables):
        """Variables marked `overwrite_with_gradient` take their gradient as their new value."""
        if not any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            return grads, variables
        kept_grads, kept_vars = [], []
        for g, v in zip(grads, variables):
            if not getattr(v, "overwrite_with_gradient", False):
                kept_grads.append(g)
                kept_vars.append(v)
            elif self.gradient_accumulation_steps:
                # Accumulate with a running maximum; write it at the update step.
                steps = self.gradient_accumulation_steps
                is_update_step = (self._iterations.value + 1) % steps == 0
                accumulator = self._accumulated_gradients[self._get_variable_index(v)]
                running_max = jnp.maximum(g, accumulator.value)
                v.assign(jnp.where(is_update_step, running_max, v.value))
                accumulator.assign(jnp.where(is_update_step, jnp.zeros_like(g), running_max))
            else:
                v.assign(g)
        return kept_grads, kept_vars

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [clipping.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clipping.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return clipping.clip_by_value(grads, self.clipvalue)
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempts variables from weight decay.

        Args:
            var_list: variables to exempt.
            var_names: substrings (regular expressions); a variable whose `name` contains any
                of them is exempt (`var_names=["bias"]` exempts all biases).
        """
        self._weight_decay_exclusions = WeightDecayExclusions(var_list, var_names)

    def _use_weight_decay(self, variable) -> bool:
        return self._weight_decay_exclusions.applies_to(variable)

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is not None:
            decay_weights(
                variables, self.weight_decay, self._current_learning_rate(), self._use_weight_decay
            )

    # -- exponential moving average of the weights ---------------------------------------
    def _update_model_variables_moving_average(self, trainable_variables) -> None:
        first_step = jnp.equal(to_value(self.iterations), 0)
        averaging.update_moving_averages(
            trainable_variables,
            self._model_variables_moving_average,
            first_step,
            self.ema_momentum,
        )

    def _overwrite_model_variables_with_average_value(self, trainable_variables) -> None:
        averages = self._model_variables_moving_average
        if len(trainable_variables) != len(averages):
            raise ValueError(
                f"Received {len(trainable_variables)} model variables to overwrite, but optimizer "
                f"'{self.name}' holds averages for {len(averages)}. Pass the variables the "
                "optimizer was built with."
            )
        averaging.overwrite_with_averages(trainable_variables, averages)

    def finalize_variable_values(self, var_list) -> None:
        """At the end of training: with `use_ema`, writes the weights' averages into them."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # -- state as arrays ---------------------------------------------------------------------
    def set_weights(self, weights) -> None:
        """Assigns all optimizer variables from a list of arrays, in `variables` order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that is not built yet. Call "
                "`optimizer.build(trainable_variables)` first to create its variables."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(np.shape(weight)):
                raise ValueError(
                    f"Optimizer variable '{variable.path}' has shape {variable.shape}, which "
                    f"does not match the provided weight's shape {np.shape(weight)}."
                )
            variable.assign(weight)

    def save_own_variables(self, store) -> None:
        """Writes `variables` into `store` as `"0"`, `"1"`, ... (the `.keras` layout)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        """Reads `variables` back from `store`; warns and skips when the counts differ."""
        if len(store.keys()) != len(self.variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self.variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables."
            )
            if not self.built:
                message += " This is likely because the optimizer has not been built yet."
            warnings.warn(message, stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])

    # -- configuration -----------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments, with Keras 3's keys; a float learning rate is
        float32-rounded, a schedule is its config envelope."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            learning_rate = serialize_schedule(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = serialization.serialize_keras_object(self._learning_rate)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Creates an optimizer (without state) from the output of `get_config()`."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = serialization.deserialize_keras_object(
                config["learning_rate"], category="schedules", custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


BaseOptimizer = Optimizer
