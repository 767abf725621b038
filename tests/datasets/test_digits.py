"""The bundled 8x8 digits data set and its deterministic split."""

import numpy as np
import pytest

import lamina.datasets
from lamina._src.datasets.digits import _read_bundled
from lamina.datasets import digits

NUM_SAMPLES = 1797


def as_rows(x, y) -> set[bytes]:
    """Each sample (image and label) as bytes; the bundled samples are all distinct."""
    rows = np.concatenate([x.reshape(len(x), -1), y[:, None]], axis=1)
    return {row.tobytes() for row in rows}


def test_public_paths():
    assert lamina.datasets.digits.load_data is digits.load_data


def test_shapes_dtypes_and_values():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    for a in (x_train, y_train, x_test, y_test):
        assert isinstance(a, np.ndarray) and a.dtype == np.uint8
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    assert x.min() == 0 and x.max() == 16
    assert set(np.unique(y)) == set(range(10))
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == NUM_SAMPLES
    assert counts.min() >= 170  # roughly balanced: ~180 per digit


def test_split_is_deterministic_by_seed():
    (a_x, a_y), (b_x, b_y) = digits.load_data(seed=7)
    (c_x, c_y), (d_x, d_y) = digits.load_data(seed=7)
    np.testing.assert_array_equal(a_x, c_x)
    np.testing.assert_array_equal(a_y, c_y)
    np.testing.assert_array_equal(b_x, d_x)
    np.testing.assert_array_equal(b_y, d_y)
    (e_x, _), _ = digits.load_data(seed=8)
    assert not np.array_equal(a_x, e_x)


def test_train_and_test_partition_the_full_set():
    images, labels = _read_bundled()
    assert images.shape == (NUM_SAMPLES, 8, 8) and labels.shape == (NUM_SAMPLES,)
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.25, seed=1)
    assert len(x_train) + len(x_test) == NUM_SAMPLES
    assert len(x_test) == NUM_SAMPLES - int(NUM_SAMPLES * 0.75)
    full = as_rows(images, labels)
    assert len(full) == NUM_SAMPLES  # no duplicate samples, so sets are enough below
    train, test = as_rows(x_train, y_train), as_rows(x_test, y_test)
    assert not train & test
    assert train | test == full
    # And the split shuffled the file's order.
    assert not np.array_equal(np.concatenate([y_train, y_test]), labels)


@pytest.mark.parametrize("test_split, n_test", [(0.0, 0), (0.5, 899), (1.0, NUM_SAMPLES)])
def test_split_sizes(test_split, n_test):
    (x_train, _), (x_test, y_test) = digits.load_data(test_split=test_split)
    assert len(x_test) == len(y_test) == n_test
    assert len(x_train) == NUM_SAMPLES - n_test


@pytest.mark.parametrize("test_split", [-0.1, 1.5])
def test_bad_test_split(test_split):
    with pytest.raises(ValueError, match="test_split"):
        digits.load_data(test_split=test_split)


def test_returns_fresh_arrays():
    (x_train, _), _ = digits.load_data()
    x_train[:] = 0
    (x_again, _), _ = digits.load_data()
    assert x_again.max() == 16
