"""Shared helpers of the fusion tests: plans of lazy arrays and fused-vs-unfused checks.

``close`` is :func:`tests.helpers.assert_close` (the one comparison helper; its NaN and
tolerance rules are documented in ``tests/helpers.py``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

import lazynp as lnp
from lazynp import _engine
from lazynp.fusion.plan import Kernel, Plan
from tests.helpers import assert_close as close


def plan(x: Any) -> Plan:
    """The fusion plan forcing lazy ``x`` would run (nothing is computed)."""
    assert lnp.is_lazy(x), "expected a lazy array"
    return _engine.plan_of(x._node, cached=False)


def kernels(x: Any) -> list[Kernel]:
    return plan(x).kernels


def check(fn: Callable[[Any], Any], *arrays: np.ndarray, exact: bool = False) -> None:
    """``fn(xp, *arrays)`` with fusion on and off (and NumPy) gives the same result."""
    want = fn(np, *arrays)
    with lnp.config(fusion=False):
        off = fn(lnp, *[lnp.array(a.copy()) for a in arrays])
        off = np.asarray(off)
    on = fn(lnp, *[lnp.array(a.copy()) for a in arrays])
    close(np.asarray(on), want, exact)
    close(off, want, exact)
    close(np.asarray(on), off, exact)


def normalized(text: str) -> str:
    """Plan text with node ids renumbered in order of appearance (and hashes dropped)."""
    mapping: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        return mapping.setdefault(m.group(0), f"%{len(mapping)}")

    text = re.sub(r"key\s+[0-9a-f]+", "key", text)
    return re.sub(r"%\d+", sub, text)
