"""The benchmark workloads: the same Keras-API model code for lamina and for real Keras.

Each workload is `build(K) -> model` (compiled) and `data(n) -> (x, y)` with a fixed seed.
"""

import numpy as np


def _leaky_relu(L, slope):
    """Keras 3 names the slope `negative_slope`; tf.keras 2 calls it `alpha`."""
    try:
        return L.LeakyReLU(negative_slope=slope)
    except TypeError:
        return L.LeakyReLU(alpha=slope)


def mlp_seed(K):
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(3,)),
        L.Dense(32, activation="sigmoid"),
        L.Dense(32, activation="sigmoid"),
        L.Dropout(0.2),
        L.Dense(16, activation=_leaky_relu(L, 0.05)),
        L.Dropout(0.2),
        L.Dense(5, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def mlp_fashion(K):
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(28, 28)),
        L.Flatten(),
        L.Dense(300, activation="relu"),
        L.Dense(100, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def cnn(K):
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(28, 28, 1)),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dropout(0.5),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def lstm(K):
    return _recurrent(K, K.layers.LSTM)


def gru(K):
    return _recurrent(K, K.layers.GRU)


def _recurrent(K, layer):
    model = K.Sequential([
        K.Input(shape=(50, 8)),
        layer(64, return_sequences=True),
        layer(64),
        K.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model


def embed(K):
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(200,), dtype="int32"),
        L.Embedding(10000, 32),
        L.GlobalAveragePooling1D(),
        L.Dense(16, activation="relu"),
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def transformer(K):
    """One encoder block over 64 tokens (4 heads of 16, feed-forward 128), mean-pooled."""
    L = K.layers
    tokens = K.Input(shape=(64,), dtype="int32")
    h = L.Embedding(2000, 64)(tokens)
    h = L.LayerNormalization()(L.Add()([h, L.MultiHeadAttention(num_heads=4, key_dim=16)(h, h)]))
    f = L.Dense(64)(L.Dense(128, activation="relu")(h))
    h = L.LayerNormalization()(L.Add()([h, L.Dropout(0.1)(f)]))
    outputs = L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(h))
    model = K.Model(tokens, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def autoencoder(K):
    """A convolutional autoencoder: strided convolutions down, transposed convolutions up."""
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(28, 28, 1)),
        L.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def mobile(K):
    """MobileNet-style blocks: depthwise and pointwise convolutions with batch normalization."""
    L = K.layers

    def block(filters, strides):
        return [L.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False),
                L.BatchNormalization(), L.ReLU(),
                L.Conv2D(filters, 1, use_bias=False), L.BatchNormalization(), L.ReLU()]

    model = K.Sequential([
        K.Input(shape=(32, 32, 3)),
        L.Conv2D(16, 3, strides=2, padding="same", use_bias=False), L.BatchNormalization(),
        L.ReLU(),
        *block(32, 1), *block(64, 2),
        L.SeparableConv2D(64, 3, padding="same", activation="relu"),
        L.GlobalAveragePooling2D(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def grouped(K):
    """ResNeXt-style grouped convolutions (4 and 8 groups) between plain ones."""
    L = K.layers
    model = K.Sequential([
        K.Input(shape=(32, 32, 3)),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.Conv2D(64, 3, padding="same", groups=4, activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(64, 3, padding="same", groups=8, activation="relu"),
        L.Conv2D(64, 1, activation="relu"),
        L.GlobalAveragePooling2D(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(name, n):
    rng = np.random.default_rng(0)
    if name == "mlp-seed":
        return rng.normal(size=(n, 3)).astype("float32"), rng.integers(0, 5, n)
    if name == "mlp-fashion":
        return rng.random((n, 28, 28), dtype=np.float32), rng.integers(0, 10, n)
    if name == "cnn":
        return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    if name in ("lstm", "gru"):
        return rng.normal(size=(n, 50, 8)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")
    if name == "embed":
        return rng.integers(1, 10000, size=(n, 200)).astype("int32"), rng.integers(0, 2, n)
    if name == "autoencoder":
        x = rng.random((n, 28, 28, 1), dtype=np.float32)
        return x, x
    if name in ("mobile", "grouped"):
        return rng.random((n, 32, 32, 3), dtype=np.float32), rng.integers(0, 10, n)
    if name == "transformer":
        return rng.integers(1, 2000, size=(n, 64)).astype("int32"), rng.integers(0, 2, n)
    raise KeyError(name)


# name -> (builder, batch size, samples per epoch (full, quick))
WORKLOADS = {
    "mlp-seed": (mlp_seed, 32, (64_000, 16_000)),
    "mlp-fashion": (mlp_fashion, 32, (55_000, 11_000)),
    "cnn": (cnn, 128, (6_400, 1_280)),
    "lstm": (lstm, 64, (6_400, 1_280)),
    "embed": (embed, 32, (25_000, 5_000)),
    # Not among the issue's five (`--workloads gru transformer autoencoder mobile grouped`):
    "gru": (gru, 64, (6_400, 1_280)),
    "transformer": (transformer, 32, (8_000, 1_600)),
    "autoencoder": (autoencoder, 64, (3_200, 640)),
    "mobile": (mobile, 64, (3_200, 640)),
    "grouped": (grouped, 64, (640, 320)),
}
NO_JAX_REFERENCE = ("mobile", "grouped")  # not written yet: `run.py` leaves the jax-scan column empty
ISSUE_WORKLOADS = ("mlp-seed", "mlp-fashion", "cnn", "lstm", "embed")  # `run.py`'s default


def data(name, n):
    return _data(name, n)
