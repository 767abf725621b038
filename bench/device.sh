#!/usr/bin/env bash
# Issue 8's accelerator check in one command, for the `device` tool (a GPU machine lent to some
# sessions only, with no network: everything it needs travels with the working tree).
#
# Here, once per session:   make device-prep   (.whl/: Keras and the wheels that image lacks;
#                                               .device/: a copy of ../shared/keras-fixtures)
# There:   run(command="bash bench/device.sh", carry=[".whl", ".device"], timeout_s=480)
#
# Phases, each under its own time limit, so that one cut short leaves the others' results:
#   1. the wheels installed, lamina on the path, the accelerator and JAX described;
#   2. the benchmark: lamina, lamina-loop (a whole pass per compiled call, which lamina does by
#      itself on CPU only), Keras 3 on JAX, the jax-scan reference (bench/run.py, --quick);
#   3. the test suite at full float32 precision: JAX's default lets GPUs multiply float32 in
#      TF32, which the fixtures' tolerances (written on CPU) do not allow.
# Everything lands in $OUT (the tool fetches it): device.log, bench.md, bench.jsonl (each
# measurement as soon as it is made), tests-*.log.
#
# Time limits (seconds): BENCH_SECONDS (240), TESTS_SECONDS (150). BENCH_ARGS overrides the
# benchmark's arguments; PYTHON the interpreter (python3, the image's JAX with CUDA).
set -u
OUT=${OUT:-/tmp/lamina-device}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
export KERAS_BACKEND=jax
exec > >(tee -a "$OUT/device.log") 2>&1

phase() { echo; echo "== $1 ($(date +%T))"; }

phase "install"
if [ -d .whl ]; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/lamina-site .whl/*.whl \
        && export PYTHONPATH=/tmp/lamina-site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}  # lamina itself, from this checkout
if [ ! -d ../shared/keras-fixtures ] && [ -d .device/keras-fixtures ]; then
    mkdir -p ../shared && cp -r .device/keras-fixtures ../shared/
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
"$PY" - <<'EOF'
import jax, keras, lamina
print(f"JAX {jax.__version__}: {jax.devices()}; Keras {keras.__version__}; lamina {lamina.__version__}")
EOF

phase "benchmark"
# shellcheck disable=SC2086  # BENCH_ARGS is a list of arguments
timeout "${BENCH_SECONDS:-240}" "$PY" bench/run.py \
    ${BENCH_ARGS:---quick --impls lamina lamina-loop keras jax --cold-runs 1} \
    --out "$OUT/bench.md" --log "$OUT/bench.jsonl"
echo "benchmark exit status $?"

phase "tests at float32 precision"
# Eight workers share the GPU, so none may take 75% of its memory. `-v`: a log cut short by the
# time limit still names each test that ran, failures included.
export XLA_PYTHON_CLIENT_PREALLOCATE=false JAX_DEFAULT_MATMUL_PRECISION=highest
deadline=$((SECONDS + ${TESTS_SECONDS:-150}))
for group in "tests/saving tests/models" "tests/trainers tests/layers" \
             "tests/ops tests/losses tests/metrics tests/optimizers tests/callbacks" ; do
    left=$((deadline - SECONDS))
    name=$(echo "$group" | awk '{print $1}' | tr / -)
    if [ "$left" -le 10 ]; then echo "no time left for $group"; continue; fi
    # shellcheck disable=SC2086
    timeout "$left" "$PY" -m pytest -o addopts= -p no:cacheprovider -n 8 --dist loadfile -v --tb=line $group \
        >"$OUT/$name.log" 2>&1
    status=$?
    echo "$group: exit status $status, $(grep -c ' PASSED ' "$OUT/$name.log") passed," \
         "$(grep -c ' FAILED ' "$OUT/$name.log") failed, $(grep -c ' ERROR ' "$OUT/$name.log") errors"
done
phase "done"
