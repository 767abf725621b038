"""Every model file real Keras wrote (../shared/keras-fixtures) loads in lamina and predicts the
writer's reference outputs; summaries match the writer's text; weights files load too."""

import pathlib

import numpy as np
import pytest

import lamina

FIXTURES = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "keras-fixtures"
WRITERS = ["tf_keras2", "keras3_tf", "keras3_jax"]
MODELS = ["seed_mlp", "fashion_mlp", "wide_deep", "wide_deep_aux", "conv2d", "conv1d_pool",
          "rnn_stack", "lstm_bidir", "embed_norm", "reshape_misc", "nested", "custom_layer"]


@lamina.saving.register_keras_serializable(package="fixtures")
class SimpleDense(lamina.layers.Layer):
    """The fixtures' custom layer, written against lamina (registered as fixtures>SimpleDense)."""

    def __init__(self, units=32, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = lamina.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform", trainable=True)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros",
                                    trainable=True)
        super().build(input_shape)

    def call(self, inputs):
        return self.activation(lamina.ops.matmul(inputs, self.kernel) + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units,
                       "activation": lamina.activations.serialize(self.activation)})
        return config


def _reference(writer, name):
    data = np.load(FIXTURES / writer / f"{name}.npz")
    x = [data["x0"], data["x1"]] if "x0" in data else data["x"]
    y = [data["y0"], data["y1"]] if "y0" in data else data["y"]
    return x, y


def _assert_predicts(model, writer, name, atol=1e-5):
    x, y = _reference(writer, name)
    predicted = model.predict(x, verbose=0)
    for p, r in zip(predicted if isinstance(y, list) else [predicted], y if isinstance(y, list) else [y]):
        np.testing.assert_allclose(p, r, atol=atol, rtol=1e-5,
                                   err_msg=f"{writer}/{name}: predictions differ from the writer's")


def _cases(suffix):
    return [(w, m) for w in WRITERS for m in MODELS if (FIXTURES / w / f"{m}{suffix}").exists()]


@pytest.mark.parametrize("writer, name", _cases(".h5"))
def test_legacy_h5_loads_and_predicts(writer, name):
    model = lamina.models.load_model(FIXTURES / writer / f"{name}.h5")
    _assert_predicts(model, writer, name)


@pytest.mark.parametrize("writer, name", _cases(".keras"))
def test_keras_archive_loads_and_predicts(writer, name):
    model = lamina.models.load_model(FIXTURES / writer / f"{name}.keras")
    _assert_predicts(model, writer, name)


# keras3_tf summaries count the optimizer's int64 step counter (TF backend): 4 bytes more.
@pytest.mark.parametrize("writer, name", [c for c in _cases(".keras") if c[0] == "keras3_jax"])
def test_loaded_summary_matches_the_writers(writer, name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    model = lamina.models.load_model(FIXTURES / writer / f"{name}.keras")
    lines = []
    model.summary(print_fn=lines.append)
    assert "".join(lines) == (FIXTURES / writer / f"{name}.summary.txt").read_text()


@pytest.mark.parametrize("writer, name", _cases(".weights.h5") + [
    (w, m) for w, m in _cases("_weights.h5")])
def test_weights_files_load_into_the_rebuilt_model(writer, name):
    source = FIXTURES / writer / f"{name}.h5"
    model = lamina.models.load_model(source, compile=False)
    reference = [w.copy() for w in model.get_weights()]
    for w in model.weights:  # scramble, so loading must restore them
        w.assign(np.zeros(w.shape, w.dtype))
    suffix = ".weights.h5" if (FIXTURES / writer / f"{name}.weights.h5").exists() else "_weights.h5"
    model.load_weights(FIXTURES / writer / f"{name}{suffix}")
    for a, b in zip(model.get_weights(), reference):
        np.testing.assert_array_equal(a, b)
    _assert_predicts(model, writer, name)


def test_trained_fixture_restores_its_training_configuration():
    model = lamina.models.load_model(FIXTURES / "keras3_jax" / "wide_deep_aux.keras")
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations.value) > 0
    x, y = _reference("keras3_jax", "wide_deep_aux")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_custom_layer_needs_its_class():
    lamina.saving.get_custom_objects().pop("fixtures>SimpleDense", None)
    try:
        with pytest.raises(ValueError, match="SimpleDense"):
            lamina.models.load_model(FIXTURES / "keras3_jax" / "custom_layer.keras")
        model = lamina.models.load_model(FIXTURES / "keras3_jax" / "custom_layer.keras",
                                          custom_objects={"SimpleDense": SimpleDense})
        _assert_predicts(model, "keras3_jax", "custom_layer")
    finally:
        lamina.saving.register_keras_serializable(package="fixtures")(SimpleDense)
