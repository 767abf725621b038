"""The depthwise convolution as a sum of taps equals XLA's grouped convolution in values,
reverse-mode and forward-mode derivatives (checked against a float64 `lax.conv`), its
reverse-mode-only rule likewise, and the depthwise and separable layers use it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import lamina
from lamina._src.backend import autodiff
from lamina._src.layers.convolutional import conv_ops, depthwise_taps

CASES = [  # input shape, kernel size, multiplier, strides, padding, dilation
    ((2, 9, 3), (3,), 1, (1,), "valid", (1,)),
    ((2, 10, 3), (4,), 2, (3,), "same", (1,)),
    ((2, 7, 6, 3), (3, 3), 1, (1, 1), "same", (1, 1)),
    ((2, 7, 6, 3), (3, 2), 3, (2, 1), "same", (1, 1)),
    ((2, 8, 7, 2), (2, 3), 1, (2, 3), "valid", (1, 1)),
    ((2, 9, 9, 2), (3, 3), 2, (2, 2), "same", (2, 2)),  # strides and dilation together
    ((2, 7, 5, 4), (3, 3), 1, (1, 1), "valid", (2, 1)),
]


def _reference(x, kernel, strides, padding, dilation):
    """float64 `lax.conv` with one group per channel."""
    rank = x.ndim - 2
    channels, multiplier = kernel.shape[-2:]
    spec = (0, rank + 1, *range(1, rank + 1))
    numbers = lax.ConvDimensionNumbers(spec, (rank + 1, rank, *range(rank)), spec)
    grouped = jnp.reshape(kernel, (*kernel.shape[:rank], 1, channels * multiplier))
    return lax.conv_general_dilated(x, grouped, strides, padding.upper(), rhs_dilation=dilation,
                                    dimension_numbers=numbers, feature_group_count=channels)


def _expected(shape, kernel_size, multiplier, strides, padding, dilation, seed=0):
    rng = np.random.default_rng(seed)
    x64 = rng.normal(size=shape)
    k64 = rng.normal(size=(*kernel_size, shape[-1], multiplier))
    tangents = rng.normal(size=x64.shape), rng.normal(size=k64.shape)
    with jax.enable_x64(True):
        reference = lambda a, b: _reference(a, b, strides, padding, dilation)  # noqa: E731
        expected, expected_vjp = jax.vjp(reference, x64, k64)
        g = rng.normal(size=expected.shape)
        grads = [np.asarray(v) for v in expected_vjp(g)]
        expected_dot = np.asarray(jax.jvp(reference, (x64, k64), tangents)[1])
    return x64, k64, tangents, np.asarray(expected), g, grads, expected_dot


def _close(got, expected):
    np.testing.assert_allclose(got, expected, atol=1e-4 * max(1.0, np.abs(expected).max()))


@pytest.mark.parametrize("shape,kernel_size,multiplier,strides,padding,dilation", CASES)
def test_values_and_derivatives_equal_the_grouped_convolution(shape, kernel_size, multiplier,
                                                              strides, padding, dilation):
    x64, k64, (x_dot, k_dot), expected, g, grads, expected_dot = _expected(
        shape, kernel_size, multiplier, strides, padding, dilation)

    def ours(x, k):
        return conv_ops.depthwise_conv(x, k, strides, padding, dilation, "channels_last")

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    assert depthwise_taps.applies(k.shape, "channels_last")
    assert "conv_general_dilated" not in str(jax.make_jaxpr(ours)(x, k))
    got, vjp = jax.vjp(ours, x, k)
    assert got.shape == expected.shape
    _close(got, expected)
    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")), grads):
        _close(ours_grad, reference_grad)
    _, got_dot = jax.jvp(ours, (x, k), (jnp.asarray(x_dot, "float32"),
                                        jnp.asarray(k_dot, "float32")))
    _close(got_dot, expected_dot)


@pytest.mark.parametrize("shape,kernel_size,multiplier,strides,padding,dilation", CASES)
def test_reverse_mode_rule_equals_the_grouped_convolution(shape, kernel_size, multiplier,
                                                          strides, padding, dilation):
    x64, k64, _, expected, g, grads, _ = _expected(shape, kernel_size, multiplier, strides,
                                                   padding, dilation, seed=1)

    def ours(x, k):
        with autodiff.reverse_mode_only():
            return conv_ops.depthwise_conv(x, k, strides, padding, dilation, "channels_last")

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    assert "custom_vjp_call" in str(jax.make_jaxpr(ours)(x, k))
    got, vjp = jax.vjp(ours, x, k)
    _close(got, expected)
    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")), grads):
        _close(ours_grad, reference_grad)


@pytest.mark.parametrize("first", [0.5, np.nan])
def test_the_stored_output_gradient_is_the_same_array_kept_out_of_fusion(first):
    """Whichever branch its predicate picks (a NaN first element takes the other), `_stored`
    returns its input bit for bit, and XLA keeps the conditional that stops the fusion."""
    v = np.random.default_rng(0).normal(size=(3, 4, 5)).astype("float32")
    v[0, 0, 0] = first
    stored = jax.jit(lambda a: depthwise_taps._stored(jnp.sin(a) * 2.0 + 1.0))
    expected = jax.jit(lambda a: jnp.sin(a) * 2.0 + 1.0)(v)
    np.testing.assert_array_equal(np.asarray(stored(v)).view("uint32"),
                                  np.asarray(expected).view("uint32"))
    assert "conditional(" in stored.lower(v).compile().as_text()
    assert depthwise_taps._stored(jnp.zeros((0, 3))).shape == (0, 3)


def test_where_it_does_not_apply_the_grouped_convolution_stays():
    assert not depthwise_taps.applies((3, 3, 4, 1), "channels_first")
    assert not depthwise_taps.applies((9, 9, 4, 1), "channels_last")  # 81 taps
    assert depthwise_taps.applies((7, 7, 4, 1), "channels_last")
    x, k = jnp.ones((2, 4, 8, 8)), jnp.ones((3, 3, 4, 1))
    jaxpr = str(jax.make_jaxpr(lambda a: conv_ops.depthwise_conv(
        a, k, (1, 1), "same", (1, 1), "channels_first"))(x))
    assert "conv_general_dilated" in jaxpr


def test_other_backends_keep_the_grouped_convolution(monkeypatch):
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert not depthwise_taps.applies((3, 3, 4, 1), "channels_last")


@pytest.mark.parametrize("layer,input_shape,expected", [
    (lambda: lamina.layers.DepthwiseConv2D(3), (None, 8, 8, 4), True),
    (lambda: lamina.layers.DepthwiseConv2D(3, data_format="channels_first"), (None, 4, 8, 8),
     False),
    (lambda: lamina.layers.SeparableConv2D(8, 3, depth_multiplier=2), (None, 8, 8, 4), True),
    (lambda: lamina.layers.SeparableConv1D(8, 3), (None, 8, 4), True),
    (lambda: lamina.layers.SeparableConv1D(8, 3), (None, None, 4), False),  # pointwise: lax
])
def test_depthwise_and_separable_layers_are_loop_friendly_where_the_taps_apply(
        layer, input_shape, expected):
    layer = layer()
    layer.build(input_shape)
    assert layer._fast_in_loops is expected


def test_fit_takes_the_reverse_mode_rule_inside_its_loop_of_steps(monkeypatch):
    used = []
    rule = depthwise_taps.depthwise_conv_reverse
    monkeypatch.setattr(depthwise_taps, "depthwise_conv_reverse",
                        lambda *args: used.append(autodiff.is_in_step_loop()) or rule(*args))
    model = lamina.Sequential([lamina.Input((6, 6, 3)), lamina.layers.DepthwiseConv2D(3),
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert model._fast_in_loops("fit") and model._fast_in_loops("predict")
    x, y = np.ones((8, 6, 6, 3), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert used == [True]
    used.clear()
    model.predict(x, verbose=0)
    assert used == []  # the forward pass needs no rule


def test_eager_calls_keep_one_grouped_convolution_with_the_same_values(monkeypatch):
    used = []
    taps = depthwise_taps.depthwise_conv
    monkeypatch.setattr(depthwise_taps, "depthwise_conv",
                        lambda *args: used.append(True) or taps(*args))
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.normal(size=(2, 7, 6, 3)), "float32")
    k = jnp.asarray(rng.normal(size=(3, 3, 3, 2)), "float32")
    call = lambda a, b: conv_ops.depthwise_conv(a, b, (2, 1), "same", (1, 1),  # noqa: E731
                                                "channels_last")
    eager = call(x, k)
    assert used == []
    np.testing.assert_allclose(jax.jit(call)(x, k), eager, atol=1e-5)
    assert used == [True]
