"""`timeseries_dataset_from_array` and `split_dataset`, on NumPy arrays (no tf.data, no Grain).

Keras builds a `tf.data.Dataset` (or a Grain dataset) here; lamina returns NumPy: a `PyDataset`
of windows, which `fit()` accepts and which can be iterated by hand, and plain arrays for the
splits.
"""

import math
import numbers
import random

import numpy as np

from lamina._src.utils.py_dataset import PyDataset


def _check_positive_int(name: str, value, limit: int | None = None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    if value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    if limit is not None and value >= limit:
        raise ValueError(
            f"`{name}` must be lower than the length of the data. Received: {name}={value}, "
            f"for data of length {limit}"
        )


class TimeseriesDataset(PyDataset):
    """The windows of `timeseries_dataset_from_array`, batch by batch (see that function).

    Batches are NumPy arrays: `(windows, targets)`, or `windows` alone when there are no
    targets. With `shuffle=True`, the window order is drawn again at the end of every epoch of
    `fit()`, from a generator seeded once with `seed`.
    """

    def __init__(
        self, data, targets, start_positions, sequence_length, sampling_rate, batch_size, rng
    ):
        super().__init__()
        self.data = data
        self.targets = targets
        self.start_positions = start_positions
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.batch_size = batch_size
        self._rng = rng

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.start_positions)
        return math.ceil(len(self.start_positions) / self.batch_size)

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Batch index {index} out of range: the dataset has {len(self)}.")
        index %= len(self)
        if self.batch_size is None:
            positions = self.start_positions[index]
        else:
            positions = self.start_positions[
                index * self.batch_size : (index + 1) * self.batch_size
            ]
        windows = self.data[np.add.outer(positions, self.offsets)]
        if self.targets is None:
            return windows
        return windows, self.targets[positions]

    def on_epoch_end(self) -> None:
        if self._rng is not None:
            self._rng.shuffle(self.start_positions)


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
) -> TimeseriesDataset:
    """Creates a dataset of sliding windows over a timeseries given as an array.

    Window `i` starts at step `start_index + p_i` of `data`, with the start offsets
    `p = 0, sequence_stride, 2 * sequence_stride, ...`, and holds the `sequence_length` steps
    `data[s], data[s + sampling_rate], ..., data[s + (sequence_length - 1) * sampling_rate]`;
    every window lies within `data[start_index:end_index]`. Its target is the target at its
    first step, `targets[s]`. These are the windows and targets of
    `keras.utils.timeseries_dataset_from_array`.

    Args:
        data: Array (or array-like) of consecutive data points; axis 0 is time.
        targets: Targets of the timesteps in `data`: `targets[i]` is the target of the window
            that starts at `data[i]`. None when there are no targets (the batches are then the
            windows alone).
        sequence_length: Number of timesteps in each window.
        sequence_stride: Step between the starts of successive windows.
        sampling_rate: Step between the timesteps within a window.
        batch_size: Number of windows per batch (the last batch may be smaller). None yields
            single windows (no batch axis).
        shuffle: Whether to shuffle the windows (otherwise chronological order).
        seed: Seed of the shuffle.
        start_index: Steps before this index are not used (e.g. kept for validation).
        end_index: Steps from this index on are not used.

    Returns:
        A `PyDataset` of NumPy batches: `(windows, targets)` with windows of shape
        `(batch, sequence_length, *data.shape[1:])`, or `windows` alone when `targets` is None.
        `fit()` accepts it; `for batch in dataset` iterates it.

    Raises:
        ValueError: if an index, stride, rate or length is out of range.

    Example: predict the next step from the 10 before it.

    ```python
    data = np.arange(100.0)
    dataset = keras.utils.timeseries_dataset_from_array(
        data[:-10], targets=data[10:], sequence_length=10
    )
    inputs, targets = dataset[0]
    assert np.array_equal(inputs[0], data[:10]) and targets[0] == data[10]
    ```

    Unlike Keras's tf.data version, shuffling does not also pass the windows through a
    shuffle buffer, so with the same `seed` the set of windows is the same but not their order.
    """
    data = data if isinstance(data, np.ndarray) else np.asarray(data)
    if data.ndim == 0:
        raise ValueError(f"`data` must have a time axis (axis 0); received a scalar {data!r}.")
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"`start_index` must be 0 or greater. Received: start_index={start_index}"
            )
        if start_index >= length:
            raise ValueError(
                "`start_index` must be lower than the length of the data. Received: "
                f"start_index={start_index}, for data of length {length}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, and end_index={end_index}"
            )
        if end_index >= length:
            raise ValueError(
                "`end_index` must be lower than the length of the data. Received: "
                f"end_index={end_index}, for data of length {length}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    _check_positive_int("sequence_length", sequence_length)
    _check_positive_int("sampling_rate", sampling_rate, length)
    _check_positive_int("sequence_stride", sequence_stride, length)
    if batch_size is not None:
        _check_positive_int("batch_size", batch_size)

    start_index = start_index or 0
    end_index = end_index or length
    data = data[start_index:end_index]
    num_windows = len(data) - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = targets if isinstance(targets, np.ndarray) else np.asarray(targets)
        targets = targets[start_index:end_index]
        num_windows = min(num_windows, len(targets))
    start_positions = np.arange(0, max(num_windows, 0), sequence_stride, dtype=np.int64)

    rng = None
    if shuffle:
        if seed is None:
            seed = np.random.randint(1_000_000)
        # The same first permutation of the starts as Keras's `RandomState(seed).shuffle`.
        rng = np.random.RandomState(seed)
        rng.shuffle(start_positions)
    return TimeseriesDataset(
        data, targets, start_positions, sequence_length, sampling_rate, batch_size, rng
    )


def _split_size(name: str, size, total: int):
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(
            f"Invalid `{name}` Type. Expected: int or float or None, Received: "
            f"type({name})={type(size)}."
        )
    if isinstance(size, numbers.Integral):
        if not 0 < size < total:
            raise ValueError(
                f"`{name}` should be either a positive integer smaller than {total}, or a float "
                f"within the range `[0, 1]`. Received: {name}={size}"
            )
        return int(size)
    if not 0 < size < 1:
        raise ValueError(
            f"`{name}` should be either a positive integer smaller than {total}, or a float "
            f"within the range `[0, 1]`. Received: {name}={size}"
        )
    return float(size)


def _split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Keras's rules: a float is a fraction (rounded half to even), an int a count."""
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None"
        )
    left = _split_size("left_size", left_size, total)
    right = _split_size("right_size", right_size, total)
    if isinstance(left, float) and isinstance(right, float) and left + right > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than "
            f"or equal to 1. Received: left_size={left_size}, right_size={right_size}"
        )
    if isinstance(left, float):
        left = round(left * total)
    if isinstance(right, float):
        right = round(right * total)
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total}. "
            f"Received: left_size + right_size = {left + right} and total_length = {total}"
        )
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(
                f"With `dataset` of length={total}, `left_size`={left_size} and "
                f"`right_size`={right_size}, the resulting {side} side dataset split will be "
                "empty. Adjust any of the aforementioned parameters."
            )
    return left, right


def _as_arrays(dataset) -> tuple[list[np.ndarray], bool]:
    """The dataset's arrays, and whether it was a list/tuple of them (not one array)."""
    if isinstance(dataset, list | tuple):
        if not dataset:
            raise ValueError(
                "Received an empty list/tuple `dataset`. Please provide a non-empty list/tuple "
                "of arrays of the same length."
            )
        arrays = [np.asarray(a) for a in dataset]
        for i, array in enumerate(arrays):
            if array.ndim == 0 or len(array) != len(arrays[0]):
                raise ValueError(
                    "All the arrays of `dataset` must have the same length (the number of "
                    f"samples). Array 0 has shape {arrays[0].shape}, array {i} shape "
                    f"{array.shape}."
                )
        return arrays, True
    if hasattr(dataset, "__array__") or isinstance(dataset, np.ndarray):
        array = np.asarray(dataset)
        if array.ndim == 0:
            raise ValueError(f"`dataset` must have a sample axis; received a scalar {array!r}.")
        return [array], False
    raise TypeError(
        "The `dataset` argument must be a NumPy array or a list/tuple of arrays of the same "
        f"length. Received: dataset={dataset!r} of type {type(dataset)}. For a tf.data or "
        "PyTorch dataset, convert it to arrays first."
    )


def split_dataset(
    dataset,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    preferred_backend: str | None = None,
):
    """Splits a dataset of arrays into a left and a right part (e.g. train and test).

    The samples are the entries along axis 0. The left part is the first `left_size` samples,
    the right part the last `right_size` ones (with both sizes given, the samples in between
    are dropped). With `shuffle`, the samples are shuffled first, with the same permutation as
    Keras for the same `seed`.

    Args:
        dataset: A NumPy array, or a list/tuple of arrays with the same length.
        left_size: A float in `(0, 1)`: the fraction of the samples in the left part; an int:
            their number; None: the complement of `right_size`.
        right_size: Same, for the right part.
        shuffle: Whether to shuffle the samples before splitting.
        seed: Seed of the shuffle.
        preferred_backend: Ignored (Keras's choice between tf.data and torch; lamina returns
            arrays).

    Returns:
        `(left, right)`: arrays for an array `dataset`, tuples of arrays for a list/tuple.
        Keras returns `tf.data.Dataset` or torch datasets instead; `fit()` takes these arrays
        directly (`model.fit(*left)`).

    Raises:
        TypeError: if `dataset` or a size has the wrong type.
        ValueError: if a size is out of range, or the arrays' lengths differ.

    Example:

    >>> data = np.random.random(size=(1000, 4))
    >>> left, right = keras.utils.split_dataset(data, left_size=0.8)
    >>> left.shape, right.shape
    ((800, 4), (200, 4))
    """
    del preferred_backend
    arrays, is_sequence = _as_arrays(dataset)
    total = len(arrays[0])
    left, right = _split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, 1_000_000)
        # Keras seeds Python's global `random` and shuffles the samples; a private generator
        # draws the same permutation without touching the global state.
        random.Random(seed).shuffle(order)
    order = np.asarray(order, dtype=np.int64)
    left_index, right_index = order[:left], order[total - right :]
    left_parts = tuple(a[left_index] for a in arrays)
    right_parts = tuple(a[right_index] for a in arrays)
    if is_sequence:
        return left_parts, right_parts
    return left_parts[0], right_parts[0]
