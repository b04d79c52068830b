"""The two tiers: small arrays are NumPy's own, large/lazy ones lazynp's, and NumPy's
semantics hold across them (views, writes, identity of in-place results, subclasses).

Every case runs the same statements on NumPy and on lazynp and compares.
"""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp

N = 50_000  # arrays of the lazy tier under `lazy_tier` (eager_threshold=1000)


@pytest.fixture
def lazy_tier():
    with lnp.config(eager_threshold=1000):
        yield


def test_small_arrays_and_functions_are_numpys_own():
    a = lnp.arange(10.0)
    assert type(a) is np.ndarray
    assert type(lnp.zeros(5)) is np.ndarray and type(lnp.array([1, 2])) is np.ndarray
    assert lnp.exp is np.exp and lnp.add is np.add and lnp.sum is np.sum
    assert type(a * 2 + 1) is np.ndarray
    assert lnp.ndarray is np.ndarray
    x = np.arange(3.0)
    assert lnp.asarray(x) is x


def test_large_arrays_are_lazynp(lazy_tier):
    a = lnp.arange(float(N))
    assert type(a) is lnp.LazyArray and type(a) is not np.ndarray
    # NumPy's Python code (numpy.testing) and user code see an ndarray: isinstance holds
    assert isinstance(a, lnp.ndarray) and isinstance(a, np.ndarray) and isinstance(a, lnp.LazyArray)
    assert not isinstance(np.arange(3), lnp.LazyArray)
    b = lnp.exp(a * 1e-5) + 1.0
    assert lnp.is_lazy(b)
    np.testing.assert_allclose(np.asarray(b), np.exp(np.arange(float(N)) * 1e-5) + 1.0)


def test_numpy_operand_mutated_after_recording(lazy_tier):
    """A NumPy array read by a pending node is the user's: the node sees the values of the
    moment it was recorded."""
    big = lnp.ones(N)
    row = np.arange(float(N))
    small = np.arange(5.0)
    r1 = big * row  # a large NumPy operand: computed at once
    r2 = lnp.ones((N // 5, 5)) + small  # a small one: read from a copy
    row[:] = -1
    small[:] = -1
    np.testing.assert_array_equal(np.asarray(r1), np.arange(float(N)))
    np.testing.assert_array_equal(np.asarray(r2), np.ones((N // 5, 5)) + np.arange(5.0))


def test_small_view_of_lazynp_memory_is_numpy_and_writes_are_seen(lazy_tier):
    want = np.arange(float(N)).reshape(-1, 10)
    a = lnp.array(want)
    pending = a * 2  # recorded before the view is handed out: reads the old values
    col = a[:, 3][:5]
    assert type(a[:, 3]) is lnp.LazyArray and type(col) is np.ndarray
    assert type(a[7]) is np.ndarray and a[7].base is not None
    col[:] = -1.0  # a NumPy write into lazynp-owned memory
    want_pending = want * 2
    want[:, 3][:5] = -1.0
    np.testing.assert_array_equal(np.asarray(a), want)
    np.testing.assert_array_equal(np.asarray(pending), want_pending)
    during = a + 1  # recorded while `col` lives: reads a snapshot
    col[:] = 7.0
    np.testing.assert_array_equal(np.asarray(during), want + 1)
    want[:, 3][:5] = 7.0
    np.testing.assert_array_equal(np.asarray(a), want)


def test_asarray_export_is_written_through(lazy_tier):
    a = lnp.arange(float(N)) + 0.0
    lnp.force(a)
    view = np.asarray(a)
    pending = a * 3
    view[0] = 100.0
    assert float(a[0]) == 100.0
    assert float(pending[0]) == 0.0
    del view
    assert float((a * 1)[0]) == 100.0


def test_writes_through_a_lazynp_view_are_seen_by_the_base(lazy_tier):
    a = lnp.zeros((N // 10, 10))
    v = a[:, 2:5]
    assert type(v) is lnp.LazyArray
    v += 1.0
    v[3] = 9.0
    want = np.zeros((N // 10, 10))
    wv = want[:, 2:5]
    wv += 1.0
    wv[3] = 9.0
    np.testing.assert_array_equal(np.asarray(a), want)


@pytest.mark.parametrize("form", ["positional", "keyword", "operator"])
def test_out_keeps_identity(lazy_tier, form):
    for xp in (np, lnp):
        a = xp.ones(N)
        b = xp.arange(float(N))
        before = a
        if form == "positional":
            r = xp.add(a, b, a)
        elif form == "keyword":
            r = xp.add(a, b, out=a)
        else:
            a += b
            r = a
        assert r is before and a is before
        np.testing.assert_array_equal(np.asarray(a), 1.0 + np.arange(float(N)))
    z = np.ones(5)  # NumPy's own small array, the np.multiply(Z, Z, Z)
    assert lnp.multiply(z, z, z) is z


def test_numpy_array_in_place_with_a_lazy_operand(lazy_tier):
    a = np.ones(N)
    ref = a
    a += lnp.arange(float(N)) * 2
    assert a is ref and type(a) is np.ndarray
    np.testing.assert_array_equal(a, 1.0 + 2 * np.arange(float(N)))


def test_scalars_where_numpy_returns_scalars(lazy_tier):
    for xp in (np, lnp):
        a = xp.arange(float(N))
        s = a.sum()
        assert type(s) is np.float64
        assert type(a[3]) is np.float64
        assert type(xp.exp(2.0)) is np.float64
        z = xp.add(a[3], 1)
        assert type(z) is np.float64
    zero_d = lnp.asarray(np.array(3.0))
    assert type(zero_d) is np.ndarray and zero_d.ndim == 0


MASKED = np.ma.masked_array([1.0, 2.0, 3.0, -99.0, 5.0], mask=[0, 0, 0, 1, 0])


@pytest.mark.parametrize("fn", ["mean", "sum", "min", "max", "std", "var", "prod", "ptp"])
def test_masked_arrays_through_reductions(fn):
    got = getattr(lnp, fn)(MASKED)
    want = getattr(np, fn)(MASKED)
    assert got == want
    assert type(got) is type(want)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("fn", ["exp", "negative", "sqrt"])
def test_subclasses_through_ufuncs(fn):
    for obj in (MASKED, np.matrix([[1.0, 2.0], [3.0, 4.0]])):
        got = getattr(lnp, fn)(obj)
        want = getattr(np, fn)(obj)
        assert type(got) is type(want)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    assert type(lnp.sum(m, axis=0)) is np.matrix
    assert type(lnp.mean(m, axis=1)) is np.matrix


class UserArray(np.ndarray):
    pass


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_user_subclass_through_reductions_and_ufuncs():
    u = np.arange(6.0).view(UserArray)
    for fn in ("sum", "mean", "max"):
        got = getattr(lnp, fn)(u, axis=0)
        want = getattr(np, fn)(u, axis=0)
        assert type(got) is type(want)
    assert type(lnp.add(u, 1)) is UserArray
    assert type(lnp.asanyarray(u)) is UserArray


def test_small_part_of_a_pending_array_computes_it_once(lazy_tier):
    x = np.arange(float(N)).reshape(-1, 100)
    out = lnp.array(x) * 2 + 1  # pending
    assert lnp.is_lazy(out)
    lnp.reset_stats()
    rows = [out[i] for i in range(3)]
    assert lnp.stats()["forces"] == 1 and not lnp.is_lazy(out)
    assert all(type(r) is np.ndarray for r in rows)
    for i, r in enumerate(rows):
        np.testing.assert_array_equal(r, x[i] * 2 + 1)
    big = out[:300]  # a large part of a concrete array: a lazynp view
    assert type(big) is lnp.LazyArray
    np.testing.assert_array_equal(np.asarray(big), x[:300] * 2 + 1)


@pytest.mark.parametrize("fn", ["sum", "mean", "max", "min", "prod", "std", "var", "any",
                                "all", "argmax", "ptp"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("pending", [False, True])
def test_reductions_of_lazy_tier_arrays(lazy_tier, fn, axis, pending):
    """Concrete inputs (and max/min/prod/any/all along axes) are reduced by NumPy, the rest
    in kernels; results small or large come back as NumPy would give them."""
    if fn == "argmax" and isinstance(axis, tuple):
        return
    x = np.random.default_rng(5).random((300, 200)) + 0.5
    a = lnp.array(x)
    if pending:
        a = a * 1.0
        x = x * 1.0
    got = getattr(lnp, fn)(a, axis=axis)
    want = getattr(np, fn)(x, axis=axis)
    assert type(got) is type(want) or (type(got) is lnp.LazyArray
                                       and type(want) is np.ndarray)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


def test_dlpack_export_is_written_through(lazy_tier):
    a = lnp.arange(float(N)) + 0.0
    lnp.force(a)
    pending = a * 3
    view = np.from_dlpack(a)
    view[1] = 100.0
    assert float(a[1]) == 100.0
    assert float(pending[1]) == 3.0
    during = a * 2  # recorded while the view lives: a snapshot
    view[2] = 7.0
    assert float(during[2]) == 4.0


def test_integer_power_with_a_numpy_exponent():
    """Found by the conformance suite (thorough profile): the negative-exponent check at the
    call must handle a NumPy array exponent next to a lazynp base."""
    with lnp.config(eager_threshold=0):
        base = lnp.array(np.array(False))
        assert np.array_equal(np.asarray(lnp.pow(base, np.array([False, False]))),
                              np.pow(np.array(False), np.array([False, False])))
        with pytest.raises(ValueError, match="negative integer powers"):
            lnp.pow(lnp.array(np.arange(5)), np.array([1, -1, 2, 3, 4]))


def test_zero_d_results_are_numpys_own_on_both_tiers():
    """Found by the conformance suite (thorough profile): a 0-d array made from data is
    NumPy's own even when every size is the lazy tier, so NumPy's scalar assignment casts it
    as NumPy would (``int8_array[()] = complex64_0d`` with a ComplexWarning)."""
    with lnp.config(eager_threshold=0):
        v0 = lnp.asarray(np.array(0, dtype=np.int8))
        v6 = lnp.asarray(v0, dtype=np.complex64)
        assert type(v6) is np.ndarray and v6.ndim == 0
        with pytest.warns(np.exceptions.ComplexWarning):
            v0[()] = v6


@pytest.mark.parametrize("dtype", [np.float64, np.complex64, np.int32, np.bool_])
@pytest.mark.parametrize("shape", [(0, 0), (2,), (1, 1)])
def test_array_into_one_element_raises_numpys_error(dtype, shape):
    """Found by the conformance suite (thorough profile): ``a[0] = array`` raises what NumPy
    raises for the dtypes (or nothing), on a lazy-tier target and value."""
    def run(xp):
        a = xp.array(np.zeros(3, dtype))[::-1]
        v = xp.array(np.zeros(shape, dtype=bool))
        try:
            a[0] = v
        except (TypeError, ValueError) as e:
            return type(e)
        return None
    with lnp.config(eager_threshold=0):
        got = run(lnp)
    assert got is run(np)
