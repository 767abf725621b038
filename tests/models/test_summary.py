"""`summary()` text against the Keras 3 fixtures (exact text, both terminal widths)."""

import pytest

import lamina

L = lamina.layers


def seed_mlp():
    return lamina.Sequential([
        L.Dense(32, activation="sigmoid", input_shape=(3,)),
        L.Dense(32, activation="sigmoid"),
        L.Dropout(0.2),
        L.Dense(16, activation=L.LeakyReLU(negative_slope=0.05)),
        L.Dropout(0.2),
        L.Dense(5, activation="elu"),
    ], name="sequential_1")


def wide_deep():
    input_wide = lamina.Input(shape=(5,), name="wide_input")
    input_deep = lamina.Input(shape=(6,), name="deep_input")
    hidden1 = L.Dense(30, activation="relu")(input_deep)
    hidden2 = L.Dense(30, activation="relu")(hidden1)
    concat = L.concatenate([input_wide, hidden2])
    output = L.Dense(1, name="output")(concat)
    return lamina.Model(inputs=[input_wide, input_deep], outputs=[output])


def fashion_full():
    return lamina.Sequential([lamina.Input(shape=(28, 28)), L.Flatten(),
                              L.Dense(300, activation="relu"), L.Dense(100, activation="relu"),
                              L.Dense(10, activation="softmax")])


def _summary(model, **kwargs) -> str:
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "".join(lines)


@pytest.mark.parametrize("build, fixture, columns", [
    (seed_mlp, "seed_mlp.summary.txt", "200"),
    (seed_mlp, "seed_mlp.summary_cols80.txt", "80"),
    (wide_deep, "wide_deep.summary.txt", "200"),
    (wide_deep, "wide_deep.summary_cols80.txt", "80"),
    (fashion_full, "fashion_mlp_full.summary.txt", "200"),
])
def test_summary_text_equals_keras(build, fixture, columns, fixtures_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    lamina.backend.clear_session()
    expected = (fixtures_dir / "keras3_jax" / fixture).read_text()
    assert _summary(build()) == expected


def test_summary_of_ops_and_subclassed_models_matches_live_keras(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")

    def build(K):
        x = K.Input(shape=(3,))
        return K.Model(x, K.layers.Dense(2)(x) * 2 + 1)

    def capture(model):
        lines = []
        model.summary(print_fn=lines.append)
        return "".join(lines)

    lamina.backend.clear_session()
    keras.backend.clear_session()
    assert capture(build(lamina)) == capture(build(keras))


def test_summary_show_trainable_matches_live_keras(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")

    def build(K):
        model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(4), K.layers.Dropout(0.1),
                              K.layers.Dense(2)])
        model.layers[0].trainable = False
        return model

    lamina.backend.clear_session()
    keras.backend.clear_session()
    lines = []
    build(keras).summary(print_fn=lines.append, show_trainable=True)
    assert _summary(build(lamina), show_trainable=True) == "".join(lines)


def test_summary_options(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lamina.backend.clear_session()
    model = seed_mlp()
    part = _summary(model, layer_range=["dense_1", "dropout_1"])
    assert "dense_1 (Dense)" in part and "dense_3" not in part and "dense (Dense)" not in part
    with pytest.raises(ValueError, match="do not match any layer"):
        _summary(model, layer_range=["nope", "dense"])
    narrow = _summary(model, line_length=60)
    assert max(len(line) for line in narrow.splitlines()) == 60


def test_summary_show_activations_names_functions_and_objects(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    text = _summary(seed_mlp(), show_activations=True)
    assert "Activation" in text
    assert "sigmoid" in text and "elu" in text
    assert "LeakyReLU(negative_slope=0.05)" in text.replace("\n", "").replace("│", "").replace(" ", "") or \
        "LeakyReLU(negative_slope=0.05)" in text


def test_nested_summary_expand_nested(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    inner = lamina.Sequential([L.Dense(4), L.Dense(2)], name="inner")
    inp = lamina.Input(shape=(3,))
    model = lamina.Model(inp, inner(inp))
    text = _summary(model, expand_nested=True)
    assert "inner (Sequential)" in text and "└ dense" in text


def _tutorial_mlp(K):
    L_ = K.layers
    return K.Sequential([
        K.Input(shape=(3,)),
        L_.Dense(32, activation="sigmoid"), L_.Dense(32, activation="sigmoid"), L_.Dropout(0.2),
        L_.Dense(16), L_.Dropout(0.2), L_.Dense(5, activation="elu"),
    ], name="mlp")


def _nested_functional(K):
    inner = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(4), K.layers.Dense(2)],
                         name="inner")
    a = K.Input(shape=(3,), name="a")
    b = K.Input(shape=(3,), name="b")
    merged = K.layers.Concatenate()([inner(a), inner(b)])
    return K.Model([a, b], K.layers.Dense(1)(merged), name="outer")


SUMMARY_OPTIONS = [
    (_tutorial_mlp, {"line_length": 70}),
    (_tutorial_mlp, {"line_length": 120}),
    (_tutorial_mlp, {"positions": [0.5, 0.8, 1.0]}),
    (_tutorial_mlp, {"layer_range": ["dense_1", "dropout_1"]}),
    (_nested_functional, {}),
    (_nested_functional, {"expand_nested": True}),
    (_nested_functional, {"expand_nested": True, "show_trainable": True}),
    (_nested_functional, {"line_length": 130, "positions": [0.4, 0.6, 0.7, 1.0]}),
]


@pytest.mark.parametrize("build, options", SUMMARY_OPTIONS,
                         ids=[f"{b.__name__}-{o}" for b, o in SUMMARY_OPTIONS])
def test_summary_options_match_live_keras(keras, monkeypatch, build, options):
    """Each `summary()` option gives Keras's exact text (same model, fresh name counters)."""
    monkeypatch.setenv("COLUMNS", "200")
    lamina.backend.clear_session()
    keras.backend.clear_session()
    expected = []
    build(keras).summary(print_fn=expected.append, **options)
    assert _summary(build(lamina), **options) == "".join(expected)


def test_summary_absolute_positions_are_column_boundaries(monkeypatch):
    """Keras documents `positions` as relative or absolute; Keras 3.15 multiplies even absolute
    ones by the line length (columns thousands of characters wide). lamina follows the docs."""
    monkeypatch.setenv("COLUMNS", "200")
    rule = _summary(_tutorial_mlp(lamina), positions=[30, 60, 75]).splitlines()[1]
    assert len(rule) == 88  # the table spans the line length, as every Keras summary does
    widths = [len(part) for part in rule.strip("┏┓").split("┳")]
    assert len(widths) == 3 and abs(widths[0] - widths[1]) <= 1  # 30 : 30 : 15
    assert abs(widths[0] - 2 * widths[2]) <= 2
