"""`lamina diff`, `lamina plot` and `lamina demo`."""

import json
import re
import shutil

import h5py
import pytest
from cli_helpers import FIXTURES


def test_diff_of_the_same_model_in_two_formats(cli):
    code, out, _ = cli("diff", FIXTURES / "keras3_jax" / "seed_mlp.keras",
                       FIXTURES / "keras3_jax" / "seed_mlp.h5")
    assert code == 0 and "No differences" in out
    code, out, _ = cli("diff", FIXTURES / "keras3_jax" / "seed_mlp.keras",
                       FIXTURES / "tf_keras2" / "seed_mlp_weights.h5")
    assert code == 0 and "No differences" in out


def test_diff_reports_weight_changes_and_layers(tmp_path, cli):
    changed = tmp_path / "changed.weights.h5"
    shutil.copy(FIXTURES / "keras3_tf" / "seed_mlp.weights.h5", changed)
    with h5py.File(changed, "r+") as f:
        bias = f["layers/dense_1/vars/1"]
        values = bias[...]
        values[3] += 0.5
        bias[...] = values
    code, out, _ = cli("diff", FIXTURES / "keras3_tf" / "seed_mlp.weights.h5", changed)
    assert code == 0
    assert "~ dense_1" in out and "max |change| = 0.5" in out and "dense_2" not in out
    result = json.loads(cli("diff", FIXTURES / "keras3_tf" / "seed_mlp.weights.h5", changed,
                            "--json")[1])
    [layer] = [entry for entry in result["layers"] if entry["status"] == "changed"]
    assert [w["max_abs_change"] for w in layer["weights"]] == [0.0, pytest.approx(0.5)]

    code, out, _ = cli("diff", FIXTURES / "keras3_jax" / "seed_mlp.keras",
                       FIXTURES / "keras3_jax" / "fashion_mlp.keras")
    assert code == 0
    assert "- dropout (Dropout): only in A" in out and "+ flatten (Flatten): only in B" in out
    assert "config units: 32 -> 300" in out and "shape (3, 32) -> (64, 300)" in out
    assert "training: loss: <absent> -> sparse_categorical_crossentropy" in out


def test_plot(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "model.svg"
    code, stdout, err = cli("plot", FIXTURES / "keras3_jax" / "wide_deep.keras", "-o", out,
                            "--show-shapes", "--rankdir", "LR", "--show-layer-names")
    assert code == 0, err
    assert out.read_text().lstrip().startswith(("<?xml", "<svg"))
    code, _, err = cli("plot", FIXTURES / "keras3_jax" / "wide_deep.keras", "-o",
                       tmp_path / "model.xyz")
    last = err.strip().splitlines()[-1]
    assert code in (1, 2) and last.startswith("lamina plot: error:") and "model.xyz" in last
    assert "Traceback" not in err


def test_demo_saves_and_inspects_the_model(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    import lamina

    lamina.backend.clear_session()  # default names (`dense`, ...) as in a fresh `lamina demo`
    code, out, err = cli("demo")  # the README's main job, with its default 20 epochs
    assert code == 0, err  # 0: test accuracy above 0.9
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy > 0.9
    assert (tmp_path / "digits_mlp.keras").exists() and "Test loss" in out
    assert "Saved the trained model to digits_mlp.keras" in out
    inspected = out.split("`lamina inspect")[1]
    assert 'Sequential "digits_mlp"' in inspected
    assert "dense (Dense): P = I·O + O = 64·64 + 64 = 4,160" in inspected
    assert "optimizer:     Adam (learning_rate=0.003" in inspected
    assert "optimizer state: stored" in inspected


def test_demo_output_option():
    from lamina._src.cli.main import build_parser

    args = build_parser().parse_args(["demo", "--output", "elsewhere.keras", "--epochs", "2"])
    assert (args.output, args.epochs) == ("elsewhere.keras", 2)
