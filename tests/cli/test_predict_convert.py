"""`lamina predict` equals `load_model(...).predict`; `lamina convert` output loads in real Keras.

`predict` runs on every model fixture; `convert` on one file per writer and model, to one target
each (see `_convert_cases`: each case loads the result in Keras, about a second). Left out:
`custom_layer`, since the command line has no way to pass its `SimpleDense` class, so lamina
cannot rebuild it.
"""

import numpy as np
import pytest
from cli_helpers import FIXTURES, file_id, fixture_files

import lamina

MODEL_FILES = [p for p in fixture_files(models_only=True) if p.stem != "custom_layer"]


def _convert_cases(files):
    """One source file per writer and model, and one target each, alternating so that every model
    and every writer is converted to both .keras and .h5 (each case costs a Keras load).

    Sources: tf_keras2's .h5, keras3_tf's .h5 and keras3_jax's .keras (both formats are read).
    """
    preferred = {"tf_keras2": ".h5", "keras3_tf": ".h5", "keras3_jax": ".keras"}
    chosen = {}
    for path in files:
        key = (path.parent.name, path.stem)
        if key not in chosen or path.suffix == preferred[path.parent.name]:
            chosen[key] = path
    models = sorted({stem for _, stem in chosen})
    cases = []
    for (writer, stem), path in chosen.items():
        turn = list(preferred).index(writer) + models.index(stem)
        cases.append(pytest.param(path, ("out.keras", "out.h5")[turn % 2],
                                  id=f"{file_id(path)}->{('keras', 'h5')[turn % 2]}"))
    return cases


CONVERT_CASES = _convert_cases(MODEL_FILES)


def _reference(path):
    data = np.load(path.with_suffix(".npz"))
    xs = [data[k] for k in ("x", "x0", "x1") if k in data.files]
    ys = [data[k] for k in ("y", "y0", "y1") if k in data.files]
    return xs, ys


def _as_list(outputs):
    return outputs if isinstance(outputs, list) else [outputs]


@pytest.mark.parametrize("path", MODEL_FILES, ids=file_id)
def test_predict_equals_load_model_predict(path, cli, tmp_path):
    xs, ys = _reference(path)
    model = lamina.models.load_model(path, compile=False)
    expected = _as_list(model.predict(xs[0] if len(xs) == 1 else xs, batch_size=3, verbose=0))
    names = model.input_names if hasattr(model, "input_names") else ["x"]
    inputs = tmp_path / "x.npz"
    np.savez(inputs, **dict(zip(reversed(names), reversed(xs))))  # matched by name, not order
    output = tmp_path / ("y.npz" if len(ys) > 1 else "y.npy")
    code, out, err = cli("predict", path, "--input", inputs, "--output", output,
                         "--batch-size", 3)
    assert code == 0, err
    if len(ys) > 1:
        with np.load(output) as stored:
            got = [stored[name] for name in model.output_names]
    else:
        got = [np.load(output)]
    assert len(got) == len(expected) == len(ys)
    for g, e, reference in zip(got, expected, ys):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-5)
        np.testing.assert_allclose(g, reference, rtol=0, atol=1e-5)


def test_predict_csv_in_and_out(cli, tmp_path):
    path = FIXTURES / "keras3_jax" / "fashion_mlp.keras"  # input (None, 8, 8): rows of 64
    (x,), (y,) = _reference(path)
    csv = tmp_path / "x.csv"
    np.savetxt(csv, x.reshape(len(x), -1), delimiter=",", header="pixels", comments="")
    code, _, err = cli("predict", path, "--input", csv, "--output", tmp_path / "y.csv")
    assert code == 1 and "--skip-header" in err
    code, out, err = cli("predict", path, "--input", csv, "--output", tmp_path / "y.csv",
                         "--skip-header")
    assert code == 0, err
    np.testing.assert_allclose(np.loadtxt(tmp_path / "y.csv", delimiter=","), y, atol=1e-5)
    code, _, err = cli("predict", FIXTURES / "keras3_jax" / "wide_deep.keras", "--input", csv,
                       "--output", tmp_path / "y.npy")
    assert code == 2 and "2 (wide_input, deep_input)" in err


@pytest.mark.parametrize("path, target", CONVERT_CASES)
def test_convert_output_predicts_the_same_in_keras(path, target, cli, tmp_path, keras):
    xs, ys = _reference(path)
    out = tmp_path / target
    code, stdout, err = cli("convert", path, out)
    assert code == 0, err
    assert f"Wrote {out}" in stdout
    model = keras.saving.load_model(out, compile=False)
    got = _as_list(model.predict(xs[0] if len(xs) == 1 else xs, verbose=0))
    assert len(got) == len(ys)
    for g, y in zip(got, ys):
        np.testing.assert_allclose(g, y, rtol=0, atol=1e-5)


def test_convert_keeps_the_optimizer_state(cli, tmp_path):
    from lamina._src.cli.inspection.report import inspect_file

    source = FIXTURES / "keras3_jax" / "embed_norm.keras"
    for target in ("a.h5", "b.keras"):
        assert cli("convert", source, tmp_path / target)[0] == 0
    original = inspect_file(source, with_stats=True)
    for target in ("a.h5", "b.keras"):
        report = inspect_file(tmp_path / target, with_stats=True)
        assert report["optimizer_state"]["params"] == original["optimizer_state"]["params"]
        assert report["optimizer_state"]["iterations"] == original["optimizer_state"][
            "iterations"]
        assert report["training"]["optimizer"]["class_name"] == "Adam"
    loaded = lamina.models.load_model(tmp_path / "b.keras")
    assert int(loaded.optimizer.iterations.value) == original["optimizer_state"]["iterations"]


def test_convert_weights_only(cli, tmp_path, keras):
    source = FIXTURES / "keras3_jax" / "conv1d_pool.keras"
    (x,), (y,) = _reference(source)
    code, _, err = cli("convert", source, tmp_path / "w.weights.h5", "--weights-only")
    assert code == 0, err
    code, _, err = cli("convert", source, tmp_path / "w.weights.h5", "--weights-only")
    assert code == 2 and "--force" in err
    model = keras.saving.load_model(source)
    for w in model.weights:
        w.assign(np.zeros(w.shape))
    model.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0), y, atol=1e-5)
    assert cli("convert", source, tmp_path / "legacy.h5", "--weights-only")[0] == 0
    from lamina._src.saving.file_io import read_model_file

    assert read_model_file(tmp_path / "legacy.h5").format == "legacy_weights_h5"


@pytest.mark.parametrize("source", ["keras3_jax/conv1d_pool.keras", "keras3_tf/nested.keras",
                                    "keras3_jax/wide_deep_aux.keras", "keras3_tf/lstm_bidir.h5"])
def test_convert_weights_only_to_legacy_h5_loads_in_keras(source, cli, tmp_path, keras):
    path = FIXTURES / source
    xs, ys = _reference(path)
    legacy = tmp_path / "legacy.h5"  # not .weights.h5: tf.keras's legacy weights layout
    code, _, err = cli("convert", path, legacy, "--weights-only")
    assert code == 0, err
    model = keras.saving.load_model(path, compile=False)  # the same architecture
    for w in model.weights:
        w.assign(np.zeros(w.shape, w.dtype))
    assert not np.allclose(_as_list(model.predict(xs[0] if len(xs) == 1 else xs, verbose=0))[0],
                           ys[0], atol=1e-5)
    model.load_weights(legacy)
    got = _as_list(model.predict(xs[0] if len(xs) == 1 else xs, verbose=0))
    for g, y in zip(got, ys):
        np.testing.assert_allclose(g, y, rtol=0, atol=1e-5)
