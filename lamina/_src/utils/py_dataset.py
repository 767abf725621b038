"""`PyDataset`: the base class for batch-indexed Python datasets (Keras 2 called it `Sequence`).

Only the contract lives here; the trainer's data adapter is what iterates it (and applies the
`workers` / `use_multiprocessing` / `max_queue_size` settings).
"""

import warnings


class PyDataset:
    """Base class for a dataset written in Python, indexed by batch.

    Subclasses implement `__len__` (the number of batches) and `__getitem__(index)` (one complete
    batch, not one sample). For a dataset of unknown or infinite length, override the
    `num_batches` property instead of `__len__` and return `None` from it. To change the data
    between epochs (e.g. reshuffle), override `on_epoch_begin` and/or `on_epoch_end`.

    The constructor arguments only configure how `fit()` iterates the dataset; iterating it by
    hand (`for batch in dataset`) is sequential.

    Args:
        workers: Number of workers (threads, or processes) used to prepare batches in parallel.
        use_multiprocessing: Whether the workers are processes rather than threads. Processes
            give compute-level parallelism but need a dataset that can be pickled.
        max_queue_size: Maximum number of prepared batches waiting in the queue. Lower it to
            use less host memory.

    Example:

    ```python
    import math
    import lamina as keras

    class ArrayDataset(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)  # accepts workers, use_multiprocessing, max_queue_size
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            batch = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[batch], self.y[batch]
    ```
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        if "_workers" not in self.__dict__:
            warnings.warn(
                f"Your `{type(self).__name__}` class should call `super().__init__(**kwargs)` "
                "in its constructor. `**kwargs` can include `workers`, "
                "`use_multiprocessing`, `max_queue_size`. Do not pass these arguments to "
                "`fit()`, as they will be ignored. Using the defaults (workers=1, "
                "use_multiprocessing=False, max_queue_size=10) for now.",
                stacklevel=3,
            )
            self._workers = 1
            self._use_multiprocessing = False
            self._max_queue_size = 10

    @property
    def workers(self) -> int:
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int):
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int):
        self._max_queue_size = value

    def __getitem__(self, index: int):
        """Returns the complete batch at position `index` (0 <= index < number of batches)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__getitem__(self, index)`, returning the "
            "batch at that position."
        )

    def __len__(self) -> int:
        """Returns the number of batches in the dataset (not the number of samples)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__len__(self)`, returning the number of "
            "batches, or override the `num_batches` property (returning None for an infinite "
            "dataset)."
        )

    @property
    def num_batches(self) -> int | None:
        """Number of batches per epoch, or `None` for an infinite dataset.

        Defaults to `len(self)`. Override it (instead of `__len__`) when the length is unknown.
        """
        if type(self).__len__ is PyDataset.__len__:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `__len__` or the `num_batches` "
                "property:\n\n@property\ndef num_batches(self):\n    return ...  # or None "
                "when infinite"
            )
        return len(self)

    def __bool__(self) -> bool:
        # Without this, `if dataset:` would call the abstract `__len__` and raise for a dataset
        # that defines only `num_batches`.
        if type(self).__len__ is PyDataset.__len__:
            return True
        return len(self) > 0

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def __iter__(self):
        """Yields the batches in order: `num_batches` of them, or forever when it is `None`."""
        num_batches = self.num_batches
        index = 0
        while num_batches is None or index < num_batches:
            yield self[index]
            index += 1


Sequence = PyDataset
"""Keras 2's name for `PyDataset`."""
