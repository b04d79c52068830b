"""Shared helpers for lazynp.random tests: run the same calls on NumPy and lazynp.

``same`` is :func:`tests.helpers.same_values` (the one comparison helper; its NaN rules are
documented in ``tests/helpers.py``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import lazynp.random as lr
from lazynp.random._wrap import asnumpy, is_lazynp
from tests.helpers import same_values as same

SEEDS = [0, 1, 2**32, 2**64 + 5, [1, 2, 3], 123456789012345678901234567890]


def to_np(x: Any) -> Any:
    if is_lazynp(x):
        return asnumpy(x)
    if isinstance(x, list):
        return [to_np(v) for v in x]
    return x


def check_same(fn: Callable[[Any], Any], seeds=SEEDS, gen_np=None, gen_lz=None) -> None:
    """Run fn on a NumPy and a lazynp generator per seed; results and states must match."""
    for seed in seeds:
        a = gen_np(seed) if gen_np else np.random.default_rng(seed)
        b = gen_lz(seed) if gen_lz else lr.default_rng(seed)
        ra = fn(a)
        rb = fn(b)
        assert same(ra, rb), (seed, ra, to_np(rb))
        assert a.bit_generator.state == b.bit_generator.state, seed
