"""load_model on crafted and mutated files: a model or a clean LoadError, and no code runs."""

import base64
import copy
import json
import marshal
import pathlib
import random
import zipfile

import numpy as np
import pytest

import lamina
from lamina._src.saving.errors import LoadError

FIXTURES = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "keras-fixtures"
SOURCE = FIXTURES / "keras3_jax" / "wide_deep_aux.keras"


def _rewrite(tmp_path, mutate, name="crafted.keras") -> pathlib.Path:
    """A copy of the fixture archive with its config.json passed through `mutate`."""
    src = zipfile.ZipFile(SOURCE)
    config = json.loads(src.read("config.json"))
    config = mutate(config) or config
    out = tmp_path / name
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = json.dumps(config).encode() if item.filename == "config.json" else src.read(item)
            dst.writestr(item, data)
    return out


def _layers(config):
    return config["config"]["layers"]


def _layer(config, name):
    return next(layer for layer in _layers(config) if layer["name"] == name)


def test_marshalled_lambda_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"

    def evil(x):
        open(marker, "w").close()  # noqa: SIM115 - the side effect the test watches for
        return x

    code = base64.b64encode(marshal.dumps(evil.__code__)).decode()

    def mutate(config):
        layer = copy.deepcopy(_layer(config, "dense"))
        layer.update({"class_name": "Lambda", "module": "keras.layers", "name": "evil"})
        layer["config"] = {"name": "evil", "function": {"class_name": "__lambda__",
                           "config": {"code": code, "defaults": None, "closure": None}}}
        _layer(config, "dense")["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["evil", 0, 0]
        layer["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
            "shape": [None, 6], "dtype": "float32", "keras_history": ["deep_input", 0, 0]}}], "kwargs": {}}]
        _layers(config).insert(2, layer)

    path = _rewrite(tmp_path, mutate)
    with pytest.raises(LoadError, match="safe_mode=False"):
        lamina.models.load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize("spec", [
    {"module": "os", "class_name": "system", "config": {"command": "touch {marker}"}},
    {"module": "builtins", "class_name": "eval", "config": {"source": "open('{marker}','w')"}},
    {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", "{marker}"]}},
])
def test_configs_naming_arbitrary_callables_run_nothing(tmp_path, spec):
    marker = tmp_path / "pwned"
    spec = json.loads(json.dumps(spec).replace("{marker}", str(marker)))

    def as_layer(config):
        _layer(config, "dense").update(spec)

    def as_activation(config):
        _layer(config, "dense")["config"]["activation"] = {**spec, "class_name": "function",
                                                       "config": spec["class_name"]}

    for mutate in (as_layer, as_activation):
        with pytest.raises(LoadError):
            lamina.models.load_model(_rewrite(tmp_path, mutate))
        assert not marker.exists()


def test_absurd_declared_sizes_are_refused_before_allocation(tmp_path):
    def mutate(config):
        _layer(config, "dense")["config"]["units"] = 10**9

    with pytest.raises(LoadError, match="declares a weight"):
        lamina.models.load_model(_rewrite(tmp_path, mutate))


def test_dangling_and_cyclic_references(tmp_path):
    def dangling(config):
        _layer(config, "dense_1")["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["nope", 0, 0]

    def cyclic(config):
        _layer(config, "dense")["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["dense_1", 0, 0]

    for mutate in (dangling, cyclic):
        with pytest.raises(LoadError):
            lamina.models.load_model(_rewrite(tmp_path, mutate))


def _mutations(config, rng):
    """Seeded structural mutations of a config: drop keys, change types, shuffle, duplicate."""
    flat = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                flat.append((node, k))
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                flat.append((node, i))
                walk(v, path + [i])

    walk(config, [])
    container, key = rng.choice(flat)
    action = rng.choice(["delete", "null", "string", "huge", "negative", "list", "dict"])
    if action == "delete" and isinstance(container, dict):
        del container[key]
    elif action == "null":
        container[key] = None
    elif action == "string":
        container[key] = "x" * rng.randint(0, 5)
    elif action == "huge":
        container[key] = 10**12
    elif action == "negative":
        container[key] = -3
    elif action == "list":
        container[key] = [container[key], container[key]]
    else:
        container[key] = {"class_name": container[key] if isinstance(container[key], str) else "Dense"}


def test_fuzzed_configs_give_a_model_or_a_load_error(tmp_path):
    rng = random.Random(1234)
    x = [np.zeros((2, 5), "float32"), np.zeros((2, 6), "float32")]
    outcomes = {"model": 0, "error": 0}
    for case in range(60):
        path = _rewrite(tmp_path, lambda c: _mutations(c, rng), name=f"fuzz{case}.keras")
        try:
            model = lamina.models.load_model(path, compile=False)
        except LoadError as e:
            assert str(path) in str(e), f"the error must name the file: {e}"
            outcomes["error"] += 1
            continue
        outcomes["model"] += 1
        try:
            model.predict(x, verbose=0)
        except (ValueError, TypeError):
            pass  # a loaded-but-odd model may refuse these inputs; it must not crash otherwise
    assert outcomes["error"] > 0 and sum(outcomes.values()) == 60
