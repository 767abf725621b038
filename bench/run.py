"""lamina vs Keras 3 (JAX backend) on the same models, same machine, same run.

    python bench/run.py                 # all workloads, 3 repeats
    python bench/run.py --quick         # smaller epochs, 1 repeat (a smoke run)
    python bench/run.py --workloads mlp-seed cnn --repeats 5

Each measurement runs in its own process; implementations are interleaved within a repeat
(so drifts in machine load hit both); the table shows medians and lamina/Keras ratios
(> 1 means lamina is better: faster or smaller, whichever way the figure points).
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from workloads import WORKLOADS  # noqa: E402

# figure -> (label, higher_is_better)
FIGURES = {
    "steady_sps": ("fit samples/s", True),
    "first_epoch_s": ("1st epoch s", False),
    "predict_sps": ("predict samples/s", True),
    "predict1_ms": ("predict(1) ms", False),
    "call1_ms": ("model(x) ms", False),
    "predict_growth_mb": ("RSS growth, 1000 predict(1), MB", False),
    "import_s": ("import s", False),
    "peak_rss_mb": ("peak RSS MB", False),
}


def measure(impl, workload, samples, epochs):
    out = subprocess.run([sys.executable, os.path.join(HERE, "worker.py"), impl, workload,
                          str(samples), str(epochs)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{impl} {workload} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--impls", nargs="*", default=["lamina", "keras", "jax"])
    parser.add_argument("--cold-runs", type=int, default=3,
                        help="cold-process runs of inspect / load+predict (0: skip)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "latest.md"))
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    results: dict = {}
    for workload in args.workloads:
        samples = WORKLOADS[workload][2][1 if args.quick else 0]
        for r in range(repeats):
            order = args.impls if r % 2 == 0 else list(reversed(args.impls))
            for impl in order:
                m = measure(impl, workload, samples, args.epochs)
                results.setdefault((workload, impl), []).append(m)
                print(f"  {workload:12s} {impl:7s} run {r + 1}: {m['steady_sps']:,.0f} samples/s, "
                      f"1st epoch {m['first_epoch_s']:.2f}s", file=sys.stderr, flush=True)
    table = render(results, args)
    if args.cold_runs:
        import cold

        figures = cold.measure(args.cold_runs)
        table += "\n\nCold process (new interpreter each run, median of " \
                 f"{args.cold_runs}), tf.keras `.h5` {cold.H5.name}:\n\n| command | seconds |\n|---|---:|\n"
        table += "\n".join(f"| {label} | {sec:.2f} |" for label, sec in figures.items())
    print(table)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(table + "\n")


def render(results, args) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
             f"{datetime.date.today().isoformat()}; epochs={args.epochs}{' (quick)' if args.quick else ''}",
             "", "Ratios are lamina over Keras (> 1: lamina better); `jax-scan` is the hand-written",
             "JAX + optax reference with each epoch in one `lax.scan` (its `model(x)` column is",
             "its jitted predict).", "",
             "| workload | figure | lamina | keras-jax | jax-scan | lamina/keras |",
             "|---|---|---:|---:|---:|---:|"]
    for workload in args.workloads:
        for key, (label, higher_better) in FIGURES.items():
            med = {impl: statistics.median(m[key] for m in results[(workload, impl)])
                   for impl in args.impls if (workload, impl) in results}
            if "lamina" not in med or "keras" not in med:
                continue
            num, den = (med["lamina"], med["keras"]) if higher_better else (med["keras"], med["lamina"])
            ratio = f"{num / den:.2f}x" if den > 0 else "-"
            ref = f"{med['jax']:,.3g}" if "jax" in med and key != "import_s" else "-"
            lines.append(f"| {workload} | {label} | {med['lamina']:,.3g} | {med['keras']:,.3g} "
                         f"| {ref} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
