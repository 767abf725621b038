"""`Trainer`: the compile / fit / evaluate / predict half of `Model`.

The loops keep the model's state as arrays (`TrainState`) and run compiled pure steps on it;
the Variables are written back lazily: at the end of each epoch, before any callback that
overrides a batch hook runs (so it can read weights mid-epoch), and when a loop ends or fails.
Compiled steps are cached per model and reused across `fit`/`evaluate`/`predict` calls until the
model is recompiled.
"""

import time
import typing

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import autodiff, tracking
from lamina._src.backend import random as lamina_random
from lamina._src.backend.transfer import to_device_tree
from lamina._src.backend.variables import StatelessScope
from lamina._src.callbacks.callback_list import CallbackList
from lamina._src.callbacks.progbar_logger import ProgbarLogger
from lamina._src.trainers import steps as step_fns
from lamina._src.trainers.data_adapters import (
    ArrayData,
    IteratorData,
    is_array_data,
    slice_batch,
    stack,
    stacked_runs,
    train_validation_split,
    unpack,
)
from lamina._src.utils import tree
from lamina._src.utils.py_dataset import PyDataset

_LOG_INTERVAL = 0.05  # seconds between progress-bar refreshes in a terminal
# Steps per dispatch for loop-friendly models under a progress bar (see Trainer._steps_per_call):
_AUTO_STEPS = 16  # until a pass has timed the steps,
_BAR_DISPATCH_SECONDS = 0.5  # then as many as take this long (the bar refreshes as often)
_WHOLE_PASS = 2 ** 31 - 1  # no progress bar: every step of the pass in one dispatch
# Generators and PyDatasets: consecutive batches of one shape stacked on the host, up to this
# many (and this many bytes) per transfer and dispatch.
_STACKED_STEPS = 32
_STACKED_BYTES = 32 * 2 ** 20
# predict runs a group as one batch: as many rows as a large predict batch, no more (the
# activations of more rows only spill out of the caches: the benchmark CNN predicts 38k
# samples/s from batches of 128, 41k at 1024 and 29k at 4096).
_STACKED_PREDICT_ROWS = 1024
# predict from arrays: at most this many full batches per looped call (each call's inputs are
# copied on the host, padded to a power of two of batches), and only batches of at most this
# many input bytes, whose dispatch costs count: looping batches of 32, 256 and 1024 rows of
# 28 x 28 floats (100 KB, 800 KB, 3.2 MB) predicts 1.2x, 1.1x and 0.9x as fast.
_PREDICT_LOOP_BATCHES = 64
_PREDICT_LOOP_BATCH_BYTES = 2 ** 20
# predict pads a partial batch of up to this many rows to a power of two (see `_padded_size`).
_POWER_OF_TWO_ROWS = 32


class _Batches(typing.NamedTuple):
    """`count` consecutive batches of `size` rows, the first rows of host `arrays` (padded to
    a power of two of batches): one looped predict call."""
    arrays: object
    count: int
    size: int


class _StepTimer:
    """Seconds per step of a pass's looped chunks: from the first one's dispatch, which returns
    once it is compiled (compilation is not timed), to when the last one is done."""

    def __init__(self, enabled: bool):
        self.enabled, self.start, self.steps = enabled, 0.0, 0

    def dispatched(self, count: int) -> None:
        if not self.enabled:
            return
        if not self.steps:
            self.start = time.perf_counter()
        self.steps += count

    def seconds_per_step(self, state) -> float | None:
        """Waits for `state`, once; None when no chunk was timed."""
        if not self.steps:
            return None
        jax.block_until_ready(state)
        seconds, self.steps = (time.perf_counter() - self.start) / self.steps, 0
        return seconds


class Trainer:
    """Mixed into `Model`; holds the compiled training configuration."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_trackers = []
        self._compiled_fns: dict = {}
        self._in_fit = False
        self._live_state = None
        self.run_eagerly = False
        self.steps_per_execution = 1
        self._structure_version = -1
        self._cached_variables = None
        self._fixed_batch = (-1, False)  # (tracking version, _fixed_batch_size()): cached
        self._loop_friendly: dict = {}  # "fit"/"predict": every layer fast in XLA CPU loops
        self._step_seconds: dict = {}  # "train"/"test": seconds per looped step (progress bar)
        self.stop_evaluating = False
        self.stop_predicting = False

    # -- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure the model for training.

        Args:
            optimizer: a name (`"adam"`), an optimizer object, or a config dict.
            loss: a name (`"mse"`, `"sparse_categorical_crossentropy"`), a `Loss`, a function
                `(y_true, y_pred) -> per-sample loss`, or a list / dict of those per output.
            loss_weights: a list or dict of per-output weights for the total loss.
            metrics: names (`"accuracy"`, `"mae"`), `Metric` objects or functions; a list, or a
                list / dict of lists per output.
            weighted_metrics: metrics that also receive `sample_weight`.
            run_eagerly: run steps as plain Python (for debugging) instead of compiled.
            steps_per_execution: run this many training steps per compiled call.
            jit_compile: `"auto"`/True compile with XLA; False is the same as run_eagerly.
        """
        from lamina._src.optimizers.serialization import get as get_optimizer
        from lamina._src.trainers.compile_utils import CompileLoss, CompileMetrics

        self.optimizer = get_optimizer(optimizer)
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_trackers = []
        self.run_eagerly = bool(run_eagerly) or jit_compile is False
        self.steps_per_execution = max(int(steps_per_execution or 1), 1)
        self.jit_compile = jit_compile
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution, "jit_compile": jit_compile,
        }
        self.loss = loss  # as Keras: what was passed (a name, a Loss, a function, a list / dict)
        self._compiled_fns = {}
        self._structure_version = -1
        self._loop_friendly = {}
        self._step_seconds = {}
        self.compiled = True
        self.stop_training = False

    def _assert_compiled(self, what: str):
        if not self.compiled or self._compile_loss is None and what != "predict":
            raise ValueError(
                f"You must call `compile()` with a loss before calling `{what}()` on model "
                f"'{self.name}', e.g. model.compile(optimizer='adam', loss='mse')."
            )

    @property
    def metrics(self) -> list:
        """The loss tracker(s) and compiled metrics, as Keras lists them."""
        if not self._loss_trackers:
            return []
        result = [self._loss_trackers[0]]
        if self._compile_metrics is not None and self._compile_metrics.metrics:
            result.extend(self._compile_metrics.metrics)
        return result + self._loss_trackers[1:]

    @property
    def metrics_names(self) -> list[str]:
        names = [m.name for m in self._loss_trackers[:1]]
        if self._compile_metrics is not None and self._compile_metrics.metrics:
            names.append("compile_metrics")
        return names + [m.name for m in self._loss_trackers[1:]]

    def _output_names(self) -> list[str]:
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        functional = getattr(self, "_functional", None)
        if functional is not None:
            return functional.output_names
        count = getattr(self, "_num_outputs", 1)
        return [f"output_{i}" for i in range(count)] if count > 1 else ["output"]

    # -- state ---------------------------------------------------------------------------------
    def _build_for(self, data):
        """Build the model, loss, metrics and optimizer from the shapes of one batch."""
        from lamina._src.trainers.compile_utils import make_loss_trackers

        x, y, _ = data
        ready = (self._structure_version == tracking.version() and
                 (self._compile_loss is None or self._compile_loss.built or y is None) and
                 (self.optimizer is None or self.optimizer.built))
        if ready:
            return
        if not self.built or any(not layer.built for layer in self._flatten_layers()):
            with StatelessScope():
                jax.eval_shape(lambda v: self(v), tree.map_structure(_spec, x))
        if self._compile_loss is not None and not self._compile_loss.built and y is not None:
            with StatelessScope():
                y_pred = jax.eval_shape(lambda v: self(v), tree.map_structure(_spec, x))
            self._num_outputs = len(tree.flatten(y_pred))
            names = self._output_names()
            y_spec = tree.map_structure(_spec, y)
            self._compile_loss.build(y_spec, y_pred, names)
            self._compile_metrics.build(y_spec, y_pred, names)
            self._loss_trackers = make_loss_trackers(names)
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)
        self._variable_lists()  # caches against the structure version

    def _variable_lists(self):
        """`(trainable_variables, non_trainable_variables)`, cached until the structure changes."""
        if self._structure_version != tracking.version():
            lists = (self.trainable_variables, self.non_trainable_variables)
            self._cached_variables = lists
            self._structure_version = tracking.version()
        return self._cached_variables

    def _metric_variables(self) -> list:
        variables = [v for t in self._loss_trackers for v in t.variables]
        if self._compile_metrics is not None:
            variables += self._compile_metrics.variables
        return variables

    def _fresh_metric_values(self) -> list:
        values = [v for t in self._loss_trackers for v in t.stateless_reset_state()]
        if self._compile_metrics is not None:
            for m in self._compile_metrics.metrics:
                values.extend(m.stateless_reset_state())
        return values

    def _read_state(self, with_optimizer=True) -> step_fns.TrainState:
        trainable, non_trainable = self._variable_lists()
        return step_fns.TrainState(
            [v.value for v in trainable],
            [v.value for v in non_trainable],
            [v.value for v in self.optimizer.variables] if with_optimizer and self.optimizer is not None else [],
            self._fresh_metric_values(),
        )

    def _write_state(self, state: step_fns.TrainState) -> None:
        """Assign the loop's arrays back to the Variables (the lazy write-back)."""
        trainable, non_trainable = self._variable_lists()
        for group, values in ((trainable, state.trainable), (non_trainable, state.non_trainable),
                              (self.optimizer.variables if self.optimizer is not None and state.optimizer else [],
                               state.optimizer),
                              (self._metric_variables(), state.metrics)):
            for variable, value in zip(group, values):
                variable._value = value

    # -- compiled functions --------------------------------------------------------------------
    def _compiled(self, key, make):
        fn = self._compiled_fns.get(key)
        if fn is None:
            fn = make()
            if not self.run_eagerly:
                fn = jax.jit(fn, donate_argnums=(0,)) if key[0] == "train" else jax.jit(fn)
            self._compiled_fns[key] = fn
        return fn

    def _array_step(self, kind: str, size: int, loop: bool = False):
        """A compiled step on batches of `size` sliced from device-resident data.

        With `loop`, the function is `run(state, data, start, count)` and runs `count`
        consecutive steps in one dispatch. `count` is an argument, not a constant, so one
        compilation serves every chunk of an epoch, the shorter last one included.
        """
        step = step_fns.train_step if kind == "train" else step_fns.test_step

        def make():
            if not loop:
                return lambda state, data, start: step(self, state, slice_batch(data, start, size))

            def run(state, data, start, count):
                def body(i, s):
                    return step(self, s, slice_batch(data, start + i * size, size))

                with autodiff.step_loop():  # ops may pick their fastest form inside loops
                    return jax.lax.fori_loop(0, count, body, state)
            return run

        return self._compiled((kind, "array", size, loop), make)

    def _batch_step(self, kind: str):
        step = step_fns.train_step if kind == "train" else step_fns.test_step
        return self._compiled((kind, "batch"), lambda: lambda state, data: step(self, state, data))

    def _results_fn(self):
        return self._compiled(("results",), lambda: lambda values: step_fns.metric_results(self, values))

    def _logs(self, state: step_fns.TrainState) -> dict:
        results = self._results_fn()(state.metrics)
        return {k: float(v) for k, v in sorted(jax.device_get(results).items())}

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train the model; returns a `History` whose `.history` holds the per-epoch logs.

        `x`/`y` are arrays (or lists/tuples/dicts of arrays for several inputs/outputs), or `x`
        is a generator / `PyDataset` yielding `(x, y)` or `(x, y, sample_weight)` batches
        (when no callback needs each batch, read up to 32 batches or 32 MB ahead, within the
        epoch, and sent to the device together).
        With arrays and `steps_per_epoch`, each epoch carries on where the last one stopped,
        as in Keras (an epoch that reaches the end of the data stops there, and the next one
        starts a new, reshuffled pass).
        """
        self._assert_compiled("fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split((x, y, sample_weight),
                                                                          validation_split)
        data = self._adapter(x, y, sample_weight, batch_size, shuffle, class_weight, steps_per_epoch)
        val_data = None
        if validation_data is not None:
            # (x_val, y_val) or (x_val, y_val, sample_weight_val); else a generator / PyDataset.
            vx, vy, vsw = (unpack(tuple(validation_data)) if isinstance(validation_data, tuple | list)
                           else (validation_data, None, None))
            val_data = self._adapter(vx, vy, vsw, validation_batch_size or batch_size, False, None,
                                     validation_steps)
        self._build_for(self._first_batch(data))

        callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=epochs, steps=data.steps)
        rng = np.random.default_rng(lamina_random.make_seed())
        self.stop_training = False
        self._in_fit = True
        self._initial_epoch = None
        callbacks.on_train_begin()  # may restore weights (BackupAndRestore)
        initial_epoch = self._initial_epoch if self._initial_epoch is not None else initial_epoch
        logs, state = {}, None
        try:
            for epoch in range(initial_epoch, epochs):
                callbacks.on_epoch_begin(epoch)
                # Read after the hook: callbacks may have set weights or the learning rate.
                state = self._live_state = self._read_state()
                state = self._run_epoch(data, state, callbacks, rng, verbose)
                logs = self._logs(state)
                self._write_state(state)
                state = None
                if val_data is not None and _should_eval(epoch, validation_freq):
                    val_logs = self._evaluate_loop(val_data, callbacks, verbose)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callbacks.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        finally:
            if state is not None:  # interrupted mid-epoch: keep the progress made
                self._write_state(self._live_state)
            self._live_state = None
            self._in_fit = False
        callbacks.on_train_end(logs)
        return callbacks.history

    def _batch_hook_plan(self, callbacks, kind: str):
        """`(wants_begin, wants_end, throttle)` for the `kind` ("train"/"test"/"predict") batch
        hooks.

        `throttle`: only the progress bar listens, so its end hook is fed at display intervals.
        """
        begin, end = f"on_{kind}_batch_begin", f"on_{kind}_batch_end"
        wants_begin = callbacks.needs_batch_hooks(begin)
        wants_end = callbacks.needs_batch_hooks(end)
        throttle = wants_end and all(isinstance(c, ProgbarLogger) for c in callbacks._batch_hooks[end])
        return wants_begin, wants_end, throttle

    def _run_batches(self, kind, data, state, callbacks, verbose, rng=None):
        """One pass of `kind` steps over `data`, calling the batch hooks Keras calls.

        Batch hooks that no callback overrides are skipped, and then several steps run per
        dispatch (`_steps_per_call`); otherwise each batch is one dispatch with the state
        written back to the Variables around the hooks.
        """
        wants_begin, wants_end, throttle = self._batch_hook_plan(callbacks, kind)
        progress_bar = throttle and verbose == 1
        begin_hook = getattr(callbacks, f"on_{kind}_batch_begin")
        end_hook = getattr(callbacks, f"on_{kind}_batch_end")
        stopped = (lambda: self.stop_training) if kind == "train" else (lambda: self.stop_evaluating)
        last_log = time.perf_counter()

        def before_step(step_index, state):
            if wants_begin:
                self._write_state(state)
                begin_hook(step_index, {})

        def after_step(step_index, state):
            nonlocal last_log
            if kind == "train":
                self._live_state = state  # donated inputs are gone: this is the model now
            if not wants_end:
                return
            if throttle:
                now = time.perf_counter()
                if verbose != 1 or now - last_log < _LOG_INTERVAL:
                    return
                last_log = now
            else:
                self._write_state(state)
            end_hook(step_index, self._logs(state))

        per_call = (1 if (wants_begin or (wants_end and not throttle))
                    else self._steps_per_call(kind, progress_bar))
        timer = _StepTimer(enabled=progress_bar)
        if isinstance(data, ArrayData):
            if data.cursor == 0:  # a new pass over the data (reshuffled when training)
                data.arrays = data.epoch_data(rng if kind == "train" else None)
            ran = 0
            for step_index, count, size, start in data.plan(per_call):
                if stopped():
                    break
                before_step(step_index, state)
                start = np.int32(start)  # a host scalar: converting it eagerly would compile
                if per_call > 1 and size == data.batch_size:  # one compilation for every chunk
                    fn = self._array_step(kind, size, loop=True)
                    state = fn(state, data.arrays, start, np.int32(count))
                    timer.dispatched(count)
                else:
                    self._record_step_time(kind, timer, state)
                    state = self._array_step(kind, size)(state, data.arrays, start)
                ran = step_index + count
                after_step(ran - 1, state)
            self._record_step_time(kind, timer, state)
            if kind == "train":  # Keras resets the evaluation iterator at every evaluate()
                data.advance(ran)
            return state
        data.on_epoch_begin()
        if per_call > 1:
            state = self._run_stacked(kind, data, state, per_call, timer, after_step, stopped)
        else:
            fn = self._batch_step(kind)
            for step_index, batch in enumerate(data.batches()):
                if stopped():
                    break
                before_step(step_index, state)
                state = fn(state, batch)
                after_step(step_index, state)
        data.on_epoch_end()
        return state

    def _run_stacked(self, kind, data, state, per_call, timer, after_step, stopped):
        """An iterator's batches through the looped array step, several per transfer and
        dispatch (`stacked_runs`): the same steps in the same order as one per dispatch."""
        ran = 0
        runs = stacked_runs(data.host_batches(), min(per_call, _STACKED_STEPS), _STACKED_BYTES)
        for group, capacity in runs:
            if stopped():
                break
            if len(group) > 1:  # (a lone batch, often one of varying shapes, runs as it is)
                arrays = to_device_tree(stack(group, capacity))
                fn = self._array_step(kind, _batch_size(group[0]), loop=True)
                state = fn(state, (arrays, None), np.int32(0), np.int32(len(group)))
                timer.dispatched(len(group))
            else:
                self._record_step_time(kind, timer, state)
                batch = to_device_tree(group[0])
                state = self._batch_step(kind)(state, batch)
            ran += len(group)
            after_step(ran - 1, state)
        self._record_step_time(kind, timer, state)
        return state

    def _run_epoch(self, data, state, callbacks, rng, verbose):
        return self._run_batches("train", data, state, callbacks, verbose, rng)

    def _steps_per_call(self, kind: str = "train", progress_bar: bool = False) -> int:
        """`kind` steps per compiled call when no callback needs every batch.

        Eager models (`run_eagerly=True` or `jit_compile=False`) run one step per batch with
        real arrays. The user's `steps_per_execution` wins. Otherwise, on CPU, models whose
        layers all run at full speed inside XLA loops run several steps per dispatch: the same
        steps in the same order (identical results), without paying each dispatch's fixed
        cost: Python, and XLA allocating the loop's working memory, whose pages the OS maps
        afresh every time (the benchmark CNN: ~30 ms per dispatch).

        Between dispatches only a progress bar reads the state (dispatch is asynchronous: the
        loop queues the chunks and waits once, at the end), so without one a whole pass is one
        dispatch. A progress bar is redrawn when a chunk is done: 16 steps per chunk until a
        pass has timed them, then as many as take `_BAR_DISPATCH_SECONDS`.
        """
        if self.run_eagerly:
            return 1
        if self.steps_per_execution > 1:
            return self.steps_per_execution
        if not self._fast_in_loops("predict" if kind == "predict" else "fit"):
            return 1
        if not progress_bar:
            return _WHOLE_PASS
        seconds = self._step_seconds.get(kind)
        return max(_AUTO_STEPS, int(_BAR_DISPATCH_SECONDS / seconds)) if seconds else _AUTO_STEPS

    def _fast_in_loops(self, use: str) -> bool:
        """Whether, on CPU, every layer runs at full speed inside XLA loops of training and
        test steps (`use="fit"`), or of forward passes alone (`"predict"`). Cached."""
        if use not in self._loop_friendly:
            self._loop_friendly[use] = jax.default_backend() == "cpu" and all(
                layer._fast_in_loops and (use != "predict" or layer._forward_fast_in_loops)
                for layer in self._flatten_layers())
        return self._loop_friendly[use]

    def _record_step_time(self, kind: str, timer: _StepTimer, state) -> None:
        """Keep `kind`'s seconds per looped step, if `timer` has timed chunks (the pass's logs
        wait for `state` anyway)."""
        seconds = timer.seconds_per_step(state)
        if seconds:
            self._step_seconds[kind] = seconds

    def _evaluate_loop(self, data, callbacks, verbose) -> dict:
        """`on_test_begin`, the test batches with their hooks, `on_test_end`; returns the logs."""
        self.stop_evaluating = False
        callbacks.on_test_begin()
        trainable, non_trainable = self._variable_lists()
        state = step_fns.TrainState([v.value for v in trainable], [v.value for v in non_trainable],
                                    [], self._fresh_metric_values())
        state = self._run_batches("test", data, state, callbacks, verbose)
        logs = self._logs(state)
        self._write_state(step_fns.TrainState([], [], [], state.metrics))
        callbacks.on_test_end(logs)
        return logs

    # -- evaluate / predict ----------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics on the data: a scalar, a list (`metrics_names` order) or a dict."""
        self._assert_compiled("evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)
        data = self._adapter(x, y, sample_weight, batch_size, False, None, steps)
        self._build_for(self._first_batch(data))
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                 epochs=1, steps=data.steps)
        logs = self._evaluate_loop(data, callbacks, verbose)
        if return_dict:
            return logs
        return self._flatten_logs(logs)

    def _flatten_logs(self, logs: dict):
        first = ["loss"] + [t.name for t in self._loss_trackers[1:]]
        ordered = [logs[k] for k in first if k in logs] + [logs[k] for k in sorted(logs) if k not in first]
        return ordered[0] if len(ordered) == 1 else ordered

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for `x` as numpy arrays, computed in batches of `batch_size` (default 32).

        A partial batch, the last one or an input smaller than a batch, is padded (at most to
        the batch size): up to 32 rows to the next power of two, above to the next multiple of
        an eighth of the power of two below its size. Whatever the number of samples, 6 shapes
        at most are compiled below 32 rows and 8 per doubling above (Keras compiles one per
        size), and padding above 32 rows costs at most an eighth of the rows. `predict(x[:1])`
        computes one row, `predict(x[:5])` eight, `predict(x[:600])` 640. The padding rows
        never reach the callbacks or the result.
        Models that take one batch size only (a declared batch dimension, a stateful layer)
        are not padded. From a generator or `PyDataset`, consecutive batches of one shape go
        through the model together (a power of two of them, at most 1024 rows) when no
        callback but the progress bar needs each batch. From arrays, on CPU, full batches of
        up to 1 MiB of inputs run in a loop, several per dispatch, when no callback but the
        progress bar needs each batch and every layer is fast in loops
        (`Layer._forward_fast_in_loops`).
        """
        verbose = 1 if verbose == "auto" else int(verbose)
        batch_size = int(batch_size or 32)
        data = self._adapter(x, None, None, batch_size, False, None, steps)
        pad = not self._fixed_batch_size()
        if isinstance(data, ArrayData) and 0 < data.num_samples < batch_size:
            n = data.num_samples
            batch_size = data.batch_size = _padded_size(n, batch_size) if pad else n
        self._build_for(self._first_batch(data))
        trainable_vars, non_trainable_vars = self._variable_lists()
        trainable = [v.value for v in trainable_vars]
        non_trainable = [v.value for v in non_trainable_vars]
        fn = self._compiled(("predict",), lambda: lambda t, n, xb: step_fns.predict_step(self, t, n, xb))
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                 epochs=1, steps=data.steps)
        wants_begin, wants_end, bar_only = self._batch_hook_plan(callbacks, "predict")
        stacked = pad and not wants_begin and (bar_only or not wants_end)
        progress_bar = bar_only and verbose == 1
        per_call = (min(self._steps_per_call("predict", progress_bar), _PREDICT_LOOP_BATCHES)
                    if stacked else 1)
        timer = _StepTimer(enabled=progress_bar)
        self.stop_predicting = False
        callbacks.on_predict_begin()
        outputs = []
        for i, xb, n in self._predict_inputs(data, batch_size, pad, stacked, per_call):
            if (steps is not None and i >= steps) or self.stop_predicting:
                break
            if wants_begin:
                callbacks.on_predict_batch_begin(i, {})
            if isinstance(xb, _Batches):
                run = self._predict_loop(xb.size, _next_power_of_two(xb.count))
                out = run(trainable, non_trainable, xb.arrays, np.int32(xb.count))
                timer.dispatched(xb.count)
            else:
                self._record_step_time("predict", timer, outputs[-1][0] if outputs else None)
                out = fn(trainable, non_trainable, xb)
            outputs.append((out, n))
            if wants_end:
                if n < _batch_size(out):
                    out = tree.map_structure(lambda o, n=n: o[:n], out)
                callbacks.on_predict_batch_end(i, {"outputs": out})
        if outputs:
            self._record_step_time("predict", timer, outputs[-1][0])
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data: the input holds 0 samples.")
        # One transfer; the padding rows are dropped on the host.
        host = [tree.map_structure(lambda o, n=n: np.asarray(o)[:n], out)
                for out, n in jax.device_get(outputs)]
        if len(host) == 1:
            return host[0]
        return tree.map_structure(lambda *parts: np.concatenate(parts, axis=0), *host)

    def _predict_loop(self, size: int, capacity: int):
        """Compiled `run(trainable, non_trainable, x, count)`: the outputs for the first
        `count <= capacity` batches of `size` rows of `x` (`capacity * size` rows), in one loop,
        stacked into `capacity * size` rows (zeros after `count * size`). `count` is an
        argument: one compilation serves every run of up to `capacity` batches."""
        def make():
            def run(trainable, non_trainable, x, count):
                def one(i):
                    xb = tree.map_structure(
                        lambda v: jax.lax.dynamic_slice_in_dim(v, i * size, size), x)
                    return step_fns.predict_step(self, trainable, non_trainable, xb)

                def body(i, stacked):
                    return tree.map_structure(
                        lambda s, o: jax.lax.dynamic_update_index_in_dim(s, o, i, 0),
                        stacked, one(i))

                with autodiff.step_loop():
                    shapes = jax.eval_shape(one, 0)  # traced only, not compiled
                    stacked = tree.map_structure(
                        lambda o: jnp.zeros((capacity, *o.shape), o.dtype), shapes)
                    stacked = jax.lax.fori_loop(0, count, body, stacked)
                return tree.map_structure(
                    lambda s: s.reshape((capacity * size, *s.shape[2:])), stacked)
            return run

        return self._compiled(("predict", "loop", size, capacity), make)

    @staticmethod
    def _predict_inputs(data, batch_size: int, pad: bool, stacked: bool, per_call: int = 1):
        """`(index, x, rows)` for each call of the compiled predict function: `index` is the
        last batch's, `rows` the real ones (the rest is padding). Arrays: each batch, a
        partial one padded with `pad`; with `per_call > 1`, runs of up to `per_call` full
        batches as `_Batches`. An iterator's batches: with `stacked`, groups of one shape in one
        array (`stack`, a power of two of batches: a few shapes to compile)."""
        if isinstance(data, ArrayData):
            host = data.data[0]
            row_bytes = sum(v.nbytes // max(len(v), 1) for v in tree.flatten(host) if v is not None)
            if row_bytes * batch_size > _PREDICT_LOOP_BATCH_BYTES:
                per_call = 1
            for index, count, size, start in data.plan(per_call):
                if count > 1:
                    rows, padded = slice(start, start + count * size), _next_power_of_two(count)
                    arrays = tree.map_structure(
                        lambda v, r=rows, p=padded * size: _pad(v[r], p), host)
                    yield index + count - 1, _Batches(arrays, count, size), count * size
                    continue
                rows = slice(start, start + size)
                xb = tree.map_structure(lambda v, r=rows: v[r], host)
                if pad and size < batch_size:
                    padded = _padded_size(size, batch_size)
                    xb = tree.map_structure(lambda v, p=padded: _pad(v, p), xb)
                yield index, xb, size
            return
        inputs = (xb for xb, _, _ in data.host_batches())
        if not stacked:
            yield from ((i, xb, _batch_size(xb)) for i, xb in enumerate(inputs))
            return
        last = -1
        runs = stacked_runs(inputs, _STACKED_STEPS, _STACKED_BYTES, _STACKED_PREDICT_ROWS)
        for group, capacity in runs:
            last += len(group)
            xb = (stack(group, min(capacity, _next_power_of_two(len(group))))
                  if len(group) > 1 else group[0])
            yield last, xb, sum(_batch_size(part) for part in group)

    # -- single batches --------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns the loss (and metrics) for that batch."""
        self._assert_compiled("train_on_batch")
        data = ArrayData(x, y, sample_weight, batch_size=None, class_weight=class_weight)
        data.batch_size = data.num_samples
        batch = to_device_tree(data.data)
        self._build_for(batch)
        state = self._read_state()
        state = self._batch_step("train")(state, batch)
        self._write_state(state)
        logs = self._logs(state)
        return logs if return_dict else self._flatten_logs(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        batch = to_device_tree(ArrayData(x, y, sample_weight).data)
        self._build_for(batch)
        state = self._batch_step("test")(self._read_state(with_optimizer=False), batch)
        logs = self._logs(state)
        return logs if return_dict else self._flatten_logs(logs)

    def predict_on_batch(self, x):
        """`predict` on `x` as one batch, padded as `predict` pads a partial batch."""
        n = _batch_size(tree.map_structure(np.asarray, x))
        return self.predict(x, batch_size=_padded_size(n, 2 * n), verbose=0)

    def _fixed_batch_size(self) -> bool:
        """Whether the model takes batches of one size only: an input with a declared batch
        dimension, or a stateful layer (its state holds one row per sample). Cached until the
        structure changes (walking the layers costs a third of a small `predict`)."""
        if self._fixed_batch[0] != tracking.version():
            inputs = tree.flatten(getattr(self, "inputs", None) or [])
            fixed = (any(t.shape[0] is not None for t in inputs) or
                     any(getattr(layer, "stateful", False) for layer in self._flatten_layers()))
            self._fixed_batch = (tracking.version(), fixed)
        return self._fixed_batch[1]

    # -- helpers -------------------------------------------------------------------------------
    def _adapter(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps):
        if x is None:
            raise ValueError(f"No input data was given to model '{self.name}': pass `x`.")
        if is_array_data(x):
            self._check_input_shapes(x)
            return ArrayData(x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle,
                             class_weight=class_weight, steps=steps)
        kind = "PyDataset" if isinstance(x, PyDataset) else "generator"
        for name, value, what in (("y", y, "the targets"), ("sample_weight", sample_weight, "the sample weights")):
            if value is not None:
                raise ValueError(
                    f"When `x` is a {kind}, `{name}` must not be passed: {what} must be part of "
                    f"the batches it yields, as (x, y) or (x, y, sample_weight)."
                )
        if class_weight is not None and kind == "generator":
            raise ValueError(
                "`class_weight` is not supported for generator inputs (only arrays and "
                f"PyDataset); yield (x, y, sample_weight) batches instead. Received: "
                f"class_weight={class_weight}"
            )
        return IteratorData(x, steps=steps, shuffle=shuffle, class_weight=class_weight)

    def _check_input_shapes(self, x) -> None:
        """Report a wrong input shape from the user's arrays, before any batching or padding,
        naming this model (a Sequential's inner graph is not the model the user knows)."""
        from lamina._src.models.functional import Functional

        graph = self if isinstance(self, Functional) else getattr(self, "_functional", None)
        if isinstance(graph, Functional):
            graph._check_input_shapes(x, model_name=self.name)

    @staticmethod
    def _first_batch(data):
        if isinstance(data, ArrayData):
            size = min(data.batch_size, data.num_samples)
            return tree.map_structure(lambda v: None if v is None else v[:size], data.data)
        if isinstance(data.source, list | tuple):
            return unpack(data.source[0])
        if isinstance(data.source, PyDataset):
            return unpack(data.source[0])
        # A one-shot generator: peek at the first batch and put it back in front.
        first = next(iter(data.host_batches()))
        rest = data._iterator

        def chained():
            yield first
            if rest is not None:
                yield from rest

        data._iterator = chained()
        data.source = data._iterator
        return first


def _should_eval(epoch: int, validation_freq) -> bool:
    """Whether to validate after `epoch` (0-based): every `validation_freq`-th epoch, or the
    1-based epochs listed, as Keras."""
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, list | tuple):
        return epoch + 1 in validation_freq
    raise ValueError(
        f"`validation_freq` must be an int or a list of epochs; received {validation_freq!r} "
        f"of type {type(validation_freq).__name__}."
    )


def _spec(v):
    if v is None:
        return None
    v = v if hasattr(v, "dtype") else np.asarray(v)
    return jax.ShapeDtypeStruct(tuple(v.shape), v.dtype)


def _batch_size(x) -> int:
    leaves = [v for v in tree.flatten(x) if v is not None]
    return int(leaves[0].shape[0]) if leaves else 0


def _next_power_of_two(n: int) -> int:
    """The least power of two >= `n` (1 for 0)."""
    return 1 << max(n - 1, 0).bit_length()


def _padded_size(n: int, batch_size: int) -> int:
    """The size a partial batch of `n` rows is padded to, at most `batch_size`.

    Up to `_POWER_OF_TWO_ROWS` rows, the next power of two (a few shapes where compiling
    costs more than the rows); above, the next multiple of an eighth of the power of two
    below `n`: at most 8 shapes per doubling, and at most an eighth of the rows in padding
    (640 rows of a batch of 1024 took 1.6x their time when padded to 1024).
    """
    if n <= _POWER_OF_TWO_ROWS:
        return min(batch_size, _next_power_of_two(n))
    step = (1 << (n - 1).bit_length() - 1) // 8
    return min(batch_size, -(-n // step) * step)


def _pad(v, size):
    if v is None:
        return None
    n = v.shape[0]
    if n == size:
        return v
    return np.concatenate([np.asarray(v), np.zeros((size - n, *v.shape[1:]), np.asarray(v).dtype)])

