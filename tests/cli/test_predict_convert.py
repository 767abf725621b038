"""`lamina predict` equals `load_model(...).predict`; `lamina convert` output loads in real Keras."""

import numpy as np
import pytest
from cli_helpers import FIXTURES

import lamina

PREDICT_CASES = ["keras3_jax/seed_mlp.keras", "tf_keras2/conv2d.h5", "keras3_tf/rnn_stack.h5",
                 "keras3_jax/wide_deep_aux.keras"]


def _reference(path):
    data = np.load(path.with_suffix(".npz"))
    xs = [data[k] for k in ("x", "x0", "x1") if k in data.files]
    ys = [data[k] for k in ("y", "y0", "y1") if k in data.files]
    return xs, ys


@pytest.mark.parametrize("case", PREDICT_CASES)
def test_predict_equals_load_model_predict(case, cli, tmp_path):
    path = FIXTURES / case
    xs, ys = _reference(path)
    model = lamina.models.load_model(path, compile=False)
    expected = model.predict(xs[0] if len(xs) == 1 else xs, batch_size=3, verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
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
    for g, e, reference in zip(got, expected, ys):
        np.testing.assert_array_equal(g, e)
        np.testing.assert_allclose(g, reference, atol=1e-5)


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


@pytest.mark.parametrize("source, target", [
    ("keras3_jax/seed_mlp.h5", "out.keras"),
    ("tf_keras2/wide_deep_aux.h5", "out.keras"),
    ("keras3_tf/embed_norm.keras", "out.h5"),
    ("tf_keras2/nested.h5", "out.keras"),
])
def test_convert_output_predicts_the_same_in_keras(source, target, cli, tmp_path, keras):
    path = FIXTURES / source
    xs, ys = _reference(path)
    out = tmp_path / target
    code, stdout, err = cli("convert", path, out)
    assert code == 0, err
    assert f"Wrote {out}" in stdout
    model = keras.saving.load_model(out, compile=target.endswith(".keras"))
    got = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    for g, y in zip(got if isinstance(got, list) else [got], ys):
        np.testing.assert_allclose(g, y, atol=2e-5)


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
