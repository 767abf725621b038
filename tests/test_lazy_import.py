"""`import lamina` is lazy: it imports no JAX, and the namespaces load on first use.

Each check runs in a fresh interpreter, since this test process has long imported JAX.
"""

import json
import pathlib
import subprocess
import sys

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "keras-fixtures"

HEAVY = ("jax", "jaxlib", "optax")


def _run(code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_lamina_imports_no_jax():
    report = _run(
        "import json, sys; import lamina; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    assert report == []


def test_the_real_inspect_command_imports_no_jax():
    """The installed entry point (`lamina._src.cli.main:main`), through the real package."""
    keras_file = str(FIXTURES / "keras3_jax" / "nested.keras")
    h5_file = str(FIXTURES / "tf_keras2" / "nested.h5")
    code = f"""
import contextlib, io, json, sys
from lamina._src.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    codes = [main(["inspect", {keras_file!r}]), main(["diff", {keras_file!r}, {h5_file!r}])]
print(json.dumps({{"codes": codes,
                  "heavy": sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})}}))
"""
    assert _run(code) == {"codes": [0, 0], "heavy": []}


def test_namespaces_load_on_first_use_and_files_resolve_every_class():
    """A lookup by class name must not depend on what the user happened to import first."""
    path = str(FIXTURES / "tf_keras2" / "rnn_stack")
    code = f"""
import json
import numpy as np
import lamina
model = lamina.models.load_model({path + ".h5"!r})
data = np.load({path + ".npz"!r})
error = float(np.max(np.abs(model.predict(data["x"], verbose=0) - data["y"])))
print(json.dumps({{"error": error, "sequential": lamina.Sequential is type(model),
                  "names": [type(layer).__name__ for layer in model.layers]}}))
"""
    report = _run(code)
    assert report["error"] < 1e-5
    assert report["sequential"] and report["names"] == ["LSTM", "GRU", "SimpleRNN", "Dense"]


def test_unknown_attribute_is_an_attribute_error():
    report = _run(
        "import json, lamina\n"
        "try:\n    lamina.no_such_thing\nexcept AttributeError as e:\n"
        "    print(json.dumps(str(e)))"
    )
    assert "no_such_thing" in report
