"""Padding variable-length sequences into one dense array (host-side, NumPy)."""

import numpy as np

_PAD_MODES = ("pre", "post")


def pad_sequences(
    sequences,
    maxlen: int | None = None,
    dtype="int32",
    padding: str = "pre",
    truncating: str = "pre",
    value=0.0,
) -> np.ndarray:
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences (lists of scalars, or arrays whose trailing
    "sample" shape is shared) into a NumPy array of shape `(num_samples, maxlen) + sample_shape`.
    Sequences shorter than `maxlen` are padded with `value`; longer ones are truncated.

    Args:
        sequences: List (or other sized iterable) of sequences.
        maxlen: Length of the output sequences. Defaults to the length of the longest sequence.
        dtype: Output dtype. Use `object` (or a NumPy string dtype) for strings.
        padding: `"pre"` or `"post"`: pad before or after each sequence.
        truncating: `"pre"` or `"post"`: drop values from the start or the end of sequences
            longer than `maxlen`.
        value: Padding value, a float or a string.

    Returns:
        NumPy array of shape `(len(sequences), maxlen) + sample_shape`.

    Raises:
        ValueError: on a bad `padding` / `truncating` value, a non-iterable entry, a negative
            `maxlen`, a string `value` with a non-string `dtype`, or samples whose trailing
            shapes differ.
        TypeError: if `maxlen` is not an integer.

    Example:

    >>> pad_sequences([[1, 2, 3], [4, 5], [6]])
    array([[1, 2, 3],
           [0, 4, 5],
           [0, 0, 6]], dtype=int32)
    >>> pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2, padding="post", truncating="post")
    array([[1, 2],
           [4, 5],
           [6, 0]], dtype=int32)
    """
    if padding not in _PAD_MODES:
        raise ValueError(f'Padding type "{padding}" not understood; expected "pre" or "post".')
    if truncating not in _PAD_MODES:
        raise ValueError(
            f'Truncating type "{truncating}" not understood; expected "pre" or "post".'
        )
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            "`sequences` must be iterable. pad_sequences needs a list (or other sized "
            f"iterable) of sequences; received {type(sequences).__name__}. Wrap a generator "
            "in list(...)."
        )
    if maxlen is not None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, int | np.integer):
            raise TypeError(
                f"`maxlen` must be an integer or None; received {maxlen!r} "
                f"({type(maxlen).__name__})."
            )
        if maxlen < 0:
            raise ValueError(f"`maxlen` must be non-negative or None; received {maxlen}.")
        maxlen = int(maxlen)

    lengths = []
    sample_shape = None
    for i, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {seq!r} "
                f"(at position {i})."
            ) from e
        if sample_shape is None and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
    if sample_shape is None:
        sample_shape = ()
    if maxlen is None:
        maxlen = max(lengths, default=0)

    # Strings fit only object and NumPy str/bytes dtypes ("O", "U", "S").
    if isinstance(value, str) and np.dtype(dtype).kind not in "OUS":
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )

    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {sample_shape}"
            )
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, maxlen - len(kept) :] = kept
    return out
