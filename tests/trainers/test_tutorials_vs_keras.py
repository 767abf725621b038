"""The training tutorials' code, run with the import switched, against real Keras 3: the
Fashion-MNIST-shaped MLP with `validation_data`, and the two-output model with
`loss_weights=[0.9, 0.1]` under every optimizer of the differential tests."""

import numpy as np
import pytest
from test_fit_vs_keras import (
    X2,
    Y_CLASS,
    Y_REG,
    X,
    _assert_histories_close,
    _optimizer,
    _pair,
    two_outputs,
)

import lamina

RNG = np.random.default_rng(7)
X_IMG = RNG.random((96, 28, 28), dtype=np.float32)
Y_IMG = RNG.integers(0, 10, size=(96,))


def fashion_mlp(K):
    return K.Sequential([
        K.Input(shape=(28, 28)),
        K.layers.Flatten(),
        K.layers.Dense(300, activation="relu"),
        K.layers.Dense(100, activation="relu"),
        K.layers.Dense(10, activation="softmax"),
    ])


def test_fashion_mnist_tutorial_with_validation_data_matches_keras(keras):
    k_model, l_model = _pair(keras, fashion_mlp)
    for model in (k_model, l_model):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    kwargs = dict(epochs=2, shuffle=False, verbose=0,
                  validation_data=(X_IMG[64:], Y_IMG[64:]))
    k_hist = k_model.fit(X_IMG[:64], Y_IMG[:64], **kwargs)
    l_hist = l_model.fit(X_IMG[:64], Y_IMG[:64], **kwargs)
    assert sorted(l_hist.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    _assert_histories_close(k_hist, l_hist)
    np.testing.assert_allclose(l_model.predict(X_IMG[:5], verbose=0),
                               k_model.predict(X_IMG[:5], verbose=0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("opt", ["sgd_momentum", "rmsprop", "adamw"])
def test_two_output_tutorial_matches_keras_for_each_optimizer(keras, opt):
    """(Adam is in test_fit_vs_keras.test_two_output_model_with_loss_weights_matches_keras.)"""
    k_model, l_model = _pair(keras, two_outputs)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=_optimizer(K, opt),
                      loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[0.9, 0.1])
    kwargs = dict(epochs=2, batch_size=25, shuffle=False, verbose=0)
    _assert_histories_close(k_model.fit([X, X2], [Y_REG, Y_CLASS], **kwargs),
                            l_model.fit([X, X2], [Y_REG, Y_CLASS], **kwargs))


def test_history_plots_with_pandas_like_the_tutorial():
    """`pd.DataFrame(history.history).plot()`: one line per logged value, epoch on the x axis."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    model = fashion_mlp(lamina)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X_IMG[:64], Y_IMG[:64], epochs=3, verbose=0,
                        validation_data=(X_IMG[64:], Y_IMG[64:]))
    axes = pd.DataFrame(history.history).plot(figsize=(8, 5))
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert sorted(lines) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for key, line in lines.items():
        np.testing.assert_array_equal(line.get_xdata(), history.epoch)
        np.testing.assert_allclose(line.get_ydata(), history.history[key])
