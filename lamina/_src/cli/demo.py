"""`lamina demo`: the README's main job."""


def run_demo(args) -> int:
    import numpy as np

    import lamina as keras

    keras.utils.set_random_seed(42)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(3,)),
        layers.Dense(32, activation="sigmoid"),
        layers.Dense(32, activation="sigmoid"),
        layers.Dropout(0.2),
        layers.Dense(16, activation=layers.LeakyReLU(negative_slope=0.05)),
        layers.Dropout(0.2),
        layers.Dense(5, activation="elu"),
    ])
    model.summary(show_activations=True)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    print("Prediction for 4 samples:\n", np.asarray(model(x)))
    return 0
