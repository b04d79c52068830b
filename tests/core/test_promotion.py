"""NumPy 2 type promotion (NEP 50) and ufunc keyword arguments, lazynp vs NumPy.

Every case runs on NumPy first; lazynp must give the same result type, dtype, shape and
values, or raise an exception of NumPy's type.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy._core import _exceptions as np_exceptions

import lazynp as lnp
from tests.helpers import ALL_DTYPES, assert_raises_like, assert_same, run_both

# exact: IEEE-exact or integer-valued ops; the rest are libm-style (tolerance)
BINARY_EXACT = [
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "maximum", "fmin",
    "bitwise_and", "left_shift", "equal", "less", "logical_and", "copysign", "heaviside",
    "fmod",
]
BINARY_LIBM = ["power", "arctan2", "hypot", "logaddexp"]
UNARY_EXACT = ["negative", "absolute", "sqrt", "floor", "sign", "invert", "logical_not",
               "isnan", "square", "rint", "positive", "signbit"]
UNARY_LIBM = ["sin", "exp", "log1p", "tanh", "cbrt", "arctan"]


def sample(dtype: np.dtype, n: int = 4) -> np.ndarray:
    """A small array of ``dtype`` with values every dtype can hold (no zeros for division)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.array([True, False, True, True][:n], dtype=dtype)
    if dtype.kind == "u":
        return np.array([1, 2, 3, 7][:n], dtype=dtype)
    if dtype.kind == "i":
        return np.array([1, -2, 3, -7][:n], dtype=dtype)
    if dtype.kind == "f":
        return np.array([0.5, -1.25, 3.0, 2.5][:n], dtype=dtype)
    return np.array([0.5 + 1j, -1.25, 3.0 - 2j, 1j][:n], dtype=dtype)


def _exactness(name: str, *dtypes: np.dtype) -> bool:
    if name in BINARY_LIBM or name in UNARY_LIBM:
        return False
    if any(np.dtype(d).kind == "c" for d in dtypes) and name in (
        "multiply", "divide", "absolute", "sqrt", "square", "sign", "power"
    ):
        return False
    return True


def _bin(name, x, y):
    def fn(xp):
        a = xp.array(x.copy()) if isinstance(x, np.ndarray) else x
        b = xp.array(y.copy()) if isinstance(y, np.ndarray) else y
        return getattr(xp, name)(a, b)

    return fn


@pytest.mark.parametrize("name", BINARY_EXACT + BINARY_LIBM)
def test_binary_ufunc_every_dtype_pair(lazy_mode, name):
    for d1 in ALL_DTYPES:
        for d2 in ALL_DTYPES:
            x = sample(d1)
            y = sample(d2)[::-1].copy()
            try:
                run_both(_bin(name, x, y), exact=_exactness(name, d1, d2))
            except AssertionError as e:
                raise AssertionError(f"{name}({d1}, {d2}): {e}") from None


@pytest.mark.parametrize("name", UNARY_EXACT + UNARY_LIBM)
def test_unary_ufunc_every_dtype(lazy_mode, name):
    for d in ALL_DTYPES:
        x = sample(d)

        def fn(xp, x=x):
            return getattr(xp, name)(xp.array(x.copy()))

        try:
            run_both(fn, exact=_exactness(name, d))
        except AssertionError as e:
            raise AssertionError(f"{name}({d}): {e}") from None


PY_SCALARS = [0, 1, -1, 2, 127, 128, 255, 256, 300, -129, 2**31, 2**40, 2**63, -(2**63) - 1,
              1.5, -0.0, 1e10, 1e300, float("inf"), float("nan"), 1j, 2.5 - 1j, True, False]


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "maximum",
                                  "equal", "less", "floor_divide", "power"])
def test_python_scalars_are_weak(lazy_mode, name):
    for d in ALL_DTYPES:
        for s in PY_SCALARS:
            x = sample(d)
            for order in ("array-first", "scalar-first"):
                def fn(xp, x=x, s=s, order=order):
                    a = xp.array(x.copy())
                    f = getattr(xp, name)
                    return f(a, s) if order == "array-first" else f(s, a)

                try:
                    run_both(fn, exact=_exactness(name, d) and name != "power")
                except AssertionError as e:
                    raise AssertionError(f"{name} {d} {s!r} {order}: {e}") from None


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "//", "%", "**", "<", "==", "&", ">>"])
def test_python_scalars_with_operators(lazy_mode, op):
    for d in ALL_DTYPES:
        for s in [1, -1, 300, 2.5, 1j, True]:
            x = sample(d)
            for src in (f"a {op} s", f"s {op} a"):
                def fn(xp, x=x, s=s, src=src):
                    a = xp.array(x.copy())
                    return eval(src, {"a": a, "s": s})

                try:
                    run_both(fn, exact=_exactness({"**": "power", "*": "multiply",
                                                   "/": "divide"}.get(op, "add"), d))
                except AssertionError as e:
                    raise AssertionError(f"{src} with {d}, s={s!r}: {e}") from None


@pytest.mark.parametrize("sdtype", ["int8", "uint8", "int64", "float16", "float32", "float64",
                                    "complex64", "bool"])
def test_numpy_scalars_are_strong(lazy_mode, sdtype):
    for d in ALL_DTYPES:
        x = sample(d)

        def fn(xp, x=x):
            s = np.dtype(sdtype).type(1)
            a = xp.array(x.copy())
            return (a + s, s * a, xp.maximum(a, s), a < s)

        try:
            run_both(fn, exact=True)
        except AssertionError as e:
            raise AssertionError(f"{d} with numpy.{sdtype}: {e}") from None


def test_zero_dim_arrays_promote_like_arrays(lazy_mode):
    # NumPy 2: 0-d arrays are not "weak"; int8 array + 0-d int64 array -> int64
    def fn(xp):
        a = xp.array(np.array([1, 2, 3], dtype=np.int8))
        b = xp.array(np.array(5, dtype=np.int64))
        c = xp.array(np.array(2.5, dtype=np.float64))
        f16 = xp.array(np.array([1, 2], dtype=np.float16))
        return (a + b, a * c, f16 + c, f16 + 2.5, a + 2)

    run_both(fn, exact=True)


def test_inplace_out_casting_raises_ufunc_error(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(3))
        a += 1.5
        return a

    err = assert_raises_like(lambda: fn(np), lambda: fn(lnp))
    assert isinstance(err, np_exceptions._UFuncOutputCastingError)
    assert isinstance(err, np_exceptions.UFuncTypeError)


@pytest.mark.parametrize(
    "src",
    [
        "a += 1.5",
        "a -= f",
        "a *= c",
        "f += c",
        "b += a",
        "a //= 2.0",
        "u += -1",
        "u8 += 300",
        "b -= b",
    ],
)
def test_inplace_casting_errors(lazy_mode, src):
    def fn(xp):
        ns = {
            "a": xp.array(np.arange(3)),
            "f": xp.array(np.ones(3)),
            "c": xp.array(np.ones(3, dtype=complex)),
            "b": xp.array(np.ones(3, dtype=bool)),
            "u": xp.array(np.ones(3, dtype=np.uint32)),
            "u8": xp.array(np.ones(3, dtype=np.uint8)),
        }
        exec(src, ns)
        return ns["a"]

    assert_raises_like(lambda: fn(np), lambda: fn(lnp))


@pytest.mark.parametrize(
    "src",
    [
        "a += 2",
        "f += a",
        "f *= 2.5",
        "c += f",
        "h += f",  # float64 result cast to float16 (same_kind)
        "i8 += a",  # int64 result cast to int8 (same_kind, wraps)
        "i8 <<= 3",
        "f /= a",
        "a **= 2",
    ],
)
def test_inplace_same_kind_casting(lazy_mode, src):
    def fn(xp):
        ns = {
            "a": xp.array(np.arange(1, 4)),
            "f": xp.array(np.array([0.1, 0.2, 0.3])),
            "c": xp.array(np.ones(3, dtype=complex)),
            "h": xp.array(np.array([0.1, 1000.0, 3.0], dtype=np.float16)),
            "i8": xp.array(np.array([100, 120, -128], dtype=np.int8)),
        }
        ident = {k: id(v) for k, v in ns.items()}
        exec(src, ns)
        target = src.split()[0]
        assert id(ns[target]) == ident[target], "in-place operator changed identity"
        return ns[target]

    run_both(fn, exact=True)


def test_ufunc_out_argument(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(4.0))
        out = xp.zeros(4)
        r = xp.add(a, 1, out=out)
        assert r is out
        r2 = xp.multiply(a, a, out=(out,))
        assert r2 is out
        o16 = xp.zeros(4, dtype=np.float16)
        xp.sqrt(a, out=o16)
        q = xp.zeros(4)
        rem = xp.zeros(4)
        res = xp.divmod(a, 3, out=(q, rem))
        assert res[0] is q and res[1] is rem
        return out, o16, q, rem

    run_both(fn, exact=True)


def test_ufunc_out_wrong_shape_raises(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(4.0))
        return xp.add(a, 1, out=xp.zeros(3))

    assert_raises_like(lambda: fn(np), lambda: fn(lnp))


def test_ufunc_out_is_a_view(lazy_mode):
    def fn(xp):
        base = xp.array(np.zeros((3, 4)))
        a = xp.array(np.arange(4.0))
        xp.add(a, 10, out=base[1])
        xp.negative(a[::-1], out=base[2, ::-1])
        return base

    run_both(fn, exact=True)


def test_ufunc_where_argument(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(6.0))
        out = xp.full(6, -1.0)
        mask = xp.array(np.array([True, False, True, False, True, True]))
        r = xp.add(a, 100, out=out, where=mask)
        assert r is out
        # where= with a lazy, broadcast mask
        out2 = xp.zeros((2, 3))
        xp.multiply(a.reshape(2, 3), 2, out=out2, where=a.reshape(2, 3)[0] > 0)
        return out, out2

    run_both(fn, exact=True)


def test_ufunc_where_without_out_only_masked_values_defined(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(6.0))
        r = xp.sqrt(a, where=a > 2)
        return r

    got, exp = run_both(fn, values=False)
    mask = np.arange(6.0) > 2
    np.testing.assert_array_equal(np.asarray(got)[mask], exp[mask])


@pytest.mark.parametrize(
    "dtype,casting",
    [
        (np.float32, None),
        (np.float64, None),
        (np.int8, "unsafe"),
        (np.int8, None),
        (np.int16, "same_kind"),
        (np.complex64, None),
        (np.float16, "same_kind"),
    ],
)
def test_ufunc_dtype_and_casting(lazy_mode, dtype, casting):
    def fn(xp):
        a = xp.array(np.array([1, 2, 300, -5], dtype=np.int32))
        b = xp.array(np.array([0.5, 1.5, 2.5, 3.5]))
        kw = {"dtype": dtype}
        if casting:
            kw["casting"] = casting
        return xp.add(a, a, **kw), xp.multiply(b, 2, **kw)

    run_both(fn, exact=True)


@pytest.mark.parametrize("casting", ["no", "equiv", "safe", "same_kind", "unsafe"])
def test_ufunc_casting_with_out(lazy_mode, casting):
    def fn(xp):
        a = xp.array(np.array([1.5, 2.5, -3.5]))
        out = xp.zeros(3, dtype=np.int64)
        xp.multiply(a, 2, out=out, casting=casting)
        return out

    run_both(fn, exact=True)


@pytest.mark.parametrize("casting", ["no", "equiv", "safe", "same_kind", "unsafe"])
def test_ufunc_casting_inputs(lazy_mode, casting):
    def fn(xp):
        a = xp.array(np.array([1, 2, 3], dtype=np.int16))
        b = xp.array(np.array([1, 2, 3], dtype=np.int64))
        return xp.add(a, b, casting=casting), xp.add(a, a, casting=casting)

    run_both(fn, exact=True)


def test_result_type_helpers_match():
    a = lnp.array(np.ones(3, dtype=np.int8))
    assert lnp.result_type(a, 1.0) == np.result_type(np.ones(3, dtype=np.int8), 1.0)
    assert lnp.result_type(a, np.int64) == np.int64
    assert lnp.can_cast(a, np.float32) == np.can_cast(np.ones(3, dtype=np.int8), np.float32)
    assert lnp.promote_types(np.int8, np.uint8) == np.int16


def test_astype_casting_and_copy(lazy_mode):
    def fn(xp):
        a = xp.array(np.array([1.7, -2.2, 300.0, 0.0]))
        return (
            a.astype(np.int32),
            a.astype(np.uint8, casting="unsafe")[:2],
            a.astype(np.float32),
            a.astype(bool),
            a.astype(np.complex64),
            xp.asarray(a, dtype=np.float16),
        )

    run_both(fn, exact=True)


@pytest.mark.parametrize("casting", ["no", "safe", "same_kind"])
def test_astype_casting_errors(lazy_mode, casting):
    def fn(xp):
        return xp.array(np.arange(3.0)).astype(np.int8, casting=casting)

    assert_raises_like(lambda: fn(np), lambda: fn(lnp))


def test_same_results_for_scalar_results(lazy_mode):
    # 0-d ufunc results and full reductions come back as NumPy scalar types
    def fn(xp):
        a = xp.array(np.array(2.0, dtype=np.float32))
        v = xp.array(np.arange(5, dtype=np.int16))
        return (
            a + 1,
            xp.sin(a),
            a * np.float64(2),
            v.sum(),
            v.max(),
            v.mean(),
            v[2],
            v[2] + 1,
            xp.add(v[1], v[2]),
            (v > 2).any(),
        )

    got, _ = run_both(fn)
    assert_same(got[0], np.float32(3.0), exact=True)
