"""Merge layers against real Keras: values, broadcasting across ranks, masks, errors, and the
functional forms."""

import jax.numpy as jnp
import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("Subtract", {}, [(2, 3), (2, 3)]),
    ("Subtract", {}, [(2, 4, 3), (2, 1, 3)]),
    ("Multiply", {}, [(2, 3), (2, 3), (2, 3)]),
    ("Average", {}, [(2, 3), (2, 3)]),
    ("Average", {}, [(2, 3, 2), (2, 3, 2), (2, 3, 2)]),
    ("Maximum", {}, [(2, 3), (2, 3)]),
    ("Maximum", {}, [(2, 4, 3), (2, 1, 3)]),
    ("Minimum", {}, [(2, 3), (2, 3), (2, 3)]),
    ("Add", {}, [(2, 1), (2, 4, 3)]),  # lower rank: size-1 axes go after the batch axis
    ("Add", {}, [(2, 3), (2, 4, 3)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4)]),
    ("Dot", {"axes": 1}, [(2, 3), (2, 3)]),
    ("Dot", {"axes": -1, "normalize": True}, [(2, 4, 3), (2, 5, 3)]),
    ("Dot", {"axes": (1, 2)}, [(2, 4, 3), (2, 5, 4)]),
    ("Dot", {"axes": [2, 1]}, [(2, 4, 3), (2, 3)]),
    ("Dot", {"axes": (1, 1)}, [(2, 3), (2, 3, 5)]),
    ("Dot", {"axes": 2}, [(2, 4, 3, 2), (2, 5, 3)]),
    ("Dot", {"axes": (-1, -2), "normalize": True}, [(2, 3, 4), (2, 4, 5)]),
]


@pytest.mark.parametrize("name, kwargs, shapes", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shapes):
    check_layer(name, kwargs, shapes)


def _masked_inputs(keras, n=2, shape=(2, 4, 3)):
    from keras.src.backend import set_keras_mask

    rng = np.random.default_rng(0)
    xs = [rng.normal(size=shape).astype("float32") for _ in range(n)]
    masks = [rng.random(shape[:-1]) > 0.4 for _ in range(n)]
    k_xs = []
    for x, m in zip(xs, masks):
        kx = jnp.asarray(x)
        set_keras_mask(kx, jnp.asarray(m))
        k_xs.append(kx)
    return xs, masks, k_xs


MASKED = [(name, n) for name in ("Maximum", "Minimum", "Multiply", "Add", "Average")
          for n in (2, 3)] + [("Subtract", 2)]


@pytest.mark.parametrize("name, n", MASKED)
def test_masked_merge_matches_keras(keras, name, n):
    xs, masks, k_xs = _masked_inputs(keras, n)
    k_out = getattr(keras.layers, name)()(k_xs)
    l_layer = getattr(lamina.layers, name)()
    l_out = l_layer(xs, mask=masks)
    np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-6)
    k_mask = getattr(keras.layers, name)().compute_mask(xs, masks)
    np.testing.assert_array_equal(np.asarray(l_layer.compute_mask(xs, masks)), np.asarray(k_mask))


def test_partially_masked_maximum_and_multiply_match_keras(keras):
    from keras.src.backend import set_keras_mask

    xs, masks, _ = _masked_inputs(keras, 3)
    for name in ("Maximum", "Multiply", "Minimum"):
        k_xs = [jnp.asarray(x) for x in xs]
        set_keras_mask(k_xs[1], jnp.asarray(masks[1]))  # only the middle input is masked
        k_out = getattr(keras.layers, name)()(k_xs)
        l_layer = getattr(lamina.layers, name)()
        l_out = l_layer(xs, mask=[None, masks[1], None])
        np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-6)
        assert l_layer.compute_mask(xs, [None, masks[1], None]) is None


@pytest.mark.parametrize("axis", [-1, 1])
def test_concatenate_mask_matches_keras(keras, axis):
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=(2, 3, 4)).astype("float32") for _ in range(2)]
    masks = [rng.random((2, 3)) > 0.5, None]
    k_mask = keras.layers.Concatenate(axis=axis).compute_mask(xs, masks)
    l_mask = lamina.layers.Concatenate(axis=axis).compute_mask(xs, masks)
    np.testing.assert_array_equal(np.asarray(l_mask), np.asarray(k_mask))


def test_symbolic_masks_propagate_through_merges():
    a, b = lamina.Input((3, 4)), lamina.Input((3, 4))
    a._keras_mask = lamina.Input((3,), dtype="bool")
    b._keras_mask = lamina.Input((3,), dtype="bool")
    out = lamina.layers.Maximum()([a, b])
    assert tuple(out.shape) == (None, 3, 4)
    assert tuple(out._keras_mask.shape) == (None, 3)
    assert getattr(lamina.layers.Dot(axes=-1)([a, b]), "_keras_mask", None) is None


def test_functional_forms_and_model():
    a, b = lamina.Input((3,)), lamina.Input((3,))
    outs = [lamina.layers.subtract([a, b]), lamina.layers.multiply([a, b]),
            lamina.layers.average([a, b]), lamina.layers.maximum([a, b]),
            lamina.layers.minimum([a, b]), lamina.layers.dot([a, b], axes=1)]
    assert [tuple(o.shape) for o in outs] == [(None, 3)] * 5 + [(None, 1)]
    model = lamina.Model([a, b], outs)
    x1 = np.array([[1.0, -2.0, 3.0]], "float32")
    x2 = np.array([[2.0, 2.0, -1.0]], "float32")
    got = [np.asarray(o) for o in model([x1, x2])]
    expected = [x1 - x2, x1 * x2, (x1 + x2) / 2, np.maximum(x1, x2), np.minimum(x1, x2),
                (x1 * x2).sum(axis=1, keepdims=True)]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)


def test_merge_errors_name_the_layer():
    x = np.ones((2, 3), "float32")
    with pytest.raises(ValueError, match="sub.*exactly 2 inputs"):
        lamina.layers.Subtract(name="sub")([x, x, x])
    with pytest.raises(ValueError, match="must be called on a list"):
        lamina.layers.Maximum()(x)
    with pytest.raises(ValueError, match="mx.*incompatible shapes"):
        lamina.layers.Maximum(name="mx")([x, np.ones((2, 4), "float32")])
    with pytest.raises(ValueError, match="different batch sizes"):
        lamina.layers.Average()([x, np.ones((3, 3), "float32")])
    with pytest.raises(ValueError, match="dt.*axis 1 of the first \\(3\\) != axis 1 of the second \\(4\\)"):
        lamina.layers.Dot(axes=1, name="dt")([x, np.ones((2, 4), "float32")])
    with pytest.raises(ValueError, match="non-batch axis"):
        lamina.layers.Dot(axes=0)([x, x])
    with pytest.raises(TypeError, match="axes must be an int or a list of 2 ints"):
        lamina.layers.Dot(axes="last")
    with pytest.raises(ValueError, match="axes must be an int or a list of 2 ints"):
        lamina.layers.Dot(axes=(1, 2, 3))


def test_masks_from_masking_layers_flow_through_a_functional_model_like_keras(keras):
    def build(lib):
        a, b = lib.Input((4, 3)), lib.Input((4, 3))
        ma, mb = lib.layers.Masking()(a), lib.layers.Masking()(b)
        outs = [lib.layers.Maximum()([ma, mb]), lib.layers.Multiply()([ma, mb]),
                lib.layers.Concatenate(axis=1)([ma, mb]),
                lib.layers.BatchNormalization()(ma, training=True)]
        return lib.Model([a, b], outs)

    rng = np.random.default_rng(0)
    x = [rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(2)]
    x[0][0, 1] = x[1][0, 1] = x[1][1, 2] = x[0][1, 3] = 0  # masked steps
    for k_out, l_out in zip(build(keras)(x), build(lamina)(x)):
        np.testing.assert_allclose(np.asarray(l_out), np.asarray(k_out), atol=1e-6)
