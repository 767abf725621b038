"""Recurrent layers against real Keras 3 with the same weights, plus what only lamina checks
(the scan loop under jit, dropout repeatability, legacy configs, errors)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from layer_harness import (
    CONFIG_VALUE_EXCLUSIONS,
    _check_gradients,
    _norm_shape,
    _symbolic_shapes,
    check_layer,
    config_differences,
    random_inputs,
)

import lamina

# Each entry covers several arguments at once: every Keras comparison compiles both libraries.
CASES = [
    ("SimpleRNN", {"units": 3, "return_sequences": True, "go_backwards": True,
                   "activation": "relu"}, (2, 5, 4)),
    ("SimpleRNN", {"units": 2, "use_bias": False, "return_state": True}, (3, 4, 2)),
    ("LSTM", {"units": 3}, (2, 5, 4)),
    ("LSTM", {"units": 3, "return_sequences": True, "return_state": True,
              "go_backwards": True}, (2, 5, 4)),
    ("GRU", {"units": 3, "return_state": True}, (2, 5, 4)),
    ("GRU", {"units": 3, "reset_after": False, "return_sequences": True,
             "go_backwards": True}, (2, 5, 4)),
    ("GRU", {"units": 2, "use_bias": False, "reset_after": False, "return_state": True}, (2, 4, 3)),
    ("GRU", {"units": 2, "use_bias": False, "return_sequences": True}, (2, 4, 3)),
    # Dropout only acts in training: at inference both libraries are the plain recurrence.
    ("LSTM", {"units": 3, "dropout": 0.3, "recurrent_dropout": 0.2, "seed": 1}, (2, 5, 4)),
    ("GRU", {"units": 3, "dropout": 0.4, "recurrent_dropout": 0.3, "return_sequences": True},
     (2, 5, 4)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rnn_layer_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


# -- wrappers and cells: the same checks, with layers built by a factory per library --------
def check_pair(make, input_shape, *, call_kwargs=None, atol=1e-5, inputs=None, custom=None,
               config_exclude=CONFIG_VALUE_EXCLUSIONS):
    """`check_layer` for layers that take layer arguments: `make(lib)` builds one."""
    import keras

    call_kwargs = dict(call_kwargs or {})
    x = inputs if inputs is not None else random_inputs(input_shape)
    k_layer, l_layer = make(keras), make(lamina)
    k_layer(x, **call_kwargs)
    l_layer(x, **call_kwargs)
    assert [w.name for w in l_layer.weights] == [w.name for w in k_layer.weights]
    assert [w.shape for w in l_layer.get_weights()] == [w.shape for w in k_layer.get_weights()]
    for kind in ("trainable_weights", "non_trainable_weights"):
        assert ([w.name for w in getattr(l_layer, kind)]
                == [w.name for w in getattr(k_layer, kind)]), kind
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    l_layer.set_weights(weights)
    k_out = jax.tree_util.tree_leaves(k_layer(x, **call_kwargs))
    l_out = jax.tree_util.tree_leaves(l_layer(x, **call_kwargs))
    assert len(k_out) == len(l_out)
    for k, lo in zip(k_out, l_out):
        np.testing.assert_allclose(np.asarray(lo), np.asarray(k), atol=atol, rtol=1e-5)
    _check_gradients(type(l_layer).__name__, k_layer, l_layer, x, call_kwargs, 1e-4)
    sym = _symbolic_shapes(input_shape)
    l_sym = l_layer(lamina.Input(batch_shape=sym), **call_kwargs)
    k_sym = k_layer(keras.Input(batch_shape=sym), **call_kwargs)
    assert ([tuple(t.shape) for t in jax.tree_util.tree_leaves(l_sym)]
            == [tuple(t.shape) for t in jax.tree_util.tree_leaves(k_sym)])
    assert (_norm_shape(l_layer.compute_output_shape(sym))
            == _norm_shape(k_layer.compute_output_shape(sym)))
    k_config, l_config = k_layer.get_config(), l_layer.get_config()
    assert sorted(l_config) == sorted(k_config)
    assert not config_differences(l_config, k_config, config_exclude)
    with lamina.saving.custom_object_scope(custom or {}):
        clone = type(l_layer).from_config(l_config)
    clone(x, **call_kwargs)
    clone.set_weights(weights)
    for a, b in zip(jax.tree_util.tree_leaves(clone(x, **call_kwargs)), l_out):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    return k_layer, l_layer


def minimal_cell_class(K):
    """The user-defined cell of Keras's `RNN` documentation, for either library."""

    class MinimalRNNCell(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            output = K.ops.tanh(K.ops.matmul(inputs, self.kernel)
                                + K.ops.matmul(states[0], self.recurrent_kernel))
            return output, [output]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalRNNCell


WRAPPERS = {
    "rnn-cell-list-state": lambda K: K.layers.RNN(
        [K.layers.SimpleRNNCell(3), K.layers.LSTMCell(2)], return_state=True),
    "rnn-stacked-seq-back": lambda K: K.layers.RNN(
        K.layers.StackedRNNCells([K.layers.GRUCell(3, reset_after=False), K.layers.GRUCell(2)]),
        return_sequences=True, go_backwards=True),
    "bidi-concat": lambda K: K.layers.Bidirectional(K.layers.LSTM(3)),
    "bidi-none-state-seq": lambda K: K.layers.Bidirectional(
        K.layers.GRU(2, return_state=True, return_sequences=True), merge_mode=None),
    "bidi-backward-layer": lambda K: K.layers.Bidirectional(
        K.layers.LSTM(3, return_sequences=True),
        backward_layer=K.layers.GRU(2, return_sequences=True, go_backwards=True)),
    "time-distributed-dense": lambda K: K.layers.TimeDistributed(K.layers.Dense(3)),
}


@pytest.mark.parametrize("case", sorted(WRAPPERS))
def test_rnn_wrappers_and_cells_match_keras(case):
    check_pair(WRAPPERS[case], (2, 5, 4))


VARIATIONS = {
    "bidi-sum-seq": (lambda K: K.layers.Bidirectional(K.layers.GRU(3, return_sequences=True),
                                                      merge_mode="sum"), (2, 5, 4)),
    "bidi-mul": (lambda K: K.layers.Bidirectional(K.layers.SimpleRNN(3), merge_mode="mul"),
                 (2, 5, 4)),
    "bidi-ave-state": (lambda K: K.layers.Bidirectional(K.layers.LSTM(3, return_state=True),
                                                        merge_mode="ave"), (2, 5, 4)),
    "rnn-lstm-cell": (lambda K: K.layers.RNN(K.layers.LSTMCell(3), return_sequences=True),
                      (2, 5, 4)),
    "time-distributed-4d": (lambda K: K.layers.TimeDistributed(
        K.layers.Dense(2, activation="relu")), (2, 3, 4, 5)),
    "time-distributed-conv2d": (lambda K: K.layers.TimeDistributed(
        K.layers.Conv2D(2, 3, padding="same")), (2, 3, 5, 5, 2)),
}


@pytest.mark.parametrize("case", sorted(VARIATIONS))
def test_rnn_variations_match_keras(case):
    make, shape = VARIATIONS[case]
    check_pair(make, shape)


def test_user_defined_cell_matches_keras():
    import keras

    l_cls = minimal_cell_class(lamina)
    check_pair(lambda K: K.layers.RNN(minimal_cell_class(K)(3), return_sequences=True)
               if K is keras else K.layers.RNN(l_cls(3), return_sequences=True),
               (2, 5, 4), custom={"MinimalRNNCell": l_cls},
               # Known gap (lamina/_src/saving): an unregistered user class is serialized with
               # module "keras.layers" and registered_name None; Keras writes its Python module
               # and registered_name "MinimalRNNCell".
               config_exclude=(*CONFIG_VALUE_EXCLUSIONS, "module", "registered_name"))


def test_bidirectional_of_user_cell_copies_the_cell():
    cell_class = minimal_cell_class(lamina)
    layer = lamina.layers.Bidirectional(lamina.layers.RNN(cell_class(3)))
    out = layer(random_inputs((2, 4, 3)))
    assert out.shape == (2, 6)
    assert isinstance(layer.backward_layer.cell, cell_class)
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert [w.path for w in layer.weights][0].startswith("bidirectional")


def _flat_shapes(shape):
    if all(d is None or isinstance(d, int) for d in shape):
        return [tuple(shape)]
    return [s for part in shape for s in _flat_shapes(part)]


@pytest.mark.parametrize("name", ["LSTMCell", "GRUCell", "SimpleRNNCell"])
def test_standalone_cells_match_keras(keras, name):
    x = random_inputs((2, 4))
    h, c = random_inputs((2, 3), seed=1), random_inputs((2, 3), seed=2)
    states = [h, c] if name == "LSTMCell" else [h]
    k_cell, l_cell = getattr(keras.layers, name)(3), getattr(lamina.layers, name)(3)
    k_cell.build((2, 4))
    l_cell.build((2, 4))
    weights = [np.random.default_rng(3).normal(size=w.shape).astype("float32")
               for w in k_cell.get_weights()]
    k_cell.set_weights(weights)
    l_cell.set_weights(weights)
    k_leaves = jax.tree_util.tree_leaves(k_cell(x, states))
    l_leaves = jax.tree_util.tree_leaves(l_cell(x, states))
    assert len(l_leaves) == len(k_leaves)
    for a, b in zip(l_leaves, k_leaves):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)
    # Gradients w.r.t. the weights, the inputs and the incoming states.
    cot = [np.random.default_rng(9).normal(size=v.shape).astype("float32") for v in k_leaves]

    def grads(cell):
        def f(train, x, states):
            out = cell.stateless_call(train, non, x, states)[0]
            return sum(jnp.sum(o * c) for o, c in zip(jax.tree_util.tree_leaves(out), cot))
        train = [v.value for v in cell.trainable_variables]
        non = [v.value for v in cell.non_trainable_variables]
        return jax.tree_util.tree_leaves(jax.grad(f, argnums=(0, 1, 2))(train, x, states))

    k_grads, l_grads = grads(k_cell), grads(l_cell)
    assert len(l_grads) == len(k_grads) == len(weights) + 1 + len(states)
    for a, b in zip(l_grads, k_grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4, rtol=1e-4)
    # Keras cells have no compute_output_shape; lamina's must give the shapes Keras's call does.
    assert _flat_shapes(l_cell.compute_output_shape((2, 4))) == [tuple(v.shape) for v in k_leaves]
    k_config, l_config = k_cell.get_config(), l_cell.get_config()
    assert sorted(l_config) == sorted(k_config)
    assert not config_differences(l_config, k_config)
    clone = type(l_cell).from_config(l_config)
    clone.build((2, 4))
    clone.set_weights(weights)
    for a, b in zip(jax.tree_util.tree_leaves(clone(x, states)), l_leaves):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_initial_state_outputs_and_gradients_match_keras(keras, bidirectional):
    x = random_inputs((2, 5, 4))
    states = [random_inputs((2, 3), seed=4), random_inputs((2, 3), seed=5)]
    if bidirectional:
        states = states + states[::-1]

    def make(K):
        lstm = K.layers.LSTM(3, return_state=not bidirectional)
        return K.layers.Bidirectional(lstm) if bidirectional else lstm

    k_layer, l_layer = make(keras), make(lamina)
    k_layer(x, initial_state=states)
    l_layer(x, initial_state=states)
    weights = [np.random.default_rng(1).normal(size=w.shape).astype("float32") * 0.5
               for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    l_layer.set_weights(weights)
    k_out = jax.tree_util.tree_leaves(k_layer(x, initial_state=states))
    l_out = jax.tree_util.tree_leaves(l_layer(x, initial_state=states))
    assert len(l_out) == len(k_out)
    for a, b in zip(l_out, k_out):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)
    cot = [np.random.default_rng(7).normal(size=v.shape).astype("float32") for v in k_out]

    def grads(layer):
        def f(train, x, states):
            out = layer.stateless_call(train, non, x, initial_state=states)[0]
            return sum(jnp.sum(o * c) for o, c in zip(jax.tree_util.tree_leaves(out), cot))
        train = [v.value for v in layer.trainable_variables]
        non = [v.value for v in layer.non_trainable_variables]
        return jax.tree_util.tree_leaves(jax.grad(f, argnums=(0, 1, 2))(train, x, states))

    k_grads, l_grads = grads(k_layer), grads(l_layer)
    assert len(l_grads) == len(k_grads) == len(weights) + 1 + len(states)
    for a, b in zip(l_grads, k_grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4, rtol=1e-4)


def test_lstm_bias_initializer_sets_forget_gate_to_one():
    layer = lamina.layers.LSTM(3)
    layer(random_inputs((1, 2, 2)))
    np.testing.assert_array_equal(np.asarray(layer.cell.bias.value), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert layer.cell.bias.shape == (12,)
    gru = lamina.layers.GRU(4)
    gru(random_inputs((1, 2, 2)))
    assert [w.shape for w in gru.weights] == [(2, 12), (4, 12), (2, 12)]


# -- masking ----------------------------------------------------------------------------------
def _embedding_rnn(K, rnn):
    inputs = K.Input(shape=(None,), dtype="int32")
    x = K.layers.Embedding(10, 4, mask_zero=True)(inputs)
    return K.Model(inputs, rnn(K)(x))


MASKED_RNNS = {
    "lstm": lambda K: K.layers.LSTM(3),
    "gru-seq-back": lambda K: K.layers.GRU(3, return_sequences=True, go_backwards=True),
    "bidi-seq": lambda K: K.layers.Bidirectional(K.layers.LSTM(3, return_sequences=True)),
    "bidi-gru": lambda K: K.layers.Bidirectional(K.layers.GRU(3)),
}


@pytest.mark.parametrize("case", sorted(MASKED_RNNS))
def test_embedding_mask_through_rnn_matches_keras(keras, case):
    keras.backend.clear_session()
    k_model = _embedding_rnn(keras, MASKED_RNNS[case])
    l_model = _embedding_rnn(lamina, MASKED_RNNS[case])
    weights = [np.random.default_rng(2).normal(size=w.shape).astype("float32") * 0.5
               for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    # Trailing padding, leading padding, padding in the middle, none, all.
    x = np.array([[3, 1, 4, 0, 0, 0], [0, 0, 5, 9, 2, 6], [5, 0, 3, 0, 5, 8],
                  [1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]], "int32")
    np.testing.assert_allclose(np.asarray(l_model(x)), np.asarray(k_model(x)), atol=1e-5)
    # Gradients w.r.t. all weights (the embedding included) through the masked recurrence.
    _check_gradients(case, k_model, l_model, x, {}, 1e-4, wrt_inputs=False)
    # Trailing zeros change nothing: the state stops at the last real token.
    if case == "lstm":
        np.testing.assert_allclose(np.asarray(l_model(x[:1, :3])), np.asarray(l_model(x[:1])),
                                   atol=1e-6)


def test_masking_layer_then_lstm_matches_keras(keras):
    def build(K):
        return K.Sequential([K.Input((5, 2)), K.layers.Masking(mask_value=-1.0),
                             K.layers.LSTM(3, return_sequences=True)])

    keras.backend.clear_session()
    k_model, l_model = build(keras), build(lamina)
    weights = [np.random.default_rng(4).normal(size=w.shape).astype("float32")
               for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    x = random_inputs((3, 5, 2))
    x[0, 3:] = -1.0
    x[1, :2] = -1.0
    np.testing.assert_allclose(np.asarray(l_model(x)), np.asarray(k_model(x)), atol=1e-5)


def test_explicit_mask_argument_matches_keras(keras):
    mask = np.array([[True, True, False, True], [False, True, True, True]])
    x = random_inputs((2, 4, 3))
    check_pair(lambda K: K.layers.RNN([K.layers.LSTMCell(2), K.layers.GRUCell(3)],
                                      return_sequences=True), (2, 4, 3), inputs=x,
               call_kwargs={"mask": mask})


def test_rnn_compute_mask():
    layer = lamina.layers.LSTM(2, return_sequences=True, return_state=True)
    mask = jnp.array([[True, False]])
    assert layer.compute_mask(None, mask)[0] is mask
    assert layer.compute_mask(None, mask)[1:] == [None, None]
    assert lamina.layers.LSTM(2).compute_mask(None, mask) is None


# -- state, dropout, jit --------------------------------------------------------------------
STATEFUL = {
    "lstm": lambda K: K.layers.LSTM(3, stateful=True),
    "gru": lambda K: K.layers.GRU(3, stateful=True),
    "simple-rnn-seq": lambda K: K.layers.SimpleRNN(3, stateful=True, return_sequences=True),
    "bidi-lstm": lambda K: K.layers.Bidirectional(K.layers.LSTM(3, stateful=True)),
}


@pytest.mark.parametrize("case", sorted(STATEFUL))
def test_stateful_rnn_carries_state_and_resets_like_keras(keras, case):
    def build(K):
        return K.Sequential([K.Input(batch_shape=(2, 3, 4)), STATEFUL[case](K)])

    keras.backend.clear_session()
    k_model, l_model = build(keras), build(lamina)
    weights = [np.random.default_rng(6).normal(size=w.shape).astype("float32") * 0.5
               for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    x1, x2 = random_inputs((2, 3, 4), seed=1), random_inputs((2, 3, 4), seed=2)
    first = np.asarray(l_model(x1))
    second = np.asarray(l_model(x2))
    np.testing.assert_allclose(first, np.asarray(k_model(x1)), atol=1e-5)
    np.testing.assert_allclose(second, np.asarray(k_model(x2)), atol=1e-5)
    l_model.layers[0].reset_states()
    k_model.layers[0].reset_states()
    fresh = np.asarray(l_model(x2))
    np.testing.assert_allclose(fresh, np.asarray(k_model(x2)), atol=1e-5)
    assert not np.allclose(second, fresh)  # the second call started from the first's state
    l_model.layers[0].reset_states()
    np.testing.assert_allclose(np.asarray(l_model(x1)), first, atol=1e-6)
    # The states are not weights.
    assert len(l_model.layers[0].weights) == len(k_model.layers[0].weights) == len(weights)


def test_stateful_errors():
    layer = lamina.layers.LSTM(2, stateful=True)
    with pytest.raises(ValueError, match="fixed batch size"):
        layer(lamina.Input((3, 4)))
    layer = lamina.layers.GRU(2, stateful=True)
    layer(random_inputs((2, 3, 4)))
    with pytest.raises(ValueError, match="batch size 2"):
        layer(random_inputs((3, 3, 4)), initial_state=[np.zeros((3, 2), "float32")])


@pytest.mark.parametrize("name, rates", [("LSTM", (0.5, 0.0)), ("LSTM", (0.3, 0.4)),
                                         ("GRU", (0.3, 0.4)), ("SimpleRNN", (0.0, 0.5))])
def test_dropout_in_training_is_random_and_repeatable_with_a_seed(name, rates):
    x = random_inputs((4, 6, 5))
    kwargs = {"units": 3, "dropout": rates[0], "recurrent_dropout": rates[1], "seed": 7,
              "return_sequences": True}
    a = getattr(lamina.layers, name)(**kwargs)
    b = getattr(lamina.layers, name)(**kwargs)
    a(x)
    b(x)
    b.set_weights(a.get_weights())
    inference = np.asarray(a(x))
    np.testing.assert_array_equal(np.asarray(a(x, training=False)), inference)
    first = np.asarray(a(x, training=True))
    second = np.asarray(a(x, training=True))
    assert not np.allclose(first, inference)
    assert not np.allclose(first, second)  # new masks for each call
    np.testing.assert_array_equal(np.asarray(b(x, training=True)), first)  # same seed
    # Under jit through the stateless path: the seed state advances, nothing leaks.
    step = jax.jit(lambda tv, ntv, x: a.stateless_call(tv, ntv, x, training=True))
    tv = [v.value for v in a.trainable_variables]
    ntv = [v.value for v in a.non_trainable_variables]
    out1, ntv = step(tv, ntv, x)
    out2, _ = step(tv, ntv, x)
    assert not np.allclose(np.asarray(out1), np.asarray(out2))


def test_lstm_input_dropout_mask_is_shared_across_timesteps():
    # With dropout on the inputs only and identical inputs at every step, a zeroed feature
    # stays zeroed at every timestep: the mask is drawn once per sequence.
    layer = lamina.layers.SimpleRNN(4, dropout=0.5, seed=1, return_sequences=True,
                                    activation=None, recurrent_initializer="zeros",
                                    kernel_initializer="identity")
    x = np.ones((8, 5, 4), "float32")
    y = np.asarray(layer(x, training=True))
    np.testing.assert_allclose(y, np.broadcast_to(y[:, :1], y.shape))
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_lstm_over_1000_timesteps_traces_once_into_one_scan():
    layer = lamina.layers.LSTM(8, return_sequences=True)
    x = np.random.default_rng(0).normal(size=(2, 1000, 3)).astype("float32")
    layer(x[:, :2])
    traces = []

    def forward(tv, ntv, x):
        traces.append(1)
        return layer.stateless_call(tv, ntv, x)[0]

    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]
    jitted = jax.jit(forward)
    out = jitted(tv, ntv, x)
    jitted(tv, ntv, x + 1)
    assert out.shape == (2, 1000, 8) and len(traces) == 1
    text = str(jax.make_jaxpr(forward)(tv, ntv, x))
    assert "scan" in text or "while" in text
    assert len(text) < 20_000, f"jaxpr is {len(text)} characters: the loop was unrolled"
    assert text.count("logistic") < 10
    # Both products run per step inside the loop (a hoisted (1000, 2, 32) input projection made
    # large-batch predict 2x slower on XLA CPU).
    products = [line for line in text.splitlines() if "dot_general" in line]
    assert len(products) == 2 and all("f32[2,32]" in line for line in products), products
    assert np.isfinite(np.asarray(out)).all()


def test_lstm_gradients_flow_through_the_scan():
    layer = lamina.layers.LSTM(4)
    x = random_inputs((2, 50, 3))
    layer(x)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]
    grads = jax.grad(lambda tv: jnp.sum(layer.stateless_call(tv, ntv, x)[0] ** 2))(tv)
    assert all(np.isfinite(np.asarray(g)).all() and np.abs(np.asarray(g)).sum() > 0 for g in grads)


def test_stacked_lstm_tutorial_model_with_import_switched(keras):
    def build(K):
        return K.models.Sequential([
            K.layers.LSTM(20, return_sequences=True, input_shape=[None, 1]),
            K.layers.LSTM(20, return_sequences=True),
            K.layers.TimeDistributed(K.layers.Dense(10)),
        ])

    keras.backend.clear_session()
    k_model, l_model = build(keras), build(lamina)
    assert l_model.count_params() == k_model.count_params() == 1760 + 3280 + 210
    l_model.set_weights(k_model.get_weights())
    x = random_inputs((3, 50, 1))
    expected = np.asarray(k_model.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(l_model(x)), expected, atol=1e-5)
    np.testing.assert_allclose(np.asarray(l_model.predict(x, verbose=0)), expected, atol=1e-5)
    assert l_model.output_shape == (None, None, 10)
    # Train both the same way (the tutorial's mse + Adam): the same history and predictions.
    x_train = random_inputs((8, 20, 1), seed=3)
    y_train = random_inputs((8, 20, 10), seed=4)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(learning_rate=0.01), loss="mse",
                      metrics=["mae"])
    kwargs = dict(epochs=2, batch_size=4, shuffle=False, verbose=0)
    k_hist = k_model.fit(x_train, y_train, **kwargs)
    l_hist = l_model.fit(x_train, y_train, **kwargs)
    assert sorted(l_hist.history) == sorted(k_hist.history)
    for key, k_values in k_hist.history.items():
        np.testing.assert_allclose(l_hist.history[key], k_values, rtol=1e-4, atol=1e-6,
                                   err_msg=f"history[{key!r}] differs from Keras")
    np.testing.assert_allclose(l_model.predict(x, verbose=0), k_model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


# -- configs and errors ---------------------------------------------------------------------
def test_tf_keras_2_rnn_configs_load():
    config = {"name": "lstm", "trainable": True, "dtype": "float32", "return_sequences": False,
              "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
              "time_major": False, "units": 3, "activation": "tanh",
              "recurrent_activation": "sigmoid", "use_bias": True, "unit_forget_bias": True,
              "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2}
    layer = lamina.layers.LSTM.from_config(config)
    assert layer(random_inputs((1, 2, 3))).shape == (1, 3)
    gru = lamina.layers.GRU.from_config({"units": 2, "time_major": False, "implementation": 1,
                                         "reset_after": False})
    assert gru(random_inputs((1, 2, 3))).shape == (1, 2)
    simple = lamina.layers.SimpleRNN.from_config({"units": 2, "time_major": False})
    assert simple(random_inputs((1, 2, 3))).shape == (1, 2)
    with pytest.raises(ValueError, match="time_major"):
        lamina.layers.LSTM(3, time_major=True)


def test_layers_deserialize_by_name():
    for layer in [lamina.layers.Bidirectional(lamina.layers.GRU(2, return_sequences=True)),
                  lamina.layers.TimeDistributed(lamina.layers.Dense(2)),
                  lamina.layers.RNN([lamina.layers.LSTMCell(2), lamina.layers.GRUCell(3)])]:
        config = lamina.saving.serialize_keras_object(layer)
        clone = lamina.saving.deserialize_keras_object(config)
        assert type(clone) is type(layer)
        assert clone.get_config() == layer.get_config()


def test_bidirectional_names_and_weight_order():
    layer = lamina.layers.Bidirectional(lamina.layers.LSTM(2, name="encoder"))
    layer(random_inputs((1, 3, 2)))
    assert layer.forward_layer.name == "forward_encoder"
    assert layer.backward_layer.name == "backward_encoder"
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/forward_encoder/lstm_cell/kernel",
        f"{layer.name}/forward_encoder/lstm_cell/recurrent_kernel",
        f"{layer.name}/forward_encoder/lstm_cell/bias",
        f"{layer.name}/backward_encoder/lstm_cell/kernel",
        f"{layer.name}/backward_encoder/lstm_cell/recurrent_kernel",
        f"{layer.name}/backward_encoder/lstm_cell/bias",
    ]


@pytest.mark.parametrize("make, match", [
    (lambda: lamina.layers.LSTM(0), "units"),
    (lambda: lamina.layers.GRU(-2), "units"),
    (lambda: lamina.layers.SimpleRNNCell("3"), "units"),
    (lambda: lamina.layers.LSTM(2, use_cudnn="yes"), "use_cudnn"),
    (lambda: lamina.layers.RNN(object()), "state_size"),
    (lambda: lamina.layers.Bidirectional(lamina.layers.LSTM(2), merge_mode="max"), "merge_mode"),
    (lambda: lamina.layers.Bidirectional("lstm"), "layer"),
    (lambda: lamina.layers.Bidirectional(
        lamina.layers.LSTM(2), backward_layer=lamina.layers.LSTM(2)), "go_backwards"),
    (lambda: lamina.layers.Bidirectional(lamina.layers.LSTM(2), backward_layer=lamina.layers.LSTM(
        2, go_backwards=True, return_sequences=True)), "return_sequences"),
    (lambda: lamina.layers.TimeDistributed("dense"), "layer"),
    (lambda: lamina.layers.TimeDistributed(lamina.layers.Dense(2))(random_inputs((2, 3))),
     "at least 3"),
    (lambda: lamina.layers.LSTM(2)(random_inputs((2, 3))), "timesteps"),
])
def test_errors_name_the_problem(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_regularization_losses_and_other_arguments_match_keras(keras):
    kwargs = {"units": 4, "unit_forget_bias": False, "unroll": True, "activation": "relu",
              "recurrent_activation": "hard_sigmoid", "kernel_regularizer": "l2",
              "recurrent_regularizer": "l1", "bias_regularizer": "l2", "activity_regularizer": "l2",
              "recurrent_constraint": "max_norm"}
    k_layer, l_layer = check_layer("LSTM", kwargs, (2, 4, 3))
    x = random_inputs((2, 4, 3))
    k_layer(x)
    l_layer(x)
    np.testing.assert_allclose(sorted(float(v) for v in l_layer.losses),
                               sorted(float(v) for v in k_layer.losses), rtol=1e-5)
