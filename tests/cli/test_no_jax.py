"""`lamina inspect` (and `diff`) read files without importing JAX or any layer class.

`lamina/__init__.py` imports JAX, and Python runs it before any `lamina.*` submodule. The
subprocess below stands an empty package module in for it (what a lazy `__init__` gives),
loads the CLI's `main.py` by file path, runs the commands, and checks what got imported.
"""

import json
import pathlib
import subprocess
import sys

from cli_helpers import FIXTURES

ROOT = pathlib.Path(__file__).resolve().parents[2]

CODE = r"""
import contextlib, importlib.util, io, json, sys, types

root, argv_list = sys.argv[1], json.loads(sys.argv[2])
package = types.ModuleType("lamina")  # the package without its __init__
package.__path__ = [root + "/lamina"]
sys.modules["lamina"] = package
spec = importlib.util.spec_from_file_location("lamina._src.cli.main",
                                              root + "/lamina/_src/cli/main.py")
main_module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = main_module
spec.loader.exec_module(main_module)
codes = []
for argv in argv_list:
    with contextlib.redirect_stdout(io.StringIO()):
        codes.append(main_module.main(argv))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "optax")
               or m.startswith(("lamina._src.layers", "lamina._src.backend",
                                "lamina._src.models", "lamina._src.ops")))
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def test_inspect_and_diff_do_not_import_jax():
    keras_file = str(FIXTURES / "keras3_jax" / "nested.keras")
    h5_file = str(FIXTURES / "tf_keras2" / "nested.h5")
    weights = str(FIXTURES / "keras3_tf" / "seed_mlp.weights.h5")
    argv = [["inspect", keras_file], ["inspect", h5_file, "--json", "--weights"],
            ["inspect", weights, "--weights", "--expand-nested"], ["diff", keras_file, h5_file]]
    result = subprocess.run([sys.executable, "-c", CODE, str(ROOT), json.dumps(argv)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0, 0, 0, 0], "heavy": []}
