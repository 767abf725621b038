"""The downloadable data sets, served offline from 127.0.0.1 as tiny files in the real formats.

Each loader is pointed at a local HTTP server through `LAMINA_DATASETS_ORIGIN`, and the expected
hashes (Keras's real sha256/md5 in `remote.REMOTE_FILES`) are replaced by those of the tiny
files. The results are checked against the generated data, and against real Keras's loaders
run on the very same cached files (Keras's `get_file` is patched to return them).
"""

import gzip
import hashlib
import http.server
import importlib
import io
import json
import os
import pickle
import struct
import tarfile
import threading
import zipfile

import numpy as np
import pytest

import lamina
from lamina._src.backend import config as lamina_config
from lamina._src.datasets import remote, safe_pickle
from lamina._src.datasets.cifar import load_batch

RNG = np.random.default_rng(7)

# --- tiny files in the real formats ------------------------------------------------------------


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def object_array(lists) -> np.ndarray:
    array = np.empty(len(lists), dtype=object)
    for i, seq in enumerate(lists):
        array[i] = list(seq)
    return array


def idx_gz(array: np.ndarray) -> bytes:
    """The IDX format of the (Fashion-)MNIST files: magic 0x0000_08_<ndim>, big-endian dims."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def py2_pickle(obj) -> bytes:
    """A protocol-2 pickle laid out as Python 2 + numpy 1 wrote the CIFAR batches: Python 2
    `str` as BINSTRING, arrays through `numpy.core.multiarray._reconstruct`."""
    out = bytearray(b"\x80\x02")

    def emit(o):
        if isinstance(o, dict):
            out.extend(b"}(")
            for k, v in o.items():
                emit(k)
                emit(v)
            out.extend(b"u")
        elif isinstance(o, list):
            out.extend(b"](")
            for v in o:
                emit(v)
            out.extend(b"e")
        elif isinstance(o, tuple):
            out.extend(b"(")
            for v in o:
                emit(v)
            out.extend(b"t")
        elif o is None:
            out.extend(b"N")
        elif isinstance(o, bool):
            out.extend(b"\x88" if o else b"\x89")
        elif isinstance(o, int):
            out.extend(b"J" + struct.pack("<i", o))
        elif isinstance(o, bytes):
            out.extend(b"T" + struct.pack("<I", len(o)) + o)
        elif isinstance(o, np.ndarray):
            out.extend(b"cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n")
            emit((0,))
            emit(b"b")
            out.extend(b"tR(")
            emit(1)
            emit(o.shape)
            out.extend(b"cnumpy\ndtype\n(")
            emit(o.dtype.str[1:].encode())
            emit(0)
            emit(1)
            out.extend(b"tR(")
            emit(3)
            emit(o.dtype.str[:1].encode())
            out.extend(b"NNN")
            emit(-1)
            emit(-1)
            emit(0)
            out.extend(b"tb")
            emit(False)
            emit(o.tobytes())
            out.extend(b"tb")
        else:
            raise TypeError(type(o))

    emit(obj)
    return bytes(out + b".")


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        folders = sorted({os.path.dirname(name) for name in files})
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def images(n: int, shape=(28, 28)) -> np.ndarray:
    return RNG.integers(0, 256, size=(n, *shape), dtype=np.uint8)


def word_lists(n: int, vocab: int = 40) -> list[list[int]]:
    # Lengths 3, 4, 5, ... so no two differ only by chance and `maxlen` filters predictably.
    return [RNG.integers(1, vocab, size=3 + i % 9).tolist() for i in range(n)]


MNIST = {
    "x_train": images(5),
    "y_train": RNG.integers(0, 10, 5, dtype=np.uint8),
    "x_test": images(3),
    "y_test": RNG.integers(0, 10, 3, dtype=np.uint8),
}
FASHION = {
    "x_train": images(4),
    "y_train": RNG.integers(0, 10, 4, dtype=np.uint8),
    "x_test": images(2),
    "y_test": RNG.integers(0, 10, 2, dtype=np.uint8),
}
CIFAR10 = {  # five training batches of 2 images and a test batch of 3, in (n, 3072) rows
    name: (images(n, (3072,)), RNG.integers(0, 10, n).tolist())
    for name, n in [(f"data_batch_{i}", 2) for i in range(1, 6)] + [("test_batch", 3)]
}
CIFAR100 = {
    name: (images(n, (3072,)), RNG.integers(0, 100, n).tolist(), RNG.integers(0, 20, n).tolist())
    for name, n in [("train", 4), ("test", 3)]
}
IMDB = {
    "x_train": word_lists(12),
    "y_train": RNG.integers(0, 2, 12),
    "x_test": word_lists(10),
    "y_test": RNG.integers(0, 2, 10),
}
REUTERS = {"x": word_lists(25), "y": RNG.integers(0, 46, 25)}
BOSTON = {"x": RNG.normal(size=(20, 13)), "y": RNG.normal(size=20)}
CALIFORNIA = {"x": RNG.normal(size=(700, 8)).astype("float32"), "y": RNG.random(700) * 5e5}
WORD_INDEX = {"the": 1, "and": 2, "a": 3, "of": 4}


def cifar10_tar() -> bytes:
    return tar_gz(
        {
            f"cifar-10-batches-py/{name}": py2_pickle(
                {
                    b"batch_label": name.encode(),
                    b"labels": labels,
                    b"data": data,
                    b"filenames": [f"img{i}.png".encode() for i in range(len(labels))],
                }
            )
            for name, (data, labels) in CIFAR10.items()
        }
        | {"cifar-10-batches-py/batches.meta": py2_pickle({b"num_cases_per_batch": 2})}
    )


def cifar100_tar() -> bytes:
    return tar_gz(
        {
            f"cifar-100-python/{name}": py2_pickle(
                {
                    b"filenames": [b"x.png"] * len(fine),
                    b"batch_label": name.encode(),
                    b"fine_labels": fine,
                    b"coarse_labels": coarse,
                    b"data": data,
                }
            )
            for name, (data, fine, coarse) in CIFAR100.items()
        }
    )


SERVED = {
    "mnist.npz": npz_bytes(**MNIST),
    "train-labels-idx1-ubyte.gz": idx_gz(FASHION["y_train"]),
    "train-images-idx3-ubyte.gz": idx_gz(FASHION["x_train"]),
    "t10k-labels-idx1-ubyte.gz": idx_gz(FASHION["y_test"]),
    "t10k-images-idx3-ubyte.gz": idx_gz(FASHION["x_test"]),
    "cifar-10-python.tar.gz": cifar10_tar(),
    "cifar-100-python.tar.gz": cifar100_tar(),
    "imdb.npz": npz_bytes(**{k: object_array(v) if k[0] == "x" else v for k, v in IMDB.items()}),
    "imdb_word_index.json": json.dumps(WORD_INDEX).encode(),
    "reuters.npz": npz_bytes(x=object_array(REUTERS["x"]), y=REUTERS["y"]),
    "reuters_word_index.json": json.dumps(WORD_INDEX).encode(),
    "boston_housing.npz": npz_bytes(**BOSTON),
    "california_housing.npz": npz_bytes(**CALIFORNIA),
}

# --- a local HTTP server -----------------------------------------------------------------------


class LocalServer:
    """Serves `files` on 127.0.0.1 (port 0) and counts requests; stops itself after 60 s."""

    def __init__(self, files: dict[str, bytes], lifetime_s: float = 60):
        self.files = files
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                body = server.files.get(name)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.watchdog = threading.Timer(lifetime_s, self.httpd.shutdown)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self):
        self.watchdog.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(monkeypatch, tmp_path):
    """A server with the tiny files; loaders pointed at it, with a fresh KERAS_HOME."""
    served = LocalServer(dict(SERVED))
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv(remote.ORIGIN_ENV_VAR, served.url)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    # The real entries hold Keras's hashes of the real files; the tiny files have their own.
    for name, (base, real_hash) in remote.REMOTE_FILES.items():
        data = SERVED[name]
        digest = hashlib.md5 if real_hash and len(real_hash) == 32 else hashlib.sha256
        monkeypatch.setitem(
            remote.REMOTE_FILES,
            name,
            (base, None if real_hash is None else digest(data).hexdigest()),
        )
    yield served
    served.close()


@pytest.fixture
def keras_reading(monkeypatch, tmp_path):
    """Real Keras's loader modules, with `get_file` returning lamina's cached files."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    home = tmp_path / "keras_home"

    def fake_get_file(fname=None, origin=None, cache_subdir="datasets", **kwargs):
        return str(home / cache_subdir / fname)

    def load(name):
        module = importlib.import_module(f"keras.src.datasets.{name}")
        monkeypatch.setattr(module, "get_file", fake_get_file, raising=False)
        return module

    return load


def assert_same(ours, theirs):
    assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape, (ours, theirs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def assert_same_sequences(ours, theirs):
    # Keras's `np.array(lists, dtype=object)` turns equal-length lists into a 2-D array; lamina
    # always returns a 1-D object array of lists.
    assert ours.dtype == object and ours.ndim == 1
    assert [list(s) for s in ours] == [list(s) for s in theirs]


def assert_same_splits(ours, theirs, sequences=False):
    for our_pair, their_pair in zip(ours, theirs):
        if sequences:
            assert_same_sequences(our_pair[0], their_pair[0])
        else:
            assert_same(our_pair[0], their_pair[0])
        assert_same(our_pair[1], np.asarray(their_pair[1]))


# --- the loaders -------------------------------------------------------------------------------


def test_public_modules():
    for name in [
        "mnist",
        "fashion_mnist",
        "cifar10",
        "cifar100",
        "imdb",
        "reuters",
        "boston_housing",
        "california_housing",
    ]:
        module = getattr(lamina.datasets, name)
        assert module.load_data is importlib.import_module(f"lamina._src.datasets.{name}").load_data
    assert lamina.datasets.imdb.get_word_index and lamina.datasets.reuters.get_label_names


def test_mnist_and_cache_reuse(server, tmp_path, keras_reading):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.mnist.load_data()
    assert_same(x_train, MNIST["x_train"])
    assert_same(y_train, MNIST["y_train"])
    assert_same(x_test, MNIST["x_test"])
    assert_same(y_test, MNIST["y_test"])
    assert os.path.isfile(tmp_path / "keras_home" / "datasets" / "mnist.npz")
    lamina.datasets.mnist.load_data()
    assert server.requests == ["mnist.npz"]
    assert_same_splits(lamina.datasets.mnist.load_data(), keras_reading("mnist").load_data())


def test_file_downloaded_by_keras_is_reused(server, tmp_path):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(SERVED["mnist.npz"])
    lamina.datasets.mnist.load_data()
    assert server.requests == []


def test_checksum_mismatch(server, tmp_path, monkeypatch):
    base, _ = remote.REMOTE_FILES["mnist.npz"]
    monkeypatch.setitem(remote.REMOTE_FILES, "mnist.npz", (base, "0" * 64))
    with pytest.raises(ValueError, match="hash"):
        lamina.datasets.mnist.load_data()
    assert not os.path.exists(tmp_path / "keras_home" / "datasets" / "mnist.npz")
    # A stale cached copy is downloaded again once, and the good download replaces it.
    monkeypatch.setitem(
        remote.REMOTE_FILES,
        "mnist.npz",
        (base, hashlib.sha256(SERVED["mnist.npz"]).hexdigest()),
    )
    (tmp_path / "keras_home" / "datasets" / "mnist.npz").write_bytes(b"stale")
    lamina.datasets.mnist.load_data()
    assert server.requests == ["mnist.npz", "mnist.npz"]


def test_fashion_mnist(server, tmp_path, keras_reading):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.fashion_mnist.load_data()
    assert_same(x_train, FASHION["x_train"])
    assert_same(y_train, FASHION["y_train"])
    assert_same(x_test, FASHION["x_test"])
    assert_same(y_test, FASHION["y_test"])
    assert x_train.flags.writeable
    assert len(os.listdir(tmp_path / "keras_home" / "datasets" / "fashion-mnist")) == 4
    lamina.datasets.fashion_mnist.load_data()
    assert len(server.requests) == 4
    theirs = keras_reading("fashion_mnist").load_data()
    assert_same_splits(lamina.datasets.fashion_mnist.load_data(), theirs)


def test_cifar10(server, tmp_path, keras_reading):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.cifar10.load_data()
    expected_train = np.concatenate([CIFAR10[f"data_batch_{i}"][0] for i in range(1, 6)])
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(
        x_train, expected_train.reshape(10, 3, 32, 32).transpose(0, 2, 3, 1)
    )
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert y_train.ravel().tolist() == sum((CIFAR10[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1) and y_test.dtype == np.uint8
    # Keras's cache layout: the archive, and the folder it was extracted into.
    cache = tmp_path / "keras_home" / "datasets"
    assert (cache / "cifar-10-batches-py-target_archive").is_file()
    assert (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").is_file()
    # Keras's `cifar10.load_data` assumes 10,000 images per batch, so compare batch by batch.
    keras_load_batch = keras_reading("cifar").load_batch
    folder = cache / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    for name in CIFAR10:
        ours, theirs = load_batch(str(folder / name)), keras_load_batch(str(folder / name))
        assert_same(ours[0], theirs[0])
        assert ours[1] == theirs[1]
    lamina.datasets.cifar10.load_data()
    assert server.requests == ["cifar-10-python.tar.gz"]


def test_cifar100_label_modes_and_channels_first(server, keras_reading):
    keras_cifar100 = keras_reading("cifar100")
    for mode, column in (("fine", 1), ("coarse", 2)):
        (x_train, y_train), (x_test, y_test) = lamina.datasets.cifar100.load_data(mode)
        assert y_train.ravel().tolist() == CIFAR100["train"][column]
        assert y_test.shape == (3, 1) and x_train.shape == (4, 32, 32, 3)
        assert_same_splits(
            ((x_train, y_train), (x_test, y_test)), keras_cifar100.load_data(label_mode=mode)
        )
    previous = lamina_config.image_data_format()
    lamina_config.set_image_data_format("channels_first")
    try:
        (x_train, _), _ = lamina.datasets.cifar100.load_data()
    finally:
        lamina_config.set_image_data_format(previous)
    np.testing.assert_array_equal(x_train, CIFAR100["train"][0].reshape(4, 3, 32, 32))
    with pytest.raises(ValueError, match="label_mode"):
        lamina.datasets.cifar100.load_data("medium")
    assert server.requests == ["cifar-100-python.tar.gz"]


IMDB_OPTIONS = [
    {},
    {"num_words": 20, "skip_top": 3},
    {"maxlen": 9, "seed": 5},
    {"start_char": None, "oov_char": None, "num_words": 25},
    {"start_char": None, "index_from": 0},
    {"index_from": 1, "oov_char": 7, "skip_top": 10},
]


@pytest.mark.parametrize("options", IMDB_OPTIONS)
def test_imdb_matches_keras(server, keras_reading, options):
    ours = lamina.datasets.imdb.load_data(**options)
    assert_same_splits(ours, keras_reading("imdb").load_data(**options), sequences=True)


def test_imdb_values_and_word_index(server, keras_reading):
    # (With num_words=None, Keras also turns the largest index into `oov_char`.)
    (x_train, y_train), (x_test, y_test) = lamina.datasets.imdb.load_data(seed=0, num_words=99)
    order = np.arange(12)
    np.random.RandomState(0).shuffle(order)
    assert [list(s) for s in x_train] == [[1] + [w + 3 for w in IMDB["x_train"][i]] for i in order]
    assert y_train.tolist() == IMDB["y_train"][order].tolist() and len(x_test) == len(y_test) == 10
    assert lamina.datasets.imdb.get_word_index() == WORD_INDEX
    lamina.datasets.imdb.get_word_index()
    assert server.requests == ["imdb.npz", "imdb_word_index.json"]
    with pytest.raises(ValueError, match="maxlen"):
        lamina.datasets.imdb.load_data(maxlen=2)


@pytest.mark.parametrize(
    "options",
    [{}, {"num_words": 20, "skip_top": 2}, {"maxlen": 8, "test_split": 0.3}, {"oov_char": None}],
)
def test_reuters_matches_keras(server, keras_reading, options):
    ours = lamina.datasets.reuters.load_data(**options)
    assert_same_splits(ours, keras_reading("reuters").load_data(**options), sequences=True)


def test_reuters_word_index_and_labels(server, keras_reading):
    assert lamina.datasets.reuters.get_word_index() == WORD_INDEX
    assert lamina.datasets.reuters.get_label_names() == keras_reading("reuters").get_label_names()
    assert len(lamina.datasets.reuters.get_label_names()) == 46


@pytest.mark.parametrize("options", [{}, {"test_split": 0.35, "seed": 3}, {"test_split": 0}])
def test_boston_housing_matches_keras(server, keras_reading, options):
    ours = lamina.datasets.boston_housing.load_data(**options)
    assert_same_splits(ours, keras_reading("boston_housing").load_data(**options))
    (x_train, _), (x_test, _) = ours
    assert x_train.shape[1] == 13 and len(x_train) + len(x_test) == 20


@pytest.mark.parametrize("options", [{}, {"version": "small", "test_split": 0.1, "seed": 1}])
def test_california_housing_matches_keras(server, keras_reading, options):
    ours = lamina.datasets.california_housing.load_data(**options)
    assert_same_splits(ours, keras_reading("california_housing").load_data(**options))
    (x_train, _), (x_test, _) = ours
    assert len(x_train) + len(x_test) == (600 if options.get("version") == "small" else 700)


def test_regression_argument_errors(server):
    with pytest.raises(ValueError, match="test_split"):
        lamina.datasets.boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="version"):
        lamina.datasets.california_housing.load_data(version="medium")
    assert server.requests == []


# --- hostile files -----------------------------------------------------------------------------


def test_cifar_archive_escaping_the_cache_is_refused(server, tmp_path, monkeypatch):
    hostile = io.BytesIO()
    with tarfile.open(fileobj=hostile, mode="w:gz") as archive:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"evil"))
    server.files["cifar-10-python.tar.gz"] = hostile.getvalue()
    base, _ = remote.REMOTE_FILES["cifar-10-python.tar.gz"]
    monkeypatch.setitem(
        remote.REMOTE_FILES,
        "cifar-10-python.tar.gz",
        (base, hashlib.sha256(hostile.getvalue()).hexdigest()),
    )
    with pytest.raises(ValueError, match="Refusing to extract"):
        lamina.datasets.cifar10.load_data()
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "keras_home" / "escaped.txt").exists()
    assert sorted(os.listdir(tmp_path / "keras_home" / "datasets")) == [
        "cifar-10-batches-py-target_archive"
    ]


class RunsCode:
    """Pickles to a shell command, as a tampered data file would; it would create `marker`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickles_that_run_code_are_refused(server, tmp_path, monkeypatch):
    marker = tmp_path / "code_ran"
    evil_batch = pickle.dumps({b"data": RunsCode(marker), b"labels": [1]}, protocol=3)
    evil = tar_gz({f"cifar-10-batches-py/{name}": evil_batch for name in CIFAR10})
    evil_npz = npz_bytes(x=object_array([[1, 2], [RunsCode(marker)]]), y=np.arange(2))
    for name, body in (("cifar-10-python.tar.gz", evil), ("reuters.npz", evil_npz)):
        server.files[name] = body
        base, _ = remote.REMOTE_FILES[name]
        monkeypatch.setitem(remote.REMOTE_FILES, name, (base, hashlib.sha256(body).hexdigest()))
    with pytest.raises(ValueError, match="Refusing to load `(posix|os|nt).system`"):
        lamina.datasets.cifar10.load_data()
    with pytest.raises(ValueError, match="Refusing to load `(posix|os|nt).system`"):
        lamina.datasets.reuters.load_data()
    assert not marker.exists()


def test_safe_pickle_reads_python3_numpy_pickles():
    arrays = {
        "u8": np.arange(12, dtype=np.uint8).reshape(3, 4),
        "f4_fortran": np.asfortranarray(RNG.normal(size=(2, 3)).astype(">f4")),
        "bool": np.array([True, False]),
        "objects": object_array([[1, 2, 3], [4]]),
        "empty": np.zeros((0, 3), dtype=np.int64),
    }
    # (Python 3's protocol 2 would pickle bytes through `_codecs.encode`, which is refused.)
    for protocol in (3, 4):
        loaded = safe_pickle.load_pickle(io.BytesIO(pickle.dumps(arrays, protocol=protocol)))
        for key, value in arrays.items():
            assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape, key
            assert loaded[key].tolist() == value.tolist(), key
    # Numpy numbers inside the lists of an object array (as older data files may hold).
    numbers = object_array([[np.int64(3), np.int32(-4), 5], [np.float32(1.5)]])
    loaded = safe_pickle.load_pickle(io.BytesIO(pickle.dumps(numbers, protocol=3)))
    assert [[(type(v), v) for v in seq] for seq in loaded] == [
        [(type(v), v) for v in seq] for seq in numbers
    ]
    structured = np.zeros(2, dtype=[("a", "i4"), ("b", "f4")])
    with pytest.raises(ValueError, match="structured"):
        safe_pickle.load_pickle(io.BytesIO(pickle.dumps(structured, protocol=3)))
    with pytest.raises(ValueError, match="not numeric"):
        safe_pickle.load_pickle(io.BytesIO(pickle.dumps(np.array(["a"]), protocol=3)))


def test_npz_numeric_members_load_without_pickle(tmp_path):
    path = tmp_path / "plain.npz"
    path.write_bytes(npz_bytes(a=np.arange(3), b=object_array([[1], [2, 3]])))
    loaded = safe_pickle.load_npz(str(path))
    assert loaded["a"].tolist() == [0, 1, 2] and [list(s) for s in loaded["b"]] == [[1], [2, 3]]
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["a.npy", "b.npy"]
