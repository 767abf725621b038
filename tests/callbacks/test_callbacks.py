"""Callbacks: the same decisions as real Keras on the same runs, and the tutorial recipes."""

import csv

import numpy as np
import pytest

import lamina

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1))).astype("float32")
XV = RNG.normal(size=(20, 4)).astype("float32")
YV = (XV @ RNG.normal(size=(4, 1))).astype("float32")  # a different function: val_loss plateaus


def _pair(keras, lr=0.05):
    keras.backend.clear_session()
    lamina.backend.clear_session()
    models = []
    for K in (keras, lamina):
        model = K.Sequential([K.Input(shape=(4,)), K.layers.Dense(6, activation="tanh"), K.layers.Dense(1)])
        model.compile(optimizer=K.optimizers.SGD(lr), loss="mse")
        models.append(model)
    weights = [np.random.default_rng(1).normal(size=w.shape).astype("float32") * 0.5
               for w in models[0].get_weights()]
    for m in models:
        m.set_weights(weights)
    return models


FIT = dict(epochs=12, batch_size=20, shuffle=False, verbose=0, validation_data=(XV, YV))


def test_early_stopping_stops_and_restores_like_keras(keras):
    k_model, l_model = _pair(keras)
    k_cb = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    l_cb = lamina.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    k_hist = k_model.fit(X, Y, callbacks=[k_cb], **FIT)
    l_hist = l_model.fit(X, Y, callbacks=[l_cb], **FIT)
    assert l_hist.epoch == k_hist.epoch
    assert l_cb.stopped_epoch == k_cb.stopped_epoch and l_cb.best_epoch == k_cb.best_epoch
    for a, b in zip(l_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_reduce_lr_on_plateau_and_scheduler_follow_keras(keras):
    k_model, l_model = _pair(keras)
    kwargs = dict(monitor="val_loss", factor=0.5, patience=1, min_lr=1e-3)
    k_hist = k_model.fit(X, Y, callbacks=[keras.callbacks.ReduceLROnPlateau(**kwargs)], **FIT)
    l_hist = l_model.fit(X, Y, callbacks=[lamina.callbacks.ReduceLROnPlateau(**kwargs)], **FIT)
    np.testing.assert_allclose(l_hist.history["learning_rate"], k_hist.history["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(l_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)

    k_model, l_model = _pair(keras)

    def schedule(epoch, lr):
        return lr * 0.8 if epoch > 1 else lr

    k_hist = k_model.fit(X, Y, callbacks=[keras.callbacks.LearningRateScheduler(schedule)], **FIT)
    l_hist = l_model.fit(X, Y, callbacks=[lamina.callbacks.LearningRateScheduler(schedule)], **FIT)
    np.testing.assert_allclose(l_hist.history["learning_rate"], k_hist.history["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(l_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)


def test_tutorial_checkpoint_and_early_stopping_recipe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(6, activation="tanh"),
                               lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(0.05), loss="mse")
    checkpoint_cb = lamina.callbacks.ModelCheckpoint("my_keras_model.h5", save_best_only=True)
    early_stopping_cb = lamina.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    history = model.fit(X, Y, epochs=40, validation_data=(XV, YV), verbose=0,
                        callbacks=[checkpoint_cb, early_stopping_cb])
    best_epoch = int(np.argmin(history.history["val_loss"]))
    best = lamina.models.load_model("my_keras_model.h5")
    val_loss = best.evaluate(XV, YV, verbose=0)
    assert val_loss == pytest.approx(history.history["val_loss"][best_epoch], rel=1e-5)
    assert model.evaluate(XV, YV, verbose=0) == pytest.approx(val_loss, rel=1e-5)
    for a, b in zip(best.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_checkpoint_templates_and_weights_only(tmp_path):
    k = lamina.callbacks.ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.weights.h5"),
                                         save_weights_only=True)
    model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[k])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[0].startswith("ckpt-01-") and names[0].endswith(".weights.h5")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        lamina.callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)


def test_csv_logger_appends(tmp_path):
    path = tmp_path / "log.csv"
    model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[lamina.callbacks.CSVLogger(path)])
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[lamina.callbacks.CSVLogger(path, append=True)])
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["0", "1", "0"]
    assert all(float(r["loss"]) > 0 for r in rows)


def _diverging_run(K, capsys):
    """SGD(1e6) on inputs of ~1e6: the loss overflows to inf at the second batch of epoch 0."""
    K.utils.set_random_seed(0)
    model = K.Sequential([K.Input(shape=(4,)), K.layers.Dense(1)])
    model.set_weights([np.full((4, 1), 0.1, "float32"), np.zeros(1, "float32")])
    model.compile(optimizer=K.optimizers.SGD(1e6), loss="mse")
    batches, epochs = [], []
    capsys.readouterr()
    history = model.fit(X * 1e6, Y, epochs=5, batch_size=10, shuffle=False, verbose=0,
                        callbacks=[K.callbacks.TerminateOnNaN(), K.callbacks.LambdaCallback(
                            on_train_batch_end=lambda batch, logs: batches.append(batch),
                            on_epoch_end=lambda epoch, logs: epochs.append(epoch))])
    return dict(epochs=history.epoch, batches=batches, seen=epochs, stopped=model.stop_training,
                printed=capsys.readouterr().out.strip(),
                last_loss_finite=bool(np.isfinite(history.history["loss"][-1])))


def test_terminate_on_nan_stops_in_the_same_batch_as_keras(keras, capsys):
    k_run, l_run = _diverging_run(keras, capsys), _diverging_run(lamina, capsys)
    assert k_run["stopped"] and k_run["epochs"] == [0] and k_run["batches"] == [0, 1]
    assert not k_run["last_loss_finite"]
    assert l_run == k_run  # same epoch, same batch, same message, same history
    assert l_run["seen"] == l_run["epochs"]  # LambdaCallback saw each epoch history records


class _Crash(lamina.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("simulated crash")


def test_backup_and_restore_resumes_a_killed_run(tmp_path):
    def model():
        lamina.backend.clear_session()
        lamina.utils.set_random_seed(2)
        m = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(6, activation="tanh"),
                               lamina.layers.Dense(1)])
        m.compile(optimizer=lamina.optimizers.Adam(0.01), loss="mse")
        return m

    kwargs = dict(epochs=6, batch_size=20, shuffle=False, verbose=0)
    reference = model()
    expected = reference.fit(X, Y, **kwargs).history["loss"]

    backup = lamina.callbacks.BackupAndRestore(tmp_path / "backup")
    run = model()
    with pytest.raises(KeyboardInterrupt):
        run.fit(X, Y, callbacks=[backup, _Crash(at_epoch=2)], **kwargs)
    resumed = model()  # a new process would start from a fresh model
    history = resumed.fit(X, Y, callbacks=[backup], **kwargs)
    assert history.epoch == [3, 4, 5]
    np.testing.assert_allclose(history.history["loss"], expected[3:], rtol=1e-5)
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert not (tmp_path / "backup").exists()
