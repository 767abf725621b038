"""lamina.regularizers and lamina.constraints against Keras: values, configs, lookup."""

import jax.numpy as jnp
import numpy as np
import pytest

import lamina.constraints as constraints
import lamina.regularizers as regularizers

RNG = np.random.default_rng(2)
W = RNG.standard_normal((5, 4)).astype("float32")
W3 = RNG.standard_normal((3, 3, 2)).astype("float32")

REGULARIZER_CASES = [
    ("L1", {}),
    ("L1", {"l1": 0.3}),
    ("L2", {}),
    ("L2", {"l2": 0.002}),
    ("L1L2", {}),
    ("L1L2", {"l1": 0.1, "l2": 0.2}),
    ("L1L2", {"l2": 0.5}),
    ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
]


@pytest.mark.parametrize("name, kwargs", REGULARIZER_CASES)
def test_regularizer_matches_keras(keras, name, kwargs):
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    # Keras regularizes backend tensors (its numpy path for OrthogonalRegularizer differs).
    np.testing.assert_allclose(float(ours(W)), float(theirs(jnp.asarray(W))), rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    restored = regularizers.deserialize(regularizers.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()


def test_regularizer_names(keras):
    from keras.src.regularizers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        assert type(regularizers.get(name)).__name__ == cls.__name__, name
    assert regularizers.get("l1").get_config() == {"l1": pytest.approx(0.01)}
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get({"class_name": "L2", "config": {"l2": 0.1}}), regularizers.L2)
    l2 = regularizers.L2()
    assert regularizers.get(l2) is l2
    with pytest.raises(ValueError, match="'l3'"):
        regularizers.get("l3")


def test_regularizer_validation():
    with pytest.raises(ValueError, match="l1"):
        regularizers.L1(-1.0)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="2D"):
        regularizers.OrthogonalRegularizer()(W3)


CONSTRAINT_CASES = [
    ("MaxNorm", {}),
    ("MaxNorm", {"max_value": 1.0, "axis": 1}),
    ("MaxNorm", {"max_value": 0.5, "axis": [0, 1]}),
    ("NonNeg", {}),
    ("UnitNorm", {}),
    ("UnitNorm", {"axis": -1}),
    ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5, "rate": 0.3, "axis": 1}),
]


@pytest.mark.parametrize("name, kwargs", CONSTRAINT_CASES)
def test_constraint_matches_keras(keras, name, kwargs):
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    for w in (W, W3, 3 * W):
        np.testing.assert_allclose(np.asarray(ours(w)), np.asarray(theirs(w)), rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert constraints.serialize(ours) == keras.constraints.serialize(theirs)
    restored = constraints.deserialize(constraints.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()


def test_constraint_names(keras):
    from keras.src.constraints import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        assert type(constraints.get(name)).__name__ == cls.__name__, name
    assert constraints.get(None) is None
    base = constraints.Constraint()
    np.testing.assert_array_equal(base(W), W)
    with pytest.raises(ValueError, match="'max_nrom'"):
        constraints.get("max_nrom")


def test_public_names_match_keras(keras):
    for ours, theirs in ((regularizers, keras.regularizers), (constraints, keras.constraints)):
        missing = {n for n in dir(theirs) if not n.startswith("_")} - set(dir(ours))
        assert not missing, missing
