"""lamina.initializers against keras.initializers: configs, lookup, statistics, round trips."""

import jax.numpy as jnp
import numpy as np
import pytest

import lamina.initializers as initializers
from lamina._src.backend.random import SeedGenerator, set_random_seed
from lamina._src.initializers.variance_scaling import TRUNCATED_NORMAL_STDDEV, compute_fans

# (class name, constructor kwargs): defaults and some non-default arguments.
CONFIG_CASES = [
    ("Constant", {}),
    ("Constant", {"value": 3.5}),
    ("Zeros", {}),
    ("Ones", {}),
    ("Identity", {}),
    ("RandomNormal", {}),
    ("RandomNormal", {"mean": 1.0, "stddev": 2.0, "seed": 7}),
    ("RandomUniform", {}),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0, "seed": 2}),
    ("TruncatedNormal", {}),
    ("TruncatedNormal", {"mean": 0.5, "stddev": 0.1, "seed": 1}),
    ("VarianceScaling", {}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform", "seed": 4}),
    ("VarianceScaling", {"distribution": "normal"}),
    ("VarianceScaling", {"mode": "fan_out", "distribution": "untruncated_normal",
                         "input_axes": [0], "output_axes": [1, 2]}),
    ("GlorotUniform", {}),
    ("GlorotUniform", {"seed": 3}),
    ("GlorotNormal", {}),
    ("HeUniform", {}),
    ("HeNormal", {"seed": 1}),
    ("LecunUniform", {}),
    ("LecunNormal", {"seed": 5, "input_axes": [0], "output_axes": [1]}),
    ("Orthogonal", {}),
    ("Orthogonal", {"gain": 2.0, "seed": 9}),
    ("STFT", {}),
    ("STFT", {"side": "imag", "window": "hamming", "scaling": "spectrum", "periodic": True}),
]


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES)
def test_config_matches_keras(keras, name, kwargs):
    ours = getattr(initializers, name)(**kwargs)
    theirs = getattr(keras.initializers, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert initializers.serialize(ours) == keras.initializers.serialize(theirs)


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES)
def test_config_round_trip(name, kwargs):
    original = getattr(initializers, name)(**kwargs)
    restored = initializers.deserialize(initializers.serialize(original))
    assert type(restored) is type(original)
    assert restored.get_config() == original.get_config()
    assert original.clone().get_config() == original.get_config()
    assert type(initializers.get(initializers.serialize(original))) is type(original)


def test_keras_written_configs_load(keras):
    for config in (
        keras.initializers.serialize(keras.initializers.HeNormal(seed=1)),
        {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
         "registered_name": None},  # Keras 3.0-3.7 wrote no input_axes / output_axes
        {"class_name": "VarianceScaling",
         "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": None}},
    ):
        restored = initializers.get(config)
        assert type(restored).__name__ == config["class_name"]


def test_every_keras_name_resolves_to_the_same_class(keras):
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        assert type(initializers.get(name)).__name__ == cls.__name__, name


def test_public_names_match_keras(keras):
    theirs = {n for n in dir(keras.initializers) if not n.startswith("_")}
    ours = {n for n in dir(initializers) if not n.startswith("_")}
    assert theirs <= ours, theirs - ours


def test_get_variants():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    instance = initializers.Zeros()
    assert initializers.get(instance) is instance

    def fn(shape, dtype=None):
        return np.full(shape, 2.0)

    assert initializers.get(fn) is fn
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(initializers.get(value)((2, 3))), value)
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        initializers.get(value)((3, 2))


def test_unknown_name_raises_with_the_name():
    with pytest.raises(ValueError, match="'glorot_unifrom'"):
        initializers.get("glorot_unifrom")


# -- values -------------------------------------------------------------------------------
def test_constant_zeros_ones_identity_match_keras(keras):
    cases = [
        ("Constant", {"value": 0.25}, (3, 4)),
        ("Constant", {"value": np.array([1.0, 2.0, 3.0])}, (2, 3)),
        ("Zeros", {}, (2, 5)),
        ("Ones", {}, (4,)),
        ("Identity", {}, (3, 3)),
        ("Identity", {"gain": 2.0}, (3, 5)),
    ]
    for name, kwargs, shape in cases:
        ours = getattr(initializers, name)(**kwargs)(shape)
        theirs = getattr(keras.initializers, name)(**kwargs)(shape)
        assert ours.dtype == "float32"
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    assert initializers.Zeros()((2,), dtype="int32").dtype == "int32"
    assert initializers.Ones()((2,), dtype="bfloat16").dtype == "bfloat16"


@pytest.mark.parametrize(
    "value", [np.array([1.0, 2.0]), np.array(2.0), np.float32(1.5), [1, 2], "jax"]
)
def test_constant_array_value_config_matches_keras(keras, value):
    if isinstance(value, str):
        value = jnp.asarray([1.0, 2.0])
    ours = initializers.Constant(value)
    assert ours.get_config() == keras.initializers.Constant(value).get_config()
    restored = initializers.Constant.from_config(ours.get_config())
    np.testing.assert_array_equal(np.asarray(restored.value), np.asarray(value))


def test_identity_gain_round_trips_and_rejects_3d():
    assert initializers.Identity(gain=3.0).clone().gain == 3.0
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


@pytest.mark.parametrize(
    "shape, axes",
    [((), None), ((7,), None), ((5, 3), None), ((3, 4, 6), None), ((3, 3, 16, 32), None),
     ((2, 3, 3, 4, 5), None), ((4, 6, 8), ([0], [1, 2]))],
)
def test_fans_match_keras(shape, axes):
    from keras.src.initializers.random_initializers import compute_fans as keras_fans

    kwargs = {} if axes is None else {"input_axes": axes[0], "output_axes": axes[1]}
    assert compute_fans(shape, **kwargs) == keras_fans(shape, **kwargs)


def _fan(shape, mode):
    fan_in, fan_out = compute_fans(shape)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


# (initializer, shape, expected mean, expected std, largest |value - mean| allowed or None)
SHAPE_2D = (300, 200)
CONV = (3, 3, 40, 60)
STAT_CASES = [
    (initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1), SHAPE_2D, 1.0, 0.5, None),
    (initializers.RandomUniform(-2.0, 1.0, seed=1), SHAPE_2D, -0.5, 3 / np.sqrt(12), 1.5),
    (initializers.TruncatedNormal(mean=0.0, stddev=0.2, seed=1), SHAPE_2D, 0.0,
     0.2 * TRUNCATED_NORMAL_STDDEV, 0.4),
    (initializers.GlorotUniform(seed=1), SHAPE_2D, 0.0,
     np.sqrt(1 / _fan(SHAPE_2D, "fan_avg")), np.sqrt(3 / _fan(SHAPE_2D, "fan_avg"))),
    (initializers.GlorotNormal(seed=1), CONV, 0.0, np.sqrt(1 / _fan(CONV, "fan_avg")),
     2 * np.sqrt(1 / _fan(CONV, "fan_avg")) / TRUNCATED_NORMAL_STDDEV),
    (initializers.HeNormal(seed=1), CONV, 0.0, np.sqrt(2 / _fan(CONV, "fan_in")), None),
    (initializers.HeUniform(seed=1), CONV, 0.0, np.sqrt(2 / _fan(CONV, "fan_in")),
     np.sqrt(6 / _fan(CONV, "fan_in"))),
    (initializers.LecunNormal(seed=1), SHAPE_2D, 0.0, np.sqrt(1 / SHAPE_2D[0]), None),
    (initializers.LecunUniform(seed=1), SHAPE_2D, 0.0, np.sqrt(1 / SHAPE_2D[0]), None),
    (initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=1), CONV, 0.0,
     np.sqrt(3 / _fan(CONV, "fan_out")), None),
]


@pytest.mark.parametrize("init, shape, mean, std, bound", STAT_CASES)
def test_random_statistics_follow_the_formula(init, shape, mean, std, bound):
    values = np.asarray(init(shape), dtype=np.float64)
    assert values.shape == shape
    assert abs(values.mean() - mean) < 0.02 * std + 1e-3
    assert abs(values.std() / std - 1) < 0.02
    if bound is not None:
        assert np.abs(values - mean).max() <= bound * (1 + 1e-6)


def test_statistics_agree_with_keras_draws(keras):
    # Different generators, same distribution: the std of large draws must agree. One case
    # only, the subtle one (the truncation correction): Keras compiles a sampler per shape.
    for name in ("HeNormal",):
        ours = np.asarray(getattr(initializers, name)(seed=3)((3, 3, 32, 48))).std()
        theirs = np.asarray(getattr(keras.initializers, name)(seed=3)((3, 3, 32, 48))).std()
        assert abs(ours / theirs - 1) < 0.05, name


@pytest.mark.parametrize("shape", [(6, 4), (3, 5), (3, 3, 4, 8), (5, 5)])
def test_orthogonal(shape):
    values = np.asarray(initializers.Orthogonal(gain=1.5, seed=2)(shape), dtype=np.float64)
    assert values.shape == shape
    matrix = values.reshape(-1, shape[-1]) / 1.5
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-5)
    with pytest.raises(ValueError, match="rank 2"):
        initializers.Orthogonal()((4,))


def test_seeds():
    a = initializers.GlorotUniform(seed=11)
    np.testing.assert_array_equal(np.asarray(a((4, 5))), np.asarray(a((4, 5))))
    np.testing.assert_array_equal(
        np.asarray(a((4, 5))), np.asarray(initializers.GlorotUniform(seed=11)((4, 5)))
    )
    assert not np.array_equal(
        np.asarray(a((4, 5))), np.asarray(initializers.GlorotUniform(seed=12)((4, 5)))
    )

    generator_seeded = initializers.RandomNormal(seed=SeedGenerator(5))
    assert not np.array_equal(
        np.asarray(generator_seeded((3,))), np.asarray(generator_seeded((3,)))
    )
    restored = initializers.deserialize(initializers.serialize(generator_seeded))
    assert isinstance(restored.seed, SeedGenerator)

    unseeded = initializers.RandomUniform()
    set_random_seed(123)
    first = np.asarray(unseeded((6,)))
    second = np.asarray(unseeded((6,)))
    set_random_seed(123)
    np.testing.assert_array_equal(np.asarray(unseeded((6,))), first)
    assert not np.array_equal(first, second)

    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")


def test_dtypes():
    init = initializers.HeNormal(seed=0)
    for dtype in ("float16", "bfloat16", "float32"):
        assert init((3, 3), dtype=dtype).dtype == dtype
    with pytest.raises(ValueError, match="int32"):
        init((3, 3), dtype="int32")


def test_variance_scaling_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"side": "imag"}, {"window": "hamming", "periodic": True}, {"scaling": "spectrum"},
     {"window": "blackman", "scaling": None}, {"window": "bartlett"}, {"window": None}],
)
def test_stft_matches_keras(keras, kwargs):
    shape = (16, 1, 9)
    ours = initializers.STFT(**kwargs)(shape)
    theirs = keras.initializers.STFT(**kwargs)(shape)
    # Keras forms the angles in float32 (errors up to ~2e-6); lamina in float64, then rounds.
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=5e-6)
