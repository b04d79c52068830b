"""Shared helpers for lazynp's tests: the one place where results are compared.

Every comparison of array values in the test suite goes through :func:`compare_arrays`; the
functions above it decide only which tolerance to ask for and which types to expect:

* :func:`assert_same` (differential tests: a lazynp result against NumPy's) also checks the
  *kind* of result: a NumPy array on the NumPy side must be a lazynp array on the lazynp side
  (``lazynp.ndarray`` is ``numpy.ndarray``, so NumPy's own arrays of the small tier pass); a
  NumPy scalar (``numpy.float64`` ...) must be exactly the same scalar type; Python scalars,
  tuples, lists and dicts are compared by type and element by element; dtype and shape are
  read from the lazy array *before* forcing it, since both are known at record time.
* :func:`assert_close` (``close`` of the fusion tests): two array-likes (lazynp arrays are
  forced), the same dtype and shape, then the values.
* :func:`same_values` (``same`` of the random tests): the bit-identity test of
  ``lazynp.random`` as a bool: result types, dtypes, shapes and exact values.
* :func:`compare_arrays` itself is also called directly by the conformance interpreter,
  which estimates an absolute error bound per expression.

The rules of :func:`compare_arrays` (``got`` and ``expected`` of identical dtype and shape):

* bool, integer, string, object, void, datetime and timedelta values must be equal
  (``numpy.array_equal``: NaT never equals NaT);
* float values: NaN positions must be identical and so must the positions and signs of
  infinities, whatever the tolerance; the finite values are compared in float64 as
  ``|got - expected| <= atol + rtol * |expected|``, and ``atol == rtol == 0`` (the default,
  and what ``exact=True`` asks for) means equal values (``0.0 == -0.0``, as in NumPy);
* complex values are compared part by part (the real parts, then the imaginary parts, each
  under the float rules), so a NaN or infinity in one part must be in the same part, and
  each part meets the tolerance relative to its own magnitude (stricter than a tolerance on
  the complex difference's modulus).

Tolerances: ``exact=True`` for IEEE-exact operations (``+ - * / sqrt``, comparisons, copies,
views, min/max ...); otherwise ``rtol`` defaults to ``RTOL[dtype]`` of the expected result
(the per-dtype bounds of ``docs/numerics.md``) and ``atol`` to 0.  Integer and bool results
are always exact.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np

#: relative tolerance per result dtype for operations that are not IEEE-exact
RTOL: dict[np.dtype, float] = {
    np.dtype(np.float16): 1e-3,
    np.dtype(np.float32): 1e-5,
    np.dtype(np.float64): 1e-12,
    np.dtype(np.complex64): 1e-5,
    np.dtype(np.complex128): 1e-12,
}
if hasattr(np, "longdouble"):
    RTOL.setdefault(np.dtype(np.longdouble), 1e-12)
    RTOL.setdefault(np.dtype(np.clongdouble), 1e-12)

#: every numeric dtype the suite exercises
ALL_DTYPES: tuple[np.dtype, ...] = tuple(
    np.dtype(t)
    for t in (
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
        np.complex64,
        np.complex128,
    )
)
INT_DTYPES = tuple(d for d in ALL_DTYPES if d.kind in "iu")
FLOAT_DTYPES = tuple(d for d in ALL_DTYPES if d.kind == "f")
COMPLEX_DTYPES = tuple(d for d in ALL_DTYPES if d.kind == "c")


def lnp_module():
    """Import lazynp lazily so that a broken lazynp does not break collection of helpers."""
    import lazynp

    return lazynp


def is_lazynp_array(x: Any) -> bool:
    return isinstance(x, lnp_module().ndarray)


def to_numpy(x: Any) -> np.ndarray:
    """Force a lazynp array into a plain ``numpy.ndarray`` (checks the type it gets)."""
    arr = np.asarray(x)
    assert type(arr) is np.ndarray, f"numpy.asarray(lazynp array) gave {type(arr)!r}"
    return arr


def default_rtol(dtype: np.dtype) -> float:
    return RTOL.get(np.dtype(dtype), 0.0)


def _nonfinite_mask_equal(got: np.ndarray, exp: np.ndarray, where: str) -> np.ndarray:
    """Check NaN and +-inf positions agree; return the mask of finite expected entries."""
    g_nan = np.isnan(got)
    e_nan = np.isnan(exp)
    if not np.array_equal(g_nan, e_nan):
        raise AssertionError(
            f"{where}NaN positions differ\n got: {got!r}\n expected: {exp!r}"
        )
    g_inf = np.isinf(got)
    e_inf = np.isinf(exp)
    same_inf = np.array_equal(g_inf, e_inf) and np.array_equal(got[e_inf], exp[e_inf])
    if not same_inf:
        raise AssertionError(
            f"{where}infinity positions/signs differ\n got: {got!r}\n expected: {exp!r}"
        )
    return ~(e_nan | e_inf)


def compare_arrays(
    got: np.ndarray,
    exp: np.ndarray,
    *,
    atol: float = 0.0,
    rtol: float = 0.0,
    where: str = "",
) -> None:
    """Compare the values of two NumPy arrays of identical dtype and shape.

    ``atol == rtol == 0`` means exact equality (NaN positions equal, infinities equal).
    Complex values are compared part by part (real, imaginary) so that infinities in one
    part are handled like real infinities.
    """
    assert got.dtype == exp.dtype, f"{where}dtype {got.dtype} != {exp.dtype}"
    assert got.shape == exp.shape, f"{where}shape {got.shape} != {exp.shape}"
    kind = exp.dtype.kind
    if kind in "biuUSOVmM":
        if not np.array_equal(got, exp):
            raise AssertionError(f"{where}values differ\n got: {got!r}\n expected: {exp!r}")
        return
    if kind == "c":
        compare_arrays(got.real, exp.real, atol=atol, rtol=rtol, where=where + "(real part) ")
        compare_arrays(got.imag, exp.imag, atol=atol, rtol=rtol, where=where + "(imag part) ")
        return
    finite = _nonfinite_mask_equal(got, exp, where)
    g = got[finite].astype(np.float64)
    e = exp[finite].astype(np.float64)
    if atol == 0.0 and rtol == 0.0:
        bad = g != e
    else:
        with np.errstate(all="ignore"):
            bad = np.abs(g - e) > atol + rtol * np.abs(e)
    if np.any(bad):
        with np.errstate(all="ignore"):
            worst = float(np.max(np.abs(g - e)))
        raise AssertionError(
            f"{where}values differ (atol={atol:g}, rtol={rtol:g}, max abs diff {worst:g})\n"
            f" got: {got!r}\n expected: {exp!r}"
        )


def assert_same(
    got: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float = 0.0,
    exact: bool = False,
    values: bool = True,
    where: str = "",
) -> None:
    """Assert that a lazynp result ``got`` matches the NumPy result ``expected``.

    ``exact=True`` demands bit-for-bit equal float values (use it for IEEE-exact operations:
    ``+ - * / sqrt``, comparisons, copies, views, min/max ...). Otherwise floats and complex
    values use ``rtol`` (default: ``RTOL[dtype]``) and ``atol``. ``values=False`` checks only
    type, dtype and shape.
    """
    if isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys(), (
            f"{where}keys {sorted(got)} != {sorted(expected)}"
        )
        for k in expected:
            assert_same(
                got[k], expected[k], rtol=rtol, atol=atol, exact=exact, values=values,
                where=f"{where}[{k!r}] ",
            )
        return
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected), (
            f"{where}expected a {type(expected).__name__}, got {type(got).__name__}"
        )
        assert len(got) == len(expected), f"{where}length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(
                g, e, rtol=rtol, atol=atol, exact=exact, values=values, where=f"{where}[{i}] "
            )
        return

    if isinstance(expected, np.ndarray):
        assert is_lazynp_array(got), (
            f"{where}expected a lazynp.ndarray (NumPy gave numpy.ndarray), got {type(got)!r}"
        )
        # dtype and shape are known at record time: read them before forcing
        assert got.dtype == expected.dtype, f"{where}dtype {got.dtype} != {expected.dtype}"
        assert tuple(got.shape) == expected.shape, (
            f"{where}shape {tuple(got.shape)} != {expected.shape}"
        )
        assert got.ndim == expected.ndim, f"{where}ndim {got.ndim} != {expected.ndim}"
        got_arr = to_numpy(got)
        exp_arr = expected
    elif isinstance(expected, np.generic):
        assert type(got) is type(expected), (
            f"{where}expected NumPy scalar {type(expected).__name__}, "
            f"got {type(got).__module__}.{type(got).__name__}: {got!r}"
        )
        got_arr = np.asarray(got)
        exp_arr = np.asarray(expected)
    else:
        assert type(got) is type(expected), (
            f"{where}expected {type(expected).__name__} {expected!r}, "
            f"got {type(got).__name__} {got!r}"
        )
        if isinstance(expected, float) and np.isnan(expected):
            assert np.isnan(got), f"{where}{got!r} != {expected!r}"
        elif isinstance(expected, (int, float, complex, bool, str, type(None))):
            if exact or not isinstance(expected, (float, complex)):
                assert got == expected, f"{where}{got!r} != {expected!r}"
            else:
                tol = 1e-12 if rtol is None else rtol
                assert abs(got - expected) <= atol + tol * abs(expected), (
                    f"{where}{got!r} != {expected!r}"
                )
        else:
            assert got == expected, f"{where}{got!r} != {expected!r}"
        return

    if not values:
        return
    if exact:
        compare_arrays(got_arr, exp_arr, where=where)
    else:
        r = default_rtol(exp_arr.dtype) if rtol is None else rtol
        compare_arrays(got_arr, exp_arr, atol=atol, rtol=r, where=where)


def assert_close(got: Any, want: Any, exact: bool = False, *, rtol: float | None = None,
                 atol: float = 0.0) -> None:
    """Compare two array-likes (lazynp arrays are forced) with :func:`compare_arrays`.

    dtype and shape must be identical; integer and bool values are always exact; float and
    complex values are exact with ``exact=True``, else within ``rtol`` (default
    ``RTOL[dtype]``; a float or complex dtype missing from ``RTOL`` is an error) and ``atol``.
    """
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if exact or want.dtype.kind not in "fc":
        compare_arrays(got, want)
    else:
        r = RTOL[want.dtype] if rtol is None else rtol
        compare_arrays(got, want, atol=atol, rtol=r)


def same_values(ra: Any, rb: Any) -> bool:
    """Whether ``rb`` (a lazynp result) is bit-identical to ``ra`` (NumPy's), as a bool.

    A lazynp array stands for a ``numpy.ndarray`` (``ra`` must then be exactly one); lists
    are compared element by element; other results must have exactly the same type; arrays
    and NumPy scalars the same dtype and shape and exactly equal values
    (:func:`compare_arrays` with no tolerance: NaN where NaN is, part by part for complex);
    a float NaN equals a NaN.
    """
    from lazynp.random._wrap import asnumpy, is_lazynp

    if is_lazynp(rb):
        if type(ra) is not np.ndarray:
            return False
        rb = asnumpy(rb)
    if isinstance(ra, list):
        return (isinstance(rb, list) and len(ra) == len(rb)
                and all(same_values(x, y) for x, y in zip(ra, rb)))
    if type(ra) is not type(rb):
        return False
    if isinstance(ra, (np.ndarray, np.generic)):
        if ra.dtype != rb.dtype or ra.shape != rb.shape:
            return False
        try:
            compare_arrays(np.asarray(rb), np.asarray(ra))
        except AssertionError:
            return False
        return True
    if isinstance(ra, float) and ra != ra:
        return rb != rb
    return ra == rb


def assert_raises_like(np_call, lnp_call) -> BaseException:
    """Run ``np_call()``, which must raise; ``lnp_call()`` must raise an instance of its type.

    Returns the lazynp exception.
    """
    try:
        np_call()
    except Exception as e:  # noqa: BLE001 - we compare whatever NumPy raised
        np_err = e
    else:
        raise AssertionError("test bug: the NumPy call did not raise")
    try:
        lnp_call()
    except Exception as e:  # noqa: BLE001
        if not isinstance(e, type(np_err)):
            raise AssertionError(
                f"NumPy raised {type(np_err).__module__}.{type(np_err).__name__}({np_err}), "
                f"lazynp raised {type(e).__module__}.{type(e).__name__}({e})"
            ) from e
        return e
    raise AssertionError(
        f"NumPy raised {type(np_err).__name__}({np_err}) but lazynp did not raise"
    )


@contextlib.contextmanager
def recorded_warnings():
    """Record every warning (filter 'always') inside the block; yields the list."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def warning_summary(caught) -> list[tuple[type, str]]:
    """(category, message) pairs of NumPy-style warnings, sorted, duplicates removed."""
    return sorted({(w.category, str(w.message)) for w in caught}, key=repr)


def warning_categories(caught) -> set[type]:
    return {w.category for w in caught}


def run_both(fn, *, exact: bool = False, rtol: float | None = None, atol: float = 0.0,
             values: bool = True, errstate: str | None = "ignore") -> tuple[Any, Any]:
    """Call ``fn(numpy)`` and ``fn(lazynp)`` and compare the results with :func:`assert_same`.

    ``fn`` builds its own inputs from the module it gets (``xp.asarray(...)``), so that each
    side has private buffers. If NumPy raises, lazynp must raise an instance of the same type.
    Returns ``(lazynp_result, numpy_result)``.
    """
    lnp = lnp_module()
    def ctx():
        return np.errstate(all=errstate) if errstate else contextlib.nullcontext()

    with ctx():
        try:
            expected = fn(np)
        except Exception as e:  # noqa: BLE001
            np_err = e
        else:
            np_err = None
    if np_err is not None:
        with ctx():
            try:
                fn(lnp)
            except Exception as e:  # noqa: BLE001
                if not isinstance(e, type(np_err)):
                    raise AssertionError(
                        f"NumPy raised {type(np_err).__name__}({np_err}), lazynp raised "
                        f"{type(e).__name__}({e})"
                    ) from e
                return e, np_err
        raise AssertionError(f"NumPy raised {type(np_err).__name__}({np_err}); lazynp did not")
    with ctx():
        got = fn(lnp)
        assert_same(got, expected, rtol=rtol, atol=atol, exact=exact, values=values)
    return got, expected
