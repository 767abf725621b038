"""The fast non-overlapping max pool equals `lax.reduce_window` (what Keras's JAX backend runs)
in values and in gradients, ties included: the gradient goes to each window's first maximum."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from lamina._src.layers.pooling.tiled_max_pool import max_pool

CASES = [  # input shape, pool size, spatial axes
    ((2, 9, 4), (3,), (1,)),
    ((2, 7, 5, 3), (2, 2), (1, 2)),
    ((2, 3, 9, 7), (3, 2), (2, 3)),  # channels_first
    ((2, 5, 5, 5, 2), (2, 2, 2), (1, 2, 3)),
]


def _reference(x, pool_size, axes, padding):
    window = [1] * x.ndim
    for axis, k in zip(axes, pool_size):
        window[axis] = k
    return lax.reduce_window(x, -jnp.inf, lax.max, window, window, padding.upper())


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("ties", [False, True], ids=["random", "ties"])
@pytest.mark.parametrize("shape,pool_size,axes", CASES)
def test_values_and_gradients_equal_reduce_window(shape, pool_size, axes, padding, ties):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, shape) if ties else rng.random(shape)
    x = jnp.asarray(x, "float32")
    expected, expected_vjp = jax.vjp(lambda v: _reference(v, pool_size, axes, padding), x)
    got = max_pool(x, pool_size, axes, padding)  # eager: the rule's primal, without the rule
    traced = jax.jit(lambda v: max_pool(v, pool_size, axes, padding))(x)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    np.testing.assert_array_equal(np.asarray(traced), np.asarray(expected))
    g = jnp.asarray(rng.random(expected.shape), "float32")
    pooled_vjp = jax.jit(lambda v: jax.vjp(lambda u: max_pool(u, pool_size, axes, padding), v)[1](g))
    np.testing.assert_array_equal(np.asarray(pooled_vjp(x)[0]), np.asarray(expected_vjp(g)[0]))


def test_nan_propagates_as_in_reduce_window_and_takes_the_gradient():
    x = np.random.default_rng(2).random((2, 4, 4, 1)).astype("float32")
    x[0, 1, 0, 0] = np.nan
    x[1, 2, 3, 0] = -np.inf

    def pool(v):
        return max_pool(v, (2, 2), (1, 2), "valid")

    expected = _reference(jnp.asarray(x), (2, 2), (1, 2), "valid")
    np.testing.assert_array_equal(np.asarray(pool(jnp.asarray(x))), np.asarray(expected))
    value, grad = jax.jit(jax.value_and_grad(lambda v: pool(v)[0, 0, 0, 0]))(x)
    assert np.isnan(value)
    # A window holding a NaN has the NaN as its maximum, and its gradient goes there.
    assert grad[0, 1, 0, 0] == 1 and np.count_nonzero(np.asarray(grad)) == 1


def test_max_pooling_layer_takes_the_fast_path_only_when_windows_tile():
    import lamina

    x = jnp.asarray(np.random.default_rng(1).random((2, 6, 6, 3)), "float32")
    def gradient_jaxpr(layer):
        return str(jax.make_jaxpr(jax.grad(lambda v: layer(v).sum()))(x))

    # The forward is reduce_window either way (XLA fuses it best); only the tiling windows'
    # gradient avoids select_and_scatter.
    tiled = gradient_jaxpr(lamina.layers.MaxPooling2D(2))
    overlapping = gradient_jaxpr(lamina.layers.MaxPooling2D(3, strides=1))
    assert "select_and_scatter" not in tiled
    # One variadic reduction gives the max and the first argmax together (XLA then reads the
    # windows once), not separate max and argmax reductions.
    assert "reduce[" in tiled and "reduce_max" not in tiled and "argmax[" not in tiled
    assert "select_and_scatter" in overlapping


def test_only_the_tiling_max_pool_counts_as_fast_inside_training_loops():
    import lamina

    L = lamina.layers
    assert L.MaxPooling2D(2)._fast_in_loops
    assert L.MaxPooling1D(3, padding="same")._fast_in_loops
    assert not L.MaxPooling2D(3, strides=1)._fast_in_loops  # select_and_scatter gradient
    assert not L.AveragePooling2D(2)._fast_in_loops
