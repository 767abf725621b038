"""Core layers of the foundation issue, each against real Keras with the same weights."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("Dense", {"units": 3}, (4, 5)),
    ("Dense", {"units": 4, "activation": "relu", "use_bias": False}, (2, 3, 5)),
    ("Dense", {"units": 2, "activation": "softmax", "kernel_initializer": "he_normal"}, (3, 6)),
    ("Activation", {"activation": "tanh"}, (4, 3)),
    ("Activation", {"activation": "gelu"}, (4, 3)),
    ("Dropout", {"rate": 0.5}, (4, 6)),  # inference: the identity
    ("Flatten", {}, (2, 3, 4)),
    ("Flatten", {"data_format": "channels_first"}, (2, 3, 4, 5)),
    ("Reshape", {"target_shape": (3, 4)}, (2, 12)),
    ("Reshape", {"target_shape": (-1, 2)}, (2, 3, 4)),
    ("LeakyReLU", {}, (3, 5)),
    ("LeakyReLU", {"negative_slope": 0.05}, (3, 5)),
    ("Concatenate", {}, [(2, 3), (2, 4)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4)]),
    ("Add", {}, [(2, 3), (2, 3), (2, 3)]),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


def test_dense_regularizers_and_constraints_match_keras(keras):
    kwargs = {"units": 3, "kernel_regularizer": "l2", "bias_regularizer": "l1",
              "activity_regularizer": "l2", "kernel_constraint": "max_norm"}
    k_layer, l_layer = check_layer("Dense", kwargs, (4, 5))
    x = np.random.default_rng(3).normal(size=(4, 5)).astype("float32")
    k_layer(x)
    l_layer(x)
    k_losses = sorted(float(v) for v in k_layer.losses)
    l_losses = sorted(float(v) for v in l_layer.losses)
    np.testing.assert_allclose(l_losses, k_losses, rtol=1e-5)


def test_lambda_matches_keras(keras):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    k = keras.layers.Lambda(lambda t: t * 2.0 + 1.0)
    lam = lamina.layers.Lambda(lambda t: t * 2.0 + 1.0)
    np.testing.assert_allclose(np.asarray(lam(x)), np.asarray(k(x)), atol=1e-6)
    sym = lam(lamina.Input(shape=(4,)))
    assert sym.shape == (None, 4)


def test_dropout_training_zeroes_and_rescales():
    layer = lamina.layers.Dropout(0.25, seed=3)
    x = np.ones((200, 50), "float32")
    y = np.asarray(layer(x, training=True))
    kept = y != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    y2 = np.asarray(layer(x, training=True))
    assert (y2 != y).any(), "each call must draw a new mask"
    np.testing.assert_array_equal(np.asarray(layer(x)), x)


def test_dropout_noise_shape_shares_mask_across_timesteps():
    layer = lamina.layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=1)
    y = np.asarray(layer(np.ones((4, 5, 6), "float32"), training=True))
    assert (y == y[:, :1, :]).all()


def test_dropout_seeded_runs_repeat():
    def run():
        lamina.utils.set_random_seed(7)
        return np.asarray(lamina.layers.Dropout(0.5)(np.ones((8, 8), "float32"), training=True))

    np.testing.assert_array_equal(run(), run())


def test_dense_wrong_input_dim_error_names_layer_and_shapes():
    layer = lamina.layers.Dense(3, name="my_dense")
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r'layer "my_dense".*axis -1.*value 4.*\(2, 5\)'):
        layer(np.ones((2, 5), "float32"))


def test_dense_rank_one_input_is_refused():
    with pytest.raises(ValueError, match=r"min_ndim=2, found ndim=1"):
        lamina.layers.Dense(3)(np.ones((4,), "float32"))


def test_unknown_constructor_kwarg_is_a_type_error():
    with pytest.raises(TypeError, match="unitz"):
        lamina.layers.Dense(3, unitz=4)


def test_default_names_follow_keras_counters(keras):
    lamina.backend.clear_session()
    keras.backend.clear_session()
    names = [lamina.layers.Dense(1).name, lamina.layers.Dense(1).name,
             lamina.layers.LeakyReLU().name, lamina.layers.InputLayer(shape=(2,)).name]
    k_names = [keras.layers.Dense(1).name, keras.layers.Dense(1).name,
               keras.layers.LeakyReLU().name, keras.layers.InputLayer(shape=(2,)).name]
    assert names == k_names == ["dense", "dense_1", "leaky_re_lu", "input_layer"]


def test_config_values_equal_keras_for_dense(keras):
    kwargs = {"units": 7, "activation": "relu", "kernel_initializer": "he_normal", "name": "d"}
    assert lamina.layers.Dense(**kwargs).get_config() == keras.layers.Dense(**kwargs).get_config()
