"""One measurement in a fresh process: `python bench/worker.py IMPL WORKLOAD SAMPLES EPOCHS`.

IMPL is `lamina`, `keras` (Keras 3 on JAX), `keras-tf` (Keras 3 on TensorFlow), `tf-keras`
(tf.keras 2, the `tf_keras` package) or `jax` (the hand-written JAX + optax reference). The
TensorFlow peers need an interpreter with TensorFlow (`run.py --tf-python`). `lamina-loop` is
lamina with a whole pass per compiled call (`steps_per_execution`): what lamina does by itself
on CPU, to be measured on other backends before it does it there too. Prints one JSON
line with the figures.
"""

import json
import os
import resource
import statistics
import sys
import time


def main():
    impl, workload, samples, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.environ["KERAS_BACKEND"] = "tensorflow" if impl == "keras-tf" else "jax"
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if impl == "jax":
        return reference(workload, samples, epochs)
    t0 = time.perf_counter()
    if impl in ("lamina", "lamina-loop"):
        import lamina as K

        K.layers, K.models  # noqa: B018 (the namespaces load on first use: count them)
    elif impl in ("keras", "keras-tf"):
        import keras as K
    elif impl == "tf-keras":
        import tf_keras as K
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    import_s = time.perf_counter() - t0

    import numpy as np
    from workloads import WORKLOADS, data

    build, batch_size, _ = WORKLOADS[workload]
    K.utils.set_random_seed(0)
    x, y = data(workload, samples)
    t0 = time.perf_counter()
    model = build(K)
    build_s = time.perf_counter() - t0
    if impl == "lamina-loop":
        model.steps_per_execution = -(-samples // batch_size)

    epoch_times = []

    class Timer(K.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_times.append(time.perf_counter() - self.t)

    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[Timer()])
    fit_total = time.perf_counter() - t0
    steady = epoch_times[1:] or epoch_times
    steady_sps = samples / statistics.median(steady)
    dataset_sps = _dataset_samples_per_second(K, model, x, y, batch_size, Timer, epoch_times)

    big = x[: min(len(x), 8192)]
    model.predict(big, batch_size=1024, verbose=0)  # compile
    predict_sps = len(big) / _median_seconds(lambda: model.predict(big, batch_size=1024, verbose=0))

    one = x[:1]
    model.predict(one, verbose=0)
    predict1_s = _median_seconds(lambda: model.predict(one, verbose=0), repeats=30)
    rss_before = _rss_mb()
    for _ in range(1000):
        model.predict(one, verbose=0)
    predict_growth_mb = _rss_mb() - rss_before
    model(one)
    call1_s = _median_seconds(lambda: np.asarray(model(one)), repeats=30)
    sizes_s = _new_sizes_seconds(lambda rows: model.predict(rows, verbose=0), x)

    print(json.dumps({
        "impl": impl, "workload": workload, "import_s": import_s, "build_s": build_s,
        "first_epoch_s": epoch_times[0], "fit_total_s": fit_total, "steady_sps": steady_sps,
        "predict_sps": predict_sps, "predict1_ms": 1e3 * predict1_s,
        "call1_ms": 1e3 * call1_s, "predict_growth_mb": predict_growth_mb,
        "predict_sizes_s": sizes_s, "dataset_sps": dataset_sps,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def _median_seconds(run, repeats: int = 5) -> float:
    """The median wall time of `repeats` calls (one call alone is at the mercy of the machine)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _dataset_samples_per_second(K, model, x, y, batch_size, timer, epoch_times) -> float:
    """Training samples/s with the same batches from a `PyDataset` (tf.keras 2: `Sequence`),
    the second of two epochs (the first may compile)."""
    base = getattr(K.utils, "PyDataset", None) or K.utils.Sequence

    class Batches(base):
        def __init__(self):
            super().__init__()

        def __len__(self):
            return len(x) // batch_size

        def __getitem__(self, i):
            return x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size]

    model.fit(Batches(), epochs=2, verbose=0, callbacks=[timer()])
    return len(x) // batch_size * batch_size / epoch_times[-1]


def _new_sizes_seconds(predict, x) -> float:
    """Seconds to predict on 2, 3, ... 21 rows, once each: sizes not seen before, so what each
    costs is mostly whatever the implementation compiles for a new input size."""
    t0 = time.perf_counter()
    for n in range(2, 22):
        predict(x[:n])
    return time.perf_counter() - t0


def _rss_mb() -> float:
    """The resident set size now (Linux), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reference(workload, samples, epochs):
    """The hand-written JAX + optax model, each epoch one `lax.scan` (bench/jax_reference.py)."""
    t0 = time.perf_counter()
    import jax.numpy as jnp

    import_s = time.perf_counter() - t0
    from jax_reference import Reference
    from workloads import WORKLOADS, data

    _, batch_size, _ = WORKLOADS[workload]
    x, y = data(workload, samples)
    model = Reference(workload, batch_size)
    xd, yd = jnp.asarray(x), jnp.asarray(y)
    epoch_times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.fit_epoch(xd, yd)
        epoch_times.append(time.perf_counter() - t0)
    big = x[: min(len(x), 8192)]
    model.predict(big)
    predict_sps = len(big) / _median_seconds(lambda: model.predict(big))
    one = x[:1]
    model.predict(one)
    predict1_s = _median_seconds(lambda: model.predict(one), repeats=30)
    sizes_s = _new_sizes_seconds(model.predict, x)
    print(json.dumps({
        "impl": "jax", "workload": workload, "import_s": import_s, "build_s": 0.0,
        "first_epoch_s": epoch_times[0], "fit_total_s": sum(epoch_times),
        "steady_sps": samples / statistics.median(epoch_times[1:] or epoch_times),
        "predict_sps": predict_sps, "predict1_ms": 1e3 * predict1_s,
        "call1_ms": 1e3 * predict1_s, "predict_growth_mb": 0.0, "predict_sizes_s": sizes_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
