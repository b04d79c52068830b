"""Statements from tutorial scripts that once behaved differently under lazynp: each runs
on NumPy and on lazynp, on a small (NumPy-tier) and a large (lazy-tier) array, and the
results are compared.  (The masked-array reductions and ``np.add(a, 1, a)`` are in
test_tiers.py; the structured scalar's repr under ``python -m lazynp run`` in
tests/runner/test_runner.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp

SIZES = [5, 50_000]  # 50_000: lazy under eager_threshold=1000


@pytest.fixture(autouse=True)
def _low_threshold():
    with lnp.config(eager_threshold=1000):
        yield


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("pending", [False, True])
def test_view_as_user_subclass(n, pending):
    results = []
    for xp in (np, lnp):
        class A(xp.ndarray):
            pass

        a = xp.arange(n)
        if pending:
            a = a * 2
        v = a.view(A)
        assert type(v) is A and isinstance(v, np.ndarray)
        results.append(np.asarray(v))
    np.testing.assert_array_equal(results[0], results[1])


def test_user_subclass_is_numpy_subclass():
    class A(lnp.ndarray):
        def double(self):
            return self * 2

    assert issubclass(A, np.ndarray)
    b = lnp.arange(4.0).view(A).double()
    assert type(b) is A
    np.testing.assert_array_equal(b, np.arange(4.0) * 2)
    assert type(lnp.zeros(3)) is lnp.ndarray  # a small array is NumPy's exact type


@pytest.mark.parametrize("n", SIZES)
def test_structured_field_assignment(n):
    got = []
    for xp in (np, lnp):
        Z = xp.zeros(n, [("x", float), ("y", np.int32)])
        Z["x"] = xp.ones(n)
        Z[1] = (2.5, 7)
        got.append((np.asarray(Z).copy(), np.asarray(Z["x"]), np.asarray(Z[["y"]])))
        with pytest.raises(ValueError, match="no field of name q"):
            Z["q"] = 1
    for g, w in zip(got[1], got[0]):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("n", SIZES)
def test_numpy_testing_takes_lazynp_arrays(n):
    a = lnp.arange(float(n)) * 1.5  # pending when large
    want = np.arange(float(n)) * 1.5
    np.testing.assert_equal(a, want)
    np.testing.assert_array_equal(a, want)
    np.testing.assert_allclose(a, want)
    np.testing.assert_almost_equal(a, want)
    with pytest.raises(AssertionError):
        np.testing.assert_array_equal(a, want + 1)
    with pytest.raises(AssertionError):
        np.testing.assert_equal(a, want + 1)


def test_pandas_groupby_with_a_lazynp_array():
    pd = pytest.importorskip("pandas")
    s = pd.Series([1.0, 2.0, 3.0])
    got = s.groupby(lnp.array([0, 1, 0])).mean()
    want = s.groupby(np.array([0, 1, 0])).mean()
    pd.testing.assert_series_equal(got, want)


def _attribute_script(xp):
    out = []
    b = xp.zeros((6, 6)) * 1.0
    pending = b + 1  # reads b's memory as it was
    b.flat = range(1, 37)
    out.append(np.asarray(b).copy())
    out.append(np.asarray(pending).copy())
    b.shape = (4, 9)
    out.append((b.shape, np.asarray(b).copy()))
    for bad in ((5, 5), (36, 2)):
        try:
            b.shape = bad
        except ValueError as e:
            out.append(str(e))
    c = xp.arange(8.0) * 1
    c.dtype = np.int32
    out.append((c.shape, c.dtype, np.asarray(c).copy()))
    v = b[:, ::2]
    try:
        v.shape = (v.size,)
    except (ValueError, AttributeError) as e:
        out.append((type(e), str(e)))
    b.flags.writeable = False
    try:
        b[0, 0] = 3
    except ValueError as e:
        out.append(str(e))
    return out


@pytest.mark.parametrize("threshold", [0, 1_000_000])
def test_settable_attributes(threshold):
    """``a.flat = ...``, ``a.shape = ...``, ``a.dtype = ...``, ``a.flags.writeable = False``
    on both tiers; a node recorded before the write reads the old values."""
    want = _attribute_script(np)
    with lnp.config(eager_threshold=threshold):
        got = _attribute_script(lnp)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            np.testing.assert_array_equal(g, w)
        elif isinstance(w, tuple) and any(isinstance(x, np.ndarray) for x in w):
            assert g[:-1] == w[:-1]
            np.testing.assert_array_equal(g[-1], w[-1])
        else:
            assert g == w
