"""Reshaping layers against real Keras, plus their argument and shape errors."""

import numpy as np
import pytest
from layer_harness import check_layer

import lamina

CASES = [
    ("Permute", {"dims": (2, 1)}, (2, 3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
    ("RepeatVector", {"n": 3}, (2, 4)),
    ("UpSampling1D", {}, (2, 3, 4)),
    ("UpSampling1D", {"size": 3}, (2, 3, 4)),
    ("UpSampling2D", {}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": (2, 3), "data_format": "channels_first"}, (2, 2, 3, 4)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": 2, "interpolation": "bilinear", "data_format": "channels_first"},
     (2, 2, 3, 4)),
    ("UpSampling2D", {"size": 2, "interpolation": "bicubic"}, (1, 3, 4, 2)),
    ("UpSampling2D", {"size": 3, "interpolation": "lanczos3"}, (1, 4, 4, 1)),
    ("UpSampling3D", {}, (2, 2, 3, 2, 2)),
    ("UpSampling3D", {"size": (1, 2, 3), "data_format": "channels_first"}, (2, 2, 3, 2, 2)),
    ("ZeroPadding1D", {}, (2, 3, 4)),
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 3, 4)),
    ("ZeroPadding1D", {"padding": 2, "data_format": "channels_first"}, (2, 3, 4)),
    ("ZeroPadding2D", {}, (2, 3, 4, 2)),
    ("ZeroPadding2D", {"padding": (2, 0)}, (2, 3, 4, 2)),
    ("ZeroPadding2D", {"padding": ((1, 0), (2, 3)), "data_format": "channels_first"}, (2, 2, 3, 4)),
    ("ZeroPadding3D", {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", {"padding": (1, 0, (2, 1)), "data_format": "channels_first"}, (2, 2, 3, 2, 2)),
    ("Cropping1D", {}, (2, 5, 4)),
    ("Cropping1D", {"cropping": (2, 0)}, (2, 5, 4)),
    ("Cropping1D", {"cropping": 1}, (2, 5, 4)),
    ("Cropping2D", {}, (2, 4, 5, 2)),
    ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 2)),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, (2, 2, 4, 5)),
    ("Cropping2D", {"cropping": (0, 2)}, (2, 4, 5, 2)),
    ("Cropping3D", {}, (2, 4, 3, 5, 2)),
    ("Cropping3D", {"cropping": (0, 1, (2, 0)), "data_format": "channels_first"}, (2, 2, 4, 3, 5)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_keras(name, kwargs, shape):
    check_layer(name, kwargs, shape)


def test_unknown_spatial_sizes_stay_unknown():
    x = lamina.Input(batch_shape=(None, None, None, 3))
    assert tuple(lamina.layers.UpSampling2D()(x).shape) == (None, None, None, 3)
    assert tuple(lamina.layers.ZeroPadding2D(1)(x).shape) == (None, None, None, 3)
    assert tuple(lamina.layers.Cropping2D(1)(x).shape) == (None, None, None, 3)
    seq = lamina.Input(batch_shape=(None, None, 4))
    assert tuple(lamina.layers.UpSampling1D(3)(seq).shape) == (None, None, 4)
    assert tuple(lamina.layers.Permute((2, 1))(seq).shape) == (None, 4, None)


def test_config_values_match_keras(keras):
    pairs = [("ZeroPadding2D", {"padding": 2}), ("Cropping3D", {"cropping": (1, 2, 3)}),
             ("UpSampling2D", {"size": 3, "interpolation": "BILINEAR"}), ("Permute", {"dims": [2, 1]}),
             ("Cropping1D", {"cropping": 2}), ("UpSampling3D", {"size": 2})]
    for name, kwargs in pairs:
        k = getattr(keras.layers, name)(**kwargs).get_config()
        lam = getattr(lamina.layers, name)(**kwargs).get_config()
        for key in kwargs:
            assert lam[key] == k[key], (name, key, lam[key], k[key])


def test_reshaping_errors_name_the_layer():
    with pytest.raises(ValueError, match="perm.*permutation of 1..2"):
        lamina.layers.Permute((0, 1), name="perm")
    with pytest.raises(TypeError, match="RepeatVector.*n must be an int"):
        lamina.layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="RepeatVector.*positive"):
        lamina.layers.RepeatVector(0)
    with pytest.raises(ValueError, match="UpSampling1D.*positive"):
        lamina.layers.UpSampling1D(0)
    with pytest.raises(ValueError, match="up2.*interpolation must be one of"):
        lamina.layers.UpSampling2D(interpolation="cubic-ish", name="up2")
    with pytest.raises(ValueError, match="size.*tuple of 2 ints"):
        lamina.layers.UpSampling2D(size=(1, 2, 3))
    with pytest.raises(ValueError, match="ZeroPadding2D.*padding.*>= 0"):
        lamina.layers.ZeroPadding2D(padding=-1)
    with pytest.raises(ValueError, match="ZeroPadding3D.*3 \\(before, after\\) pairs"):
        lamina.layers.ZeroPadding3D(padding=(1, 2))
    with pytest.raises(ValueError, match="crop.*must leave something.*size 4"):
        lamina.layers.Cropping2D(((2, 2), (0, 0)), name="crop")(np.ones((1, 4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="Cropping1D.*must leave something"):
        lamina.layers.Cropping1D((3, 3)).compute_output_shape((None, 5, 2))
    with pytest.raises(ValueError, match="expected ndim=3"):
        lamina.layers.UpSampling1D()(np.ones((2, 3), "float32"))
