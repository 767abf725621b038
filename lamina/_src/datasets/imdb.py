"""The IMDB movie review sentiment data set (`keras.datasets.imdb`)."""

import warnings

import numpy as np

from lamina._src.datasets import word_sequences
from lamina._src.datasets.remote import fetch
from lamina._src.datasets.safe_pickle import load_npz


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Loads the IMDB data set: 25,000 training and 25,000 test movie reviews, positive or not.

    Each review is a list of word indices; a word's index is its frequency rank in the data set
    (the 3rd most frequent word has index 3) plus `index_from`, and 0 is never used (it is the
    padding value of `pad_sequences`). The file is downloaded once into `~/.keras/datasets/`
    (the Keras cache) and checked against Keras's sha256. It holds object arrays, which are
    unpickled with a restricted reader that cannot run code (see `safe_pickle`).

    The samples are shuffled with `seed` (as Keras does, so the same arguments give the same
    arrays as `keras.datasets.imdb.load_data`).

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).
        num_words: Keep only the words with an index below this (the most frequent ones); the
            others become `oov_char`. None keeps all (except, as in Keras, the largest index).
        skip_top: Skip the words with an index below this (the most frequent ones, often stop
            words); they become `oov_char`.
        maxlen: Drop the reviews of `maxlen` words or more (counting `start_char`). None keeps
            all.
        seed: Seed of the shuffle.
        start_char: The index marking the start of every review (None: no marker).
        oov_char: The index that replaces out-of-vocabulary words (None: drop them).
        index_from: Offset added to every word index.
        **kwargs: Legacy arguments of Keras 1 (e.g. `nb_words`); ignored, with a warning.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` a 1-D object array of
        lists of ints (one list per review), `y` an int array of 0/1 labels (1 = positive).

    Raises:
        ValueError: if `maxlen` is so small that no review is kept.

    Example:

    ```python
    (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=10000)
    x_train = keras.utils.pad_sequences(x_train, maxlen=200)
    ```
    """
    if kwargs:
        warnings.warn(
            f"Ignoring the unknown arguments {sorted(kwargs)} of `imdb.load_data` (Keras 1 "
            "names such as `nb_words` are now `num_words`).",
            stacklevel=2,
        )
    arrays = load_npz(fetch("imdb.npz", fname=path))
    x_train, y_train = arrays["x_train"], arrays["y_train"]
    x_test, y_test = arrays["x_test"], arrays["y_test"]

    # One generator for both splits, drawn in this order: the same permutations as Keras.
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, y_train = x_train[order], y_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, y_test = x_test[order], y_test[order]

    x_train = word_sequences.shift_indices(x_train, start_char, index_from)
    x_test = word_sequences.shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = word_sequences.drop_long(maxlen, x_train, y_train)
        x_test, y_test = word_sequences.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                "kept. Increase maxlen."
            )
    # The vocabulary limit is computed over both splits together, as in Keras.
    sequences = word_sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    split = len(x_train)
    return (
        (word_sequences.as_object_array(sequences[:split]), labels[:split]),
        (word_sequences.as_object_array(sequences[split:]), labels[split:]),
    )


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """Returns the IMDB word index: a dict from each word to its index (its frequency rank).

    The index does not include `index_from`: to decode a review loaded with the default
    `index_from=3`, look up `index - 3`.

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).

    Example:

    ```python
    index = keras.datasets.imdb.get_word_index()
    words = {i + 3: w for w, i in index.items()}
    text = " ".join(words.get(i, "?") for i in x_train[0])
    ```
    """
    return word_sequences.read_word_index(fetch("imdb_word_index.json", fname=path))
