"""ULP accuracy of the LLVM backend's transcendental functions against NumPy's own results.

The functions, their arity and their bounds come from one place, the rows of
``codegen_cpu/libm.py`` (max ULP distance from NumPy, float64 and float32, per NumPy ufunc
name); ``docs/numerics.md`` shows the same table, and
:func:`test_docs_table_matches_the_bounds` keeps the two equal.

Every function is run compiled (the test checks that no kernel fell back to the reference
executor) over many inputs of its whole domain, through both entry points: the flat loop
(vector lanes, libmvec's or vmath's, plus a scalar remainder: the arrays are not a multiple
of the vector width) and the strided nest (a ``[::2]`` view).  ``test_vmath.py`` measures
lazynp's own functions on larger samples.  Inputs are chosen so that no floating-point flag
but underflow is raised: a flag makes the runtime rerun the kernel on the reference executor.
Special values (signed zeros, infinities, NaN, subnormals, domain edges) must give NumPy's
result bit for bit, whichever executor ends up computing them.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_cpu import build, runtime
from lazynp.codegen_cpu.libm import ROWS, ULP_BOUNDS, docs_table

N = 40_003  # not a multiple of any vector width: the scalar remainder runs too
DTYPES = [np.float64, np.float32]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "numerics.md"


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of representable floats between ``a`` and ``b`` (same dtype, both finite)."""
    it = np.int64 if a.dtype == np.float64 else np.int32
    lo = np.iinfo(it).min

    def ordered(x: np.ndarray) -> np.ndarray:
        i = x.view(it).astype(np.int64)
        return np.where(i < 0, lo - i, i)

    return np.abs(ordered(a) - ordered(b))


def _mag(rng: np.random.Generator, lo: float, hi: float, n: int, signed: bool) -> np.ndarray:
    """Log-uniform magnitudes in [10**lo, 10**hi], random signs when ``signed``."""
    x = 10.0 ** rng.uniform(lo, hi, n)
    if signed:
        x *= rng.choice([-1.0, 1.0], n)
    return x


def _unif(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return rng.uniform(lo, hi, n)


def _inputs(name: str, dt: type, seed: int = 0) -> list[np.ndarray]:
    """Random arguments over the function's domain, none raising divide/overflow/invalid
    (a function not named here: ``ARITY[name]`` arrays over the whole real line)."""
    rng = np.random.default_rng(seed)
    f64 = dt == np.float64
    big = 307 if f64 else 37.5    # log10 of the largest magnitude used
    tiny = -320 if f64 else -44   # log10 of the smallest (subnormal) magnitude used
    n = N // 2
    emax = 709.7 if f64 else 88.6
    wide = np.concatenate([_mag(rng, tiny, big, n, True), _unif(rng, -10, 10, N - n)])
    if name == "exp":
        x = np.concatenate([_unif(rng, -745 if f64 else -103, emax, n), _unif(rng, -3, 3, N - n)])
    elif name == "exp2":
        x = np.concatenate([_unif(rng, -1074 if f64 else -149, 1023.9 if f64 else 127.9, n),
                            _unif(rng, -3, 3, N - n)])
    elif name == "expm1":
        x = np.concatenate([_unif(rng, -60, emax, n), _mag(rng, tiny, 0, N - n, True)])
    elif name in ("sinh", "cosh"):
        x = np.concatenate([_unif(rng, -emax, emax, n), _mag(rng, tiny, 0.5, N - n, True)])
    elif name in ("log", "log2", "log10"):
        x = np.concatenate([_mag(rng, tiny, big, n, False), _unif(rng, 0.5, 2, N - n)])
    elif name == "log1p":
        x = np.concatenate([_mag(rng, tiny, big, n, False), _unif(rng, -0.999, 1, N - n)])
    elif name in ("arcsin", "arccos", "arctanh"):
        x = np.concatenate([_unif(rng, -0.9999, 0.9999, n), _mag(rng, tiny, 0, N - n, True)])
    elif name == "arccosh":
        x = 1 + np.concatenate([_mag(rng, -15 if f64 else -6, big, n, False),
                                _unif(rng, 0, 3, N - n)])
    elif name in ("sin", "cos", "tan"):
        # large arguments need an exact range reduction; most data is moderate
        x = np.concatenate([_mag(rng, tiny, big, n // 4, True),
                            _unif(rng, -1e4, 1e4, n - n // 4), _unif(rng, -7, 7, N - n)])
    elif name in ("arctan2", "hypot"):
        top = 150 if f64 else 18  # hypot must not overflow
        y = np.concatenate([_mag(rng, tiny, top, n, True), _unif(rng, -3, 3, N - n)])
        x = np.concatenate([_mag(rng, tiny, top, n, True), _unif(rng, -3, 3, N - n)])
        return [y.astype(dt), x.astype(dt)]
    elif name in ("power", "float_power"):
        lim = 5 if f64 else 1
        x = np.concatenate([_mag(rng, -lim, lim, n, False), _unif(rng, 0.5, 2, N - n)])
        y = np.concatenate([_unif(rng, -30, 30, n), _unif(rng, -4, 4, N - n)])
        neg = rng.random(N) < 0.1  # negative bases with integral exponents
        x[neg] = -x[neg]
        y[neg] = np.round(y[neg])
        return [x.astype(dt), y.astype(dt)]
    else:  # tanh, arctan, arcsinh, cbrt: the whole real line
        x = wide
    arrays = [x.astype(dt)]
    for _ in range(1, ARITY[name]):
        arrays.append(rng.permutation(x).astype(dt))
    return arrays


ARITY = {r.op.value: r.arity for r in ROWS}
FUNCS = sorted(ARITY)
CASES = [(name, dt) for name in FUNCS for dt in DTYPES
         if not (name == "float_power" and dt == np.float32)]  # float_power computes in f64


def test_every_rendered_transcendental_has_a_bound():
    assert sorted(ULP_BOUNDS) == FUNCS
    for name, arity in ARITY.items():  # the row's arity is the ufunc's
        assert getattr(np, name).nin == arity, name


def _compiled(name: str, arrays: list[np.ndarray], strided: bool) -> np.ndarray:
    runs = runtime.stats["runs"]
    fallbacks = sum(runtime.stats["fallbacks"].values())
    with lnp.config(backend="llvm", eager_threshold=0):
        if strided:
            args = []
            for a in arrays:
                b = np.empty(2 * a.size, a.dtype)
                b[::2] = a
                args.append(lnp.array(b)[::2])
        else:
            args = [lnp.array(a) for a in arrays]
        r = np.asarray(getattr(lnp, name)(*args))
    assert runtime.stats["runs"] > runs
    assert sum(runtime.stats["fallbacks"].values()) == fallbacks, runtime.stats["fallbacks"]
    return r


# libmvec's float32 versions of these raise a spurious floating-point flag on large arguments
# (the first half of ``_inputs``): the runtime then reruns the kernel on the reference
# executor, which is exact.  Their lanes (flat loop and strided nest) are measured on the
# moderate half.
SPURIOUS_FLAGS_F32 = {"arccosh", "arcsinh", "cos", "cosh", "hypot", "sin", "sinh", "tan"}


def _measured_host() -> bool:
    """The bounds are measured on x86-64 with AVX-512 (Zen 4, glibc 2.36, NumPy 2.4): NumPy's
    own SIMD paths and libmvec's variants differ on other hosts."""
    return build._vector_abi()[0] == ("e", 8, 16)


@pytest.mark.parametrize("strided", [False, True], ids=["flat", "strided"])
@pytest.mark.parametrize("name,dt", CASES, ids=[f"{n}-{np.dtype(d).name}" for n, d in CASES])
def test_max_ulp_from_numpy(name: str, dt: type, strided: bool) -> None:
    if not _measured_host():
        pytest.skip("ULP bounds are measured against NumPy and libmvec on AVX-512 hosts")
    arrays = _inputs(name, dt)
    if dt == np.float32 and name in SPURIOUS_FLAGS_F32:
        with lnp.config(backend="llvm", eager_threshold=0), np.errstate(under="ignore"):
            whole = np.asarray(getattr(lnp, name)(*[lnp.array(a) for a in arrays]))
        _exact(whole, getattr(np, name)(*arrays))  # (recomputed by the reference)
        arrays = [a[N // 2:] for a in arrays]
    with np.errstate(under="ignore"):
        want = getattr(np, name)(*arrays)
    got = _compiled(name, arrays, strided)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    np.testing.assert_array_equal(got[~fin], want[~fin])
    bound = ULP_BOUNDS[name][0 if want.dtype == np.float64 else 1]
    worst = int(ulp_distance(got[fin], want[fin]).max())
    assert worst <= bound, f"{name} {want.dtype}: {worst} ULP > {bound}"


def _specials(name: str, dt: type) -> np.ndarray:
    info = np.finfo(dt)
    vals = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0,
            float(info.smallest_subnormal), -float(info.smallest_subnormal),
            float(info.smallest_normal), -float(info.smallest_normal),
            float(info.max), -float(info.max), float(info.eps), np.pi, -np.pi]
    if name in ("exp", "expm1", "sinh", "cosh", "exp2"):
        lim = np.log(float(info.max))
        vals += [lim, -lim, np.nextafter(lim, 0), 1000.0, -1000.0, -745.2, -103.98]
    if name == "exp2":
        vals += [1024.0, 128.0, -1074.0, -149.0, -1075.0]
    if name in ("log1p", "arctanh"):
        vals += [-0.9999999]
    return np.array(vals, dtype=np.float64).astype(dt)


def _exact(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)  # NaN positions, infinities, values
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))  # signed zeros


def _special_ok(name: str, args: list[float], got: np.ndarray, want: np.ndarray) -> None:
    """Exact where an argument or the result is a zero, an infinity or NaN; within the
    bound elsewhere (subnormal arguments, domain edges with ordinary results)."""
    special = any(not np.isfinite(a) or a == 0 for a in args)
    if special or not np.isfinite(want).all() or (want == 0).any():
        _exact(got, want)
        return
    bound = ULP_BOUNDS[name][0 if want.dtype == np.float64 else 1]
    assert got.dtype == want.dtype
    assert int(ulp_distance(got, want).max()) <= bound, (name, args, got[0], want[0])


def _special_result(name: str, arrays: list[np.ndarray]) -> np.ndarray:
    with lnp.config(backend="llvm", eager_threshold=0), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(getattr(lnp, name)(*[lnp.array(a) for a in arrays]))


@pytest.mark.parametrize("name,dt", CASES, ids=[f"{n}-{np.dtype(d).name}" for n, d in CASES])
def test_special_values_are_exact(name: str, dt: type) -> None:
    """Zeros, infinities and NaN exact, other edge values within the bound.  One value at a
    time (17 copies: vector lanes and the scalar remainder), so that a
    value raising a flag (left to the reference executor) does not hide the others."""
    sp = _specials(name, dt)
    nargs = ARITY[name]
    compiled = 0
    for v in sp:
        others = sp if nargs == 2 else [None]
        for w in others:
            arrays = [np.full(17, v, dt)] + ([] if w is None else [np.full(17, w, dt)])
            with np.errstate(all="ignore"):
                want = getattr(np, name)(*arrays)
            runs = runtime.stats["runs"]
            _special_ok(name, [v] if w is None else [v, w], _special_result(name, arrays),
                        want)
            compiled += runtime.stats["runs"] > runs
    assert compiled > 0


def _docs_table() -> dict[str, tuple[int, int]]:
    text = DOCS.read_text()
    start = text.index("<!-- ulp-table -->")
    stop = text.index("<!-- /ulp-table -->")
    rows = {}
    for line in text[start:stop].splitlines():
        m = re.match(r"\|\s*`(\w+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return rows


def test_docs_table_matches_the_bounds():
    assert _docs_table() == ULP_BOUNDS
    text = DOCS.read_text()
    shown = text[text.index("<!-- ulp-table -->"):text.index("<!-- /ulp-table -->")]
    assert shown.split("\n", 1)[1].rstrip("\n") == docs_table(), (
        "docs/numerics.md's ULP table differs from codegen_cpu/libm.py; paste:\n"
        + docs_table())
