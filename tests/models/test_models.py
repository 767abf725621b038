"""Sequential, Functional and subclassed models against real Keras with the same weights."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lamina

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.normal(size=shape).astype("float32")


def _copy_weights(k_model, l_model):
    weights = [np.random.default_rng(5).normal(size=w.shape).astype("float32") * 0.3
               for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)


def _both(build):
    """Build the same model code with lamina and with Keras."""
    import keras

    lamina.backend.clear_session()
    keras.backend.clear_session()
    return build(keras), build(lamina)


def tutorial_mlp(K):
    L = K.layers
    return K.Sequential([
        L.Dense(32, activation="sigmoid", input_shape=(3,)),
        L.Dense(32, activation="sigmoid"),
        L.Dropout(0.2),
        L.Dense(16, activation=L.LeakyReLU(negative_slope=0.05)),
        L.Dropout(0.2),
        L.Dense(5, activation="elu"),
    ])


def wide_and_deep(K):
    L = K.layers
    input_wide = K.Input(shape=(5,), name="wide_input")
    input_deep = K.Input(shape=(6,), name="deep_input")
    hidden1 = L.Dense(30, activation="relu")(input_deep)
    hidden2 = L.Dense(30, activation="relu")(hidden1)
    concat = L.concatenate([input_wide, hidden2])
    output = L.Dense(1, name="output")(concat)
    aux_output = L.Dense(1, name="aux_output")(hidden2)
    return K.Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])


def test_tutorial_mlp_matches_keras_outputs_and_param_counts():
    k_model, l_model = _both(tutorial_mlp)
    assert [layer.count_params() for layer in l_model.layers] == [128, 1056, 0, 528, 0, 85]
    assert l_model.count_params() == 1797
    assert [layer.name for layer in l_model.layers] == [layer.name for layer in k_model.layers]
    _copy_weights(k_model, l_model)
    x = _x(8, 3)
    np.testing.assert_allclose(np.asarray(l_model(x)), np.asarray(k_model(x)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(l_model.predict_on_batch(x) if hasattr(l_model, "predict_on_batch") else l_model(x)),
                               np.asarray(k_model(x)), atol=1e-6)


def test_wide_and_deep_two_inputs_two_outputs_match_keras():
    k_model, l_model = _both(wide_and_deep)
    assert [layer.name for layer in l_model.layers] == [layer.name for layer in k_model.layers]
    _copy_weights(k_model, l_model)
    xa, xb = _x(4, 5), _x(4, 6)
    k_out = k_model([xa, xb])
    for inputs in ([xa, xb], (xa, xb), {"wide_input": xa, "deep_input": xb}):
        l_out = l_model(inputs)
        assert isinstance(l_out, list) and len(l_out) == 2
        for a, b in zip(l_out, k_out):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_dict_inputs_and_outputs_keep_their_structure():
    a = lamina.Input(shape=(2,), name="a")
    b = lamina.Input(shape=(3,), name="b")
    out = {"sum": lamina.layers.Dense(1)(lamina.layers.concatenate([a, b])),
           "double": a * 2}
    model = lamina.Model({"a": a, "b": b}, out)
    y = model({"a": np.ones((2, 2), "float32"), "b": np.ones((2, 3), "float32")})
    assert set(y) == {"sum", "double"}
    np.testing.assert_allclose(np.asarray(y["double"]), 2.0)


def test_sequential_input_forms_give_the_same_summary_shapes():
    L = lamina.layers
    by_input = lamina.Sequential([lamina.Input(shape=(4,)), L.Dense(2)])
    by_kwarg = lamina.Sequential([L.Dense(2, input_shape=(4,))])
    by_dim = lamina.Sequential([L.Dense(2, input_dim=4)])
    deferred = lamina.Sequential([L.Dense(2)])
    assert not deferred.built
    deferred(np.ones((3, 4), "float32"))
    for model in (by_input, by_kwarg, by_dim, deferred):
        assert model.built and model.layers[0].kernel.shape == (4, 2)
    assert by_input.output_shape == by_kwarg.output_shape == (None, 2)
    assert deferred.output_shape == (3, 2)  # Keras builds a deferred model with the real batch


def test_sequential_add_pop_and_get_layer():
    L = lamina.layers
    model = lamina.Sequential(name="stack")
    model.add(lamina.Input(shape=(3,)))
    model.add(L.Dense(4, name="a"))
    model.add(L.Dense(5, name="b"))
    assert model.output_shape == (None, 5)
    assert model.get_layer("a") is model.layers[0]
    assert model.get_layer(index=1).name == "b"
    popped = model.pop()
    assert popped.name == "b" and model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="No such layer: c"):
        model.get_layer("c")
    with pytest.raises(ValueError, match="unique names"):
        model.add(L.Dense(1, name="a"))
    with pytest.raises(ValueError, match="Only instances of `lamina.layers.Layer`"):
        model.add("dense")


def test_shared_layer_reuses_weights():
    shared = lamina.layers.Dense(3)
    a, b = lamina.Input(shape=(4,)), lamina.Input(shape=(4,))
    model = lamina.Model([a, b], lamina.layers.add([shared(a), shared(b)]))
    assert len(model.weights) == 2
    x = _x(2, 4)
    expected = 2 * (x @ np.asarray(shared.kernel.value) + np.asarray(shared.bias.value))
    np.testing.assert_allclose(np.asarray(model([x, x])), expected, rtol=1e-5)


def test_nested_models_as_layers_match_keras():
    def build(K):
        L = K.layers
        inner = K.Sequential([L.Dense(6, activation="relu"), L.Dense(4)])
        inp = K.Input(shape=(5,))
        x = L.Dense(5, activation="tanh")(inp)
        x = inner(x)
        branch_in = K.Input(shape=(4,))
        sub = K.Model(branch_in, L.Dense(2)(branch_in))
        return K.Model(inp, sub(x))

    k_model, l_model = _both(build)
    assert [type(layer).__name__ for layer in l_model.layers] == [
        type(layer).__name__ for layer in k_model.layers]
    assert [w.shape for w in l_model.weights] == [tuple(w.shape) for w in k_model.weights]
    _copy_weights(k_model, l_model)
    x = _x(3, 5)
    np.testing.assert_allclose(np.asarray(l_model(x)), np.asarray(k_model(x)), atol=1e-6)


def test_symbolic_arithmetic_and_ops_between_layers_match_keras():
    def build(K):
        inp = K.Input(shape=(4,))
        b = K.layers.Dense(3)(inp)
        c = b * 2
        d = K.ops.tanh(c) + b - 1.0
        e = K.ops.concatenate([d, K.ops.mean(c, axis=-1, keepdims=True)], axis=-1)
        return K.Model(inp, e)

    k_model, l_model = _both(build)
    _copy_weights(k_model, l_model)
    x = _x(2, 4)
    np.testing.assert_allclose(np.asarray(l_model(x)), np.asarray(k_model(x)), atol=1e-6)
    assert l_model.output_shape == (None, 4)


class SimpleDense(lamina.Layer):
    """The Keras guide's custom layer, written against lamina."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal",
                                 trainable=True, name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                 name="bias")

    def call(self, inputs):
        return lamina.ops.matmul(inputs, self.w) + self.b


def test_custom_layer_in_sequential_builds_from_first_call():
    model = lamina.Sequential([SimpleDense(4), lamina.layers.Dense(2)])
    assert not model.layers[0].built
    y = model(np.ones((3, 5), "float32"))
    assert y.shape == (3, 2)
    assert model.layers[0].w.shape == (5, 4)
    assert [w.name for w in model.layers[0].weights] == ["kernel", "bias"]


def test_subclassed_model_tracks_layers_in_lists_and_dicts():
    class Tower(lamina.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [lamina.layers.Dense(4, activation="relu"), lamina.layers.Dense(4)]
            self.heads = {"out": lamina.layers.Dense(1)}
            self.dropout = lamina.layers.Dropout(0.5)

        def call(self, x, training=False):
            for block in self.blocks:
                x = block(x)
            return self.heads["out"](self.dropout(x, training=training))

    model = Tower()
    y = model(np.ones((2, 3), "float32"))
    assert y.shape == (2, 1)
    assert model.name == "tower"
    assert [layer.name for layer in model.layers][:2] == [b.name for b in model.blocks]
    assert len(model.trainable_weights) == 6
    assert model.weights[0].path == f"tower/{model.blocks[0].name}/kernel"
    assert model.count_params() == 3 * 4 + 4 + 4 * 4 + 4 + 4 + 1


def test_training_flag_reaches_nested_dropout():
    model = lamina.Sequential([lamina.Input(shape=(100,)), lamina.layers.Dropout(0.5, seed=1)])
    x = np.ones((4, 100), "float32")
    np.testing.assert_array_equal(np.asarray(model(x)), x)
    assert (np.asarray(model(x, training=True)) == 0).any()
    outer = lamina.Sequential([lamina.Input(shape=(100,)), model])
    assert (np.asarray(outer(x, training=True)) == 0).any()
    np.testing.assert_array_equal(np.asarray(outer(x, training=False)), x)


def test_disconnected_graph_is_a_clear_error():
    a, b = lamina.Input(shape=(2,)), lamina.Input(shape=(2,))
    out = lamina.layers.Dense(1)(lamina.layers.add([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        lamina.Model(a, out)


def test_wrong_input_rank_names_the_input_and_shapes():
    inp = lamina.Input(shape=(4, 3), name="seq")
    model = lamina.Model(inp, lamina.layers.Flatten()(inp))
    with pytest.raises(ValueError, match=r"Input 'seq'.*\(None, 4, 3\).*\(2, 12\)"):
        model(np.ones((2, 12), "float32"))
    with pytest.raises(ValueError, match="expects 1 input"):
        model([np.ones((2, 4, 3)), np.ones((2, 4, 3))])


def test_layer_input_output_attributes_after_symbolic_call():
    inp = lamina.Input(shape=(3,))
    dense = lamina.layers.Dense(2)
    out = dense(inp)
    assert dense.input is inp and dense.output is out
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)
    with pytest.raises(AttributeError, match="never been called"):
        lamina.layers.Dense(2).output  # noqa: B018


def test_stateless_call_is_pure_and_differentiable_under_jit():
    model = lamina.Sequential([lamina.Input(shape=(3,)), lamina.layers.Dense(4, activation="tanh"),
                               lamina.layers.Dropout(0.5), lamina.layers.Dense(1)])
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    before = model.get_weights()
    x = _x(5, 3)

    @jax.jit
    def loss(train, non_train, x):
        y, new_non_train = model.stateless_call(train, non_train, x, training=True)
        return jnp.mean(y ** 2), new_non_train

    (value, new_state), grads = jax.value_and_grad(loss, has_aux=True)(trainable, non_trainable, x)
    assert np.isfinite(float(value)) and len(grads) == 4
    # The dropout seed advanced in the returned state, and no Variable was touched.
    assert not np.array_equal(np.asarray(new_state[0]), np.asarray(non_trainable[0]))
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    # Inference through the pure path equals the stateful call.
    y, _ = model.stateless_call(trainable, non_trainable, x)
    np.testing.assert_allclose(np.asarray(y), np.asarray(model(x)), atol=1e-6)


def test_set_random_seed_makes_initialisation_repeatable():
    def weights():
        lamina.utils.set_random_seed(123)
        return tutorial_mlp(lamina).get_weights()

    for a, b in zip(weights(), weights()):
        np.testing.assert_array_equal(a, b)
    lamina.utils.set_random_seed(124)
    assert not np.array_equal(tutorial_mlp(lamina).get_weights()[0], weights()[0])


def test_glorot_initialisation_has_the_keras_scale():
    w = np.asarray(lamina.layers.Dense(300)(np.ones((1, 784), "float32")) * 0 + 0)
    assert w.shape == (1, 300)
    kernel = lamina.layers.Dense(300)
    kernel.build((None, 784))
    limit = np.sqrt(6 / (784 + 300))
    values = np.asarray(kernel.kernel.value)
    assert values.min() >= -limit and values.max() <= limit
    assert abs(values.std() - limit / np.sqrt(3)) < 0.01 * limit


def test_fashion_mlp_weights_have_tutorial_shapes():
    L = lamina.layers
    model = lamina.Sequential([L.Flatten(input_shape=[28, 28]), L.Dense(300, activation="relu"),
                               L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")])
    weights, biases = model.layers[1].get_weights()
    assert weights.shape == (784, 300) and biases.shape == (300,)
    assert (biases == 0).all()


def test_set_weights_checks_count_and_shapes_before_assigning():
    layer = lamina.layers.Dense(2)
    layer.build((None, 3))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r"expects 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"'bias' has shape \(2,\).*\(3,\)"):
        layer.set_weights([np.ones((3, 2)), np.ones(3)])
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)  # nothing half-assigned


def test_model_get_config_round_trip_for_sequential():
    model = tutorial_mlp(lamina)
    clone = lamina.Sequential.from_config(model.get_config())
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    clone.set_weights(model.get_weights())
    x = _x(3, 3)
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), atol=1e-6)
