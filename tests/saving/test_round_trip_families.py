"""Every layer family round-trips through real Keras 3: lamina saves (.keras and .h5) and Keras
predicts the same numbers; Keras saves and lamina predicts the same numbers.

Several layers share one tiny model, so each family costs one save and one load per direction.
Weights are overwritten with seeded values first, so nothing depends on either library's
initializers.
"""

import numpy as np
import pytest
from test_round_trip import _close

import lamina


def _sequential(input_shape, layers):
    def build(K):
        return K.Sequential([K.Input(shape=input_shape)] + layers(K.layers)), [input_shape]
    return build


def _attention(K):
    L = K.layers
    q, v = K.Input(shape=(4, 6)), K.Input(shape=(5, 6))
    outputs = [L.Attention()([q, v]), L.AdditiveAttention()([q, v]),
               L.MultiHeadAttention(num_heads=2, key_dim=3)(q, v),
               L.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d")(q)]
    return K.Model([q, v], outputs), [(4, 6), (5, 6)]


def _merging(K):
    L = K.layers
    a, b = K.Input(shape=(4,)), K.Input(shape=(4,))
    merged = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b]), L.Dot(axes=1)([a, b])]
    return K.Model([a, b], L.Concatenate()(merged)), [(4,), (4,)]


FAMILIES = {
    "conv1d": _sequential((12, 3), lambda L: [
        L.Conv1D(4, 3), L.Conv1DTranspose(3, 3), L.SeparableConv1D(4, 3), L.DepthwiseConv1D(3),
        L.AveragePooling1D(2), L.GlobalAveragePooling1D()]),
    "conv2d": _sequential((8, 8, 2), lambda L: [
        L.Conv2DTranspose(3, 3), L.SeparableConv2D(4, 3), L.DepthwiseConv2D(3),
        L.AveragePooling2D(2), L.GlobalMaxPooling2D()]),
    "conv3d": _sequential((5, 5, 5, 2), lambda L: [
        L.Conv3D(3, 3), L.Conv3DTranspose(2, 3), L.ZeroPadding3D(1), L.Cropping3D(1),
        L.UpSampling3D(2), L.MaxPooling3D(), L.AveragePooling3D(2), L.GlobalAveragePooling3D()]),
    "reshaping": _sequential((4, 4, 2), lambda L: [
        L.ZeroPadding2D(1), L.Cropping2D(1), L.UpSampling2D(), L.Reshape((8, 16)),
        L.Permute((2, 1)), L.Cropping1D(1), L.UpSampling1D(2), L.ZeroPadding1D(1), L.Flatten(),
        L.RepeatVector(2), L.Flatten()]),
    "normalization_activation": _sequential((6, 4), lambda L: [
        L.GroupNormalization(2), L.UnitNormalization(), L.PReLU(), L.ELU(), L.ReLU(max_value=6.0),
        L.Softmax()]),
    "regularization_masking": _sequential((6, 4), lambda L: [
        L.GaussianNoise(0.1), L.GaussianDropout(0.1), L.AlphaDropout(0.1),
        L.SpatialDropout1D(0.1), L.ActivityRegularization(l1=0.01), L.Masking(0.0),
        L.LSTM(3)]),
    "preprocessing": _sequential((8, 8, 3), lambda L: [
        L.Rescaling(1 / 255.0, offset=0.1), L.CenterCrop(6, 6), L.Resizing(4, 4),
        L.Normalization(mean=[0.1, 0.2, 0.3], variance=[1.0, 2.0, 3.0]), L.Flatten()]),
    "time_distributed": _sequential((5, 3), lambda L: [
        L.TimeDistributed(L.Dense(2)), L.Flatten()]),
    "stacked_cells": _sequential((5, 3), lambda L: [
        L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2), L.SimpleRNNCell(2)])), L.Dense(1)]),
    "attention_einsum": _attention,
    "merging": _merging,
}


def _seeded(model, x):
    """Overwrite every float weight with seeded values; return the model's predictions."""
    rng = np.random.default_rng(2)
    model.set_weights([(rng.normal(size=w.shape) * 0.3).astype(w.dtype)
                       if np.dtype(w.dtype).kind == "f" else w for w in model.get_weights()])
    return model.predict(x, verbose=0)


def _inputs(shapes):
    rng = np.random.default_rng(1)
    # Masking(0.0) masks steps that are all zeros: make one such step so masking matters.
    xs = [rng.normal(size=(3,) + shape).astype("float32") for shape in shapes]
    if len(shapes[0]) == 2:
        xs[0][0, 1] = 0.0
    return xs if len(xs) > 1 else xs[0]


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_lamina_saves_keras_loads_family(keras, tmp_path, family, suffix):
    model, shapes = FAMILIES[family](lamina)
    x = _inputs(shapes)
    expected = _seeded(model, x)
    model.save(tmp_path / f"model{suffix}")
    loaded = keras.saving.load_model(tmp_path / f"model{suffix}", compile=False)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    _close(loaded.predict(x, verbose=0), expected)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_keras_saves_lamina_loads_family(keras, tmp_path, family, suffix):
    model, shapes = FAMILIES[family](keras)
    x = _inputs(shapes)
    expected = _seeded(model, x)
    model.save(tmp_path / f"model{suffix}")
    loaded = lamina.models.load_model(tmp_path / f"model{suffix}", compile=False)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    _close(loaded.predict(x, verbose=0), expected)
