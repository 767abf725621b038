"""Convolution layers against real Keras with the same weights (odd sizes, both data formats)."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CF = {"data_format": "channels_first"}
# The harness overwrites every weight with the same random values in both libraries, so the
# tables start from constant initializers: compiling a random initializer for every kernel
# shape (in both libraries) would otherwise dominate the run time.


def _fast(name, kwargs):
    prefix = ("depthwise", "pointwise") if "Separable" in name else (
        ("depthwise",) if "Depthwise" in name else ("kernel",))
    return {**{f"{p}_initializer": "ones" for p in prefix}, **kwargs}


CASES = [
    # Conv1D: valid + groups; strided same, channels_first; causal with dilation and with strides.
    ("Conv1D", {"filters": 4, "kernel_size": 3, "groups": 2, "activation": "relu"}, (2, 7, 6)),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", **CF},
     (2, 3, 9)),
    ("Conv1D", {"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     (2, 7, 3)),
    ("Conv1D", {"filters": 2, "kernel_size": 4, "strides": 3, "padding": "causal",
                "use_bias": False}, (2, 11, 3)),
    # Conv2D
    ("Conv2D", {"filters": 3, "kernel_size": 3}, (2, 7, 5, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"},
     (2, 7, 5, 3)),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "dilation_rate": (2, 1), "padding": "same",
                "activation": "tanh"}, (2, 7, 5, 3)),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "strides": 2, "groups": 3, **CF}, (2, 6, 7, 5)),
    # Conv3D
    ("Conv3D", {"filters": 3, "kernel_size": (3, 1, 2), "strides": 2, "padding": "same"},
     (1, 5, 3, 4, 2)),
    ("Conv3D", {"filters": 4, "kernel_size": 2, "groups": 2, **CF}, (1, 4, 3, 5, 3)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "dilation_rate": (2, 1, 2)}, (1, 4, 3, 4, 2)),
    # Transposed: default output_padding when strides > kernel, explicit output_padding with
    # both paddings, dilation, channels_first.
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 2, "strides": 3}, (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 3, "output_padding": 2},
     (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                         "output_padding": 1}, (2, 5, 3)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same",
                         "output_padding": 0, **CF}, (2, 3, 5)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2}, (2, 5, 3)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": (4, 3), "strides": (2, 3),
                         "padding": "same"}, (2, 3, 5, 3)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": (1, 0),
                         "activation": "relu", **CF}, (2, 3, 3, 5)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
     (2, 3, 5, 3)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": (1, 2, 2), "padding": "same",
                         **CF}, (1, 2, 3, 2, 3)),
    # Depthwise
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same"},
     (2, 9, 3)),
    ("DepthwiseConv1D", {"kernel_size": 2, "depth_multiplier": 3, "dilation_rate": 2, **CF},
     (2, 3, 7)),
    ("DepthwiseConv2D", {"kernel_size": (3, 2), "depth_multiplier": 2, "strides": 2,
                         "padding": "same", "activation": "relu"}, (2, 7, 5, 3)),
    ("DepthwiseConv2D", {"kernel_size": 3, "dilation_rate": 2, "use_bias": False, **CF},
     (2, 3, 7, 5)),
    # Separable
    ("SeparableConv1D", {"filters": 2, "kernel_size": 3, "depth_multiplier": 2, "strides": 2,
                         "padding": "same", **CF}, (2, 3, 9)),
    ("SeparableConv2D", {"filters": 3, "kernel_size": 2, "depth_multiplier": 3,
                         "dilation_rate": 2, "padding": "same"}, (2, 7, 5, 3)),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 3, "strides": 2, **CF}, (2, 3, 7, 5)),
]



@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(index):
    name, kwargs, shape = CASES[index]
    # Gradients for every case: causal padding, channels_first, groups, dilation and
    # output_padding each change the transposed (backward) convolution.
    check_layer(name, _fast(name, kwargs), shape, atol=1e-4, rtol=1e-4)


def _same_weights(keras_layer, lamina_layer, x):
    keras_layer(x)
    lamina_layer(x)
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype("float32") for w in keras_layer.get_weights()]
    keras_layer.set_weights(weights)
    lamina_layer.set_weights(weights)


@pytest.mark.parametrize("name, kwargs", [
    ("Conv2D", {"filters": 3, "kernel_size": 2, "kernel_regularizer": "l2",
                "bias_regularizer": "l1", "activity_regularizer": "l2"}),
    ("DepthwiseConv2D", {"kernel_size": 2, "depthwise_regularizer": "l1",
                         "activity_regularizer": "l2"}),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 2, "depthwise_regularizer": "l2",
                         "pointwise_regularizer": "l1", "bias_regularizer": "l2"}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "kernel_regularizer": "l1"}),
])
def test_regularization_losses_match_keras(keras, name, kwargs):
    x = np.random.default_rng(3).normal(size=(2, 7, 5, 3)).astype("float32")
    k_layer = getattr(keras.layers, name)(**_fast(name, kwargs))
    l_layer = getattr(lamina.layers, name)(**_fast(name, kwargs))
    _same_weights(k_layer, l_layer, x)
    k_layer(x)
    l_layer(x)
    k_losses = sorted(float(v) for v in k_layer.losses)
    l_losses = sorted(float(v) for v in l_layer.losses)
    assert len(l_losses) == len(k_losses)
    np.testing.assert_allclose(l_losses, k_losses, rtol=1e-5)


def test_kernel_constraint_is_attached(keras):
    layer = lamina.layers.Conv2D(2, 3, kernel_constraint="max_norm", bias_constraint="non_neg")
    layer(np.zeros((1, 5, 5, 2), "float32"))
    assert layer.kernel.constraint is not None and layer.bias.constraint is not None
    assert layer.get_config()["kernel_constraint"]["class_name"] == "MaxNorm"


def test_unknown_spatial_sizes_give_unknown_output_sizes():
    layer = lamina.layers.Conv2D(4, 3, strides=2, padding="same")
    out = layer(lamina.Input(shape=(None, 9, 3)))
    assert out.shape == (None, None, 5, 4)
    layer = lamina.layers.Conv1DTranspose(2, 3, strides=2)
    assert layer(lamina.Input(shape=(None, 3))).shape == (None, None, 2)


def test_conv_stack_in_a_sequential_model():
    model = lamina.Sequential([
        lamina.Input(shape=(8, 8, 2)),
        lamina.layers.Conv2D(4, 3, padding="same", activation="relu"),
        lamina.layers.SeparableConv2D(3, 3),
        lamina.layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
    ])
    assert model.output_shape == (None, 12, 12, 2)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 2)).astype("float32")
    assert model(x).shape == (4, 12, 12, 2)


@pytest.mark.parametrize("name, kwargs, match", [
    ("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "full"}, "padding"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    ("Conv2D", {"filters": 3, "kernel_size": 3, "groups": 2}, "divisible by `groups`"),
    ("Conv2D", {"filters": 0, "kernel_size": 3}, "filters"),
    ("Conv2D", {"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "strides"),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2},
     "output_padding"),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier"),
])
def test_bad_arguments_raise(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(lamina.layers, name)(**kwargs)


def test_groups_must_divide_input_channels():
    layer = lamina.layers.Conv2D(4, 3, groups=2, name="grouped")
    with pytest.raises(ValueError, match=r"grouped.*input channels.*groups=2"):
        layer(np.zeros((1, 5, 5, 3), "float32"))


def test_input_smaller_than_kernel_raises():
    layer = lamina.layers.Conv1D(2, 5, name="too_small")
    with pytest.raises(ValueError, match="too_small.*empty"):
        layer(np.zeros((1, 3, 2), "float32"))


def test_legacy_depthwise_config_with_groups_loads():
    # tf.keras 2 wrote `"groups": 1` into DepthwiseConv2D configs.
    layer = lamina.layers.DepthwiseConv2D.from_config({"kernel_size": (3, 3), "groups": 1})
    assert "groups" not in layer.get_config()


def test_registered_under_keras_aliases():
    from lamina._src.saving import registry

    assert registry.builtin("layers", "Convolution2D") is lamina.layers.Conv2D
    assert registry.builtin("layers", "SeparableConvolution1D") is lamina.layers.SeparableConv1D
    assert registry.builtin("layers", "Convolution3DTranspose") is lamina.layers.Conv3DTranspose


@pytest.mark.parametrize("layer", [
    lambda: lamina.layers.Conv1D(3, 3, padding="causal", dilation_rate=2),
    lambda: lamina.layers.Conv1DTranspose(2, 3, strides=2, padding="same", output_padding=1),
    lambda: lamina.layers.SeparableConv1D(2, 3, depth_multiplier=2),
])
def test_gradients_under_jit_match_eager(layer):
    import jax
    import jax.numpy as jnp

    layer = layer()
    x = np.random.default_rng(0).normal(size=(2, 9, 4)).astype("float32")
    layer(x)
    weights = [v.value for v in layer.trainable_variables]

    def loss(weights, inputs):
        return jnp.sum(layer.stateless_call(weights, [], inputs)[0] ** 2)

    eager = jax.grad(loss, argnums=(0, 1))(weights, x)
    jitted = jax.jit(jax.grad(loss, argnums=(0, 1)))(weights, x)
    for a, b in zip(jax.tree_util.tree_leaves(jitted), jax.tree_util.tree_leaves(eager)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
