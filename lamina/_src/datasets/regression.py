"""The shuffle-then-split shared by the `boston_housing` and `california_housing` loaders."""

import numpy as np

from lamina._src.datasets.remote import fetch


def load_shuffled_split(
    remote_name: str, path: str, test_split: float, seed: int, limit: int | None = None
):
    """Reads `x` and `y` from the npz file, keeps the first `limit` rows, shuffles, splits.

    The split is Keras's: a `np.random.RandomState(seed)` shuffle of the row indices, then the
    first `int(n * (1 - test_split))` rows for training, the rest for test.
    """
    if not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
            "(exclusive of 1), e.g. test_split=0.2 to keep 20% of the samples for test."
        )
    with np.load(fetch(remote_name, fname=path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
