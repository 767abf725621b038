# `make demo`: set up .venv and run the main job.  `make test`: set up .venv and run the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test lint bench bench-tf device-prep clean graphviz

# The demo needs lamina alone; the tests add the oracle (real Keras 3) and the tools.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/lamina demo

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check lamina tests bench

# One worker per core, each test file on one worker (files share their compiled models):
# 7.3 min on the 2-core machine, against 14.4 serially (2026-12-05).
test: $(VENV)/.installed-test lint graphviz
	$(PY) -m pytest -n auto --dist loadfile

# plot_model's tests render with Graphviz's `dot` when it is there (and with the pip-only
# fallback either way); install it where we can, without failing where we cannot.
graphviz:
	@command -v dot >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq graphviz) >/dev/null 2>&1; } || \
	  echo "note: Graphviz 'dot' unavailable; its plot_model tests are skipped"

bench: $(VENV)/.installed-test
	$(PY) bench/run.py

# The TensorFlow peers (tf.keras 2, Keras 3 on TensorFlow) live in a venv of their own: lamina
# and its tests never need TensorFlow. About 1.5 GB.
TF_VENV := .venv-tf
$(TF_VENV)/.installed:
	$(PYTHON) -m venv $(TF_VENV)
	$(TF_VENV)/bin/python -m pip install -q "tensorflow>=2.16" "tf-keras>=2.16" "keras>=3.15.1,<3.16"
	touch $@

bench-tf: $(VENV)/.installed-test $(TF_VENV)/.installed
	$(PY) bench/run.py --tf-python $(TF_VENV)/bin/python

# bench/device.sh runs the benchmark and the tests on a lent GPU machine, which has no network
# and Python 3.12 with JAX but no Keras: take along the wheels it lacks, and the fixtures.
device-prep:
	rm -rf .whl .device
	$(PYTHON) -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
	  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
	  -d .whl "keras>=3.15.1,<3.16" namex optree "pydot>=2.0"
	mkdir -p .device && cp -r ../shared/keras-fixtures .device/

clean:
	rm -rf $(VENV) $(TF_VENV) .pytest_cache .whl .device
