"""lamina._src.ops.nn against keras.ops (JAX backend): same defaults, same numbers."""

import numpy as np
import pytest

from lamina._src.ops import nn
from lamina._src.ops.keras_tensor import KerasTensor

RNG = np.random.default_rng(1)
X = (RNG.standard_normal((3, 4, 6)) * 3).astype("float32")

# The activation tests already run every op through keras.activations; here, the ops whose
# defaults are their own (gelu's approximate=True) or that the activations wrap with arguments.
UNARY = ["gelu", "leaky_relu", "elu", "celu", "glu", "softmax", "log_softmax", "sparsemax",
         "soft_shrink", "hard_shrink", "squareplus"]


@pytest.mark.parametrize("name", UNARY)
def test_defaults_match_keras_ops(keras, name):
    ours = getattr(nn, name)(X)
    theirs = getattr(keras.ops, name)(X)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6, rtol=1e-6)


def test_gelu_op_defaults_to_approximate(keras):
    np.testing.assert_allclose(np.asarray(nn.gelu(X)), np.asarray(nn.gelu(X, approximate=True)))
    assert not np.allclose(np.asarray(nn.gelu(X)), np.asarray(nn.gelu(X, approximate=False)))


def test_glu_rejects_an_odd_axis():
    with pytest.raises(ValueError, match="even"):
        nn.glu(np.ones((2, 3), "float32"))


def test_swish_alias():
    assert nn.swish is nn.silu
    assert nn.hard_swish is nn.hard_silu


@pytest.mark.parametrize("axis", [-1, 0, (1, 2)])
def test_softmax_axes_match_keras(keras, axis):
    for name in ("softmax", "log_softmax"):
        np.testing.assert_allclose(
            np.asarray(getattr(nn, name)(X, axis=axis)),
            np.asarray(getattr(keras.ops, name)(X, axis=axis)),
            atol=1e-6,
        )


def test_softmax_warns_on_a_size_one_axis():
    with pytest.warns(UserWarning, match="size 1"):
        nn.softmax(np.ones((3, 1), "float32"))


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("dtype", [None, "int32", "float16"])
def test_one_hot_matches_keras(keras, axis, dtype):
    ids = np.array([[0, 2, 1], [3, -1, 4]])
    ours = nn.one_hot(ids, 4, axis=axis, dtype=dtype)
    theirs = keras.ops.one_hot(ids, 4, axis=axis, dtype=dtype)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_multi_hot_matches_keras(keras):
    ids = np.array([[0, 2], [3, 3]])
    np.testing.assert_array_equal(
        np.asarray(nn.multi_hot(ids, 5)), np.asarray(keras.ops.multi_hot(ids, 5))
    )


@pytest.mark.parametrize("axes, keepdims", [([0], False), ([0, 1], True), ((2,), False)])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_moments_match_keras(keras, axes, keepdims, dtype):
    x = X.astype(dtype)
    ours = nn.moments(x, axes, keepdims=keepdims)
    theirs = keras.ops.moments(x, axes, keepdims=keepdims)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape and str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(np.asarray(a, "float32"), np.asarray(b, "float32"), atol=1e-5)


def test_normalize_matches_keras(keras):
    for order in (1, 2):
        np.testing.assert_allclose(
            np.asarray(nn.normalize(X, axis=1, order=order)),
            np.asarray(keras.ops.normalize(X, axis=1, order=order)),
            atol=1e-6,
        )
    with pytest.raises(ValueError, match="order"):
        nn.normalize(X, order=0)


def test_ops_accept_symbolic_tensors():
    x = KerasTensor((None, 7))
    assert nn.relu(x).shape == (None, 7)
    assert nn.one_hot(KerasTensor((None, 3), dtype="int32"), 5).shape == (None, 3, 5)
    mean, variance = nn.moments(x, axes=[0])
    assert mean.shape == (7,) and variance.shape == (7,)
