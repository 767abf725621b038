"""`lamina inspect --summary-only` equals real Keras's `model.summary()` for graphs the fixtures
lack: a nested Functional, a layer called twice, an RNN returning its states, TimeDistributed."""

import pytest


def nested_functional(K):
    inner_in = K.Input((4,), name="inner_in")
    inner = K.Model(inner_in, K.layers.Dense(3, name="inner_dense")(inner_in), name="inner")
    x = K.Input((4,), name="x")
    y = K.layers.Dense(2, name="head")(inner(x))
    return K.Model(x, y, name="outer")


def shared_layer(K):
    a, b = K.Input((5,), name="a"), K.Input((5,), name="b")
    shared = K.layers.Dense(4, name="shared")
    merged = K.layers.Concatenate(name="cat")([shared(a), shared(b)])
    return K.Model([a, b], K.layers.Dense(1, name="out")(merged), name="siamese")


def rnn_states(K):
    x = K.Input((6, 3), name="seq")
    out, h, c = K.layers.LSTM(5, return_state=True, return_sequences=True, name="lstm")(x)
    summary = K.layers.GlobalAveragePooling1D(name="gap")(out)
    z = K.layers.Add(name="add")([summary, h, c])
    steps = K.layers.TimeDistributed(K.layers.Dense(2), name="per_step")(out)
    return K.Model(x, [z, steps], name="states")


def conv_stack(K):
    return K.Sequential([
        K.Input((12, 10, 3)),
        K.layers.Conv2D(4, 3, strides=2, padding="same", name="c1"),
        K.layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw"),
        K.layers.SeparableConv2D(5, 2, name="sep"),
        K.layers.Conv2DTranspose(3, 3, strides=2, name="up"),
        K.layers.ZeroPadding2D(1, name="pad"),
        K.layers.AveragePooling2D(2, name="pool"),
        K.layers.GlobalMaxPooling2D(name="gmp"),
        K.layers.Dense(2, name="out"),
    ], name="convs")


@pytest.mark.parametrize("build", [nested_functional, shared_layer, rnn_states, conv_stack])
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_summary_equals_keras(build, suffix, keras, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    keras.backend.clear_session()
    model = build(keras)
    path = tmp_path / f"model{suffix}"
    model.save(path)
    lines = []
    model.summary(print_fn=lines.append)
    code, out, err = cli("inspect", path, "--summary-only", "--no-activations")
    assert code == 0, err
    assert out == "".join(lines)
    code, out, err = cli("inspect", path)
    assert code == 0 and "No warnings" in out, out
