"""The training API around the numerics: data forms, errors, History, progress output, state."""

import jax
import numpy as np
import pytest

import lamina

L = lamina.layers
RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 5)).astype("float32")
Y = (X.sum(axis=1, keepdims=True) > 0).astype("float32")


def small_model(dropout=0.0):
    layers = [lamina.Input(shape=(5,)), L.Dense(8, activation="relu")]
    if dropout:
        layers.append(L.Dropout(dropout))
    model = lamina.Sequential(layers + [L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_history_structure():
    model = small_model()
    history = model.fit(X, Y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    assert history.epoch == [0, 1, 2]
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 and all(isinstance(f, float) for f in v) for v in history.history.values())
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert history.model is model and model.history is history


def test_fit_learns_and_evaluate_agrees_with_predict():
    lamina.utils.set_random_seed(1)
    model = small_model()
    model.compile(optimizer=lamina.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, Y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.7
    loss, accuracy = model.evaluate(X, Y, verbose=0)
    predicted = model.predict(X, verbose=0)
    assert predicted.shape == (64, 1) and isinstance(predicted, np.ndarray)
    assert accuracy == pytest.approx(float(((predicted > 0.5) == Y).mean()), abs=1e-6)


def test_generators_and_pydataset_inputs():
    def generator():
        while True:
            for i in range(0, 64, 16):
                yield X[i:i + 16], Y[i:i + 16]

    class Data(lamina.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 16:(i + 1) * 16], Y[i * 16:(i + 1) * 16]

    model = small_model()
    h1 = model.fit(generator(), steps_per_epoch=4, epochs=2, verbose=0)
    h2 = model.fit(Data(), epochs=2, verbose=0, validation_data=Data())
    assert len(h1.history["loss"]) == 2 and "val_loss" in h2.history
    assert model.predict(Data(), verbose=0).shape == (64, 1)
    assert np.isfinite(model.evaluate(Data(), verbose=0)).all()


def test_multi_input_forms_tuple_and_dict():
    a, b = lamina.Input(shape=(5,), name="wide_input"), lamina.Input(shape=(3,), name="deep_input")
    out = L.Dense(1)(L.concatenate([a, L.Dense(4)(b)]))
    model = lamina.Model([a, b], out)
    model.compile("sgd", "mse")
    xb = RNG.normal(size=(64, 3)).astype("float32")
    model.fit((X, xb), Y, epochs=1, verbose=0)
    model.fit({"wide_input": X, "deep_input": xb}, Y, epochs=1, verbose=0)
    assert model.predict({"wide_input": X, "deep_input": xb}, verbose=0).shape == (64, 1)


def test_clear_errors():
    model = lamina.Sequential([lamina.Input(shape=(5,)), L.Dense(1)], name="myseq")
    # Keras 3 raises ValueError ("You must call `compile()` before using the model.").
    for call in (lambda: model.fit(X, Y, verbose=0), lambda: model.evaluate(X, Y, verbose=0)):
        with pytest.raises(ValueError, match=r"must call `compile\(\)`.*'myseq'"):
            call()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"different numbers of samples.*x: 64.*y: 10"):
        model.fit(X, Y[:10], verbose=0)


def test_wrong_input_shape_names_model_input_layer_and_the_users_shape():
    """Regression: the message named the hidden inner graph ('functional_1'), showed the padded
    batch (32, 5) and not the user's array, and never named the layer reading the input."""
    model = lamina.Sequential([lamina.Input(shape=(5,), name="features"), L.Dense(1, name="dense")],
                              name="myseq")
    model.compile("sgd", "mse")
    expected = ("Input 'features' (read by layer 'dense') of model 'myseq' expects arrays of "
                "shape (None, 5), but received an array of shape (4, 4) (axis 1 is 4, expected 5).")
    for call in (lambda: model.fit(X[:4, :4], Y[:4], verbose=0),
                 lambda: model.evaluate(X[:4, :4], Y[:4], verbose=0),
                 lambda: model.predict(X[:4, :4], verbose=0),
                 lambda: model(X[:4, :4])):
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == expected
    with pytest.raises(ValueError, match=r"shape \(4, 5, 2\) \(rank 3, expected rank 2\)"):
        model.predict(np.zeros((4, 5, 2), "float32"), verbose=0)
    a, b = lamina.Input(shape=(5,), name="wide"), lamina.Input(shape=(3,), name="deep")
    out = L.Dense(1, name="head")(L.concatenate([L.Dense(2)(a), b], name="concat"))
    two = lamina.Model([a, b], out, name="two_inputs")
    with pytest.raises(ValueError) as info:
        two.predict({"wide": X[:4], "deep": X[:4, :2]}, verbose=0)
    assert str(info.value) == (
        "Input 'deep' (read by layer 'concat') of model 'two_inputs' expects arrays of shape "
        "(None, 3), but received an array of shape (4, 2) (axis 1 is 2, expected 3).")


def test_predict_pads_partial_batches_to_few_compiled_sizes():
    model = small_model()
    for n in range(9, 25):  # partial last batches of 1 to 7 rows, and none
        np.testing.assert_allclose(model.predict(X[:n], batch_size=8, verbose=0),
                                   np.asarray(model(X[:n])), rtol=1e-6)
    assert model._compiled_fns[("predict",)]._cache_size() == 4  # 8; partial: 1, 2 or 4
    # Runs of 2 or 3 full batches go through one loop per power of two of them (on CPU).
    loops = {k: f for k, f in model._compiled_fns.items() if k[:2] == ("predict", "loop")}
    assert sorted(loops) == [("predict", "loop", 8, 2), ("predict", "loop", 8, 4)]
    assert all(f._cache_size() == 1 for f in loops.values())


def test_predict_on_less_than_a_batch_pads_to_a_power_of_two():
    """`predict(x[:n])` for every n below the batch size compiles 1, 2, 4, ... 32 rows: six
    shapes, not one per n (Keras's), and at most twice the rows asked for."""
    model = small_model()
    for n in range(1, 33):
        np.testing.assert_allclose(model.predict(X[:n], verbose=0), np.asarray(model(X[:n])),
                                   rtol=1e-6)
    (predict_fn,) = [f for k, f in model._compiled_fns.items() if k[0] == "predict"]
    assert predict_fn._cache_size() == 6


def test_predict_pads_more_than_32_rows_by_at_most_an_eighth():
    """Above 32 rows, a partial batch pads to the next multiple of an eighth of the power of
    two below it: 8 sizes per doubling, and no more than an eighth of padding rows."""
    from lamina._src.trainers.trainer import _padded_size

    assert [_padded_size(n, 1024) for n in (33, 36, 37, 64, 65, 513, 600, 640, 1000)] == [
        36, 36, 40, 64, 72, 576, 640, 640, 1024]
    assert _padded_size(600, 512) == 512  # capped at the batch size
    for n in range(33, 1025):
        padded = _padded_size(n, 1024)
        assert n <= padded <= n + n // 8
    assert len({_padded_size(n, 1024) for n in range(513, 1025)}) == 8
    model = small_model()
    x = np.concatenate([X] * 4)[:37]
    np.testing.assert_allclose(model.predict(x, batch_size=64, verbose=0), np.asarray(model(x)),
                               rtol=1e-6)


def test_predict_loops_over_full_batches_with_the_outputs_of_one_batch_per_call(monkeypatch):
    """On CPU, runs of full batches go through one compiled loop (a dispatch's fresh working
    memory costs more than a small model's batch); the outputs stay those of `model(x)`, every
    output of a multi-output model, with a progress bar's chunks, `steps`, and a callback
    that needs each batch (which turns the loop off)."""
    from lamina._src.trainers import trainer

    inputs = lamina.Input(shape=(5,))
    hidden = L.Dense(8, activation="relu")(inputs)
    model = lamina.Model(inputs, {"p": L.Dense(1, activation="sigmoid", name="p")(hidden),
                                  "q": L.Dense(3, name="q")(hidden)})
    x = np.concatenate([X, X[:19]])  # 10 full batches of 8, and 3 rows

    def check(got, rows=83):
        expected = model(x[:rows])
        assert sorted(got) == ["p", "q"]
        for name in ("p", "q"):
            np.testing.assert_allclose(got[name], np.asarray(expected[name]), rtol=1e-5,
                                       atol=1e-6)

    check(model.predict(x, batch_size=8, verbose=0))
    loops = [k for k in model._compiled_fns if k[:2] == ("predict", "loop")]
    assert loops == [("predict", "loop", 8, 16)]  # one call: 10 batches, room for 16
    monkeypatch.setattr(trainer, "_PREDICT_LOOP_BATCHES", 8)  # calls of 8 and 2 batches
    check(model.predict(x, batch_size=8, verbose=0))
    assert ("predict", "loop", 8, 8) in model._compiled_fns
    assert ("predict", "loop", 8, 2) in model._compiled_fns
    check(model.predict(x, batch_size=8, steps=3, verbose=0), rows=24)
    monkeypatch.setattr(trainer, "_PREDICT_LOOP_BATCH_BYTES", 4 * 5 * 4)  # 4 rows of 5 floats
    check(model.predict(x, batch_size=5, verbose=0))  # 100 bytes a batch: one per call
    check(model.predict(x, batch_size=4, verbose=0))
    assert {k[2] for k in model._compiled_fns if k[:2] == ("predict", "loop")} == {8, 4}
    monkeypatch.setattr(trainer, "_AUTO_STEPS", 4)  # a progress bar's chunks: 4, 4, 2, 1
    check(model.predict(x, batch_size=8, verbose=1))
    assert ("predict", "loop", 8, 4) in model._compiled_fns

    seen = []

    class Batches(lamina.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append((batch, np.asarray(logs["outputs"]["q"]).shape[0]))

    check(model.predict(x, batch_size=8, verbose=0, callbacks=[Batches()]))
    assert seen == [(i, 8) for i in range(10)] + [(10, 3)]


def test_predict_runs_convolutions_one_batch_per_call():
    """`lax.conv`, the convolutions' forward pass, is slower inside XLA CPU loops."""
    model = lamina.Sequential([lamina.Input((6, 6, 2)), L.Conv2D(3, 3), L.Flatten(), L.Dense(1)])
    x = np.random.default_rng(0).normal(size=(40, 6, 6, 2)).astype("float32")
    np.testing.assert_allclose(model.predict(x, batch_size=8, verbose=0), np.asarray(model(x)),
                               rtol=1e-5, atol=1e-6)
    assert [k for k in model._compiled_fns if k[0] == "predict"] == [("predict",)]


def test_predict_hands_callbacks_only_the_rows_asked_for():
    seen = []

    class Outputs(lamina.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(np.asarray(logs["outputs"]).shape)

    model = small_model()
    assert model.predict(X[:5], verbose=0, callbacks=[Outputs()]).shape == (5, 1)
    assert seen == [(5, 1)]  # computed as 8 rows


def test_predict_on_batch_compiles_predicts_padded_sizes():
    model = small_model()
    for n in (1, 2, 3, 5, 7, 9, 17, 33, 34, 64):
        np.testing.assert_allclose(model.predict_on_batch(X[:n]), np.asarray(model(X[:n])),
                                   rtol=1e-6)
    (predict_fn,) = [f for k, f in model._compiled_fns.items() if k[0] == "predict"]
    assert predict_fn._cache_size() == 8  # 1, 2, 4, 8, 16, 32, 36 and 64 rows


def test_predict_does_not_pad_a_stateful_model():
    """A stateful RNN's state holds one row per sample: its batches keep their size."""
    model = lamina.Sequential([lamina.Input(batch_shape=(3, 4, 2)),
                               L.LSTM(3, stateful=True)])
    lstm = model.layers[0]
    x = RNG.normal(size=(3, 4, 2)).astype("float32")
    expected = np.asarray(model(x))
    for predict in (lambda: model.predict(x, verbose=0), lambda: model.predict_on_batch(x)):
        lstm.reset_states()  # as Keras's, lamina's predict leaves the state where it was
        np.testing.assert_allclose(predict(), expected, rtol=1e-6)


def test_predict_does_not_grow_memory_or_compilations():
    model = small_model()
    for _ in range(200):
        model.predict(X[:1], verbose=0)
    (predict_fn,) = [f for k, f in model._compiled_fns.items() if k[0] == "predict"]
    assert predict_fn._cache_size() == 1


def test_seeded_training_with_dropout_and_shuffle_repeats():
    def run():
        lamina.utils.set_random_seed(5)
        model = small_model(dropout=0.3)
        return model.fit(X, Y, epochs=2, batch_size=8, verbose=0).history["loss"], model.get_weights()

    (loss_a, w_a), (loss_b, w_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_callbacks_see_current_weights_mid_epoch_and_stop_training():
    seen = []

    class Spy(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, self.model.get_weights()[0].copy(), dict(logs)))
            if batch == 2:
                self.model.stop_training = True

    model = small_model()
    model.fit(X, Y, epochs=5, batch_size=16, verbose=0, callbacks=[Spy()])
    assert [b for b, _, _ in seen] == [0, 1, 2]
    assert not np.array_equal(seen[0][1], seen[1][1]), "weights must be current at each batch"
    np.testing.assert_array_equal(seen[-1][1], model.get_weights()[0])
    assert set(seen[0][2]) == {"loss", "accuracy"}


def test_recompiling_resets_the_optimizer():
    model = small_model()
    model.fit(X, Y, epochs=1, verbose=0)  # 64 samples, batch 32: two steps
    assert int(model.optimizer.iterations.value) == 2
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    assert int(model.optimizer.iterations.value) == 2


def test_progress_output_is_one_line_per_epoch_in_a_log(capsys):
    model = small_model()
    model.fit(X, Y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2" and len(out) == 4
    assert out[1].startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ ") and " - accuracy: " in out[1]
    assert "/step - accuracy: " in out[1] and " - loss: " in out[1]
    model.fit(X, Y, epochs=1, batch_size=16, verbose=2)
    line = capsys.readouterr().out.splitlines()[1]
    assert line.startswith("4/4 - ") and "/step - accuracy: " in line


def test_learning_rate_can_be_read_and_set():
    model = small_model()
    model.optimizer.learning_rate = 0.5
    assert float(model.optimizer.learning_rate) == pytest.approx(0.5)
    model.fit(X, Y, epochs=1, verbose=0)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.5)


def test_steps_per_execution_gives_the_same_result():
    def run(spe):
        lamina.utils.set_random_seed(3)
        model = lamina.Sequential([lamina.Input(shape=(5,)), L.Dense(4, activation="tanh"), L.Dense(1)])
        model.compile("sgd", "mse", steps_per_execution=spe)
        return model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]

    np.testing.assert_allclose(run(4), run(1), rtol=1e-6)


def test_interrupt_mid_epoch_keeps_a_usable_model():
    """Regression: train steps donate their inputs; an exception mid-epoch must not leave the
    Variables pointing at donated (deleted) buffers."""

    class Boom(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyboardInterrupt

    model = small_model()
    before = model.get_weights()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=3, batch_size=8, verbose=0, callbacks=[Boom()])
    after = model.get_weights()  # must not raise "buffer deleted"
    assert not np.array_equal(after[0], before[0])
    assert int(model.optimizer.iterations.value) == 2
    model.fit(X, Y, epochs=1, verbose=0)  # and training can go on


def test_run_eagerly_calls_the_layers_with_real_arrays_every_batch():
    """Regression: run_eagerly=True / jit_compile=False still batched steps into a fori_loop,
    so call() got tracers. As in Keras, np.asarray(x) inside call() must work per batch."""
    seen = []
    for flags in ({"run_eagerly": True}, {"jit_compile": False}):
        seen.clear()

        class Probe(L.Layer):
            def call(self, x):
                if not isinstance(x, jax.core.Tracer):  # the symbolic builds trace call()
                    seen.append(np.asarray(x).shape)
                return x

        model = lamina.Sequential([lamina.Input(shape=(5,)), Probe(), L.Dense(1)])
        model.compile("sgd", "mse", **flags)
        model.fit(X[:40], Y[:40], batch_size=8, epochs=1, verbose=0)
        assert seen == [(8, 5)] * 5
        seen.clear()
        model.evaluate(X[:20], Y[:20], batch_size=8, verbose=0)
        assert seen == [(8, 5), (8, 5), (4, 5)]


def test_steps_per_epoch_carries_on_through_the_data_as_keras(keras):
    """Regression: every epoch restarted at batch 0. Keras's EpochIterator carries on; an
    epoch that reaches the end of the data stops there (with a warning), the next restarts."""
    x = RNG.normal(size=(10, 5)).astype("float32")
    y = RNG.normal(size=(10, 1)).astype("float32")

    def run(K, spe):
        model = K.Sequential([K.Input(shape=(5,)), K.layers.Dense(1)])
        model.set_weights(weights)
        model.compile(K.optimizers.SGD(0.1), "mse")
        with pytest.warns(UserWarning, match="ran out of data") if spe == 3 else _no_warning():
            return model.fit(x, y, batch_size=3, steps_per_epoch=spe, epochs=4, shuffle=False,
                             verbose=0).history["loss"]

    weights = [RNG.normal(size=(5, 1)).astype("float32"), np.zeros(1, "float32")]
    for spe in (2, 3):  # 4 batches (the last holds 1 sample): even and uneven epochs
        np.testing.assert_allclose(run(lamina, spe), run(keras, spe), rtol=1e-5)


def _no_warning():
    import contextlib

    return contextlib.nullcontext()


def count_loop_calls(model, batch_size):
    """`(loop, counts)`: the model's compiled training loop on batches of `batch_size`, and
    the list of the step counts it is called with from then on."""
    loop, counts = model._array_step("train", batch_size, loop=True), []

    def counting(state, data, start, count):
        counts.append(int(count))
        return loop(state, data, start, count)

    model._compiled_fns[("train", "array", batch_size, True)] = counting
    return loop, counts


def test_uneven_fit_compiles_the_train_loop_once_and_matches_one_step_per_call(capsys):
    """Regression for `_array_step(kind, size, loop=True)`: `count` is a traced argument, so
    every chunking of the 50 steps per epoch compiles the loop once and gives the same losses
    as one step per dispatch (forced here by a callback that needs every batch). Without a
    progress bar an epoch is one chunk; under one, 16, 16, 16, 2 until the steps are timed,
    then chunks of half a second (this model's steps take microseconds: the whole 50)."""
    x = RNG.normal(size=(400, 5)).astype("float32")
    y = x[:, :1] * 0.5

    class EveryBatch(lamina.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            pass

    def run(callbacks, verbose):
        lamina.utils.set_random_seed(9)
        model = lamina.Sequential([lamina.Input(shape=(5,)), L.Dense(3, activation="tanh"),
                                   L.Dense(1)])
        model.compile("sgd", "mse")
        loop, counts = count_loop_calls(model, batch_size=8)
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=verbose,
                            callbacks=callbacks)
        assert loop._cache_size() == (1 if counts else 0)
        return counts, history.history["loss"]

    counts_quiet, loss_quiet = run([], verbose=0)
    counts_bar, loss_bar = run([], verbose=1)
    assert "50/50" in capsys.readouterr().out
    counts_single, loss_single = run([EveryBatch()], verbose=0)
    assert counts_quiet == [50, 50, 50]
    assert counts_bar == [16, 16, 16, 2, 50, 50]
    assert counts_single == []  # one step per dispatch: the loop is never called
    np.testing.assert_allclose(loss_quiet, loss_single, rtol=1e-6)
    np.testing.assert_allclose(loss_bar, loss_single, rtol=1e-6)


def test_generator_batches_run_stacked_with_the_steps_of_one_batch_per_call():
    """A generator's or PyDataset's full batches of one shape go to the device up to 32 at a
    time, each group one dispatch of the looped step (the last group padded, so one
    compilation); a batch of another shape starts a new group. The losses and weights are
    those of one step per batch (forced by a batch hook) and of the same data as arrays."""
    x = RNG.normal(size=(45 * 8 + 5, 5)).astype("float32")
    y = x[:, :1] * 0.5 - x[:, 1:2]

    def generator():
        while True:
            for i in range(0, len(x), 8):
                yield x[i:i + 8], y[i:i + 8]

    class Batches(lamina.utils.PyDataset):
        def __len__(self):
            return 46

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    class EveryBatch(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    def run(data, callbacks=(), **kwargs):
        lamina.utils.set_random_seed(4)
        model = lamina.Sequential([lamina.Input(shape=(5,)), L.Dense(4, activation="tanh"),
                                   L.Dense(1)])
        model.compile("adam", "mse")
        loop, counts = count_loop_calls(model, batch_size=8)
        history = model.fit(data, epochs=2, verbose=0, callbacks=list(callbacks), **kwargs)
        return counts, history.history["loss"], model.get_weights()

    runs = {"generator": run(generator(), steps_per_epoch=46),
            "pydataset": run(Batches(), shuffle=False),
            "one per call": run(generator(), [EveryBatch()], steps_per_epoch=46)}
    arrays = run(x, y=y, batch_size=8, shuffle=False)
    assert runs["generator"][0] == runs["pydataset"][0] == [32, 13, 32, 13]
    assert runs["one per call"][0] == []
    for _, losses, weights in [*runs.values(), arrays]:
        np.testing.assert_allclose(losses, arrays[1], rtol=1e-6)
        for w, w_arrays in zip(weights, arrays[2]):
            np.testing.assert_allclose(w, w_arrays, rtol=1e-5, atol=1e-7)


def test_generator_batches_of_changing_sizes_run_one_per_call():
    """Nothing to stack when consecutive batches differ in shape: each runs alone, unpadded."""
    bounds = [0, 8, 14, 22, 28, 36, 42, 50, 56, 64]  # sizes 8, 6, 8, 6, ...

    def generator():
        for lo, hi in zip(bounds, bounds[1:]):
            yield X[lo:hi], Y[lo:hi]

    class EveryBatch(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    def run(callbacks):
        lamina.utils.set_random_seed(3)
        model = small_model()
        model.fit(generator(), epochs=1, verbose=0, callbacks=callbacks)
        loops = [k for k in model._compiled_fns if k[:2] == ("train", "array")]
        return loops, model.get_weights()

    (loops, weights), (_, expected) = run([]), run([EveryBatch()])
    assert loops == []
    for w, w_expected in zip(weights, expected):
        np.testing.assert_allclose(w, w_expected, rtol=1e-6)


def test_stacked_generator_batches_keep_dict_inputs_and_sample_weights():
    xb = RNG.normal(size=(64, 3)).astype("float32")
    sw = RNG.random(64).astype("float32")

    def generator(device):
        put = jax.device_put if device else np.asarray
        for i in range(0, 64, 16):
            yield ({"a": put(X[i:i + 16]), "b": put(xb[i:i + 16])}, put(Y[i:i + 16]),
                   put(sw[i:i + 16]))

    def run(**data):
        lamina.utils.set_random_seed(2)
        a, b = lamina.Input(shape=(5,), name="a"), lamina.Input(shape=(3,), name="b")
        model = lamina.Model([a, b], L.Dense(1)(L.concatenate([a, L.Dense(2)(b)])))
        model.compile("sgd", "mse")
        return model.fit(**data, epochs=1, verbose=0).history["loss"], model.get_weights()

    expected = run(x={"a": X, "b": xb}, y=Y, sample_weight=sw, batch_size=16, shuffle=False)
    for device in (False, True):  # arrays already on a device are not stacked: one per call
        losses, weights = run(x=generator(device))
        np.testing.assert_allclose(losses, expected[0], rtol=1e-6)
        for w, w_expected in zip(weights, expected[1]):
            np.testing.assert_allclose(w, w_expected, rtol=1e-5, atol=1e-7)


def test_predict_from_a_pydataset_stacks_batches_unless_a_callback_needs_each(capsys):
    x = RNG.normal(size=(45 * 8 + 5, 5)).astype("float32")

    class Batches(lamina.utils.PyDataset):
        def __len__(self):
            return 46

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8]

    class Outputs(lamina.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            shapes.append((batch, logs["outputs"].shape))

    model = small_model()
    expected = np.asarray(model(x))
    np.testing.assert_allclose(model.predict(Batches(), verbose=1), expected, rtol=1e-6)
    assert "46/46" in capsys.readouterr().out
    (predict_fn,) = [f for k, f in model._compiled_fns.items() if k[0] == "predict"]
    assert predict_fn._cache_size() == 3  # 32 batches, 13 padded to 16, the 5 rows alone
    shapes = []
    np.testing.assert_allclose(model.predict(Batches(), verbose=0, callbacks=[Outputs()]),
                               expected, rtol=1e-6)
    assert shapes == [(i, (8, 1)) for i in range(45)] + [(45, (5, 1))]


def test_steps_per_call_is_a_pass_or_half_a_second_of_timed_steps_under_a_bar():
    model = lamina.Sequential([lamina.Input(shape=(5,)), L.Dense(1)])
    model.compile("sgd", "mse")
    assert model._steps_per_call("train") == 2 ** 31 - 1  # CPU, loop-friendly: the whole pass
    assert model._steps_per_call("train", progress_bar=True) == 16  # not yet timed
    model._step_seconds = {"train": 0.002, "test": 0.5}
    assert model._steps_per_call("train", progress_bar=True) == 250
    assert model._steps_per_call("test", progress_bar=True) == 16  # never fewer than untimed
    model.compile("sgd", "mse", steps_per_execution=3)
    assert model._step_seconds == {}
    assert model._steps_per_call("train", progress_bar=True) == 3  # the user's choice wins
    model.compile("sgd", "mse", run_eagerly=True)
    assert model._steps_per_call("train") == 1
    # AveragePooling's gradient is slow inside XLA CPU loops: one step per dispatch.
    pooled = lamina.Sequential([lamina.Input(shape=(4, 4, 1)), L.AveragePooling2D(2),
                                L.Flatten(), L.Dense(1)])
    pooled.compile("sgd", "mse")
    assert pooled._steps_per_call("train") == 1


def test_pydataset_epochs_match_keras_shuffled_and_with_steps_per_epoch(keras):
    """As Keras: fit shuffles a PyDataset's batch order each pass, steps_per_epoch carries on
    through a pass instead of restarting it, an epoch that reaches the end of a pass stops
    there with a warning, on_epoch_begin/end run every epoch, and class_weight applies."""
    x = RNG.normal(size=(10, 5)).astype("float32")
    y = (RNG.random((10, 1)) > 0.5).astype("float32")
    weights = [RNG.normal(size=(5, 1)).astype("float32"), np.zeros(1, "float32")]

    def run(K, spe, shuffle, seed):
        seen = []

        class Batches(K.utils.PyDataset):
            def __init__(self):
                super().__init__()

            def __len__(self):
                return 4  # the last batch holds 1 sample

            def __getitem__(self, i):
                seen.append(i)
                return x[i * 3:(i + 1) * 3], y[i * 3:(i + 1) * 3]

            def on_epoch_begin(self):
                seen.append("begin")

            def on_epoch_end(self):
                seen.append("end")

        class Epochs(K.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                seen.append("epoch")

        K.utils.set_random_seed(seed)
        model = K.Sequential([K.Input(shape=(5,)), K.layers.Dense(1, activation="sigmoid")])
        model.set_weights(weights)
        model.compile(K.optimizers.SGD(0.1), "binary_crossentropy")
        warns = pytest.warns(UserWarning, match="ran out of data") if spe == 3 else _no_warning()
        with warns:
            losses = model.fit(Batches(), steps_per_epoch=spe, epochs=4, shuffle=shuffle, verbose=0,
                               class_weight={0: 1.0, 1: 3.0}, callbacks=[Epochs()]).history["loss"]
        # Before the first epoch, each library reads a batch to build from; drop it.
        epochs = " ".join(map(str, seen)).split("epoch")[1:]
        assert all(e.split()[0] == "begin" and e.split()[-1] == "end" for e in epochs)
        return losses, [[int(i) for i in e.split()[1:-1]] for e in epochs]

    def passes(epochs):
        """The batch indices of each pass, joined across epochs (4 batches per pass)."""
        flat = [i for e in epochs for i in e]
        return [flat[i:i + 4] for i in range(0, len(flat), 4)]

    for spe in (2, 3, None):
        ours, theirs = run(lamina, spe, False, 0), run(keras, spe, False, 0)
        assert ours[1] == theirs[1]  # the same batches in each epoch
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
        for seed in (1,):
            ours, theirs = run(lamina, spe, True, seed), run(keras, spe, True, seed)
            assert [len(e) for e in ours[1]] == [len(e) for e in theirs[1]]
            assert all(sorted(p) == list(range(len(p))) or len(p) < 4 for p in passes(ours[1]))
            if spe is None:
                assert any(e != [0, 1, 2, 3] for e in ours[1])  # reshuffled


def test_generator_inputs_refuse_arguments_keras_refuses():
    def generator():
        while True:
            yield X[:8], Y[:8]

    model = small_model()
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(generator(), steps_per_epoch=2, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="`sample_weight` must not be passed"):
        model.fit(generator(), sample_weight=np.ones(8), steps_per_epoch=2, verbose=0)


def test_compile_keeps_the_loss_as_given(keras):
    loss = lamina.losses.Huber(delta=0.5)
    for K, given in ((lamina, "binary_crossentropy"), (lamina, loss), (keras, "binary_crossentropy")):
        model = K.Sequential([K.Input(shape=(5,)), K.layers.Dense(1)])
        model.compile("sgd", given)
        assert model.loss is given
