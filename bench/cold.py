"""Cold-process figures: `lamina inspect`, and load a tf.keras `.h5` + predict one sample.

    python bench/cold.py [--runs 5]

Each run is a new interpreter (what a user waits for at a shell), the implementations
interleaved; medians are printed. Keras runs on its JAX backend, and, given an interpreter
with TensorFlow (`--tf-python`), on TensorFlow and as tf.keras 2 as well.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "keras-fixtures"
H5 = FIXTURES / "tf_keras2" / "wide_deep_aux.h5"

LOAD_PREDICT = """
import sys, numpy as np
impl, path = sys.argv[1], sys.argv[2]
if impl == "keras":
    import keras as K
elif impl == "tf-keras":
    import tf_keras as K
else:
    import lamina as K
data = np.load(path[:-3] + ".npz")
model = K.models.load_model(path, compile=False)
model.predict([data["x0"][:1], data["x1"][:1]], verbose=0)
"""


def _lamina_command() -> list[str]:
    """The `lamina` console script beside this interpreter; where lamina is not installed but
    only on the path (bench/device.sh), its entry point run as a module."""
    script = pathlib.Path(sys.executable).with_name("lamina")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lamina._src.cli.main"]


def commands(h5: pathlib.Path, tf_python=None) -> dict[str, tuple[list[str], str]]:
    """label -> (argv, KERAS_BACKEND)."""
    result = {
        "python -c pass": ([sys.executable, "-c", "pass"], "jax"),
        "lamina inspect": ([*_lamina_command(), "inspect", str(h5)], "jax"),
        "lamina load+predict": ([sys.executable, "-c", LOAD_PREDICT, "lamina", str(h5)], "jax"),
        "keras load+predict": ([sys.executable, "-c", LOAD_PREDICT, "keras", str(h5)], "jax"),
    }
    if tf_python:
        result["keras-tf load+predict"] = ([tf_python, "-c", LOAD_PREDICT, "keras", str(h5)],
                                           "tensorflow")
        result["tf.keras 2 load+predict"] = ([tf_python, "-c", LOAD_PREDICT, "tf-keras", str(h5)],
                                             "tensorflow")
    return result


def measure(runs: int, h5: pathlib.Path = H5, tf_python=None) -> dict[str, float]:
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        for label, (argv, backend) in commands(h5, tf_python).items():
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, env=dict(os.environ, KERAS_BACKEND=backend),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.setdefault(label, []).append(time.perf_counter() - t0)
    return {label: statistics.median(t) for label, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tf-python", default=os.environ.get("LAMINA_BENCH_TF_PYTHON"),
                        help="an interpreter with tensorflow, tf_keras and keras installed")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, tf_python=args.tf_python), indent=1))


if __name__ == "__main__":
    main()
