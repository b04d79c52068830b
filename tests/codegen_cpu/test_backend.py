"""Differential tests of the LLVM CPU backend: backend="llvm" vs backend="reference" vs NumPy.

Integer, bool and IEEE-exact float results must be identical; libm transcendentals are
compared with the suite's tolerance.  Every test also checks that the compiled backend really
ran (``runtime.stats``), so a silent fallback to the reference executor cannot pass.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_cpu import compiler, runtime
from tests.helpers import RTOL

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float32, np.float64]
ALL = [np.bool_] + INTS + FLOATS


def data(dtype: Any, shape: tuple, seed: int = 0, nonzero: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind == "f":
        a = (rng.standard_normal(shape) * 10).astype(dt)
        if a.size > 4:
            a.flat[:4] = [0.0, -0.0, 0.5, -2.5]
        return a
    info = np.iinfo(dt)
    lo = max(info.min, -100)
    a = rng.integers(lo, min(info.max, 100), size=shape, endpoint=True).astype(dt)
    if nonzero:
        a[a == 0] = 3
    return a


def run(fn: Callable, arrays: list, backend: str) -> tuple[np.ndarray, list]:
    with lnp.config(backend=backend, eager_threshold=0):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = fn(lnp, *[lnp.array(a.copy()) for a in arrays])
            r = np.asarray(r)
    return r, sorted(str(x.message) for x in w)


def same(got: np.ndarray, want: np.ndarray, exact: bool) -> None:
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if exact or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=RTOL[want.dtype] * 10, atol=0,
                                   equal_nan=True)


def check(fn: Callable, *arrays: np.ndarray, exact: bool = True, compiled: bool = True
          ) -> None:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        want = np.asarray(fn(np, *arrays))
    want_warn = sorted(str(x.message) for x in w)
    ref, ref_warn = run(fn, arrays, "reference")
    runs = runtime.stats["runs"]
    got, got_warn = run(fn, arrays, "llvm")
    if compiled:
        assert runtime.stats["runs"] > runs, f"not compiled: {runtime.stats['fallbacks']}"
    same(got, ref, exact)
    same(got, want, exact)
    assert got_warn == ref_warn == want_warn


BINARY = {
    "add": lambda xp, a, b: a + b,
    "sub": lambda xp, a, b: a - b,
    "mul": lambda xp, a, b: a * b,
    "div": lambda xp, a, b: a / b,
    "fdiv": lambda xp, a, b: a // b,
    "rem": lambda xp, a, b: a % b,
    "min": lambda xp, a, b: xp.minimum(a, b),
    "max": lambda xp, a, b: xp.maximum(a, b),
    "fmin": lambda xp, a, b: xp.fmin(a, b),
    "fmax": lambda xp, a, b: xp.fmax(a, b),
    "lt": lambda xp, a, b: a < b,
    "ge": lambda xp, a, b: a >= b,
    "eq": lambda xp, a, b: a == b,
    "ne": lambda xp, a, b: a != b,
    "and": lambda xp, a, b: xp.logical_and(a, b),
    "xor": lambda xp, a, b: xp.logical_xor(a, b),
}


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_ops_every_dtype(op: str, dtype: Any) -> None:
    if np.dtype(dtype).kind == "b" and op in ("sub", "fdiv", "rem"):
        return  # NumPy raises at record time
    a = data(dtype, (7, 33), 1)
    b = data(dtype, (7, 33), 2, nonzero=True)
    check(BINARY[op], a, b)


UNARY = {
    "neg": lambda xp, a: -a,
    "abs": lambda xp, a: xp.abs(a),
    "sq": lambda xp, a: xp.square(a),
    "floor": lambda xp, a: xp.floor(a),
    "ceil": lambda xp, a: xp.ceil(a),
    "trunc": lambda xp, a: xp.trunc(a),
    "rint": lambda xp, a: xp.rint(a),
    "sign": lambda xp, a: xp.sign(a),
    "not": lambda xp, a: xp.logical_not(a),
    "to_i32": lambda xp, a: a.astype(np.int32),
    "to_u8": lambda xp, a: (a % 100).astype(np.uint8),
    "to_f32": lambda xp, a: a.astype(np.float32),
    "to_bool": lambda xp, a: a.astype(bool),
    "where": lambda xp, a: xp.where(a > 1, a, a * 2),
}


@pytest.mark.parametrize("dtype", INTS + FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_ops_and_casts(op: str, dtype: Any) -> None:
    dt = np.dtype(dtype)
    if op in ("neg",) and dt.kind == "u":
        return
    if op in ("floor", "ceil", "trunc", "rint") and dt.kind != "f":
        return
    check(UNARY[op], data(dtype, (5, 40), 3))


def test_float_special_values() -> None:
    v = np.array([np.nan, 0.0, -0.0, np.inf, -np.inf, 1.0, -1.0, 2.5], dtype=np.float64)
    a = np.repeat(v, 8)
    b = np.tile(v, 8)
    for name in ("min", "max", "fmin", "fmax", "lt", "ne", "and"):
        check(BINARY[name], a, b)
    check(lambda xp, x: xp.isnan(x) | xp.isinf(x) | xp.signbit(x), a)
    check(lambda xp, x: xp.sign(x), a)


def test_transcendentals_within_tolerance() -> None:
    x = np.linspace(0.01, 5, 3000)
    check(lambda xp, a: xp.exp(-a) * xp.sin(a) + xp.log(a) - xp.tanh(a), x, exact=False)
    check(lambda xp, a: xp.sqrt(a) ** 1.5, x, exact=False)
    check(lambda xp, a: xp.exp(-a.astype(np.float32)), x, exact=False)


def test_integer_division_by_zero_and_overflow() -> None:
    a = np.array([7, -7, 0, -128, 5, -128] * 50, dtype=np.int8)
    b = np.array([0, 2, 0, -1, -3, 3] * 50, dtype=np.int8)
    check(lambda xp, x, y: x // y, a, b)
    check(lambda xp, x, y: x % y, a, b)
    c = np.array([1, 2, 3, 4] * 40, dtype=np.uint32)
    d = np.array([0, 1, 2, 5] * 40, dtype=np.uint32)
    check(lambda xp, x, y: x // y + x % y, c, d)


def test_float_warnings_match_numpy() -> None:
    x = np.array([1.0, 0.0, -1.0, 2.0] * 100)
    check(lambda xp, a: xp.log(a) + 1, x, exact=False)
    check(lambda xp, a: 1.0 / a, x)
    check(lambda xp, a: xp.exp(a * 1000), x)
    with np.errstate(divide="ignore", invalid="ignore"):
        check(lambda xp, a: xp.log(a) * 2, x, exact=False)


def test_mixed_dtypes_and_constants() -> None:
    i = data(np.int32, (30, 30), 4)
    f = data(np.float32, (30, 30), 5)
    u = data(np.uint64, (30, 30), 6)
    check(lambda xp, a, b: (a * 3 + b) / 2 - a // 4, i, f)
    check(lambda xp, a, b: a < b, u, i.astype(np.int8))
    check(lambda xp, a: xp.where(a > 0, 1.5, -2) * a, f)
    # same kernel, another constant: the compiled kernel reads constants at run time
    check(lambda xp, a, b: (a * 7 + b) / 3 - a // 5, i, f)


LAYOUTS = {
    "contiguous": lambda a: a,
    "strided": lambda a: a[::2, 1::3],
    "negative": lambda a: a[::-1, ::-2],
    "transposed": lambda a: a.T,
    "row-broadcast": lambda a: a[:1, :],
    "col-broadcast": lambda a: a[:, :1],
    "scalar": lambda a: a[:1, :1],
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts(layout: str) -> None:
    base = data(np.float64, (40, 40), 7)
    other = data(np.float64, (40, 40), 8)
    view = LAYOUTS[layout]

    def fn(xp: Any, a: Any, b: Any) -> Any:
        v = view(a)
        w = b[: v.shape[0], : v.shape[1]] if v.shape[0] > 1 and v.shape[1] > 1 else b
        return v * 2 + w - 1

    check(fn, base, other)


def test_zero_d_and_empty() -> None:
    check(lambda xp, a: a * 2 + 1, np.array(3.5), compiled=False)
    check(lambda xp, a: a * 2 + 1, np.zeros((0, 5)), compiled=False)
    check(lambda xp, a: (a * 2).sum(axis=0), np.zeros((0, 5)), compiled=False)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: np.dtype(d).name)
def test_reductions_over_axes(dtype: Any) -> None:
    a = data(dtype, (6, 7, 9), 9)
    dt = np.dtype(dtype)
    exact = dt.kind != "f"
    for axis in (0, 1, 2, (0, 2), (1, 2), None):
        check(lambda xp, x, axis=axis: (x * 1).sum(axis=axis), a, exact=exact,
              compiled=not (axis is None and dt.kind == "f"))
        # (max min any all along axes: left to the reference executor, NumPy's loops)
        full = axis is None
        check(lambda xp, x, axis=axis: (x * 1).max(axis=axis), a, compiled=full)
        check(lambda xp, x, axis=axis: (x * 1).min(axis=axis, keepdims=True), a,
              compiled=full)
        check(lambda xp, x, axis=axis: (x > 1).any(axis=axis), a, compiled=full)
        check(lambda xp, x, axis=axis: (x > 1).all(axis=axis), a, compiled=full)
    if dt.kind == "f":
        check(lambda xp, x: (x * 2).mean(axis=1), a, exact=False)
        check(lambda xp, x: (x / 8).prod(axis=2), a, exact=False)


def test_full_float_sums_keep_numpys_digits() -> None:
    for n in (5, 100, 1000, 70001, 300007):
        for dt in FLOATS:
            x = data(dt, (n,), n).astype(dt)
            check(lambda xp, a: (a * 3).sum(), x, exact=True)
            check(lambda xp, a: (a + 1).mean(), x, exact=True)


def test_thread_counts_are_bit_identical() -> None:
    a = np.random.default_rng(11).random((700, 1000))
    got = []
    for threads in (1, 2, 3):
        with lnp.config(num_threads=threads, backend="llvm"):
            x = lnp.array(a)
            got.append([np.asarray(v) for v in (
                (x * 1.5 + 1).sum(axis=1), (x * 1.5).sum(axis=0), (x * x).sum(),
                (x[::2] * 3).sum(), (x - 0.5).prod(axis=1), lnp.sin(x) * 2)])
    for other in got[1:]:
        for u, v in zip(got[0], other):
            assert u.tobytes() == v.tobytes()


def test_one_compile_serves_all_sizes() -> None:
    seen = set()
    before = runtime.stats["compiled"]
    for n in (5000, 17000, 123457):
        with lnp.config(backend="llvm"):
            x = lnp.array(np.arange(n, dtype=np.float64))
            r = np.asarray(lnp.sqrt(x) * 2.25 - x / 7.125)
        np.testing.assert_array_equal(r, np.sqrt(np.arange(n)) * 2.25 - np.arange(n) / 7.125)
        seen.add(runtime.stats["compiled"])
    assert runtime.stats["compiled"] - before <= 1
    assert len(seen) == 1


def test_in_place_update_keeps_identity() -> None:
    xn = np.linspace(0, 1, 200000)
    with lnp.config(backend="llvm"):
        a = lnp.array(xn.copy())
        ident = id(a)
        a += lnp.array(xn) * 3 + 1
        assert id(a) == ident
        np.testing.assert_array_equal(np.asarray(a), xn + (xn * 3 + 1))
        # a flag in place: the reference reruns from the old values
        b = lnp.array(xn.copy())
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            b /= lnp.array(xn)
        want = xn.copy()
        with warnings.catch_warnings(record=True) as w2:
            warnings.simplefilter("always")
            want /= xn
        np.testing.assert_array_equal(np.asarray(b), want)
        assert [str(x.message) for x in w] == [str(x.message) for x in w2]


def test_kernel_ir_is_cached_on_disk(tmp_path: Any) -> None:
    with lnp.config(backend="llvm", cache_dir=str(tmp_path)):
        runtime.reset()
        compiler.clear_memory_cache()
        x = lnp.array(np.arange(10000.0))
        np.asarray(x * 2.5 + 1)
        assert list((tmp_path / "llvm").glob("*.o"))


def test_row_sums_keep_numpys_digits() -> None:
    for dt in FLOATS:
        x = data(dt, (40, 3001), 12)
        check(lambda xp, a: (a * 3).sum(axis=1), x, exact=True)
        check(lambda xp, a: (a - 1).mean(axis=-1, keepdims=True), x, exact=True)
        y = data(dt, (6, 30, 50), 13)
        check(lambda xp, a: (a * 3).sum(axis=(1, 2)), y, exact=False)


def test_unsupported_ops_fall_back_to_the_reference() -> None:
    runtime.reset()
    h = data(np.float16, (30, 40), 14)
    check(lambda xp, a: xp.exp(a * 2 + 1), h, compiled=False)
    c = data(np.float64, (30, 40), 15) * 1j
    check(lambda xp, a: xp.exp(a * 2 + 1), c, compiled=False)
    assert runtime.stats["fallbacks"]


def test_backend_setting_is_checked() -> None:
    from lazynp._config import SETTINGS

    parse = next(s.parse for s in SETTINGS if s.name == "backend")
    assert parse(" LLVM ") == "llvm"
    with pytest.raises(ValueError):
        parse("fast")


RANDOM_PROGRAMS = {
    "pi": lambda xp, x, y, c: ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum() * (4 / len(x)),
    "float_sum": lambda xp, x, y, c: (x * y).sum(),
    "float_mean": lambda xp, x, y, c: (x - 0.5).mean(),
    "elementwise": lambda xp, x, y, c: x * c + y,
    "scalar_bcast": lambda xp, x, y, c: (x * 2.0 - 1.0).max(),
}


@pytest.mark.parametrize("n", [5000, 3 * runtime.GEN_CHUNK + 12345])
@pytest.mark.parametrize("prog", sorted(RANDOM_PROGRAMS))
def test_random_sources_run_compiled(prog: str, n: int) -> None:
    """Kernels reading lazy random draws run compiled, generating the draws chunk by chunk,
    with NumPy's values (the serial stream), on 1, 2 and 3 threads alike."""
    fn = RANDOM_PROGRAMS[prog]
    g = np.random.default_rng(7)
    c = np.arange(n, dtype=np.float64)
    want = np.asarray(fn(np, g.random(n), g.random(n), c))
    got = []
    for threads in (1, 2, 3):
        runs, fallbacks = runtime.stats["runs"], sum(runtime.stats["fallbacks"].values())
        with lnp.config(backend="llvm", num_threads=threads):
            r = lnp.random.default_rng(7)
            x, y = r.random(n), r.random(n)
            assert lnp.is_lazy(x)
            got.append(np.asarray(fn(lnp, x, y, lnp.array(c))))
        assert runtime.stats["runs"] > runs
        assert sum(runtime.stats["fallbacks"].values()) == fallbacks, runtime.stats["fallbacks"]
    for r in got:
        assert r.dtype == want.dtype and r.shape == want.shape
        np.testing.assert_array_equal(r, want)


def test_random_source_with_strided_input_falls_back_correctly() -> None:
    n = 300
    g = np.random.default_rng(3)
    m = np.arange(n * n, dtype=np.float64).reshape(n, n)
    want = g.random((n, n)) + m.T
    with lnp.config(backend="llvm"):
        r = lnp.random.default_rng(3)
        got = np.asarray(r.random((n, n)) + lnp.array(m).T)
    np.testing.assert_array_equal(got, want)


AXIS_CASES = {
    "sum_rows_of_c": lambda xp, a: a.sum(axis=0),
    "sum_each_row": lambda xp, a: a.sum(axis=1),
    "mean_each_row": lambda xp, a: a.mean(axis=1),
    "max_rows_of_c": lambda xp, a: a.max(axis=0),
    "min_strided": lambda xp, a: a[::2, 1:].min(axis=0),
    "sum_transposed": lambda xp, a: a.T.sum(axis=1),
    "sum_3d_leading": lambda xp, a: a.reshape(6, -1, a.shape[1]).sum(axis=(0, 1)),
    "prod_rows_of_c": lambda xp, a: (a * 0.01 + 1.0).prod(axis=0),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
@pytest.mark.parametrize("case", sorted(AXIS_CASES))
def test_axis_reductions_of_pending_arrays(case: str, dtype: Any) -> None:
    """An axis reduction of a large pending array is one kernel with the expression it
    reduces: sums, means and products compiled (tiles of the kept axis, or runs of pairwise row
    sums), max/min left to the reference executor (NumPy's loops); equal to NumPy and the same
    on 1, 2 and 3 threads.  (A concrete array's reduction is NumPy's call at once.)"""
    fn = AXIS_CASES[case]
    a = data(dtype, (1002, 777), seed=4)
    if dtype is np.float64:
        a[5, 7] = np.nan
    want = np.asarray(fn(np, a))
    got = []
    numpy_loops = case.split("_")[0] in ("max", "min")
    for threads in (1, 2, 3):
        runs = runtime.stats["runs"]
        declined = sum(v for r, v in runtime.stats["fallbacks"].items() if "along axes" in r)
        with lnp.config(backend="llvm", num_threads=threads, parallel_threshold=0):
            got.append(np.asarray(fn(lnp, lnp.array(a) + 0)))
        if numpy_loops:
            assert sum(v for r, v in runtime.stats["fallbacks"].items()
                       if "along axes" in r) > declined
        else:
            assert runtime.stats["runs"] > runs, runtime.stats["fallbacks"]
    for r in got:
        assert r.dtype == want.dtype and r.shape == want.shape
        np.testing.assert_array_equal(r, got[0])
        if case == "sum_3d_leading" and dtype is not np.int32:
            np.testing.assert_allclose(r, want, rtol=RTOL[want.dtype] * 10)
        else:
            np.testing.assert_array_equal(r, want)


def test_fastmath_is_opt_in() -> None:
    """LAZYNP_FASTMATH=1 (config.fastmath) compiles with fast-math flags (never nnan/ninf):
    results within tolerance, NaN still propagates; the default emits no flag at all."""
    from lazynp.codegen_cpu.render import FAST_FLAGS, render
    from lazynp.fusion.plancache import cached_plan

    a = data(np.float64, (50_000,), seed=9)
    a[17] = np.nan
    la = lnp.array(a)
    k = cached_plan((la * 1.5 + 0.25)._node, 10.0, 200.0).kernels[0]
    assert FAST_FLAGS not in render(k).ir
    assert f"fmul {FAST_FLAGS} double" in render(k, fastmath=True).ir
    fns = [lambda xp, x: (x * x).sum(), lambda xp, x: (x * 1.5 + 0.25).max(),
           lambda xp, x: xp.sqrt(xp.abs(x)) / 3.0]
    for fn in fns:
        want = np.asarray(fn(np, a))
        runs = runtime.stats["runs"]
        with lnp.config(backend="llvm", fastmath=True):
            got = np.asarray(fn(lnp, la))
        assert runtime.stats["runs"] > runs
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("dt", [np.complex64, np.complex128])
def test_vector_lanes_storing_complex_results(dt: Any) -> None:
    """A body with vectorized calls (explicit lanes) whose result is cast to complex."""
    x = np.linspace(0.5, 2.0, 5003).astype(np.float32 if dt is np.complex64 else np.float64)
    check(lambda xp, a: xp.asarray(xp.exp(a), dtype=dt), x, exact=False)
    check(lambda xp, a: xp.asarray(xp.sin(a[::-2]) * 2, dtype=dt), x, exact=False)
