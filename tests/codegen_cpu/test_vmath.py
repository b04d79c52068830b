"""lazynp's own vector math (``codegen_cpu/vmath.py``) in compiled kernels.

The functions ``libm.LIBM_IMPL`` gives to vmath must be vector code in a flat loop and the
same formulas elsewhere: an element gets the same bits from the vector lanes, the scalar
remainder, the strided nest and a pairwise sum, whatever its position, and on any host
(register permutes or gathers for the tables).  They must be within ``ULP_BOUNDS`` of NumPy
over a larger sample than ``test_ulp.py`` (hard cases included), and raise a floating-point
flag exactly where NumPy warns: a spurious flag would send ordinary data to the reference
executor, a missing one would lose a warning.
"""

from __future__ import annotations

import ctypes
import re
import warnings

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_cpu import build, compiler, libm, runtime, vmath
from tests.codegen_cpu.test_ulp import ulp_distance

_NUMPY_NAME = {"exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "log": "log"}
_DTYPE = {"double": np.float64, "float": np.float32}
CASES = sorted((_NUMPY_NAME[name], _DTYPE[ty]) for (name, ty), impl in libm.LIBM_IMPL.items()
               if impl == "vmath")
IDS = [f"{n}-{np.dtype(d).name}" for n, d in CASES]


def test_vmath_entries_are_implemented() -> None:
    assert CASES
    for (name, ty), impl in libm.LIBM_IMPL.items():
        assert impl in ("vmath", "libmvec")
        if impl == "vmath":
            assert (name, ty) in vmath.IMPLEMENTED and name in _NUMPY_NAME


def _sample(name: str, dt: type, n: int, seed: int = 0) -> np.ndarray:
    """Arguments over the whole domain that raise no flag but underflow, hard cases included."""
    rng = np.random.default_rng(seed)
    k = n // 4
    if name == "exp":
        # every range: normal results, |x| >= 512 (two-step scaling), subnormal results
        parts = [rng.uniform(-745.1, 709.78, k), rng.uniform(-1, 1, k),
                 rng.uniform(-745.1, -708, k),
                 rng.uniform(-1, 1, n - 3 * k) * 10.0 ** rng.uniform(-320, 0, n - 3 * k)]
    elif name == "log":
        bits = rng.integers(1, 0x7F800000, 2 * k, dtype=np.uint32)  # every positive float
        parts = [bits.view(np.float32), rng.uniform(0.5, 2, n - 2 * k)]
    else:
        # moderate, large (up to and beyond 2^20 * pi/2: glibc's lanes), near multiples of
        # pi/2 (the second and third reduction rounds), tiny
        near = np.round(rng.uniform(-1e6, 1e6, k)) * (np.pi / 2)
        near *= 1 + rng.uniform(-1e-15, 1e-15, k)
        parts = [rng.uniform(-10, 10, k), rng.uniform(-2e6, 2e6, k), near,
                 rng.choice([-1.0, 1.0], n - 3 * k) * 10.0 ** rng.uniform(-320, 2, n - 3 * k)]
    x = np.concatenate(parts).astype(dt)
    rng.shuffle(x)
    return x


def _compiled(fn: object, *arrays: object) -> np.ndarray:
    """``fn(*arrays)`` on the LLVM backend; fails if the kernel fell back to the reference."""
    runs = runtime.stats["runs"]
    fallbacks = sum(runtime.stats["fallbacks"].values())
    with lnp.config(backend="llvm", eager_threshold=0), np.errstate(under="ignore"):
        # (NumPy arrays become lazynp arrays here, where every size is the lazy tier)
        r = np.asarray(fn(*[lnp.array(a) if type(a) is np.ndarray else a for a in arrays]))
    assert runtime.stats["runs"] > runs
    assert sum(runtime.stats["fallbacks"].values()) == fallbacks, runtime.stats["fallbacks"]
    return r


@pytest.mark.parametrize("name,dt", CASES, ids=IDS)
def test_max_ulp_from_numpy_large_sample(name: str, dt: type) -> None:
    x = _sample(name, dt, 1_000_003)
    with np.errstate(under="ignore"):
        want = getattr(np, name)(x)
    got = _compiled(getattr(lnp, name), lnp.array(x))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    np.testing.assert_array_equal(got[~fin], want[~fin])
    bound = libm.ULP_BOUNDS[name][0 if dt == np.float64 else 1]
    assert int(ulp_distance(got[fin], want[fin]).max()) <= bound


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint64 if a.dtype == np.float64 else np.uint32)


def _with_specials(name: str, dt: type, n: int) -> np.ndarray:
    x = _sample(name, dt, n, seed=1)
    x[::97] = np.nan  # and special values NumPy does not warn about
    x[5::97] = 0.0 if name in ("sin", "cos", "tan") else np.inf
    x[9::97] = -0.0 if name in ("sin", "cos", "tan") else np.float32(1.0)
    if name == "exp":
        x[9::97] = -np.inf
    return x


@pytest.mark.parametrize("name,dt", CASES, ids=IDS)
def test_same_bits_from_every_loop(name: str, dt: type) -> None:
    """Vector lanes, scalar remainder (shifted starts), strided nest, pairwise sum and a
    sum over the outer axis (the strided nest's lanes combining into an accumulator)."""
    x = _with_specials(name, dt, 20_011)
    f = getattr(lnp, name)
    flat = _compiled(f, lnp.array(x))
    for shift in (1, 3, 7):
        np.testing.assert_array_equal(_bits(_compiled(f, lnp.array(x[shift:]))),
                                      _bits(flat[shift:]))
    wide = np.empty(2 * x.size, dt)
    wide[::2] = x
    np.testing.assert_array_equal(_bits(_compiled(lambda a: f(a[::2]), wide)), _bits(flat))
    ok = np.abs(flat) < np.finfo(dt).max / 2**30  # (sums that do not overflow)
    y = lnp.array(x[ok])
    total = _compiled(lambda a: f(a).sum(), y)
    assert _bits(total) == _bits(np.sum(flat[ok]))  # NumPy's pairwise order, same terms
    cols = x[ok][:100 * 150].reshape(100, 150)
    by_col = _compiled(lambda a: f(a).sum(axis=0), lnp.array(cols))
    np.testing.assert_array_equal(_bits(by_col),  # rows added in order, as NumPy's
                                  _bits(np.add.reduce(flat[ok][:100 * 150].reshape(100, 150))))


def _warned(fn: object, x: object) -> set[str]:
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        np.asarray(fn(x))
    return {str(w.message) for w in caught}


def _specials(name: str, dt: type) -> list[float]:
    info = np.finfo(dt)
    vals = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, float(info.max),
            -float(info.max), float(info.smallest_subnormal), -float(info.smallest_subnormal),
            float(info.smallest_normal), 1e-300, -1e-300]
    if name == "exp":
        vals += [709.78, 709.79, 800.0, 1e5, -700.0, -708.5, -720.0, -745.1, -746.0, -1e5,
                 512.0, -512.0, 1024.0, -1024.0]
    elif name != "log":
        vals += [1e-20, 2.0 ** -26, 1e5, 1.6e6, 1.7e6, 1e22, np.pi / 2, -np.pi / 2]
    return vals


@pytest.mark.parametrize("name,dt", CASES, ids=IDS)
def test_flags_and_warnings_as_numpy(name: str, dt: type) -> None:
    """Each special value alone and among ordinary lanes at every position: lazynp warns as
    NumPy does, and where NumPy does not warn the kernel stayed compiled."""
    rng = np.random.default_rng(2)
    f = getattr(lnp, name)
    for v in _specials(name, dt):
        for pos in (None, 0, 3, 7, 8, 12, 17):
            x = np.full(19, v, dt) if pos is None else rng.uniform(0.5, 3, 19).astype(dt)
            if pos is not None:
                x[pos] = v
            want = _warned(getattr(np, name), x)
            fallbacks = runtime.stats["fallbacks"]["fp flags"]
            with lnp.config(backend="llvm", eager_threshold=0):
                got = _warned(f, lnp.array(x))
            assert got == want, (v, pos)
            assert (runtime.stats["fallbacks"]["fp flags"] > fallbacks) == bool(want), (v, pos)


def _kernel_ir(monkeypatch: pytest.MonkeyPatch, fn: object, x: np.ndarray) -> str:
    seen: list[str] = []
    real = compiler.compile_ir

    def capture(ir: str, *args: object, **kwargs: object) -> object:
        seen.append(ir)
        return real(ir, *args, **kwargs)

    monkeypatch.setattr(compiler, "compile_ir", capture)
    runtime.reset()
    _compiled(fn, lnp.array(x))
    return seen[-1]


@pytest.mark.parametrize("name,dt", CASES, ids=IDS)
def test_kernels_call_vmath_not_libm(monkeypatch: pytest.MonkeyPatch, name: str,
                                     dt: type) -> None:
    x = _sample(name, dt, 1000)
    ir = _kernel_ir(monkeypatch, lambda a: getattr(lnp, name)(a) * 2, x)
    ty = "double" if dt == np.float64 else "float"
    sym = vmath.symbol(name, ty)
    abi, _ = build._vector_abi()
    if abi is not None:
        assert f"{sym}_x{abi[1]}(" in ir  # the lanes
    assert f"{sym}(" in ir  # remainder and strided nest
    kernel = re.sub(r"define internal [^\n]*@lnp_vm_.*?\n}", "", ir, flags=re.S)
    cname = name + ("f" if ty == "float" else "")
    assert f"call {ty} {sym}(" in kernel and f"call {ty} @{cname}(" not in kernel


def _run_vmath(name: str, ty: str, w: int, avx512: bool, x: np.ndarray) -> np.ndarray:
    """``name`` over ``x`` by vmath's function of ``w`` lanes, in a loop of our own."""
    d = vmath.definition(name, ty, w, avx512)
    t = ty if w == 1 else f"<{w} x {ty}>"
    loop = f"""
define void @run(ptr %in, ptr %out, i64 %n) {{
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %p = getelementptr {ty}, ptr %in, i64 %i
  %x = load {t}, ptr %p, align 4
  %y = call {t} {d.name}({t} %x)
  %q = getelementptr {ty}, ptr %out, i64 %i
  store {t} %y, ptr %q, align 4
  %i1 = add i64 %i, {w}
  %more = icmp slt i64 %i1, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}}"""
    lib = compiler.compile_ir("\n".join(sorted(d.decls)) + "\n" + d.text + loop,
                              f"vmath_{name}_{w}")  # (no disk cache)
    fn = lib.cfunc("run", None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)
    out = np.empty_like(x)
    fn(x.ctypes.data, out.ctypes.data, x.size)
    return out


@pytest.mark.parametrize("name,dt", CASES, ids=IDS)
def test_same_bits_on_every_host(name: str, dt: type) -> None:
    """Scalar form, 2, 4 and 8 lanes, tables as gathers or (AVX-512) register permutes."""
    x = _with_specials(name, dt, 4096)
    ty = "double" if dt == np.float64 else "float"
    want = _bits(_run_vmath(name, ty, 1, False, x))
    avx512 = "+avx512f" in compiler.host_info()["features"]
    for w, perm in ((2, False), (4, False), (8, False), (8, avx512)):
        np.testing.assert_array_equal(_bits(_run_vmath(name, ty, w, perm, x)), want)


def test_exp_table_is_arms() -> None:
    """The generated 2^(j/N) table against ARM's published one (``__exp_data.tab``, N = 128:
    its entry 8j is our j for N = 16, the same tail and the same scale bits)."""
    tails, heads = vmath._exp_tables()
    published = {1: (0x3C979AA65D837B6D, 0x3FEFB5586CF9890F),   # 8/128
                 8: (0xBC93B3EFBF5E2228, 0x3FEEA09E667F3BCD),   # 64/128
                 15: (0xBC8FF7128FD391F0, 0x3FEFA4AFA2A490DA)}  # 120/128
    for j, entry in published.items():
        assert (tails[j], heads[j]) == entry
