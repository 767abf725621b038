"""`lamina demo`: the README's main job: train a classifier on the bundled digits, save it, and
inspect the saved file."""

from __future__ import annotations

from ._common import command_parser


def add_parser(commands):
    parser = command_parser(
        commands, "demo",
        help="run the README's main job",
        description=(
            "Train a small classifier on the bundled 8x8 digits, print its summary, progress "
            "and test accuracy, save it (digits_mlp.keras in the current directory, or "
            "--output) and print `lamina inspect` of the saved file."),
        example="lamina demo --epochs 20 --output /tmp/digits.keras",
    )
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    parser.add_argument("--output", "-o", default="digits_mlp.keras", metavar="PATH",
                        help="where to save the trained model (default digits_mlp.keras)")
    parser.set_defaults(func=run_demo)
    return parser


def run_demo(args) -> int:
    import numpy as np

    import lamina as keras

    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0

    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(64,), name="pixels"),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(32, activation=layers.LeakyReLU(negative_slope=0.05)),
        layers.Dense(10, activation="softmax"),
    ], name="digits_mlp")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary(show_activations=True)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}  test accuracy: {accuracy:.4f}")
    predictions = model.predict(x_test[:10], verbose=0).argmax(axis=1)
    print(f"First 10 test digits: predicted {predictions.tolist()}, true {np.asarray(y_test[:10]).tolist()}")

    output = getattr(args, "output", None) or "digits_mlp.keras"
    model.save(output)
    print(f"\nSaved the trained model to {output}. `lamina inspect {output}` shows:\n")
    from .inspect_cmd import print_inspection
    from .inspection.report import inspect_file

    print_inspection(inspect_file(output), _InspectOptions())
    return 0 if accuracy > 0.9 else 1


class _InspectOptions:
    """The defaults of `lamina inspect`, for printing its report from the demo."""

    activations = True
    expand_nested = False
    weights = False
    summary_only = False
    line_length = None
    no_color = False
