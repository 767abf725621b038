"""Seeded fuzz of the whole loader: mutated fixture files go through `load_model` + `predict`.

Each outcome must be a working model or lamina's `LoadError` naming the file: never a hang, a
crash or another exception type. The mutated files are made here; one child process loads them
all (a crash or a hang inside HDF5 or JAX then fails this test, not the session), under a 30 s
alarm per file and a 300 s overall timeout (the ~70 files take about 25 s in all). Every case
is named by its seed, so a failure reproduces with `_cases()` alone."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap

import h5py
import malicious_files as mf
import numpy as np
import pytest

import lamina
from lamina._src.saving.errors import LoadError

JAX = mf.FIXTURES / "keras3_jax"
TF2 = mf.FIXTURES / "tf_keras2"
# Values a mutated JSON field or attribute takes: wrong types, absurd sizes, near-misses.
PALETTE = [None, 0, -1, 1, 3, 2**31, 10**9, 1e308, -1e308, float("nan"), 0.5, True, "", "x",
           "Dense", "float64", [], [None], [0, 0], {}, {"class_name": "Dense"}]


def _mutate_json(value, rng: random.Random):
    """One random field of a JSON tree replaced by a PALETTE value or deleted (a copy)."""
    value = json.loads(json.dumps(value))
    slots = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            slots.append((node, key))
            if isinstance(child, (dict, list)):
                walk(child)

    walk(value)
    if not slots:
        return rng.choice(PALETTE)
    node, key = rng.choice(slots)
    if isinstance(node, dict) and rng.random() < 0.25:
        del node[key]
    else:
        node[key] = rng.choice(PALETTE)
    return value


def _attr_list(group, name):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in group.attrs[name]]


def _h5_attribute_case(path, source, rng: random.Random) -> str:
    """Copy a legacy `.h5` model and damage one attribute: names lists or JSON configs."""
    path.write_bytes(source.read_bytes())
    with h5py.File(path, "r+") as f:
        weights = f["model_weights"]
        kind = rng.choice(["layer_names", "weight_names"]
                          + [k for k in ("model_config", "training_config") if k in f.attrs])
        if kind == "layer_names":
            names = _attr_list(weights, "layer_names")
            edit = rng.choice(["drop", "duplicate", "rename", "shuffle", "empty"])
            if edit == "drop":
                names.pop(rng.randrange(len(names)))
            elif edit == "duplicate":
                names.insert(rng.randrange(len(names)), rng.choice(names))
            elif edit == "rename":
                names[rng.randrange(len(names))] = "no_such_layer"
            elif edit == "shuffle":
                rng.shuffle(names)
            else:
                names = []
            weights.attrs["layer_names"] = np.array([n.encode() for n in names], dtype="S")
            return f"{source.name} layer_names {edit}"
        if kind == "weight_names":
            layer = rng.choice([n for n in _attr_list(weights, "layer_names")
                                if len(weights[n].attrs.get("weight_names", []))])
            names = _attr_list(weights[layer], "weight_names")
            edit = rng.choice(["drop", "duplicate", "rename"])
            if edit == "drop":
                names.pop(rng.randrange(len(names)))
            elif edit == "duplicate":
                names.append(names[0])
            else:
                names[rng.randrange(len(names))] = layer + "/missing:0"
            weights[layer].attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S")
            return f"{source.name} {layer} weight_names {edit}"
        text = f.attrs[kind]
        text = text.decode() if isinstance(text, bytes) else text
        mutated = _mutate_json(json.loads(text), rng)
        f.attrs[kind] = json.dumps(mutated)
        return f"{source.name} {kind} json"


def _zip_case(path, source, rng: random.Random) -> str:
    """Rewrite a `.keras` archive with one member dropped, renamed, duplicated or mutated."""
    members = mf.keras_members(source)
    names = [n for n, _ in members]
    edit = rng.choice(["drop", "rename", "duplicate", "config", "config", "metadata", "metadata"])
    target = rng.choice(names)
    if edit == "drop":
        members = [(n, d) for n, d in members if n != target]
    elif edit == "rename":
        new = rng.choice(["CONFIG.json", "x/" + target, target + ".bak", "../" + target])
        members = [(new if n == target else n, d) for n, d in members]
        target = f"{target} -> {new}"
    elif edit == "duplicate":
        data = dict(members)[target]
        members.append((target, data[: len(data) // 2] if rng.random() < 0.5 else data))
    else:
        target = "config.json" if edit == "config" else "metadata.json"
        text = dict(members)[target]
        if rng.random() < 0.2:
            data = text[: rng.randrange(len(text))]  # truncated JSON
        else:
            data = json.dumps(_mutate_json(json.loads(text), rng)).encode()
        members = [(n, data if n == target else d) for n, d in members]
    mf.write_zip(path, members)
    return f"{source.name} zip {edit} {target}"


def _cases(folder):
    """(path, input .npz, description) for every fuzz case, all from fixed seeds."""
    cases = []

    def add(path, npz, description):
        cases.append((str(path), str(npz), description))

    for number, source in enumerate([JAX / "seed_mlp.h5", JAX / "seed_mlp.keras",
                                     TF2 / "wide_deep.h5", JAX / "wide_deep.keras"]):
        npz = source.with_suffix(".npz")
        for i, (description, data) in enumerate(mf.mutations(source, 5, seed=500 + number)):
            path = folder / f"bytes{number}_{i}{source.suffix}"
            path.write_bytes(data)
            add(path, npz, f"seed {500 + number} #{i}: {description}")
    for i, (description, data) in enumerate(mf.inner_mutations(folder, 4, seed=600)):
        path = folder / f"inner{i}.keras"
        path.write_bytes(data)
        add(path, JAX / "seed_mlp.npz", f"seed 600 #{i}: {description}")
    for number, source in enumerate([JAX / "seed_mlp.h5", TF2 / "fashion_mlp.h5",
                                     TF2 / "wide_deep.h5", JAX / "nested.h5"]):
        for i in range(6):
            seed = 700 + 10 * number + i
            path = folder / f"attr{number}_{i}.h5"
            add(path, source.with_suffix(".npz"),
                f"seed {seed}: {_h5_attribute_case(path, source, random.Random(seed))}")
    for number, source in enumerate([JAX / "seed_mlp.keras", JAX / "wide_deep.keras",
                                     JAX / "conv1d_pool.keras"]):
        for i in range(7):
            seed = 800 + 10 * number + i
            path = folder / f"zip{number}_{i}.keras"
            add(path, source.with_suffix(".npz"),
                f"seed {seed}: {_zip_case(path, source, random.Random(seed))}")
    return cases


# The child: load each file, predict on the fixture's inputs, print one JSON line per file.
CHILD = textwrap.dedent("""
    import json, os, signal, sys, warnings
    import numpy as np
    import lamina
    from lamina._src.saving.errors import LoadError
    warnings.simplefilter("ignore")

    def alarm(*_):
        raise TimeoutError("no outcome within 30 s")

    signal.signal(signal.SIGALRM, alarm)
    for path, npz in json.loads(sys.stdin.read()):
        print(json.dumps(["start", path]), flush=True)
        data = np.load(npz)
        x = [data["x0"], data["x1"]] if "x0" in data else data["x"]
        signal.alarm(30)
        try:
            model = lamina.models.load_model(path)
        except LoadError as e:
            outcome = "LoadError" if path in str(e) else "LoadError without the path: " + str(e)
        except BaseException as e:
            outcome = "unexpected %s: %s" % (type(e).__name__, str(e)[:300])
        else:
            try:
                y = model.predict(x, verbose=0)
                shapes = [np.shape(t) for t in (y if isinstance(y, list) else [y])]
                outcome = "model" if all(s[0] == 4 for s in shapes) else "model, bad %s" % shapes
            except ValueError as e:  # a mutated input shape no longer fits the fixture's batch
                outcome = "model (input refused)"
            except BaseException as e:
                outcome = "predict %s: %s" % (type(e).__name__, str(e)[:300])
        signal.alarm(0)
        print(json.dumps(["done", path, outcome]), flush=True)
""")


def _run_child(cases, timeout=300):
    process = subprocess.run([sys.executable, "-c", CHILD],
                             input=json.dumps([(p, n) for p, n, _ in cases]),
                             capture_output=True, text=True, timeout=timeout,
                             cwd=str(mf.REPO))
    lines = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("[")]
    outcomes = {line[1]: line[2] for line in lines if line[0] == "done"}
    started = [line[1] for line in lines if line[0] == "start"]
    described = {p: d for p, _, d in cases}
    assert process.returncode == 0, (
        f"the child died ({process.returncode}) on {described.get(started[-1] if started else '')}"
        f": {process.stderr[-2000:]}")
    assert len(outcomes) == len(cases)
    return {described[p]: o for p, o in outcomes.items()}


def test_fuzzed_files_load_to_a_model_or_a_load_error(tmp_path):
    outcomes = _run_child(_cases(tmp_path))
    allowed = ("LoadError", "model", "model (input refused)")
    bad = {d: o for d, o in outcomes.items() if o not in allowed}
    assert not bad, json.dumps(bad, indent=1)
    kinds = set(outcomes.values())
    assert {"LoadError", "model"} <= kinds  # both the refusing and the loading paths ran


@lamina.saving.register_keras_serializable(package="fuzz")
class Fragile(lamina.layers.Layer):
    """A layer whose build does what its config says; a crafted config makes it fail."""

    def __init__(self, divisor=1, exponent=1.0, depth=1, size=1, **kwargs):
        super().__init__(**kwargs)
        self.divisor, self.exponent, self.depth, self.size = divisor, exponent, depth, size

    def build(self, input_shape):
        import math

        self.units = input_shape[-1] // self.divisor + int(math.exp(self.exponent) > 0)

        def nest(n):
            return 0 if n == 0 else 1 + nest(n - 1)

        nest(self.depth)
        self.scratch = np.empty(self.size, dtype="float64")
        super().build(input_shape)

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {**super().get_config(), "divisor": self.divisor, "exponent": self.exponent,
                "depth": self.depth, "size": self.size}


@pytest.mark.parametrize("field, value, error", [
    ("divisor", 0, ZeroDivisionError), ("exponent", 1e4, OverflowError),
    ("depth", 10**6, RecursionError), ("size", 2**58, MemoryError)])
def test_crafted_config_errors_end_as_load_errors(tmp_path, field, value, error):
    """Whatever a crafted config makes layer code raise ends as a LoadError naming the file."""
    model = lamina.Sequential([lamina.Input(shape=(3,)), Fragile(), lamina.layers.Dense(2)])
    model.save(tmp_path / "good.keras")
    members = dict(mf.keras_members(tmp_path / "good.keras"))
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"][field] = value
    members["config.json"] = json.dumps(config).encode()
    path = mf.write_zip(tmp_path / "crafted.keras", list(members.items()))
    with pytest.raises(LoadError, match="crafted.keras") as info:
        lamina.models.load_model(path)
    chain = [info.value]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    assert any(isinstance(e, error) for e in chain), chain
