"""`hoisted_scan`'s reverse-mode rule gives the gradients autodiff gives through the plain scan,
and the RNN layers take it exactly inside training steps (reverse mode only), for the cells
with a `Combine` when not unrolled: masked or not, with dropout or without."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lamina
from lamina._src.backend import autodiff
from lamina._src.layers.rnn import rnn

L = lamina.layers
VARIANTS = [{}, {"go_backwards": True}, {"return_sequences": True},
            {"return_sequences": True, "go_backwards": True}, {"use_bias": False},
            {"masked": True}, {"masked": True, "go_backwards": True},
            {"masked": True, "return_sequences": True, "go_backwards": True},
            {"masked": True, "return_sequences": True, "zero_output_for_mask": True},
            # dropout: one input mask; with recurrent dropout, one mask per gate on each side
            {"dropout": 0.3}, {"dropout": 0.3, "recurrent_dropout": 0.4},
            {"recurrent_dropout": 0.4, "masked": True, "go_backwards": True}]
# GRU (reset_after) keeps a third of its recurrent product apart (`Combine.apart`), and has a
# recurrent bias.
CASES = list(itertools.product(["LSTM", "SimpleRNN", "GRU"], VARIANTS))


@pytest.fixture
def hoisted_calls(monkeypatch):
    """The calls of `hoisted_scan` that the RNN layers trace from now on."""
    calls = []

    def counting(*args):
        calls.append(args[0])
        return original(*args)

    original = rnn.hoisted_scan
    monkeypatch.setattr(rnn, "hoisted_scan", counting)
    return calls


def _value_and_gradients(layer, x, states, mask, cotangents):
    train = [v.value for v in layer.trainable_variables]
    non = [v.value for v in layer.non_trainable_variables]  # the seed: the same dropout masks

    def f(train, x, states):
        out = layer.stateless_call(train, non, x, initial_state=states, mask=mask,
                                   training=True)[0]
        return sum(jnp.sum(o * c) for o, c in zip(jax.tree_util.tree_leaves(out), cotangents))

    value, grads = jax.value_and_grad(f, argnums=(0, 1, 2))(train, x, states)
    return [value, *jax.tree_util.tree_leaves(grads)]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_gradients_equal_autodiff_through_the_scan(index, hoisted_calls):
    name, kwargs = CASES[index]
    kwargs = dict(kwargs)
    rng = np.random.default_rng(index)
    # A time length of its own per case: the layers' compiled loops are cached by shape, and
    # each case must trace its own.
    x = rng.normal(size=(3, 5 + index, 4)).astype("float32")
    mask = None
    if kwargs.pop("masked", False):  # rows: padded at the end, holes, none masked
        mask = rng.random((3, x.shape[1])) < 0.7
        mask[0, -3:] = False
        mask[2] = True
    layer = getattr(L, name)(3, return_state=True, **kwargs)
    count = 2 if name == "LSTM" else 1
    states = [rng.normal(size=(3, 3)).astype("float32") for _ in range(count)]
    out = layer(x, initial_state=states, mask=mask)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") * 0.5
                       for w in layer.get_weights()])
    cotangents = [rng.normal(size=o.shape).astype("float32")
                  for o in jax.tree_util.tree_leaves(out)]

    expected = _value_and_gradients(layer, x, states, mask, cotangents)
    assert hoisted_calls == []  # plain autodiff: forward mode stays possible
    with autodiff.reverse_mode_only():
        got = _value_and_gradients(layer, x, states, mask, cotangents)
    assert len(hoisted_calls) == 1
    assert len(got) == len(expected) == 1 + len(layer.get_weights()) + 1 + len(states)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_training_steps_take_it_and_forward_mode_still_works(hoisted_calls):
    x = np.random.default_rng(0).normal(size=(8, 31, 2)).astype("float32")
    model = lamina.Sequential([lamina.Input((31, 2)), L.LSTM(4, return_sequences=True),
                               L.GRU(4, return_sequences=True), L.SimpleRNN(3), L.Dense(1)])
    model.compile("adam", "mse")
    model.fit(x, x[:, 0, :1], epochs=1, verbose=0)
    assert len(hoisted_calls) == 3  # all three layers, in the training step
    tangent = jax.jvp(lambda v: model(v), (jnp.asarray(x),), (jnp.ones_like(x),))[1]
    assert np.isfinite(np.asarray(tangent)).all()


class _ScaledLSTMCell(L.LSTMCell):
    def recurrent_step(self, projected, states, recurrent_mask=None):
        return super().recurrent_step(2 * projected, states, recurrent_mask)


@pytest.mark.parametrize("make", [
    lambda: L.GRU(3, reset_after=False),  # no `Combine`: the reset gate before U
    lambda: L.RNN(_ScaledLSTMCell(3)),  # a subclass's own step
    lambda: L.LSTM(3, unroll=True),
])
def test_not_taken_where_it_does_not_apply(make):
    layer = make()
    layer(np.zeros((2, 5, 3), "float32"))
    with autodiff.reverse_mode_only():
        assert not layer._hoists_weight_gradients()
    taken = L.LSTM(3)
    with autodiff.reverse_mode_only():
        assert taken._hoists_weight_gradients()
    assert not taken._hoists_weight_gradients()
