"""The callback hook contract against real Keras 3: the same hooks, in the same order, with the
same batch/epoch indices and log keys, for fit (with validation), evaluate and predict."""

import numpy as np

import lamina

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]
RNG = np.random.default_rng(3)
X = RNG.normal(size=(11, 4)).astype("float32")  # batch 5: two full batches and one of 1
Y = RNG.normal(size=(11, 1)).astype("float32")
XV, YV = X[:7], Y[:7]  # validation: batches of 5 and 2


def spy_class(K, events):
    """A callback that overrides every hook and records (hook, index..., sorted log keys)."""

    def make(hook):
        def record(self, *args, **kwargs):  # Keras passes logs by position or by keyword
            *index, logs = (*args, *kwargs.values())
            assert isinstance(logs, dict), f"{hook} got logs={logs!r}, Keras passes a dict"
            events.append((hook, *index, tuple(sorted(logs))))
            params.append(dict(self.params))
        return record

    params = []
    spy = type("Spy", (K.callbacks.Callback,), {h: make(h) for h in HOOKS})
    return spy, params


def trace(K):
    events = []
    spy, params = spy_class(K, events)
    model = K.Sequential([K.Input(shape=(4,)), K.layers.Dense(2), K.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    runs = {}
    s = spy()
    model.fit(X, Y, epochs=2, batch_size=5, validation_data=(XV, YV), verbose=0, callbacks=[s])
    runs["fit"], fit_params = list(events), s.params
    events.clear()
    s = spy()
    model.evaluate(X, Y, batch_size=5, verbose=0, callbacks=[s])
    runs["evaluate"], eval_params = list(events), s.params
    events.clear()
    s = spy()
    model.predict(X, batch_size=5, verbose=0, callbacks=[s])
    runs["predict"], predict_params = list(events), s.params
    return runs, (fit_params, eval_params, predict_params)


def test_hook_sequences_and_params_match_keras(keras):
    ours, our_params = trace(lamina)
    theirs, their_params = trace(keras)
    for run in ("fit", "evaluate", "predict"):
        assert ours[run] == theirs[run], run
    assert our_params == their_params
    # The contract itself, spelled out for the reader (and pinned against Keras above).
    assert ("on_test_batch_end", 1, ("loss", "mae")) in ours["fit"]
    assert ours["predict"][-2] == ("on_predict_batch_end", 2, ("outputs",))


def test_predict_batch_end_gets_the_real_outputs_without_padding(keras):
    outputs, got = {}, []
    for K in (lamina, keras):
        got.clear()

        class Spy(K.callbacks.Callback):
            def on_predict_batch_end(self, batch, logs=None):
                got.append(np.asarray(logs["outputs"]))

        model = K.Sequential([K.Input(shape=(4,)), K.layers.Dense(1, kernel_initializer="ones")])
        result = model.predict(X, batch_size=5, verbose=0, callbacks=[Spy()])
        np.testing.assert_allclose(np.concatenate(got), result, rtol=1e-6)
        outputs[K.__name__] = [g.shape for g in got]
    assert outputs["lamina"] == outputs["keras"] == [(5, 1), (5, 1), (1, 1)]


def test_fit_without_batch_callbacks_keeps_several_steps_per_dispatch():
    """The hook contract must not cost the fast path: hooks no callback overrides stay off."""

    class EpochOnly(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.tile(X, (10, 1)), np.tile(Y, (10, 1)), batch_size=5, epochs=1, verbose=0,
              validation_data=(XV, YV), callbacks=[EpochOnly()])
    assert ("train", "array", 5, True) in model._compiled_fns
    assert ("test", "array", 5, True) in model._compiled_fns
