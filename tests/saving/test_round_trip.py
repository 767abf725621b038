"""lamina saves -> real Keras 3 loads the same numbers; Keras saves -> lamina loads; resumed
training continues exactly where it stopped."""

import numpy as np
import pytest

import lamina


def mlp(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    model = K.Sequential([K.Input(shape=(6,)), L.Dense(8, activation="relu"), L.Dropout(0.2),
                          L.Dense(4, activation=L.LeakyReLU(negative_slope=0.1)),
                          L.Dense(3, activation="softmax")])
    return model, RNG.normal(size=(16, 6)).astype("float32"), RNG.integers(0, 3, 16)


def two_outputs(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    a, b = K.Input(shape=(5,), name="wide_input"), K.Input(shape=(6,), name="deep_input")
    h = L.Dense(8, activation="relu")(b)
    out = L.Dense(1, name="output")(L.concatenate([a, h]))
    aux = L.Dense(1, name="aux_output")(h)
    x = [RNG.normal(size=(16, 5)).astype("float32"), RNG.normal(size=(16, 6)).astype("float32")]
    y = [RNG.normal(size=(16, 1)).astype("float32"), RNG.normal(size=(16, 1)).astype("float32")]
    return K.Model([a, b], [out, aux]), x, y


def conv(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    model = K.Sequential([K.Input(shape=(10, 10, 2)), L.Conv2D(4, 3, activation="relu"),
                          L.MaxPooling2D(), L.Flatten(), L.Dense(3, activation="softmax")])
    return model, RNG.normal(size=(8, 10, 10, 2)).astype("float32"), RNG.integers(0, 3, 8)


def recurrent(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    model = K.Sequential([K.Input(shape=(7, 3)), L.LSTM(5, return_sequences=True),
                          L.GRU(4, return_sequences=True), L.Bidirectional(L.SimpleRNN(3)),
                          L.Dense(1)])
    return model, RNG.normal(size=(8, 7, 3)).astype("float32"), RNG.normal(size=(8, 1)).astype("float32")


def embed_norm(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    model = K.Sequential([K.Input(shape=(6,)), L.Embedding(20, 4), L.LayerNormalization(),
                          L.GlobalAveragePooling1D(), L.Dense(8), L.BatchNormalization(),
                          L.Activation("relu"), L.Dense(2, activation="softmax")])
    return model, RNG.integers(0, 20, size=(16, 6)).astype("int32"), RNG.integers(0, 2, 16)


def nested(K):
    L = K.layers
    RNG = np.random.default_rng(0)  # the same data on every build
    inner = K.Sequential([L.Dense(6, activation="relu"), L.BatchNormalization(), L.Dense(4)])
    inp = K.Input(shape=(5,))
    out = L.Dense(1)(inner(L.Dense(5, activation="tanh")(inp)))
    return K.Model(inp, out), RNG.normal(size=(16, 5)).astype("float32"), RNG.normal(size=(16, 1)).astype("float32")


BUILDERS = {"mlp": (mlp, "sparse_categorical_crossentropy"), "two_outputs": (two_outputs, "mse"),
            "conv": (conv, "sparse_categorical_crossentropy"), "recurrent": (recurrent, "mse"),
            "embed_norm": (embed_norm, "sparse_categorical_crossentropy"), "nested": (nested, "mse")}


def _trained(K, name, optimizer="adam"):
    build, loss = BUILDERS[name]
    model, x, y = build(K)
    optimizers = {"adam": lambda: K.optimizers.Adam(0.01),
                  "sgd_momentum": lambda: K.optimizers.SGD(0.05, momentum=0.9, nesterov=True)}
    model.compile(optimizer=optimizers[optimizer](), loss=loss)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


def _close(a, b, atol=1e-5):
    for p, q in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_allclose(np.asarray(p), np.asarray(q), atol=atol, rtol=1e-5)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_lamina_saves_keras_loads(keras, tmp_path, name, suffix):
    model, x, _ = _trained(lamina, name)
    path = tmp_path / f"model{suffix}"
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_keras_saves_lamina_loads(keras, tmp_path, name, suffix):
    model, x, _ = _trained(keras, name)
    path = tmp_path / f"model{suffix}"
    model.save(path)
    loaded = lamina.models.load_model(path, compile=False)
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# No dropout here: seed-generator state is not part of a saved model (nor in Keras).
@pytest.mark.parametrize("name, optimizer, suffix", [
    ("two_outputs", "adam", ".keras"), ("embed_norm", "adam", ".keras"),
    ("nested", "adam", ".keras"), ("two_outputs", "adam", ".h5"), ("nested", "adam", ".h5"),
    ("nested", "sgd_momentum", ".keras"), ("nested", "sgd_momentum", ".h5")])
def test_resumed_training_matches_uninterrupted(tmp_path, name, optimizer, suffix):
    """Both formats store the optimizer's variables (step count, moments or momentum)."""
    def fresh():
        lamina.backend.clear_session()
        lamina.utils.set_random_seed(11)
        return _trained(lamina, name, optimizer)

    model, x, y = fresh()
    uninterrupted = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    model, x, y = fresh()
    model.save(tmp_path / f"checkpoint{suffix}")
    resumed = lamina.models.load_model(tmp_path / f"checkpoint{suffix}")
    assert type(resumed.optimizer) is type(model.optimizer)
    assert int(resumed.optimizer.iterations.value) == int(model.optimizer.iterations.value)
    for restored, original in zip(resumed.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(restored.value), np.asarray(original.value))
    continued = resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(continued, uninterrupted, rtol=1e-6)


def test_weights_round_trip_both_layouts(keras, tmp_path):
    model, x, _ = _trained(lamina, "nested")
    for filename in ("w.weights.h5", "w.h5"):
        model.save_weights(tmp_path / filename)
        clone, _, _ = nested(lamina)
        clone.load_weights(tmp_path / filename)
        _close(clone.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    k_model, _, _ = nested(keras)
    k_model.load_weights(tmp_path / "w.weights.h5")
    _close(k_model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_to_json_and_model_from_json():
    model, x, _ = _trained(lamina, "two_outputs")
    clone = lamina.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    _close(clone.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_failed_save_leaves_the_previous_file(tmp_path, monkeypatch):
    model, _, _ = _trained(lamina, "mlp")
    path = tmp_path / "model.keras"
    model.save(path)
    before = path.read_bytes()
    import h5py

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(h5py.Group, "create_dataset", broken)
    with pytest.raises(OSError):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_mismatched_weights_load_nothing(tmp_path):
    model, _, _ = _trained(lamina, "mlp")
    model.save_weights(tmp_path / "w.weights.h5")
    L = lamina.layers
    other = lamina.Sequential([lamina.Input(shape=(6,)), L.Dense(8, activation="relu"),
                               L.Dropout(0.2), L.Dense(4), L.Dense(2)])
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match=r"shape"):
        other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(other.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def _two_dense(K, names, units, seed=5):
    L = K.layers
    model = K.Sequential([K.Input(shape=(5,)), L.Dense(units[0], name=names[0]),
                          L.Dense(units[1], name=names[1])])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _load_legacy(K, path, names, units, **kwargs):
    """The weights after `load_weights` (or the error type), and whether it warned."""
    import warnings

    model = _two_dense(K, names, units)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(path, **kwargs)
        except ValueError:
            return "ValueError", False
    skipped = any("kipping" in str(w.message) for w in caught)
    return [np.asarray(w) for w in model.get_weights()], skipped


# (layer names, units, load_weights options) of the model loading a file saved by
# Dense(4, name="d1") -> Dense(3, name="d2") on 5 inputs.
LEGACY_CASES = {
    "other names, by order": (["p", "q"], (4, 3), {}),
    "swapped names, by order": (["d2", "d1"], (4, 3), {}),
    "by_name, one layer absent": (["d1", "zz"], (4, 3), {"by_name": True}),
    "by_name, swapped shapes": (["d2", "d1"], (4, 3), {"by_name": True}),
    "by_name, swapped shapes, skip": (["d2", "d1"], (4, 3),
                                      {"by_name": True, "skip_mismatch": True}),
    "by_name, kernels differ, skip": (["d1", "d2"], (6, 3),
                                      {"by_name": True, "skip_mismatch": True}),
    "by order, kernels differ, skip": (["a", "b"], (6, 3), {"skip_mismatch": True}),
    "by order, kernels differ": (["a", "b"], (6, 3), {}),
}


@pytest.mark.parametrize("case", list(LEGACY_CASES))
def test_legacy_weights_load_like_keras(keras, tmp_path, case):
    """Legacy `.h5` weights: matched by order unless by_name=True, with skip_mismatch skipping
    (and warning about) each weight of another shape, as Keras 3's legacy loader does."""
    path = tmp_path / "weights.h5"
    _two_dense(lamina, ["d1", "d2"], (4, 3), seed=0).save_weights(path)
    names, units, kwargs = LEGACY_CASES[case]
    expected, keras_warned = _load_legacy(keras, path, names, units, **kwargs)
    got, warned = _load_legacy(lamina, path, names, units, **kwargs)
    if isinstance(expected, str):
        assert got == expected
        return
    assert warned == keras_warned
    assert [w.shape for w in got] == [w.shape for w in expected]
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_legacy_weights_with_a_layer_count_mismatch_load_nothing(keras, tmp_path):
    path = tmp_path / "weights.h5"
    _two_dense(lamina, ["d1", "d2"], (4, 3), seed=0).save_weights(path)
    for K in (keras, lamina):
        L = K.layers
        model = K.Sequential([K.Input(shape=(5,)), L.Dense(4), L.Dense(3), L.Dense(2)])
        before = [w.copy() for w in model.get_weights()]
        with pytest.raises(ValueError, match="layers"):
            model.load_weights(path)
        for a, b in zip(model.get_weights(), before):
            np.testing.assert_array_equal(a, b)
