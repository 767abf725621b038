"""The Reuters newswire topics data set (`keras.datasets.reuters`)."""

import numpy as np

from lamina._src.datasets import word_sequences
from lamina._src.datasets.remote import fetch
from lamina._src.datasets.safe_pickle import load_npz

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """Loads the Reuters data set: 11,228 newswires from Reuters, labeled over 46 topics.

    Each newswire is a list of word indices, encoded as in `imdb.load_data` (frequency rank plus
    `index_from`). The file is downloaded once into `~/.keras/datasets/` (the Keras cache) and
    checked against Keras's sha256; its object arrays are unpickled with a restricted reader
    that cannot run code (see `safe_pickle`). The samples are shuffled with `seed`, then the
    last `test_split` of them form the test set, as in Keras.

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).
        num_words: Keep only the words with an index below this; the others become `oov_char`.
            None keeps all (except, as in Keras, the largest index).
        skip_top: Skip the words with an index below this; they become `oov_char`.
        maxlen: Drop the newswires of `maxlen` words or more (counting `start_char`).
        test_split: Fraction of the data set to use as the test set.
        seed: Seed of the shuffle.
        start_char: The index marking the start of every newswire (None: no marker).
        oov_char: The index that replaces out-of-vocabulary words (None: drop them).
        index_from: Offset added to every word index.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x` a 1-D object array of
        lists of ints, `y` an int array of topic labels 0-45 (`get_label_names()` names them).
    """
    arrays = load_npz(fetch("reuters.npz", fname=path))
    xs, labels = arrays["x"], arrays["y"]

    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]

    xs = word_sequences.shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = word_sequences.drop_long(maxlen, xs, labels)
    xs = word_sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    return (
        (word_sequences.as_object_array(xs[:split]), np.array(labels[:split])),
        (word_sequences.as_object_array(xs[split:]), np.array(labels[split:])),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """Returns the Reuters word index: a dict from each word to its index (frequency rank).

    The index does not include `index_from`: with the default `index_from=3`, look up
    `index - 3` to decode a newswire.

    Args:
        path: Name of the file in the cache folder (`~/.keras/datasets`).
    """
    return word_sequences.read_word_index(fetch("reuters_word_index.json", fname=path))


def get_label_names() -> tuple[str, ...]:
    """Returns the names of the 46 Reuters topics, indexed by label."""
    return _LABEL_NAMES
