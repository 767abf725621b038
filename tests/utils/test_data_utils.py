"""to_categorical / normalize / pad_sequences against real Keras; the PyDataset contract."""

import itertools
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from lamina._src.utils.numerical_utils import normalize, to_categorical
from lamina._src.utils.py_dataset import PyDataset, Sequence
from lamina._src.utils.sequence_utils import pad_sequences


def assert_same_array(ours, theirs):
    theirs = np.asarray(theirs)
    assert isinstance(ours, np.ndarray)
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    if ours.dtype.kind in "OUS":
        assert ours.tolist() == theirs.tolist()
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0)


# --- to_categorical ----------------------------------------------------------------------------

CATEGORICAL_CASES = [
    ([0, 1, 2], None),
    ([0, 2, 1, 2], 5),
    (np.array([[1], [2], [0]]), None),  # trailing axis of size 1 is dropped
    (np.array([[1, 2], [0, 3]]), None),
    (np.array([[[1]], [[2]]]), 4),
    (np.array([[1]]), None),
    (np.array(3), None),
    (np.array([0.7, 2.2]), None),  # floats are truncated
    (np.array([0, 1], dtype=np.uint8), 3),
    (np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int32), 10),
]


@pytest.mark.parametrize("x, num_classes", CATEGORICAL_CASES)
def test_to_categorical_matches_keras(keras, x, num_classes):
    ours = to_categorical(x, num_classes=num_classes)
    theirs = keras.utils.to_categorical(x, num_classes=num_classes)
    assert_same_array(ours, theirs)


def test_to_categorical_jax_array_in_jax_array_out(keras):
    x = jnp.array([[1], [2], [0]])
    ours = to_categorical(x, num_classes=3)
    theirs = keras.utils.to_categorical(x, num_classes=3)
    assert isinstance(ours, type(theirs))
    assert ours.dtype == theirs.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    # Keras needs num_classes for a backend tensor; lamina infers it like for NumPy input.
    np.testing.assert_array_equal(np.asarray(to_categorical(jnp.array([0, 2]))), np.eye(3)[[0, 2]])


@pytest.mark.parametrize("labels", [[0, 3], [-1, 1]])
def test_to_categorical_rejects_out_of_range_labels(labels):
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)"):
        to_categorical(labels, num_classes=3)


def test_to_categorical_empty_needs_num_classes():
    with pytest.raises(ValueError, match="num_classes"):
        to_categorical(np.array([], dtype=int))
    assert to_categorical(np.array([], dtype=int), num_classes=4).shape == (0, 4)


# --- normalize ---------------------------------------------------------------------------------

NORMALIZE_INPUTS = [
    np.array([[3.0, 4.0], [1.0, 0.0]]),
    np.array([[0.0, 0.0], [1.0, 2.0]]),  # a zero row stays zero
    np.array([[1, 2], [3, 4]]),  # ints become float64
    np.array([[1.0, -2.0, 2.0]], dtype=np.float32),
    np.array([[1.0, 2.0]], dtype=np.float16),
    np.array([1.0, 2.0, 3.0]),  # 1-D comes back as (1, n), as in Keras
    np.arange(24.0).reshape(2, 3, 4) - 10.0,
]


@pytest.mark.parametrize("order", [1, 2, 3, np.inf])
@pytest.mark.parametrize("x", NORMALIZE_INPUTS)
def test_normalize_matches_keras_last_axis(keras, x, order):
    ours = normalize(x, order=order)
    theirs = keras.utils.normalize(x, order=order)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    tol = 1e-3 if x.dtype == np.float16 else 1e-6
    np.testing.assert_allclose(ours, theirs, rtol=tol)


@pytest.mark.parametrize("axis", [0, 1, -2])
def test_normalize_other_axes_match_keras_backend_path(keras, axis):
    # Keras's NumPy path divides along the wrong axis when axis != -1; its backend-tensor path
    # (ops.normalize) is right and is the reference here.
    x = np.arange(24.0).reshape(2, 3, 4) + 1.0
    ours = normalize(x, axis=axis)
    theirs = np.asarray(keras.utils.normalize(jnp.array(x, dtype=jnp.float32), axis=axis))
    assert ours.shape == x.shape and ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=axis), 1.0, rtol=1e-12)


def test_normalize_jax_array_in_jax_array_out(keras):
    x = jnp.array([[3.0, 4.0], [0.0, 0.0]])
    ours = normalize(x)
    theirs = keras.utils.normalize(x)
    assert isinstance(ours, type(theirs)) and ours.dtype == theirs.dtype
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


# --- pad_sequences -----------------------------------------------------------------------------

SEQS = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10, 11]]

PAD_CASES = [
    (SEQS, {}),
    (SEQS, {"padding": "post"}),
    (SEQS, {"maxlen": 2}),
    (SEQS, {"maxlen": 2, "truncating": "post"}),
    (SEQS, {"maxlen": 4, "padding": "post", "truncating": "post"}),
    (SEQS, {"maxlen": 6, "value": -1}),
    (SEQS, {"maxlen": 3, "value": 9, "padding": "post", "truncating": "pre"}),
    (SEQS, {"dtype": "float32", "value": 0.5}),
    ([[1.5, 2.5], [3.0]], {"dtype": "float32"}),
    ([[1.5, 2.5], [3.0]], {}),  # floats truncated into int32
    ([[1, 2], [3]], {"value": 1.7}),
    ([[], [1]], {}),
    ([[], []], {}),
    ([], {"maxlen": 3}),
    ([[1, 2], []], {"maxlen": 1}),
    ((np.array([1, 2]), np.array([3])), {"maxlen": 3, "padding": "post", "value": -1}),
    ([range(3), (1,)], {}),
    ([np.zeros((2, 3)), np.ones((1, 3))], {}),
    ([[[1, 2], [3, 4]], [[5, 6]]], {"padding": "post", "dtype": "float64"}),
    ([[1, 2]], {"dtype": "bool"}),
    (np.array([[1, 2], [3, 4]]), {"maxlen": 3}),
    ([["a", "b"], ["c"]], {"dtype": object, "value": "x"}),
    ([["a", "b"], ["c"]], {"dtype": "<U1", "value": "z"}),
    ([["a", "b"], ["c"]], {"dtype": str, "value": 0.0}),
    ([[1, 2], [3]], {"maxlen": np.int64(2)}),
]


@pytest.mark.parametrize("sequences, kwargs", PAD_CASES)
def test_pad_sequences_matches_keras(keras, sequences, kwargs):
    ours = pad_sequences(sequences, **kwargs)
    theirs = keras.utils.pad_sequences(sequences, **kwargs)
    assert_same_array(ours, theirs)


def test_pad_sequences_every_mode_combination_matches_keras(keras):
    rng = np.random.default_rng(0)
    seqs = [list(rng.integers(1, 100, size=n)) for n in (0, 1, 3, 5, 8)]
    for padding, truncating, maxlen in itertools.product(
        ["pre", "post"], ["pre", "post"], [None, 1, 4, 10]
    ):
        kwargs = dict(padding=padding, truncating=truncating, maxlen=maxlen)
        assert_same_array(pad_sequences(seqs, **kwargs), keras.utils.pad_sequences(seqs, **kwargs))


BAD_PAD_ARGS = [
    ({"sequences": [[1]], "padding": "bad"}, ValueError, 'Padding type "bad" not understood'),
    ({"sequences": [[1]], "truncating": "bad"}, ValueError, 'Truncating type "bad" not understood'),
    ({"sequences": 5}, ValueError, "`sequences` must be iterable"),
    ({"sequences": iter([[1], [2]])}, ValueError, "`sequences` must be iterable"),
    ({"sequences": [1, 2]}, ValueError, "must be a list of iterables. Found non-iterable: 1"),
    ({"sequences": [None, [1]]}, ValueError, "Found non-iterable: None"),
    ({"sequences": [[1]], "value": "x"}, ValueError, "is not compatible with `value`'s type"),
    (
        {"sequences": [np.zeros((2, 3)), np.ones((1, 2))]},
        ValueError,
        r"Shape of sample \(2,\) of sequence at position 1 is different from expected shape",
    ),
    ({"sequences": [[1, 2], [3]], "maxlen": 2.0}, TypeError, None),
    ({"sequences": [[1, 2], [3]], "maxlen": "2"}, TypeError, None),
    ({"sequences": [[1, 2], [3]], "maxlen": -1}, ValueError, None),
    ({"sequences": ["abc"]}, ValueError, "invalid literal"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_PAD_ARGS)
def test_pad_sequences_bad_args_raise_like_keras(keras, kwargs, error, message):
    with pytest.raises(error, match=message):
        keras.utils.pad_sequences(**kwargs)
    with pytest.raises(error, match=message):
        pad_sequences(**kwargs)


def test_pad_sequences_maxlen_zero_gives_empty_rows():
    # Keras fails here with a NumPy broadcast error (seq[-0:] keeps everything).
    out = pad_sequences([[1, 2], [3]], maxlen=0)
    assert out.shape == (2, 0) and out.dtype == np.int32


def test_pad_sequences_empty_input_without_maxlen():
    # Keras fails here (max of an empty list); an empty batch is (0, 0).
    out = pad_sequences([])
    assert out.shape == (0, 0) and out.dtype == np.int32


# --- PyDataset ---------------------------------------------------------------------------------


class Batches(PyDataset):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.epochs_begun = self.epochs_ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return np.full((2,), index), np.full((2,), -index)

    def on_epoch_begin(self):
        self.epochs_begun += 1

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_pydataset_defaults_and_settings_match_keras(keras):
    ours, theirs = PyDataset(), keras.utils.PyDataset()
    for name in ("workers", "use_multiprocessing", "max_queue_size"):
        assert getattr(ours, name) == getattr(theirs, name)
    ds = Batches(3, workers=4, use_multiprocessing=True, max_queue_size=2)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 2)
    ds.workers = 2
    assert ds.workers == 2
    with pytest.raises(TypeError):
        PyDataset(batch_size=3)


def test_pydataset_length_batches_and_epoch_hooks():
    ds = Batches(3)
    assert len(ds) == ds.num_batches == 3
    assert [int(x[0]) for x, _ in ds] == [0, 1, 2]
    ds.on_epoch_begin()
    ds.on_epoch_end()
    assert (ds.epochs_begun, ds.epochs_ended) == (1, 1)
    assert PyDataset().on_epoch_begin() is None and PyDataset().on_epoch_end() is None


def test_pydataset_abstract_methods_raise():
    ds = PyDataset()
    with pytest.raises(NotImplementedError, match="__getitem__"):
        ds[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(ds)
    with pytest.raises(NotImplementedError, match="num_batches"):
        _ = ds.num_batches
    assert bool(ds)  # truthiness does not call the abstract __len__


def test_pydataset_infinite_via_num_batches():
    class Endless(PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return index

    ds = Endless()
    assert list(itertools.islice(ds, 5)) == [0, 1, 2, 3, 4]
    assert bool(ds)


def test_pydataset_warns_when_super_init_not_called():
    class NoSuper(PyDataset):
        def __init__(self):
            pass

    ds = NoSuper()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert ds.workers == 1
    assert any("super().__init__(**kwargs)" in str(w.message) for w in caught)
    assert ds.max_queue_size == 10 and ds.use_multiprocessing is False


def test_sequence_is_the_keras2_alias():
    assert Sequence is PyDataset


def test_to_categorical_under_jit_with_num_classes():
    import jax

    out = jax.jit(lambda x: to_categorical(x, num_classes=4))(jnp.array([[1], [3]]))
    np.testing.assert_array_equal(np.asarray(out), np.eye(4)[[1, 3]])
