"""One harness for differential layer tests against real Keras 3 (JAX backend).

`check_layer("Dense", {"units": 3}, (2, 4))` builds the layer in both libraries, copies Keras's
weights into lamina's, and checks: the same weight shapes (Keras's order) and the same
trainable / non-trainable split; outputs within tolerance; gradients with respect to the
trainable weights and (for float inputs) the inputs, as many as Keras's; the symbolic output
shape; the `compute_output_shape` result; the `get_config()` keys and the values of every key
both write as plain JSON (see `config_differences`); and a `from_config` round trip.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

import lamina  # noqa: E402


def _layer_class(module, name):
    obj = module.layers
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def random_inputs(shapes, dtype="float32", seed=0, low=None, high=None):
    rng = np.random.default_rng(seed)
    def one(shape):
        if np.dtype(dtype).kind in "iu":
            return rng.integers(low or 0, high or 10, size=shape).astype(dtype)
        return rng.normal(size=shape).astype(dtype)
    if isinstance(shapes, list):
        return [one(s) for s in shapes]
    return one(shapes)


def _symbolic_shapes(shapes):
    if isinstance(shapes, list):
        return [(None, *s[1:]) for s in shapes]
    return (None, *shapes[1:])


def check_layer(name, kwargs, input_shape, *, input_dtype="float32", call_kwargs=None,
                atol=1e-5, rtol=1e-5, grad_atol=1e-4, check_grads=True, inputs=None,
                check_config=True, check_compute_output_shape=True, int_range=(0, 10)):
    """Compare lamina's layer `name` with Keras's on the same weights; returns both layers."""
    call_kwargs = dict(call_kwargs or {})
    x = inputs if inputs is not None else random_inputs(
        input_shape, input_dtype, low=int_range[0], high=int_range[1])
    k_layer = _layer_class(keras, name)(**kwargs)
    l_layer = _layer_class(lamina, name)(**kwargs)

    k_out = k_layer(x, **call_kwargs)
    l_layer(x, **call_kwargs)  # builds
    k_weights = k_layer.get_weights()
    l_weights = l_layer.get_weights()
    assert [w.shape for w in l_weights] == [w.shape for w in k_weights], (
        f"{name}: weight shapes differ: lamina {[w.shape for w in l_weights]} vs "
        f"Keras {[w.shape for w in k_weights]}"
    )
    assert [w.name for w in l_layer.weights] == [w.name for w in k_layer.weights]
    for kind in ("trainable_weights", "non_trainable_weights"):
        assert [(w.name, tuple(w.shape)) for w in getattr(l_layer, kind)] == [
            (w.name, tuple(w.shape)) for w in getattr(k_layer, kind)], (
            f"{name}: {kind} differ: lamina {[w.name for w in getattr(l_layer, kind)]} vs "
            f"Keras {[w.name for w in getattr(k_layer, kind)]}")
    # Non-trivial weights, so biases and statistics matter.
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype(w.dtype) * 0.5 + (0.5 if "variance" in v.name else 0)
               if np.dtype(w.dtype).kind == "f" else w
               for w, v in zip(k_weights, k_layer.weights)]
    weights = [np.abs(w) + 0.1 if "variance" in v.name else w for w, v in zip(weights, k_layer.weights)]
    k_layer.set_weights(weights)
    l_layer.set_weights(weights)

    k_out = k_layer(x, **call_kwargs)
    l_out = l_layer(x, **call_kwargs)
    k_flat, l_flat = jax.tree_util.tree_leaves(k_out), jax.tree_util.tree_leaves(l_out)
    assert len(k_flat) == len(l_flat)
    for k, lo in zip(k_flat, l_flat):
        assert tuple(k.shape) == tuple(lo.shape), f"{name}: output shape {lo.shape} != Keras {k.shape}"
        np.testing.assert_allclose(np.asarray(lo), np.asarray(k), atol=atol, rtol=rtol,
                                   err_msg=f"{name}({kwargs}) output differs from Keras")

    if check_grads:
        _check_gradients(name, k_layer, l_layer, x, call_kwargs, grad_atol,
                         wrt_inputs=np.dtype(input_dtype).kind == "f")

    sym_shape = _symbolic_shapes(input_shape)
    if isinstance(sym_shape, list):
        l_sym = l_layer([lamina.Input(batch_shape=s, dtype=input_dtype) for s in sym_shape], **call_kwargs)
        k_sym = k_layer([keras.Input(batch_shape=s, dtype=input_dtype) for s in sym_shape], **call_kwargs)
    else:
        l_sym = l_layer(lamina.Input(batch_shape=sym_shape, dtype=input_dtype), **call_kwargs)
        k_sym = k_layer(keras.Input(batch_shape=sym_shape, dtype=input_dtype), **call_kwargs)
    assert [tuple(t.shape) for t in jax.tree_util.tree_leaves(l_sym)] == [
        tuple(t.shape) for t in jax.tree_util.tree_leaves(k_sym)], f"{name}: symbolic shapes differ"

    if check_compute_output_shape:
        k_shape = k_layer.compute_output_shape(sym_shape)
        l_shape = l_layer.compute_output_shape(sym_shape)
        assert _norm_shape(l_shape) == _norm_shape(k_shape), (
            f"{name}: compute_output_shape {l_shape} != Keras {k_shape}")

    if check_config:
        k_config, l_config = k_layer.get_config(), l_layer.get_config()
        assert sorted(l_config) == sorted(k_config), (
            f"{name}: config keys differ: only lamina {set(l_config) - set(k_config)}, "
            f"only Keras {set(k_config) - set(l_config)}")
        diffs = config_differences(l_config, k_config)
        assert not diffs, f"{name}: config values differ from Keras: {diffs}"
        clone = type(l_layer).from_config(l_config)
        clone(x, **call_kwargs)
        clone.set_weights(weights)
        for a, b in zip(jax.tree_util.tree_leaves(clone(x, **call_kwargs)), l_flat):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    return k_layer, l_layer


# Keys whose values are not compared, at any depth: auto-generated names (also those of nested
# layers) carry per-library counters; Keras serializes a built nested layer (Bidirectional's,
# TimeDistributed's) with its `build_config`, lamina without (it rebuilds on the first call).
CONFIG_VALUE_EXCLUSIONS = ("name", "build_config")
_NOT_PLAIN = object()


def _plain(value, exclude=()):
    """`value` with tuples as lists and `exclude` keys dropped, or `_NOT_PLAIN` if it is not
    plain JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        items = [_plain(v, exclude) for v in value]
        return _NOT_PLAIN if any(v is _NOT_PLAIN for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _plain(v, exclude) for k, v in value.items() if k not in exclude}
        return _NOT_PLAIN if any(v is _NOT_PLAIN for v in items.values()) else items
    return _NOT_PLAIN


def config_differences(l_config, k_config, exclude=CONFIG_VALUE_EXCLUSIONS):
    """{key: (lamina, keras)} for shared keys whose plain-JSON values differ. Values that are
    not plain JSON on either side (objects, callables, arrays) are left to the round trip."""
    diffs = {}
    for key in sorted(set(l_config) & set(k_config) - set(exclude)):
        a, b = _plain(l_config[key], exclude), _plain(k_config[key], exclude)
        if a is _NOT_PLAIN or b is _NOT_PLAIN:
            continue
        if a != b:
            diffs[key] = (l_config[key], k_config[key])
    return diffs


def _norm_shape(shape):
    if isinstance(shape, list | tuple) and shape and isinstance(shape[0], list | tuple):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _check_gradients(name, k_layer, l_layer, x, call_kwargs, atol, wrt_inputs=True):
    """d(sum(out * cotangent))/d(trainable weights[, inputs]) must match Keras's: as many
    gradients, each within `atol`. Integer inputs (token ids) are not differentiated."""
    xs = [jnp.asarray(v) for v in (x if isinstance(x, list) else [x])]
    k_train = [v.value for v in k_layer.trainable_variables]
    k_non = [v.value for v in k_layer.non_trainable_variables]
    l_train = [v.value for v in l_layer.trainable_variables]
    l_non = [v.value for v in l_layer.non_trainable_variables]
    probe_out = l_layer(x if isinstance(x, list) else xs[0], **call_kwargs)
    cot = [jnp.asarray(np.random.default_rng(7).normal(size=o.shape), o.dtype)
           for o in jax.tree_util.tree_leaves(probe_out)]

    def objective(call):
        def f(train, inputs):
            out = call(train, inputs)
            return sum(jnp.sum(o * c) for o, c in zip(jax.tree_util.tree_leaves(out), cot))
        return f

    def k_call(train, inputs):
        arg = inputs if isinstance(x, list) else inputs[0]
        return k_layer.stateless_call(train, k_non, arg, **call_kwargs)[0]

    def l_call(train, inputs):
        arg = inputs if isinstance(x, list) else inputs[0]
        return l_layer.stateless_call(train, l_non, arg, **call_kwargs)[0]

    argnums = (0, 1) if wrt_inputs else 0
    k_grads = jax.tree_util.tree_leaves(jax.grad(objective(k_call), argnums=argnums)(k_train, xs))
    l_grads = jax.tree_util.tree_leaves(jax.grad(objective(l_call), argnums=argnums)(l_train, xs))
    assert len(l_grads) == len(k_grads), (
        f"{name}: {len(l_grads)} gradients from lamina vs {len(k_grads)} from Keras")
    for kg, lg in zip(k_grads, l_grads):
        np.testing.assert_allclose(np.asarray(lg), np.asarray(kg), atol=atol, rtol=1e-4,
                                   err_msg=f"{name}: gradients differ from Keras")
