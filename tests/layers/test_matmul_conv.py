"""The matmul-form convolution equals `lax.conv_general_dilated` in values, reverse-mode and
forward-mode derivatives (checked against a float64 `lax.conv`), and the conv layers use it
exactly where it applies."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import lamina
from lamina._src.layers.convolutional import conv_ops, matmul_conv

CASES = [  # input shape, kernel size, strides, padding, dilation
    ((2, 9, 3), (3,), (1,), "valid", (1,)),
    ((2, 10, 3), (4,), (3,), "causal", (1,)),
    ((2, 9, 2), (3,), (1,), "causal", (2,)),
    ((2, 7, 6, 3), (3, 3), (1, 1), "valid", (1, 1)),
    ((2, 7, 6, 3), (3, 2), (2, 1), "same", (1, 1)),
    ((2, 8, 7, 2), (2, 3), (2, 3), "valid", (1, 1)),
    ((2, 7, 5, 3), (3, 3), (1, 1), "same", (2, 1)),
    ((1, 5, 4, 6, 2), (3, 1, 2), (2, 2, 1), "same", (1, 1, 1)),
]


def _reference(x, kernel, strides, padding, dilation):
    """float64 `lax.conv` on the CPU, the result and the derivatives to compare with."""
    rank = x.ndim - 2
    if padding == "causal":
        pads = [((k - 1) * d, 0) for k, d in zip(kernel.shape[:rank], dilation)]
    else:
        pads = padding.upper()  # XLA's own "SAME" / "VALID"
    spec = (0, rank + 1, *range(1, rank + 1))
    numbers = lax.ConvDimensionNumbers(spec, (rank + 1, rank, *range(rank)), spec)
    return lax.conv_general_dilated(x, kernel, strides, pads, rhs_dilation=dilation,
                                    dimension_numbers=numbers)


@pytest.mark.parametrize("shape,kernel_size,strides,padding,dilation", CASES)
def test_values_and_derivatives_equal_lax_conv(shape, kernel_size, strides, padding, dilation):
    rng = np.random.default_rng(0)
    x64 = rng.normal(size=shape)
    k64 = rng.normal(size=(*kernel_size, shape[-1], 4))
    x_dot, k_dot = rng.normal(size=x64.shape), rng.normal(size=k64.shape)
    with jax.enable_x64(True):
        reference = lambda a, b: _reference(a, b, strides, padding, dilation)  # noqa: E731
        expected, expected_vjp = jax.vjp(reference, x64, k64)
        g = rng.normal(size=expected.shape)
        expected_grads = [np.asarray(v) for v in expected_vjp(g)]
        expected_dot = np.asarray(jax.jvp(reference, (x64, k64), (x_dot, k_dot))[1])
        expected = np.asarray(expected)

    def ours(x, k):
        return conv_ops.conv(x, k, strides, padding, dilation, "channels_last")

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    assert matmul_conv.applies(x.shape, k.shape, "channels_last", 1)
    got, vjp = jax.vjp(ours, x, k)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)

    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")),
                                         expected_grads):
        np.testing.assert_allclose(ours_grad, reference_grad, atol=1e-4)

    _, got_dot = jax.jvp(ours, (x, k), (jnp.asarray(x_dot, "float32"),
                                        jnp.asarray(k_dot, "float32")))
    np.testing.assert_allclose(got_dot, expected_dot, atol=1e-4)


def test_second_derivatives_equal_lax_conv():
    rng = np.random.default_rng(1)
    x64, k64 = rng.normal(size=(2, 6, 5, 2)), rng.normal(size=(3, 3, 2, 3))

    def curvature(conv):
        def loss(x, k):
            return jnp.sum(jnp.tanh(conv(x, k)))
        return jax.grad(lambda k: jnp.sum(jax.grad(loss)(x64.astype(k.dtype), k) ** 2))

    with jax.enable_x64(True):
        expected = np.asarray(
            curvature(lambda x, k: _reference(x, k, (1, 1), "same", (1, 1)))(k64))
    got = curvature(lambda x, k: conv_ops.conv(x, k, (1, 1), "same", (1, 1),
                                               "channels_last"))(jnp.asarray(k64, "float32"))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_the_forward_pass_stays_lax_conv_and_only_the_gradient_uses_matmuls():
    layer = lamina.layers.Conv2D(4, 3)
    x = jnp.ones((2, 8, 8, 3))
    layer(x)
    forward = str(jax.make_jaxpr(layer)(x))
    assert "conv_general_dilated" in forward
    gradient = jax.make_jaxpr(jax.grad(lambda v: layer(v).sum()))(x)
    # The custom JVP's primal still names lax.conv; what runs for the derivative is matmuls.
    linearized = str(jax.make_jaxpr(jax.linearize(lambda v: layer(v), x)[1])(x))
    assert "conv_general_dilated" not in linearized and "dot_general" in linearized
    assert "dot_general" in str(gradient)


@pytest.mark.parametrize("kwargs,input_shape,expected", [
    ({"filters": 4, "kernel_size": 3}, (None, 28, 28, 1), True),
    ({"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, (None, 3, 8, 8), False),
    ({"filters": 4, "kernel_size": 3, "groups": 2}, (None, 8, 8, 4), False),
    ({"filters": 4, "kernel_size": 3}, (None, None, None, 3), False),  # sizes unknown
    ({"filters": 4, "kernel_size": 3}, (None, 256, 256, 64), False),  # patches too large
])
def test_conv_layers_are_loop_friendly_exactly_when_the_matmul_form_applies(
        kwargs, input_shape, expected):
    layer = lamina.layers.Conv2D(**kwargs)
    layer.build(input_shape)
    assert layer._fast_in_loops is expected
