"""Validation and conversion of the arguments the base `Optimizer` takes."""

import numbers

import jax.numpy as jnp

from lamina._src.initializers import lookup as initializers

# Keys tf.keras 2 writes into optimizer configs that mean nothing to Keras 3: accepted, ignored.
TF_KERAS_ONLY_KEYS = ("jit_compile", "is_legacy_optimizer")


def make_initializer(initializer):
    """An initializer argument -> a callable `(shape, dtype) -> array`.

    Accepts a number (a constant, as Keras's optimizers use for accumulators), a callable, or
    anything `lamina.initializers.get` accepts (`"zeros"`, `"ones"`, a config dict).
    """
    if isinstance(initializer, numbers.Real) and not isinstance(initializer, bool):
        return lambda shape, dtype=None: jnp.full(shape, initializer, dtype=dtype)
    if callable(initializer) and not isinstance(initializer, type):
        return initializer
    resolved = initializers.get(initializer)
    if resolved is None:
        raise ValueError(
            "Optimizer variables need an initializer: pass 'zeros', a number (a constant), or a "
            "callable `(shape, dtype) -> array`; received None."
        )
    return resolved


def check_base_arguments(
    clipnorm,
    clipvalue,
    global_clipnorm,
    use_ema,
    ema_momentum,
    ema_overwrite_frequency,
    gradient_accumulation_steps,
) -> None:
    """Raises a ValueError naming the argument when a base optimizer argument is invalid."""
    if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
        raise ValueError(
            "`gradient_accumulation_steps` must be an integer >= 2. Received: "
            f"gradient_accumulation_steps={gradient_accumulation_steps}"
        )
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(
                f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}"
            )
        if ema_overwrite_frequency and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                f"ema_overwrite_frequency={ema_overwrite_frequency}"
            )
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )
