"""The data set origins and checksums are Keras 3's own.

The loader tests replace the hashes in `remote.REMOTE_FILES` to serve local files; this test checks
the real table against the installed Keras: each `keras.datasets` loader is run with its
`get_file` replaced by a recorder, so the URL and the hash Keras would download and verify are
read from Keras's code itself, whatever variables it keeps them in.
"""

import importlib

import pytest

from lamina._src.datasets import remote

KERAS_LOADERS = [("mnist", "load_data"), ("fashion_mnist", "load_data"), ("cifar10", "load_data"),
                 ("cifar100", "load_data"), ("imdb", "load_data"), ("imdb", "get_word_index"),
                 ("reuters", "load_data"), ("reuters", "get_word_index"),
                 ("boston_housing", "load_data"), ("california_housing", "load_data")]


@pytest.fixture(scope="module")
def keras_downloads(keras):
    """{file name at its origin: (origin URL, file_hash)} for every Keras data set download."""
    downloads = {}
    patcher = pytest.MonkeyPatch()

    def recorder(fname=None, origin=None, file_hash=None, **kwargs):
        downloads[origin.rsplit("/", 1)[-1]] = (origin, file_hash)
        return "/nonexistent/lamina-test/" + (fname or "file")

    try:
        for module_name, function in KERAS_LOADERS:
            module = importlib.import_module(f"keras.src.datasets.{module_name}")
            patcher.setattr(module, "get_file", recorder)
            before = len(downloads)
            with pytest.raises(FileNotFoundError):  # it reads the recorder's path
                getattr(module, function)()
            assert len(downloads) > before, f"keras.datasets.{module_name}.{function}: no download"
    finally:
        patcher.undo()
    return downloads


def test_the_same_files_as_keras(keras_downloads):
    assert sorted(remote.REMOTE_FILES) == sorted(keras_downloads)


@pytest.mark.parametrize("name", sorted(remote.REMOTE_FILES))
def test_origin_and_checksum_equal_keras(name, keras_downloads, monkeypatch):
    monkeypatch.delenv(remote.ORIGIN_ENV_VAR, raising=False)
    origin, file_hash = keras_downloads[name]
    assert remote.origin_of(name) == origin
    assert remote.REMOTE_FILES[name][1] == file_hash
