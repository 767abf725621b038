"""Where the downloadable data sets come from, and the checksums their downloads must match.

The URLs, file names and hashes are Keras's own (`keras.datasets.*`), so the cache files are the
same (`~/.keras/datasets/mnist.npz`, ...): a data set already downloaded with Keras is reused, and
one downloaded with lamina is reused by Keras.

To download from a mirror (or to work offline from a folder), set the `LAMINA_DATASETS_ORIGIN`
environment variable to a URL that serves the same file names, e.g.
`LAMINA_DATASETS_ORIGIN=file:///data/keras-datasets/`; it is read at each call and the files
are still checked against Keras's hashes.
"""

import os

from lamina._src.utils.file_utils import get_file

KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/"
ORIGIN_ENV_VAR = "LAMINA_DATASETS_ORIGIN"

# file name -> (default base URL, expected hash: sha256 if 64 hex digits, else md5; None = none).
# Keras publishes no hash for the Fashion-MNIST files, so they are not verified (as in Keras).
REMOTE_FILES: dict[str, tuple[str, str | None]] = {
    "mnist.npz": (
        KERAS_DATASETS_URL,
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    ),
    "train-labels-idx1-ubyte.gz": (KERAS_DATASETS_URL, None),
    "train-images-idx3-ubyte.gz": (KERAS_DATASETS_URL, None),
    "t10k-labels-idx1-ubyte.gz": (KERAS_DATASETS_URL, None),
    "t10k-images-idx3-ubyte.gz": (KERAS_DATASETS_URL, None),
    "cifar-10-python.tar.gz": (
        CIFAR_URL,
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    ),
    "cifar-100-python.tar.gz": (
        CIFAR_URL,
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    ),
    "imdb.npz": (
        KERAS_DATASETS_URL,
        "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    ),
    "imdb_word_index.json": (KERAS_DATASETS_URL, "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": (
        KERAS_DATASETS_URL,
        "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    ),
    "reuters_word_index.json": (KERAS_DATASETS_URL, "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": (
        KERAS_DATASETS_URL,
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    ),
    "california_housing.npz": (
        KERAS_DATASETS_URL,
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    ),
}


def origin_of(remote_name: str) -> str:
    """The URL of the data set file `remote_name` (honouring `LAMINA_DATASETS_ORIGIN`)."""
    default_base, _ = REMOTE_FILES[remote_name]
    base = os.environ.get(ORIGIN_ENV_VAR) or default_base
    return base + ("" if base.endswith("/") else "/") + remote_name


def fetch(
    remote_name: str,
    fname: str | None = None,
    cache_subdir: str = "datasets",
    extract: bool = False,
) -> str:
    """Downloads (or finds in the cache) the data set file `remote_name`; returns its path.

    Args:
        remote_name: The file's name at its origin, a key of `REMOTE_FILES`.
        fname: Its name in the cache, if not `remote_name` (Keras's `path=` arguments).
        cache_subdir: The cache sub-folder, as in `get_file`.
        extract: Extract the archive and return the extraction folder, as in `get_file`.
    """
    _, file_hash = REMOTE_FILES[remote_name]
    return get_file(
        fname=fname or remote_name,
        origin=origin_of(remote_name),
        file_hash=file_hash,
        cache_subdir=cache_subdir,
        extract=extract,
    )
