"""What forces a lazy array and what does not.

Metadata (shape, dtype, ndim, size, itemsize, nbytes, len) is known at record time: reading it
does not force (``is_lazy`` stays True, ``stats()["forces"]`` does not move). Conversions
(bool/int/float/complex/index), item/tolist/iteration, scalar indexing, printing and pickling
force, and give NumPy's answers and types.
"""

from __future__ import annotations

import copy
import io
import operator
import pickle
from contextlib import redirect_stdout

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_raises_like, assert_same, run_both, to_numpy


def lazy_pair(x: np.ndarray):
    """(lazy lazynp node, NumPy value) with the values of x (x * 1 keeps the dtype)."""
    a = lnp.array(x.copy()) * np.ones((), dtype=x.dtype)[()]
    assert lnp.is_lazy(a), "test setup: expected a lazy node under eager_threshold=0"
    return a, x.copy()


@pytest.fixture
def x23():
    return np.arange(6.0).reshape(2, 3) / 4


def test_metadata_does_not_force(always_lazy, x23):
    a, x = lazy_pair(x23)
    lnp.reset_stats()
    assert a.shape == x.shape
    assert a.dtype == x.dtype
    assert a.ndim == x.ndim
    assert a.size == x.size
    assert a.itemsize == x.itemsize
    assert a.nbytes == x.nbytes
    assert len(a) == len(x)
    assert lnp.shape(a) == np.shape(x)
    assert lnp.ndim(a) == np.ndim(x)
    assert lnp.size(a) == np.size(x)
    b = a.T[None] + 1  # recording more ops does not force either
    assert b.shape == (1, 3, 2)
    assert lnp.is_lazy(a) and lnp.is_lazy(b)
    assert lnp.stats()["forces"] == 0


def test_force_returns_same_object(always_lazy, x23):
    a, x = lazy_pair(x23)
    assert lnp.force(a) is a
    assert not lnp.is_lazy(a)
    b = a + 1
    assert lnp.is_lazy(b)
    assert b.force() is b
    assert not lnp.is_lazy(b)
    assert_same(b, x + 1, exact=True)
    assert lnp.force(3) == 3  # non-arrays pass through
    assert lnp.is_lazy(np.ones(3)) is False
    assert lnp.is_lazy(5) is False


def test_stats_keys_and_reset(always_lazy, x23):
    lnp.reset_stats()
    s = lnp.stats()
    assert set(s) >= {"forces", "nodes_evaluated", "fallbacks"}
    assert s["forces"] == 0 and s["nodes_evaluated"] == 0 and s["fallbacks"] == {}
    a, _ = lazy_pair(x23)
    b = (a + 1) * 2 - a
    lnp.force(b)
    s = lnp.stats()
    assert s["forces"] >= 1
    assert s["nodes_evaluated"] >= 3
    lnp.reset_stats()
    assert lnp.stats()["forces"] == 0


CONVERSIONS = {
    "bool 1-element": ("bool(a[:1, :1])", np.array([[2.0]])),
    "bool 0-d": ("bool(a[0, 0, ...])", np.array([[0.0]])),
    "int": ("int(a[0, 1, ...])", np.array([[1.5, 2.75]])),
    "float": ("float(a[0, 1, ...])", np.array([[1.5, 2.75]])),
    "complex": ("complex(a[0, 0, ...])", np.array([[1.5 + 2j]])),
    "index": ("operator.index(a[0, 0, ...])", np.array([[3, 4]])),
    "range index": ("list(range(10))[a[0, 0, ...]]", np.array([[3, 4]])),
    "item": ("a.item(1)", np.array([[1.5, 2.75]])),
    "item no args": ("a[:1, :1].item()", np.array([[1.5, 2.75]])),
    "item int": ("a.item()", np.array([[7]], dtype=np.int8)),
    "tolist": ("a.tolist()", np.arange(6.0).reshape(2, 3)),
    "tolist complex": ("a.tolist()", np.array([[1j, 2]])),
    "tolist bool": ("a.tolist()", np.array([[True, False]])),
    "iter 2-d": ("[r.tolist() for r in a]", np.arange(6.0).reshape(2, 3)),
    "iter 1-d": ("list(a[0])", np.arange(6).reshape(2, 3)),
    "scalar index": ("a[1, 2]", np.arange(6.0).reshape(2, 3)),
    "scalar index negative": ("a[-1, -3]", np.arange(6).reshape(2, 3).astype(np.uint16)),
    "0-d empty tuple index": ("a[0, 0, ...][()]", np.arange(6.0).reshape(2, 3)),
    "0-d ellipsis": ("a[0, 0, ...][...]", np.arange(6.0).reshape(2, 3)),
    "in": ("3.0 in a", np.arange(6.0).reshape(2, 3)),
    "format": ("f'{a[0, 1]:.3f}'", np.arange(6.0).reshape(2, 3) / 7),
    "round": ("round(a[0, 1], 2)", np.arange(6.0).reshape(2, 3) / 7),
    "sum": ("a.sum()", np.arange(6.0).reshape(2, 3)),
    "comparison to list": ("(a == [[0, 1, 2], [3, 4, 5]]).all()", np.arange(6.0).reshape(2, 3)),
}


@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_conversions_force_and_match(always_lazy, name):
    src, x = CONVERSIONS[name]
    a, xx = lazy_pair(x)
    lnp.reset_stats()
    got = eval(src, {"a": a, "operator": operator})
    expected = eval(src, {"a": xx, "operator": operator})
    assert_same(got, expected, exact=True)
    assert lnp.stats()["forces"] >= 1, "a conversion returned a value without forcing"


@pytest.mark.parametrize(
    "src",
    ["bool(a)", "int(a)", "float(a)", "complex(a)", "operator.index(a)", "a.item()",
     "operator.index(a[0, :1])", "bool(a[:0])", "len(a[0, 0, ...])", "iter(a[0, 0, ...])",
     "int(a[:1, :1])"],
)
def test_conversion_errors(always_lazy, src):
    x = np.arange(6.0).reshape(2, 3)
    a, xx = lazy_pair(x)
    assert_raises_like(
        lambda: eval(src, {"a": xx, "operator": operator}),
        lambda: eval(src, {"a": a, "operator": operator}),
    )


def test_iteration_yields_arrays_and_scalars(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(6.0).reshape(2, 3)) * 2
        rows = list(a)
        flat = [v for v in a[0]]
        return rows, flat

    run_both(fn, exact=True)


@pytest.mark.parametrize("proto", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle_round_trip(lazy_mode, proto):
    x = np.arange(12.0).reshape(3, 4) / 3
    a = lnp.array(x.copy()) * 2
    v = a[::-1, 1::2]
    for obj, ref in ((a, x * 2), (v, (x * 2)[::-1, 1::2])):
        data = pickle.dumps(obj, protocol=proto)
        back = pickle.loads(data)
        assert_same(back, ref, exact=True)
        assert isinstance(back, lnp.ndarray)
    # a pickled view is independent from its original base after loading
    back = pickle.loads(pickle.dumps(v, protocol=proto))
    back[0, 0] = -1
    assert float(v[0, 0]) == (x * 2)[::-1, 1::2][0, 0]
    # numpy scalars and tuples of arrays
    s = pickle.loads(pickle.dumps((a.sum(), [a, v]), protocol=proto))
    assert_same(s, ((x * 2).sum(), [x * 2, (x * 2)[::-1, 1::2]]), exact=True)


def test_copy_and_deepcopy(lazy_mode):
    x = np.arange(5.0)
    a = lnp.array(x.copy()) + 1
    c = copy.copy(a)
    d = copy.deepcopy(a)
    a[0] = 100
    assert_same(c, x + 1, exact=True)
    assert_same(d, x + 1, exact=True)


def test_explain_prints_and_does_not_force(always_lazy):
    a = lnp.array(np.arange(10.0))
    b = lnp.array(np.ones((3, 10), dtype=np.float32))
    c = (a * 2 + b[::2]).sum(axis=0)
    assert lnp.is_lazy(c)
    lnp.reset_stats()
    buf = io.StringIO()
    with redirect_stdout(buf):
        ret = lnp.explain(c)
    assert ret is None
    out = buf.getvalue()
    assert out.strip(), "explain printed nothing"
    assert "float64" in out and "float32" in out, out
    assert "(10,)" in out or "10" in out, out
    assert lnp.is_lazy(c), "explain forced its argument"
    assert lnp.stats()["forces"] == 0
    assert_same(c, (np.arange(10.0) * 2 + np.ones((3, 10), np.float32)[::2]).sum(axis=0))


def test_eager_threshold_default_small_results_are_concrete():
    a = lnp.array(np.arange(10.0))
    assert not lnp.is_lazy(a + 1)
    big = lnp.array(np.arange(100_000.0))
    c = big + 1
    assert lnp.is_lazy(c)
    assert_same(c, np.arange(100_000.0) + 1, exact=True)


def test_eager_config_computes_everything_now():
    with lnp.config(eager=True):
        big = lnp.array(np.arange(100_000.0))
        c = big * 2 + 1
        assert not lnp.is_lazy(c)
        assert_same(c, np.arange(100_000.0) * 2 + 1, exact=True)


def test_config_context_restores():
    before = lnp.config.eager_threshold
    with lnp.config(eager_threshold=0, max_depth=7):
        assert lnp.config.eager_threshold == 0
        assert lnp.config.max_depth == 7
    assert lnp.config.eager_threshold == before


def test_max_depth_auto_forces(always_lazy):
    x = np.arange(8.0)
    with lnp.config(max_depth=8):
        lnp.reset_stats()
        a = lnp.array(x.copy())
        ref = x.copy()
        for _ in range(50):
            a = a * 1.5 - 1
            ref = ref * 1.5 - 1
        assert lnp.stats()["forces"] >= 1, "a 100-deep chain was not auto-forced"
        assert_same(a, ref, exact=True)


def test_max_nodes_auto_forces(always_lazy):
    with lnp.config(max_nodes=16, max_depth=10_000):
        lnp.reset_stats()
        xs = [lnp.array(np.full(4, float(i))) for i in range(40)]
        acc = xs[0]
        for v in xs[1:]:
            acc = acc + v * 2
        assert lnp.stats()["forces"] >= 1, "a graph of ~120 nodes was not auto-forced"
        assert_same(acc, sum(np.full(4, float(i)) * 2 for i in range(1, 40)) + 0.0, exact=True)


def test_print_forces(always_lazy, x23):
    a, x = lazy_pair(x23)
    lnp.reset_stats()
    buf = io.StringIO()
    with redirect_stdout(buf):
        print(a * 2)
    assert buf.getvalue() == str(x * 2) + "\n"
    assert lnp.stats()["forces"] >= 1


def test_numpy_asarray_forces(always_lazy, x23):
    a, x = lazy_pair(x23)
    b = a * 3
    r = np.asarray(b)
    assert type(r) is np.ndarray
    np.testing.assert_array_equal(r, x * 3)
    r2 = np.array(b, dtype=np.float32)
    assert r2.dtype == np.float32
    np.testing.assert_array_equal(r2, (x * 3).astype(np.float32))
    assert_same(lnp.array(r), x * 3, exact=True)
    assert to_numpy(b).dtype == x.dtype


def test_temporary_reuse_never_touches_named_arrays():
    # `a * b + 1.0` may reuse the temporary wrapper of `a * b`; named arrays keep their value
    an = np.linspace(0, 1, 50)
    a = lnp.array(an.copy())
    b = lnp.array(an[::-1].copy())
    x = a * b
    y = x + 1.0
    z = a * b + 1.0
    v = (a * b)[3:]
    w = (a * b) + 2
    for got, want in ((x, an * an[::-1]), (y, an * an[::-1] + 1.0), (z, an * an[::-1] + 1.0),
                      (v, (an * an[::-1])[3:]), (w, an * an[::-1] + 2)):
        np.testing.assert_array_equal(np.asarray(got), want)
    assert x is not y and v.base is not None
