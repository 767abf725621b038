"""The inspect path's pure-Python shape and parameter rules, checked against real Keras layers."""

import pytest

from lamina._src.cli.inspection.graph import LayerNode
from lamina._src.cli.inspection.params import explain
from lamina._src.cli.inspection.shapes import output_shapes

LSTM8 = {"class_name": "LSTM", "config": {"units": 8}}
GRU4 = {"class_name": "GRU", "config": {"units": 4, "return_sequences": True}}

CASES = [
    ("Dense", {"units": 7}, [(None, 5)]),
    ("Dense", {"units": 7, "use_bias": False}, [(None, 3, 5)]),
    ("Conv1D", {"filters": 6, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     [(None, 20, 4)]),
    ("Conv1D", {"filters": 6, "kernel_size": 5, "strides": 2}, [(None, 21, 4)]),
    ("Conv2D", {"filters": 8, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"},
     [(None, 15, 9, 3)]),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "dilation_rate": 2, "use_bias": False},
     [(None, 16, 16, 3)]),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "data_format": "channels_first", "groups": 2},
     [(None, 6, 10, 12)]),
    ("Conv3D", {"filters": 2, "kernel_size": 2}, [(None, 5, 6, 7, 3)]),
    ("Conv2DTranspose", {"filters": 5, "kernel_size": 3, "strides": 2}, [(None, 7, 7, 4)]),
    ("Conv2DTranspose", {"filters": 5, "kernel_size": 3, "strides": 2, "padding": "same"},
     [(None, 7, 7, 4)]),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, [(None, 9, 9, 3)]),
    ("SeparableConv2D", {"filters": 6, "kernel_size": 3, "depth_multiplier": 2},
     [(None, 9, 9, 3)]),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2}, [(None, 11, 10, 3)]),
    ("AveragePooling1D", {"pool_size": 2, "padding": "same"}, [(None, 9, 3)]),
    ("MaxPooling1D", {"pool_size": 2, "data_format": "channels_first"}, [(None, 3, 9)]),
    ("GlobalAveragePooling2D", {}, [(None, 5, 5, 7)]),
    ("GlobalMaxPooling1D", {"keepdims": True}, [(None, 5, 7)]),
    ("Flatten", {}, [(None, 3, 4, 5)]),
    ("Reshape", {"target_shape": (-1, 4)}, [(None, 3, 8)]),
    ("Permute", {"dims": (2, 1)}, [(None, 3, 8)]),
    ("RepeatVector", {"n": 4}, [(None, 6)]),
    ("Embedding", {"input_dim": 50, "output_dim": 3}, [(None, 7)]),
    ("BatchNormalization", {}, [(None, 4, 6)]),
    ("BatchNormalization", {"axis": 1, "center": False}, [(None, 4, 6)]),
    ("LayerNormalization", {"axis": [-2, -1]}, [(None, 4, 6)]),
    ("LayerNormalization", {"scale": False}, [(None, 6)]),
    ("Dropout", {"rate": 0.5}, [(None, 6)]),
    ("Activation", {"activation": "relu"}, [(None, 6)]),
    ("LSTM", {"units": 5, "return_sequences": True, "return_state": True}, [(None, 7, 3)]),
    ("LSTM", {"units": 5, "use_bias": False}, [(None, 7, 3)]),
    ("GRU", {"units": 5, "reset_after": False}, [(None, 7, 3)]),
    ("GRU", {"units": 5, "return_state": True}, [(None, 7, 3)]),
    ("SimpleRNN", {"units": 5, "return_sequences": True}, [(None, 7, 3)]),
    ("Bidirectional", {"layer": LSTM8}, [(None, 7, 3)]),
    ("Bidirectional", {"layer": LSTM8, "merge_mode": "sum"}, [(None, 7, 3)]),
    ("Bidirectional", {"layer": GRU4, "merge_mode": None}, [(None, 7, 3)]),
    ("TimeDistributed", {"layer": {"class_name": "Dense", "config": {"units": 3}}},
     [(None, 7, 5)]),
    ("Concatenate", {"axis": 1}, [(None, 3, 4), (None, 5, 4)]),
    ("Add", {}, [(None, 4), (None, 4)]),
    ("Multiply", {}, [(None, 1, 4), (None, 3, 4)]),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}, [(None, 5, 5, 2)]),
    ("Cropping1D", {"cropping": (1, 2)}, [(None, 9, 2)]),
    ("UpSampling2D", {"size": (2, 3)}, [(None, 4, 5, 2)]),
    ("PReLU", {"shared_axes": [1]}, [(None, 4, 6)]),
]


def _keras_layer(keras, class_name: str, config: dict):
    config = dict(config)
    if "layer" in config:
        inner = config.pop("layer")
        config["layer"] = getattr(keras.layers, inner["class_name"])(**inner["config"])
    return getattr(keras.layers, class_name)(**config)


def _keras_shapes(shape) -> list[tuple]:
    if all(d is None or isinstance(d, int) for d in shape):  # one shape (a list for some)
        return [tuple(shape)]
    return [tuple(s) for s in shape]


@pytest.mark.parametrize("class_name, config, inputs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shapes_and_counts_match_keras(class_name, config, inputs, keras):
    layer = _keras_layer(keras, class_name, config)
    arg = inputs[0] if len(inputs) == 1 else list(inputs)
    expected_shapes = _keras_shapes(layer.compute_output_shape(arg))
    assert output_shapes(class_name, config, inputs) == expected_shapes

    layer.build(arg)
    node = LayerNode(name="x", class_name=class_name, config=config, envelope={},
                     input_shapes=[list(inputs)])
    explanation = explain(node)
    assert explanation.expected == layer.count_params(), explanation.formula
    if explanation.shapes is not None:
        assert [tuple(s) for s in explanation.shapes] == [tuple(w.shape) for w in layer.weights]
    assert explanation.non_trainable == sum(
        int(w.numpy().size) for w in layer.non_trainable_weights)


def test_formulas_read_the_input_size_from_the_kernel_when_the_shape_is_unknown():
    class Stored:
        shape = (6, 4)
        size = 24

    from lamina._src.cli.inspection.weights import Weight

    node = LayerNode(name="d", class_name="Dense", config={"units": 4}, envelope={},
                     weights=[Weight("kernel", Stored(), True), Weight("bias", Stored(), True)])
    result = explain(node)
    assert result.formula == "P = I·O + O = 6·4 + 4 = 28"
    assert "read from the stored (6, 4) kernel" in result.notes[0]


def test_gru_formula_forms():
    def formula(reset_after):
        node = LayerNode(name="g", class_name="GRU", envelope={}, input_shapes=[[(None, 7, 3)]],
                         config={"units": 5, "reset_after": reset_after})
        return explain(node).formula

    assert formula(True) == "P = 3·(U·(I+U) + 2·U) = 3·(5·(3+5) + 2·5) = 150"
    assert formula(False) == "P = 3·(U·(I+U) + U) = 3·(5·(3+5) + 5) = 135"


def test_unknown_classes_and_bad_configs_give_no_shape():
    assert output_shapes("MyLayer", {}, [(None, 3)]) is None
    assert output_shapes("Dense", {"units": "many"}, [(None, 3)]) is None
    assert output_shapes("Conv2D", {"filters": 2}, [(None, 3, 3, 1)]) is None
    assert explain(LayerNode(name="m", class_name="MyLayer", config={}, envelope={})).formula \
        is None
