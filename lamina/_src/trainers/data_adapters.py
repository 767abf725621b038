"""Turning what users pass to `fit`/`evaluate`/`predict` into batches.

* Arrays (numpy or JAX, in nested lists/tuples/dicts): `ArrayData`. The arrays move to the
  device once; every compiled step slices its batch from them, or, when shuffling, gathers it
  through the epoch's permutation (the only thing sent per epoch), so no batch is copied
  from the host per step and no epoch copies the data.
* Python generators/iterators yielding `(x, y)` or `(x, y, sample_weight)`, and
  `PyDataset`/`Sequence` objects: `IteratorData`, which converts each batch as it comes.
  `stacked_runs` groups consecutive batches of one shape, so that several go to the device
  in one transfer and run in one dispatch.
"""

import itertools
import math
import random
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.transfer import to_device, to_device_tree
from lamina._src.utils import tree
from lamina._src.utils.py_dataset import PyDataset


def _to_host(x):
    if x is None:
        return None
    if isinstance(x, jax.Array):
        return x
    array = np.asarray(x)
    if array.dtype == np.float64:
        array = array.astype(np.float32)  # Keras feeds float64 data as floatx
    if array.dtype == np.int64:
        array = array.astype(np.int32)
    return array


def is_array_data(x) -> bool:
    leaves = tree.flatten(x)
    return bool(leaves) and all(hasattr(v, "shape") or isinstance(v, list | float | int) for v in leaves if v is not None) \
        and not isinstance(x, PyDataset) and not hasattr(x, "__next__")


def unpack(data):
    """`(x, y, sample_weight)` from a batch given as x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(
            f"A data batch must be x, (x,), (x, y) or (x, y, sample_weight); received a tuple "
            f"of length {len(data)}."
        )
    return data, None, None


def class_weight_to_sample_weight(y, class_weight: dict):
    """One weight per sample from `class_weight` (labels as ints or one-hot rows)."""
    y = np.asarray(y)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = np.round(labels).astype(int)
    table = np.ones(max(max(class_weight) + 1, int(labels.max()) + 1 if labels.size else 1), "float32")
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels]


class ArrayData:
    """In-memory arrays split into batches of `batch_size` (the last one may be smaller)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 class_weight=None, steps=None):
        x, y, sample_weight = tree.map_structure(_to_host, (x, y, sample_weight))
        counts = {(name, int(v.shape[0])) for name, part in (("x", x), ("y", y), ("sample_weight", sample_weight))
                  for v in tree.flatten(part) if v is not None}
        sizes = {n for _, n in counts}
        if len(sizes) > 1:
            detail = ", ".join(f"{name}: {n}" for name, n in sorted(counts))
            raise ValueError(
                f"Data cardinality is ambiguous: the arrays hold different numbers of samples "
                f"({detail}). Make sure all arrays contain the same number of samples."
            )
        if class_weight is not None:
            if y is None or len(tree.flatten(y)) != 1:
                raise ValueError("`class_weight` needs a single target array `y`.")
            cw = class_weight_to_sample_weight(tree.flatten(y)[0], class_weight)
            sample_weight = cw if sample_weight is None else np.asarray(sample_weight) * cw
        self.num_samples = sizes.pop() if sizes else 0
        if self.num_samples == 0:
            raise ValueError("The data is empty: the arrays passed hold 0 samples.")
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.data = (x, y, sample_weight)
        self.num_batches = math.ceil(self.num_samples / self.batch_size)
        self.steps_given = steps is not None
        self.steps = steps if steps is not None else self.num_batches
        self._device_data = None
        # Where the next epoch starts (in batches) and the arrays of the current pass: with
        # `steps` given, epochs carry on through the data, as Keras's EpochIterator does.
        self.cursor = 0
        self.arrays = None

    def plan(self, per_call: int):
        """`(step, count, size, start)` chunks for one epoch from `cursor`: up to `steps`
        batches, at most `per_call` full batches per chunk, the partial last batch alone."""
        first = self.cursor
        end = min(first + self.steps, self.num_batches)
        full_end = min(end, self.num_full_batches)
        index = first
        while index < full_end:
            count = min(per_call, full_end - index)
            yield index - first, count, self.batch_size, index * self.batch_size
            index += count
        if end > self.num_full_batches and self.partial_batch_size:
            yield index - first, 1, self.partial_batch_size, index * self.batch_size

    def advance(self, ran: int) -> None:
        """Move the cursor past the `ran` batches of an epoch; wrap (and warn) at the end."""
        if not self.steps_given:
            return
        self.cursor += ran
        if self.cursor >= self.num_batches:
            if ran < self.steps:
                _warn_out_of_data(self.num_batches)
            self.cursor = 0

    @property
    def num_full_batches(self) -> int:
        return self.num_samples // self.batch_size

    @property
    def partial_batch_size(self) -> int:
        return self.num_samples % self.batch_size

    def device_data(self):
        if self._device_data is None:
            self._device_data = to_device_tree(self.data)
        return self._device_data

    def epoch_data(self, rng: np.random.Generator | None):
        """`(device_arrays, order)` for one epoch: `order` is the sample permutation when
        shuffling (each compiled step gathers its batch through it, so no epoch copies the
        data), else None (each step slices its batch)."""
        data = self.device_data()
        if not self.shuffle or rng is None:
            return data, None
        if self.shuffle == "batch":
            order = np.arange(self.num_samples)
            starts = rng.permutation(math.ceil(self.num_samples / self.batch_size))
            order = np.concatenate([order[s * self.batch_size:(s + 1) * self.batch_size] for s in starts])
        else:
            order = rng.permutation(self.num_samples)
        return data, to_device(order, dtype=np.int32)

    def host_batches(self):
        """Batches of host arrays, in order (used by eager loops and predict)."""
        x, y, sw = self.data
        for step in range(math.ceil(self.num_samples / self.batch_size)):
            sl = slice(step * self.batch_size, (step + 1) * self.batch_size)
            yield tree.map_structure(lambda v, s=sl: None if v is None else v[s], (x, y, sw))


def slice_batch(data, start, size: int):
    """Batch `[start, start + size)` of an epoch's `(arrays, order)`, inside a compiled function:
    a slice of every array, or a gather of the samples `order` lists there."""
    arrays, order = data
    if order is None:
        return tree.map_structure(
            lambda v: None if v is None else jax.lax.dynamic_slice_in_dim(v, start, size, axis=0),
            arrays)
    index = jax.lax.dynamic_slice_in_dim(order, start, size)
    return tree.map_structure(lambda v: None if v is None else jnp.take(v, index, axis=0), arrays)


class IteratorData:
    """Batches from a generator, an iterator or a `PyDataset` (converted as they come).

    As Keras's EpochIterator: with `steps` given, epochs carry on through the data (a
    `PyDataset` pass, or the generator) instead of restarting it; an epoch that reaches the end
    of a `PyDataset` pass stops there with a warning, and the next epoch starts a new pass. When
    `shuffle` is set, each pass visits a `PyDataset`'s batches in a new order drawn with Python's
    `random` (which `set_random_seed` seeds), as Keras does.
    """

    def __init__(self, data, steps=None, shuffle=False, class_weight=None):
        self.source = data
        self.is_dataset = isinstance(data, PyDataset)
        if self.is_dataset:
            self.num_batches = data.num_batches
        else:
            self.num_batches = len(data) if hasattr(data, "__len__") else None
        self.steps_given = steps is not None
        self.steps = steps if steps is not None else self.num_batches
        self.shuffle = bool(shuffle) and self.is_dataset and self.num_batches is not None
        self.class_weight = class_weight
        self._iterator = None
        self._seen = 0  # batches taken from the current pass

    def on_epoch_begin(self):
        if self.is_dataset:
            self.source.on_epoch_begin()

    def on_epoch_end(self):
        if self.is_dataset:
            self.source.on_epoch_end()

    def _new_pass(self):
        self._seen = 0
        if not self.is_dataset:
            return iter(self.source)  # a one-shot generator simply goes on
        if self.num_batches is None:
            return (self.source[i] for i in itertools.count())
        order = list(range(self.num_batches))
        if self.shuffle:
            random.shuffle(order)
        return (self.source[i] for i in order)

    def batches(self):
        """Yields `(x, y, sample_weight)` batches on the device for one epoch (up to `steps`
        when given)."""
        for batch in self.host_batches():
            yield to_device_tree(batch)

    def host_batches(self):
        """Yields `(x, y, sample_weight)` batches of host arrays for one epoch (up to `steps`
        when given)."""
        if self._iterator is None or not self.steps_given:
            self._iterator = self._new_pass()
        produced = 0
        while self.steps is None or produced < self.steps:
            if self.num_batches is not None and self._seen >= self.num_batches:
                if self.steps_given:
                    _warn_out_of_data(self.num_batches)
                self._iterator = None
                return
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                return
            produced += 1
            self._seen += 1
            yield self._host(batch)
        if self.num_batches is not None and self._seen >= self.num_batches:
            self._iterator = None  # the pass ended with the epoch: the next starts a new one

    def _host(self, batch):
        x, y, sw = unpack(batch)
        if self.class_weight is not None:
            if sw is not None:
                raise ValueError(
                    "You cannot specify `class_weight` and `sample_weight` at the same time: "
                    "the batches already yield (x, y, sample_weight)."
                )
            sw = class_weight_to_sample_weight(y, self.class_weight)
        return tree.map_structure(_to_host, (x, y, sw))


def stacked_runs(batches, max_steps: int, max_bytes: int, max_rows: int | None = None):
    """Yields `(group, capacity)`: consecutive `batches` that share one structure, shapes and
    dtypes, up to `capacity` of them, itself at most `max_steps` and as many as fit in
    `max_bytes` (and `max_rows`). A batch of another shape starts a new group; a batch holding
    anything but numpy arrays (arrays already on a device, say) has capacity 1."""
    group, key, capacity = [], None, 1
    for batch in batches:
        leaves = tree.flatten(batch)
        batch_key = _stack_key(batch, leaves)
        if group and (batch_key is None or batch_key != key or len(group) == capacity):
            yield group, capacity
            group = []
        if not group:
            key = batch_key
            arrays = [v for v in leaves if v is not None]
            limits = [max_steps, max_bytes // max(sum(v.nbytes for v in arrays), 1)]
            if max_rows is not None and arrays:
                limits.append(max_rows // max(arrays[0].shape[0], 1))
            capacity = 1 if key is None else max(1, min(limits))
        group.append(batch)
    if group:
        yield group, capacity


def _stack_key(batch, leaves):
    """What batches must share to be stacked (structure, shapes, dtypes); None for a batch
    that holds anything but numpy arrays."""
    if not all(v is None or isinstance(v, np.ndarray) for v in leaves):
        return None
    return (jax.tree_util.tree_structure(batch, is_leaf=lambda v: v is None),
            tuple(None if v is None else (v.shape, v.dtype) for v in leaves))


def stack(group, capacity: int):
    """The group's batches one after another, in arrays of `capacity` batches: one shape for
    every group of that capacity, so the compiled step that reads them compiles once (the
    rows after the group's are zeros, never read)."""
    def leaf(*parts):
        if parts[0] is None:
            return None
        rows = parts[0].shape[0]
        out = np.zeros((capacity * rows, *parts[0].shape[1:]), parts[0].dtype)
        np.concatenate(parts, out=out[:len(parts) * rows])
        return out
    return tree.map_structure(leaf, *group)


def _warn_out_of_data(num_batches: int) -> None:
    warnings.warn(
        "Your input ran out of data; interrupting the epoch. The data holds "
        f"{num_batches} batches; the next epoch starts a new pass over it. Make sure the data "
        "can generate at least `steps_per_epoch` batches.",
        stacklevel=4,
    )


def train_validation_split(data, validation_split: float):
    """Split arrays into the first `1 - split` and the last `split` of the samples, as Keras."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1), received {validation_split}.")
    leaves = [v for v in tree.flatten(data) if v is not None]
    for v in leaves:
        if not hasattr(v, "shape"):
            raise ValueError(
                "validation_split is only supported for arrays (numpy or JAX), not for "
                f"{type(v).__name__} data; pass validation_data instead."
            )
    n = int(leaves[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={validation_split} leaves no samples for "
            f"{'training' if split_at == 0 else 'validation'} out of {n}."
        )
    train = tree.map_structure(lambda v: None if v is None else v[:split_at], data)
    val = tree.map_structure(lambda v: None if v is None else v[split_at:], data)
    return train, val
