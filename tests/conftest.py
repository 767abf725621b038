"""Shared test set-up: real Keras 3 on its JAX backend is the oracle; fixtures live in ../shared."""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import pytest  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "keras-fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> pathlib.Path:
    if not FIXTURES.is_dir():
        raise RuntimeError(f"The Keras fixture corpus is missing: expected it at {FIXTURES}.")
    return FIXTURES


@pytest.fixture(scope="session")
def keras():
    """Real Keras 3 on its JAX backend (a test-only dependency)."""
    import keras as real_keras

    assert real_keras.backend.backend() == "jax", "the oracle must run on Keras's JAX backend"
    return real_keras
