"""Config-level attacks on load_model (shared/docs/loading-security.md cases 3, 8, 11, 15, 16).

Each crafted file is a real Keras fixture with its config patched: the attack is refused with a
LoadError naming the problem and nothing runs or is allocated, while the legitimate form of the
same feature still loads and predicts like real Keras.
"""

import base64
import json
import marshal
import tracemalloc

import h5py
import malicious_files as mf
import numpy as np
import pytest
from test_fixtures import SimpleDense, _assert_predicts

import lamina
from lamina._src.saving import registry
from lamina._src.saving.errors import LoadError, UnsafeFileError

SEED = mf.FIXTURES / "keras3_jax" / "seed_mlp.keras"
FASHION = mf.FIXTURES / "keras3_jax" / "fashion_mlp.keras"
FASHION_H5 = mf.FIXTURES / "keras3_jax" / "fashion_mlp.h5"


def _patched(folder, mutate, source=SEED, name="crafted.keras"):
    """A copy of the `.keras` fixture `source` whose config.json went through `mutate`."""
    members = mf.keras_members(source)
    config = json.loads(dict(members)["config.json"])
    mutate(config)
    patched = json.dumps(config).encode()
    return mf.write_zip(folder / name, [(n, patched if n == "config.json" else d) for n, d in members])


def _insert_after_input(config, layer):
    config["config"]["layers"].insert(1, layer)


def _numpy(value, dtype, kind="__numpy__"):
    return {"class_name": kind, "config": {"value": value, "dtype": dtype}}


def _rescaling(scale, offset=0.0):
    return {"module": "keras.layers", "class_name": "Rescaling", "registered_name": None,
            "config": {"name": "rescaling", "trainable": True, "dtype": "float32",
                       "scale": scale, "offset": offset}}


def _constant_kernel(config, value):
    dense = config["config"]["layers"][1]
    dense["config"]["kernel_initializer"] = {"module": "keras.initializers",
                                             "class_name": "Constant", "registered_name": None,
                                             "config": {"value": value}}


def _lambda(function, name="lam"):
    return {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": name, "trainable": True, "dtype": "float32", "function": function,
                       "arguments": {}}}


def _keras_load(keras, path):
    return keras.saving.load_model(path, compile=False)


def _x():
    return np.load(mf.FIXTURES / "keras3_jax" / "seed_mlp.npz")["x"]


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    """A callable class in lamina's callbacks table whose construction writes a marker file."""
    marker = tmp_path / "pwned"

    class Touch(lamina.callbacks.Callback):
        def __init__(self, *args, **kwargs):
            marker.write_text("ran")

    monkeypatch.setitem(registry._BUILTINS["callbacks"], "Touch", Touch)
    return marker


# -- 15/16: __numpy__ / __tensor__ values --------------------------------------------------------
BAD_DTYPES = ["O", "object", "V10", "(20000000,)f8", "f8,i4", "<U8", "S4", "M8[s]", None, 7]


@pytest.mark.parametrize("dtype", BAD_DTYPES)
def test_config_arrays_refuse_non_numeric_dtypes_without_allocating(tmp_path, dtype):
    # The dtype bomb: one number with dtype "(20000000,)f8" would become 160 MB.
    lamina.models.load_model(SEED)  # warm up imports, so only the crafted load is traced
    for where in ("rescaling", "constant"):
        def mutate(config, where=where):
            value = _numpy([1.0, 2.0, 3.0], dtype)
            if where == "rescaling":
                _insert_after_input(config, _rescaling(value))
            else:
                _constant_kernel(config, value)

        path = _patched(tmp_path, mutate, name=f"{where}.keras")
        tracemalloc.start()
        try:
            with pytest.raises(LoadError, match="dtype .* is not allowed") as info:
                lamina.models.load_model(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 * 2**20, f"{where}, dtype {dtype!r}: {peak:,} bytes traced"
        expected = ("Layer 'rescaling' (Rescaling): Refusing to load the `scale` of a Rescaling"
                    if where == "rescaling" else "Refusing to load the `value` of a Constant")
        assert expected in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0]], ["a", "b"], [1.0, None], [{"x": 1}],
                                   "1.0"])
def test_config_arrays_refuse_ragged_or_non_numeric_values(tmp_path, value):
    path = _patched(tmp_path, lambda c: _insert_after_input(c, _rescaling(_numpy(value, "float32"))))
    with pytest.raises(UnsafeFileError, match="Layer 'rescaling' .* the `scale` of a Rescaling"
                       ) as info:
        lamina.models.load_model(path)
    assert str(info.value).startswith(str(path))


def test_config_array_larger_than_the_budget_is_refused(tmp_path):
    # 16: 1.1e6 complex128 elements (17.6 MB) in a model whose weights are a few KB (the budget
    # is the stored bytes plus 16 MiB).
    big = [[0] * 1100] * 1000
    path = _patched(tmp_path, lambda c: _insert_after_input(c, _rescaling(_numpy(big, "complex128",
                                                                                  "__tensor__"))))
    with pytest.raises(LoadError, match=r"\(1000, 1100\) \(17,600,000 bytes\)") as info:
        lamina.models.load_model(path)
    assert str(path) in str(info.value)


def test_numeric_config_arrays_still_load_like_keras(tmp_path, keras):
    scale = [0.5, 2.0, -1.0]
    kernel = np.linspace(-1, 1, 3 * 32).reshape(3, 32).tolist()

    def mutate(config):
        _constant_kernel(config, _numpy(kernel, "float32", "__tensor__"))
        _insert_after_input(config, _rescaling(_numpy(scale, "float32"), _numpy(0.25, "float64")))

    path = _patched(tmp_path, mutate)
    model = lamina.models.load_model(path)
    rescaling, dense = model.layers[0], model.layers[1]
    np.testing.assert_array_equal(rescaling.scale, np.float32(scale))
    assert rescaling.scale.dtype == np.float32 and rescaling.offset == 0.25
    np.testing.assert_array_equal(np.asarray(dense.kernel_initializer.value), np.float32(kernel))
    x = _x()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               _keras_load(keras, path).predict(x, verbose=0), rtol=1e-5, atol=1e-6)


# -- 8: Lambda may only name activations and ops -----------------------------------------------
@pytest.mark.parametrize("function", [
    "Touch",
    {"module": "builtins", "class_name": "function", "config": "Touch", "registered_name": "function"},
    {"module": "keras.callbacks", "class_name": "Touch", "config": {}, "registered_name": None},
    {"module": "builtins", "class_name": "function", "config": "x", "registered_name": "pkg>Touch"},
    "CSVLogger", "ModelCheckpoint", "Sequential", "Dense", "MeanSquaredError", "load_model",
    "get_file", "enable_unsafe_deserialization", "zeros",
])
def test_lambda_naming_a_non_op_callable_is_refused(tmp_path, sentinel, function):
    path = _patched(tmp_path, lambda c: _insert_after_input(c, _lambda(function)))
    with pytest.raises(LoadError, match="Lambda layer 'lam' names the function .* not a lamina "
                                        "activation or tensor op"):
        lamina.models.load_model(path)
    assert not sentinel.exists()


def test_lambda_naming_an_op_or_activation_loads_and_predicts_like_keras(tmp_path, keras):
    # What Keras 3 writes for `Lambda(keras.ops.sin)`; then an activation in lamina's own form.
    sin = {"module": "builtins", "class_name": "function", "config": "sin",
           "registered_name": "function"}
    relu = {"module": "keras.activations", "class_name": "function", "config": "relu",
            "registered_name": "function"}

    def mutate(config):
        _insert_after_input(config, _lambda(relu, "relu"))
        _insert_after_input(config, _lambda(sin, "sin"))

    model = lamina.models.load_model(_patched(tmp_path, mutate))
    x = _x()
    expected = _keras_load(keras, SEED).predict(np.maximum(np.sin(x), 0), verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_lambda_of_a_lamina_op_round_trips_in_safe_mode(tmp_path):
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, lamina.layers.Lambda(lamina.ops.square)(inputs))
    model.save(tmp_path / "square.keras")
    loaded = lamina.models.load_model(tmp_path / "square.keras")
    x = _x()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.square(x.astype(np.float64)),
                               rtol=1e-6)


def test_lambda_naming_a_custom_function_loads(tmp_path):
    def double(x):
        return x * 2.0

    function = {"module": "builtins", "class_name": "function", "config": "double",
                "registered_name": "function"}
    path = _patched(tmp_path, lambda c: _insert_after_input(c, _lambda(function)))
    with pytest.raises(LoadError):
        lamina.models.load_model(path)
    model = lamina.models.load_model(path, custom_objects={"double": double})
    assert model.layers[0].function is double


# -- 3: lambdas and unknown callables in the training configuration -----------------------------
def _marshalled(marker):
    def evil(y_true, y_pred, _marker=str(marker)):
        open(_marker, "w").close()  # noqa: SIM115 - the side effect the test watches for
        return y_pred

    return base64.b64encode(marshal.dumps(evil.__code__)).decode()


def _with_compile_entry(config, key, entry):
    config["compile_config"][key] = entry


@pytest.mark.parametrize("key", ["loss", "metrics"])
def test_lambda_in_compile_config_refuses_the_load(tmp_path, key):
    marker = tmp_path / "pwned"
    entry = {"class_name": "__lambda__", "config": {"value": [_marshalled(marker), None, None]}}
    path = _patched(tmp_path, lambda c: _with_compile_entry(c, key, [entry] if key == "metrics"
                                                              else entry), source=FASHION)
    with pytest.raises(UnsafeFileError, match=r"(?s)training configuration.*lambda.*custom_objects"):
        lamina.models.load_model(path)
    assert not marker.exists()
    model = lamina.models.load_model(path, compile=False)  # the section is skipped uninterpreted
    assert not model.compiled and not marker.exists()


@pytest.mark.parametrize("entry", [
    "<lambda>",
    "my_loss",
    {"module": "builtins", "class_name": "function", "config": "my_loss",
     "registered_name": "function"},
    {"module": None, "class_name": "MyLoss", "config": {}, "registered_name": "pkg>MyLoss"},
])
def test_unknown_loss_in_compile_config_refuses_the_load(tmp_path, entry):
    path = _patched(tmp_path, lambda c: _with_compile_entry(c, "loss", entry), source=FASHION)
    with pytest.raises(UnsafeFileError, match="is unknown|cannot be loaded safely") as info:
        lamina.models.load_model(path)
    assert str(path) in str(info.value) and "custom_objects" in str(info.value)


def test_custom_loss_in_compile_config_loads_with_custom_objects(tmp_path):
    def my_loss(y_true, y_pred):
        return lamina.losses.sparse_categorical_crossentropy(y_true, y_pred)

    entry = {"module": "builtins", "class_name": "function", "config": "my_loss",
             "registered_name": "function"}
    path = _patched(tmp_path, lambda c: _with_compile_entry(c, "loss", entry), source=FASHION)
    model = lamina.models.load_model(path, custom_objects={"my_loss": my_loss})
    assert model.compiled and model._compile_config["loss"] is my_loss


def test_benign_compile_failure_still_only_warns(tmp_path):
    def mutate(config):
        config["compile_config"]["optimizer"]["config"]["no_such_argument"] = 1

    path = _patched(tmp_path, mutate, source=FASHION)
    with pytest.warns(UserWarning, match="loaded uncompiled"):
        model = lamina.models.load_model(path)
    assert not model.compiled


def test_lambda_in_legacy_training_config_refuses_the_load(tmp_path):
    marker = tmp_path / "pwned"
    path = mf.copy_fixture(tmp_path, FASHION_H5, "training_config.h5")
    with h5py.File(path, "a") as f:
        training = json.loads(f.attrs["training_config"])
        training["loss"] = {"class_name": "__lambda__",
                            "config": {"value": [_marshalled(marker), None, None]}}
        f.attrs["training_config"] = json.dumps(training)
    with pytest.raises(UnsafeFileError, match="training configuration"):
        lamina.models.load_model(path)
    assert not marker.exists()


# -- 11: registered_name must resolve ------------------------------------------------------------
@pytest.mark.parametrize("registered", ["pkg>Evil", "Evil", "Custom>Evil", 3])
def test_unresolved_registered_name_is_refused_not_replaced(tmp_path, registered):
    def mutate(config):
        config["config"]["layers"][1]["registered_name"] = registered

    path = _patched(tmp_path, mutate)
    with pytest.raises(LoadError, match="registered_name") as info:
        lamina.models.load_model(path)
    assert str(path) in str(info.value)


def test_matching_registered_name_still_loads(tmp_path):
    # The fixture's custom layer is registered as "fixtures>SimpleDense" (test_fixtures).
    assert registry.get_registered_object("fixtures>SimpleDense") is SimpleDense
    model = lamina.models.load_model(mf.FIXTURES / "keras3_jax" / "custom_layer.keras")
    assert any(isinstance(layer, SimpleDense) for layer in model.layers)
    _assert_predicts(model, "keras3_jax", "custom_layer")

    def mutate(config):  # a built-in whose registered_name equals its class_name
        config["config"]["layers"][1]["registered_name"] = "Dense"

    model = lamina.models.load_model(_patched(tmp_path, mutate))
    _assert_predicts(model, "keras3_jax", "seed_mlp")


def test_registered_name_resolves_through_custom_objects(tmp_path):
    members = dict(mf.keras_members(mf.FIXTURES / "keras3_jax" / "custom_layer.keras"))
    config = json.loads(members["config.json"])
    assert any(layer.get("registered_name") == "fixtures>SimpleDense"
               for layer in config["config"]["layers"])
    registry.get_custom_objects().pop("fixtures>SimpleDense")
    try:
        source = mf.FIXTURES / "keras3_jax" / "custom_layer.keras"
        with pytest.raises(LoadError, match="fixtures>SimpleDense"):
            lamina.models.load_model(source)
        model = lamina.models.load_model(source,
                                         custom_objects={"fixtures>SimpleDense": SimpleDense})
        _assert_predicts(model, "keras3_jax", "custom_layer")
    finally:
        lamina.saving.register_keras_serializable(package="fixtures")(SimpleDense)
