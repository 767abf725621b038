"""`attention_ops.dot_product_attention` equals `jax.nn.dot_product_attention` (what Keras's JAX
backend calls) in values and gradients, checked against float64, with its reverse-mode rule
used exactly inside reverse-mode-only contexts."""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lamina._src.backend import autodiff
from lamina._src.layers.attention import attention_ops


def _inputs(batch=2, target=5, source=7, heads=3, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    q, d_out = (rng.normal(size=(batch, target, heads, dim)) for _ in range(2))
    k, v = (rng.normal(size=(batch, source, heads, dim)) for _ in range(2))
    return q, k, v, d_out


def _mask(batch=2, target=5, source=7, heads=1, seed=1):
    mask = np.random.default_rng(seed).random((batch, heads, target, source)) > 0.4
    mask[0, 0, 2] = False  # a query with every key masked: uniform over all of them
    mask[1, :, :, 0] = True
    return mask


@pytest.mark.parametrize("reverse_mode_only", [True, False])
@pytest.mark.parametrize("mask_kind", ["none", "shared over heads", "per head"])
def test_values_and_gradients_equal_jax_in_float64(mask_kind, reverse_mode_only):
    q, k, v, d_out = _inputs()
    mask = {"none": None, "shared over heads": _mask(), "per head": _mask(heads=3)}[mask_kind]
    with jax.enable_x64(True):
        expected, vjp = jax.vjp(
            lambda a, b, c: jax.nn.dot_product_attention(
                a, b, c, mask=None if mask is None else jnp.asarray(mask), scale=0.37,
                implementation="xla"), q, k, v)
        expected_grads = [np.asarray(g) for g in vjp(d_out)]
        expected = np.asarray(expected)

    def ours(a, b, c):
        context = autodiff.reverse_mode_only if reverse_mode_only else contextlib.nullcontext
        with context():
            return attention_ops.dot_product_attention(
                a, b, c, None if mask is None else jnp.asarray(mask), 0.37)

    f32 = [jnp.asarray(t, "float32") for t in (q, k, v)]
    got, vjp = jax.vjp(ours, *f32)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    for name, grad, reference in zip("qkv", jax.jit(vjp)(jnp.asarray(d_out, "float32")),
                                     expected_grads):
        np.testing.assert_allclose(grad, reference, atol=1e-5, err_msg=f"d{name}")
    if mask is not None:  # the fully masked query (head 0) gets no gradient
        d_query = np.asarray(jax.jit(vjp)(jnp.asarray(d_out, "float32"))[0])
        assert np.all(d_query[0, 2, 0] == 0) and np.any(d_query[0, 1, 0] != 0)


def test_only_a_reverse_mode_context_selects_the_custom_vjp_rule():
    q, k, v, _ = (jnp.asarray(t, "float32") for t in _inputs())

    def traced(context):
        with context():
            return str(jax.make_jaxpr(
                lambda a: attention_ops.dot_product_attention(a, k, v, None, 0.5))(q))

    assert "custom_vjp_call" in traced(autodiff.reverse_mode_only)
    assert "custom_vjp_call" not in traced(contextlib.nullcontext)
    # Forward mode stays available outside it (jax.jvp of the custom_vjp rule would raise).
    jax.jvp(lambda a: attention_ops.dot_product_attention(a, k, v, None, 0.5), (q,), (q,))
    with pytest.raises(TypeError, match="custom_vjp"), autodiff.reverse_mode_only():
        jax.jvp(lambda a: attention_ops.dot_product_attention(a, k, v, None, 0.5), (q,), (q,))
    # Eager calls (no tracer) run the plain function.
    with autodiff.reverse_mode_only():
        eager = attention_ops.dot_product_attention(q, k, v, None, 0.5)
    np.testing.assert_array_equal(
        eager, jax.nn.dot_product_attention(q, k, v, scale=0.5, implementation="xla"))


def test_training_steps_take_the_reverse_mode_rule(monkeypatch):
    import lamina
    from lamina._src.trainers import steps

    used = []
    rule = attention_ops.reverse_rule
    monkeypatch.setattr(attention_ops, "reverse_rule",
                        lambda *args: used.append("reverse_rule") or rule(*args))
    inputs = lamina.Input((5, 6))
    attended = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=3)(inputs, inputs)
    model = lamina.Model(inputs, lamina.layers.Dense(1)(lamina.layers.Flatten()(attended)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 5, 6), "float32"), np.ones((4, 1), "float32")
    model.predict(x, verbose=0)
    assert used == []
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert "reverse_rule" in used
    used.clear()
    jax.make_jaxpr(lambda s: steps.train_step(model, s, (x, y, None)))(model._read_state())
    assert used == ["reverse_rule"]
