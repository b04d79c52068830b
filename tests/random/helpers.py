"""Shared helpers for lazynp.random tests: run the same calls on NumPy and lazynp."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import lazynp.random as lr
from lazynp.random._wrap import asnumpy, is_lazynp

SEEDS = [0, 1, 2**32, 2**64 + 5, [1, 2, 3], 123456789012345678901234567890]


def to_np(x: Any) -> Any:
    if is_lazynp(x):
        return asnumpy(x)
    if isinstance(x, list):
        return [to_np(v) for v in x]
    return x


def same(ra: Any, rb: Any) -> bool:
    """Values, dtypes and result types equal (lazynp arrays standing for numpy arrays)."""
    if is_lazynp(rb):
        if type(ra) is not np.ndarray:
            return False
        rb = asnumpy(rb)
    if isinstance(ra, list):
        return (isinstance(rb, list) and len(ra) == len(rb)
                and all(same(x, y) for x, y in zip(ra, rb)))
    if type(ra) is not type(rb):
        return False
    if isinstance(ra, (np.ndarray, np.generic)):
        return ra.dtype == rb.dtype and ra.shape == rb.shape and np.array_equal(
            ra, rb, equal_nan=ra.dtype.kind in "fc")
    if isinstance(ra, float) and ra != ra:
        return rb != rb
    return ra == rb


def check_same(fn: Callable[[Any], Any], seeds=SEEDS, gen_np=None, gen_lz=None) -> None:
    """Run fn on a NumPy and a lazynp generator per seed; results and states must match."""
    for seed in seeds:
        a = gen_np(seed) if gen_np else np.random.default_rng(seed)
        b = gen_lz(seed) if gen_lz else lr.default_rng(seed)
        ra = fn(a)
        rb = fn(b)
        assert same(ra, rb), (seed, ra, to_np(rb))
        assert a.bit_generator.state == b.bit_generator.state, seed
