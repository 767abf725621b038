"""Where a workload's training step spends its time, per compiled XLA operation (lamina only).

    python bench/profile_step.py cnn                 # 20 batches, ops above 0.05 ms per step
    python bench/profile_step.py mlp-fashion --batches 256 --min-ms 0.005

Runs one epoch to compile, then traces one more with `jax.profiler` and sums each operation
(XLA CPU "thunk") of the training loop over the traced steps. Each row shows the operation as
the compiled HLO writes it and the JAX op it came from. XLA runs independent operations
concurrently, and an Eigen dot may return before its work ends: read the figures as where the
time goes, not as a partition of the step.
"""

import argparse
import collections
import glob
import gzip
import json
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload")
    parser.add_argument("--batches", type=int, default=20, help="batches per traced epoch")
    parser.add_argument("--min-ms", type=float, default=0.05, help="hide ops below this per step")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                   + f" --xla_dump_to={tmp}/hlo --xla_dump_hlo_pass_re=NONE")
        import jax
        from workloads import WORKLOADS, data

        import lamina

        build, batch_size, _ = WORKLOADS[args.workload]
        lamina.utils.set_random_seed(0)
        x, y = data(args.workload, batch_size * args.batches)
        model = build(lamina)
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # compile
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        step_ms = (time.perf_counter() - start) / args.batches * 1e3
        with jax.profiler.trace(f"{tmp}/trace", create_perfetto_trace=True):
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        totals = _op_totals(glob.glob(f"{tmp}/trace/**/*.trace.json.gz", recursive=True)[0])
        hlo = _hlo_lines(glob.glob(f"{tmp}/hlo/*jit_run.cpu_after_optimizations.txt"))
    print(f"{args.workload}: {step_ms:.2f} ms per step (batch {batch_size}), untraced")
    shown = 0.0
    for name, micros in sorted(totals.items(), key=lambda kv: -kv[1]):
        if name not in hlo:
            continue
        ms = micros / args.batches / 1e3
        shown += ms
        if ms >= args.min_ms:
            op, source = hlo[name]
            print(f"{ms:7.2f} ms  {name:28s} {op[:90]}  <- {source[-50:]}")
    print(f"{shown:7.2f} ms  per step in the training loop's operations")


def _op_totals(trace_file) -> dict[str, float]:
    events = json.load(gzip.open(trace_file))
    events = events["traceEvents"] if isinstance(events, dict) else events
    totals: dict[str, float] = collections.Counter()
    for event in events:
        if event.get("ph") == "X":
            totals[event["name"]] += event.get("dur", 0)
    return totals


def _hlo_lines(files) -> dict[str, tuple[str, str]]:
    """Instruction name -> (its HLO without metadata, the JAX op it came from)."""
    lines = {}
    for path in files:
        for line in open(path):
            match = re.match(r"\s*(?:ROOT )?%?([\w.\-]+) = (.*)", line)
            if match:
                source = re.search(r'op_name="([^"]*)"', match.group(2))
                lines[match.group(1)] = (re.sub(r", metadata=.*", "", match.group(2)),
                                         source.group(1) if source else "")
    return lines


if __name__ == "__main__":
    main()
