"""lamina vs Keras 3 (JAX backend) on the same models, same machine, same run.

    python bench/run.py                 # the issue's five workloads, 3 repeats
    python bench/run.py --quick         # smaller epochs, 1 repeat (a smoke run)
    python bench/run.py --workloads mlp-seed cnn --repeats 5
    python bench/run.py --workloads gru transformer autoencoder  # beyond the five (workloads.py)
    python bench/run.py --tf-python .venv-tf/bin/python   # adds tf.keras 2 and Keras 3 on TF

Each measurement runs in its own process; implementations are interleaved within a repeat
(so drifts in machine load hit both); the table shows medians and lamina/Keras ratios
(> 1 means lamina is better: faster or smaller, whichever way the figure points), against
Keras 3 on JAX and against the best peer (every implementation but lamina's own).

The TensorFlow peers (`tf-keras`: tf.keras 2; `keras-tf`: Keras 3 on TensorFlow) run in the
interpreter `--tf-python` names (TensorFlow is no dependency of lamina or of its tests:
`make bench-tf` builds that interpreter in `.venv-tf`).
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

from workloads import ISSUE_WORKLOADS, NO_JAX_REFERENCE, WORKLOADS  # noqa: E402

# figure -> (label, higher_is_better)
FIGURES = {
    "steady_sps": ("fit samples/s", True),
    "dataset_sps": ("fit from a PyDataset, samples/s", True),
    "first_epoch_s": ("1st epoch s", False),
    "predict_sps": ("predict samples/s", True),
    "predict1_ms": ("predict(1) ms", False),
    "call1_ms": ("model(x) ms", False),
    "predict_growth_mb": ("RSS growth, 1000 predict(1), MB", False),
    "predict_sizes_s": ("predict on 2..21 rows, once each, s", False),
    "import_s": ("import s", False),
    "peak_rss_mb": ("peak RSS MB", False),
}


TF_IMPLS = ("tf-keras", "keras-tf")


def measure(impl, workload, samples, epochs, tf_python=None):
    python = tf_python if impl in TF_IMPLS else sys.executable
    out = subprocess.run([python, os.path.join(HERE, "worker.py"), impl, workload,
                          str(samples), str(epochs)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{impl} {workload} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="*", default=list(ISSUE_WORKLOADS),
                        choices=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--impls", nargs="*", default=None,
                        help="default: lamina keras jax, plus tf-keras keras-tf with --tf-python")
    parser.add_argument("--tf-python", default=os.environ.get("LAMINA_BENCH_TF_PYTHON"),
                        help="an interpreter with tensorflow, tf_keras and keras installed")
    parser.add_argument("--cold-runs", type=int, default=3,
                        help="cold-process runs of inspect / load+predict (0: skip)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "latest.md"))
    parser.add_argument("--log", help="append each measurement to this file as a JSON line as "
                        "soon as it is made (what a run cut short leaves)")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    if args.impls is None:
        args.impls = ["lamina", "keras", "jax"] + (list(TF_IMPLS) if args.tf_python else [])
    if any(impl in TF_IMPLS for impl in args.impls) and not args.tf_python:
        parser.error(f"{', '.join(TF_IMPLS)} need --tf-python (an interpreter with TensorFlow)")
    results: dict = {}
    for workload in args.workloads:
        samples = WORKLOADS[workload][2][1 if args.quick else 0]
        for r in range(repeats):
            order = args.impls if r % 2 == 0 else list(reversed(args.impls))
            for impl in order:
                if impl == "jax" and workload in NO_JAX_REFERENCE:
                    continue
                m = measure(impl, workload, samples, args.epochs, args.tf_python)
                results.setdefault((workload, impl), []).append(m)
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(json.dumps(m) + "\n")
                print(f"  {workload:12s} {impl:7s} run {r + 1}: {m['steady_sps']:,.0f} samples/s, "
                      f"1st epoch {m['first_epoch_s']:.2f}s", file=sys.stderr, flush=True)
    table = render(results, args)
    if args.cold_runs:
        import cold

        figures = cold.measure(args.cold_runs, tf_python=args.tf_python)
        table += "\n\nCold process (new interpreter each run, median of " \
                 f"{args.cold_runs}), tf.keras `.h5` {cold.H5.name}:\n\n| command | seconds |\n|---|---:|\n"
        table += "\n".join(f"| {label} | {sec:.2f} |" for label, sec in figures.items())
    print(table)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(table + "\n")


COLUMNS = {"lamina": "lamina", "lamina-loop": "lamina-loop", "keras": "keras-jax",
           "jax": "jax-scan", "keras-tf": "keras-tf", "tf-keras": "tf.keras 2"}


def render(results, args) -> str:
    impls = [impl for impl in COLUMNS if impl in args.impls]
    peers = [impl for impl in impls if not impl.startswith("lamina")]
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {_accelerator()}, "
             f"Python {platform.python_version()}; "
             f"{datetime.date.today().isoformat()}; epochs={args.epochs}{' (quick)' if args.quick else ''}",
             "", "Ratios are lamina over the peer (> 1: lamina better); `best peer` is the best",
             "figure of the columns not lamina's. `jax-scan` is the hand-written JAX + optax reference",
             "with each epoch in one `lax.scan` (its `model(x)` column is its jitted predict).", "",
             "| workload | figure | " + " | ".join(COLUMNS[i] for i in impls)
             + " | lamina/keras-jax | lamina/best peer |",
             "|---|---|" + "---:|" * (len(impls) + 2)]
    for workload in args.workloads:
        for key, (label, higher_better) in FIGURES.items():
            med = {impl: statistics.median(m[key] for m in results[(workload, impl)])
                   for impl in impls
                   if (workload, impl) in results and key in results[(workload, impl)][0]}
            if key == "import_s":
                med.pop("jax", None)  # the reference imports JAX alone: not comparable
            if "lamina" not in med:
                continue
            cells = [f"{med[i]:,.3g}" if i in med else "-" for i in impls]
            others = [med[i] for i in peers if i in med]
            best = (max if higher_better else min)(others) if others else None
            lines.append(f"| {workload} | {label} | " + " | ".join(cells)
                         + f" | {_ratio(med['lamina'], med.get('keras'), higher_better)}"
                         + f" | {_ratio(med['lamina'], best, higher_better)} |")
    return "\n".join(lines)


def _accelerator() -> str:
    """What JAX computes on, asked in a child process (this one never imports JAX)."""
    out = subprocess.run([sys.executable, "-c", "import jax; d = jax.devices()[0]; "
                          "print(f'JAX {jax.__version__} on {len(jax.devices())} x {d.device_kind}')"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or "JAX not importable"


def _ratio(ours, theirs, higher_better) -> str:
    if theirs is None:
        return "-"
    num, den = (ours, theirs) if higher_better else (theirs, ours)
    return f"{num / den:.2f}x" if den > 0 else "-"


if __name__ == "__main__":
    main()
