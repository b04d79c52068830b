"""0-size results computed from lazynp arrays are concrete ``LazyArray`` objects (docs/tiers.md,
"The tier rule's exception"): a 0-size slice of a lazynp array, a 0-size result of a ufunc,
reduction, join or fallback with a lazynp operand, a ``*_like`` of a lazynp prototype, a
creation function called with ``like=`` a lazynp array.  They carry no work, keep the type
Dask's ``meta`` needs, and behave as NumPy's 0-size arrays: each case runs the same statement on
NumPy and on lazynp and compares (values, shape, dtype, printing, errors).
"""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_close, assert_raises_like

N = 5000  # lazy-tier arrays under the tests' eager threshold (4096)


def _pair():
    xs = np.arange(N, dtype=np.float64).reshape(50, 100) / 7
    return xs, lnp.array(xs)


def _empty(x):
    return x[0:0, 0:0]


def _is_empty_lazynp(r):
    return type(r) is lnp.LazyArray and r.size == 0 and not lnp.is_lazy(r)


# name -> statement on (xs, x), where xs is NumPy's and x lazynp's (50 x 100 float64)
ZERO_SIZE = {
    "slice": lambda a: a[0:0],
    "slice_2d": lambda a: a[3:3, 10:20],
    "row_range": lambda a: a[:, 5:5],
    "empty_slice_of_slice": lambda a: a[:0][:, :0],
    "ufunc": lambda a: np.exp(_empty(a)),
    "operator": lambda a: _empty(a) * _empty(a) + 1 < 2,
    "scalar_operator": lambda a: 2.0 - a[:0],
    "int_power": lambda a: a[:0].astype(np.int32) ** 2,
    "reflected": lambda a: 3 / a[:0, :7],
    "broadcast_with_numpy": lambda a: a[:0, :3] + np.arange(3.0),
    "where": lambda a: np.where(a[:0] > 1, a[:0], -a[:0]),
    "astype": lambda a: a[:0].astype(np.int16),
    "copy": lambda a: a[:0].copy(),
    "reshape": lambda a: a[:0].reshape(0, 25, 4),
    "transpose": lambda a: a[:0].T,
    "ravel": lambda a: np.ravel(a[:0]),
    "concatenate": lambda a: np.concatenate([a[:0], a[:0]]),
    "stack": lambda a: np.stack([a[:0], a[:0]]),
    "sum_axis": lambda a: a[:0].sum(axis=1),
    "sum_keepdims": lambda a: np.sum(a[:0, :0], axis=1, keepdims=True),
    "max_empty_result": lambda a: np.max(a[:0], axis=1, keepdims=True),
    "mean_axis": lambda a: a[:, :0].mean(axis=0),
    "cumsum_fallback": lambda a: np.cumsum(a[:0], axis=0),
    "sort_fallback": lambda a: np.sort(a[:0]),
    "nonzero_of_mask": lambda a: np.nonzero(a.ravel() > 1e9)[0],
    "boolean_index": lambda a: a[a > 1e9],
    "zeros_like": lambda a: np.zeros_like(a[:0]),
    "full_like_shape": lambda a: np.full_like(a, 2.0, shape=(0, 3)),
}


@pytest.mark.parametrize("name", list(ZERO_SIZE))
def test_zero_size_results_are_concrete_lazynp_arrays(name):
    xs, x = _pair()
    f = ZERO_SIZE[name]
    want = f(xs)
    got = f(x)
    assert type(want) is np.ndarray and want.size == 0
    assert _is_empty_lazynp(got), type(got)
    assert isinstance(got, np.ndarray)
    assert got.shape == want.shape and got.dtype == want.dtype and got.ndim == want.ndim
    assert_close(got, want, exact=True)
    assert repr(got) == repr(want) and str(got) == str(want)
    assert got.tolist() == want.tolist() and len(got) == len(want)
    # NumPy's own array where NumPy code asks for one
    back = np.asarray(got)
    assert type(back) is np.ndarray and back.shape == want.shape


def test_reductions_of_zero_size_lazynp_arrays():
    xs, x = _pair()
    e, ne = x[:0], xs[:0]
    for fn in (np.sum, np.prod, np.any, np.all, np.count_nonzero):
        r, nr = fn(e), fn(ne)
        assert type(r) is type(nr) and r == nr  # (a scalar: the identity, as NumPy's)
    for fn in (np.max, np.min, np.argmax, np.argmin, np.ptp):
        assert_raises_like(lambda fn=fn: fn(ne), lambda fn=fn: fn(e))
    # an empty reduction with a non-empty result: NumPy's identity per position
    r, nr = e.sum(axis=0), ne.sum(axis=0)
    assert type(r) is np.ndarray and r.shape == (100,)  # (100 elements: the small tier)
    assert_close(r, nr, exact=True)
    with pytest.warns(RuntimeWarning):
        m = np.mean(e)
    with pytest.warns(RuntimeWarning):
        nm = np.mean(ne)
    assert np.isnan(m) and np.isnan(nm) and type(m) is type(nm)
    assert_raises_like(lambda: ne.max(axis=0), lambda: e.max(axis=0))


def test_comparisons_and_truth_of_zero_size_lazynp_arrays():
    xs, x = _pair()
    e, ne = x[:0], xs[:0]
    for got, want in ((e == e, ne == ne), (e < 1, ne < 1), (e != ne, ne != ne)):
        assert _is_empty_lazynp(got)
        assert_close(got, want, exact=True)
    assert bool(np.array_equal(e, ne)) and np.array_equal(e, ne) == np.array_equal(ne, ne)
    assert_raises_like(lambda: bool(ne), lambda: bool(e))
    assert_raises_like(lambda: ne + xs[:0, :5], lambda: e + x[:0, :5])  # (broadcasting)
    p, np_p = e.astype(np.int8) ** -1, ne.astype(np.int8) ** -1  # (no element: no error)
    assert _is_empty_lazynp(p)
    assert_close(p, np_p, exact=True)
    assert_raises_like(lambda: ne.item(), lambda: e.item())
    assert list(e) == list(ne) == []


def test_zero_size_operands_of_lazy_and_small_arrays():
    xs, x = _pair()
    # a non-empty result follows the tier rule: NumPy's own when small
    r, nr = np.concatenate([x[:0], x[:2]]), np.concatenate([xs[:0], xs[:2]])
    assert type(r) is np.ndarray
    assert_close(r, nr, exact=True)
    # a 0-size result from small NumPy operands alone stays NumPy's own
    assert type(np.arange(3.0)[:0] * 2) is np.ndarray
    assert type(lnp.zeros((0, 3))) is np.ndarray and type(lnp.arange(0.0, 0.0)) is np.ndarray
    assert type(lnp.linspace(np.float64(0), 1, 0)) is np.ndarray
    # 0-d results (NumPy's scalars) stay NumPy's
    assert type(x[:0].sum()) is np.float64


def test_writes_into_zero_size_lazynp_arrays():
    xs, x = _pair()
    e, ne = x[:0], xs[:0]
    e[...] = 5.0
    ne[...] = 5.0
    e += 1
    assert _is_empty_lazynp(e)
    assert_close(x, xs, exact=True)  # (nothing written)
    assert_raises_like(lambda: ne.__setitem__(0, 1.0), lambda: e.__setitem__(0, 1.0))


def test_zero_size_slice_of_a_pending_array_is_its_view():
    xs, x = _pair()
    p = x * 2
    assert lnp.is_lazy(p)
    e = p[:0]
    assert _is_empty_lazynp(e) and e.base is not None
    assert_close(e, (xs * 2)[:0], exact=True)
    assert_close(p, xs * 2, exact=True)


def test_like_a_lazynp_array_gives_lazynp_arrays():
    xs, x = _pair()
    m = x[:0, :0]
    # NumPy's ``*_like`` keep the prototype's type (subok=True): at any size
    for got, want in ((np.ones_like(m, shape=1), np.ones_like(xs[:0, :0], shape=1)),
                      (np.full_like(m, 3, shape=(2, 2)), np.full_like(xs[:0, :0], 3, shape=(2, 2))),
                      (np.zeros_like(x, shape=(4,)), np.zeros_like(xs, shape=(4,)))):
        assert type(got) is lnp.LazyArray and not lnp.is_lazy(got)
        assert_close(got, want, exact=True)
    small = np.zeros_like(m, shape=(3,), subok=False)
    assert type(small) is np.ndarray  # (subok=False: NumPy's own, as NumPy's base class)
    # NEP 35: a creation function called with ``like=`` a lazynp array makes one
    for got, want in ((np.array([], like=m, ndmin=2), np.array([], ndmin=2)),
                      (np.asarray([1.5, 2.5], like=m), np.asarray([1.5, 2.5])),
                      (np.arange(4, like=m), np.arange(4)),
                      (np.empty((0, 3), like=m), np.empty((0, 3))),
                      (np.eye(3, like=m), np.eye(3))):
        assert type(got) is lnp.LazyArray
        assert_close(got, want, exact=True)
    # memory that is not the call's own (an argument's) stays what NumPy made of it
    own = np.arange(3.0)
    assert np.asarray(own, like=m) is own
    assert type(np.array(own, copy=False, ndmin=2, like=m)) is np.ndarray
