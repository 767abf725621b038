"""`VarianceScaling` and its presets: Glorot (Xavier), He and LeCun, uniform and normal.

The variance is `scale / n`, `n` being the fan-in, the fan-out or their mean (`mode`). For a
conv kernel `(*window, in_channels, out_channels)` the fans are the channel counts times the
window size (the receptive field).
"""

import math

import jax

from lamina._src.initializers.random_initializer import RandomInitializer
from lamina._src.saving.registry import register

_CATEGORY = "initializers"
# The standard deviation of a standard normal truncated to [-2, 2]: dividing by it makes a
# truncated draw have the variance asked for.
TRUNCATED_NORMAL_STDDEV = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """The `(fan_in, fan_out)` of a weight of this shape.

    Args:
        shape: the weight's shape. Rank 0: (1, 1); rank 1: (n, n); rank 2: (rows, cols);
            rank 3+: a conv kernel, channels times the receptive field size.
        input_axes, output_axes: when both are given, the fans are the products of the sizes
            of these axes instead (for einsum-style kernels).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = math.prod(shape[axis] for axis in input_axes)
        fan_out = math.prod(shape[axis] for axis in output_axes)
        return int(fan_in), int(fan_out)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


@register(_CATEGORY, "variance_scaling")
class VarianceScaling(RandomInitializer):
    """Draw with a variance scaled to the weight's fan-in and/or fan-out.

    With `n` the fan chosen by `mode`: "truncated_normal" draws from a normal of stddev
    `sqrt(scale / n) / 0.8796` truncated at 2 stddevs (so the result has variance `scale / n`);
    "untruncated_normal" from a normal of stddev `sqrt(scale / n)`; "uniform" from
    `[-limit, limit]` with `limit = sqrt(3 * scale / n)`.

    Args:
        scale: a positive scaling factor. Defaults to 1.0.
        mode: "fan_in", "fan_out" or "fan_avg". Defaults to "fan_in".
        distribution: "truncated_normal" (alias "normal"), "untruncated_normal" or "uniform".
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if not isinstance(scale, int | float) or scale <= 0.0:
            raise ValueError(
                f"VarianceScaling: `scale` must be a positive float, received {scale!r}."
            )
        if mode not in _MODES:
            raise ValueError(f"VarianceScaling: `mode` must be one of {_MODES}, received {mode!r}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: `distribution` must be one of {_DISTRIBUTIONS} (or 'normal', "
                f"meaning 'truncated_normal'), received {distribution!r}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> jax.Array:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV
            return self._truncated_normal(shape, 0.0, stddev, dtype)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, 0.0, math.sqrt(variance), dtype)
        limit = math.sqrt(3.0 * variance)
        return self._uniform(shape, -limit, limit, dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed scale, mode and distribution: only the seed and axes vary."""

    _SCALE = 1.0
    _MODE = "fan_in"
    _DISTRIBUTION = "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(
            scale=self._SCALE,
            mode=self._MODE,
            distribution=self._DISTRIBUTION,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        return {key: config[key] for key in ("seed", "input_axes", "output_axes")}


@register(_CATEGORY, "glorot_uniform")
class GlorotUniform(_Preset):
    """Xavier uniform: `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _MODE, _DISTRIBUTION = "fan_avg", "uniform"


@register(_CATEGORY, "glorot_normal")
class GlorotNormal(_Preset):
    """Xavier normal: truncated normal with variance `2 / (fan_in + fan_out)`.

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _MODE, _DISTRIBUTION = "fan_avg", "truncated_normal"


@register(_CATEGORY, "lecun_normal")
class LecunNormal(_Preset):
    """LeCun normal: truncated normal with variance `1 / fan_in` (pairs with selu).

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _MODE, _DISTRIBUTION = "fan_in", "truncated_normal"


@register(_CATEGORY, "lecun_uniform")
class LecunUniform(_Preset):
    """LeCun uniform: `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _MODE, _DISTRIBUTION = "fan_in", "uniform"


@register(_CATEGORY, "he_normal")
class HeNormal(_Preset):
    """He normal: truncated normal with variance `2 / fan_in` (pairs with relu).

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


@register(_CATEGORY, "he_uniform")
class HeUniform(_Preset):
    """He uniform: `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.

    Args:
        seed: None, an int (repeatable), or a `SeedGenerator`.
        input_axes, output_axes: axes whose sizes make the fans (see `compute_fans`).
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"
