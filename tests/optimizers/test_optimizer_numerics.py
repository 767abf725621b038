"""lamina's optimizers against real Keras 3: the same variables after each of 5 updates."""

import jax
import numpy as np
import optimizer_cases as cases
import pytest

import lamina.optimizers as optimizers

RTOL, ATOL = 1e-6, 1e-7


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_matches_keras_step_by_step(keras, case):
    values, grads = cases.initial_values(), cases.gradient_sets()
    ours = cases.make_optimizer(optimizers, case)
    theirs = cases.make_optimizer(keras.optimizers, case)
    our_vars = cases.lamina_variables(values)
    their_vars = cases.keras_variables(keras, values)
    for step, step_grads in enumerate(grads):
        ours.apply_gradients(zip(step_grads, our_vars))
        theirs.apply_gradients(zip(step_grads, their_vars))
        for name, a, b in zip(cases.SHAPES, our_vars, their_vars):
            np.testing.assert_allclose(
                a.numpy(),
                np.asarray(b.numpy()),
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"{name} after step {step + 1}",
            )
        assert len(ours.variables) == len(theirs.variables)
        for a, b in zip(ours.variables, theirs.variables):
            np.testing.assert_allclose(
                a.numpy(),
                np.asarray(b.numpy()),
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"optimizer variable {a.path} after step {step + 1}",
            )
    if ours.use_ema:
        ours.finalize_variable_values(our_vars)
        theirs.finalize_variable_values(their_vars)
        for a, b in zip(our_vars, their_vars):
            np.testing.assert_allclose(a.numpy(), np.asarray(b.numpy()), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_jitted_stateless_apply_matches_apply_gradients(case):
    values, grads = cases.initial_values(), cases.gradient_sets()
    stateful = cases.make_optimizer(optimizers, case)
    stateful_vars = cases.lamina_variables(values)
    pure = cases.make_optimizer(optimizers, case)
    pure_vars = cases.lamina_variables(values)
    pure.build(pure_vars)
    before = [v.numpy() for v in pure.variables] + [v.numpy() for v in pure_vars]

    step = jax.jit(pure.stateless_apply)
    trainable = [v.value for v in pure_vars]
    state = [v.value for v in pure.variables]
    for step_grads in grads:
        stateful.apply_gradients(zip(step_grads, stateful_vars))
        trainable, state = step(state, step_grads, trainable)
        for a, b in zip(trainable, stateful_vars):
            np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=RTOL, atol=ATOL)
        for a, b in zip(state, stateful.variables):
            np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=RTOL, atol=ATOL)
    # The pure form changed no Variable.
    after = [v.numpy() for v in pure.variables] + [v.numpy() for v in pure_vars]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_exclude_from_weight_decay_matches_keras(keras):
    values, grads = cases.initial_values(), cases.gradient_sets()
    ours = optimizers.AdamW(learning_rate=0.01, weight_decay=0.5)
    theirs = keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.5)
    our_vars = cases.lamina_variables(values)
    their_vars = cases.keras_variables(keras, values)
    ours.exclude_from_weight_decay(var_names=["bias"])
    theirs.exclude_from_weight_decay(var_names=["bias"])
    for step_grads in grads[:2]:
        ours.apply_gradients(zip(step_grads, our_vars))
        theirs.apply_gradients(zip(step_grads, their_vars))
    for a, b in zip(our_vars, their_vars):
        np.testing.assert_allclose(a.numpy(), np.asarray(b.numpy()), rtol=RTOL, atol=ATOL)


def test_none_gradient_skips_the_variable_with_a_warning():
    values, grads = cases.initial_values(), cases.gradient_sets()
    optimizer = optimizers.SGD(learning_rate=0.1)
    kernel, bias = cases.lamina_variables(values)
    with pytest.warns(UserWarning, match="dense/bias"):
        optimizer.apply_gradients([(grads[0][0], kernel), (None, bias)])
    np.testing.assert_array_equal(bias.numpy(), values[1])
    np.testing.assert_allclose(kernel.numpy(), values[0] - 0.1 * grads[0][0], rtol=1e-6)
