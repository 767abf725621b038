"""`lamina inspect` on the Keras fixture corpus: summary tables, formulas, weights, JSON."""

import json
import re
import shutil

import h5py
import numpy as np
import pytest
from cli_helpers import FIXTURES, file_id, fixture_files

from lamina._src.cli.inspection import schema
from lamina._src.cli.inspection.report import flatten_layers, inspect_file
from lamina._src.saving.file_io import read_model_file

CHECK_KINDS = {"param_mismatch", "shape_mismatch", "missing_weights", "unmatched_weights"}


@pytest.mark.parametrize("path", fixture_files(), ids=file_id)
def test_every_fixture_inspects_and_its_formulas_add_up(path, cli):
    code, out, err = cli("inspect", path)
    assert code == 0, err
    assert "Total params" in out and "Traceback" not in err
    report = json.loads(cli("inspect", path, "--json")[1])
    assert report["schema_version"] == 1
    assert [w for w in report["warnings"] if w["kind"] in CHECK_KINDS] == []
    data = read_model_file(path, load_weights=False)
    stored = sum(a.size for group in (data.layers or []) for _, a in group.weights)
    stored += sum(a.size for key, group in (data.vars or {}).items()
                  if key.startswith("layers/") for a in group.arrays)
    assert report["totals"]["params"] == stored
    if data.model_config is None:
        return
    for layer in flatten_layers(report):
        params = layer["params"]
        if layer["class_name"] == "SimpleDense":  # the fixtures' custom class: no formula
            assert params["expected"] is None and params["count"] == 40
            continue
        assert params["expected"] == params["count"], layer["path"]
        assert params["matches"] is True, layer["path"]
        assert layer["output_shapes"], layer["path"]


@pytest.mark.parametrize("path", fixture_files("keras3_jax", "keras3_tf", models_only=True),
                         ids=file_id)
def test_summary_table_equals_the_writers(path, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    expected = (path.parent / f"{path.stem}.summary.txt").read_text()
    code, out, _ = cli("inspect", path, "--summary-only", "--no-activations")
    assert code == 0
    assert out == expected


@pytest.mark.parametrize("name", ["seed_mlp", "wide_deep"])
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_summary_table_follows_the_terminal_width(name, suffix, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    expected = (FIXTURES / "keras3_jax" / f"{name}.summary_cols80.txt").read_text()
    code, out, _ = cli("inspect", FIXTURES / "keras3_jax" / f"{name}{suffix}", "--summary-only",
                       "--no-activations")
    assert (code, out) == (0, expected)


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and line[0] in "┏┃┡│├└"]


def test_default_output_has_the_table_and_an_activation_column(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    path = FIXTURES / "keras3_tf" / "seed_mlp.keras"
    _, out, _ = cli("inspect", path, "--line-length", "150")
    lines = _table_lines(out)
    assert "Activation" in lines[1]
    assert any("LeakyReLU(negative_slope=0.05)" in line for line in lines)
    rows = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert rows == ["dense (Dense)", "dense_1 (Dense)", "dropout (Dropout)", "dense_2 (Dense)",
                    "dropout_1 (Dropout)", "dense_3 (Dense)"]
    assert "Keras 3.15.1" in out and "Sequential \"sequential_1\"" in out
    assert ".keras archive" in out


@pytest.mark.parametrize("writer", ["tf_keras2", "keras3_tf", "keras3_jax"])
def test_activation_objects_are_described(writer):
    report = inspect_file(FIXTURES / writer / "seed_mlp.h5")
    activations = [layer["activation"] for layer in report["layers"]]
    assert activations == ["sigmoid", "sigmoid", None, "LeakyReLU(negative_slope=0.05)", None,
                           "elu"]


def _layer(report, name):
    return next(layer for layer in flatten_layers(report) if layer["name"] == name)


@pytest.mark.parametrize("writer", ["tf_keras2", "keras3_jax"])
def test_formulas_with_numbers(writer):
    suffix = ".h5"

    def formula(model, layer):
        return _layer(inspect_file(FIXTURES / writer / f"{model}{suffix}"), layer)["params"]

    assert formula("seed_mlp", "dense")["formula"] == "P = I·O + O = 3·32 + 32 = 128"
    assert "I = 3 inputs" in formula("seed_mlp", "dense")["notes"][0]
    assert formula("conv2d", "conv2d")["formula"] == "P = O·(I·k + 1) = 32·(3·9 + 1) = 896"
    assert formula("conv1d_pool", "conv1d")["formula"] == "P = O·(I·k + 1) = 8·(4·3 + 1) = 104"
    assert formula("rnn_stack", "lstm")["formula"] == \
        "P = 4·(U·(I+U) + U) = 4·(16·(3+16) + 16) = 1,280"
    assert formula("rnn_stack", "gru")["formula"] == \
        "P = 3·(U·(I+U) + 2·U) = 3·(8·(16+8) + 2·8) = 624"
    assert formula("rnn_stack", "simple_rnn")["formula"] == "P = U·(I+U) + U = 4·(8+4) + 4 = 52"
    assert formula("embed_norm", "embedding")["formula"] == "P = V·D = 100·8 = 800"
    assert formula("embed_norm", "layer_normalization")["formula"] == "P = 2·C = 2·8 = 16"
    bn = formula("embed_norm", "batch_normalization")
    assert bn["formula"] == "P = 4·C = 4·16 = 64, of which 2·C = 32 non-trainable"
    assert (bn["count"], bn["non_trainable"]) == (64, 32)
    assert formula("lstm_bidir", "bidirectional")["formula"] == \
        "P = P_forward + P_backward = 384 + 384 = 768"
    assert formula("nested", "sequential")["formula"] == "P = 144 + 64 + 136 = 344"
    assert formula("reshape_misc", "concatenate")["formula"] == "P = 0 (no weights)"


def test_formula_text_is_printed(cli):
    _, out, _ = cli("inspect", FIXTURES / "keras3_jax" / "rnn_stack.keras")
    assert "lstm (LSTM): P = 4·(U·(I+U) + U) = 4·(16·(3+16) + 16) = 1,280" in out
    assert "No warnings" in out


def test_weights_that_disagree_with_the_config_are_reported(tmp_path, cli):
    path = tmp_path / "tampered.h5"
    shutil.copy(FIXTURES / "keras3_jax" / "seed_mlp.h5", path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["config"]["units"] = 33  # stored kernel is (3, 32)
        f.attrs["model_config"] = json.dumps(config)
    report = inspect_file(path)
    # dense's 33 units would also feed dense_1 33 inputs: both disagree with their weights.
    warning, cascade = [w for w in report["warnings"] if w["kind"] == "param_mismatch"]
    assert warning["layer"] == "dense" and "132" in warning["message"] and "128" in warning[
        "message"]
    assert cascade["layer"] == "dense_1"
    assert _layer(report, "dense")["params"]["matches"] is False
    code, out, _ = cli("inspect", path)
    assert code == 0 and "Warnings (" in out and "but the file stores 128" in out


def test_weight_statistics(tmp_path, cli):
    path = tmp_path / "nan.weights.h5"
    shutil.copy(FIXTURES / "keras3_tf" / "seed_mlp.weights.h5", path)
    with h5py.File(path, "r+") as f:
        kernel = f["layers/dense/vars/0"]
        values = kernel[...]
        values[0, 0], values[0, 1], values[1, :] = np.nan, np.inf, 0.0
        kernel[...] = values
    report = json.loads(cli("inspect", path, "--weights", "--json")[1])
    stats = report["layers"][0]["weights"][0]["stats"]
    finite = values[np.isfinite(values)].astype(np.float64)
    assert (stats["nan_count"], stats["inf_count"]) == (1, 1)
    assert stats["zeros_fraction"] == pytest.approx(32 / 96)
    assert stats["min"] == pytest.approx(finite.min()) and stats["std"] == pytest.approx(
        finite.std())
    code, out, _ = cli("inspect", path, "--weights")
    assert code == 0 and re.search(r"dense/0\s+\(3, 32\)\s+float32", out)
    assert report["model"] is None and report["file"]["format"] == "weights_v3"


def test_training_configuration_and_optimizer_state(cli):
    report = inspect_file(FIXTURES / "keras3_tf" / "wide_deep_aux.keras", with_stats=True)
    training = report["training"]
    assert training["optimizer"]["class_name"] == "Adam"
    assert training["optimizer"]["hyperparameters"]["beta_1"] == 0.9
    assert training["loss"] == ["mse", "mse"] and training["loss_weights"] == [0.9, 0.1]
    state = report["optimizer_state"]
    assert state["stored"] and state["params"] == report["totals"]["optimizer_params"] == 2416
    assert state["iterations"] > 0
    tfk = inspect_file(FIXTURES / "tf_keras2" / "fashion_mlp.h5")
    assert tfk["training"]["optimizer"]["class_name"] == "SGD"
    assert tfk["training"]["loss"] == "sparse_categorical_crossentropy"
    _, out, _ = cli("inspect", FIXTURES / "tf_keras2" / "fashion_mlp.h5")
    assert "optimizer:     SGD (learning_rate=0.01" in out and "metrics:" in out
    assert "accuracy" in out and "optimizer state: stored" in out
    plain = inspect_file(FIXTURES / "keras3_jax" / "seed_mlp.keras")
    assert plain["training"] is None and plain["optimizer_state"]["stored"] is False


def test_json_keys_are_the_documented_schema():
    report = inspect_file(FIXTURES / "keras3_jax" / "nested.keras", with_stats=True)
    documented = set(re.findall(r'"(\w+)":', schema.__doc__))
    keys = set(report) | set(report["file"]) | set(report["model"]) | set(report["totals"])
    keys |= set(report["optimizer_state"]) | set(report["training"]) | set(report["metrics_state"])
    for layer in flatten_layers(report):
        keys |= set(layer) | set(layer["params"])
        for weight in layer["weights"]:
            keys |= set(weight) | set(weight["stats"])
    assert keys <= documented, keys - documented
    assert set(report) == {"schema_version", "file", "model", "layers", "totals", "training",
                           "optimizer_state", "metrics_state", "unmatched_weights", "warnings"}


def test_expand_nested_and_nested_weights(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for writer, suffix in (("tf_keras2", ".h5"), ("keras3_jax", ".keras")):
        report = inspect_file(FIXTURES / writer / f"nested{suffix}")
        sequential = _layer(report, "sequential")
        assert [c["name"] for c in sequential["layers"]] == ["dense", "batch_normalization",
                                                             "dense_1"]
        assert sequential["params"]["non_trainable"] == 32
        bn = _layer(report, "batch_normalization")
        assert [w["trainable"] for w in bn["weights"]] == [True, True, False, False]
        assert report["totals"]["non_trainable_params"] == 32
    _, out, _ = cli("inspect", FIXTURES / "tf_keras2" / "nested.h5", "--expand-nested")
    assert "└ dense_1 (Dense)" in out
    # tf.keras 2 numbers a nested model's first call 1; it is the model's call 0.
    dense_3 = _layer(inspect_file(FIXTURES / "tf_keras2" / "nested.h5"), "dense_3")
    assert dense_3["connected_to"] == [] and dense_3["output_shapes"] == [[None, 2]]


def test_functional_connections_and_shapes():
    report = inspect_file(FIXTURES / "tf_keras2" / "wide_deep.h5")
    assert report["model"]["sequential_like"] is False
    concat = _layer(report, "concatenate")
    assert concat["connected_to"] == [
        {"layer": "wide_input", "call_index": 0, "tensor_index": 0},
        {"layer": "dense_1", "call_index": 0, "tensor_index": 0}]
    assert concat["output_shapes"] == [[None, 35]]
    assert [x["name"] for x in report["model"]["inputs"]] == ["wide_input", "deep_input"]


def test_custom_layer_shape_comes_from_its_weights_or_build_config():
    h5 = _layer(inspect_file(FIXTURES / "keras3_jax" / "custom_layer.h5"), "simple_dense")
    keras = _layer(inspect_file(FIXTURES / "keras3_jax" / "custom_layer.keras"), "simple_dense")
    assert h5["output_shapes"] == keras["output_shapes"] == [[None, 8]]
    assert h5["output_shape_source"] == "weights"
    assert keras["output_shape_source"] == "build_config"


def test_help_has_an_example_and_the_schema(cli):
    code, out, _ = cli("inspect", "--help")
    assert code == 0
    assert "example:" in out and '"schema_version": 1' in out and "LAYER = {" in out
    for command in ("predict", "convert", "diff", "plot", "demo"):
        code, out, _ = cli(command, "--help")
        assert code == 0 and "example:\n  lamina " + command in out
