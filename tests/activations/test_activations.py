"""lamina.activations against keras.activations (JAX backend) on the same inputs."""

import jax
import numpy as np
import pytest

import lamina.activations as activations
from lamina._src.ops.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
X = (RNG.standard_normal((4, 6)) * 3).astype("float32")

# Every name keras.activations.get accepts in Keras 3.15.
NAMES = [
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink",
]


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras_by_name(keras, name):
    ours, theirs = activations.get(name), keras.activations.get(name)
    np.testing.assert_allclose(np.asarray(ours(X)), np.asarray(theirs(X)), atol=1e-6, rtol=1e-6)
    assert ours.__name__ == theirs.__name__
    assert activations.serialize(ours) == keras.activations.serialize(theirs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"negative_slope": 0.1},
        {"max_value": 6},
        {"max_value": 2.5},
        {"threshold": 0.5},
        {"negative_slope": 0.3, "max_value": 4.0, "threshold": 1.0},
        {"negative_slope": 0.2, "threshold": -1.0},
    ],
)
def test_relu_arguments_match_keras(keras, kwargs):
    np.testing.assert_allclose(
        np.asarray(activations.relu(X, **kwargs)),
        np.asarray(keras.activations.relu(X, **kwargs)),
        atol=1e-6,
    )


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("softmax", {"axis": 0}),
        ("log_softmax", {"axis": 0}),
        ("elu", {"alpha": 0.5}),
        ("leaky_relu", {"negative_slope": 0.01}),
        ("gelu", {"approximate": True}),
        ("celu", {"alpha": 2.0}),
        ("glu", {"axis": 0}),
        ("squareplus", {"b": 1}),
        ("soft_shrink", {"threshold": 1.0}),
        ("hard_shrink", {"threshold": 1.0}),
        ("threshold", {"threshold": 0.3, "default_value": -1.0}),
        ("sparsemax", {"axis": 0}),
    ],
)
def test_arguments_match_keras(keras, name, kwargs):
    ours = getattr(activations, name)(X, **kwargs)
    theirs = getattr(keras.activations, name)(X, **kwargs)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)


@pytest.mark.parametrize("name", ["relu", "gelu", "silu", "softmax", "mish", "elu", "selu"])
def test_gradients_match_keras(keras, name):
    def total(fn):
        return lambda x: (fn(x) * np.arange(X.size, dtype="float32").reshape(X.shape)).sum()

    ours = jax.grad(total(getattr(activations, name)))(X)
    theirs = jax.grad(total(getattr(keras.activations, name)))(X)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-5, rtol=1e-6)


def test_aliases_are_the_same_function():
    assert activations.swish is activations.silu
    assert activations.get("swish") is activations.silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.get("hard_swish")) == "hard_silu"


def test_get_none_callable_and_dict():
    assert activations.get(None) is activations.linear

    def mine(x):
        return x

    assert activations.get(mine) is mine
    envelope = {"module": "builtins", "class_name": "function", "config": "relu",
                "registered_name": "function"}
    assert activations.get(envelope) is activations.relu
    assert activations.deserialize("softmax") is activations.softmax


def test_unknown_name_raises_with_the_name():
    with pytest.raises(ValueError, match="'no_such_activation'"):
        activations.get("no_such_activation")
    with pytest.raises(ValueError, match="relu"):  # the message lists the valid names
        activations.get("no_such_activation")


def test_object_with_get_config_serializes_to_envelope():
    class Scaled:
        def __init__(self, factor=2.0):
            self.factor = factor

        def __call__(self, x):
            return self.factor * x

        def get_config(self):
            return {"factor": self.factor}

    config = activations.serialize(Scaled(3.0))
    assert config["class_name"] == "Scaled"
    assert config["config"] == {"factor": 3.0}


def test_registered_custom_function_round_trips(keras):
    from lamina._src.saving.registry import register_keras_serializable

    @register_keras_serializable(package="lamina_tests")
    def doubled(x):
        return 2 * x

    config = activations.serialize(doubled)
    assert config == {"module": "builtins", "class_name": "function",
                      "config": "lamina_tests>doubled", "registered_name": "function"}
    assert activations.deserialize(config) is doubled
    assert activations.get("lamina_tests>doubled") is doubled


def test_symbolic_inputs_give_symbolic_outputs():
    x = KerasTensor((None, 5), dtype="float32")
    for name in ("relu", "softmax", "gelu", "mish", "exponential", "tanh"):
        y = activations.get(name)(x)
        assert isinstance(y, KerasTensor), name
        assert y.shape == (None, 5)
    y = activations.relu(x, max_value=1.0)
    assert isinstance(y, KerasTensor)
    assert activations.linear(x) is x


def test_public_names_match_keras(keras):
    from keras.src.activations import ALL_OBJECTS_DICT

    assert sorted(ALL_OBJECTS_DICT) == sorted([*NAMES, "threshold"])  # threshold needs args
    missing = {n for n in dir(keras.activations) if not n.startswith("_")} - set(dir(activations))
    assert not missing, missing
