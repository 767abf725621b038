"""`timeseries_dataset_from_array` and `split_dataset` against Keras's semantics.

Keras 3 builds both on tf.data (or Grain), which this environment does not have: on its JAX
backend `keras.utils.timeseries_dataset_from_array` and `keras.utils.split_dataset` raise
ImportError. So the windows are checked against a float64 loop written from Keras's documented
semantics (and Keras's own docstring examples), the argument validation (which Keras runs before
needing TensorFlow) against Keras itself, and the split sizes against Keras's size function.
Where TensorFlow is installed, the same cases are also compared with Keras's outputs.
"""

import random

import numpy as np
import pytest

import lamina
from lamina._src.utils.dataset_utils import split_dataset, timeseries_dataset_from_array
from lamina._src.utils.py_dataset import PyDataset

RNG = np.random.default_rng(3)


def reference_windows(data, targets, sequence_length, stride, rate, start, end):
    """Keras's windows, one at a time: window i starts at data[start + i * stride]."""
    data = np.asarray(data, dtype=np.float64)
    start = start or 0
    end = end or len(data)
    count = end - start - (sequence_length - 1) * rate
    if targets is not None:
        count = min(count, len(targets))
    windows, window_targets = [], []
    for p in range(0, max(count, 0), stride):
        windows.append(np.stack([data[start + p + j * rate] for j in range(sequence_length)]))
        if targets is not None:
            window_targets.append(np.asarray(targets, dtype=np.float64)[start + p])
    return windows, window_targets


def batched(items, batch_size):
    if batch_size is None:
        return items
    return [np.stack(items[i : i + batch_size]) for i in range(0, len(items), batch_size)]


def keras_batches(keras, data, targets, **kwargs):
    """Keras's batches as NumPy, or None when Keras cannot build them here (no TensorFlow)."""
    try:
        dataset = keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
    except ImportError:
        return None
    return [
        tuple(np.asarray(t) for t in b) if isinstance(b, tuple) else np.asarray(b)
        for b in dataset.as_numpy_iterator()
    ]


SERIES = np.arange(40, dtype=np.float32) * 1.5
MULTI = RNG.normal(size=(30, 3)).astype(np.float32)

TIMESERIES_CASES = [
    # (data, targets, kwargs)
    (SERIES, None, {"sequence_length": 5}),
    (SERIES, SERIES * 2, {"sequence_length": 4, "batch_size": 3}),
    (SERIES, SERIES, {"sequence_length": 3, "sequence_stride": 4, "sampling_rate": 2}),
    (SERIES, None, {"sequence_length": 6, "batch_size": None, "sequence_stride": 5}),
    (SERIES, SERIES[:20], {"sequence_length": 4, "batch_size": 8}),  # fewer targets
    (SERIES, SERIES, {"sequence_length": 3, "start_index": 5, "end_index": 30, "batch_size": 4}),
    (MULTI, MULTI[:, 0], {"sequence_length": 7, "sampling_rate": 3, "batch_size": 5}),
    (MULTI, np.arange(30), {"sequence_length": 4, "start_index": 2, "sequence_stride": 3}),
    (SERIES[:10], None, {"sequence_length": 20}),  # no complete window: an empty dataset
]


@pytest.mark.parametrize("data, targets, kwargs", TIMESERIES_CASES)
def test_timeseries_windows(keras, data, targets, kwargs):
    dataset = timeseries_dataset_from_array(data, targets, **kwargs)
    assert isinstance(dataset, PyDataset) and isinstance(dataset, lamina.utils.PyDataset)
    windows, window_targets = reference_windows(
        data,
        targets,
        kwargs["sequence_length"],
        kwargs.get("sequence_stride", 1),
        kwargs.get("sampling_rate", 1),
        kwargs.get("start_index"),
        kwargs.get("end_index"),
    )
    batch_size = kwargs.get("batch_size", 128)
    expected_x = batched(windows, batch_size)
    ours = list(dataset)
    assert len(ours) == len(dataset) == len(expected_x)
    for i, batch in enumerate(ours):
        x, y = batch if targets is not None else (batch, None)
        assert isinstance(x, np.ndarray) and x.dtype == np.asarray(data).dtype
        np.testing.assert_array_equal(x, expected_x[i])
        if targets is not None:
            np.testing.assert_array_equal(y, batched(window_targets, batch_size)[i])
    theirs = keras_batches(keras, data, targets, **kwargs)
    if theirs is not None:  # TensorFlow installed: Keras itself is the oracle too
        assert len(theirs) == len(ours)
        for mine, keras_batch in zip(ours, theirs):
            for a, b in zip(mine if targets is not None else [mine], keras_batch):
                np.testing.assert_array_equal(a, b)


def test_keras_docstring_examples():
    # Example 1: indices 0..98, sequence_length=10, sampling_rate=2, sequence_stride=3.
    dataset = timeseries_dataset_from_array(
        np.arange(99), None, sequence_length=10, sampling_rate=2, sequence_stride=3
    )
    windows = np.concatenate(list(dataset))
    assert windows[0].tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert windows[1].tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert windows[2].tolist() == [6, 8, 10, 12, 14, 16, 18, 20, 22, 24]
    assert windows[-1].tolist() == [78, 80, 82, 84, 86, 88, 90, 92, 94, 96]
    # Example 2: predict the next step from the past 10.
    data = RNG.normal(size=50)
    inputs, targets = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)[0]
    assert np.array_equal(inputs[0], data[:10]) and targets[0] == data[10]
    # Example 3: non-overlapping windows, many-to-many.
    x, y = np.arange(100), np.arange(100) * 2
    inputs = timeseries_dataset_from_array(x, None, sequence_length=20, sequence_stride=20)
    outputs = timeseries_dataset_from_array(y, None, sequence_length=20, sequence_stride=20)
    for batch_in, batch_out in zip(inputs, outputs):
        assert np.array_equal(batch_in[0], x[:20]) and np.array_equal(batch_out[1], y[20:40])


def test_timeseries_shuffle():
    data = np.arange(50)
    plain = timeseries_dataset_from_array(data, data, sequence_length=5, batch_size=None)
    shuffled = timeseries_dataset_from_array(
        data, data, sequence_length=5, batch_size=7, shuffle=True, seed=11
    )
    first_epoch = [w[0] for x, _ in shuffled for w in x]
    # The same windows, in the order of Keras's `RandomState(seed).shuffle` of the starts.
    order = np.arange(46)
    np.random.RandomState(11).shuffle(order)
    assert first_epoch == order.tolist()
    assert sorted(first_epoch) == [x[0] for x, _ in plain]
    for x, y in shuffled:
        np.testing.assert_array_equal(x[:, 0], y)  # each target still matches its window
    again = timeseries_dataset_from_array(
        data, data, sequence_length=5, batch_size=7, shuffle=True, seed=11
    )
    assert [w[0] for x, _ in again for w in x] == first_epoch
    shuffled.on_epoch_end()  # fit() calls this: a new order for the next epoch
    second_epoch = [w[0] for x, _ in shuffled for w in x]
    assert second_epoch != first_epoch and sorted(second_epoch) == sorted(first_epoch)


def test_fit_accepts_the_timeseries_dataset():
    lamina.utils.set_random_seed(0)
    data = np.sin(np.arange(200) / 5).astype("float32")
    dataset = timeseries_dataset_from_array(
        data[:-8], data[8:], sequence_length=8, batch_size=32, shuffle=True, seed=0
    )
    model = lamina.Sequential([lamina.Input(shape=(8,)), lamina.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


TIMESERIES_ERRORS = [
    {"start_index": -1},
    {"start_index": 40},
    {"start_index": 10, "end_index": 5},
    {"end_index": 40},
    {"end_index": -3},
    {"sampling_rate": 0},
    {"sampling_rate": 40},
    {"sequence_stride": 0},
    {"sequence_stride": 45},
]


@pytest.mark.parametrize("kwargs", TIMESERIES_ERRORS)
def test_timeseries_argument_errors_match_keras(keras, kwargs):
    with pytest.raises(ValueError) as ours:
        timeseries_dataset_from_array(SERIES, None, sequence_length=3, **kwargs)
    # Keras validates before it needs TensorFlow, so it can be compared directly.
    with pytest.raises(ValueError) as theirs:
        keras.utils.timeseries_dataset_from_array(SERIES, None, sequence_length=3, **kwargs)
    assert str(ours.value).split(".")[0] == str(theirs.value).split(".")[0]


# --- split_dataset -----------------------------------------------------------------------------

SIZE_CASES = [
    (0.8, None),
    (None, 0.25),
    (7, None),
    (None, 3),
    (0.5, 0.3),
    (4, 2),
    (0.333, None),  # rounds like Keras: round(0.333 * 10) = 3
    (0.25, None),  # round-half-to-even: round(2.5) = 2
    (3, 0.5),
]
BAD_SIZES = [(None, None), (0, None), (10, None), (1.0, None), (0.7, 0.5), (8, 5), ("3", None)]


@pytest.mark.parametrize("left, right", SIZE_CASES + BAD_SIZES)
def test_split_sizes_match_keras(left, right):
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes

    data = np.arange(10)
    try:
        expected = _rescale_dataset_split_sizes(left, right, 10)
    except (ValueError, TypeError) as e:
        # Keras checks "both None" in split_dataset itself, before the size function.
        expected_error = ValueError if (left, right) == (None, None) else type(e)
        with pytest.raises(expected_error):
            split_dataset(data, left_size=left, right_size=right)
        return
    if (left, right) == (None, None):
        pytest.fail("Keras accepted no sizes")
    left_part, right_part = split_dataset(data, left_size=left, right_size=right)
    assert (len(left_part), len(right_part)) == expected
    # The left part is the first samples, the right part the last ones.
    assert left_part.tolist() == list(range(expected[0]))
    assert right_part.tolist() == list(range(10 - expected[1], 10))


def keras_permutation(n, seed):
    """Keras's shuffle: seed Python's global `random`, shuffle the list of samples."""
    state = random.getstate()
    try:
        random.seed(seed)
        samples = list(range(n))
        random.shuffle(samples)
        return samples
    finally:
        random.setstate(state)


def test_split_shuffle_matches_keras_permutation(keras):
    x = RNG.normal(size=(25, 3))
    y = np.arange(25)
    state = random.getstate()
    (x_left, y_left), (x_right, y_right) = split_dataset(
        (x, y), left_size=0.6, shuffle=True, seed=42
    )
    assert random.getstate() == state  # the global generator is left alone
    order = keras_permutation(25, 42)
    assert y_left.tolist() == order[:15] and y_right.tolist() == order[15:]
    np.testing.assert_array_equal(x_left, x[order[:15]])
    np.testing.assert_array_equal(x_right, x[order[15:]])
    try:
        theirs = keras.utils.split_dataset((x, y), left_size=0.6, shuffle=True, seed=42)
    except ImportError:  # Keras's version needs TensorFlow
        return
    their_left = np.stack([np.asarray(s[1]) for s in theirs[0].as_numpy_iterator()])
    assert their_left.tolist() == y_left.tolist()


def test_split_return_types_and_errors():
    x = np.arange(12).reshape(6, 2)
    left, right = split_dataset(x, right_size=2)
    assert isinstance(left, np.ndarray) and left.shape == (4, 2) and right.shape == (2, 2)
    parts = split_dataset([x, np.arange(6), np.ones((6, 1, 1))], left_size=3)
    assert all(isinstance(p, tuple) and len(p) == 3 for p in parts)
    assert [a.shape for a in parts[1]] == [(3, 2), (3,), (3, 1, 1)]
    with pytest.raises(ValueError, match="same length"):
        split_dataset((x, np.arange(5)), left_size=2)
    with pytest.raises(TypeError, match="dataset"):
        split_dataset({"x": x}, left_size=2)
    with pytest.raises(ValueError, match="empty"):
        split_dataset((), left_size=2)
