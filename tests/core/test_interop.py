"""Interoperation with NumPy: NumPy functions on lazynp arrays and the reverse."""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_same, to_numpy


@pytest.fixture
def pair():
    x = np.arange(12.0).reshape(3, 4) / 3
    return lnp.array(x.copy()) * 1.0, x


NUMPY_ON_LAZY = [
    "np.add(a, a)", "np.add(a, 1.5)", "np.multiply(2, a)", "np.sin(a)", "np.negative(a)",
    "np.add(a, x)", "np.add(x, a)", "x + a", "a + x", "x * a[0]", "x < a",
    "np.sum(a)", "np.sum(a, axis=0)", "np.mean(a)", "np.max(a, axis=1)", "np.argmax(a)",
    "np.std(a)", "np.concatenate([a, a])", "np.concatenate([a, x])", "np.stack([a, x])",
    "np.where(a > 1, a, 0)", "np.transpose(a)", "np.reshape(a, (4, 3))", "np.clip(a, 1, 2)",
    "np.expand_dims(a, 0)", "np.squeeze(a[None])", "np.ravel(a)", "np.broadcast_to(a, (2, 3, 4))",
    "np.moveaxis(a, 0, 1)", "np.swapaxes(a, 0, 1)", "np.zeros_like(a)", "np.ones_like(a)",
    "np.full_like(a, 3)", "np.copy(a)", "np.abs(a - 2)", "np.add.reduce(a, axis=0)",
    "np.maximum.reduce(a, axis=1)", "np.add.accumulate(a, axis=1)", "np.multiply.outer(a[0], a[1])",
    "np.sort(a, axis=0)", "np.cumsum(a)", "np.round(a, 1)", "np.shape(a)", "np.ndim(a)",
    "np.size(a)", "np.isclose(a, x)", "np.allclose(a, x)", "np.array_equal(a, x)",
    "np.linalg.norm(a)", "np.dot(a, a.T)", "np.matmul(a, a.T)", "a @ x.T", "x @ a.T",
    "np.divmod(a, 2)", "np.frexp(a)", "np.add(a, a, out=np.empty((3, 4)))",
    "np.nonzero(a > 1)", "np.unique(a > 1)", "np.result_type(a, 1)", "np.may_share_memory(a, a)",
]


def _allow_tolerance(src: str) -> bool:
    return any(k in src for k in ("sin", "sum", "mean", "std", "norm", "dot", "matmul", "@",
                                  "accumulate", "cumsum", "reduce", "round"))


@pytest.mark.parametrize("src", NUMPY_ON_LAZY)
def test_numpy_functions_accept_lazynp_arrays(lazy_mode, src):
    """NumPy's functions called on lazynp arrays return lazynp arrays (or NumPy scalars)."""
    a, x = pair_values()
    got = eval(src, {"np": np, "a": a, "x": x.copy()})
    expected = eval(src, {"np": np, "a": x.copy(), "x": x.copy()})
    if "out=np.empty" in src:
        # the out array is NumPy's: the result is that NumPy array
        assert type(got) is np.ndarray
        np.testing.assert_array_equal(got, expected)
        return
    assert_same(got, expected, exact=not _allow_tolerance(src))


def pair_values():
    x = np.arange(12.0).reshape(3, 4) / 3
    with lnp.config(eager_threshold=lnp.config.eager_threshold):
        a = lnp.array(x.copy()) * 1.0
    return a, x


def test_numpy_asarray_returns_plain_ndarray(lazy_mode, pair):
    a, x = pair
    r = np.asarray(a)
    assert type(r) is np.ndarray
    np.testing.assert_array_equal(r, x)
    r = np.asarray(a[::-1, 1:])
    assert type(r) is np.ndarray
    np.testing.assert_array_equal(r, x[::-1, 1:])
    r = np.array(a, dtype=np.float32, copy=True)
    assert type(r) is np.ndarray and r.dtype == np.float32
    m = np.asarray(np.array([a, a]))
    assert m.shape == (2, 3, 4) and m.dtype == np.float64
    assert type(np.ascontiguousarray(a)) is np.ndarray


LAZY_ON_NUMPY = [
    "xp.sum([1, 2, 3])", "xp.add([1, 2], [3, 4])", "xp.add([1, 2], 3)", "xp.sqrt(4.0)",
    "xp.sin(np.float32(1))", "xp.add(np.int8(3), 4)", "xp.multiply(x, 2)", "xp.sum(x, axis=1)",
    "xp.concatenate([x, [[1, 2, 3, 4]]])", "xp.stack([[1, 2], [3, 4]])", "xp.where(x > 1, x, 0)",
    "xp.maximum(x, [0, 1, 2, 3])", "xp.mean(x)", "xp.max(x)", "xp.reshape([1, 2, 3, 4], (2, 2))",
    "xp.transpose([[1, 2]])", "xp.clip([1, 5, 9], 2, 6)", "xp.asarray(x).T", "xp.abs(-3)",
    "xp.add(1, 2)", "xp.equal(x, x)", "xp.sin([0.5, 1.0])", "xp.logical_not(True)",
    "xp.add(x, np.ones(4, dtype=np.float32))", "xp.array([x, x])", "xp.ptp([3, 1, 7])",
]


@pytest.mark.parametrize("src", LAZY_ON_NUMPY)
def test_lazynp_functions_accept_numpy_and_python_inputs(lazy_mode, src):
    x = np.arange(12.0).reshape(3, 4) / 3
    got = eval(src, {"xp": lnp, "np": np, "x": x.copy()})
    expected = eval(src, {"xp": np, "np": np, "x": x.copy()})
    assert_same(got, expected, exact="sin" not in src and "mean" not in src)


def test_mixed_operators_give_lazynp_arrays(lazy_mode):
    x = np.arange(5.0)
    a = lnp.array(x.copy())
    for got, exp in [
        (x + a, x + x),
        (a + x, x + x),
        (x * a[::-1], x * x[::-1]),
        (np.float64(2) * a, np.float64(2) * x),
        (a ** np.int32(2), x ** np.int32(2)),
        (x > a - 1, x > x - 1),
        (np.float32(1) + a, np.float32(1) + x),
    ]:
        assert_same(got, exp, exact=True)


def test_inplace_numpy_array_with_lazy_operand(lazy_mode):
    """x += lazy: NumPy's in-place operator writes into the NumPy array (x stays NumPy)."""
    x = np.arange(5.0)
    y = x.copy()
    a = lnp.array(np.ones(5)) * 2
    x += a
    y += np.ones(5) * 2
    assert type(x) is np.ndarray
    np.testing.assert_array_equal(x, y)


def test_namespace_objects_are_numpys():
    for name in ("float64", "int32", "uint8", "bool_", "complex128", "float16", "dtype",
                 "newaxis", "pi", "e", "inf", "nan", "finfo", "iinfo", "generic", "number",
                 "integer", "floating", "errstate", "euler_gamma"):
        assert getattr(lnp, name) is getattr(np, name), name
    assert lnp.newaxis is None
    assert isinstance(lnp.add, (np.ufunc, object))
    assert lnp.add.nin == 2 and lnp.add.nout == 1
    assert lnp.sin.__name__ == "sin"
    assert lnp.ndarray is not None


def test_isinstance_and_array_protocols(lazy_mode, pair):
    a, x = pair
    assert isinstance(a, lnp.ndarray)
    assert isinstance(a.sum(), np.float64)
    assert hasattr(a, "__array__")
    memory = memoryview(to_numpy(a))
    assert memory.shape == x.shape


def test_ufunc_methods(lazy_mode):
    x = np.arange(12.0).reshape(3, 4)
    a = lnp.array(x.copy())
    assert_same(lnp.add.reduce(a, axis=1), np.add.reduce(x, axis=1))
    assert_same(lnp.maximum.reduce(a, axis=0), np.maximum.reduce(x, axis=0), exact=True)
    assert_same(lnp.add.accumulate(a, axis=0), np.add.accumulate(x, axis=0))
    assert_same(lnp.multiply.outer(a[0], a[1]), np.multiply.outer(x[0], x[1]), exact=True)
    assert_same(lnp.add.reduce(a), np.add.reduce(x))
    assert_same(lnp.logical_and.reduce(a > 2, axis=1), np.logical_and.reduce(x > 2, axis=1))
    b = a.copy()
    y = x.copy()
    lnp.add.at(b, [0, 0, 2], 1)
    np.add.at(y, [0, 0, 2], 1)
    assert_same(b, y, exact=True)


@pytest.mark.parametrize("return_scalar", [False, True])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_array_wrap_protocol(shape, return_scalar):
    # NumPy's ``x.__array_wrap__(result, context, return_scalar)`` (linalg, user code)
    with lnp.config(eager_threshold=0):
        a = lnp.arange(6.0) * 1.0
        n = np.arange(6.0)
        result = np.full(shape, 2.5)
        got = a.__array_wrap__(result.copy(), None, return_scalar)
        want = n.__array_wrap__(result.copy(), None, return_scalar)
        assert type(np.asarray(got)) is type(np.asarray(want))
        assert np.shape(got) == np.shape(want) and isinstance(got, type(want)) or (
            type(got) is lnp.LazyArray and type(want) is np.ndarray)
        np.testing.assert_array_equal(got, want)


class _DefersAll:
    """A non-array operand with its own ``__array_ufunc__`` (NEP 13)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return NotImplemented


@pytest.mark.parametrize("call", [
    lambda a, b: a.__array_ufunc__(np.add, "__call__", a, b),
    lambda a, b: a.__array_ufunc__(np.add, "__call__", a, a, out=(b,)),
    lambda a, b: a.__array_ufunc__(np.add, "__call__", a, a, where=b),
    lambda a, b: a.__array_ufunc__(np.add, "reduce", a, out=b),
])
def test_array_ufunc_defers_to_foreign_overrides(call):
    # ndarray.__array_ufunc__ returns NotImplemented when another operand overrides it
    x = np.arange(5.0)
    with lnp.config(eager_threshold=0):
        a = lnp.arange(5.0)
        assert call(x, _DefersAll()) is NotImplemented
        assert call(a, _DefersAll()) is NotImplemented
        with pytest.raises(TypeError):
            np.add(x, _DefersAll())
        with pytest.raises(TypeError):
            np.add(a, _DefersAll())


class _Handles:
    """A non-array operand whose ``__array_ufunc__`` computes (as a Dask array's does)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        args = [np.asarray(x) if not isinstance(x, _Handles) else np.ones(5) for x in inputs]
        return ("handled", ufunc.__name__, method, getattr(ufunc, method)(*args, **kwargs))


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: b - a, lambda a, b: a * b, lambda a, b: a < b,
    lambda a, b: a ** b, lambda a, b: divmod(a, b), lambda a, b: a @ b,
])
def test_operators_hand_the_ufunc_to_a_foreign_override(op):
    # NumPy's operators call the ufunc, whose override dispatch hands it to the operand
    x = np.arange(5.0)
    with lnp.config(eager_threshold=0):
        a = lnp.arange(5.0)
        want = op(x, _Handles())
        got = op(a, _Handles())
        assert want[:3] == got[:3] and want[0] == "handled"
        assert_same(got[3], want[3], exact=True)


def test_inplace_operator_hands_the_ufunc_to_a_foreign_override():
    x = np.arange(5.0)
    with lnp.config(eager_threshold=0):
        a = lnp.arange(5.0)
        x += _Handles()
        a += _Handles()
        assert x[:3] == a[:3] == ("handled", "add", "__call__")
        assert_same(a[3], x[3], exact=True)


def test_compare_timedelta_arrays_after_cached_dtypes():
    # the operator fast path must not record kinds the graph does not model (m8 == m8 gives
    # bool, whose dtypes a previous call had cached)
    for v in (1, -1):
        x = np.array([np.timedelta64(v, "Y")] * 5)
        with lnp.config(eager_threshold=0):
            a = lnp.array([np.timedelta64(v, "Y")] * 5)
            b = lnp.array([np.timedelta64(v, "Y")] * 5)
            assert_same(a == b, x == x)
            assert_same(a // -2 == b, x // -2 == x)
