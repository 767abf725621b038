"""Normalization layers against real Keras: inference, training (batch statistics and the
moving-statistics update), masks, freezing and errors."""

import jax
import numpy as np
import pytest
from layer_harness import check_layer

import lamina

TRAIN = {"call_kwargs": {"training": True}}

# Few distinct shapes: JAX compiles each op once per shape, and that dominates the run time.
CASES = [
    ("BatchNormalization", {}, (4, 3), {}),
    ("BatchNormalization", {"axis": 1}, (4, 3, 2), {}),
    ("BatchNormalization", {"momentum": 0.5, "epsilon": 0.1}, (4, 3), TRAIN),
    ("BatchNormalization", {"axis": 1}, (4, 3, 2), TRAIN),
    ("BatchNormalization", {"center": False, "scale": False}, (4, 3), TRAIN),
    ("BatchNormalization", {"renorm": True, "renorm_clipping": {"rmax": 2.0, "rmin": 0.5,
                                                                 "dmax": 1.0}}, (4, 3), TRAIN),
    ("BatchNormalization", {"gamma_regularizer": "l2", "beta_constraint": "non_neg"}, (4, 3), {}),
    ("LayerNormalization", {}, (4, 3), {}),
    ("LayerNormalization", {"epsilon": 0.1, "center": False}, (4, 3, 2), {}),
    ("LayerNormalization", {"axis": [1, 2]}, (4, 3, 2), {}),
    ("LayerNormalization", {"axis": [-1, 1]}, (4, 3, 2), {}),
    ("LayerNormalization", {"axis": 1, "scale": False}, (4, 3, 2), {}),
    ("LayerNormalization", {"rms_scaling": True}, (4, 3), {}),
    ("GroupNormalization", {"groups": 2}, (4, 3, 4), {}),
    ("GroupNormalization", {"groups": -1, "center": False}, (4, 3, 4), {"check_grads": False}),
    ("GroupNormalization", {"groups": 3, "axis": 1, "epsilon": 0.01}, (4, 3, 4), {}),
    ("UnitNormalization", {}, (4, 3), {}),
    ("UnitNormalization", {"axis": [1, 2]}, (4, 3, 2), {}),
]


@pytest.mark.filterwarnings("ignore:.*rms_scaling")
@pytest.mark.parametrize("name, kwargs, shape, extra", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape, extra):
    check_layer(name, kwargs, shape, **extra)


def _pair(keras, **kwargs):
    k = keras.layers.BatchNormalization(**kwargs)
    lam = lamina.layers.BatchNormalization(**kwargs)
    return k, lam


def _set_same_weights(k, lam, shape):
    x = np.zeros(shape, "float32")
    k(x)
    lam(x)
    rng = np.random.default_rng(5)
    weights = [rng.normal(size=w.shape).astype("float32") for w in k.get_weights()]
    weights[-1] = np.abs(weights[-1]) + 0.2  # a variance
    k.set_weights(weights)
    lam.set_weights(weights)
    return weights


def test_batch_norm_training_updates_moving_statistics_like_keras(keras):
    k, lam = _pair(keras, momentum=0.9)
    before = _set_same_weights(k, lam, (8, 2, 3))
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(8, 2, 3)).astype("float32")
    k_out, l_out = k(x, training=True), lam(x, training=True)
    np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-5)
    for name in ("moving_mean", "moving_variance"):
        np.testing.assert_allclose(np.asarray(getattr(lam, name).value),
                                   np.asarray(getattr(k, name).value), rtol=1e-5, atol=1e-6)
    # The rule itself: moving = moving * momentum + batch * (1 - momentum).
    expected_mean = before[2] * 0.9 + x.mean(axis=(0, 1)) * 0.1
    expected_var = before[3] * 0.9 + x.var(axis=(0, 1)) * 0.1
    np.testing.assert_allclose(np.asarray(lam.moving_mean.value), expected_mean, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(lam.moving_variance.value), expected_var, rtol=1e-5)
    # The training output uses the batch statistics.
    gamma, beta = before[0], before[1]
    batch = (x - x.mean(axis=(0, 1))) / np.sqrt(x.var(axis=(0, 1)) + 1e-3) * gamma + beta
    np.testing.assert_allclose(np.asarray(l_out), batch, atol=1e-4)
    # Inference afterwards uses the updated moving statistics, as Keras does.
    np.testing.assert_allclose(np.asarray(lam(x)), np.asarray(k(x)), atol=1e-5)


def test_batch_norm_stateless_call_returns_the_updated_statistics(keras):
    k, lam = _pair(keras, momentum=0.8)
    _set_same_weights(k, lam, (6, 4))
    x = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    k_train = [v.value for v in k.trainable_variables]
    k_non = [v.value for v in k.non_trainable_variables]
    l_train = [v.value for v in lam.trainable_variables]
    l_non = [v.value for v in lam.non_trainable_variables]
    k_out, k_new = k.stateless_call(k_train, k_non, x, training=True)

    @jax.jit
    def step(train, non, x):
        return lam.stateless_call(train, non, x, training=True)

    l_out, l_new = step(l_train, l_non, x)
    np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-5)
    for a, b in zip(l_new, k_new):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    # The pure path leaves the Variables alone.
    np.testing.assert_array_equal(np.asarray(lam.moving_mean.value), np.asarray(l_non[0]))


def test_batch_norm_masked_training_matches_keras(keras):
    k, lam = _pair(keras, momentum=0.5)
    before = _set_same_weights(k, lam, (3, 4, 2))
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]], bool)
    k_out = k(x, training=True, mask=mask)
    l_out = lam(x, training=True, mask=mask)
    np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-5)
    np.testing.assert_allclose(np.asarray(lam.moving_mean.value), np.asarray(k.moving_mean.value),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(lam.moving_variance.value),
                               np.asarray(k.moving_variance.value), rtol=1e-5, atol=1e-6)
    # Only the unmasked positions count towards the batch statistics.
    kept = x[mask]
    np.testing.assert_allclose(np.asarray(lam.moving_mean.value),
                               0.5 * before[2] + 0.5 * kept.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(lam.moving_variance.value),
                               0.5 * before[3] + 0.5 * kept.var(axis=0), rtol=1e-5)


def test_batch_norm_mask_rank_error_names_layer():
    layer = lamina.layers.BatchNormalization(name="bn_mask")
    x = np.ones((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="bn_mask.*one dimension less"):
        layer(x, training=True, mask=np.ones((2, 3, 4), bool))


def test_frozen_batch_norm_runs_in_inference_mode(keras):
    k, lam = _pair(keras)
    _set_same_weights(k, lam, (4, 3))
    k.trainable = False
    lam.trainable = False
    x = np.random.default_rng(3).normal(size=(4, 3)).astype("float32")
    before = np.asarray(lam.moving_mean.value).copy()
    np.testing.assert_allclose(np.asarray(lam(x, training=True)), np.asarray(k(x, training=True)),
                               atol=1e-5)
    np.testing.assert_array_equal(np.asarray(lam.moving_mean.value), before)
    assert len(lam.trainable_weights) == 0 and len(lam.non_trainable_weights) == 4


def test_batch_norm_weight_order_and_synchronized_flag():
    layer = lamina.layers.BatchNormalization(synchronized=True)
    layer(np.ones((2, 3), "float32"), training=True)
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert layer.get_config()["synchronized"] is True
    no_affine = lamina.layers.BatchNormalization(center=False, scale=False)
    no_affine(np.ones((2, 3), "float32"))
    assert [w.name for w in no_affine.weights] == ["moving_mean", "moving_variance"]


def test_batch_norm_fit_step_matches_keras(keras):
    """One SGD step of Dense -> BN -> Dense: the same weights and moving statistics."""
    def build(lib):
        lib.utils.set_random_seed(0)
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3),
                                lib.layers.BatchNormalization(momentum=0.5),
                                lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        return model

    k_model, l_model = build(keras), build(lamina)
    l_model.set_weights(k_model.get_weights())
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    k_model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    l_model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(l_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_batch_norm_accepts_tf_keras2_config_axis_list():
    """Regression: tf_keras2/embed_norm.h5 stores BatchNormalization(axis=[1]) and failed to load."""
    layer = lamina.layers.BatchNormalization.from_config(
        {"name": "bn", "axis": [1], "momentum": 0.9, "fused": None})
    assert layer.axis == 1 and layer.get_config()["axis"] == 1
    with pytest.raises(TypeError, match="axis must be an int"):
        lamina.layers.BatchNormalization(axis=[1, 2])


def test_layer_norm_axis_becomes_sorted_list_and_round_trips():
    layer = lamina.layers.LayerNormalization(axis=[2, 1])
    layer(np.ones((2, 3, 4), "float32"))
    assert layer.get_config()["axis"] == [1, 2]
    assert layer.gamma.shape == (3, 4)
    clone = lamina.layers.LayerNormalization.from_config(layer.get_config())
    assert clone.axis == [1, 2]


def test_normalization_errors_name_the_layer():
    with pytest.raises(ValueError, match="ln_axis.*axis 3 is out of bounds"):
        lamina.layers.LayerNormalization(axis=3, name="ln_axis")(np.ones((2, 3), "float32"))
    with pytest.raises(TypeError, match="axis must be an int"):
        lamina.layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="gn.*groups=4 must divide the number of channels \\(6\\)"):
        lamina.layers.GroupNormalization(groups=4, name="gn")(np.ones((2, 6), "float32"))
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        lamina.layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="bn_axis.*axis 2 is out of bounds"):
        lamina.layers.BatchNormalization(axis=2, name="bn_axis")(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="renorm_clipping accepts the keys"):
        lamina.layers.BatchNormalization(renorm=True, renorm_clipping={"rmaxx": 1.0})


def test_half_precision_inputs_give_half_precision_outputs(keras):
    x = np.random.default_rng(6).normal(size=(2, 4)).astype("float16")
    for name, kwargs in (("LayerNormalization", {}), ("BatchNormalization", {})):
        k = getattr(keras.layers, name)(dtype="float16", **kwargs)
        lam = getattr(lamina.layers, name)(dtype="float16", **kwargs)
        k_out, l_out = k(x), lam(x)
        assert l_out.dtype == k_out.dtype
        np.testing.assert_allclose(np.asarray(l_out, "float32"), np.asarray(k_out, "float32"),
                                   atol=2e-3)


def test_supports_masking_passes_mask_through():
    inputs = lamina.Input((3, 4))
    for layer in (lamina.layers.BatchNormalization(), lamina.layers.LayerNormalization(),
                  lamina.layers.UnitNormalization(), lamina.layers.GroupNormalization(groups=2)):
        assert layer.supports_masking
        mask = np.array([[True, False, True]])
        np.testing.assert_array_equal(np.asarray(layer.compute_mask(inputs, mask)), mask)


def test_layer_norm_fifth_positional_is_beta_initializer_as_in_keras(keras):
    # Keras 3: (axis, epsilon, center, scale, beta_initializer, ...); rms_scaling is keyword-only.
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    k = keras.layers.LayerNormalization(-1, 1e-3, True, True, "ones")
    lam = lamina.layers.LayerNormalization(-1, 1e-3, True, True, "ones")
    np.testing.assert_allclose(np.asarray(lam(x)), np.asarray(k(x)), atol=1e-6)
    assert lam.get_config()["beta_initializer"] == k.get_config()["beta_initializer"]
    assert lam.rms_scaling is False
