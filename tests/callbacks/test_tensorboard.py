"""`callbacks.TensorBoard`: the event files, read back with TensorBoard's own reader."""

import json
import sys

import numpy as np
import pytest

import lamina
from lamina._src.callbacks.callback_list import CallbackList
from lamina._src.callbacks.tensorboard import TensorBoard, histogram_buckets

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import plugin_event_accumulator  # noqa: E402
from tensorboard.plugins.graph import keras_util  # noqa: E402
from tensorboard.plugins.histogram import summary_v2 as histogram_summary  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

EPOCHS, BATCH, SAMPLES, VAL_SPLIT = 3, 16, 64, 0.25
TRAIN = int(SAMPLES * (1 - VAL_SPLIT))
STEPS = TRAIN // BATCH  # 3 batches per epoch


def _data(part=slice(None)):
    """The samples (all, or `part`); fits without validation take the first TRAIN, so every
    fit and evaluate sees the shapes the module's model was compiled for."""
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, 4), dtype=np.float32)
    return x[part], (x.sum(axis=1) > 2).astype("int32")[part]


@pytest.fixture(scope="module")
def model():
    """One compiled model for the whole module: each test fits it again, reusing its compiled
    steps (compiling dominates these tests' time)."""
    model = lamina.Sequential([
        lamina.Input((4,)),
        lamina.layers.Dense(8, activation="relu", name="hidden"),
        lamina.layers.Dense(2, activation="softmax", name="out"),
    ], name="mlp")
    model.compile(lamina.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _iterations(model) -> int:
    return int(np.asarray(model.optimizer.iterations.value))


class _Run:
    """One run directory read back: `values(tag)` -> {step: array}, `plugin(tag)`."""

    def __init__(self, path):
        self.acc = plugin_event_accumulator.EventAccumulator(str(path), size_guidance={"tensors": 0})
        self.acc.Reload()

    @property
    def tags(self) -> set[str]:
        return set(self.acc.Tags()["tensors"])

    def values(self, tag) -> dict[int, np.ndarray]:
        return {e.step: tensor_util.make_ndarray(e.tensor_proto) for e in self.acc.Tensors(tag)}

    def plugin(self, tag) -> str:
        return self.acc.SummaryMetadata(tag).plugin_data.plugin_name


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, model):
    log_dir = tmp_path_factory.mktemp("tb")
    x, y = _data()
    start = _iterations(model)
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, validation_split=VAL_SPLIT,
                        verbose=0,
                        callbacks=[TensorBoard(log_dir, histogram_freq=1, update_freq="batch")])
    return (model, start, history.history, _Run(log_dir / "train"),
            _Run(log_dir / "validation"))


def test_epoch_scalars_equal_the_history(fitted):
    _, _, history, train, validation = fitted
    for name in ("loss", "accuracy"):
        assert train.plugin(f"epoch_{name}") == "scalars"
        logged = train.values(f"epoch_{name}")
        assert sorted(logged) == list(range(EPOCHS))
        np.testing.assert_allclose([logged[e] for e in range(EPOCHS)], history[name], rtol=1e-6)
        # Validation values go to the validation run, without the `val_` prefix.
        logged = validation.values(f"epoch_{name}")
        assert sorted(logged) == list(range(EPOCHS))
        np.testing.assert_allclose([logged[e] for e in range(EPOCHS)], history[f"val_{name}"],
                                   rtol=1e-6)
    assert not any(tag.startswith("epoch_val_") for tag in train.tags | validation.tags)


def test_learning_rate_and_evaluation_scalars(fitted):
    model, start, history, train, validation = fitted
    learning_rate = train.values("epoch_learning_rate")
    assert sorted(learning_rate) == list(range(EPOCHS))
    np.testing.assert_allclose(list(learning_rate.values()), 0.01, rtol=1e-6)
    # As Keras's validation `evaluate`: metrics against the optimizer's iteration count.
    evaluation = validation.values("evaluation_loss_vs_iterations")
    assert sorted(evaluation) == [start + STEPS * (e + 1) for e in range(EPOCHS)]
    np.testing.assert_allclose([evaluation[s] for s in sorted(evaluation)], history["val_loss"],
                               rtol=1e-6)
    assert _iterations(model) == start + STEPS * EPOCHS


def test_batch_scalars_every_batch(fitted):
    _, _, history, train, _ = fitted
    batch_loss = train.values("batch_loss")
    assert sorted(batch_loss) == list(range(1, STEPS * EPOCHS + 1))
    # Batch logs are running means over the epoch, so each epoch's last one is the epoch's value.
    np.testing.assert_allclose([batch_loss[STEPS * (e + 1)] for e in range(EPOCHS)],
                               history["loss"], rtol=1e-6)
    assert "batch_accuracy" in train.tags


def test_weight_histograms(fitted):
    model, _, _, train, _ = fitted
    expected = {f"{w.path}/histogram": w for w in model.weights}
    # Keras's tags: the weight's path, then `/histogram`.
    assert set(expected) == {"mlp/hidden/kernel/histogram", "mlp/hidden/bias/histogram",
                             "mlp/out/kernel/histogram", "mlp/out/bias/histogram"}
    for tag, weight in expected.items():
        assert train.plugin(tag) == "histograms"
        logged = train.values(tag)
        assert sorted(logged) == list(range(EPOCHS))
        buckets = logged[EPOCHS - 1]
        assert buckets.shape == (30, 3)
        assert buckets[:, 2].sum() == np.prod(weight.shape)
        value = np.asarray(weight.value)
        assert buckets[0, 0] == pytest.approx(value.min()) and buckets[-1, 1] == pytest.approx(value.max())


def test_model_config_for_the_graphs_dashboard(fitted):
    model, _, _, train, _ = fitted
    assert train.plugin("keras") == "graph_keras_model"
    (event,) = train.acc.Tensors("keras")
    assert event.step == 0
    text = tensor_util.make_ndarray(event.tensor_proto).item().decode()
    assert json.loads(text) == json.loads(model.to_json())
    # TensorBoard's Graphs plugin turns it into its conceptual graph.
    graph = keras_util.keras_model_to_graph_def(json.loads(text))
    names = {node.name for node in graph.node}
    assert {"mlp/hidden", "mlp/out"} <= names


def test_histogram_buckets_match_tensorboards_reference():
    rng = np.random.default_rng(1)
    for data in (rng.normal(size=(7, 5)), np.full(4, 0.5), np.array([]), np.arange(30.0)):
        expected = tensor_util.make_ndarray(histogram_summary.histogram_pb("t", data).value[0].tensor)
        np.testing.assert_allclose(histogram_buckets(data), expected)


def test_epoch_mode_keeps_batch_hooks_off(tmp_path, model):
    callback = TensorBoard(tmp_path)
    assert type(callback) is TensorBoard
    # The trainer then keeps its fused multi-step execution: no batch hook to call.
    assert not CallbackList([callback]).needs_batch_hooks("on_train_batch_end")
    assert not CallbackList([callback]).needs_batch_hooks("on_train_batch_begin")
    x, y = _data(slice(TRAIN))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[callback])
    train = _Run(tmp_path / "train")
    assert not any(tag.startswith("batch_") for tag in train.tags)
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "keras"} <= train.tags
    assert not (tmp_path / "validation").exists()


def test_update_freq_every_n_batches_and_subclass_hooks(tmp_path, model):
    seen = []

    class Recording(TensorBoard):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)
            super().on_train_batch_end(batch, logs)

    callback = Recording(tmp_path, update_freq=2, write_graph=False, write_steps_per_second=True)
    assert isinstance(callback, Recording) and isinstance(callback, TensorBoard)
    x, y = _data(slice(TRAIN))
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[callback])
    train = _Run(tmp_path / "train")
    total = 2 * STEPS
    assert sorted(train.values("batch_loss")) == list(range(2, total + 1, 2))
    assert sorted(train.values("batch_steps_per_second")) == list(range(2, total + 1, 2))
    assert sorted(train.values("epoch_steps_per_second")) == [0, 1]
    assert len(seen) == total
    assert "keras" not in train.tags


def test_evaluate_writes_evaluation_scalars(tmp_path, model):
    x, y = _data(slice(TRAIN, None))
    logs = model.evaluate(x, y, verbose=0, return_dict=True,
                          callbacks=[TensorBoard(tmp_path, write_graph=False)])
    validation = _Run(tmp_path / "validation")
    logged = validation.values("evaluation_loss_vs_iterations")
    assert list(logged) == [_iterations(model)]
    assert float(logged[_iterations(model)]) == pytest.approx(logs["loss"], rel=1e-6)


def test_write_images(tmp_path, model):
    x, y = _data(slice(TRAIN))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
                 callbacks=[TensorBoard(tmp_path, histogram_freq=1, write_images=True)])
    train = _Run(tmp_path / "train")
    assert train.plugin("mlp/hidden/kernel/image") == "images"
    (event,) = train.acc.Tensors("mlp/hidden/kernel/image")
    width, height, png = tensor_util.make_ndarray(event.tensor_proto)
    # A (4, 8) kernel is drawn wider than tall, as Keras does.
    assert (int(width), int(height)) == (8, 4)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(tmp_path, update_freq="sometimes")
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(tmp_path, profile_batch=(5, 2))
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(tmp_path, profile_batch="a,b")


def test_missing_tensorboard_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        TensorBoard(tmp_path)


def test_public_name_round_trip():
    # Keras's export name: `keras.callbacks.TensorBoard`.
    callbacks = lamina.callbacks
    if hasattr(callbacks, "TensorBoard"):
        assert callbacks.TensorBoard is TensorBoard


def test_profile_batch_writes_a_jax_trace(tmp_path, model):
    x, y = _data(slice(TRAIN))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
              callbacks=[TensorBoard(tmp_path, profile_batch=(2, 3), write_graph=False)])
    assert list((tmp_path / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))


def test_embeddings_projector_files(tmp_path):
    model = lamina.Sequential([
        lamina.Input((3,), dtype="int32"),
        lamina.layers.Embedding(10, 4, name="emb"),
        lamina.layers.Flatten(),
        lamina.layers.Dense(1),
    ])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    model.fit(rng.integers(0, 10, (8, 3)), rng.random((8, 1)), epochs=1, verbose=0,
              callbacks=[TensorBoard(tmp_path, embeddings_freq=1,
                                     embeddings_metadata={"emb": "meta.tsv"})])
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'metadata_path: "meta.tsv"' in config
    assert (tmp_path / "train" / "keras_embedding.ckpt-0.weights.h5").exists()
    with pytest.raises(ValueError, match="not Embedding layers"):
        TensorBoard(tmp_path, embeddings_freq=1, embeddings_metadata={"nope": "x"}).set_model(model)
