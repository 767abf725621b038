"""The Keras image-classifier tutorial model, with `import lamina as keras` instead of Keras:
the same initial weights and batches give the same training history and predictions."""

import numpy as np

import lamina

RNG = np.random.default_rng(0)
X = RNG.normal(size=(48, 12, 12, 1)).astype("float32")
Y = RNG.integers(0, 3, size=(48,))


def image_classifier(K):
    # Dropout rate 0: Keras and lamina draw different masks, so only a rate of 0 can match.
    return K.Sequential([
        K.Input(shape=(12, 12, 1)),
        K.layers.Conv2D(4, 3, padding="same", activation="relu"),
        K.layers.MaxPooling2D(),
        K.layers.Conv2D(6, 3, padding="same", activation="relu"),
        K.layers.MaxPooling2D(),
        K.layers.Flatten(),
        K.layers.Dense(16, activation="relu"),
        K.layers.Dropout(0.0),
        K.layers.Dense(3, activation="softmax"),
    ])


def test_image_classifier_tutorial_with_import_switched(keras):
    keras.backend.clear_session()
    k_model, l_model = image_classifier(keras), image_classifier(lamina)
    assert l_model.count_params() == k_model.count_params()
    l_model.set_weights(k_model.get_weights())
    for model, K in ((k_model, keras), (l_model, lamina)):
        model.compile(optimizer=K.optimizers.Adam(learning_rate=0.01),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0, validation_split=0.25)
    k_hist, l_hist = k_model.fit(X, Y, **kwargs), l_model.fit(X, Y, **kwargs)
    assert sorted(l_hist.history) == sorted(k_hist.history)
    for key, k_values in k_hist.history.items():
        np.testing.assert_allclose(l_hist.history[key], k_values, rtol=1e-4, atol=1e-6,
                                   err_msg=f"history[{key!r}] differs from Keras")
    np.testing.assert_allclose(l_model.predict(X, verbose=0), k_model.predict(X, verbose=0),
                               rtol=1e-4, atol=1e-6)
    assert l_model.output_shape == k_model.output_shape == (None, 3)
