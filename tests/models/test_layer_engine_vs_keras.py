"""The Layer engine against Keras 3: auto-captured constructor arguments (`get_config` of a
custom layer that does not override it), the Variable API, `add_loss`, `model.inputs` /
`outputs`, and the input-shape keyword arguments of a layer."""

import numpy as np
import pytest

import lamina


def _custom_layers(K):
    """The same custom layers, written against lamina or keras."""

    class WithKwargs(K.layers.Layer):
        def __init__(self, units=32, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

        def call(self, x):
            return K.ops.matmul(x, self.w)

    class NoKwargs(K.layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

    class NamedNoKwargs(K.layers.Layer):
        def __init__(self, units, name=None, sizes=(2, 3), table=None):
            super().__init__(name=name)
            self.units = units

    class TakesObject(K.layers.Layer):
        def __init__(self, init=None, **kwargs):
            super().__init__(**kwargs)
            self.init = init

    class VarArgs(K.layers.Layer):
        def __init__(self, *args, **kwargs):
            super().__init__(**kwargs)

    class OwnConfig(K.layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def get_config(self):
            return {**super().get_config(), "u": self.units}

    return {c.__name__: c for c in (WithKwargs, NoKwargs, NamedNoKwargs, TakesObject, VarArgs,
                                    OwnConfig)}


def _both(keras, fn):
    return fn(keras), fn(lamina)


CONFIG_CASES = [
    ("WithKwargs", (4,), {}),
    ("WithKwargs", (4,), {"name": "x", "trainable": False, "dtype": "float64"}),
    ("WithKwargs", (), {"activation": "tanh", "input_shape": (3,)}),
    ("NoKwargs", (4,), {}),
    ("NamedNoKwargs", (3,), {"table": {"a": [1, None]}}),
    ("OwnConfig", (5,), {"name": "own"}),
    ("VarArgs", (), {}),
]


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")
@pytest.mark.parametrize("cls,args,kwargs", CONFIG_CASES)
def test_auto_config_matches_keras(keras, cls, args, kwargs):
    def config(K):
        K.backend.clear_session()
        layer = _custom_layers(K)[cls](*args, **kwargs)
        return layer.get_config()

    expected, got = _both(keras, config)
    assert got == expected


def test_from_config_round_trip_restores_arguments(keras):
    def round_trip(K):
        K.backend.clear_session()
        layer_class = _custom_layers(K)["WithKwargs"]
        original = layer_class(4, activation="tanh", name="custom")
        restored = layer_class.from_config(original.get_config())
        return restored.units, restored.name, restored.get_config() == original.get_config()

    expected, got = _both(keras, round_trip)
    assert got == expected == (4, "custom", True)


def test_from_config_without_kwargs_raises_type_error_as_keras(keras):
    # Without **kwargs (or with `name` but no **kwargs) the config still carries `trainable`
    # and `dtype`, which such an __init__ cannot take: Keras raises, and so does lamina.
    for K in (keras, lamina):
        for cls in ("NoKwargs", "NamedNoKwargs"):
            layer_class = _custom_layers(K)[cls]
            with pytest.raises(TypeError, match="unexpected keyword argument 'trainable'"):
                layer_class.from_config(layer_class(4).get_config())


@pytest.mark.parametrize("cls,make_args", [
    ("TakesObject", lambda K: ((), {"init": K.initializers.Ones()})),
    ("VarArgs", lambda K: ((1,), {})),
])
def test_uncapturable_arguments_raise_not_implemented_as_keras(keras, cls, make_args):
    for K in (keras, lamina):
        args, kwargs = make_args(K)
        layer = _custom_layers(K)[cls](*args, **kwargs)
        with pytest.raises(NotImplementedError, match="get_config"):
            layer.get_config()


def test_builtin_layers_keep_their_own_config(keras):
    # Dense overrides get_config: an initializer object is serialized, never auto-captured.
    def config(K):
        return K.layers.Dense(3, kernel_initializer=K.initializers.Ones(), name="d").get_config()

    expected, got = _both(keras, config)
    assert got["kernel_initializer"] == expected["kernel_initializer"]
    assert {k: got[k] for k in ("name", "units", "trainable", "dtype")} == \
        {k: expected[k] for k in ("name", "units", "trainable", "dtype")}


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_custom_layer_in_saved_model_reloads_with_its_arguments(tmp_path, kind):
    layer_class = _custom_layers(lamina)["WithKwargs"]
    if kind == "sequential":
        model = lamina.Sequential([lamina.Input((3,)), layer_class(4), lamina.layers.Dense(2)])
    else:
        x = lamina.Input((3,))
        model = lamina.Model(x, lamina.layers.Dense(2)(layer_class(5, name="custom")(x)))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = lamina.saving.load_model(path, custom_objects={"WithKwargs": layer_class})
    assert [getattr(layer, "units", None) for layer in restored.layers] == \
        [getattr(layer, "units", None) for layer in model.layers]
    data = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(np.asarray(restored(data)), np.asarray(model(data)), rtol=1e-6)


# -- the Variable API --------------------------------------------------------------------------
def test_variable_api_matches_keras(keras):
    def run(K):
        v = K.Variable(np.zeros(3, "float32"), name="x", trainable=False)
        trace = [v.name, v.trainable, tuple(v.shape), str(v.dtype)]
        v.assign(np.array([1.0, 2.0, 3.0], "float32"))
        trace.append(np.asarray(v).tolist())
        v.assign_add(np.ones(3, "float32"))
        trace.append(np.array(v.numpy()).tolist())
        v.assign_sub(np.full(3, 0.5, "float32"))
        trace.append(np.asarray(v).tolist())
        v.trainable = True
        trace.append(v.trainable)
        trace.append(np.asarray(v * 2).tolist())  # arithmetic reads the value
        return trace

    expected, got = _both(keras, run)
    assert got == expected


def test_layer_weight_variables_match_keras(keras):
    def run(K):
        K.backend.clear_session()
        dense = K.layers.Dense(2, name="dense")
        dense.build((None, 3))
        dense.kernel.assign(np.ones((3, 2), "float32"))
        return (dense.kernel.name, dense.kernel.path, dense.bias.path, dense.kernel.trainable,
                float(np.asarray(dense.kernel).sum()))

    expected, got = _both(keras, run)
    assert got == expected


# -- losses, model inputs / outputs, input keyword arguments ------------------------------------
def test_add_loss_in_custom_layer_matches_keras(keras):
    def run(K):
        class Penalised(K.layers.Layer):
            def call(self, x):
                self.add_loss(K.ops.sum(x) * 0.5)
                return x * 2

        layer = Penalised()
        layer(np.ones((2, 2), "float32"))
        first = [float(loss) for loss in layer.losses]
        layer(np.full((2, 2), 3.0, "float32"))  # losses are reset at each outer call
        model = K.Sequential([K.Input((2,)), Penalised()])
        model(np.ones((1, 2), "float32"))
        return first, [float(loss) for loss in layer.losses], [float(x) for x in model.losses]

    expected, got = _both(keras, run)
    assert got == expected


def test_model_inputs_outputs_match_keras(keras):
    def run(K):
        K.backend.clear_session()
        a, b = K.Input((2,), name="a"), K.Input((3,), name="b")
        h = K.layers.Dense(4, name="h")(K.layers.Concatenate()([a, b]))
        model = K.Model([a, b], [K.layers.Dense(1, name="o1")(h), K.layers.Dense(2, name="o2")(h)])
        return ([x.name for x in model.inputs], [tuple(x.shape) for x in model.inputs],
                [tuple(x.shape) for x in model.outputs], model.input_shape, model.output_shape)

    expected, got = _both(keras, run)
    assert got == expected


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")
@pytest.mark.parametrize("kwargs", [{"input_shape": (3,)}, {"input_dim": 3}])
def test_input_shape_kwargs_match_keras(keras, kwargs):
    def run(K):
        model = K.Sequential([K.layers.Dense(2, **kwargs), K.layers.Dense(1)])
        return model.input_shape, model.output_shape, len(model.weights)

    expected, got = _both(keras, run)
    assert got == expected


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")
def test_batch_size_kwarg_is_accepted_as_in_tf_keras(keras):
    # Keras 3 rejects `batch_size` on a layer; tf.keras 2 (and the issue) accept it with
    # `input_shape`, fixing the batch dimension of the implied Input. lamina follows tf.keras 2.
    with pytest.raises(ValueError, match="batch_size"):
        keras.layers.Dense(2, input_shape=(3,), batch_size=5)
    model = lamina.Sequential([lamina.layers.Dense(2, input_shape=(3,), batch_size=5)])
    assert model.input_shape == (5, 3)
    assert model.output_shape == (5, 2)
