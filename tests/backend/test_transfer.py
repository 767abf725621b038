"""Host values reach the device without compiling anything (see backend/transfer.py)."""

import contextlib

import jax
import numpy as np

import lamina
from lamina._src.backend.transfer import to_device


@contextlib.contextmanager
def count_compilations():
    counts = []

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            counts.append(event)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield counts
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def test_to_device_copies_and_compiles_nothing():
    host = np.arange(37 * 3, dtype=np.float64).reshape(37, 3)  # shapes no other test uses
    with count_compilations() as compiled:
        value = to_device(host, dtype="float32")
        ints = to_device(5, dtype="int32")
    assert compiled == []
    host[0, 0] = 99.0
    assert value.dtype == np.float32 and float(value[0, 0]) == 0.0  # a copy, not a view
    assert ints.dtype == np.int32 and int(ints) == 5


def test_building_a_model_compiles_nothing_per_weight_shape():
    """Regression: every weight, bias and zero-initialised slot compiled an XLA copy or
    broadcast for its shape (eager jnp.asarray / jnp.zeros), most of building a model."""
    with count_compilations() as compiled:
        model = lamina.Sequential([lamina.Input(shape=(13,)), lamina.layers.Dense(29),
                                   lamina.layers.Dense(7, bias_initializer="ones")])
        model.set_weights([np.ones(w.shape, "float32") for w in model.get_weights()])
    assert compiled == [], f"{len(compiled)} compilations"
    np.testing.assert_array_equal(model.get_weights()[3], np.ones(7, "float32"))
