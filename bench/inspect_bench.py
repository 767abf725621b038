"""Cold `lamina inspect` wall time: a new process per run, median of N (target < 0.5 s).

    python bench/inspect_bench.py                          # default fixture, 5 runs
    python bench/inspect_bench.py --file m.keras --runs 9

Three commands are timed, interleaved so that machine load hits them alike:
  * `python -c pass`: the interpreter's own start-up, the floor;
  * `jax-free`: `lamina inspect` as it runs when `lamina/__init__.py` does not import JAX (the
    package module is replaced by an empty one before the CLI is loaded, which is what a lazy
    `__init__` gives);
  * `lamina`: the installed console script as it is today (`lamina/__init__` imports JAX).
The 1-minute load average before and after is printed: on a loaded machine every wall time
grows. The CPU time (user + system, median) barely depends on the load; on an idle machine the
wall time of these single-threaded start-ups is close to it (JAX's import uses threads).
"""

import argparse
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "keras-fixtures" / "keras3_jax" / "wide_deep_aux.keras"

JAX_FREE = """
import sys, types
package = types.ModuleType("lamina")
package.__path__ = [sys.argv[1] + "/lamina"]
sys.modules["lamina"] = package
from lamina._src.cli.main import main
code = main(sys.argv[2:])
assert "jax" not in sys.modules, "the inspect path imported JAX"
sys.exit(code)
"""


def commands(path: str) -> dict[str, list[str]]:
    script = pathlib.Path(sys.executable).with_name("lamina")
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "jax-free": [sys.executable, "-c", JAX_FREE, str(ROOT), "inspect", path],
        "lamina": [str(script), "inspect", path],
    }


def bytecode_env(cache: str) -> dict[str, str]:
    """The environment with Python's bytecode cache on (in `cache`, outside the repository).

    An installed package has compiled `.pyc` files; a checkout run with
    PYTHONDONTWRITEBYTECODE=1 compiles every lamina module on every start (~0.15 s here).
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            check=False, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:2])} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE), help="the file to inspect")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    parser.add_argument("--target", type=float, default=0.5, help="target seconds (0.5)")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep the environment's PYTHONDONTWRITEBYTECODE (compile each run)")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="inspect-bench-pyc-")
    env = dict(os.environ) if args.no_bytecode else bytecode_env(cache)
    cmds = commands(args.file)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in cmds}
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    for argv in cmds.values():  # warm the file-system and bytecode caches once
        run_once(argv, env)
    for _ in range(args.runs):
        for name, argv in cmds.items():
            wall, used = run_once(argv, env)
            times[name].append(wall)
            cpu[name].append(used)
    load_after = os.getloadavg()[0]
    shutil.rmtree(cache, ignore_errors=True)
    print(f"file: {args.file}")
    print("bytecode: " + ("compiled on every run (PYTHONDONTWRITEBYTECODE kept)" if
                          args.no_bytecode else "cached, as for an installed package"))
    print(f"cpus: {os.cpu_count()}, load average (1 min): {load_before:.2f} before, "
          f"{load_after:.2f} after")
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7}   runs (wall)")
    for name, values in times.items():
        print(f"{name:<16} {statistics.median(values):9.3f} {min(values):7.3f} "
              f"{max(values):7.3f} {statistics.median(cpu[name]):7.3f}   "
              f"{', '.join(f'{v:.2f}' for v in values)}")
    jax_free = statistics.median(times["jax-free"])
    verdict = "meets" if jax_free < args.target else "misses"
    print(f"jax-free inspect: {jax_free:.3f} s median, {verdict} the {args.target} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
