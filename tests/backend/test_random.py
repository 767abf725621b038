"""Per-step keys (`SeedGenerator`, `KEY_IMPL`): repeatable, independent, uniform, and drawn
with XLA's ThreeFry RngBitGenerator (the choice is a measured speed-up: see backend/random.py)."""

import jax
import numpy as np
import pytest

from lamina._src.backend import random


def _bits(key, shape=(4096,)):
    return np.asarray(jax.random.bits(key, shape))


def test_seed_generator_keys_repeat_per_seed_and_differ_per_step_and_seed():
    a, b, c = random.SeedGenerator(7), random.SeedGenerator(7), random.SeedGenerator(8)
    a1, a2 = _bits(a.next()), _bits(a.next())
    b1, c1 = _bits(b.next()), _bits(c.next())
    np.testing.assert_array_equal(a1, b1)
    assert (a1 != a2).mean() > 0.99
    assert (a1 != c1).mean() > 0.99
    # The state keeps Keras's (seed, counter) shape: saved seed generators load both ways.
    np.testing.assert_array_equal(np.asarray(a.state.value), [7, 2])


def test_bits_are_uniform_and_consecutive_steps_uncorrelated():
    generator = random.SeedGenerator(3)
    first = jax.random.uniform(generator.next(), (200_000,))
    second = jax.random.uniform(generator.next(), (200_000,))
    for u in (first, second):
        u = np.asarray(u, np.float64)
        assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
        counts = np.histogram(u, bins=16, range=(0, 1))[0]
        assert counts.min() > 0.95 * len(u) / 16 and counts.max() < 1.05 * len(u) / 16
    assert abs(np.corrcoef(np.asarray(first), np.asarray(second))[0, 1]) < 0.01
    kept = np.asarray(jax.random.bernoulli(generator.next(), 0.8, (500, 400)))
    assert abs(kept.mean() - 0.8) < 0.005


def test_split_and_fold_in_give_distinct_streams():
    key = random.draw_key(11)
    left, right = jax.random.split(key)
    folded = [jax.random.fold_in(key, i) for i in range(3)]
    streams = [_bits(k) for k in (key, left, right, *folded)]
    for i in range(len(streams)):
        for j in range(i + 1, len(streams)):
            assert (streams[i] != streams[j]).mean() > 0.99, (i, j)
    np.testing.assert_array_equal(_bits(jax.random.fold_in(key, 1)), streams[4])


@pytest.mark.parametrize("draw", [jax.random.bits, jax.random.uniform, jax.random.normal])
def test_keys_lower_to_the_three_fry_rng_bit_generator(draw):
    key = random.SeedGenerator(1).next()
    hlo = jax.jit(lambda k: draw(k, (8, 8))).lower(key).as_text()
    assert "rng_bit_generator" in hlo and "THREE_FRY" in hlo.upper(), hlo

