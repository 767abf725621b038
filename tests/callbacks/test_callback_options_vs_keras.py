"""ModelCheckpoint and EarlyStopping options: the same files and the same stop epoch as real Keras.

Each case trains the same model (same weights, no shuffling) in Keras and in lamina with the same
callback arguments and compares what the callback did.
"""

import os

import numpy as np
import pytest

import lamina

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1))).astype("float32")
XV = RNG.normal(size=(20, 4)).astype("float32")
YV = (XV @ RNG.normal(size=(4, 1))).astype("float32")  # a different function: val_loss plateaus
FIT = dict(epochs=12, batch_size=20, shuffle=False, verbose=0, validation_data=(XV, YV))


def _pair(keras):
    """The same small regression model, compiled the same way, in Keras then in lamina."""
    keras.backend.clear_session()
    lamina.backend.clear_session()
    models = []
    for K in (keras, lamina):
        model = K.Sequential([K.Input(shape=(4,)), K.layers.Dense(6, activation="tanh"),
                              K.layers.Dense(1)])
        model.compile(optimizer=K.optimizers.SGD(0.05), loss="mse")
        models.append(model)
    weights = [np.random.default_rng(1).normal(size=w.shape).astype("float32") * 0.5
               for w in models[0].get_weights()]
    for model in models:
        model.set_weights(weights)
    return models


CHECKPOINT_CASES = {
    "val_loss_template": dict(filepath="m-{epoch:02d}-{val_loss:.2f}.keras"),
    "keras_best_only": dict(filepath="best.keras", save_best_only=True),
    "save_freq_batches": dict(filepath="m-{epoch:02d}-{batch}.weights.h5",
                              save_weights_only=True, save_freq=2),
    "mode_max": dict(filepath="m-{epoch:02d}.h5", save_best_only=True, monitor="loss",
                     mode="max"),
    "initial_value_threshold": dict(filepath="m-{epoch:02d}.keras", save_best_only=True,
                                    initial_value_threshold=0.5),
}


@pytest.mark.parametrize("case", CHECKPOINT_CASES)
def test_model_checkpoint_saves_the_files_keras_saves(case, keras, tmp_path):
    kwargs = CHECKPOINT_CASES[case]
    saved = []
    for K, model in zip((keras, lamina), _pair(keras)):
        folder = tmp_path / K.__name__
        folder.mkdir()
        checkpoint = K.callbacks.ModelCheckpoint(**{**kwargs,
                                                    "filepath": str(folder / kwargs["filepath"])})
        model.fit(X, Y, callbacks=[checkpoint], **FIT)
        saved.append(sorted(os.listdir(folder)))
    k_files, l_files = saved
    assert k_files
    assert l_files == k_files
    if kwargs["filepath"].endswith(".keras"):  # the last file holds the same weights
        last = k_files[-1]
        ours = keras.saving.load_model(tmp_path / "lamina" / last, compile=False)
        theirs = keras.saving.load_model(tmp_path / "keras" / last, compile=False)
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


EARLY_STOPPING_CASES = {
    "baseline": dict(patience=2, baseline=0.1),
    "start_from_epoch": dict(patience=1, start_from_epoch=4),
    "min_delta": dict(patience=2, min_delta=0.05, restore_best_weights=True),
    "mode_max": dict(monitor="loss", patience=0, mode="max"),
}


@pytest.mark.parametrize("case", EARLY_STOPPING_CASES)
def test_early_stopping_stops_in_the_same_epoch_as_keras(case, keras):
    kwargs = EARLY_STOPPING_CASES[case]
    outcomes = []
    for K, model in zip((keras, lamina), _pair(keras)):
        stopper = K.callbacks.EarlyStopping(**kwargs)
        history = model.fit(X, Y, callbacks=[stopper], **FIT)
        outcomes.append((history.epoch, stopper.stopped_epoch, stopper.best_epoch,
                         model.get_weights()))
    (k_epochs, k_stopped, k_best, k_weights), (l_epochs, l_stopped, l_best, l_weights) = outcomes
    assert 0 < k_stopped < FIT["epochs"] - 1  # the option decides the stop in Keras
    assert (l_epochs, l_stopped, l_best) == (k_epochs, k_stopped, k_best)
    for a, b in zip(l_weights, k_weights):  # restore_best_weights picks the same epoch
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
