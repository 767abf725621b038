"""Activation layers against real Keras, including Softmax with masks."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("ReLU", {}, (2, 5), {}),
    ("ReLU", {"max_value": 1.0}, (3, 5), {}),
    ("ReLU", {"max_value": 6.0}, (3, 5), {}),
    ("ReLU", {"negative_slope": 0.1}, (3, 5), {}),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}, (3, 5), {}),
    ("ReLU", {"threshold": 0.5}, (3, 5), {}),
    ("PReLU", {}, (2, 4), {}),
    ("PReLU", {"alpha_initializer": "ones"}, (2, 3, 4), {}),
    ("PReLU", {"shared_axes": [1, 2]}, (2, 3, 4, 2), {}),
    ("PReLU", {"shared_axes": 1, "alpha_regularizer": "l2", "alpha_constraint": "non_neg"},
     (2, 3, 4), {}),
    ("ELU", {}, (2, 5), {}),
    ("ELU", {"alpha": 0.5}, (2, 5), {}),
    ("Softmax", {}, (2, 5), {}),
    ("Softmax", {"axis": 1}, (2, 4, 3), {}),
    ("Softmax", {"axis": [1, 2]}, (2, 4, 3), {}),
    ("Softmax", {"axis": [-1]}, (2, 4, 3), {}),
]


@pytest.mark.parametrize("name, kwargs, shape, extra", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape, extra):
    check_layer(name, kwargs, shape, **extra)


MASKS = [
    ("bool full", (2, 3, 4), lambda r: r.random((2, 3, 4)) > 0.3),
    ("bool broadcast", (2, 3, 4), lambda r: r.random((2, 1, 4)) > 0.3),
    ("float", (2, 3, 4), lambda r: (r.random((2, 3, 4)) > 0.3).astype("float32")),
    ("row fully masked", (2, 4), lambda r: np.array([[True, False, True, True], [False] * 4])),
]


@pytest.mark.parametrize("label, shape, make_mask", MASKS, ids=[m[0] for m in MASKS])
def test_softmax_with_mask_matches_keras(keras, label, shape, make_mask):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    mask = make_mask(rng)
    k_out = np.asarray(keras.layers.Softmax()(x, mask=mask))
    l_out = np.asarray(lamina.layers.Softmax()(x, mask=mask))
    np.testing.assert_allclose(l_out, k_out, atol=1e-6)
    keep = np.broadcast_to(np.asarray(mask) > 0.5, shape)
    assert np.all(l_out[~keep] < 1e-6), "masked positions get ~0 probability"
    sums = l_out.sum(axis=-1)
    rows_with_any = keep.any(axis=-1)
    np.testing.assert_allclose(sums[rows_with_any], 1.0, rtol=1e-5)


def test_softmax_mask_shape_error_names_layer():
    with pytest.raises(ValueError, match="sm.*broadcastable"):
        lamina.layers.Softmax(name="sm")(np.ones((2, 4), "float32"), mask=np.ones((2, 3), bool))


def test_softmax_mask_in_a_model_gradient_matches_keras(keras):
    import jax

    x = np.random.default_rng(1).normal(size=(2, 5)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    cot = np.random.default_rng(2).normal(size=(2, 5)).astype("float32")
    k_layer, l_layer = keras.layers.Softmax(), lamina.layers.Softmax()
    k_grad = jax.grad(lambda v: (k_layer(v, mask=mask) * cot).sum())(x)
    l_grad = jax.grad(lambda v: (l_layer(v, mask=mask) * cot).sum())(x)
    np.testing.assert_allclose(np.asarray(l_grad), np.asarray(k_grad), atol=1e-6)


def test_elu_alpha_round_trips_through_config():
    layer = lamina.layers.ELU(alpha=0.25)
    clone = lamina.layers.ELU.from_config(layer.get_config())
    x = np.array([[-2.0, 1.0]], "float32")
    np.testing.assert_allclose(np.asarray(clone(x)), [[0.25 * (np.exp(-2.0) - 1), 1.0]], rtol=1e-6)


def test_prelu_weight_shape_and_input_spec():
    layer = lamina.layers.PReLU(shared_axes=[1, 2])
    layer(np.ones((2, 3, 4, 5), "float32"))
    assert [w.name for w in layer.weights] == ["alpha"] and layer.alpha.shape == (1, 1, 5)
    layer(np.ones((1, 7, 9, 5), "float32"))  # shared axes may change size
    with pytest.raises(ValueError, match="expected axis 3 of input shape to have value 5"):
        layer(np.ones((2, 3, 4, 6), "float32"))


def test_activation_errors_name_the_layer():
    with pytest.raises(ValueError, match="r1.*max_value must be a number >= 0 or None.*-1"):
        lamina.layers.ReLU(max_value=-1, name="r1")
    with pytest.raises(ValueError, match="ReLU.*negative_slope must be a number >= 0"):
        lamina.layers.ReLU(negative_slope=None)
    with pytest.raises(ValueError, match="ReLU.*threshold must be a number >= 0"):
        lamina.layers.ReLU(threshold=-0.5)
    with pytest.raises(ValueError, match="pr.*shared_axes must be non-batch axes"):
        lamina.layers.PReLU(shared_axes=[0], name="pr")(np.ones((2, 3), "float32"))
