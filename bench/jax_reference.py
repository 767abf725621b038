"""Hand-written JAX + optax versions of the workloads: what XLA can do on this machine.

Each `MODELS[name]` is `(init(rng) -> params, apply(params, x, key, training) -> outputs, loss,
optimizer)`. `fit_epoch` runs a whole epoch (shuffled batches, dropout keys) inside one
`jax.lax.scan`, the lower bound on per-step overhead that a Keras-style trainer can approach.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax


def _glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jnp.asarray(rng.uniform(-limit, limit, shape).astype("float32"))


def _dense(rng, n_in, n_out):
    return {"w": _glorot(rng, (n_in, n_out), n_in, n_out), "b": jnp.zeros(n_out)}


def _dropout(x, rate, key, training):
    if not training:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def _sparse_ce(y, probs):
    return -jnp.mean(jnp.log(jnp.take_along_axis(probs, y[:, None], axis=1) + 1e-7))


def _binary_ce(y, pred):
    pred = jnp.clip(pred.reshape(y.shape), 1e-7, 1 - 1e-7)
    return -jnp.mean(y * jnp.log(pred) + (1 - y) * jnp.log(1 - pred))


def _mlp_seed():
    def init(rng):
        return [_dense(rng, 3, 32), _dense(rng, 32, 32), _dense(rng, 32, 16), _dense(rng, 16, 5)]

    def apply(p, x, key, training):
        k1, k2 = jax.random.split(key)
        h = jax.nn.sigmoid(x @ p[0]["w"] + p[0]["b"])
        h = jax.nn.sigmoid(h @ p[1]["w"] + p[1]["b"])
        h = _dropout(h, 0.2, k1, training)
        h = jax.nn.leaky_relu(h @ p[2]["w"] + p[2]["b"], 0.05)
        h = _dropout(h, 0.2, k2, training)
        return jax.nn.softmax(h @ p[3]["w"] + p[3]["b"])

    return init, apply, _sparse_ce, optax.adam(1e-3, eps=1e-7)


def _mlp_fashion():
    def init(rng):
        return [_dense(rng, 784, 300), _dense(rng, 300, 100), _dense(rng, 100, 10)]

    def apply(p, x, key, training):
        h = x.reshape(x.shape[0], -1)
        h = jax.nn.relu(h @ p[0]["w"] + p[0]["b"])
        h = jax.nn.relu(h @ p[1]["w"] + p[1]["b"])
        return jax.nn.softmax(h @ p[2]["w"] + p[2]["b"])

    return init, apply, _sparse_ce, optax.sgd(0.01)


def _conv(x, w, b):
    out = jax.lax.conv_general_dilated(x, w, (1, 1), "VALID",
                                       dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return jax.nn.relu(out + b)


def _max_pool(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def _cnn():
    def init(rng):
        return [{"w": _glorot(rng, (3, 3, 1, 32), 9, 288), "b": jnp.zeros(32)},
                {"w": _glorot(rng, (3, 3, 32, 64), 288, 576), "b": jnp.zeros(64)},
                _dense(rng, 5 * 5 * 64, 10)]

    def apply(p, x, key, training):
        h = _max_pool(_conv(x, p[0]["w"], p[0]["b"]))
        h = _max_pool(_conv(h, p[1]["w"], p[1]["b"]))
        h = _dropout(h.reshape(h.shape[0], -1), 0.5, key, training)
        return jax.nn.softmax(h @ p[2]["w"] + p[2]["b"])

    return init, apply, _sparse_ce, optax.adam(1e-3, eps=1e-7)


def _lstm_layer(p, x, return_sequences):
    units = p["u"].shape[0]
    xs = jnp.swapaxes(x @ p["w"] + p["b"], 0, 1)  # (time, batch, 4 * units)

    def step(carry, z):
        h, c = carry
        z = z + h @ p["u"]
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    zeros = jnp.zeros((x.shape[0], units))
    (h, _), hs = jax.lax.scan(step, (zeros, zeros), xs)
    return jnp.swapaxes(hs, 0, 1) if return_sequences else h


def _gru_layer(p, x, return_sequences):
    """Keras's default GRU (`reset_after=True`): the reset gate scales `h U + b_1`."""
    units = p["u"].shape[0]
    xs = jnp.swapaxes(x @ p["w"] + p["b"][0], 0, 1)  # (time, batch, 3 * units)

    def step(h, x_t):
        rec = h @ p["u"] + p["b"][1]
        x_z, x_r, x_h = jnp.split(x_t, 3, axis=-1)
        r_z, r_r, r_h = jnp.split(rec, 3, axis=-1)
        z = jax.nn.sigmoid(x_z + r_z)
        h = z * h + (1 - z) * jnp.tanh(x_h + jax.nn.sigmoid(x_r + r_r) * r_h)
        return h, h

    h, hs = jax.lax.scan(step, jnp.zeros((x.shape[0], units)), xs)
    return jnp.swapaxes(hs, 0, 1) if return_sequences else h


def _recurrent(layer, gates):
    """Two recurrent layers of 64 units on (50, 8) sequences, then Dense 1, mse, adam."""
    def init(rng):
        def cell(n_in, units):
            width = gates * units
            return {"w": _glorot(rng, (n_in, width), n_in, width),
                    "u": _glorot(rng, (units, width), units, width),
                    "b": jnp.zeros(width if gates == 4 else (2, width))}
        return [cell(8, 64), cell(64, 64), _dense(rng, 64, 1)]

    def apply(p, x, key, training):
        h = layer(p[0], x, True)
        h = layer(p[1], h, False)
        return h @ p[2]["w"] + p[2]["b"]

    return init, apply, lambda y, pred: jnp.mean((y - pred) ** 2), optax.adam(1e-3, eps=1e-7)


def _embed():
    def init(rng):
        return [jnp.asarray(rng.uniform(-0.05, 0.05, (10000, 32)).astype("float32")),
                _dense(rng, 32, 16), _dense(rng, 16, 1)]

    def apply(p, x, key, training):
        h = jnp.mean(jnp.take(p[0], x, axis=0), axis=1)
        h = jax.nn.relu(h @ p[1]["w"] + p[1]["b"])
        return jax.nn.sigmoid(h @ p[2]["w"] + p[2]["b"])

    return init, apply, _binary_ce, optax.adam(1e-3, eps=1e-7)


def _layer_norm(x, p):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-3) * p["gamma"] + p["beta"]


def _transformer():
    """Keras's MultiHeadAttention: per-head projections with biases, scaled dot products."""
    def init(rng):
        def projection(shape):
            return {"w": _glorot(rng, shape, 64, 64), "b": jnp.zeros(shape[1:])}

        def norm():
            return {"gamma": jnp.ones(64), "beta": jnp.zeros(64)}

        return {"embed": jnp.asarray(rng.uniform(-0.05, 0.05, (2000, 64)).astype("float32")),
                "q": projection((64, 4, 16)), "k": projection((64, 4, 16)),
                "v": projection((64, 4, 16)),
                "o": {"w": _glorot(rng, (4, 16, 64), 64, 64), "b": jnp.zeros(64)},
                "norm1": norm(), "ffn1": _dense(rng, 64, 128), "ffn2": _dense(rng, 128, 64),
                "norm2": norm(), "out": _dense(rng, 64, 1)}

    def apply(p, x, key, training):
        h = jnp.take(p["embed"], x, axis=0)
        q, k, v = (jnp.einsum("btd,dnh->btnh", h, p[n]["w"]) + p[n]["b"] for n in "qkv")
        scores = jnp.einsum("bsnh,btnh->bnst", q / 4.0, k)  # 1 / sqrt(key_dim)
        attended = jnp.einsum("bnst,btnh->bsnh", jax.nn.softmax(scores), v)
        h = _layer_norm(h + jnp.einsum("bsnh,nhd->bsd", attended, p["o"]["w"]) + p["o"]["b"],
                        p["norm1"])
        f = jax.nn.relu(h @ p["ffn1"]["w"] + p["ffn1"]["b"]) @ p["ffn2"]["w"] + p["ffn2"]["b"]
        h = _layer_norm(h + _dropout(f, 0.1, key, training), p["norm2"])
        return jax.nn.sigmoid(jnp.mean(h, axis=1) @ p["out"]["w"] + p["out"]["b"])

    return init, apply, _binary_ce, optax.adam(1e-3, eps=1e-7)


def _autoencoder():
    def conv(x, p, strides):
        return jax.lax.conv_general_dilated(x, p["w"], strides, "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC")) + p["b"]

    def up(x, p):  # Keras's Conv2DTranspose: the kernel is (h, w, filters, in_channels)
        return jax.lax.conv_transpose(x, p["w"], (2, 2), "SAME", dimension_numbers=(
            "NHWC", "HWIO", "NHWC"), transpose_kernel=True) + p["b"]

    def init(rng):
        def weights(shape, filters):
            return {"w": _glorot(rng, shape, 9 * shape[2], 9 * shape[3]), "b": jnp.zeros(filters)}
        return [weights((3, 3, 1, 16), 16), weights((3, 3, 16, 8), 8), weights((3, 3, 8, 8), 8),
                weights((3, 3, 16, 8), 16), weights((3, 3, 16, 1), 1)]

    def apply(p, x, key, training):
        h = jax.nn.relu(conv(x, p[0], (2, 2)))
        h = jax.nn.relu(conv(h, p[1], (2, 2)))
        h = jax.nn.relu(up(h, p[2]))
        h = jax.nn.relu(up(h, p[3]))
        return jax.nn.sigmoid(conv(h, p[4], (1, 1)))

    return init, apply, _binary_ce, optax.adam(1e-3, eps=1e-7)


MODELS = {"mlp-seed": _mlp_seed, "mlp-fashion": _mlp_fashion, "cnn": _cnn,
          "lstm": lambda: _recurrent(_lstm_layer, 4), "embed": _embed,
          "gru": lambda: _recurrent(_gru_layer, 3), "transformer": _transformer,
          "autoencoder": _autoencoder}


class Reference:
    """`fit_epoch(x, y)` and `predict(x)` for one workload, compiled on first use."""

    def __init__(self, name: str, batch_size: int, seed: int = 0):
        init, self.apply, self.loss, self.optimizer = MODELS[name]()
        self.params = init(np.random.default_rng(seed))
        self.opt_state = self.optimizer.init(self.params)
        self.batch_size = batch_size
        self.key = jax.random.key(seed)
        self._epoch = jax.jit(self._epoch_fn, donate_argnums=(0, 1))
        self._predict = jax.jit(lambda p, x: self.apply(p, x, self.key, False))

    def _epoch_fn(self, params, opt_state, x, y, key):
        steps = x.shape[0] // self.batch_size
        perm_key, key = jax.random.split(key)
        order = jax.random.permutation(perm_key, x.shape[0])[: steps * self.batch_size]
        xb = x[order].reshape(steps, self.batch_size, *x.shape[1:])
        yb = y[order].reshape(steps, self.batch_size, *y.shape[1:])

        def step(carry, batch):
            params, opt_state, key = carry
            key, dropout_key = jax.random.split(key)
            bx, by = batch

            def objective(p):
                return self.loss(by, self.apply(p, bx, dropout_key, True))

            loss, grads = jax.value_and_grad(objective)(params)
            updates, opt_state = self.optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state, key), loss

        (params, opt_state, _), losses = jax.lax.scan(step, (params, opt_state, key), (xb, yb))
        return params, opt_state, jnp.mean(losses)

    def fit_epoch(self, x, y) -> float:
        self.key, key = jax.random.split(self.key)
        self.params, self.opt_state, loss = self._epoch(self.params, self.opt_state, x, y, key)
        return float(loss)

    def predict(self, x, batch_size: int = 1024) -> np.ndarray:
        outs = [self._predict(self.params, x[i:i + batch_size])
                for i in range(0, len(x), batch_size)]
        return np.concatenate([np.asarray(o) for o in outs])
