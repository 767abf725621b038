"""The data-only file layer: every Keras fixture reads, re-writes, and loads back into Keras.

The oracle is the fixture corpus in `shared/keras-fixtures` (written by tf_keras 2 and Keras 3)
and real Keras 3, which must load the files lamina's writers produce.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import h5py
import malicious_files as mf
import numpy as np
import pytest

from lamina._src.saving.errors import LoadError, SaveError, UnsafeFileError
from lamina._src.saving.file_io import (
    ArraySpec,
    LegacyLayerWeights,
    ModelFile,
    VarsGroup,
    read_model_file,
    write_keras_archive,
    write_legacy_h5,
    write_weights_v3,
)

FIXTURES = mf.FIXTURES
VERSIONS = {"tf_keras2": "2.21.0", "keras3_tf": "3.15.1", "keras3_jax": "3.15.1"}
BACKENDS = {"tf_keras2": "tensorflow", "keras3_tf": "tensorflow", "keras3_jax": "jax"}
FIXTURE_FILES = sorted(
    p for writer in VERSIONS for p in (FIXTURES / writer).iterdir() if p.suffix in (".h5", ".keras")
)
KERAS3_JAX_MODELS = sorted(
    p.stem for p in (FIXTURES / "keras3_jax").glob("*.keras") if p.stem != "custom_layer"
)


def expected_format(path: Path) -> str:
    if path.suffix == ".keras":
        return "keras_v3"
    if path.name.endswith(".weights.h5"):
        return "weights_v3"
    if path.name.endswith("_weights.h5"):
        return "legacy_weights_h5"
    return "legacy_h5"


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names(attr) -> list[str]:
    return [_text(v) for v in np.asarray(attr).ravel()]


def _open_weights(path: Path, data: ModelFile) -> h5py.File:
    if data.format == "keras_v3":
        with zipfile.ZipFile(path) as archive:
            return h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    return h5py.File(path, "r")


def direct_arrays(path: Path, data: ModelFile):
    """`(where, ours, what plain h5py reads)` for every array, after checking the names."""
    with _open_weights(path, data) as f:
        if data.vars is not None:
            groups = []
            f.visit(lambda n: groups.append(n) if n == "vars" or n.endswith("/vars") else None)
            assert sorted(data.vars) == sorted(g[: -len("vars")].rstrip("/") for g in groups)
            for key, group in data.vars.items():
                stored = f[f"{key}/vars" if key else "vars"]
                name = stored.attrs.get("name")
                assert group.name == (None if name is None else _text(name))
                assert len(group.arrays) == len(stored)
                for index, array in enumerate(group.arrays):
                    yield f"{key}/vars/{index}", array, stored[str(index)][()]
            return
        root = f["model_weights"] if data.format == "legacy_h5" else f
        assert [layer.name for layer in data.layers] == _names(root.attrs["layer_names"])
        for layer in data.layers:
            group = root[layer.name]
            assert [n for n, _ in layer.weights] == _names(group.attrs["weight_names"])
            for name, array in layer.weights:
                yield f"{layer.name}/{name}", array, group[name][()]
        if data.optimizer_weights is not None:
            group = f["optimizer_weights"]
            assert [n for n, _ in data.optimizer_weights] == _names(group.attrs["weight_names"])
            for name, array in data.optimizer_weights:
                yield f"optimizer_weights/{name}", array, group[name][()]


def assert_same_array(ours, theirs, where=""):
    theirs = np.asarray(theirs)
    assert isinstance(ours, np.ndarray), where
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, where
    assert np.array_equal(ours, theirs), where


# -- the package stands alone -------------------------------------------------------------------
def test_importing_file_io_does_not_import_jax_or_lamina():
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import malicious_files
        malicious_files.load_file_io_standalone()
        lamina = sorted(m for m in sys.modules if m.startswith("lamina"))
        print("jax" in sys.modules, lamina)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(mf.REPO / "tests" / "saving")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    jax_loaded, modules = out.stdout.strip().split(" ", 1)
    assert jax_loaded == "False"
    allowed = ("lamina", "lamina._src", "lamina._src.saving", "lamina._src.saving.errors")
    extra = [m for m in eval(modules) if m not in allowed and ".file_io" not in m]
    assert not extra, extra


# -- reading every fixture ----------------------------------------------------------------------
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=fixture_id)
def test_reads_fixture(path):
    data = read_model_file(path)
    writer = path.parent.name
    assert isinstance(data, ModelFile) and data.path == str(path)
    assert data.format == expected_format(path)
    if data.format in ("legacy_h5", "legacy_weights_h5", "keras_v3"):
        assert data.keras_version == VERSIONS[writer]
    if data.format.startswith("legacy"):
        assert data.backend == BACKENDS[writer]
        assert data.vars is None and data.layers is not None
    else:
        assert data.layers is None and data.vars is not None
    if data.format in ("legacy_h5", "keras_v3"):
        assert isinstance(data.model_config["class_name"], str)
        assert isinstance(data.model_config["config"], dict)
    else:
        assert data.model_config is None
    count = 0
    for where, ours, theirs in direct_arrays(path, data):
        assert_same_array(ours, theirs, where)
        count += 1
    assert count > 0


@pytest.mark.parametrize("writer", ["tf_keras2", "keras3_tf", "keras3_jax"])
def test_seed_mlp_legacy_layout(writer):
    data = read_model_file(FIXTURES / writer / "seed_mlp.h5")
    assert [layer.name for layer in data.layers] == [
        "dense", "dense_1", "dropout", "dense_2", "dropout_1", "dense_3"
    ]  # fmt: skip
    shapes = {"dense": [(3, 32), (32,)], "dense_1": [(32, 32), (32,)],
              "dense_2": [(32, 16), (16,)], "dense_3": [(16, 5), (5,)]}  # fmt: skip
    for layer in data.layers:
        if layer.name.startswith("dropout"):
            assert layer.weights == []
            continue
        names = [name for name, _ in layer.weights]
        prefix = "" if writer == "tf_keras2" else "sequential_1/"
        suffix = ":0" if writer == "tf_keras2" else ""
        assert names == [
            f"{prefix}{layer.name}/kernel{suffix}",
            f"{prefix}{layer.name}/bias{suffix}",
        ]
        assert [a.shape for _, a in layer.weights] == shapes[layer.name]
    assert data.top_level_weights == [] and data.optimizer_weights is None
    assert data.training_config is None


def test_seed_mlp_legacy_weights_file():
    data = read_model_file(FIXTURES / "tf_keras2" / "seed_mlp_weights.h5")
    full = read_model_file(FIXTURES / "tf_keras2" / "seed_mlp.h5")
    assert data.format == "legacy_weights_h5" and data.model_config is None
    assert [(layer.name, [n for n, _ in layer.weights]) for layer in data.layers] == [
        (layer.name, [n for n, _ in layer.weights]) for layer in full.layers
    ]


@pytest.mark.parametrize(
    "path", [FIXTURES / "keras3_jax/seed_mlp.keras", FIXTURES / "keras3_tf/seed_mlp.weights.h5",
             FIXTURES / "tf_keras2/seed_mlp.keras"], ids=fixture_id,
)  # fmt: skip
def test_seed_mlp_v3_layout(path):
    data = read_model_file(path)
    keras3 = "keras3" in path.parent.name
    vars = data.vars
    assert len(vars["layers/dense_2/activation"].arrays) == 0
    assert vars["layers/dense_2/activation"].name == ("leaky_re_lu" if keras3 else None)
    assert [a.shape for a in vars["layers/dense"].arrays] == [(3, 32), (32,)]
    assert [a.shape for a in vars["layers/dense_3"].arrays] == [(16, 5), (5,)]
    assert vars["layers/dropout"].arrays == []
    assert vars[""].arrays == [] and vars[""].name == ("sequential_1" if keras3 else None)


def test_nested_v3_layout():
    vars = read_model_file(FIXTURES / "keras3_jax/nested.keras").vars
    bn = vars["layers/sequential/layers/batch_normalization"]
    assert bn.name == "batch_normalization" and [a.shape for a in bn.arrays] == [(16,)] * 4
    assert vars["layers/sequential/layers/dense"].name == "dense"
    assert vars["layers/dense"].name == "dense_2"
    assert vars["layers/sequential"].arrays == []
    optimizer = vars["optimizer"]
    assert optimizer.name == "rm_sprop" and optimizer.arrays[0].dtype.kind == "i"
    assert [a.shape for a in optimizer.arrays[:3]] == [(), (), (8, 8)]  # iterations, lr, slots
    assert len(optimizer.arrays) == 12  # sorted numerically: 0, 1, 2, ..., 10, 11


@pytest.mark.parametrize("writer", ["tf_keras2", "keras3_jax"])
def test_nested_legacy_order(writer):
    data = read_model_file(FIXTURES / writer / "nested.h5")
    nested = {layer.name: layer for layer in data.layers}["sequential"]
    suffixes = [name.split("/")[-1].removesuffix(":0") for name, _ in nested.weights]
    assert suffixes == [
        "kernel", "bias", "gamma", "beta", "kernel", "bias", "moving_mean", "moving_variance"
    ]  # fmt: skip
    assert data.training_config["loss"] == "mse"
    assert data.optimizer_weights  # trained with rmsprop


def test_rnn_and_functional_names():
    vars = read_model_file(FIXTURES / "keras3_tf/rnn_stack.weights.h5").vars
    assert [a.shape for a in vars["layers/gru/cell"].arrays][2] == (2, 24)
    assert len(vars["layers/lstm/cell"].arrays) == 3
    vars = read_model_file(FIXTURES / "keras3_jax/wide_deep_aux.keras").vars
    assert vars["layers/dense_2"].name == "output" and vars["layers/dense_3"].name == "aux_output"
    assert vars["layers/input_layer_1"].name == "wide_input"
    bidir = read_model_file(FIXTURES / "keras3_jax/lstm_bidir.keras").vars
    assert len(bidir["layers/bidirectional/backward_layer/cell"].arrays) == 3


def test_training_and_compile_configs():
    legacy = read_model_file(FIXTURES / "keras3_jax/fashion_mlp.h5")
    assert legacy.training_config["loss"] == "sparse_categorical_crossentropy"
    assert [n for n, _ in legacy.optimizer_weights] == ["sgd/iteration", "sgd/learning_rate"]
    tfk = read_model_file(FIXTURES / "tf_keras2/fashion_mlp.h5")
    assert tfk.training_config["optimizer_config"]["class_name"] == "Custom>SGD"
    assert [n for n, _ in tfk.optimizer_weights][0] == "iteration:0"
    archive = read_model_file(FIXTURES / "keras3_jax/fashion_mlp.keras")
    assert archive.compile_config["optimizer"]["class_name"] == "SGD"
    assert archive.model_config["compile_config"] == archive.compile_config
    assert archive.metadata["keras_version"] == "3.15.1" and archive.backend is None
    assert archive.training_config is None and archive.optimizer_weights is None
    assert read_model_file(FIXTURES / "keras3_jax/seed_mlp.keras").compile_config == {}


def test_load_weights_false_gives_shapes_only():
    path = FIXTURES / "keras3_jax/nested.keras"
    full, specs = read_model_file(path), read_model_file(path, load_weights=False)
    assert specs.model_config == full.model_config
    for key, group in full.vars.items():
        for array, spec in zip(group.arrays, specs.vars[key].arrays, strict=True):
            assert isinstance(spec, ArraySpec)
            assert (spec.shape, spec.dtype, spec.nbytes) == (array.shape, array.dtype, array.nbytes)
    legacy = read_model_file(FIXTURES / "tf_keras2/nested.h5", load_weights=False)
    assert all(isinstance(a, ArraySpec) for layer in legacy.layers for _, a in layer.weights)


def test_budget_counts_array_bytes():
    path = FIXTURES / "keras3_jax/conv2d.h5"  # about 180 KB of weights
    read_model_file(path, max_total_bytes=400_000)
    with pytest.raises(UnsafeFileError, match="budget"):
        read_model_file(path, max_total_bytes=100_000)


def test_format_comes_from_content(tmp_path):
    for source, name in [
        (FIXTURES / "keras3_jax/seed_mlp.keras", "model.h5"),
        (FIXTURES / "keras3_jax/seed_mlp.h5", "model.keras"),
        (FIXTURES / "keras3_tf/seed_mlp.weights.h5", "weights.bin"),
        (FIXTURES / "tf_keras2/seed_mlp_weights.h5", "model.weights.h5"),
    ]:
        target = tmp_path / name
        target.write_bytes(source.read_bytes())
        assert read_model_file(target).format == expected_format(source)


def test_reads_fixed_length_byte_string_attributes(tmp_path):
    # Files written with h5py 2 store names as fixed-length byte strings ('|S..').
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([b"dense", b"dropout"], dtype="S7")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["keras_version"] = np.bytes_(b"2.4.0")
        f.create_group("dense").attrs["weight_names"] = np.array([b"dense/kernel:0"], dtype="S14")
        f["dense/dense/kernel:0"] = np.ones((2, 3), "f4")
        f.create_group("dropout").attrs["weight_names"] = np.zeros((0,))
    data = read_model_file(path)
    assert (data.format, data.keras_version, data.backend) == (
        "legacy_weights_h5",
        "2.4.0",
        "tensorflow",
    )
    assert [(layer.name, [n for n, _ in layer.weights]) for layer in data.layers] == [
        ("dense", ["dense/kernel:0"]), ("dropout", [])
    ]  # fmt: skip


# -- writing ------------------------------------------------------------------------------------
def rewrite(data: ModelFile, target: Path) -> None:
    """Write `data` back with the writer of its format."""
    if data.format == "keras_v3":
        write_keras_archive(target, data.model_config, data.vars, data.metadata)
    elif data.format == "weights_v3":
        write_weights_v3(target, data.vars)
    else:
        write_legacy_h5(
            target,
            data.model_config,
            data.training_config,
            data.layers,
            data.optimizer_weights,
            data.keras_version,
            data.backend,
            top_level_weights=data.top_level_weights,
        )


def assert_same_data(a: ModelFile, b: ModelFile) -> None:
    for field in ("format", "keras_version", "backend", "model_config", "training_config",
                  "compile_config", "metadata"):  # fmt: skip
        assert getattr(a, field) == getattr(b, field), field
    if a.vars is not None:
        assert list(a.vars) == list(b.vars)
        for key in a.vars:
            assert a.vars[key].name == b.vars[key].name
            assert len(a.vars[key].arrays) == len(b.vars[key].arrays)
            for x, y in zip(a.vars[key].arrays, b.vars[key].arrays):
                assert_same_array(x, y, key)
    else:
        assert b.vars is None
    for pairs_a, pairs_b in [
        *[(la.weights, lb.weights) for la, lb in zip(a.layers or [], b.layers or [], strict=True)],
        (a.optimizer_weights or [], b.optimizer_weights or []),
        (a.top_level_weights, b.top_level_weights),
    ]:
        assert [n for n, _ in pairs_a] == [n for n, _ in pairs_b]
        for (name, x), (_, y) in zip(pairs_a, pairs_b):
            assert_same_array(x, y, name)
    assert [layer.name for layer in a.layers or []] == [layer.name for layer in b.layers or []]
    assert (a.optimizer_weights is None) == (b.optimizer_weights is None)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=fixture_id)
def test_round_trip_keeps_every_value(path, tmp_path):
    first = read_model_file(path)
    target = tmp_path / path.name
    rewrite(first, target)
    second = read_model_file(target)
    assert_same_data(first, second)


def _attribute_signature(obj) -> dict:
    out = {}
    for name in obj.attrs:
        attr = h5py.h5a.open(obj.id, name.encode())
        kind = attr.get_type()
        out[name] = (
            kind.get_class(),
            kind.get_cset() if kind.get_class() == h5py.h5t.STRING else None,
            kind.is_variable_str() if kind.get_class() == h5py.h5t.STRING else None,
            attr.get_space().get_simple_extent_type(),
            attr.shape,
        )
    return out


def _layout(path) -> dict:
    """Every path, object kind, attribute type and dataset dtype/shape of an HDF5 file."""
    with h5py.File(path, "r") as f:
        layout = {"/": ("group", _attribute_signature(f))}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                layout[name] = ("dataset", obj.dtype.str, obj.shape, _attribute_signature(obj))
            else:
                layout[name] = ("group", _attribute_signature(obj))

        f.visititems(visit)
    return layout


@pytest.mark.parametrize(
    "path",
    [FIXTURES / "keras3_jax/fashion_mlp.h5", FIXTURES / "keras3_jax/nested.h5",
     FIXTURES / "tf_keras2/seed_mlp_weights.h5", FIXTURES / "keras3_tf/nested.weights.h5"],
    ids=fixture_id,
)  # fmt: skip
def test_written_hdf5_matches_keras_byte_types(path, tmp_path):
    """Same groups, datasets, attribute types (vlen/fixed, UTF-8/ASCII, float64 (0,)) as Keras."""
    target = tmp_path / path.name
    rewrite(read_model_file(path), target)
    assert _layout(target) == _layout(path)


def test_written_archive_matches_keras(tmp_path):
    source = FIXTURES / "keras3_jax/wide_deep_aux.keras"
    target = tmp_path / "model.keras"
    rewrite(read_model_file(source), target)
    with zipfile.ZipFile(target) as ours, zipfile.ZipFile(source) as theirs:
        assert ours.namelist() == theirs.namelist()
        assert {i.compress_type for i in ours.infolist()} == {zipfile.ZIP_STORED}
        assert json.loads(ours.read("config.json")) == json.loads(theirs.read("config.json"))
        inner = [tmp_path / "ours.h5", tmp_path / "theirs.h5"]
        inner[0].write_bytes(ours.read("model.weights.h5"))
        inner[1].write_bytes(theirs.read("model.weights.h5"))
    assert _layout(inner[0]) == _layout(inner[1])
    again = tmp_path / "again.keras"
    rewrite(read_model_file(target), again)
    assert again.read_bytes() == target.read_bytes()  # reproducible: fixed member dates


KERAS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    # Keras's numpy backend reads the same files and predicts without compiling anything
    # with XLA, which keeps this check to a few seconds; file reading is backend-independent.
    os.environ["KERAS_BACKEND"] = "numpy"
    import numpy as np
    import keras

    folder, fixtures = sys.argv[1], sys.argv[2]
    errors = {}

    def error(model, x, ys):
        out = model.predict(x, verbose=0)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return max(float(np.max(np.abs(np.asarray(o) - y))) for o, y in zip(outs, ys))

    for name in json.loads(sys.argv[3]):
        ref = np.load(os.path.join(fixtures, name + ".npz"))
        xs = [ref[k] for k in sorted(ref.files) if k.startswith("x")]
        ys = [ref[k] for k in sorted(ref.files) if k.startswith("y")]
        x = xs[0] if len(xs) == 1 else xs
        model = keras.saving.load_model(os.path.join(folder, name + ".keras"))
        errors[name + ".keras"] = error(model, x, ys)
        for variable in model.weights:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        model.load_weights(os.path.join(folder, name + ".weights.h5"))
        errors[name + ".weights.h5"] = error(model, x, ys)
        model = keras.saving.load_model(os.path.join(folder, name + ".h5"), compile=False)
        errors[name + ".h5"] = error(model, x, ys)
    print("ERRORS", json.dumps(errors))
    """
)


def test_real_keras_loads_rewritten_files(tmp_path):
    """Keras 3 loads lamina-written .keras, .weights.h5 and .h5 and predicts the fixture's y."""
    source = FIXTURES / "keras3_jax"
    for name in KERAS3_JAX_MODELS:
        archive = read_model_file(source / f"{name}.keras")
        write_keras_archive(tmp_path / f"{name}.keras", archive.model_config, archive.vars,
                            archive.metadata)  # fmt: skip
        write_weights_v3(tmp_path / f"{name}.weights.h5", archive.vars)
        rewrite(read_model_file(source / f"{name}.h5"), tmp_path / f"{name}.h5")
    out = subprocess.run(
        [sys.executable, "-c", KERAS_SCRIPT, str(tmp_path), str(source),
         json.dumps(KERAS3_JAX_MODELS)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("ERRORS ")]
    assert out.returncode == 0 and lines, out.stderr[-3000:]
    errors = json.loads(lines[-1].removeprefix("ERRORS "))
    assert len(errors) == 3 * len(KERAS3_JAX_MODELS)
    assert all(e < 1e-5 for e in errors.values()), errors


def test_long_name_lists_are_chunked_like_keras(tmp_path):
    weights = [(f"block/{'w' * 90}_{i}", np.full((2,), i, "f4")) for i in range(800)]
    layers = [LegacyLayerWeights(f"layer_{'x' * 60}_{i}", []) for i in range(1200)]
    layers.append(LegacyLayerWeights("big", weights))
    path = tmp_path / "long.h5"
    write_legacy_h5(path, None, None, layers, None, "3.15.1", "jax")
    with h5py.File(path, "r") as f:
        assert "layer_names" not in f.attrs and "layer_names1" in f.attrs
        assert "weight_names" not in f["big"].attrs and "weight_names1" in f["big"].attrs
        for attrs in (f.attrs, f["big"].attrs):
            for name in attrs:
                if name.startswith(("layer_names", "weight_names")):
                    names = _names(attrs[name])
                    assert len(names) * max(map(len, names)) <= 64512  # Keras's header limit
    data = read_model_file(path)
    assert [layer.name for layer in data.layers] == [layer.name for layer in layers]
    assert [n for n, _ in data.layers[-1].weights] == [n for n, _ in weights]
    assert data.layers[-1].weights[799][1][0] == 799


def test_bfloat16_round_trip(tmp_path):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    array = np.arange(6, dtype=np.float32).reshape(2, 3).astype(ml_dtypes.bfloat16)
    path = tmp_path / "bf16.weights.h5"
    write_weights_v3(path, {"layers/dense": VarsGroup("dense", [array]), "": VarsGroup("m", [])})
    with h5py.File(path, "r") as f:
        assert f["layers/dense/vars/0"].attrs["dtype"] == "bfloat16"
    (back,) = read_model_file(path).vars["layers/dense"].arrays
    assert back.dtype == array.dtype and np.array_equal(back, array)


# -- atomic writes ------------------------------------------------------------------------------
def _writers(tmp_path):
    archive = read_model_file(FIXTURES / "keras3_jax/seed_mlp.keras")
    legacy = read_model_file(FIXTURES / "keras3_jax/seed_mlp.h5")
    return {
        "model.keras": lambda p: write_keras_archive(p, archive.model_config, archive.vars, {}),
        "model.weights.h5": lambda p: write_weights_v3(p, archive.vars),
        "model.h5": lambda p: rewrite(legacy, p),
    }


@pytest.mark.parametrize("name", ["model.keras", "model.weights.h5", "model.h5"])
def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch, name):
    write = _writers(tmp_path)[name]
    target = tmp_path / name
    target.write_bytes(b"the previous version")
    listing = sorted(os.listdir(tmp_path))
    original = h5py.Group.create_dataset
    calls = []

    def failing_create_dataset(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing_create_dataset)
    with pytest.raises(SaveError) as info:
        write(target)
    assert str(target) in str(info.value) and "disk full" in str(info.value)
    assert target.read_bytes() == b"the previous version"
    assert sorted(os.listdir(tmp_path)) == listing  # no temporary file left behind
    monkeypatch.undo()
    write(target)
    assert read_model_file(target).vars or read_model_file(target).layers


def test_failed_archive_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")
    original = zipfile.ZipFile.writestr

    def failing_writestr(self, info, data, *args, **kwargs):
        if getattr(info, "filename", info) == "model.weights.h5":
            raise OSError("I/O error (simulated)")
        return original(self, info, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(SaveError, match="simulated") as info:
        _writers(tmp_path)["model.keras"](target)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["model.keras"]
    # No view of the in-memory weights outlives the failure in the traceback's frames: on
    # CPython 3.12.0-3.12.1, collecting one in a cycle crashes the interpreter.
    views = [value for frame in _traceback_frames(info.value) for value in frame.f_locals.values()
             if isinstance(value, memoryview)]
    assert views, "the simulated failure should see the weights as a memoryview"
    for view in views:
        with pytest.raises(ValueError, match="released"):
            len(view)


def _traceback_frames(error):
    """The frames of `error`'s traceback and of the exceptions it chains, innermost last."""
    frames = []
    while error is not None:
        tb = error.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        error = error.__cause__ or error.__context__
    return frames


def test_write_errors(tmp_path):
    vars = {"": VarsGroup("m", [np.zeros(2)])}
    with pytest.raises(SaveError, match="missing"):
        write_weights_v3(tmp_path / "missing" / "w.weights.h5", vars)
    with pytest.raises(TypeError, match="dtype"):
        write_weights_v3(tmp_path / "w.weights.h5", {"": VarsGroup("m", [np.array(["a"])])})
    with pytest.raises(TypeError, match="JSON"):
        write_keras_archive(tmp_path / "m.keras", {"class_name": "X", "bad": object()}, vars, {})
    with pytest.raises(ValueError, match="weights-only"):
        write_legacy_h5(tmp_path / "w.h5", None, {"loss": "mse"}, [], None, "3.15.1", "jax")
    with pytest.raises(ValueError, match="Invalid vars path"):
        write_weights_v3(tmp_path / "w.weights.h5", {"/layers": VarsGroup(None, [])})
    assert os.listdir(tmp_path) == []


def test_reading_errors_name_the_file(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("not a model")
    with pytest.raises(LoadError, match="notes.keras"):
        read_model_file(path)
