"""`RandomInitializer`: seed handling and host-side sampling shared by the random initializers.

Values are drawn with NumPy on the host and copied to the device once. Drawing with
`jax.random` would compile a sampler per weight shape, which dominated model-building time.

Seeding follows Keras: an integer seed makes every call return the same values; a
`SeedGenerator` advances on each call. Without a seed, draws come from lamina's global
generator, so they are repeatable after `lamina.utils.set_random_seed(n)` and differ from call
to call (Keras 3 instead fixes a random seed per unseeded instance at construction).
"""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend import random
from lamina._src.backend.dtypes import standardize_dtype
from lamina._src.backend.transfer import to_device
from lamina._src.initializers.initializer import Initializer

# `truncated_normal` keeps standard-normal draws within this many standard deviations.
TRUNCATION = 2.0


def _size(shape) -> int:
    return int(np.prod(tuple(shape), dtype=np.int64))


def _seed_from_config(seed):
    if not isinstance(seed, dict):
        return seed
    if seed.get("class_name") != "SeedGenerator":
        raise ValueError(
            f"Invalid seed config {seed!r}: expected an int, None, or a serialized SeedGenerator "
            "(a dict with class_name 'SeedGenerator')."
        )
    config = seed.get("config", {})
    return random.SeedGenerator(seed=config.get("seed"), name=config.get("name"))


def _seed_to_config(seed):
    if isinstance(seed, random.SeedGenerator):
        return {
            "module": "keras.random",
            "class_name": "SeedGenerator",
            "config": {"seed": seed._initial_seed, "name": seed.name},
            "registered_name": None,
        }
    return seed


class RandomInitializer(Initializer):
    """Base of the initializers that draw random values.

    Args:
        seed: None, an int (every call returns the same values), or a
            `lamina.random.SeedGenerator` (each call advances it).
    """

    def __init__(self, seed=None):
        seed = _seed_from_config(seed)
        if seed is not None and not isinstance(seed, int | np.integer | random.SeedGenerator):
            raise ValueError(
                f"{type(self).__name__}: `seed` must be None, an int or a "
                f"lamina.random.SeedGenerator, received seed={seed!r} of type "
                f"{type(seed).__name__}."
            )
        self.seed = int(seed) if isinstance(seed, np.integer) else seed
        self._init_seed = self.seed

    def get_config(self) -> dict:
        return {"seed": _seed_to_config(self._init_seed)}

    # -- host sampling ---------------------------------------------------------------------
    def _rng(self) -> np.random.Generator:
        if isinstance(self.seed, random.SeedGenerator):
            key = np.asarray(jax.random.key_data(self.seed.next()))
            return np.random.default_rng(key.astype(np.uint64).tolist())
        return random.host_rng(self.seed)

    def _sampling_dtype(self, dtype) -> tuple[str, type]:
        """The requested dtype's name, and the NumPy float type to draw in."""
        dtype = standardize_dtype(dtype)
        if dtype not in ("float16", "bfloat16", "float32", "float64"):
            raise ValueError(
                f"{type(self).__name__} draws floating-point values; received dtype={dtype!r}. "
                "Use a float dtype, or a Zeros / Ones / Constant initializer for other dtypes."
            )
        return dtype, (np.float64 if dtype == "float64" else np.float32)

    def _normal(self, shape, mean, stddev, dtype) -> jax.Array:
        dtype, draw = self._sampling_dtype(dtype)
        values = self._rng().standard_normal(_size(shape), dtype=draw).reshape(shape)
        return to_device(values * draw(stddev) + draw(mean), dtype=dtype)

    def _truncated_normal(self, shape, mean, stddev, dtype) -> jax.Array:
        dtype, draw = self._sampling_dtype(dtype)
        rng = self._rng()
        values = rng.standard_normal(_size(shape), dtype=draw)
        outside = np.abs(values) > TRUNCATION
        while outside.any():  # redraw the ~4.6% that fall outside; each round shrinks it 20-fold
            values[outside] = rng.standard_normal(int(outside.sum()), dtype=draw)
            outside = np.abs(values) > TRUNCATION
        values = values.reshape(shape)
        return to_device(values * draw(stddev) + draw(mean), dtype=dtype)

    def _uniform(self, shape, minval, maxval, dtype) -> jax.Array:
        dtype, draw = self._sampling_dtype(dtype)
        values = self._rng().random(_size(shape), dtype=draw).reshape(shape)
        return to_device(values * draw(maxval - minval) + draw(minval), dtype=dtype)
