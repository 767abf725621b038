"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention, EinsumDense) against Keras."""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from layer_harness import check_layer, config_differences

import lamina
from lamina._src.backend import autodiff

RNG = np.random.default_rng(0)
Q_MASK = np.array([[1, 1, 0], [1, 0, 1]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)

# Shared shapes keep JAX's per-shape compilations few.
QV = [(2, 3, 4), (2, 5, 4)]
CASES = [
    ("Attention", {}, QV, {}),
    ("Attention", {"use_scale": True}, [(2, 3, 4), (2, 5, 4), (2, 5, 4)], {}),
    ("Attention", {"score_mode": "concat", "use_scale": True}, QV, {}),
    ("Attention", {"use_scale": True}, QV, {"use_causal_mask": True}),
    ("Attention", {}, QV, {"return_attention_scores": True}),
    ("Attention", {"use_scale": True}, QV,
     {"mask": [Q_MASK, V_MASK], "return_attention_scores": True}),
    ("Attention", {"dropout": 0.3}, QV, {}),  # inference: no dropout
    ("AdditiveAttention", {}, QV, {}),
    ("AdditiveAttention", {"use_scale": False}, QV, {"return_attention_scores": True}),
    ("AdditiveAttention", {}, QV, {"mask": [Q_MASK, V_MASK], "use_causal_mask": True}),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), {}),
    ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (None, 2, 3),
                     "bias_axes": "de"}, (2, 3, 4), {}),
    ("EinsumDense", {"equation": "abcd,cde->abe", "output_shape": (None, 5),
                     "bias_axes": "e"}, (2, 3, 2, 4), {}),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c",
                     "activation": "relu"}, (2, 3, 4), {}),
    ("EinsumDense", {"equation": "ab...,bc->ac...", "output_shape": 4}, (2, 3, 4), {}),
]


@pytest.mark.parametrize("name, kwargs, shape, call_kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape, call_kwargs):
    check_layer(name, kwargs, shape, call_kwargs=call_kwargs)


# -- MultiHeadAttention: a direct differential test (its call takes query and value apart) --------
def _mha_pair(keras, kwargs, query, value, key=None):
    """Keras's and lamina's layer, built on the same inputs, with Keras's random weights."""
    k_layer = keras.layers.MultiHeadAttention(**kwargs)
    l_layer = lamina.layers.MultiHeadAttention(**kwargs)
    # Built through the explicit path: Keras's fused one cannot run every case (value_dim).
    k_layer(query, value, key, return_attention_scores=True)
    l_layer(query, value, key, return_attention_scores=True)
    assert [w.shape for w in l_layer.weights] == [tuple(w.shape) for w in k_layer.weights]
    assert [w.path.split("/", 1)[1] for w in k_layer.weights] == [
        w.path.split("/", 1)[1] for w in l_layer.weights]
    weights = [RNG.normal(size=w.shape).astype("float32") * 0.5 for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    l_layer.set_weights(weights)
    return k_layer, l_layer


def _assert_same(k_out, l_out, atol=1e-5):
    k_flat, l_flat = jax.tree_util.tree_leaves(k_out), jax.tree_util.tree_leaves(l_out)
    assert len(k_flat) == len(l_flat)
    for k, lo in zip(k_flat, l_flat):
        assert tuple(lo.shape) == tuple(k.shape)
        np.testing.assert_allclose(np.asarray(lo), np.asarray(k), atol=atol, rtol=1e-5)


def _random(*shape):
    return RNG.normal(size=shape).astype("float32")


Q, V = (2, 4, 5), (2, 6, 5)
MHA_CASES = [
    # (constructor kwargs, query shape, value shape, key shape, call kwargs)
    ({"num_heads": 2, "key_dim": 3}, Q, Q, None, {}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, {"return_attention_scores": True}),
    # value_dim != key_dim: Keras 3.15's fused path fails on it, so ask for the scores.
    ({"num_heads": 2, "key_dim": 3, "value_dim": 4}, Q, V, (2, 6, 3),
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "use_bias": False, "output_shape": (2, 3)}, Q, V, None, {}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, None,
     {"use_causal_mask": True, "return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "sliding_window": 2, "use_gate": True}, Q, V, None, {}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": (2,)}, (2, 3, 4, 5), (2, 3, 6, 5), None,
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)}, (2, 3, 4, 5), (2, 2, 3, 5), None,
     {}),
    # Dropout at inference takes Keras's explicit (non-fused) path.
    ({"num_heads": 2, "key_dim": 3, "dropout": 0.2}, Q, V, None, {}),
]


@pytest.mark.parametrize("kwargs, q_shape, v_shape, k_shape, call_kwargs", MHA_CASES,
                         ids=[f"mha-{i}" for i in range(len(MHA_CASES))])
def test_multi_head_attention_matches_keras(keras, kwargs, q_shape, v_shape, k_shape, call_kwargs):
    query, value = _random(*q_shape), _random(*v_shape)
    key = None if k_shape is None else _random(*k_shape)
    k_layer, l_layer = _mha_pair(keras, kwargs, query, value, key)
    _assert_same(k_layer(query, value, key, **call_kwargs), l_layer(query, value, key, **call_kwargs))
    # Gradients w.r.t. the weights and every input. (Case 2, value_dim != key_dim, is
    # differentiated with its scores too: Keras 3.15's fused path, taken without them, fails to
    # reshape the (batch, T, heads, value_dim) output, a Keras bug.)
    inputs = [query, value] + ([] if key is None else [key])

    def grads(layer):
        non = [v.value for v in layer.non_trainable_variables]

        def f(train, inputs):
            out = layer.stateless_call(train, non, *inputs, **call_kwargs)[0]
            return sum(jnp.sum(jnp.sin(o)) for o in jax.tree_util.tree_leaves(out))
        train = [v.value for v in layer.trainable_variables]
        return jax.tree_util.tree_leaves(jax.grad(f, argnums=(0, 1))(train, inputs))

    k_grads, l_grads = grads(k_layer), grads(l_layer)
    assert len(l_grads) == len(k_grads) == len(k_layer.trainable_variables) + len(inputs)
    _assert_same(k_grads, l_grads, atol=1e-4)
    shapes = [(None, *s[1:]) for s in (q_shape, v_shape, k_shape) if s is not None]
    assert (tuple(l_layer.compute_output_shape(*shapes))
            == tuple(k_layer.compute_output_shape(*shapes)))
    k_config, l_config = k_layer.get_config(), l_layer.get_config()
    assert sorted(l_config) == sorted(k_config)
    assert not config_differences(l_config, k_config)


@pytest.mark.parametrize("dropout", [0.0, 0.1])
def test_multi_head_attention_masks_match_keras(keras, dropout):
    # Row 1 of batch 0 has every key masked: Keras's fused kernel (no dropout, no scores) gives
    # it a uniform distribution and the explicit path zeros it; lamina follows both.
    query, value, key = _random(2, 3, 4), _random(2, 5, 4), _random(2, 5, 6)
    k_layer, l_layer = _mha_pair(keras, {"num_heads": 2, "key_dim": 3, "dropout": dropout},
                                 query, value, key)
    attention_mask = np.ones((2, 3, 5), bool)
    attention_mask[0, 1] = False
    attention_mask[1, :, 4] = False
    masks = {"value_mask": V_MASK, "attention_mask": attention_mask,
             "key_mask": np.array([[1, 1, 0, 1, 1], [1, 1, 1, 1, 1]], bool)}
    for return_scores in (False, True):
        kw = {**masks, "return_attention_scores": return_scores}
        _assert_same(k_layer(query, value, key, **kw), l_layer(query, value, key, **kw))
    # Keras reads the query mask from the query tensor's Keras mask only; lamina also takes it
    # as an argument. It is the same as a (batch, T, 1) attention mask.
    _assert_same(k_layer(query, value, key, attention_mask=Q_MASK[:, :, None]),
                 l_layer(query, value, key, query_mask=Q_MASK))


@pytest.mark.parametrize("reverse_mode_only", [False, True])  # True: training steps' rule
def test_multi_head_attention_gradients_match_keras(keras, reverse_mode_only):
    query, value = _random(2, 4, 5), _random(2, 6, 5)
    mask = np.tril(np.ones((4, 6), bool))[None].repeat(2, 0)
    mask[1, 2] = False  # a query with every key masked
    k_layer, l_layer = _mha_pair(keras, {"num_heads": 2, "key_dim": 3}, query, value)
    cotangent = jnp.asarray(_random(2, 4, 5))

    def objective(layer):
        def f(weights, q):
            out, _ = layer.stateless_call(weights, [], q, value, attention_mask=mask)
            return jnp.sum(out * cotangent)
        return f

    args = ([v.value for v in k_layer.trainable_variables], jnp.asarray(query))
    k_grads = jax.jit(jax.grad(objective(k_layer), argnums=(0, 1)))(*args)
    with autodiff.reverse_mode_only() if reverse_mode_only else contextlib.nullcontext():
        l_grads = jax.jit(jax.grad(objective(l_layer), argnums=(0, 1)))(
            [v.value for v in l_layer.trainable_variables], jnp.asarray(query))
    _assert_same(k_grads, l_grads, atol=1e-4)


def test_multi_head_attention_symbolic_shapes_and_config(keras):
    l_layer = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=7)
    k_layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=7)
    l_q, k_q = lamina.Input((4, 5)), keras.Input((4, 5))
    l_out, l_scores = l_layer(l_q, l_q, return_attention_scores=True)
    k_out, k_scores = k_layer(k_q, k_q, return_attention_scores=True)
    assert l_out.shape == k_out.shape == (None, 4, 7)
    assert l_scores.shape == k_scores.shape == (None, 2, 4, 4)
    assert l_layer.compute_output_shape((None, 4, 5), (None, 6, 5)) == k_layer.compute_output_shape(
        (None, 4, 5), (None, 6, 5))
    # Cross-attention scores are (batch, heads, T, S); Keras 3.15's symbolic spec says (.., T, T).
    _, scores = l_layer(lamina.Input((4, 5)), lamina.Input((6, 5)), return_attention_scores=True)
    assert scores.shape == (None, 2, 4, 6)
    assert sorted(l_layer.get_config()) == sorted(k_layer.get_config())
    assert l_layer.get_build_config() == k_layer.get_build_config()

    clone = lamina.layers.MultiHeadAttention.from_config(l_layer.get_config())
    clone.build_from_config(l_layer.get_build_config())
    assert [w.shape for w in clone.weights] == [w.shape for w in l_layer.weights]
    # Configs travel both ways.
    from_keras = lamina.layers.MultiHeadAttention.from_config(k_layer.get_config())
    from_keras.build_from_config(k_layer.get_build_config())
    assert [w.shape for w in from_keras.weights] == [tuple(w.shape) for w in k_layer.weights]
    to_keras = keras.layers.MultiHeadAttention.from_config(l_layer.get_config())
    assert to_keras.get_config()["output_shape"] == (7,)


def test_multi_head_attention_output_keeps_query_mask():
    query = lamina.Input((4, 5))
    query._keras_mask = lamina.Input((4,), dtype="bool")
    out = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=3)(query, lamina.Input((6, 5)))
    assert out._keras_mask is query._keras_mask


def test_multi_head_attention_dropout_in_training():
    layer = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=1)
    query, value = _random(2, 4, 5), _random(2, 6, 5)
    inference = np.asarray(layer(query, value))
    np.testing.assert_array_equal(np.asarray(layer(query, value, training=False)), inference)
    _, scores = layer(query, value, return_attention_scores=True, training=True)
    # The returned scores are the probabilities before dropout.
    np.testing.assert_allclose(np.asarray(scores).sum(-1), 1.0, rtol=1e-5)
    first = np.asarray(layer(query, value, training=True))
    second = np.asarray(layer(query, value, training=True))
    assert not np.allclose(first, inference) and not np.allclose(first, second)


def test_attention_dropout_in_training():
    layer = lamina.layers.Attention(dropout=0.5, seed=3)
    query, value = _random(2, 30, 4), _random(2, 40, 4)
    _, weights = layer([query, value], training=True, return_attention_scores=True)
    weights = np.asarray(weights)
    assert 0.4 < (weights == 0).mean() < 0.6
    _, weights = layer([query, value], return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(weights).sum(-1), 1.0, rtol=1e-5)


def test_attention_mask_propagates_in_functional_model():
    query, value = lamina.Input((3, 4)), lamina.Input((5, 4))
    query._keras_mask = lamina.Input((3,), dtype="bool")
    out = lamina.layers.Attention()([query, value])
    assert out._keras_mask is query._keras_mask


def test_einsum_dense_variance_scaling_uses_einsum_fans():
    layer = lamina.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8),
                                      kernel_initializer=lamina.initializers.VarianceScaling(
                                          scale=1.0, mode="fan_in", distribution="uniform",
                                          seed=0))
    layer.build((None, 3, 256))
    kernel = np.asarray(layer.kernel.value)
    assert kernel.shape == (256, 4, 8)
    # fan_in is the contracted axis (256), not the conv-style 4 * 256.
    assert np.abs(kernel).max() > np.sqrt(3.0 / 1024)
    assert np.abs(kernel).max() <= np.sqrt(3.0 / 256)


# -- a small Transformer block in a Functional model -----------------------------------------------
def _transformer(lib, layer_norm, dim=8):
    inputs = lib.Input((5, dim))
    attended = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(
        inputs, inputs, use_causal_mask=True)
    x = lib.layers.Add()([inputs, attended])
    if layer_norm:
        x = lib.layers.LayerNormalization()(x)
    hidden = lib.layers.Dense(16, activation="relu")(x)
    x = lib.layers.Add()([x, lib.layers.Dense(dim)(hidden)])
    outputs = lib.layers.Dense(1)(lib.layers.Flatten()(x))
    return lib.Model(inputs, outputs)


@pytest.mark.parametrize("reverse_mode_only", [False, True])
def test_transformer_block_trains_one_step_like_keras(keras, reverse_mode_only):
    layer_norm = hasattr(lamina.layers, "LayerNormalization")  # else Add + Dense only
    l_model, k_model = _transformer(lamina, layer_norm), _transformer(keras, layer_norm)
    assert [w.shape for w in l_model.weights] == [tuple(w.shape) for w in k_model.weights]
    weights = [RNG.normal(size=w.shape).astype("float32") * 0.3 for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    x, y = _random(3, 5, 8), _random(3, 1)

    def step(model, context=contextlib.nullcontext):
        def loss_fn(trainable, non_trainable):
            pred, _ = model.stateless_call(trainable, non_trainable, x, training=True)
            return jnp.mean((pred - y) ** 2)

        @jax.jit
        def run(trainable, non_trainable):
            loss, grads = jax.value_and_grad(loss_fn)(trainable, non_trainable)
            new = [w - 0.01 * g for w, g in zip(trainable, grads)]
            return loss, grads, loss_fn(new, non_trainable)

        with context():  # read while tracing
            return run([v.value for v in model.trainable_variables],
                       [v.value for v in model.non_trainable_variables])

    l_loss, l_grads, l_after = step(
        l_model, autodiff.reverse_mode_only if reverse_mode_only else contextlib.nullcontext)
    k_loss, k_grads, k_after = step(k_model)
    assert np.isfinite(float(l_loss)) and float(l_after) < float(l_loss)
    np.testing.assert_allclose(float(l_loss), float(k_loss), rtol=1e-5)
    _assert_same(k_grads, l_grads, atol=1e-4)
    np.testing.assert_allclose(float(l_after), float(k_after), rtol=1e-4)


# -- errors ------------------------------------------------------------------------------------------
def test_errors_name_the_layer_and_the_value():
    with pytest.raises(ValueError, match="list of inputs"):
        lamina.layers.Attention(name="att")(_random(2, 3, 4))
    with pytest.raises(ValueError, match="score_mode"):
        lamina.layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        lamina.layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="except the last one"):
        lamina.layers.MultiHeadAttention(num_heads=2, key_dim=2)(
            _random(2, 3, 4), _random(2, 5, 4), _random(2, 6, 4))
    with pytest.raises(ValueError, match="invalid equation"):
        lamina.layers.EinsumDense("ab->b", output_shape=3)(_random(2, 3))
    with pytest.raises(ValueError, match="weight dimension 'z'"):
        lamina.layers.EinsumDense("ab,bz->ab", output_shape=3)(_random(2, 3))
    with pytest.raises(ValueError, match="bias dimension 'q'"):
        lamina.layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="q")(_random(2, 3))
