"""Embedding and Masking against real Keras 3, and the masks they emit."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("Embedding", {"input_dim": 10, "output_dim": 4}, (3, 5), "int32"),
    ("Embedding", {"input_dim": 10, "output_dim": 3, "mask_zero": True,
                   "embeddings_regularizer": "l2", "embeddings_initializer": "he_normal"},
     (2, 3, 4), "int32"),
    ("Embedding", {"input_dim": 10, "output_dim": 2}, (4,), "int64"),
    ("Masking", {}, (2, 5, 3), "float32"),
]


@pytest.mark.parametrize("name, kwargs, shape, dtype", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape, dtype):
    check_layer(name, kwargs, shape, input_dtype=dtype)


def test_masking_zeroes_masked_timesteps_and_emits_the_mask_like_keras(keras):
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.5
    x[1, 3] = 0.5
    x[1, 0, 0] = 0.5  # one feature equal to mask_value is not enough
    k_layer, l_layer = check_layer("Masking", {"mask_value": 0.5}, (2, 4, 3), inputs=x)
    np.testing.assert_array_equal(np.asarray(l_layer.compute_mask(x)),
                                  np.asarray(k_layer.compute_mask(x)))
    np.testing.assert_array_equal(np.asarray(l_layer.compute_mask(x)),
                                  [[True, False, True, True], [True, True, True, False]])
    out = np.asarray(l_layer(x))
    assert (out[0, 1] == 0).all() and (out[1, 3] == 0).all()
    sym = l_layer(lamina.Input((4, 3)))
    assert sym._keras_mask.shape == (None, 4)


def test_embedding_mask_zero(keras):
    x = np.array([[1, 0, 3], [0, 0, 2]], "int32")
    layer = lamina.layers.Embedding(5, 2, mask_zero=True)
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(x)), x != 0)
    assert lamina.layers.Embedding(5, 2).compute_mask(x) is None
    sym = layer(lamina.Input((3,), dtype="int32"))
    assert sym.shape == (None, 3, 2) and sym._keras_mask.shape == (None, 3)
    unmasked = lamina.layers.Embedding(5, 2)(lamina.Input((3,), dtype="int32"))
    assert getattr(unmasked, "_keras_mask", None) is None


def test_embedding_weights_and_legacy_arguments():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    with pytest.warns(UserWarning, match="input_length"):
        layer = lamina.layers.Embedding(4, 3, weights=[table], input_length=7)
    assert [w.name for w in layer.weights] == ["embeddings"]
    np.testing.assert_array_equal(np.asarray(layer(np.array([[2, 0]]))), table[[[2, 0]]])
    # Float indices are cast, as in Keras.
    np.testing.assert_array_equal(np.asarray(layer(np.array([1.0, 3.0], "float32"))), table[[1, 3]])
    config = layer.get_config()
    assert "input_length" not in config and config["embeddings_initializer"]["class_name"] == "RandomUniform"
    with pytest.warns(UserWarning, match="input_length"):
        clone = lamina.layers.Embedding.from_config({**config, "input_length": 7})
    assert clone.input_dim == 4
    assert lamina.layers.Embedding(4, 3, dtype="mixed_float16")(np.array([1])).dtype == "float16"


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0, "output_dim": 2}, "input_dim"),
    ({"input_dim": 3, "output_dim": 2.5}, "output_dim"),
    ({"input_dim": True, "output_dim": 2}, "input_dim"),
])
def test_embedding_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lamina.layers.Embedding(**kwargs)
