"""Hostile and damaged files: the readers refuse them with a typed error naming the file.

The cases follow `shared/docs/loading-security.md` (numbers in the test names); the files
come from `malicious_files.py`. Every test also checks that loading created no file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import h5py
import malicious_files as mf
import numpy as np
import pytest

from lamina._src.saving.errors import LoadError, UnsafeFileError
from lamina._src.saving.file_io import ModelFile, read_model_file


@pytest.fixture
def folder(tmp_path):
    """A private folder for the hostile files, inside the test's temporary folder."""
    work = tmp_path / "work"
    work.mkdir()
    return work


def _listings(path):
    """What loading `path` must not change: the temp tree around it, and the working folder."""
    return mf.describe_directory(path.parent.parent), set(os.listdir(os.getcwd()))


def refused(path, error=LoadError, match=None, **kwargs):
    """Load `path`, expecting `error` whose message names the file (and `match`).

    Also checks that the attempt created no file, next to the file or anywhere in the
    surrounding temporary folder or the working folder (nothing is ever extracted).
    """
    before = _listings(path)
    with pytest.raises(error) as info:
        read_model_file(path, **kwargs)
    message = str(info.value)
    assert str(path) in message, message
    if match is not None:
        assert match in message, message
    assert _listings(path) == before, "loading created files"
    return message


# -- .keras archives ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "member",
    [
        "../../evil",
        "assets/../../evil",
        "/etc/cron.d/evil",
        "assets\\..\\..\\evil",
        "C:/evil",
        "./config.json",
    ],
)
def test_21_member_names_that_escape_are_refused(folder, member):
    path = mf.make_keras_with_member(folder, member)
    refused(path, UnsafeFileError, match=repr(member))


def test_22_duplicate_members_are_refused(folder):
    refused(mf.make_keras_duplicate_config(folder), UnsafeFileError, match="more than once")


def test_23_symlink_members_are_refused(folder):
    refused(mf.make_keras_symlink_member(folder), UnsafeFileError, match="symbolic link")


@pytest.mark.parametrize("member", ["config.json", "metadata.json", "model.weights.h5"])
def test_20_zip_bomb_is_refused_before_reading(folder, member):
    path = mf.make_zip_bomb(folder, member)
    refused(path, UnsafeFileError, match=member)


def test_20_weights_over_the_budget_are_refused(folder):
    # A real, honest archive: the arrays alone exceed a small budget.
    refused(mf.SEED_KERAS, UnsafeFileError, match="budget", max_total_bytes=10_000)


def test_unsupported_compression_is_refused(folder):
    refused(mf.make_keras_bzip2(folder), UnsafeFileError, match="compression method 12")


def test_34_unknown_members_are_ignored_and_never_extracted(folder):
    path = mf.make_keras_with_member(folder, "payload.py")
    before = _listings(path)
    data = read_model_file(path)
    assert data.format == "keras_v3" and data.model_config["class_name"] == "Sequential"
    assert _listings(path) == before


@pytest.mark.parametrize(
    "config, match",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[1, 2, 3]", "found a list"),
        (b'{"class_name": null, "config": {}}', "class_name"),
        (b'{"class_name": "Sequential", "config": [1]}', "'config' should be a JSON object"),
        (b'{"class_name": "Sequential", "config": {}, "compile_config": "adam"}', "compile_config"),
    ],
)
def test_18_19_bad_configs_are_typed_errors(folder, config, match):
    refused(mf.make_keras_with_config(folder, config), LoadError, match=match)


def test_18_deep_json_is_refused_without_recursion(folder):
    path = mf.make_keras_with_config(folder, mf.deep_json(100_000))
    refused(path, UnsafeFileError, match="nested more than")


def test_missing_members_are_named(folder):
    members = [(n, d) for n, d in mf.keras_members() if n != "model.weights.h5"]
    refused(mf.write_zip(folder / "no_weights.keras", members), LoadError, match="model.weights.h5")


# -- HDF5 --------------------------------------------------------------------------------------
def test_24_soft_link_is_refused(folder):
    refused(mf.make_h5_soft_link(folder), UnsafeFileError, match="soft link")


def test_24_external_link_is_refused(folder, tmp_path):
    target = tmp_path / "other.h5"
    path = mf.make_h5_external_link(folder, target)
    refused(path, UnsafeFileError, match="external link")


def test_25_external_storage_is_refused(folder, tmp_path):
    target = tmp_path / "passwd"
    target.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n" * 8)
    refused(mf.make_h5_external_storage(folder, target), UnsafeFileError, match="external files")


def test_26_virtual_dataset_is_refused(folder, tmp_path):
    path = mf.make_h5_virtual(folder, tmp_path / "source.h5")
    refused(path, UnsafeFileError, match="virtual dataset")


@pytest.mark.parametrize(
    "shape, chunks, match",
    [
        ((10**6, 10**6), None, "invented fill values"),
        ((1000, 1000), None, "invented fill values"),  # well under any fixed floor
        ((10**6, 10**6), (1000, 1000), "chunks; the limit"),
        ((1000, 1000), (100, 100), "invented fill values"),
    ],
)
def test_27_declared_but_unstored_data_is_refused(folder, shape, chunks, match):
    refused(mf.make_h5_declared_only(folder, shape, chunks), UnsafeFileError, match=match)


@pytest.mark.parametrize(
    "dtype, data",
    [
        (h5py.string_dtype(), np.array(["a"] * 32, dtype=object)),
        (np.dtype(("<f8", (4,))), np.zeros((32, 4))),
        (np.dtype("V4"), np.zeros(32, dtype="V4")),
    ],
)
def test_15_non_numeric_weights_are_refused(folder, dtype, data):
    refused(mf.make_h5_dtype(folder, dtype, data), UnsafeFileError, match="dtype")


def test_plugin_filters_are_refused(folder):
    refused(mf.make_h5_unknown_filter(folder), UnsafeFileError, match="filter 32099")


def test_hard_link_cycles_end(folder):
    refused(mf.make_h5_cycle(folder), LoadError, match="second link")


@pytest.mark.parametrize(
    "value, error, match",
    [
        (b"{not json", LoadError, "not valid JSON"),
        (np.arange(10), LoadError, "should be a single string"),
        (b"[]", LoadError, "found a list"),
        (mf.deep_json(50_000), UnsafeFileError, "nested more than"),
    ],
)
def test_2_30_legacy_model_config_is_checked(folder, value, error, match):
    refused(mf.make_legacy_config(folder, value), error, match=match)


# -- misleading names, damaged bytes ----------------------------------------------------------
def test_33_content_decides_the_format(folder, tmp_path):
    # A zip named .h5 and an HDF5 file named .keras get the checks of what they really are.
    zipped = mf.make_keras_with_member(folder, "../../evil", file_name="model.h5")
    refused(zipped, UnsafeFileError, match="'../../evil'")
    soft = mf.make_h5_soft_link(folder)
    renamed = soft.rename(folder / "model.keras")
    refused(renamed, UnsafeFileError, match="soft link")
    hidden = mf.make_keras_with_weights(folder, mf.make_h5_soft_link(folder), name="inner.keras")
    message = refused(hidden, UnsafeFileError, match="soft link")
    assert "model.weights.h5" in message


@pytest.mark.parametrize(
    "content",
    [b"", b"hello world\n", b"\x00" * 100, b"PK\x03\x04" + b"\x00" * 50, b"\x89HDF\r\n\x1a\n"],
)
def test_not_a_model_file(folder, content):
    path = folder / "model.h5"
    path.write_bytes(content)
    refused(path, LoadError)


def test_missing_file_and_directory(folder):
    refused(folder / "absent.keras", LoadError, match="no such file")
    with pytest.raises(LoadError, match="directory"):
        read_model_file(folder)


@pytest.mark.parametrize(
    "source",
    [mf.SEED_H5, mf.SEED_KERAS, mf.SEED_WEIGHTS, mf.SEED_LEGACY_WEIGHTS],
    ids=lambda p: p.name,
)
def test_truncated_files(folder, source):
    size = source.stat().st_size
    for keep in (1, 7, 100, 1000, 2048, size // 3, size // 2, size - 100, size - 1):
        refused(mf.make_truncated(folder, source, keep), LoadError)


CHILD_SCRIPT = textwrap.dedent(
    """
    import json, signal, sys
    sys.path.insert(0, sys.argv[1])
    import malicious_files
    file_io = malicious_files.load_file_io_standalone()
    from lamina._src.saving.errors import LoadError

    class Hang(BaseException):
        pass

    def on_alarm(*_):
        raise Hang()

    signal.signal(signal.SIGALRM, on_alarm)
    for path in json.loads(sys.stdin.read()):
        signal.alarm(5)
        try:
            result = file_io.read_model_file(path)
            outcome = "ok" if isinstance(result, file_io.ModelFile) else repr(result)
        except LoadError as e:
            outcome = f"{type(e).__name__}: {e}"
        except Hang:
            outcome = "hang"
        except BaseException as e:
            outcome = f"unexpected {type(e).__name__}: {e}"
        signal.alarm(0)
        print(json.dumps([path, outcome]), flush=True)
    print(json.dumps(["jax", "jax" in sys.modules]))
    """
)


def outcomes_in_child(paths: list[str]) -> dict[str, str]:
    """Read each file in a child process (file_io imported without JAX): path -> outcome.

    A crash or a hang inside a C library then fails the test instead of the whole session;
    each file has a 5 s alarm, the child 300 s.
    """
    process = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, str(mf.REPO / "tests" / "saving")],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("[")]
    assert process.returncode == 0, (process.returncode, process.stderr[-2000:], lines[-1:])
    outcomes = dict(lines)
    assert outcomes.pop("jax") is False
    assert len(outcomes) == len(paths)
    return outcomes


def test_fuzzed_files_give_a_model_file_or_a_load_error(tmp_path):
    """Seeded byte mutations: never another exception type, never a hang, never a crash."""
    paths = []
    sources = [mf.SEED_KERAS, mf.SEED_H5, mf.SEED_WEIGHTS, mf.SEED_LEGACY_WEIGHTS]
    cases = [(source, mf.mutations(source, 10, seed=1234 + i)) for i, source in enumerate(sources)]
    cases.append((mf.SEED_KERAS, mf.inner_mutations(tmp_path, 10, seed=99)))
    for index, (source, mutated) in enumerate(cases):
        for number, (description, data) in enumerate(mutated):
            path = tmp_path / f"fuzz{index}_{number}{''.join(source.suffixes)}"
            path.write_bytes(data)
            paths.append((str(path), description))
    outcomes = outcomes_in_child([p for p, _ in paths])
    kinds = {p: o.split(":")[0] for p, o in outcomes.items()}
    bad = {
        d: outcomes[p] for p, d in paths if kinds[p] not in ("ok", "LoadError", "UnsafeFileError")
    }
    assert not bad, bad
    assert "ok" in kinds.values() and "LoadError" in kinds.values()  # both paths are exercised


def test_fuzz_finds_stay_fixed(folder):
    """Regressions found by fuzzing; both used to go wrong inside HDF5 itself.

    1. A variable-length string whose stored length field claims 3.8 GB: HDF5 allocated (and
       touched) 3.8 GB before noticing the heap object is smaller.
    2. A global heap free-space entry of size 0: HDF5 parsed the collection forever.
    """
    bomb, loop = mf.make_vlen_length_bomb(folder), mf.make_global_heap_loop(folder)
    outcomes = outcomes_in_child([str(bomb), str(loop)])
    assert (
        outcomes[str(bomb)].startswith("UnsafeFileError") and "3,858,763,527" in outcomes[str(bomb)]
    )
    assert outcomes[str(loop)].startswith("LoadError") and "global heap" in outcomes[str(loop)]


def test_refusals_are_the_same_without_reading_weights(folder, tmp_path):
    # `lamina inspect` reads with load_weights=False: it must give the same verdict.
    for path in (
        mf.make_h5_soft_link(folder),
        mf.make_h5_declared_only(folder, (1000, 1000)),
        mf.make_keras_with_member(folder, "../../evil"),
        mf.make_zip_bomb(folder, "model.weights.h5"),
    ):
        refused(path, UnsafeFileError, load_weights=False)


def test_result_type_is_model_file():
    assert isinstance(read_model_file(mf.SEED_KERAS), ModelFile)
    with zipfile.ZipFile(mf.SEED_KERAS) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]


def test_brackets_inside_strings_do_not_count_as_nesting(folder):
    name = '[[[{{{\\"' * 100  # escaped quotes must not end the string early
    config = json.dumps({"class_name": "Sequential", "config": {"name": name, "layers": []}})
    data = read_model_file(mf.make_keras_with_config(folder, config.encode()))
    assert data.model_config["config"]["name"] == name
