"""Floating-point warnings of fused kernels: once per op per force, under the recorded errstate;
block-wise execution (results independent of block size within tolerance, exact for ints)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazynp as lnp
from lazynp.fusion.plan import blocks

from .helpers import check, close, kernels


@pytest.fixture(autouse=True)
def _graph_always():
    with lnp.config(eager_threshold=0, fusion=True, fusion_block_size=100):
        yield


def _x():
    x = np.linspace(-2, 2, 1001)
    x[::50] = 0.0     # zeros in many blocks
    return x


def _caught(fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fn()
    return out, [(w.category, str(w.message)) for w in rec]


def test_one_warning_per_op_not_per_block():
    x = _x()
    lx = lnp.array(x)
    y = lnp.log(lnp.abs(lx)) * 2 + 1 / lx
    assert len(kernels(y)) == 1
    got, seen = _caught(lambda: np.asarray(y))
    want, expected = _caught(lambda: np.log(np.abs(x)) * 2 + 1 / x)
    assert sorted(seen) == sorted(expected)
    assert len(seen) == 3   # log: divide by zero, divide: divide by zero, add: -inf + inf
    close(got, want, exact=True)


def test_errstate_recorded_at_the_call():
    x = _x()
    lx = lnp.array(x)
    with np.errstate(divide="ignore"):
        a = lnp.log(lnp.abs(lx))
    b = a + 1 / lx
    _, seen = _caught(lambda: np.asarray(b))
    assert seen == [(RuntimeWarning, "divide by zero encountered in divide"),
                    (RuntimeWarning, "invalid value encountered in add")]


def test_errstate_raise_surfaces_at_the_call():
    lx = lnp.array(_x())
    a = lx * 2
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError, match="divide by zero encountered in divide"):
            1 / a


def test_errstate_call_mode():
    calls = []
    lx = lnp.array(_x())
    with np.errstate(all="call", call=lambda *a: calls.append(a)):
        y = lnp.sqrt(lx - 1)
    np.asarray(y)
    assert calls == [("invalid value", 8)]


def test_recomputed_node_warns_once():
    x = np.linspace(0, 1000, 2000).reshape(20, 100)
    lx = lnp.array(x)
    e = lnp.exp(lx)                                   # overflows; read by two kernels
    y = e / e.sum(1, keepdims=True)
    with lnp.config(fusion_recompute_limit=20):       # (exp: recomputed, not stored)
        assert len(kernels(y)) == 2
        _, seen = _caught(lambda: np.asarray(y))
    _, expected = _caught(lambda: (lambda t: t / t.sum(1, keepdims=True))(np.exp(x)))
    assert sorted(set(seen)) == sorted(set(expected))
    assert seen.count((RuntimeWarning, "overflow encountered in exp")) == 1


def test_cast_warning_name():
    x = np.array([1.0, np.nan, 3.0] * 100)
    lx = lnp.array(x)
    y = (lx * 2).astype(np.int32)
    _, seen = _caught(lambda: np.asarray(y))
    _, expected = _caught(lambda: (x * 2).astype(np.int32))
    assert seen == expected


@pytest.mark.parametrize("shape", [(0,), (5,), (1000,), (3, 70), (7, 1, 40), (2, 3, 4, 50), ()])
@pytest.mark.parametrize("size", [1, 7, 64, 100000])
def test_blocks_cover_the_space_once(shape, size):
    seen = np.zeros(shape, dtype=int)
    for box in blocks(shape, size):
        part = seen[box]
        assert part.size <= max(size, shape[-1] if shape else 1)
        seen[box] += 1
    assert (seen == 1).all()


@pytest.mark.parametrize("bs", [1, 3, 64, 1 << 20])
def test_block_size_does_not_change_results(bs):
    x = np.random.default_rng(5).random((37, 23))
    i = np.random.default_rng(6).integers(-9, 9, (37, 23))
    with lnp.config(fusion_block_size=bs):
        check(lambda xp, a: xp.sin(a) * 3 - a.T.T, x)
        check(lambda xp, a: (a * a + 1).sum(axis=0), x)
        check(lambda xp, a: (a * 3 - 1).sum(axis=1), i, exact=True)
        check(lambda xp, a: (a % 4 == 1).any(axis=0), i, exact=True)
