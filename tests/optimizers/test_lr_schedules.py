"""Learning rate schedules against Keras 3: values at several steps, configs, serialization."""

import numpy as np
import pytest

from lamina.optimizers import schedules

STEPS = [0, 1, 2, 5, 9, 10, 11, 37, 100, 1000]
SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    ("PiecewiseConstantDecay", {"boundaries": [5, 37], "values": [1.0, 0.5, 0.1]}),
    ("PiecewiseConstantDecay", {"boundaries": [2, 10, 100], "values": [0.4, 0.3, 0.2, 0.1]}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True},
    ),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 30,
            "end_learning_rate": 0.01,
            "power": 0.5,
            "cycle": True,
        },
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50, "alpha": 0.1}),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 50, "warmup_target": 0.2, "warmup_steps": 10},
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 10,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.05,
        },
    ),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SCHEDULES)]


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_values_match_keras(keras, name, kwargs):
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    got = [float(ours(np.int32(step))) for step in STEPS]
    want = [float(theirs(np.int32(step))) for step in STEPS]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    assert np.asarray(ours(3)).dtype == np.float32


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_config_and_serialization_match_keras(keras, name, kwargs):
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    envelope = schedules.serialize(ours)
    assert envelope == keras.optimizers.schedules.serialize(theirs)
    restored = schedules.deserialize(envelope)
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()
    assert type(getattr(schedules, name).from_config(ours.get_config())) is type(ours)


def test_schedule_accepts_a_variable_step():
    from lamina._src.backend.variables import Variable

    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    np.testing.assert_allclose(float(schedule(Variable(2, dtype="int32"))), 0.025, rtol=1e-6)


def test_invalid_schedules_raise():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5)
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
