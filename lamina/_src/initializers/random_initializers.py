"""`RandomNormal`, `RandomUniform`, `TruncatedNormal` and `Orthogonal`."""

import jax
import jax.numpy as jnp
import numpy as np

from lamina._src.backend.transfer import to_device
from lamina._src.initializers.random_initializer import RandomInitializer
from lamina._src.saving.registry import register

_CATEGORY = "initializers"


@register(_CATEGORY, "random_normal", "normal")
class RandomNormal(RandomInitializer):
    """Draw from a normal distribution.

    Args:
        mean: the mean. Defaults to 0.0.
        stddev: the standard deviation. Defaults to 0.05.
        seed: None, an int (repeatable), or a `SeedGenerator`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> jax.Array:
        return self._normal(shape, self.mean, self.stddev, dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@register(_CATEGORY, "truncated_normal")
class TruncatedNormal(RandomInitializer):
    """Draw from a normal distribution, redrawing values more than 2 stddevs from the mean.

    The result's standard deviation is about `0.88 * stddev`.

    Args:
        mean: the mean. Defaults to 0.0.
        stddev: the standard deviation before truncation. Defaults to 0.05.
        seed: None, an int (repeatable), or a `SeedGenerator`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> jax.Array:
        return self._truncated_normal(shape, self.mean, self.stddev, dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@register(_CATEGORY, "random_uniform", "uniform")
class RandomUniform(RandomInitializer):
    """Draw uniformly from `[minval, maxval)`.

    Args:
        minval: the lower bound. Defaults to -0.05.
        maxval: the upper bound. Defaults to 0.05.
        seed: None, an int (repeatable), or a `SeedGenerator`.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> jax.Array:
        return self._uniform(shape, self.minval, self.maxval, dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


@register(_CATEGORY, "orthogonal", "OrthogonalInitializer")
class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (times `gain`), reshaped to the requested shape.

    The shape is flattened to `(prod(shape[:-1]), shape[-1])`; that matrix has orthonormal
    columns when it is tall, orthonormal rows when it is wide. It comes from the QR
    decomposition of a normal random matrix, with signs fixed so the draw is uniform.

    Args:
        gain: multiplies the matrix. Defaults to 1.0.
        seed: None, an int (repeatable), or a `SeedGenerator`.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> jax.Array:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal initializer: expected a shape of rank 2 or more, received "
                f"shape={shape} of rank {len(shape)}. For a vector, use e.g. RandomNormal."
            )
        dtype, _ = self._sampling_dtype(dtype)
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        # QR in float64 on the host: accurate, and cheap next to the draw for kernel sizes.
        matrix = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(matrix)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return to_device(self.gain * q.reshape(shape), dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}
