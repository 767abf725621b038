"""The `Loss` base class, the reduction helpers, jit-compatibility and `compile()` strings."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lamina.losses as lamina_losses
from lamina._src.losses import masking
from lamina._src.losses.compile_strings import classify_targets, resolve_loss
from lamina._src.losses.reduction import squeeze_or_expand_to_same_rank


class HalfSquares(lamina_losses.Loss):
    def call(self, y_true, y_pred):
        return 0.5 * jnp.mean(jnp.square(y_pred - y_true), axis=-1)


def test_custom_subclass_reduces_and_serializes():
    loss = HalfSquares(reduction="sum", name="half")
    y_true = np.zeros((3, 2), "float32")
    y_pred = np.array([[1, 1], [2, 2], [0, 0]], "float32")
    assert float(loss(y_true, y_pred)) == pytest.approx(0.5 + 2.0)
    assert float(loss(y_true, y_pred, sample_weight=[1, 0, 1])) == pytest.approx(0.5)
    assert loss.get_config() == {"name": "half", "reduction": "sum"}
    assert HalfSquares.from_config(loss.get_config()).reduction == "sum"
    assert HalfSquares().name.startswith("half_squares")
    assert loss.dtype == "float32"


def test_call_must_be_implemented():
    with pytest.raises(NotImplementedError, match="call"):
        lamina_losses.Loss()(np.zeros(2), np.zeros(2))


def test_invalid_reduction_names_it():
    with pytest.raises(ValueError, match="'average'"):
        lamina_losses.MeanSquaredError(reduction="average")


def test_dtype_policy_sets_computation_dtype():
    loss = lamina_losses.MeanSquaredError(dtype="bfloat16")
    assert loss.dtype == "bfloat16"
    assert loss(np.zeros((2, 2)), np.ones((2, 2))).dtype == jnp.bfloat16


def test_squeeze_or_expand_to_same_rank():
    a, b = squeeze_or_expand_to_same_rank(jnp.zeros((4, 1)), jnp.zeros((4,)))
    assert a.shape == (4, 1) and b.shape == (4, 1)
    a, b = squeeze_or_expand_to_same_rank(jnp.zeros((4, 3, 1)), jnp.zeros((4, 3)))
    assert a.shape == (4, 3) and b.shape == (4, 3)
    a, b = squeeze_or_expand_to_same_rank(jnp.zeros((4, 1)), jnp.zeros((4,)), expand_rank_1=False)
    assert a.shape == (4,) and b.shape == (4,)
    a, b = squeeze_or_expand_to_same_rank(jnp.zeros((4, 3)), jnp.zeros((4,)))
    assert a.shape == (4, 3) and b.shape == (4,)  # not a trailing 1: unchanged


def test_loss_function_wrapper_handles_nested_structures():
    wrapper = lamina_losses.LossFunctionWrapper(
        lambda t, p: lamina_losses.mean_squared_error(t["a"], p["a"]) + 0 * p["b"][:, 0]
    )
    y_true = {"a": np.zeros((3, 1), "float32"), "b": np.zeros(3, "float32")}
    y_pred = {"a": np.ones(3, "float32"), "b": np.ones((3, 1), "float32")}
    assert float(wrapper(y_true, y_pred)) == pytest.approx(1.0)


def test_wrapper_rejects_non_callables():
    with pytest.raises(TypeError, match="callable"):
        lamina_losses.LossFunctionWrapper("mse")


def test_losses_run_under_jit_and_grad():
    """The ignore_class mask reaches the reduction under jax.jit too (tracers carry no attributes)."""
    loss = lamina_losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    rng = np.random.default_rng(0)
    labels = np.array([0, -1, 2, -1, 1], "float32")
    logits = rng.normal(size=(5, 3)).astype("float32")
    eager = loss(labels, logits)
    np.testing.assert_allclose(jax.jit(loss)(labels, logits), eager, rtol=1e-6)
    grads = jax.jit(jax.grad(lambda x: loss(labels, x)))(logits)
    np.testing.assert_array_equal(grads[1], 0)  # ignored rows get no gradient
    assert np.isfinite(np.asarray(grads)).all()


def test_masks_attach_to_arrays_and_tracers():
    x = jnp.ones(3)
    masking.set_keras_mask(x, jnp.array([True, False, True]))
    assert masking.get_keras_mask(x).tolist() == [True, False, True]
    masking.set_keras_mask(x, None)
    assert masking.get_keras_mask(x) is None

    def traced(v):
        masking.set_keras_mask(v, v > 0)
        return jnp.where(masking.get_keras_mask(v), v, 0)

    assert jax.jit(traced)(jnp.array([-1.0, 2.0])).tolist() == [0.0, 2.0]


@pytest.mark.parametrize(
    "y_true_shape,y_pred_shape,expected",
    [
        ((8, 1), (8, 1), "binary"),
        ((8,), (8, 1), "binary"),
        ((8,), (8, 10), "sparse_categorical"),
        ((8, 1), (8, 10), "sparse_categorical"),
        ((8, 5), (8, 5, 10), "sparse_categorical"),
        ((8, 10), (8, 10), "categorical"),
        ((8, 3), (8, 3), "categorical"),  # a 3-unit sigmoid output too: Keras 3 ignores the loss
    ],
)
def test_crossentropy_string_follows_keras(keras, y_true_shape, y_pred_shape, expected):
    from keras.src.trainers import compile_utils

    assert classify_targets(y_true_shape, y_pred_shape) == expected
    y_true, y_pred = np.zeros(y_true_shape, "float32"), np.zeros(y_pred_shape, "float32")
    for identifier in ("crossentropy", "CE"):
        ours = resolve_loss(identifier, y_true_shape, y_pred_shape)
        theirs = compile_utils.get_loss(identifier, y_true, y_pred)
        assert ours.fn.__name__ == theirs.fn.__name__ == f"{expected}_crossentropy"
        assert ours.name == theirs.name == identifier


def test_resolve_loss_other_identifiers():
    assert resolve_loss(None, (2,), (2,)) is None
    mse = resolve_loss("mse", (2, 1), (2, 1))
    assert isinstance(mse, lamina_losses.LossFunctionWrapper) and mse.name == "mse"
    assert mse.fn is lamina_losses.mean_squared_error
    huber = lamina_losses.Huber()
    assert resolve_loss(huber, (2, 1), (2, 1)) is huber
    assert resolve_loss(lamina_losses.poisson, (2, 1), (2, 1)).name == "poisson"
