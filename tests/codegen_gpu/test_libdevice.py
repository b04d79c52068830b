"""The host definitions of libdevice's NVVM intrinsics and inline PTX (``libdevice.py``)
against exact arithmetic (Python fractions and integers): what ``test_ulp_gpu.py`` measures
is libdevice's code only if each PTX instruction is reproduced exactly.  Skipped where
libdevice.10.bc is missing or llvmlite cannot read it."""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.codegen_gpu import libdevice

pytestmark = pytest.mark.skipif(libdevice.unavailable() is not None,
                                reason=str(libdevice.unavailable()))

F32 = np.float32


def _floats(n: int, seed: int) -> np.ndarray:
    """float32 values of every magnitude and sign (subnormals included), some halves."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**31 - 2**23, n, dtype=np.int64)  # finite, both signs below
    x = bits.astype(np.uint32).view(F32) * rng.choice([-1, 1], n).astype(F32)
    x[: n // 8] = rng.integers(-40, 40, n // 8) / F32(2)  # exact halves and integers
    return x


def _down(q: Fraction, dt: type) -> np.floating:
    """The largest ``dt`` value <= ``q`` (``q`` within the finite range)."""
    x = dt(float(q))
    while Fraction(float(x)) > q:
        x = np.nextafter(x, dt(-np.inf))
    while Fraction(float(np.nextafter(x, dt(np.inf)))) <= q:
        x = np.nextafter(x, dt(np.inf))
    return x


def _toward_zero(q: Fraction, dt: type) -> np.floating:
    lo = _down(q, dt)
    if q >= 0 or Fraction(float(lo)) == q:
        return lo
    return np.nextafter(lo, dt(np.inf))


def _same(got: float, want: float) -> bool:
    g, w = F32(got), F32(want)
    return bool(g.view(np.uint32) == w.view(np.uint32))


def test_directed_rounding_is_exact():
    """``add.rz.f32`` and ``fma.rm.f32`` (the host's rounding modes around constrained
    operations) round the exact result toward zero and toward -inf; afterwards the host
    rounds to nearest again."""
    add_rz = libdevice.host_code("add.rz.f")
    fma_rm = libdevice.host_code("fma.rm.f")
    add_rn = libdevice.host_code("add.rn.f")
    a, b, c = _floats(3000, 1), _floats(3000, 2), _floats(3000, 3)
    # products and sums stay finite (many are subnormal)
    a, b, c = a * F32(2.0**-66), b * F32(2.0**-66), c * F32(0.5)
    for x, y, z in zip(a, b, c):
        q = Fraction(float(x)) + Fraction(float(y))
        if q == 0:  # -0 only from -0 + -0
            zero = F32(-0.0) if np.signbit(x) and np.signbit(y) else F32(0.0)
            assert _same(add_rz(x, y), zero), (x, y)
        else:
            assert _same(add_rz(x, y), _toward_zero(q, F32)), (x, y)
        p = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        if p != 0:  # (an exact zero is -0 under round-down)
            assert _same(fma_rm(x, y, z), _down(p, F32)), (x, y, z)
    assert _same(add_rn(F32(1), F32(0.75 * 2**-23)), np.nextafter(F32(1), F32(2)))
    assert _same(add_rz(F32(1), F32(0.75 * 2**-23)), F32(1))
    assert _same(add_rz(F32(-1), F32(-0.75 * 2**-23)), F32(-1))
    assert _same(fma_rm(F32(1), F32(1), F32(-(2**-30))), np.nextafter(F32(1), F32(0)))
    assert math.copysign(1, fma_rm(F32(1), F32(-1), F32(1))) == -1  # exact zero: -0


def test_conversions_and_clamps():
    """``cvt.rni.s32`` (round half to even, saturating, NaN to 0), ``cvt.rni.f32``,
    ``cvt.sat.f32`` (clamp to [0, 1], NaN to 0), ``min.f64``, the words of a double."""
    d2i, f2i = libdevice.host_code("d2i.rn"), libdevice.host_code("f2i.rn")
    vals = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.7, -3.7, 2**31 - 0.5, 2**31, 3e10, -3e10,
            -(2**31) - 0.6, np.inf, -np.inf, np.nan, 0.0, -0.0, 123456.5]

    def rni(v: float) -> int:
        if math.isnan(v):
            return 0
        return max(-(2**31), min(2**31 - 1, round(v) if math.isfinite(v) else int(v > 0) * 2**32
                                 - 2**31))

    for v in vals:
        assert d2i(v) == rni(v), v
        if not math.isnan(v) and abs(v) < 1e38:
            assert f2i(F32(v)) == rni(float(F32(v))), v
    rnd, sat = libdevice.host_code("round.f"), libdevice.host_code("saturate.f")
    for v in [0.5, 1.5, 2.5, -2.5, 0.49999997, 1e30, -0.0, np.nan, 2.0**23 + 1]:
        assert _same(rnd(F32(v)), np.rint(F32(v))) or (np.isnan(v) and math.isnan(rnd(v)))
    for v, want in [(-1.0, 0.0), (0.25, 0.25), (1.5, 1.0), (np.nan, 0.0), (np.inf, 1.0),
                    (-np.inf, 0.0)]:
        assert _same(sat(F32(v)), F32(want)), v
    fmin = libdevice.host_code("fmin.d")
    assert fmin(np.nan, 2.0) == 2.0 and fmin(3.0, np.nan) == 3.0 and fmin(1.0, 2.0) == 1.0
    hi, lo = libdevice.host_code("d2i.hi"), libdevice.host_code("d2i.lo")
    lohi = libdevice.host_code("lohi.i2d")
    for v in [1.0, -2.5, np.pi, 5e-324, -np.inf]:
        bits = int(np.float64(v).view(np.uint64))
        assert hi(v) & 0xFFFFFFFF == bits >> 32 and lo(v) & 0xFFFFFFFF == bits & 0xFFFFFFFF
        assert np.float64(lohi(lo(v), hi(v))).view(np.uint64) == bits


def test_flush_to_zero_forms():
    """The ``.ftz`` forms (unreachable under the renderer's ``__nvvm_reflect`` answers, but
    defined): subnormal operands and results become zeros of their sign."""
    tiny = F32(np.finfo(F32).smallest_subnormal)
    add = libdevice.host_code("add.rn.ftz.f")
    mul = libdevice.host_code("mul.rn.ftz.f")
    assert _same(add(tiny, F32(0)), F32(0)) and _same(add(-tiny, F32(-0.0)), F32(-0.0))
    assert _same(mul(F32(2.0**-70), F32(-(2.0**-70))), F32(-0.0))
    assert _same(mul(F32(2.0**-60), F32(2.0**-60)), F32(2.0**-120))
    # the host itself keeps subnormals (no FTZ/DAZ left set by a library in this process)
    add_rn = libdevice.host_code("add.rn.f")
    assert _same(add_rn(tiny, F32(0)), tiny)
    assert _same(libdevice.host_code("mul.rn.f")(F32(2.0**-70), F32(2.0**-70)), F32(2.0**-140))


def test_wide_integer_sequences():
    """libdevice's inline PTX carry chains are 128-bit (and 64-bit) integer arithmetic."""
    rng = np.random.default_rng(5)
    m64 = 2**64 - 1
    words = [int(w) for w in rng.integers(0, 2**63, 200, dtype=np.uint64)] + [m64, 0, 1]
    mul, mad = libdevice.host_code("asm:mul128"), libdevice.host_code("asm:mad128")
    add, sub = libdevice.host_code("asm:add128"), libdevice.host_code("asm:sub128")
    mad32 = libdevice.host_code("asm:mad32")
    for i, a in enumerate(words):
        b = words[-1 - i] | (i << 63) & m64
        c = words[(i * 7) % len(words)]
        assert mul(a, b) == a * b
        assert mad(a, b, c) == a * b + c
        assert add(a, b, c, a) == (a + (b << 64) + c + (a << 64)) % 2**128
        assert sub(a, b, c, a) == (a + (b << 64) - c - (a << 64)) % 2**128
        x, y, z = a & 0xFFFFFFFF, b >> 32, c & 0xFFFFFFFF
        assert mad32(x, y, z) == x * y + z


def test_approximation_models():
    """The nominal values of the approximate instructions: ``rcp.approx.ftz.f64`` the
    reciprocal of the operand's high word rounded to a high word (within 2**-20), the float
    ones the exact result rounded to float; zeros, infinities and NaN exact."""
    rcp = libdevice.host_code("rcp.approx.ftz.d")
    for v in [1.0, 3.0, np.pi, -7.25e-300, 4e307, 2.0**-1022]:
        r = rcp(v)
        assert np.float64(r).view(np.uint64) & 0xFFFFFFFF == 0
        assert abs(r * v - 1) < 2.0**-19, v
    # ftz: a subnormal operand is a zero, a subnormal result becomes one
    assert rcp(0.0) == np.inf and rcp(-np.inf) == 0 and rcp(5e-324) == np.inf
    assert rcp(1.7e308) == 0
    ex2 = libdevice.host_code("ex2.approx.f32")
    rsqrt = libdevice.host_code("rsqrt.approx.ftz.f")
    for v in [-3.5, 0.0, 0.1, 10.25, 127.5, -149.0]:
        assert _same(ex2(F32(v)), F32(2.0 ** float(F32(v)))), v
    for v in [0.25, 2.0, 1e-30, 3e38]:
        assert _same(rsqrt(F32(v)), F32(1 / math.sqrt(float(F32(v))))), v
    assert ex2(F32(-np.inf)) == 0 and math.isnan(ex2(F32(np.nan))) and rsqrt(F32(0)) == np.inf


CXX = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")
SHIM = """#include <math.h>
extern "C" double __nv_exp(double);
extern "C" float __nv_sinf(float);
#define exp(x) __nv_exp(x)
#define sinf(x) __nv_sinf(x)
extern "C" void kernel(const double* x, double* y, const float* u, float* v, int n) {
  for (int i = 0; i < n; ++i) { y[i] = exp(x[i]); v[i] = sinf(u[i]); }
}
"""


def test_object_code_links_into_cpu_code(tmp_path: Path):
    """:meth:`Libdevice.object_code` links into C++ (as the renderer's CPU shim could, with
    ``exp`` ... defined as libdevice's): the same bits as :meth:`Libdevice.evaluate`."""
    if CXX is None:
        pytest.skip("no C++ compiler")
    lib = libdevice.load((("exp", 1), ("sin", 1)))
    (tmp_path / "libdevice.o").write_bytes(lib.object_code())
    (tmp_path / "k.cpp").write_text(SHIM)
    so = tmp_path / "k.so"
    cmd = [CXX, "-O2", "-shared", "-fPIC", "-ffp-contract=off", "-o", str(so),
           str(tmp_path / "k.cpp"), str(tmp_path / "libdevice.o"), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    k = ctypes.CDLL(str(so))
    x = np.linspace(-700, 700, 4001)
    u = _floats(4001, 7)
    y, v = np.empty_like(x), np.empty_like(u)
    k.kernel(*(ctypes.c_void_p(a.ctypes.data) for a in (x, y, u, v)), ctypes.c_int(x.size))
    np.testing.assert_array_equal(y.view(np.uint64), lib.evaluate("__nv_exp", x).view(np.uint64))
    np.testing.assert_array_equal(v.view(np.uint32),
                                  lib.evaluate("__nv_sinf", u).view(np.uint32))
