"""Every model file real Keras wrote (../shared/keras-fixtures) loads in lamina and predicts the
writer's reference outputs; summaries match the writer's text; weights files load too."""

import pathlib
import re

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


def _summary(model, columns, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = []
    model.summary(print_fn=lines.append)
    return "".join(lines)


_SIZE = re.compile(r"^( (?:Total|Optimizer) params: [\d,]+) \(([\d.]+) (B|KB|MB)\)$", re.M)
_UNIT = {"B": 1, "KB": 1024, "MB": 1024**2}


def _without_tf_step_counter(expected: str, got: str) -> tuple[str, str]:
    """keras3_tf's trained models: drop the byte sizes of the Total/Optimizer params lines.

    On the TensorFlow backend the optimizer's `iterations` is an int64 (8 bytes), on JAX (and
    in lamina) an int32: the writer's two lines that count optimizer bytes are 4 bytes larger,
    and nothing else differs. This checks exactly that (within the 2-decimal rounding) and
    then removes those two sizes from both texts.
    """
    sizes = {m.group(1): float(m.group(2)) * _UNIT[m.group(3)] for m in _SIZE.finditer(got)}
    for m in _SIZE.finditer(expected):
        unit = _UNIT[m.group(3)]
        assert abs(float(m.group(2)) * unit - 4 - sizes[m.group(1)]) <= 0.01 * unit, m.group(0)
    return _SIZE.sub(r"\1", expected), _SIZE.sub(r"\1", got)


def _summary_cases():
    cases = []
    for writer in ("keras3_jax", "keras3_tf"):
        for name in MODELS:
            for suffix in (".keras", ".h5"):
                for columns, text in ((200, "summary.txt"), (80, "summary_cols80.txt")):
                    if all((FIXTURES / writer / f).exists() for f in (name + suffix, f"{name}.{text}")):
                        cases.append((writer, name, suffix, columns, text))
    return cases


@pytest.mark.parametrize("writer, name, suffix, columns, text", _summary_cases())
def test_loaded_summary_matches_the_writers(writer, name, suffix, columns, text, monkeypatch):
    """Keras 3 files: the exact text the writer printed, in a wide and an 80-column terminal
    (76 columns, Keras's min(default, COLUMNS - 4))."""
    got = _summary(lamina.models.load_model(FIXTURES / writer / f"{name}{suffix}"), columns,
                   monkeypatch)
    expected = (FIXTURES / writer / f"{name}.{text}").read_text()
    if writer == "keras3_tf" and "Optimizer params" in expected:
        expected, got = _without_tf_step_counter(expected, got)
    assert got == expected


def _rows(table_lines, cells):
    """(name (type), output shape, params) per layer; wrapped name/shape lines are joined."""
    rows = []
    for line in table_lines:
        name, shape, params = (c.strip() for c in cells(line))
        if params:
            rows.append([name, shape, int(params.replace(",", ""))])
        elif rows and (name or shape):
            rows[-1][0] += name
            rows[-1][1] += shape
    # Wrapping drops or keeps a space depending on the writer: compare without whitespace.
    # tf.keras lists an InputLayer's shape as a one-element list ("[(None, 6)]").
    return [(re.sub(r"\s", "", n), re.sub(r"^\[(\(.*\))\]$", r"\1", re.sub(r"\s", "", s)), p)
            for n, s, p in rows]


def _tf_keras_table(text):
    """Parse tf.keras's fixed-width summary (header columns give the cell positions)."""
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith(" Layer (type)"))
    cuts = [header.index("Output Shape"), header.index("Param #")]
    end = header.index("Connected to") if "Connected to" in header else len(header)
    rules = [i for i, line in enumerate(lines) if line.startswith("===")]
    body = [line for line in lines[rules[0] + 1:rules[1]] if line.strip()]
    return _rows(body, lambda line: (line[:cuts[0]], line[cuts[0]:cuts[1]], line[cuts[1]:end]))


def _keras3_table(text):
    body = [line for line in text.splitlines() if line.startswith("│")]
    return _rows(body, lambda line: line.split("│")[1:4])


def _counts(text):
    return {kind: int(n.replace(",", "")) for kind, n in
            re.findall(r"^ ?(Trainable|Non-trainable) params: ([\d,]+)", text, re.M)}


@pytest.mark.parametrize("name, suffix", [(m, s) for s in (".h5", ".keras") for w, m in _cases(s)
                                           if w == "tf_keras2"])
def test_tf_keras_summary_content_matches(name, suffix, monkeypatch):
    """tf.keras files print Keras 3's table in lamina, as they do in Keras 3 itself (Keras 3
    has one summary layout whatever wrote the file), so the writer's text cannot match line
    for line. What it says must: the same layers in the same order, with the same names,
    types, output shapes and parameter counts, and the same trainable/non-trainable totals.
    """
    path = FIXTURES / "tf_keras2" / f"{name}{suffix}"
    got = _summary(lamina.models.load_model(path), 200, monkeypatch)
    expected = (FIXTURES / "tf_keras2" / f"{name}.summary.txt").read_text()
    table = _tf_keras_table(expected)
    assert len(table) >= 2 and all(params >= 0 for _, _, params in table)  # it was parsed
    assert _keras3_table(got) == table
    assert _counts(got) == _counts(expected)


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
