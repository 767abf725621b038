"""The matmul-form convolution equals `lax.conv_general_dilated` in values, reverse-mode and
forward-mode derivatives (checked against a float64 `lax.conv`), its reverse-mode-only rule
likewise, and the conv layers use them exactly where they apply."""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import lamina
from lamina._src.backend import autodiff
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
GROUPED_CASES = [  # the same with a group count: (4 filters) and the input's channels in groups
    ((2, 7, 6, 4), (3, 3), (1, 1), "same", (1, 1), 2),
    ((2, 8, 7, 4), (2, 3), (2, 3), "valid", (1, 1), 4),
    ((2, 10, 6), (4,), (1,), "causal", (2,), 2),
]
ALL_CASES = [(*case, 1) for case in CASES] + GROUPED_CASES


def _reference(x, kernel, strides, padding, dilation, groups=1):
    """float64 `lax.conv` on the CPU, the result and the derivatives to compare with."""
    rank = x.ndim - 2
    if padding == "causal":
        pads = [((k - 1) * d, 0) for k, d in zip(kernel.shape[:rank], dilation)]
    else:
        pads = padding.upper()  # XLA's own "SAME" / "VALID"
    spec = (0, rank + 1, *range(1, rank + 1))
    numbers = lax.ConvDimensionNumbers(spec, (rank + 1, rank, *range(rank)), spec)
    return lax.conv_general_dilated(x, kernel, strides, pads, rhs_dilation=dilation,
                                    dimension_numbers=numbers, feature_group_count=groups)


@pytest.mark.parametrize("shape,kernel_size,strides,padding,dilation,groups", ALL_CASES)
def test_values_and_derivatives_equal_lax_conv(shape, kernel_size, strides, padding, dilation,
                                               groups):
    rng = np.random.default_rng(0)
    x64 = rng.normal(size=shape)
    k64 = rng.normal(size=(*kernel_size, shape[-1] // groups, 4))
    x_dot, k_dot = rng.normal(size=x64.shape), rng.normal(size=k64.shape)
    with jax.enable_x64(True):
        reference = lambda a, b: _reference(a, b, strides, padding, dilation, groups)  # noqa: E731
        expected, expected_vjp = jax.vjp(reference, x64, k64)
        g = rng.normal(size=expected.shape)
        expected_grads = [np.asarray(v) for v in expected_vjp(g)]
        expected_dot = np.asarray(jax.jvp(reference, (x64, k64), (x_dot, k_dot))[1])
        expected = np.asarray(expected)

    def ours(x, k):
        with autodiff.step_loop():  # where the matmul form applies whatever the shapes
            return conv_ops.conv(x, k, strides, padding, dilation, "channels_last", groups)

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    assert matmul_conv.applies(x.shape, k.shape, "channels_last", groups)
    got, vjp = jax.vjp(ours, x, k)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)

    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")),
                                         expected_grads):
        np.testing.assert_allclose(ours_grad, reference_grad, atol=1e-4)

    _, got_dot = jax.jvp(ours, (x, k), (jnp.asarray(x_dot, "float32"),
                                        jnp.asarray(k_dot, "float32")))
    np.testing.assert_allclose(got_dot, expected_dot, atol=1e-4)


@pytest.mark.parametrize("kernel_grad_form", ["dot_general", "transposed"])
@pytest.mark.parametrize("shape,kernel_size,strides,padding,dilation,groups", ALL_CASES + [
    ((2, 6, 5, 29), (3, 3), (1, 1), "same", (1, 1), 1),  # 261 columns: transposed by default
])
def test_reverse_mode_rule_equals_lax_conv(shape, kernel_size, strides, padding, dilation,
                                           groups, kernel_grad_form, monkeypatch):
    transposed = kernel_grad_form == "transposed"
    monkeypatch.setattr(matmul_conv, "MIN_TRANSPOSED_KERNEL_GRAD", 1 if transposed else 10**9)
    rng = np.random.default_rng(2)
    x64 = rng.normal(size=shape)
    k64 = rng.normal(size=(*kernel_size, shape[-1] // groups, 4))
    with jax.enable_x64(True):
        expected, expected_vjp = jax.vjp(
            lambda a, b: _reference(a, b, strides, padding, dilation, groups), x64, k64)
        g = rng.normal(size=expected.shape)
        expected_grads = [np.asarray(v) for v in expected_vjp(g)]

    def ours(x, k):
        with autodiff.reverse_mode_only(), autodiff.step_loop():
            return conv_ops.conv(x, k, strides, padding, dilation, "channels_last", groups)

    assert matmul_conv.applies(shape, k64.shape, "channels_last", groups)

    got, vjp = jax.vjp(ours, jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32"))
    np.testing.assert_allclose(got, np.asarray(expected), atol=1e-5)
    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")),
                                         expected_grads):
        np.testing.assert_allclose(ours_grad, reference_grad, atol=1e-4)


def test_only_a_reverse_mode_context_selects_the_custom_vjp_rule():
    x, k = jnp.ones((2, 6, 6, 3)), jnp.ones((3, 3, 3, 4))

    def traced(context):
        with context():
            return str(jax.make_jaxpr(
                lambda a, b: conv_ops.conv(a, b, (1, 1), "valid", (1, 1), "channels_last"))(x, k))

    assert "custom_vjp_call" in traced(autodiff.reverse_mode_only)
    assert "custom_jvp_call" in traced(contextlib.nullcontext)
    assert not autodiff.is_reverse_mode_only()  # the context restores the default
    # Forward mode stays available outside it (jax.jvp of the custom_vjp rule would raise).
    jax.jvp(lambda a: conv_ops.conv(a, k, (1, 1), "valid", (1, 1), "channels_last"), (x,), (x,))
    with pytest.raises(TypeError, match="custom_vjp"), autodiff.reverse_mode_only():
        jax.jvp(lambda a: conv_ops.conv(a, k, (1, 1), "valid", (1, 1), "channels_last"),
                (x,), (x,))


def test_eager_calls_skip_the_rules_and_give_the_same_values(monkeypatch):
    """On concrete arrays no transformation can see the call: `lax.conv` runs bare (the rules'
    wrappers cost ~0.2 ms per eager call); under a tracer the rules stay."""
    used = []
    for name in ("conv", "conv_reverse"):
        rule = getattr(matmul_conv, name)
        monkeypatch.setattr(matmul_conv, name,
                            lambda *args, rule=rule, name=name: used.append(name) or rule(*args))
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(2, 7, 6, 3)).astype("float32"))
    k = jnp.asarray(rng.normal(size=(3, 2, 3, 4)).astype("float32"))
    call = lambda a, b: conv_ops.conv(a, b, (2, 1), "same", (1, 1), "channels_last")  # noqa: E731
    eager = call(x, k)
    assert used == []
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jax.jit(call)(x, k)))
    assert used == ["conv"]
    jax.grad(lambda b: jnp.sum(call(x, b)))(k)  # a tracer for the kernel only
    assert used == ["conv", "conv"]


def test_training_steps_take_the_reverse_mode_rule(monkeypatch):
    used = []
    for name in ("conv", "conv_reverse"):
        rule = getattr(matmul_conv, name)
        monkeypatch.setattr(matmul_conv, name,
                            lambda *args, rule=rule, name=name: used.append(name) or rule(*args))
    model = lamina.Sequential([lamina.Input((6, 6, 2)), lamina.layers.Conv2D(3, 3),
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 6, 6, 2), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert "conv_reverse" in used
    from lamina._src.trainers import steps

    used.clear()
    jax.make_jaxpr(lambda s: steps.train_step(model, s, (x, y, None)))(model._read_state())
    assert used == ["conv_reverse"]
    used.clear()
    model.predict(x, verbose=0)
    assert used == ["conv"]


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


def test_other_backends_keep_lax_conv_and_its_gradient(monkeypatch):
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert not matmul_conv.applies((None, 28, 28, 1), (3, 3, 1, 4), "channels_last", 1)
    x, k = jnp.ones((2, 6, 6, 3)), jnp.ones((3, 3, 3, 4))
    with autodiff.reverse_mode_only():
        jaxpr = str(jax.make_jaxpr(jax.grad(lambda b: conv_ops.conv(
            x, b, (1, 1), "valid", (1, 1), "channels_last").sum()))(k))
    assert "conv_general_dilated" in jaxpr and "custom_vjp" not in jaxpr
    assert "dot_general" not in jaxpr


@pytest.mark.parametrize("kwargs,input_shape,expected", [
    ({"filters": 4, "kernel_size": 3}, (None, 28, 28, 1), True),
    ({"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, (None, 3, 8, 8), False),
    ({"filters": 4, "kernel_size": 3, "groups": 2}, (None, 8, 8, 4), True),
    ({"filters": 64, "kernel_size": 3, "groups": 64}, (None, 8, 8, 64), False),  # > MAX_GROUPS
    ({"filters": 4, "kernel_size": 3}, (None, None, None, 3), False),  # sizes unknown
    ({"filters": 4, "kernel_size": 3}, (None, 256, 256, 64), False),  # patches too large
])
def test_conv_layers_are_loop_friendly_exactly_when_the_matmul_form_applies(
        kwargs, input_shape, expected):
    layer = lamina.layers.Conv2D(**kwargs)
    layer.build(input_shape)
    assert layer._fast_in_loops is expected


@pytest.mark.parametrize("input_shape,kernel_shape,expected", [
    ((64, 28, 28, 1), (3, 3, 1, 16), True),  # few input channels: lax's kernel gradient is slow
    ((64, 16, 16, 32), (3, 3, 32, 64), True),
    ((64, 28, 28, 16), (3, 3, 16, 16), False),  # as many filters as channels: bound by memory
    ((64, 28, 28, 16), (3, 3, 16, 1), False),
    ((128, 16, 16, 32), (3, 3, 32, 64), False),  # 36 MiB of patches for the call
    ((None, 28, 28, 1), (3, 3, 1, 16), False),  # batch unknown
])
def test_outside_loops_the_matmul_form_applies_only_where_it_pays(input_shape, kernel_shape,
                                                                  expected):
    assert matmul_conv.applies(input_shape, kernel_shape, "channels_last", 1)  # in loops
    assert matmul_conv.applies(input_shape, kernel_shape, "channels_last", 1,
                               looped=False) is expected


@pytest.mark.parametrize("input_shape", [(64, 28, 28, 16), (None, 16, 16, 64)])
def test_grouped_convolutions_take_the_matmul_form_outside_loops_too(input_shape):
    kernel_shape = (3, 3, input_shape[-1] // 4, 32)
    assert matmul_conv.applies(input_shape, kernel_shape, "channels_last", 4, looped=False)


@pytest.mark.parametrize("batch,cap_rows", [(2, None), (5, 2), (6, 3)])
def test_a_grouped_forward_pass_is_per_group_matmuls_in_chunks_of_rows(batch, cap_rows,
                                                                       monkeypatch):
    """Traced and not differentiated (predict), a grouped convolution of a large batch (here
    from 2 rows) computes its value as per-group matmuls, in chunks of rows whose patches fit
    the per-call cap (here 2 or 3 rows: two chunks and a rest of one, or two chunks), equal
    to float64 `lax.conv`."""
    monkeypatch.setattr(matmul_conv, "MIN_GROUPED_FORWARD_ROWS", 2)
    shape, kernel_size, strides, padding, dilation, groups = GROUPED_CASES[0]
    shape = (batch, *shape[1:])
    per_sample = matmul_conv._patch_elements(shape, (*kernel_size, shape[-1] // groups, 4),
                                             "channels_last", groups)
    if cap_rows:
        monkeypatch.setattr(matmul_conv, "MAX_UNLOOPED_PATCH_ELEMENTS",
                            cap_rows * per_sample // groups)
    rng = np.random.default_rng(4)
    x64, k64 = rng.normal(size=shape), rng.normal(size=(*kernel_size, shape[-1] // groups, 4))
    with jax.enable_x64(True):
        expected = np.asarray(_reference(x64, k64, strides, padding, dilation, groups))

    def ours(x, k):
        return conv_ops.conv(x, k, strides, padding, dilation, "channels_last", groups)

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    np.testing.assert_allclose(jax.jit(ours)(x, k), expected, atol=1e-5)
    jaxpr = str(jax.make_jaxpr(ours)(x, k))
    assert "dot_general" in jaxpr and "conv_general_dilated" not in jaxpr
    assert ("scan" in jaxpr) is (cap_rows is not None)


@pytest.mark.parametrize("batch,max_patch_elements", [
    (63, None),  # fewer rows than MIN_GROUPED_FORWARD_ROWS: compiling would cost more
    (64, 100),  # past the per-sample cap
])
def test_a_grouped_forward_pass_of_few_rows_or_large_patches_stays_lax_conv(
        batch, max_patch_elements, monkeypatch):
    if max_patch_elements:
        monkeypatch.setattr(matmul_conv, "MAX_PATCH_ELEMENTS", max_patch_elements)
    x, k = jnp.zeros((batch, 7, 6, 4)), jnp.zeros((3, 3, 2, 4))
    jaxpr = str(jax.make_jaxpr(lambda x, k: conv_ops.conv(
        x, k, (1, 1), "same", (1, 1), "channels_last", 2))(x, k))
    assert "conv_general_dilated" in jaxpr and "dot_general" not in jaxpr
    if not max_patch_elements:  # 64 rows take the matmuls
        jaxpr = str(jax.make_jaxpr(lambda x, k: conv_ops.conv(
            x, k, (1, 1), "same", (1, 1), "channels_last", 2))(jnp.zeros((64, 7, 6, 4)), k))
        assert "dot_general" in jaxpr and "conv_general_dilated" not in jaxpr


def test_fit_traces_its_loops_of_steps_inside_the_step_loop_hint(monkeypatch):
    """A whole pass per call runs the matmul form on every conv; one step per call (here a
    batch callback asks for it) only where it pays outside loops."""
    used = []
    rule = matmul_conv.conv_reverse
    monkeypatch.setattr(matmul_conv, "conv_reverse",
                        lambda *args: used.append(autodiff.is_in_step_loop()) or rule(*args))
    model = lamina.Sequential([lamina.Input((6, 6, 3)),
                               lamina.layers.Conv2D(8, 3),  # more filters than channels
                               lamina.layers.Conv2D(4, 3),  # fewer
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 6, 6, 3), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert used == [True, True]
    assert not autodiff.is_in_step_loop()  # the hint ends with the trace
    used.clear()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0,
              callbacks=[lamina.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)])
    assert used == [False]


TRANSPOSE_CASES = [  # input shape, kernel size, strides, padding, output_padding, dilation
    ((2, 9, 3), (4,), (3,), "same", None, (1,)),
    ((2, 9, 3), (5,), (1,), "valid", None, (3,)),
    ((2, 7, 7, 8), (3, 3), (2, 2), "same", None, (1, 1)),
    ((2, 7, 7, 8), (3, 3), (2, 2), "valid", None, (1, 1)),
    ((2, 7, 6, 3), (3, 2), (2, 3), "valid", (1, 2), (1, 1)),  # negative pads: a cropped end
    ((2, 7, 6, 3), (4, 3), (3, 2), "same", (2, 1), (1, 1)),
    ((2, 7, 6, 3), (3, 3), (1, 1), "same", None, (2, 2)),
    ((1, 3, 4, 2, 2), (2, 3, 1), (2, 1, 2), "same", None, (1, 1, 1)),
]


@pytest.mark.parametrize("kernel_grad_form", ["dot_general", "transposed"])
@pytest.mark.parametrize("shape,kernel_size,strides,padding,output_padding,dilation",
                         TRANSPOSE_CASES)
def test_transposed_conv_reverse_rule_equals_lax_conv_transpose(
        shape, kernel_size, strides, padding, output_padding, dilation, kernel_grad_form,
        monkeypatch):
    monkeypatch.setattr(matmul_conv, "MIN_TRANSPOSED_KERNEL_GRAD",
                        1 if kernel_grad_form == "transposed" else 10**9)
    rng = np.random.default_rng(3)
    x64, k64 = rng.normal(size=shape), rng.normal(size=(*kernel_size, 5, shape[-1]))

    def transpose(x, k):
        return conv_ops.conv_transpose(x, k, strides, padding, output_padding, dilation,
                                       "channels_last")

    with jax.enable_x64(True):  # outside the hint: plain `lax.conv_transpose` and its autodiff
        expected, expected_vjp = jax.vjp(transpose, x64, k64)
        g = rng.normal(size=expected.shape)
        expected_grads = [np.asarray(v) for v in expected_vjp(g)]

    def ours(x, k):
        with autodiff.reverse_mode_only():
            return transpose(x, k)

    x, k = jnp.asarray(x64, "float32"), jnp.asarray(k64, "float32")
    assert "custom_vjp_call" in str(jax.make_jaxpr(ours)(x, k))
    got, vjp = jax.vjp(ours, x, k)
    np.testing.assert_allclose(got, np.asarray(expected), atol=1e-5)
    for ours_grad, reference_grad in zip(jax.jit(vjp)(jnp.asarray(g, "float32")),
                                         expected_grads):
        np.testing.assert_allclose(ours_grad, reference_grad, atol=1e-4)


@pytest.mark.parametrize("output_shape,kernel_shape,strides,expected", [
    ((64, 28, 28, 16), (3, 3, 16, 8), (2, 2), True),  # strided: XLA's gradient slow anywhere
    ((32, 32, 32, 64), (3, 3, 64, 128), (2, 2), True),
    ((64, 14, 14, 16), (3, 3, 16, 16), (1, 1), True),  # unstrided, small patches
    ((64, 28, 28, 16), (3, 3, 16, 16), (1, 1), False),  # unstrided, 28 MiB of patches
    ((None, 28, 28, 16), (3, 3, 16, 16), (1, 1), False),  # batch unknown
])
def test_outside_loops_the_transposed_rule_applies_only_where_it_pays(
        output_shape, kernel_shape, strides, expected):
    assert matmul_conv.transpose_applies(output_shape, kernel_shape, strides, "channels_last")
    assert matmul_conv.transpose_applies(output_shape, kernel_shape, strides, "channels_last",
                                         looped=False) is expected


def test_fit_of_a_decoder_takes_the_transposed_rule_one_step_per_call(monkeypatch):
    used = []
    rule = matmul_conv.conv_transpose_reverse
    monkeypatch.setattr(matmul_conv, "conv_transpose_reverse",
                        lambda *args: used.append(autodiff.is_in_step_loop()) or rule(*args))
    model = lamina.Sequential([lamina.Input((4, 4, 3)),
                               lamina.layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert not model._fast_in_loops("fit")  # see BaseConvTranspose._fast_in_loops
    x, y = np.ones((8, 4, 4, 3), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert used == [False]
    used.clear()
    model.predict(x, verbose=0)
    assert used == []  # no gradient, no rule
