"""The word-index preprocessing shared by `imdb` and `reuters` (Keras's exact rules)."""

import json

import numpy as np


def shift_indices(sequences, start_char: int | None, index_from: int) -> list[list[int]]:
    """Adds `index_from` to every word index and prepends `start_char` (unless it is None)."""
    prefix = [] if start_char is None else [start_char]
    return [prefix + [int(w) + index_from for w in seq] for seq in sequences]


def drop_long(maxlen: int, sequences: list, labels) -> tuple[list, list]:
    """Keeps the sequences strictly shorter than `maxlen` (Keras's `remove_long_seq`)."""
    kept = [(seq, label) for seq, label in zip(sequences, labels) if len(seq) < maxlen]
    return [seq for seq, _ in kept], [label for _, label in kept]


def limit_vocabulary(
    sequences: list, num_words: int | None, skip_top: int, oov_char: int | None
) -> list[list[int]]:
    """Keeps the indices in `[skip_top, num_words)`, replacing the others by `oov_char`.

    With `oov_char=None` the other indices are dropped. A `num_words` of None (or 0) means the
    largest index present; like Keras, that largest index itself then counts as out of range.
    """
    if not num_words:
        num_words = max((max(seq) for seq in sequences if seq), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def as_object_array(sequences: list) -> np.ndarray:
    """A 1-D object array of lists (`np.array` would make a 2-D one if all had one length)."""
    array = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        array[i] = seq
    return array


def read_word_index(path: str) -> dict[str, int]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
