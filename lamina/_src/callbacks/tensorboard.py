"""`TensorBoard`: logs for TensorBoard's dashboards, written without TensorFlow.

The files are the ones Keras writes through `tf.summary`: TF2-style summaries (a tensor plus
plugin metadata) in `log_dir/train` and `log_dir/validation`, so TensorBoard shows them the same
way and any reader of Keras's logs reads these.

Why the `tensorboard` package as the writer: it is what a user runs to look at the logs, so it
costs them nothing extra; it ships a pure-Python event file writer (`EventFileWriter`, the one
PyTorch's `SummaryWriter` uses too), the protos and the plugins' metadata helpers, all maintained
with the reader. `tensorboardX` would be a second implementation of the same format to trust.
It is imported on first use, so `import lamina` does not pay for it.
"""

import io
import logging
import os
import time
import warnings

import numpy as np

from lamina._src.callbacks.callback import Callback
from lamina._src.saving import registry

_HISTOGRAM_BUCKETS = 30  # tf.summary.histogram's default
_MAX_IMAGES = 3  # tf.summary.image's default `max_outputs`


def _tensorboard_modules():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.histogram import metadata as histogram_metadata
        from tensorboard.plugins.image import metadata as image_metadata
        from tensorboard.plugins.scalar import metadata as scalar_metadata
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
    except ImportError as e:
        raise ImportError(
            "The TensorBoard callback writes its logs with the `tensorboard` package, which is not "
            f"installed ({e}). Install it with `pip install tensorboard` (or "
            "`pip install \"lamina[tensorboard]\"`); TensorFlow is not needed."
        ) from e
    return {
        "Event": event_pb2.Event,
        "Summary": summary_pb2.Summary,
        "SummaryMetadata": summary_pb2.SummaryMetadata,
        "EventFileWriter": EventFileWriter,
        "make_tensor_proto": tensor_util.make_tensor_proto,
        "scalar_metadata": scalar_metadata.create_summary_metadata,
        "histogram_metadata": histogram_metadata.create_summary_metadata,
        "image_metadata": image_metadata.create_summary_metadata,
    }


def _number(value) -> float:
    value = getattr(value, "value", value)  # a lamina Variable
    return float(np.asarray(value))


def histogram_buckets(values, bucket_count: int = _HISTOGRAM_BUCKETS) -> np.ndarray:
    """`[bucket_count, 3]` rows of `(left edge, right edge, count)`, bucketed as
    `tf.summary.histogram` does (equal widths between min and max; the max goes in the last)."""
    data = np.asarray(values, dtype=np.float64).ravel()
    if data.size == 0:
        return np.zeros((bucket_count, 3))
    low, high = float(data.min()), float(data.max())
    if high == low:
        counts = np.zeros(bucket_count)
        counts[-1] = data.size
        return np.stack([np.full(bucket_count, low), np.full(bucket_count, low), counts], axis=1)
    width = (high - low) / bucket_count
    index = np.minimum(np.floor((data - low) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def _png(image: np.ndarray) -> bytes:
    from PIL import Image  # a dependency of the tensorboard package

    buffer = io.BytesIO()
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[-1]]
    Image.fromarray(image if image.shape[-1] != 1 else image[..., 0], mode).save(buffer, "PNG")
    return buffer.getvalue()


class _SummaryWriter:
    """One run directory's event file: TF2-style scalar, histogram, image and Keras-model
    summaries, the way `tf.summary` encodes them."""

    def __init__(self, logdir: str):
        self._tb = _tensorboard_modules()
        # TF2's writers name their files `...tfevents...v2`; TensorBoard reads either.
        self._writer = self._tb["EventFileWriter"](logdir, filename_suffix=".v2")
        self._tagged: set[str] = set()

    def _write(self, tag, tensor, metadata_fn, step: int) -> None:
        summary = self._tb["Summary"]()
        value = summary.value.add(tag=tag, tensor=tensor)
        if tag not in self._tagged:  # as tf.summary: the plugin metadata on a tag's first value
            value.metadata.CopyFrom(metadata_fn())
            self._tagged.add(tag)
        event = self._tb["Event"](wall_time=time.time(), step=int(step), summary=summary)
        self._writer.add_event(event)

    def _plugin_metadata(self, kind: str):
        return lambda: self._tb[kind](display_name=None, description=None)

    def scalar(self, tag: str, value, step: int) -> None:
        tensor = self._tb["make_tensor_proto"](np.asarray(value, dtype=np.float32))
        self._write(tag, tensor, self._plugin_metadata("scalar_metadata"), step)

    def histogram(self, tag: str, values, step: int) -> None:
        tensor = self._tb["make_tensor_proto"](histogram_buckets(values), dtype=np.float64)
        self._write(tag, tensor, self._plugin_metadata("histogram_metadata"), step)

    def image(self, tag: str, images: np.ndarray, step: int) -> None:
        """`images` as `[k, height, width, channels]` floats; as `tf.summary.image`, values are
        taken to lie in [0, 1] (saturated outside), and at most 3 are kept."""
        images = np.asarray(images, dtype=np.float64)[:_MAX_IMAGES]
        pixels = np.clip(np.round(images * 255.0), 0, 255).astype(np.uint8)
        height, width = images.shape[1], images.shape[2]
        data = [str(width).encode(), str(height).encode()] + [_png(p) for p in pixels]
        tensor = self._tb["make_tensor_proto"](np.array(data, dtype=object), dtype=np.object_)
        self._write(tag, tensor, self._plugin_metadata("image_metadata"), step)

    def keras_model(self, tag: str, json_config: str, step: int = 0) -> None:
        """The model's JSON under the `graph_keras_model` plugin: the Graphs dashboard draws it
        as Keras's "conceptual graph"."""
        tensor = self._tb["make_tensor_proto"](np.array(json_config.encode(), dtype=object),
                                               dtype=np.object_)

        def metadata():
            meta = self._tb["SummaryMetadata"]()
            meta.plugin_data.plugin_name = "graph_keras_model"
            meta.plugin_data.content = b"1"
            return meta

        self._write(tag, tensor, metadata, step)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


def _parse_profile_batch(profile_batch) -> tuple[int, int]:
    message = ("`profile_batch` must be a non-negative integer or a pair of positive integers "
               "(start, stop) giving a range of batches to profile; 0 disables profiling. "
               f"Received: profile_batch={profile_batch!r}")
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(message) from None
        value = value[0] if len(value) == 1 else value
    if isinstance(value, int) and not isinstance(value, bool):
        start = stop = value
    elif isinstance(value, tuple | list) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        start, stop = value
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


@registry.register("callbacks")
class TensorBoard(Callback):
    """Writes logs that TensorBoard shows: scalars, weight histograms and the model's graph.

    Run `tensorboard --logdir=path_to_your_logs` to see them. No TensorFlow is needed; the
    `tensorboard` package (`pip install tensorboard`) is.

    Written as Keras does:
    * `train/` and `validation/` run directories under `log_dir`;
    * per epoch, `epoch_<metric>` scalars (validation metrics in `validation/`, without their
      `val_` prefix), `epoch_learning_rate`, and `epoch_steps_per_second` when asked;
    * with `update_freq` an integer N (or `"batch"`, N = 1), `batch_<metric>` scalars every N
      batches, the step counting batches from the start of `fit`;
    * after `evaluate` (and each validation run), `evaluation_<metric>_vs_iterations` in
      `validation/`, the step being `model.optimizer.iterations`;
    * every `histogram_freq` epochs, a histogram of each weight tagged `<weight path>/histogram`
      (and an image tagged `<weight path>/image` with `write_images`);
    * with `write_graph`, the model's JSON config under the tag `keras`, which the Graphs
      dashboard draws as a conceptual graph (Sequential and Functional models).

    Args:
        log_dir: the directory to write the logs in.
        histogram_freq: how often (in epochs) to write weight histograms; 0 writes none.
        write_graph: write the model's config for the Graphs dashboard.
        write_images: also write the weights as images.
        write_steps_per_second: also write training steps per second (per epoch, and per batch
            with `update_freq`).
        update_freq: `"epoch"`, `"batch"`, or an integer N: write batch-level scalars every N
            batches too. Batch-level logs make `fit` run its steps one at a time.
        profile_batch: a batch number, or a `(start, stop)` pair of batch numbers (counted from
            1), to profile with `jax.profiler`; its trace goes to `log_dir/train`. 0 disables it.
        embeddings_freq: how often (in epochs) to save the weights for the embedding projector
            (to `log_dir/train/keras_embedding.ckpt-<epoch>.weights.h5`, as Keras 3 does).
        embeddings_metadata: a metadata file for the projector, or a dict from `Embedding` layer
            names to metadata files.

    Example:
        tensorboard = lamina.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)
        model.fit(x, y, epochs=3, validation_split=0.2, callbacks=[tensorboard])
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if not (update_freq in ("epoch", "batch") or (
                isinstance(update_freq, int) and not isinstance(update_freq, bool)
                and update_freq > 0)):
            raise ValueError("`update_freq` must be 'epoch', 'batch' or a positive integer (write "
                             f"every N batches). Received: update_freq={update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)
        self._is_tracing = False
        self._global_train_batch = 0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0.0
        self._last_batch_time = 0.0
        self._evaluation_written = False
        self._writers: dict[str, _SummaryWriter] = {}
        _tensorboard_modules()  # fail here, at construction, when the package is missing
        # The trainer runs batch hooks (one step at a time, state synced) only for callbacks
        # whose class overrides them, so the batch-level half lives in a subclass that is used
        # only when batch-level logs or profiling are asked for.
        if (self.update_freq != "epoch" or self._should_trace) and not isinstance(
                self, _BatchLoggingTensorBoard):
            self.__class__ = _with_batch_logging(type(self))

    # -- writers -----------------------------------------------------------------------------
    def set_model(self, model) -> None:
        super().set_model(model)
        self._close_writers()
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        if self.write_graph:
            self._write_keras_model_summary()
        if self.embeddings_freq:
            self._configure_embeddings()

    def _writer(self, run: str) -> _SummaryWriter:
        if run not in self._writers:
            self._writers[run] = _SummaryWriter(self._train_dir if run == "train" else self._val_dir)
        return self._writers[run]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _write_keras_model_summary(self) -> None:
        # As Keras: only graph models have a config the Graphs dashboard can draw.
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            json_config = self.model.to_json()
        except Exception as e:  # a model that cannot be serialized still trains
            warnings.warn(f"TensorBoard: the model could not be serialized to JSON, so its "
                          f"graph is not written ({e}).", stacklevel=2)
            return
        writer = self._writer("train")
        writer.keras_model("keras", json_config, step=0)
        writer.flush()

    def _configure_embeddings(self) -> None:
        from google.protobuf import text_format  # protobuf comes with tensorboard
        from tensorboard.plugins import projector

        from lamina._src.layers.core.embedding import Embedding

        metadata = self.embeddings_metadata
        remaining = dict(metadata) if isinstance(metadata, dict) else None
        config = projector.ProjectorConfig()
        for layer in self.model.layers:
            if isinstance(layer, Embedding):
                embedding = config.embeddings.add()
                embedding.tensor_name = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"
                if isinstance(metadata, str):
                    embedding.metadata_path = metadata
                elif remaining is not None and layer.name in remaining:
                    embedding.metadata_path = remaining.pop(layer.name)
        if remaining:
            raise ValueError("`embeddings_metadata` names layers that are not Embedding layers of "
                             f"the model: {sorted(remaining)}. Use the names of its Embedding "
                             "layers.")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write(text_format.MessageToString(config))

    # -- hooks -------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self._should_trace and self._start_batch <= 1:
            self._start_trace()

    def on_train_end(self, logs=None):
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._evaluation_written = False
        self._epoch_start_time = self._last_batch_time = time.perf_counter()
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()

    def on_test_end(self, logs=None):
        if logs and self._iterations() is not None:
            self._write_evaluation(logs)
            self._writer("validation").flush()
        self._evaluation_written = True

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            path = os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5")
            self.model.save_weights(path)
        for writer in self._writers.values():  # so a running TensorBoard shows each epoch
            writer.flush()

    # -- what is written ---------------------------------------------------------------------
    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return None
        return _number(optimizer.iterations)

    def _collect_learning_rate(self, logs: dict) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer
        if hasattr(optimizer, "optimizers"):
            for inner in optimizer.optimizers:
                logs[f"learning_rate_{inner.name}"] = _number(inner.learning_rate)
        elif optimizer is not None and hasattr(optimizer, "learning_rate"):
            logs["learning_rate"] = _number(optimizer.learning_rate)
        return logs

    def _write_evaluation(self, logs: dict) -> None:
        step = int(self._iterations())
        writer = self._writer("validation")
        for name, value in logs.items():
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step)

    def _log_epoch_metrics(self, epoch: int, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start_time
            train_logs["steps_per_second"] = (
                (self._iterations() - self._epoch_start_iterations) / max(elapsed, 1e-9))
        if train_logs:
            writer = self._writer("train")
            for name, value in train_logs.items():
                writer.scalar(f"epoch_{name}", value, epoch)
        if val_logs:
            writer = self._writer("validation")
            for name, value in val_logs.items():
                writer.scalar(f"epoch_{name}", value, epoch)
            # Keras's `fit` runs validation through `evaluate`, whose `on_test_end` writes these;
            # when the trainer did not call that hook, write them here.
            if not self._evaluation_written and self._iterations() is not None:
                self._write_evaluation(val_logs)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                value = np.asarray(weight.value)
                writer.histogram(f"{name}/histogram", value, epoch)
                if self.write_images:
                    images = _weight_as_images(value)
                    if images is not None:
                        writer.image(f"{name}/image", images, epoch)
        writer.flush()

    # -- profiling ---------------------------------------------------------------------------
    def _start_trace(self) -> None:
        import jax

        try:
            jax.profiler.start_trace(self._train_dir)
            self._is_tracing = True
        except Exception as e:  # as Keras: a profiler failure must not stop training
            logging.getLogger(__name__).error("TensorBoard: failed to start the profiler: %s", e)

    def _stop_trace(self) -> None:
        import jax

        try:
            jax.profiler.stop_trace()
        except Exception as e:
            logging.getLogger(__name__).error("TensorBoard: failed to stop the profiler: %s", e)
        finally:
            self._is_tracing = False


class _BatchLoggingTensorBoard(TensorBoard):
    """The batch-level half of `TensorBoard`: `batch_*` scalars every `update_freq` batches and
    the profiler's start/stop. (See the end of `TensorBoard.__init__` for why it is apart.)"""

    def on_train_batch_end(self, batch, logs=None):
        self._global_train_batch += 1
        step = self._global_train_batch
        now = time.perf_counter()
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            writer = self._writer("train")
            if self.write_steps_per_second:
                writer.scalar("batch_steps_per_second",
                              1.0 / max(now - self._last_batch_time, 1e-9), step)
            if isinstance(logs, dict):
                for name, value in logs.items():
                    writer.scalar(f"batch_{name}", value, step)
        self._last_batch_time = now
        if self._should_trace:
            # Batches count from 1; the trace spans batches start..stop inclusive.
            if self._is_tracing and step >= self._stop_batch:
                self._stop_trace()
            elif not self._is_tracing and step + 1 == self._start_batch:
                self._start_trace()


_BATCH_LOGGING_CLASSES: dict[type, type] = {TensorBoard: _BatchLoggingTensorBoard}


def _with_batch_logging(cls: type) -> type:
    """`cls` (TensorBoard or a user's subclass of it) with the batch-level hooks mixed in after
    the user's own overrides, so their `super().on_train_batch_end(...)` reaches them."""
    if cls not in _BATCH_LOGGING_CLASSES:
        _BATCH_LOGGING_CLASSES[cls] = type(cls.__name__, (cls, _BatchLoggingTensorBoard),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _BATCH_LOGGING_CLASSES[cls]


def _weight_as_images(weight: np.ndarray) -> np.ndarray | None:
    """A weight as `[k, height, width, 1]` images, as Keras lays them out: a bias as one row, a
    dense kernel as one image (wider than tall), a 1D-conv kernel as one image per input channel
    row; other ranks only when already image-shaped."""
    w = np.squeeze(weight)
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = np.transpose(w, (2, 0, 1))  # channels last -> one image per kernel
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
        return w
    return None
