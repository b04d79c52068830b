"""The plan cache (fusion/plancache.py): a graph shaped like an earlier one reuses its plan,
rebound to the new nodes; results, warnings and in-place writes stay NumPy's."""

from __future__ import annotations

import gc
import io
import warnings
import weakref

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_cpu import runtime
from lazynp.fusion import plancache

BACKENDS = ["reference", "llvm"]
N = 6000  # lazy (over the eager threshold), one block


def _hits() -> int:
    return plancache.stats["hits"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_loop_reuses_the_plan_with_new_arrays_and_constants(backend: str) -> None:
    g = np.random.default_rng(0)
    with lnp.config(backend=backend):
        hits = _hits()
        for i in range(6):
            a, b = g.random(N), g.random(N)
            scale = [2.0, 2.0, 3.0, -0.0, 0.0, float("nan")][i]
            got = np.asarray(lnp.array(a) * lnp.array(b) + scale)
            np.testing.assert_array_equal(got, a * b + scale)
            got = float(((lnp.array(a) - 1) ** 2).sum())
            assert got == float(((a - 1) ** 2).sum())
        assert _hits() > hits


def test_signature_tells_constants_dtypes_layouts_apart() -> None:
    a = lnp.array(np.arange(N, dtype=np.float64))
    b = lnp.array(np.arange(N, dtype=np.float32))
    m = lnp.array(np.arange(2 * N, dtype=np.float64))

    def sig(x: lnp.ndarray) -> tuple:
        return plancache.signature(x._node)[0]

    assert sig(a * 2.0) == sig(lnp.array(np.ones(N)) * 2.0)
    # float constants are parameters: their places and equalities count, not their values
    assert sig(a * 2.0) == sig(a * 3.0)
    assert sig(a * 0.0) == sig(a * -0.0)
    assert sig(a * 2.0 + 2.0) != sig(a * 2.0 + 3.0)
    assert sig(a * 2.0 + 3.0) == sig(a * 5.0 + 4.0)
    assert sig(a ** 2.0) != sig(a ** 3.0)  # (an exponent stays: the cost model reads it)
    assert sig(a * 2) != sig(a * 3)  # ints stay (the planner checks their range)
    assert sig(a * 2.0) != sig(a * 2)
    assert sig(a * 2.0) != sig(b * 2.0)
    assert sig(a * 2.0) != sig(m[::2] * 2.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_warnings_on_a_cached_plan_match_numpy(backend: str) -> None:
    with lnp.config(backend=backend):
        for zero in (False, True, False, True):
            a = np.ones(N)
            b = np.ones(N)
            b[7] = 0.0 if zero else 2.0
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                want = a / b + 1.0
            want_w = [str(x.message) for x in w]
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                got = np.asarray(lnp.array(a) / lnp.array(b) + 1.0)
            assert [str(x.message) for x in w] == want_w
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stencil_loop_in_place_with_cached_plans(backend: str) -> None:
    g = np.random.default_rng(1)
    u0 = g.random((80, 90))
    u, lu = u0.copy(), lnp.array(u0.copy())
    with lnp.config(backend=backend):
        for _ in range(12):
            u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
            lu[1:-1, 1:-1] = 0.25 * (lu[:-2, 1:-1] + lu[2:, 1:-1] + lu[1:-1, :-2]
                                     + lu[1:-1, 2:])
            v = lu * 2.0 - 1.0
            lu += v * 0.0
            u += (u * 2.0 - 1.0) * 0.0
        np.testing.assert_array_equal(np.asarray(lu), u)


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_sources_are_rebound(backend: str) -> None:
    with lnp.config(backend=backend):
        r = lnp.random.default_rng(5)
        g = np.random.default_rng(5)
        for _ in range(4):
            got = float((r.random(N) * 2.0 + r.random(N)).sum())
            want = float((g.random(N) * 2.0 + g.random(N)).sum())
            assert got == want


def test_cache_keeps_no_arrays_alive() -> None:
    a = np.ones(N)
    ref = weakref.ref(a)
    la = lnp.array(a)
    float((la * 2.0 + 1.0).sum())
    float((la * 2.0 + 1.0).sum())
    del a, la
    gc.collect()
    assert ref() is None


def test_held_intermediate_is_part_of_the_signature() -> None:
    a = lnp.array(np.arange(N, dtype=np.float64))
    t = lnp.exp(a * 1e-3)
    held = plancache.signature((t + 1.0)._node)[0]
    free = plancache.signature((lnp.exp(a * 1e-3) + 1.0)._node)[0]
    assert held != free


def test_direct_path_runs_compiled_and_explain_is_fresh() -> None:
    a, b = np.random.default_rng(2).random((2, N))
    with lnp.config(backend="llvm"):
        for _ in range(3):
            np.asarray(lnp.array(a) * lnp.array(b) + 1.0)
        runs = runtime.stats["runs"]
        got = np.asarray(lnp.array(a) * lnp.array(b) + 1.0)
        assert runtime.stats["runs"] == runs + 1
    np.testing.assert_array_equal(got, a * b + 1.0)
    c = lnp.array(a) * lnp.array(b) + 1.0
    buf = io.StringIO()
    lnp.explain(c, file=buf)
    assert f"%{c._node.id}" in buf.getvalue()


@pytest.mark.parametrize("backend", ["llvm", "reference"])
def test_float_constants_are_parameters(backend: str) -> None:
    """A statement that differs from an earlier one only in Python float constants reuses
    the plan (no new planning) and computes with its own constants, on every path (the
    one-call path included); constants equal in one statement and not in another are
    different plans; a power's exponent stays part of the key."""
    x = np.linspace(0.0, 2.0, 5000)
    plancache.clear()
    with lnp.config(backend=backend, eager_threshold=0):
        a = lnp.array(x)
        got = []
        for t in (0.5, 0.25, 0.5, -0.0, 3.0):
            if t == 0.25:
                before = plancache.stats["misses"]
            got.append(np.asarray(a * t + (t + 1.0)))
            if t == -0.0:
                assert plancache.stats["misses"] == before, "re-planned for new constants"
        for r, t in zip(got, (0.5, 0.25, 0.5, -0.0, 3.0)):
            np.testing.assert_array_equal(r, x * t + (t + 1.0))
        before = plancache.stats["misses"]
        np.testing.assert_array_equal(np.asarray(a * 2.0 + 2.0), x * 2.0 + 2.0)
        assert plancache.stats["misses"] == before + 1, "equal constants are a pattern"
        for e in (2.5, 3.5):  # (pow: within the documented tolerance, not bit-exact)
            np.testing.assert_allclose(np.asarray(a ** e + 1.0), x ** e + 1.0, rtol=1e-14)
        c = lnp.zeros(5000)
        for t in (1.0, 2.0, 4.0):  # in place, into an existing array
            c[...] = a * t - 1.0
            np.testing.assert_array_equal(np.asarray(c), x * t - 1.0)


def _loop(xp, steps, flag_at=None):
    """Assignments as a loop body writes them: a slice target, an in-place update (its input
    is the target, read at the positions written), a target read at shifted positions."""
    g = np.random.default_rng(7)
    a = xp.array(g.random(N))
    c = xp.array(g.random(N))
    d = xp.array(g.random(N))
    msgs = []
    for i in range(steps):
        if i == flag_at:
            c[N // 3] = 1e308
            d[N // 2] = 0.0
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            c[1:-1] = 0.333 * (a[:-2] + a[1:-1] + a[2:]) + c[1:-1] * 0.5
            c += c * 10.0 + a
            c[1:] = c[:-1] * 0.25
            a[...] = a / d + 1.0
        msgs.append([str(x.message) for x in w])
        a = a * 1e-3
    return np.asarray(a), np.asarray(c), msgs


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("flag_at", [None, 3])
def test_assignments_in_a_loop_match_numpy(backend: str, flag_at) -> None:
    """From the second iteration the assignments run their cached kernel straight into the
    target (``runtime.run_direct``); values and warnings (a flag raised in a later
    iteration, in place and not) stay NumPy's."""
    with lnp.config(backend=backend, fusion_block_size=1024):
        got = _loop(lnp, 6, flag_at)
    want = _loop(np, 6, flag_at)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] == want[2]


def test_assignment_of_a_cached_plan_is_one_compiled_run() -> None:
    g = np.random.default_rng(3)
    a, c = lnp.array(g.random(N)), lnp.array(g.random(N))
    with lnp.config(backend="llvm"):
        for _ in range(3):
            c[1:-1] = 0.5 * (a[:-2] + a[2:])
            c += a * 2.0
        runs, misses = runtime.stats["runs"], plancache.stats["misses"]
        c[1:-1] = 0.5 * (a[:-2] + a[2:])
        c += a * 2.0
        assert runtime.stats["runs"] == runs + 2
        assert plancache.stats["misses"] == misses


@pytest.mark.parametrize("threads", [1, 2])
def test_strided_assignments_and_layouts_on_the_direct_path(threads: int) -> None:
    """A 2-D stencil statement (strided slices, a strided target) and an F-ordered result
    run straight from the template, on one or two threads; values and memory order are
    NumPy's."""
    g = np.random.default_rng(4)
    u0 = g.random((120, 90))
    f0 = np.asfortranarray(g.random((120, 90)))
    u, lu = u0.copy(), lnp.array(u0.copy())
    with lnp.config(backend="llvm", num_threads=threads, parallel_threshold=1000):
        for i in range(4):
            runs, misses = runtime.stats["runs"], plancache.stats["misses"]
            u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
            lu[1:-1, 1:-1] = 0.25 * (lu[:-2, 1:-1] + lu[2:, 1:-1] + lu[1:-1, :-2]
                                     + lu[1:-1, 2:])
            got = np.asarray(lnp.array(f0, order="F") * 2.0 + 1.0)
            if i:
                assert runtime.stats["runs"] == runs + 2
                assert plancache.stats["misses"] == misses
            assert got.flags.f_contiguous
            np.testing.assert_array_equal(got, f0 * 2.0 + 1.0)
        np.testing.assert_array_equal(np.asarray(lu), u)
