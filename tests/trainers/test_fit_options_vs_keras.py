"""fit / evaluate options that work but had no test, each against real Keras 3 on the same
initial weights and batches (shuffle off): validation_freq, initial_epoch, validation_steps,
validation_batch_size, dict losses / loss_weights / metrics, loss and metric objects, custom
callables, and evaluate(sample_weight=)."""

import numpy as np
import pytest

import lamina

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1))).astype("float32")
XV, YV = X[:10] + 0.1, Y[:10]
LABELS = RNG.integers(0, 3, size=(24,))


def single(K):
    return K.Sequential([K.Input(shape=(4,)), K.layers.Dense(3, activation="tanh"),
                         K.layers.Dense(1)])


def two_outputs(K):
    x = K.Input(shape=(4,), name="x")
    h = K.layers.Dense(5, activation="relu", name="hidden")(x)
    reg = K.layers.Dense(1, name="reg")(h)
    cls = K.layers.Dense(3, activation="softmax", name="cls")(h)
    return K.Model(x, {"reg": reg, "cls": cls})


def pair(keras, build, **compile_kwargs):
    """The lamina and Keras models, same weights, compiled alike (`compile_kwargs` may hold
    callables of K, for objects that must come from each library)."""
    models = {}
    weights = None
    for K in (lamina, keras):
        model = build(K)
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        kwargs = {k: v(K) if callable(v) and getattr(v, "per_library", False) else v
                  for k, v in compile_kwargs.items()}
        model.compile(**kwargs)
        models[K] = model
    return models[lamina], models[keras]


def per_library(fn):
    fn.per_library = True
    return fn


def assert_same_history(ours, theirs):
    assert ours.epoch == theirs.epoch
    assert sorted(ours.history) == sorted(theirs.history)
    for key in theirs.history:
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=1e-4, atol=1e-6,
                                   err_msg=key)


@pytest.mark.parametrize("fit_kwargs", [
    {"validation_freq": 2, "epochs": 4},
    {"validation_freq": [1, 3], "epochs": 3},
    {"initial_epoch": 1, "epochs": 3},
    {"validation_steps": 2, "validation_batch_size": 3, "epochs": 2},
], ids=["validation_freq", "validation_freq_list", "initial_epoch", "validation_steps"])
def test_validation_and_epoch_options(keras, fit_kwargs):
    ours, theirs = pair(keras, single, optimizer="sgd", loss="mse", metrics=["mae"])
    histories = [m.fit(X, Y, batch_size=8, shuffle=False, verbose=0, validation_data=(XV, YV),
                       **fit_kwargs) for m in (ours, theirs)]
    assert_same_history(*histories)


def test_dict_losses_loss_weights_and_metrics_by_output_name(keras):
    ours, theirs = pair(
        keras, two_outputs, optimizer="adam",
        loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
        loss_weights={"reg": 0.3, "cls": 2.0},
        metrics={"reg": ["mae"], "cls": ["accuracy"]})
    y = {"reg": Y, "cls": LABELS}
    histories = [m.fit(X, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                       validation_data=(XV, {"reg": YV, "cls": LABELS[:10]}))
                 for m in (ours, theirs)]
    assert_same_history(*histories)
    results = [m.evaluate(X, y, batch_size=8, verbose=0, return_dict=True) for m in (ours, theirs)]
    assert sorted(results[0]) == sorted(results[1])
    for key in results[1]:
        assert results[0][key] == pytest.approx(results[1][key], rel=1e-4), key


def test_loss_and_metric_objects_and_custom_callables(keras):
    def mean_pred(y_true, y_pred):  # custom metric
        return y_pred

    ours, theirs = pair(
        keras, single,
        optimizer=per_library(lambda K: K.optimizers.RMSprop(learning_rate=0.01)),
        loss=per_library(lambda K: K.losses.Huber(delta=0.5)),
        metrics=per_library(lambda K: [K.metrics.MeanAbsoluteError(name="mae_obj"),
                                       K.metrics.RootMeanSquaredError(), mean_pred]))
    histories = [m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
                 for m in (ours, theirs)]
    assert_same_history(*histories)
    ours, theirs = pair(keras, single, optimizer="sgd",
                        loss=per_library(lambda K: lambda t, p: K.ops.mean(K.ops.abs(p - t) ** 1.5,
                                                                           axis=-1)))
    histories = [m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
                 for m in (ours, theirs)]
    assert_same_history(*histories)


def test_evaluate_with_sample_weight(keras):
    ours, theirs = pair(keras, single, optimizer="sgd", loss="mse", metrics=["mae"],
                        weighted_metrics=["mse"])
    weights = RNG.uniform(0.0, 2.0, size=(24,)).astype("float32")
    results = [m.evaluate(X, Y, sample_weight=weights, batch_size=5, verbose=0, return_dict=True)
               for m in (ours, theirs)]
    assert sorted(results[0]) == sorted(results[1])
    for key in results[1]:
        assert results[0][key] == pytest.approx(results[1][key], rel=1e-5), key
