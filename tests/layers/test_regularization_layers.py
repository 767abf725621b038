"""Regularization layers: the identity at inference (against Keras), the right noise statistics
in training, seeded repeatability, and the activity penalty."""

import jax
import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("SpatialDropout1D", {"rate": 0.5}, (2, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.3}, (2, 3, 4, 2)),
    ("SpatialDropout2D", {"rate": 0.5, "data_format": "channels_first"}, (2, 3, 4, 4)),
    ("SpatialDropout3D", {"rate": 0.5, "seed": 1}, (2, 3, 4, 2, 2)),
    ("GaussianNoise", {"stddev": 0.5}, (2, 3)),
    ("GaussianDropout", {"rate": 0.5, "seed": 3}, (2, 3)),
    ("AlphaDropout", {"rate": 0.5}, (2, 3)),
    ("AlphaDropout", {"rate": 0.2, "noise_shape": (None, 1)}, (2, 3)),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.2}, (2, 3)),
]

NOISY = [
    ("SpatialDropout1D", {"rate": 0.5}, (4, 3, 5)),
    ("SpatialDropout2D", {"rate": 0.5}, (4, 3, 3, 5)),
    ("SpatialDropout3D", {"rate": 0.5}, (4, 2, 2, 2, 5)),
    ("GaussianNoise", {"stddev": 0.3}, (4, 6)),
    ("GaussianDropout", {"rate": 0.3}, (4, 6)),
    ("AlphaDropout", {"rate": 0.3}, (4, 6)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_inference_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


@pytest.mark.parametrize("name, kwargs, shape", NOISY, ids=[c[0] for c in NOISY])
def test_identity_at_inference_and_noise_in_training(name, kwargs, shape):
    layer = getattr(lamina.layers, name)(seed=0, **kwargs)
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    y = np.asarray(layer(x, training=True))
    assert y.shape == x.shape and y.dtype == x.dtype
    assert not np.allclose(y, x)


@pytest.mark.parametrize("name, kwargs, shape", NOISY, ids=[c[0] for c in NOISY])
def test_seeded_layers_repeat_and_calls_differ(name, kwargs, shape):
    x = np.ones(shape, "float32")
    first = getattr(lamina.layers, name)(seed=42, **kwargs)
    second = getattr(lamina.layers, name)(seed=42, **kwargs)
    a1, a2 = np.asarray(first(x, training=True)), np.asarray(first(x, training=True))
    b1 = np.asarray(second(x, training=True))
    np.testing.assert_array_equal(a1, b1)
    assert not np.array_equal(a1, a2), "each training call must draw new noise"


def test_noise_threads_through_stateless_call_under_jit():
    layer = lamina.layers.GaussianNoise(0.5, seed=1)
    x = np.zeros((3, 4), "float32")
    non_trainable = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda non, x: layer.stateless_call([], non, x, training=True))
    y1, non_trainable = step(non_trainable, x)
    y2, _ = step(non_trainable, x)
    assert not np.array_equal(np.asarray(y1), np.asarray(y2))


@pytest.mark.parametrize("name, shape, data_format", [
    ("SpatialDropout1D", (64, 6, 32), None),
    ("SpatialDropout2D", (64, 3, 4, 32), "channels_last"),
    ("SpatialDropout2D", (64, 32, 3, 4), "channels_first"),
    ("SpatialDropout3D", (64, 2, 3, 2, 32), "channels_last"),
    ("SpatialDropout3D", (64, 32, 2, 3, 2), "channels_first"),
])
def test_spatial_dropout_drops_whole_channels(name, shape, data_format):
    kwargs = {} if data_format is None else {"data_format": data_format}
    layer = getattr(lamina.layers, name)(0.25, seed=3, **kwargs)
    y = np.asarray(layer(np.ones(shape, "float32"), training=True))
    channel_axis = 1 if data_format == "channels_first" else len(shape) - 1
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis)
    # Every channel of every sample is either all dropped or all kept (scaled by 1 / 0.75).
    per_channel = y.max(axis=spatial)
    np.testing.assert_array_equal(y.min(axis=spatial), per_channel)
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.18 < (per_channel == 0).mean() < 0.32


def test_gaussian_noise_statistics():
    layer = lamina.layers.GaussianNoise(0.3, seed=5)
    x = np.full((200, 100), 2.0, "float32")
    noise = np.asarray(layer(x, training=True)) - x
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.3) < 0.01


def test_gaussian_dropout_statistics():
    rate = 0.2
    layer = lamina.layers.GaussianDropout(rate, seed=6)
    factor = np.asarray(layer(np.ones((200, 100), "float32"), training=True))
    assert abs(factor.mean() - 1.0) < 0.01
    assert abs(factor.std() - np.sqrt(rate / (1 - rate))) < 0.01


def test_alpha_dropout_statistics_and_noise_shape():
    rate = 0.2
    layer = lamina.layers.AlphaDropout(rate, seed=7)
    x = np.random.default_rng(7).normal(size=(400, 100)).astype("float32")
    y = np.asarray(layer(x, training=True))
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(y, a * alpha_p + b, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    # Self-normalising: a standard normal input keeps mean 0 and variance 1.
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1.0) < 0.03
    shared = lamina.layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=8)
    z = np.asarray(shared(np.ones((50, 6), "float32"), training=True))
    assert (z == z[:, :1]).all()


def test_activity_regularization_losses_match_keras(keras):
    x = np.random.default_rng(9).normal(size=(4, 5)).astype("float32")
    k = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    lam = lamina.layers.ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(np.asarray(lam(x)), x)
    k(x)
    assert len(lam.losses) == len(k.losses) == 1
    np.testing.assert_allclose(float(lam.losses[0]), float(k.losses[0]), rtol=1e-5)
    expected = (0.1 * np.abs(x).sum() + 0.01 * np.square(x).sum()) / 4
    np.testing.assert_allclose(float(lam.losses[0]), expected, rtol=1e-5)
    config = lam.get_config()
    assert "activity_regularizer" not in config and config["l1"] == 0.1


@pytest.mark.parametrize("name, args", [
    ("SpatialDropout1D", (0.4, 2, "sd1", "float16")),
    ("SpatialDropout2D", (0.4, "channels_first", 2, "sd2", "float16")),
    ("SpatialDropout3D", (0.4, None, 2, "sd3", "mixed_float16")),
    ("SpatialDropout2D", (0.4,)),
])
def test_spatial_dropout_positional_args_and_config_match_keras(keras, name, args):
    # Keras: SpatialDropout1D(rate, seed, name, dtype), 2D/3D(rate, data_format, seed, name,
    # dtype); get_config writes `dtype` as the variable-dtype string, not a DTypePolicy.
    k = getattr(keras.layers, name)(*args)
    lam = getattr(lamina.layers, name)(*args)
    k_config, l_config = k.get_config(), lam.get_config()
    if len(args) == 1:  # auto-generated names differ by counter
        k_config.pop("name"), l_config.pop("name")
    assert l_config == k_config
    clone = type(lam).from_config(lam.get_config())
    assert clone.get_config() == lam.get_config()


def test_errors_name_the_layer_and_the_value():
    with pytest.raises(ValueError, match="gn_bad.*stddev must be a float in \\[0, 1\\].*1.5"):
        lamina.layers.GaussianNoise(1.5, name="gn_bad")
    with pytest.raises(ValueError, match="GaussianDropout.*rate.*-0.1"):
        lamina.layers.GaussianDropout(-0.1)
    with pytest.raises(ValueError, match="AlphaDropout.*rate.*2"):
        lamina.layers.AlphaDropout(2)
    with pytest.raises(ValueError, match="expected ndim=4"):
        lamina.layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4), "float32"))
