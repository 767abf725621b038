"""fit / evaluate / predict against real Keras 3: same model, same initial weights, same batches
(shuffle off, no dropout) -> the same per-epoch losses and metrics."""

import numpy as np
import pytest

import lamina

RNG = np.random.default_rng(42)
X = RNG.normal(size=(100, 6)).astype("float32")
Y_CLASS = RNG.integers(0, 3, size=(100,))
Y_REG = (X @ RNG.normal(size=(6, 1)) + 0.1 * RNG.normal(size=(100, 1))).astype("float32")
X2 = RNG.normal(size=(100, 4)).astype("float32")


def classifier(K):
    return K.Sequential([K.Input(shape=(6,)), K.layers.Dense(16, activation="relu"),
                         K.layers.Dense(3, activation="softmax")])


def regressor(K):
    return K.Sequential([K.Input(shape=(6,)), K.layers.Dense(8, activation="tanh"),
                         K.layers.Dense(1)])


def two_outputs(K):
    a = K.Input(shape=(6,), name="a")
    b = K.Input(shape=(4,), name="b")
    h = K.layers.Dense(8, activation="relu")(a)
    main = K.layers.Dense(1, name="main")(K.layers.concatenate([h, b]))
    aux = K.layers.Dense(3, activation="softmax", name="aux")(h)
    return K.Model([a, b], [main, aux])


def _optimizer(K, name):
    return {
        "sgd_momentum": lambda: K.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        "adam": lambda: K.optimizers.Adam(learning_rate=0.01),
        "rmsprop": lambda: K.optimizers.RMSprop(learning_rate=0.005),
        "adamw": lambda: K.optimizers.AdamW(learning_rate=0.01, weight_decay=0.01),
    }[name]()


def _pair(keras, build):
    keras.backend.clear_session()
    lamina.backend.clear_session()
    k_model, l_model = build(keras), build(lamina)
    weights = [np.random.default_rng(3).normal(size=w.shape).astype("float32") * 0.4
               for w in k_model.get_weights()]
    k_model.set_weights(weights)
    l_model.set_weights(weights)
    return k_model, l_model


def _assert_histories_close(k_hist, l_hist, rtol=1e-4):
    assert sorted(l_hist.history) == sorted(k_hist.history)
    for key, k_values in k_hist.history.items():
        np.testing.assert_allclose(l_hist.history[key], k_values, rtol=rtol, atol=1e-6,
                                   err_msg=f"history[{key!r}] differs from Keras")


@pytest.mark.parametrize("opt", ["sgd_momentum", "adam", "rmsprop", "adamw"])
def test_classifier_epochs_match_keras(keras, opt):
    k_model, l_model = _pair(keras, classifier)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=_optimizer(K, opt), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    kwargs = dict(epochs=3, batch_size=16, shuffle=False, verbose=0, validation_split=0.2)
    _assert_histories_close(k_model.fit(X, Y_CLASS, **kwargs), l_model.fit(X, Y_CLASS, **kwargs))
    np.testing.assert_allclose(l_model.predict(X, verbose=0), k_model.predict(X, verbose=0),
                               rtol=1e-4, atol=1e-6)
    for a, b in zip(l_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("opt", ["sgd_momentum", "adam", "rmsprop", "adamw"])
def test_regressor_epochs_match_keras(keras, opt):
    k_model, l_model = _pair(keras, regressor)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=_optimizer(K, opt), loss="mse", metrics=["mae"])
    kwargs = dict(epochs=3, batch_size=32, shuffle=False, verbose=0)
    _assert_histories_close(k_model.fit(X, Y_REG, **kwargs), l_model.fit(X, Y_REG, **kwargs))
    k_eval = k_model.evaluate(X, Y_REG, verbose=0, batch_size=7)
    l_eval = l_model.evaluate(X, Y_REG, verbose=0, batch_size=7)
    np.testing.assert_allclose(l_eval, k_eval, rtol=1e-5)


def test_two_output_model_with_loss_weights_matches_keras(keras):
    k_model, l_model = _pair(keras, two_outputs)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(0.01), loss=["mse", "sparse_categorical_crossentropy"],
                      loss_weights=[0.9, 0.1], metrics=[["mae"], ["accuracy"]])
    kwargs = dict(epochs=2, batch_size=25, shuffle=False, verbose=0,
                  validation_data=([X[:20], X2[:20]], [Y_REG[:20], Y_CLASS[:20]]))
    _assert_histories_close(k_model.fit([X, X2], [Y_REG, Y_CLASS], **kwargs),
                            l_model.fit([X, X2], [Y_REG, Y_CLASS], **kwargs))
    assert l_model.metrics_names == k_model.metrics_names
    np.testing.assert_allclose(l_model.evaluate([X, X2], [Y_REG, Y_CLASS], verbose=0),
                               k_model.evaluate([X, X2], [Y_REG, Y_CLASS], verbose=0), rtol=1e-5)
    k_dict = k_model.evaluate([X, X2], [Y_REG, Y_CLASS], verbose=0, return_dict=True)
    l_dict = l_model.evaluate({"a": X, "b": X2}, {"main": Y_REG, "aux": Y_CLASS}, verbose=0,
                              return_dict=True)
    assert sorted(l_dict) == sorted(k_dict)
    for key in k_dict:
        np.testing.assert_allclose(l_dict[key], k_dict[key], rtol=1e-5)


def test_sample_weight_and_class_weight_match_keras(keras):
    k_model, l_model = _pair(keras, classifier)
    for model in (k_model, l_model):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                      weighted_metrics=["accuracy"])
    sw = np.random.default_rng(9).uniform(0.1, 2.0, size=100).astype("float32")
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)
    _assert_histories_close(k_model.fit(X, Y_CLASS, sample_weight=sw, **kwargs),
                            l_model.fit(X, Y_CLASS, sample_weight=sw, **kwargs))
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    _assert_histories_close(k_model.fit(X, Y_CLASS, class_weight=cw, **kwargs),
                            l_model.fit(X, Y_CLASS, class_weight=cw, **kwargs))


def test_regularization_losses_join_the_loss_like_keras(keras):
    def build(K):
        return K.Sequential([K.Input(shape=(6,)),
                             K.layers.Dense(8, activation="relu", kernel_regularizer="l2",
                                            activity_regularizer="l1"),
                             K.layers.Dense(1)])

    k_model, l_model = _pair(keras, build)
    for model in (k_model, l_model):
        model.compile(optimizer="sgd", loss="mse")
    kwargs = dict(epochs=2, batch_size=20, shuffle=False, verbose=0)
    _assert_histories_close(k_model.fit(X, Y_REG, **kwargs), l_model.fit(X, Y_REG, **kwargs))


def test_train_and_test_on_batch_match_keras(keras):
    k_model, l_model = _pair(keras, regressor)
    for model in (k_model, l_model):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    for _ in range(3):
        np.testing.assert_allclose(l_model.train_on_batch(X[:10], Y_REG[:10]),
                                   k_model.train_on_batch(X[:10], Y_REG[:10]), rtol=1e-5)
    np.testing.assert_allclose(l_model.test_on_batch(X[:10], Y_REG[:10]),
                               k_model.test_on_batch(X[:10], Y_REG[:10]), rtol=1e-5)
    np.testing.assert_allclose(l_model.predict_on_batch(X[:10]), k_model.predict_on_batch(X[:10]),
                               rtol=1e-5, atol=1e-6)


def test_embedding_classifier_matches_keras_with_many_steps_per_dispatch(keras):
    """The embedding model trains a whole epoch per compiled call (Embedding is fast inside
    XLA loops); the losses, metrics and final table must still be Keras's, step for step."""
    tokens = RNG.integers(1, 50, size=(160, 12)).astype("int32")
    labels = (tokens.sum(axis=1) > 300).astype("float32")

    def build(K):
        return K.Sequential([K.Input(shape=(12,), dtype="int32"), K.layers.Embedding(50, 8),
                             K.layers.GlobalAveragePooling1D(),
                             K.layers.Dense(1, activation="sigmoid")])

    k_model, l_model = _pair(keras, build)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(0.01), loss="binary_crossentropy",
                      metrics=["accuracy"])
    assert l_model._steps_per_call() > 1
    kwargs = dict(epochs=2, batch_size=4, shuffle=False, verbose=0)  # 40 steps per epoch
    _assert_histories_close(k_model.fit(tokens, labels, **kwargs), l_model.fit(tokens, labels, **kwargs))
    np.testing.assert_allclose(l_model.get_weights()[0], k_model.get_weights()[0], rtol=1e-4,
                               atol=1e-6)


def test_cnn_matches_keras_with_matmul_form_gradients_and_many_steps_per_dispatch(keras):
    """Conv2D differentiates through its matmul form and, with the tiling max pool, trains a
    whole epoch per compiled call: losses, validation figures and weights must still be
    Keras's."""
    images = RNG.normal(size=(96, 8, 7, 2)).astype("float32")
    labels = RNG.integers(0, 3, size=(96,))

    def build(K):
        L = K.layers
        return K.Sequential([K.Input(shape=(8, 7, 2)), L.Conv2D(4, 3, activation="relu"),
                             L.MaxPooling2D(), L.Conv2D(5, 2, strides=(1, 2), padding="same"),
                             L.Flatten(), L.Dense(3, activation="softmax")])

    k_model, l_model = _pair(keras, build)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    assert l_model._steps_per_call() > 1
    kwargs = dict(epochs=2, batch_size=4, shuffle=False, verbose=0,  # 20 steps per epoch
                  validation_data=(images[80:], labels[80:]))
    _assert_histories_close(k_model.fit(images[:80], labels[:80], **kwargs),
                            l_model.fit(images[:80], labels[:80], **kwargs))
    for k_weight, l_weight in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(l_weight, k_weight, rtol=1e-4, atol=1e-5)


def test_masked_recurrent_classifier_matches_keras_with_hoisted_weight_gradients(keras, monkeypatch):
    """Padded sequences through a Bidirectional GRU and an LSTM: lamina's training steps take
    `hoisted_scan` (weight gradients after the backward loop, masked steps skipped, GRU's
    reset gate apart); the losses, metrics and weights must still be Keras's."""
    from lamina._src.layers.rnn import rnn

    hoisted = []
    original = rnn.hoisted_scan
    monkeypatch.setattr(rnn, "hoisted_scan", lambda *a: hoisted.append(a[0]) or original(*a))
    tokens = RNG.integers(1, 30, size=(48, 9)).astype("int32")
    tokens[np.arange(9)[None, :] >= RNG.integers(3, 10, size=(48, 1))] = 0  # padded at the end
    labels = RNG.integers(0, 2, size=(48,)).astype("float32")

    def build(K):
        L = K.layers
        return K.Sequential([K.Input(shape=(9,), dtype="int32"),
                             L.Embedding(30, 4, mask_zero=True),
                             L.Bidirectional(L.GRU(3, return_sequences=True)),
                             L.LSTM(5), L.Dense(1, activation="sigmoid")])

    k_model, l_model = _pair(keras, build)
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(0.02), loss="binary_crossentropy",
                      metrics=["accuracy"])
    kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    _assert_histories_close(k_model.fit(tokens, labels, **kwargs),
                            l_model.fit(tokens, labels, **kwargs))
    assert len(hoisted) >= 3  # the two GRU directions and the LSTM
    for k_weight, l_weight in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(l_weight, k_weight, rtol=1e-4, atol=1e-5)
