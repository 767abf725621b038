"""Every layer (and layer function) that lamina and Keras both export takes the same positional
parameters, in the same order, so `lamina.layers.X(a, b, c)` means what `keras.layers.X(a, b, c)`
means. Keyword-only parameters and `**kwargs` are not compared."""

import inspect
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import pytest  # noqa: E402

import lamina  # noqa: E402


def _positional(fn):
    names = []
    for name, param in inspect.signature(fn).parameters.items():
        if name == "self":
            continue
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            break
        names.append(name)
    return names


def _shared_names():
    names = []
    for name in sorted(dir(lamina.layers)):
        ours, theirs = getattr(lamina.layers, name), getattr(keras.layers, name, None)
        if name.startswith("_") or theirs is None or not callable(ours):
            continue
        names.append(name)
    return names


def test_most_keras_layers_are_compared():
    assert len(_shared_names()) > 80


@pytest.mark.parametrize("name", _shared_names())
def test_positional_parameters_match_keras(name):
    ours, theirs = getattr(lamina.layers, name), getattr(keras.layers, name)
    assert inspect.isclass(ours) == inspect.isclass(theirs), f"{name}: class vs function"
    if inspect.isclass(ours):
        ours, theirs = ours.__init__, theirs.__init__
    assert _positional(ours) == _positional(theirs), (
        f"lamina.layers.{name}: positional parameters {_positional(ours)} differ from Keras's "
        f"{_positional(theirs)}"
    )
