"""Pooling layers against real Keras (odd sizes, "same" edges, both data formats, masks)."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CF = {"data_format": "channels_first"}

CASES = [
    ("MaxPooling1D", {}, (2, 7, 3)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 3)),
    ("MaxPool1D", {"pool_size": 2, "strides": 1, **CF}, (2, 3, 7)),
    ("MaxPooling2D", {}, (2, 7, 5, 3)),
    ("MaxPooling2D", {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"}, (2, 7, 5, 3)),
    ("MaxPool2D", {"pool_size": 3, "strides": 2, "padding": "same", **CF}, (2, 3, 7, 5)),
    ("MaxPooling3D", {"pool_size": 2, "padding": "same"}, (1, 5, 3, 4, 2)),
    ("MaxPooling3D", {"pool_size": (2, 1, 2), "strides": 1, **CF}, (1, 2, 5, 3, 4)),
    ("AveragePooling1D", {"pool_size": 2, "padding": "same"}, (2, 7, 3)),
    ("AveragePooling1D", {"pool_size": 4, "strides": 3, "padding": "same", **CF}, (2, 3, 11)),
    ("AvgPool1D", {"pool_size": 3, "strides": 2}, (2, 9, 3)),
    ("AveragePooling2D", {"pool_size": 2}, (2, 7, 5, 3)),
    ("AveragePooling2D", {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"},
     (2, 7, 5, 3)),
    ("AvgPool2D", {"pool_size": 3, "strides": 2, "padding": "same", **CF}, (2, 3, 7, 5)),
    ("AveragePooling3D", {"pool_size": (2, 3, 2), "strides": 2, "padding": "same"},
     (1, 5, 3, 4, 2)),
    ("AvgPool3D", {"pool_size": 2, **CF}, (1, 2, 5, 3, 4)),
    ("GlobalMaxPooling1D", {}, (2, 7, 3)),
    ("GlobalMaxPool1D", {"keepdims": True, **CF}, (2, 3, 7)),
    ("GlobalMaxPooling2D", {"keepdims": True}, (2, 7, 5, 3)),
    ("GlobalMaxPool2D", CF, (2, 3, 7, 5)),
    ("GlobalMaxPooling3D", {}, (1, 5, 3, 4, 2)),
    ("GlobalMaxPooling3D", {"keepdims": True, **CF}, (1, 2, 5, 3, 4)),
    ("GlobalAveragePooling1D", {}, (2, 7, 3)),
    ("GlobalAvgPool1D", {"keepdims": True, **CF}, (2, 3, 7)),
    ("GlobalAveragePooling2D", {}, (2, 7, 5, 3)),
    ("GlobalAvgPool2D", {"keepdims": True, **CF}, (2, 3, 7, 5)),
    ("GlobalAveragePooling3D", {"keepdims": True}, (1, 5, 3, 4, 2)),
    ("GlobalAvgPool3D", CF, (1, 2, 5, 3, 4)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


def test_average_same_divides_by_valid_elements():
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    y = np.asarray(lamina.layers.AveragePooling1D(2, padding="same")(x))[0, :, 0]
    np.testing.assert_allclose(y, [1.5, 3.5, 5.0])  # the last window holds one real element


@pytest.mark.parametrize("data_format, keepdims", [("channels_last", False),
                                                   ("channels_first", True)])
def test_global_average_pooling_1d_mask_matches_keras(keras, data_format, keepdims):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    if data_format == "channels_first":
        x = np.transpose(x, (0, 2, 1))
    mask = np.array([[1, 1, 1, 0, 0, 0], [1, 0, 1, 0, 1, 1], [1, 1, 1, 1, 1, 1]], bool)
    kwargs = {"data_format": data_format, "keepdims": keepdims}
    expected = keras.layers.GlobalAveragePooling1D(**kwargs)(x, mask=mask)
    got = lamina.layers.GlobalAveragePooling1D(**kwargs)(x, mask=mask)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6, atol=1e-6)


def test_global_average_pooling_1d_uses_the_embedding_mask():
    tokens = np.array([[3, 5, 0, 0], [7, 0, 0, 0]], "int32")
    inputs = lamina.Input(shape=(4,), dtype="int32")
    embedded = lamina.layers.Embedding(10, 3, mask_zero=True)
    pooled = lamina.layers.GlobalAveragePooling1D()(embedded(inputs))
    assert getattr(pooled, "_keras_mask", None) is None
    model = lamina.Model(inputs, pooled)
    table = np.asarray(embedded.embeddings.value)
    expected = np.stack([table[[3, 5]].mean(0), table[7]])
    np.testing.assert_allclose(np.asarray(model(tokens)), expected, rtol=1e-6)


def test_pooling_in_a_sequential_model():
    model = lamina.Sequential([
        lamina.Input(shape=(9, 7, 2)),
        lamina.layers.MaxPooling2D(padding="same"),
        lamina.layers.AveragePooling2D(2, strides=1),
        lamina.layers.GlobalAveragePooling2D(),
    ])
    assert model.output_shape == (None, 2)
    x = np.random.default_rng(0).normal(size=(2, 9, 7, 2)).astype("float32")
    assert model(x).shape == (2, 2)


@pytest.mark.parametrize("name, kwargs, match", [
    ("MaxPooling2D", {"padding": "full"}, "padding"),
    ("AveragePooling1D", {"pool_size": 2, "padding": "causal"}, "padding"),
    ("MaxPooling2D", {"pool_size": (2, 2, 2)}, "pool_size"),
    ("AveragePooling2D", {"pool_size": 0}, "pool_size"),
    ("GlobalAveragePooling2D", {"data_format": "channels_middle"}, "data_format"),
])
def test_bad_arguments_raise(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(lamina.layers, name)(**kwargs)


def test_window_larger_than_input_raises():
    layer = lamina.layers.MaxPooling1D(4, name="big_pool")
    with pytest.raises(ValueError, match="big_pool.*empty"):
        layer(lamina.Input(shape=(3, 2)))


def test_wrong_rank_raises():
    with pytest.raises(ValueError, match="ndim=4"):
        lamina.layers.GlobalMaxPooling2D()(np.zeros((2, 3, 4), "float32"))


@pytest.mark.parametrize("name", ["MaxPooling2D", "AveragePooling2D"])
def test_pooling_differentiates_under_jit(name):
    # Regression: a traced `jnp.array` initial value made `reduce_window` a generic reduction,
    # which JAX cannot differentiate, so `jit(grad(...))` of max pooling failed.
    import jax
    import jax.numpy as jnp

    layer = getattr(lamina.layers, name)(3, strides=2, padding="same")
    x = np.random.default_rng(0).normal(size=(2, 7, 5, 3)).astype("float32")

    def loss(inputs):
        return jnp.sum(layer.stateless_call([], [], inputs)[0] ** 2)

    np.testing.assert_allclose(jax.jit(jax.grad(loss))(x), jax.grad(loss)(x), rtol=1e-6)
