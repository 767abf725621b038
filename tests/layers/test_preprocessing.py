"""Preprocessing layers that live in models (Rescaling, Normalization, CenterCrop, Resizing)."""

import jax.numpy as jnp
import numpy as np
import pytest
from layer_harness import check_layer

import lamina

RNG = np.random.default_rng(0)

CASES = [
    ("Rescaling", {"scale": 1 / 255.0}, (2, 3, 4)),
    ("Rescaling", {"scale": 1 / 127.5, "offset": -1.0}, (2, 4, 4, 3)),
    ("Rescaling", {"scale": [0.5, 2.0, 3.0], "offset": [0.0, 1.0, -1.0]}, (2, 4, 3)),
    ("Normalization", {"mean": 2.0, "variance": 3.0}, (2, 3)),
    ("Normalization", {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 2.0, 3.0]}, (4, 3)),
    ("Normalization", {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 2.0, 3.0], "invert": True},
     (4, 3)),
    ("Normalization", {"axis": (1, 2), "mean": [[1.0, 2.0]] * 3, "variance": [[4.0, 0.5]] * 3},
     (2, 3, 2)),
    ("Normalization", {"axis": None, "mean": 0.5, "variance": 0.0}, (2, 3)),  # epsilon floor
    ("CenterCrop", {"height": 2, "width": 3}, (2, 5, 6, 3)),
    ("CenterCrop", {"height": 3, "width": 3}, (6, 5, 2)),
    ("CenterCrop", {"height": 6, "width": 3}, (2, 5, 6, 3)),  # smaller image: crop, resize
    ("CenterCrop", {"height": 7, "width": 9}, (2, 5, 6, 3)),
    ("CenterCrop", {"height": 2, "width": 2, "data_format": "channels_first"}, (2, 3, 5, 6)),
    ("Resizing", {"height": 3, "width": 7}, (2, 5, 6, 3)),
    ("Resizing", {"height": 10, "width": 12}, (5, 6, 2)),
    ("Resizing", {"height": 8, "width": 4, "interpolation": "nearest"}, (2, 5, 6, 3)),
    ("Resizing", {"height": 8, "width": 4, "interpolation": "bicubic"}, (2, 5, 6, 3)),
    ("Resizing", {"height": 3, "width": 4, "interpolation": "lanczos3"}, (2, 9, 7, 1)),
    ("Resizing", {"height": 3, "width": 4, "antialias": True}, (2, 9, 7, 1)),
    ("Resizing", {"height": 3, "width": 7, "crop_to_aspect_ratio": True}, (2, 5, 6, 3)),
    ("Resizing", {"height": 7, "width": 3, "pad_to_aspect_ratio": True, "fill_value": 0.5},
     (2, 5, 6, 3)),
    ("Resizing", {"height": 3, "width": 7, "pad_to_aspect_ratio": True}, (2, 5, 6, 3)),
    ("Resizing", {"height": 4, "width": 3, "data_format": "channels_first"}, (2, 3, 5, 6)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


@pytest.mark.parametrize("layer_kwargs", [
    ("Rescaling", {"scale": 1 / 255.0}),
    ("Resizing", {"height": 3, "width": 4}),
    ("Resizing", {"height": 7, "width": 9, "interpolation": "bicubic"}),
    ("CenterCrop", {"height": 3, "width": 3}),
    ("CenterCrop", {"height": 7, "width": 9}),
])
def test_integer_images_match_keras(keras, layer_kwargs):
    name, kwargs = layer_kwargs
    images = RNG.integers(0, 256, size=(2, 5, 6, 3)).astype("uint8")
    k_out = getattr(keras.layers, name)(**kwargs)(images)
    l_out = getattr(lamina.layers, name)(**kwargs)(images)
    assert np.dtype(l_out.dtype) == np.dtype(k_out.dtype)
    np.testing.assert_allclose(np.asarray(l_out, "float64"), np.asarray(k_out, "float64"),
                               atol=1e-4)


def test_rescaling_numpy_scale_config_round_trips_like_keras(keras):
    scale = np.array([1.0, 2.0, 3.0], "float32")
    l_config = lamina.layers.Rescaling(scale, offset=0.5).get_config()
    k_config = keras.layers.Rescaling(scale, offset=0.5).get_config()
    assert l_config["scale"] == k_config["scale"]
    for config in (l_config, k_config):
        layer = lamina.layers.Rescaling.from_config(config)
        np.testing.assert_array_equal(np.asarray(layer.scale), scale)
    assert keras.layers.Rescaling.from_config(l_config).get_config() == k_config | {
        "name": k_config["name"]}


# -- Normalization.adapt ---------------------------------------------------------------------------
def _adapt_both(keras, kwargs, data):
    """Keras 3.15 needs TensorFlow to adapt on an iterable (its tf.data check imports it), so
    Keras adapts on the concatenated batches there; the pooled statistics are the same."""
    k_layer = keras.layers.Normalization(**kwargs)
    l_layer = lamina.layers.Normalization(**kwargs)
    batches = data() if callable(data) else data
    if isinstance(batches, np.ndarray | jnp.ndarray):
        k_layer.adapt(batches)
    else:
        k_layer.adapt(np.concatenate([b[0] if isinstance(b, tuple) else b
                                      for b in (data() if callable(data) else data)]))
    l_layer.adapt(batches)
    return k_layer, l_layer


ADAPT_DATA = RNG.normal(loc=3.0, scale=2.0, size=(40, 4, 3)).astype("float32")


@pytest.mark.parametrize("kwargs, data", [
    ({}, ADAPT_DATA),
    ({"axis": None}, ADAPT_DATA),
    ({"axis": 1}, ADAPT_DATA),
    ({"axis": (1, 2)}, ADAPT_DATA),
    ({"invert": True}, ADAPT_DATA[:, 0]),
    ({}, RNG.integers(0, 10, size=(30, 5))),
    ({}, jnp.asarray(ADAPT_DATA)),
    ({}, [ADAPT_DATA[:16], ADAPT_DATA[16:30], ADAPT_DATA[30:]]),
    ({"axis": None}, [ADAPT_DATA[:7], ADAPT_DATA[7:]]),
    ({}, lambda: ((ADAPT_DATA[i:i + 8], np.zeros(8)) for i in range(0, 40, 8))),
])
def test_normalization_adapt_matches_keras(keras, kwargs, data):
    k_layer, l_layer = _adapt_both(keras, kwargs, data)
    assert [w.name for w in l_layer.weights] == [w.name for w in k_layer.weights]
    assert [w.dtype for w in l_layer.weights] == [w.dtype for w in k_layer.weights]
    assert all(not w.trainable for w in l_layer.weights) and not l_layer.trainable_weights
    for lw, kw in zip(l_layer.get_weights(), k_layer.get_weights()):
        np.testing.assert_allclose(lw, kw, rtol=1e-5, atol=1e-6)
    feature_shape = tuple(k_layer.get_build_config()["input_shape"])[1:]
    x = RNG.normal(loc=3.0, size=(5, *feature_shape)).astype("float32")
    np.testing.assert_allclose(np.asarray(l_layer(x)), np.asarray(k_layer(x)), rtol=1e-5,
                               atol=1e-5)
    # The first batch's shape (Keras saw the concatenated batches when `data` is an iterable).
    assert tuple(l_layer.get_build_config()["input_shape"])[1:] == feature_shape


def test_normalization_in_a_model_reads_its_weights():
    layer = lamina.layers.Normalization()
    layer.adapt(ADAPT_DATA[:, 0])
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, layer(inputs))
    x = ADAPT_DATA[:6, 1]
    expected = (x - ADAPT_DATA[:, 0].mean(0)) / ADAPT_DATA[:, 0].std(0)
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-4, atol=1e-5)
    # Statistics set as weights (a loaded file, or stateless values) take effect directly.
    mean, variance, count = layer.get_weights()
    layer.set_weights([mean + 1.0, variance, count])
    np.testing.assert_allclose(np.asarray(model(x)), expected - 1.0 / ADAPT_DATA[:, 0].std(0),
                               rtol=1e-4, atol=1e-5)
    out, _ = model.stateless_call([], [mean, variance * 4.0, count], x)
    np.testing.assert_allclose(np.asarray(out), expected / 2.0, rtol=1e-4, atol=1e-5)


def test_normalization_config_matches_keras(keras):
    for kwargs in ({}, {"axis": None}, {"mean": [1.0, 2.0], "variance": [3.0, 4.0]},
                   {"axis": (1, 2), "invert": True}):
        assert (lamina.layers.Normalization(**kwargs).get_config() | {"name": ""}
                == keras.layers.Normalization(**kwargs).get_config() | {"name": ""})


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        lamina.layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        lamina.layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    layer = lamina.layers.Normalization(axis=2)
    with pytest.raises(ValueError, match="range"):
        layer(np.ones((2, 3), "float32"))
    layer = lamina.layers.Normalization()
    layer.adapt(np.ones((4, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match="empty iterable"):
        lamina.layers.Normalization().adapt([])
    with pytest.raises(TypeError, match="adapt"):
        lamina.layers.Normalization().adapt(3.0)


def test_image_layer_errors():
    with pytest.raises(ValueError, match="interpolation"):
        lamina.layers.Resizing(3, 3, interpolation="area")
    with pytest.raises(ValueError, match="only one of"):
        lamina.layers.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="height must be a positive integer"):
        lamina.layers.CenterCrop(0, 3)
    with pytest.raises(ValueError, match="rank"):
        lamina.layers.CenterCrop(2, 2)(np.ones((2, 3), "float32"))


def test_preprocessing_model_matches_keras(keras):
    """Resizing -> CenterCrop -> Rescaling -> Normalization in one Functional model."""
    images = RNG.integers(0, 256, size=(3, 12, 10, 3)).astype("float32")

    def build(lib):
        norm = lib.layers.Normalization()
        norm.adapt(images / 255.0)
        inputs = lib.Input((12, 10, 3))
        x = lib.layers.Resizing(8, 8)(inputs)
        x = lib.layers.CenterCrop(6, 6)(x)
        x = lib.layers.Rescaling(1 / 255.0)(x)
        return lib.Model(inputs, norm(x))

    np.testing.assert_allclose(np.asarray(build(lamina)(images)),
                               np.asarray(build(keras)(images)), rtol=1e-4, atol=1e-4)
