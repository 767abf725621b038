"""Bad files exit with status 1 and one line naming the file; bad usage exits with 2."""

import subprocess
import sys

import h5py
import numpy as np
import pytest
from cli_helpers import FIXTURES


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    files = {}
    for name in ("seed_mlp.keras", "seed_mlp.h5"):
        data = (FIXTURES / "keras3_jax" / name).read_bytes()
        files[f"truncated {name}"] = folder / f"truncated_{name}"
        files[f"truncated {name}"].write_bytes(data[: len(data) // 3])
    files["text"] = folder / "notes.keras"
    files["text"].write_text("not a model\n")
    files["empty"] = folder / "empty.h5"
    files["empty"].write_bytes(b"")
    files["plain hdf5"] = folder / "plain.h5"
    with h5py.File(files["plain hdf5"], "w") as f:
        f["x"] = np.arange(3)
    files["npz"] = folder / "arrays.keras"
    np.savez(folder / "arrays.npz", x=np.ones(3))
    (folder / "arrays.npz").rename(files["npz"])
    files["missing"] = folder / "missing.keras"
    return files


CASES = ["truncated seed_mlp.keras", "truncated seed_mlp.h5", "text", "empty", "plain hdf5",
         "npz", "missing"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", [["inspect"], ["inspect", "--json"], ["diff", None]])
def test_bad_files_exit_1_with_one_line(case, command, bad_files, cli):
    path = bad_files[case]
    argv = [command[0], path] + [FIXTURES / "keras3_jax" / "seed_mlp.keras" if c is None else c
                                 for c in command[1:]]
    code, out, err = cli(*argv)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err
    assert err.startswith(f"lamina {command[0]}: error: ")


@pytest.mark.parametrize("case", ["truncated seed_mlp.keras", "plain hdf5", "missing"])
@pytest.mark.parametrize("command", ["predict", "convert", "plot"])
def test_bad_model_files_for_commands_that_build_models(case, command, bad_files, cli, tmp_path):
    path = bad_files[case]
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 3), "float32"))
    extra = {"predict": ["--input", x, "--output", tmp_path / "y.npy"],
             "convert": [tmp_path / "out.keras"], "plot": ["-o", tmp_path / "m.png"]}[command]
    code, out, err = cli(command, path, *extra)
    assert code == 1, err
    assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err


def test_debug_shows_the_traceback(bad_files, cli):
    code, _, err = cli("--debug", "inspect", bad_files["text"])
    assert code == 1 and "Traceback" in err and str(bad_files["text"]) in err
    code, _, err = cli("inspect", bad_files["text"], "--debug")
    assert code == 1 and "Traceback" in err


@pytest.mark.parametrize("argv", [
    [],
    ["inspect"],
    ["inspect", "a.keras", "--no-such-option"],
    ["nonsense"],
    ["predict", "m.keras", "--input", "x.npy"],
    ["plot", "m.keras", "--rankdir", "XX"],
])
def test_bad_usage_exits_2(argv, cli):
    code, out, err = cli(*argv)
    assert code == 2 and "usage:" in err


def test_bad_option_values_exit_2_and_name_the_file(cli, tmp_path):
    model = FIXTURES / "keras3_jax" / "seed_mlp.keras"
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 3), "float32"))
    code, _, err = cli("predict", model, "--input", x, "--output", tmp_path / "y.txt")
    assert code == 2 and "y.txt" in err and err.count("\n") == 1
    code, _, err = cli("convert", model, tmp_path / "out.txt")
    assert code == 2 and "out.txt" in err
    code, _, err = cli("convert", model, model, "--force")
    assert code == 2 and "the output is the input file" in err
    code, _, err = cli("predict", model, "--input", tmp_path / "nope.npy", "--output",
                       tmp_path / "y.npy")
    assert code == 1 and "nope.npy: no such file" in err


def test_console_script_reports_a_missing_file_without_traceback(tmp_path):
    missing = tmp_path / "missing.keras"
    result = subprocess.run([sys.executable, "-m", "lamina._src.cli.main", "inspect",
                             str(missing)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr == f"lamina inspect: error: {missing}: no such file.\n"
