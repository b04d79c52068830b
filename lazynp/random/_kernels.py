"""Compiled generation loops for lazynp.random (LLVM IR text, compiled by codegen_cpu.compiler).

Modules
-------
One LLVM module per (bit generator kind, kernel): ``render_kernel(kind, name)`` = the kind's
prelude (state layout, ``next64``/``next32``/``next_double``/``next_float``), the shared
primitives (ziggurat, bounded integers), and the one kernel (with only the DSL functions it
reaches).  ``KernelSet.fn[name]`` compiles, or loads from the disk cache, on first use, so a
process pays only for the kernels it calls (``default_rng().random(n)`` is one ~40 ms module
cold, ~1 ms from the disk cache).

Kernel ABI
----------
Map kernels are ``void k(ptr st, ptr out, i64 n, ...)`` with C linkage:

* ``st`` points to the bit generator's state block, little-endian uint64 words:
  ``[state_lo, state_hi, inc_lo, inc_hi, has_uint32, uinteger]`` (PCG64, PCG64DXSM; SFC64 the
  same shape with its four words), thirteen words for Philox (``_philox.py``), 624 + 2 uint32
  for MT19937.  The kernel loads it into registers, generates ``n`` values in memory order into
  ``out`` and stores the advanced state back.  Passing a *copy* of the state advanced to a
  block's offset generates that block ``[start, stop)`` of the stream into any buffer: this is
  how the parallel fill works, and what a lazy source node will use to compute draws inside a
  consumer kernel.
* Per-element parameters are passed as ``(ptr p, i64 stride)`` pairs, stride counted in
  elements; a scalar parameter is a one-element buffer with stride 0.
* Integer kernels receive ``rng`` and ``off`` as uint64 buffers and store ``off + value``
  truncated to the output width (NumPy's ``random_bounded_*`` / ``random_buffered_bounded_*``).
  The small-type buffers of the 16-bit, 8-bit and bool kernels live for one call, as NumPy's
  per-call ``bcnt``/``buf``.
* DSL map kernels (``_dists.py``, ``k_<name>``) take one more pointer, ``aux``, after ``n``.
  DSL whole-call kernels (``x_<name>``: multinomial, dirichlet, multivariate hypergeometric)
  are ``void lz_<name>(ptr st, args...)`` with the DSL function's own parameters.

For PCG64/PCG64DXSM the fixed-consumption kernels (``random``, ``raw``, scalar ``uniform``,
full-range ``integers``) run LANES interleaved LCG chains (see ``_lane_fill``).

Floating point follows NumPy's C exactly: no fast-math flags, no ``contract``, separate
``fmul``/``fadd`` (two roundings), and the C library's ``exp``/``log1p``/``expf``/``log1pf``.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

from lazynp._config import config
from lazynp.codegen_cpu.llvm_text import f64_bits, fconst
from lazynp.random import _philox
from lazynp.random import _ziggurat as Z

# Loaded on the first kernel build, not at ``import lazynp.random`` (start-up: small requests run
# NumPy's own methods and never build a kernel): the DSL translator and its source (``_dsl``,
# ``_dists``) and the LLVM compiler (``lazynp.codegen_cpu.compiler``).  None of them imports
# this module.

PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
DXSM_MULT = 0xDA942042E4DD58B5
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1


def _s64(v: int) -> int:
    """An unsigned 64-bit constant as LLVM's signed decimal literal."""
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def _f64(v: float) -> str:
    return fconst(v, "double")


def _f32(v: float) -> str:
    return fconst(v, "float")


def _table(name: str, ty: str, values, fmt) -> str:
    body = ", ".join(f"{ty} {fmt(v)}" for v in values)
    return f"@{name} = private unnamed_addr constant [256 x {ty}] [{body}], align 16\n"


def _hex_bits(values, dtype: str) -> list[str]:
    """``_f64`` (dtype ``"float64"``) or ``_f32`` (``"float32"``) of hexadecimal-float strings,
    converted as one array (the per-value calls cost milliseconds on the first kernel)."""
    import numpy as np

    floats = np.array([float.fromhex(v) for v in values], dtype=np.float64)
    return f64_bits(floats.astype(dtype).astype(np.float64))


@functools.lru_cache(maxsize=None)
def _tables() -> str:
    out = []
    for name in ("wi_double", "fi_double", "we_double", "fe_double"):
        out.append(_table(name, "double", _hex_bits(getattr(Z, name), "float64"), str))
    for name in ("wi_float", "fi_float", "we_float", "fe_float"):
        out.append(_table(name, "float", _hex_bits(getattr(Z, name), "float32"), str))
    out.append(_table("ki_double", "i64", Z.ki_double, _s64))
    out.append(_table("ke_double", "i64", Z.ke_double, _s64))
    out.append(_table("ki_float", "i32", Z.ki_float, str))
    out.append(_table("ke_float", "i32", Z.ke_float, str))
    return "".join(out)


_NEXT64 = {
    "pcg64": f"""
define internal i64 @next64(ptr %bg) alwaysinline nounwind {{
  %s = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %m = mul i128 %s, {PCG_MULT}
  %ns = add i128 %m, %inc
  store i128 %ns, ptr %bg, align 16
  %h = lshr i128 %ns, 64
  %hi = trunc i128 %h to i64
  %lo = trunc i128 %ns to i64
  %x = xor i64 %hi, %lo
  %rot = lshr i64 %hi, 58
  %r = call i64 @llvm.fshr.i64(i64 %x, i64 %x, i64 %rot)
  ret i64 %r
}}
""",
    "pcg64dxsm": f"""
define internal i64 @next64(ptr %bg) alwaysinline nounwind {{
  %s = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %h = lshr i128 %s, 64
  %hi = trunc i128 %h to i64
  %lo0 = trunc i128 %s to i64
  %lo = or i64 %lo0, 1
  %t1 = lshr i64 %hi, 32
  %h1 = xor i64 %hi, %t1
  %h2 = mul i64 %h1, {_s64(DXSM_MULT)}
  %t2 = lshr i64 %h2, 48
  %h3 = xor i64 %h2, %t2
  %h4 = mul i64 %h3, %lo
  %m = mul i128 %s, {DXSM_MULT}
  %ns = add i128 %m, %inc
  store i128 %ns, ptr %bg, align 16
  ret i64 %h4
}}
""",
}

# SFC64 keeps [s0, s1, s2, s3, has_uint32, uinteger] as six uint64 words: the same memory
# layout as %BG of the PCG generators, so _BG64 (state copy, buffered next32, doubles) is shared.
_NEXT64["sfc64"] = """
declare i64 @llvm.fshl.i64(i64, i64, i64)
define internal i64 @next64(ptr %bg) alwaysinline nounwind {
  %p1 = getelementptr inbounds i64, ptr %bg, i64 1
  %p2 = getelementptr inbounds i64, ptr %bg, i64 2
  %p3 = getelementptr inbounds i64, ptr %bg, i64 3
  %s0 = load i64, ptr %bg, align 8
  %s1 = load i64, ptr %p1, align 8
  %s2 = load i64, ptr %p2, align 8
  %s3 = load i64, ptr %p3, align 8
  %a = add i64 %s0, %s1
  %tmp = add i64 %a, %s3
  %s3n = add i64 %s3, 1
  store i64 %s3n, ptr %p3, align 8
  %t1 = lshr i64 %s1, 11
  %n0 = xor i64 %s1, %t1
  store i64 %n0, ptr %bg, align 8
  %t2 = shl i64 %s2, 3
  %n1 = add i64 %s2, %t2
  store i64 %n1, ptr %p1, align 8
  %r = call i64 @llvm.fshl.i64(i64 %s2, i64 %s2, i64 24)
  %n2 = add i64 %r, %tmp
  store i64 %n2, ptr %p2, align 8
  ret i64 %tmp
}
"""

def derived_draws(has_gep: str, uint_gep: str) -> str:
    """IR of next32 (NumPy's buffered 32-bit half), next_double and next_float on top of a
    generator's next64; ``has_gep``/``uint_gep`` address has_uint32 and uinteger in %BG."""
    return _DERIVED_DRAWS.format(HAS_GEP=has_gep, UINT_GEP=uint_gep)


_DERIVED_DRAWS = """define internal i32 @next32(ptr %bg) alwaysinline nounwind {{
entry:
  %hp = getelementptr inbounds {HAS_GEP}
  %up = getelementptr inbounds {UINT_GEP}
  %has = load i64, ptr %hp, align 8
  %c = icmp ne i64 %has, 0
  br i1 %c, label %buffered, label %fresh
buffered:
  store i64 0, ptr %hp, align 8
  %u = load i64, ptr %up, align 8
  %r1 = trunc i64 %u to i32
  ret i32 %r1
fresh:
  %x = call i64 @next64(ptr %bg)
  store i64 1, ptr %hp, align 8
  %hi = lshr i64 %x, 32
  store i64 %hi, ptr %up, align 8
  %r2 = trunc i64 %x to i32
  ret i32 %r2
}}

define internal double @next_double(ptr %bg) alwaysinline nounwind {{
  %x = call i64 @next64(ptr %bg)
  %s = lshr i64 %x, 11
  %f = uitofp i64 %s to double
  %r = fmul double %f, 0x3CA0000000000000
  ret double %r
}}

define internal float @next_float(ptr %bg) alwaysinline nounwind {{
  %x = call i32 @next32(ptr %bg)
  %s = lshr i32 %x, 8
  %f = uitofp i32 %s to float
  %r = fmul float %f, 0x3E70000000000000
  ret float %r
}}

"""


_BG64 = r"""%BG = type { i128, i128, i64, i64 }


define internal void @load_state(ptr %bg, ptr %st) alwaysinline nounwind {
  %s = load i128, ptr %st, align 8
  store i128 %s, ptr %bg, align 16
  %p1 = getelementptr inbounds i64, ptr %st, i64 2
  %inc = load i128, ptr %p1, align 8
  %q1 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  store i128 %inc, ptr %q1, align 16
  %p2 = getelementptr inbounds i64, ptr %st, i64 4
  %has = load i64, ptr %p2, align 8
  %q2 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  store i64 %has, ptr %q2, align 8
  %p3 = getelementptr inbounds i64, ptr %st, i64 5
  %u = load i64, ptr %p3, align 8
  %q3 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3
  store i64 %u, ptr %q3, align 8
  ret void
}

define internal void @store_state(ptr %st, ptr %bg) alwaysinline nounwind {
  %s = load i128, ptr %bg, align 16
  store i128 %s, ptr %st, align 8
  %q1 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %q1, align 16
  %p1 = getelementptr inbounds i64, ptr %st, i64 2
  store i128 %inc, ptr %p1, align 8
  %q2 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  %has = load i64, ptr %q2, align 8
  %p2 = getelementptr inbounds i64, ptr %st, i64 4
  store i64 %has, ptr %p2, align 8
  %q3 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3
  %u = load i64, ptr %q3, align 8
  %p3 = getelementptr inbounds i64, ptr %st, i64 5
  store i64 %u, ptr %p3, align 8
  ret void
}

""" + derived_draws("%BG, ptr %bg, i32 0, i32 2", "%BG, ptr %bg, i32 0, i32 3") + r"""
"""

# Ziggurat draws (NumPy random_standard_normal[_f], random_standard_exponential[_f]): one
# template per distribution, rendered for float64 and float32.  The variants differ in how the
# raw draw is split into table index, sign and mantissa (``top``), in NumPy's float32 wedge test
# for the normal (evaluated in double), and in types, tables, libm names and constants.
_ZIG_TYPES = {
    "f64": {"T": "double", "I": "i64", "A": "8", "S": "double", "C": "", "NEXT": "next_double",
            "LOG1P": "log1p", "EXP": "exp", "NAME": ""},
    "f32": {"T": "float", "I": "i32", "A": "4", "S": "float", "C": "_F", "NEXT": "next_float",
            "LOG1P": "log1pf", "EXP": "expf", "NAME": "_f"},
}

_ZIG_NORMAL_TOP = {
    "f64": """\
  %r0 = call i64 @next64(ptr %bg)
  %idx = and i64 %r0, 255
  %r = lshr i64 %r0, 8
  %sign = and i64 %r, 1
  %rs = lshr i64 %r, 1
  %rabs = and i64 %rs, 4503599627370495
""",
    "f32": """\
  %r = call i32 @next32(ptr %bg)
  %idx32 = and i32 %r, 255
  %idx = zext i32 %idx32 to i64
  %s8 = lshr i32 %r, 8
  %sign = and i32 %s8, 1
  %s9 = lshr i32 %r, 9
  %rabs = and i32 %s9, 8388607
""",
}

_ZIG_NORMAL_WEDGE_TEST = {
    "f64": """\
  %lhs = fadd double %t, %fb
  %mx = fmul double 0xBFE0000000000000, %x
  %mxx = fmul double %mx, %x
""",
    "f32": """\
  %lhsf = fadd float %t, %fb
  %lhs = fpext float %lhsf to double
  %xd = fpext float %x to double
  %mx = fmul double 0xBFE0000000000000, %xd
  %mxx = fmul double %mx, %xd
""",
}

_ZIG_NORMAL = """\
; ---- ziggurat normal, {TITLE} ----
define internal {T} @draw_normal{NAME}(ptr %bg) nounwind {{
entry:
  br label %top
top:
{TOP}  %wp = getelementptr inbounds [256 x {T}], ptr @wi_{S}, i64 0, i64 %idx
  %w = load {T}, ptr %wp, align {A}
  %rf = uitofp {I} %rabs to {T}
  %x0 = fmul {T} %rf, %w
  %xn = fneg {T} %x0
  %isneg = icmp ne {I} %sign, 0
  %x = select i1 %isneg, {T} %xn, {T} %x0
  %kp = getelementptr inbounds [256 x {I}], ptr @ki_{S}, i64 0, i64 %idx
  %k = load {I}, ptr %kp, align {A}
  %acc = icmp ult {I} %rabs, %k
  br i1 %acc, label %ret_x, label %slow
ret_x:
  ret {T} %x
slow:
  %is0 = icmp eq i64 %idx, 0
  br i1 %is0, label %tail, label %wedge
tail:
  %d1 = call {T} @{NEXT}(ptr %bg)
  %nd1 = fneg {T} %d1
  %l1 = call {T} @{LOG1P}({T} %nd1)
  %xx = fmul {T} NEG_NOR_INV_R{C}, %l1
  %d2 = call {T} @{NEXT}(ptr %bg)
  %nd2 = fneg {T} %d2
  %l2 = call {T} @{LOG1P}({T} %nd2)
  %yy = fneg {T} %l2
  %yy2 = fadd {T} %yy, %yy
  %xx2 = fmul {T} %xx, %xx
  %ok = fcmp ogt {T} %yy2, %xx2
  br i1 %ok, label %tail_ret, label %tail
tail_ret:
  %b8 = lshr {I} %rabs, 8
  %b = and {I} %b8, 1
  %sum = fadd {T} NOR_R{C}, %xx
  %nsum = fneg {T} %sum
  %tneg = icmp ne {I} %b, 0
  %tv = select i1 %tneg, {T} %nsum, {T} %sum
  ret {T} %tv
wedge:
  %im1 = sub i64 %idx, 1
  %fap = getelementptr inbounds [256 x {T}], ptr @fi_{S}, i64 0, i64 %im1
  %fa = load {T}, ptr %fap, align {A}
  %fbp = getelementptr inbounds [256 x {T}], ptr @fi_{S}, i64 0, i64 %idx
  %fb = load {T}, ptr %fbp, align {A}
  %df = fsub {T} %fa, %fb
  %u = call {T} @{NEXT}(ptr %bg)
  %t = fmul {T} %df, %u
{WEDGE_TEST}  %e = call double @exp(double %mxx)
  %ok2 = fcmp olt double %lhs, %e
  br i1 %ok2, label %ret_x, label %top
}}
"""

_ZIG_EXP_TOP = {
    "f64": """\
  %r0 = call i64 @next64(ptr %bg)
  %ri0 = lshr i64 %r0, 3
  %idx = and i64 %ri0, 255
  %ri = lshr i64 %ri0, 8
""",
    "f32": """\
  %r0 = call i32 @next32(ptr %bg)
  %ri0 = lshr i32 %r0, 1
  %idx32 = and i32 %ri0, 255
  %idx = zext i32 %idx32 to i64
  %ri = lshr i32 %ri0, 8
""",
}

_ZIG_EXP = """\
; ---- ziggurat exponential, {TITLE} ----
define internal {T} @draw_exp{NAME}(ptr %bg) nounwind {{
entry:
  br label %top
top:
{TOP}  %wp = getelementptr inbounds [256 x {T}], ptr @we_{S}, i64 0, i64 %idx
  %w = load {T}, ptr %wp, align {A}
  %rf = uitofp {I} %ri to {T}
  %x = fmul {T} %rf, %w
  %kp = getelementptr inbounds [256 x {I}], ptr @ke_{S}, i64 0, i64 %idx
  %k = load {I}, ptr %kp, align {A}
  %acc = icmp ult {I} %ri, %k
  br i1 %acc, label %ret_x, label %slow
ret_x:
  ret {T} %x
slow:
  %is0 = icmp eq i64 %idx, 0
  br i1 %is0, label %tail, label %wedge
tail:
  %d = call {T} @{NEXT}(ptr %bg)
  %nd = fneg {T} %d
  %l = call {T} @{LOG1P}({T} %nd)
  %tv = fsub {T} EXP_R{C}, %l
  ret {T} %tv
wedge:
  %im1 = sub i64 %idx, 1
  %fap = getelementptr inbounds [256 x {T}], ptr @fe_{S}, i64 0, i64 %im1
  %fa = load {T}, ptr %fap, align {A}
  %fbp = getelementptr inbounds [256 x {T}], ptr @fe_{S}, i64 0, i64 %idx
  %fb = load {T}, ptr %fbp, align {A}
  %df = fsub {T} %fa, %fb
  %u = call {T} @{NEXT}(ptr %bg)
  %t = fmul {T} %df, %u
  %lhs = fadd {T} %t, %fb
  %nx = fneg {T} %x
  %e = call {T} @{EXP}({T} %nx)
  %ok = fcmp olt {T} %lhs, %e
  br i1 %ok, label %ret_x, label %top
}}
"""

_ZIG_TITLES = {("normal", "f64"): "float64 (NumPy random_standard_normal)",
               ("normal", "f32"): "float32 (NumPy random_standard_normal_f)",
               ("exp", "f64"): "float64", ("exp", "f32"): "float32"}


def _ziggurat() -> str:
    parts = []
    for dist, template, tops in (("normal", _ZIG_NORMAL, _ZIG_NORMAL_TOP),
                                 ("exp", _ZIG_EXP, _ZIG_EXP_TOP)):
        for v in ("f64", "f32"):
            parts.append(template.format(TITLE=_ZIG_TITLES[dist, v], TOP=tops[v],
                                         WEDGE_TEST=_ZIG_NORMAL_WEDGE_TEST[v],
                                         **_ZIG_TYPES[v]))
    return "\n".join(parts)


_COMMON = r"""
declare i64 @llvm.fshr.i64(i64, i64, i64)
declare double @exp(double)
declare double @log1p(double)
declare float @expf(float)
declare float @log1pf(float)

define internal i64 @draw_raw(ptr %bg) alwaysinline nounwind {
  %x = call i64 @next64(ptr %bg)
  ret i64 %x
}

define internal double @draw_uniform(ptr %bg, double %low, double %rng) alwaysinline nounwind {
  %u = call double @next_double(ptr %bg)
  %t = fmul double %rng, %u
  %r = fadd double %low, %t
  ret double %r
}

define internal double @draw_exp_inv(ptr %bg) alwaysinline nounwind {
  %u = call double @next_double(ptr %bg)
  %n = fneg double %u
  %l = call double @log1p(double %n)
  %r = fneg double %l
  ret double %r
}

define internal float @draw_exp_inv_f(ptr %bg) alwaysinline nounwind {
  %u = call float @next_float(ptr %bg)
  %d = fpext float %u to double
  %n = fneg double %d
  %l = call double @log1p(double %n)
  %r = fneg double %l
  %f = fptrunc double %r to float
  ret float %f
}

""" + _ziggurat() + r"""
define internal double @draw_normal_ls(ptr %bg, double %loc, double %scale) alwaysinline nounwind {
  %z = call double @draw_normal(ptr %bg)
  %t = fmul double %scale, %z
  %r = fadd double %loc, %t
  ret double %r
}

define internal double @draw_exp_s(ptr %bg, double %scale) alwaysinline nounwind {
  %z = call double @draw_exp(ptr %bg)
  %r = fmul double %scale, %z
  ret double %r
}

; ---- bounded integers (NumPy distributions.c, Lemire) ----
define internal i32 @lemire32(ptr %bg, i32 %rng) alwaysinline nounwind {
entry:
  %excl = add i32 %rng, 1
  %e64 = zext i32 %excl to i64
  %d = call i32 @next32(ptr %bg)
  %d64 = zext i32 %d to i64
  %m = mul i64 %d64, %e64
  %left = trunc i64 %m to i32
  %c = icmp ult i32 %left, %excl
  br i1 %c, label %thresh, label %done
thresh:
  %t0 = sub i32 -1, %rng
  %t = urem i32 %t0, %excl
  br label %loop
loop:
  %mm = phi i64 [%m, %thresh], [%m2, %redraw]
  %l = trunc i64 %mm to i32
  %rej = icmp ult i32 %l, %t
  br i1 %rej, label %redraw, label %done
redraw:
  %d2 = call i32 @next32(ptr %bg)
  %d264 = zext i32 %d2 to i64
  %m2 = mul i64 %d264, %e64
  br label %loop
done:
  %mf = phi i64 [%m, %entry], [%mm, %loop]
  %h = lshr i64 %mf, 32
  %r = trunc i64 %h to i32
  ret i32 %r
}

define internal i64 @lemire64(ptr %bg, i64 %rng) alwaysinline nounwind {
entry:
  %excl = add i64 %rng, 1
  %e128 = zext i64 %excl to i128
  %d = call i64 @next64(ptr %bg)
  %d128 = zext i64 %d to i128
  %m = mul i128 %d128, %e128
  %left = trunc i128 %m to i64
  %c = icmp ult i64 %left, %excl
  br i1 %c, label %thresh, label %done
thresh:
  %t0 = sub i64 -1, %rng
  %t = urem i64 %t0, %excl
  br label %loop
loop:
  %mm = phi i128 [%m, %thresh], [%m2, %redraw]
  %l = trunc i128 %mm to i64
  %rej = icmp ult i64 %l, %t
  br i1 %rej, label %redraw, label %done
redraw:
  %d2 = call i64 @next64(ptr %bg)
  %d2128 = zext i64 %d2 to i128
  %m2 = mul i128 %d2128, %e128
  br label %loop
done:
  %mf = phi i128 [%m, %entry], [%mm, %loop]
  %h = lshr i128 %mf, 64
  %r = trunc i128 %h to i64
  ret i64 %r
}

; value in [0, rng] by NumPy's random_bounded_uint64 rules, plus off (mod 2^64)
define internal i64 @bnd64(ptr %bg, i64 %rng, i64 %off) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i64 %off
nz:
  %small = icmp ule i64 %rng, 4294967295
  br i1 %small, label %s32, label %big
s32:
  %full32 = icmp eq i64 %rng, 4294967295
  br i1 %full32, label %raw32, label %lem32
raw32:
  %v = call i32 @next32(ptr %bg)
  %v64 = zext i32 %v to i64
  %r1 = add i64 %off, %v64
  ret i64 %r1
lem32:
  %rng32 = trunc i64 %rng to i32
  %w = call i32 @lemire32(ptr %bg, i32 %rng32)
  %w64 = zext i32 %w to i64
  %r2 = add i64 %off, %w64
  ret i64 %r2
big:
  %full64 = icmp eq i64 %rng, -1
  br i1 %full64, label %raw64, label %lem64
raw64:
  %x = call i64 @next64(ptr %bg)
  %r3 = add i64 %off, %x
  ret i64 %r3
lem64:
  %y = call i64 @lemire64(ptr %bg, i64 %rng)
  %r4 = add i64 %off, %y
  ret i64 %r4
}

; NumPy random_buffered_bounded_uint32
define internal i32 @bnd32(ptr %bg, i64 %rng64, i64 %off64) alwaysinline nounwind {
entry:
  %rng = trunc i64 %rng64 to i32
  %off = trunc i64 %off64 to i32
  %z = icmp eq i32 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i32 %off
nz:
  %full = icmp eq i32 %rng, -1
  br i1 %full, label %raw, label %lem
raw:
  %v = call i32 @next32(ptr %bg)
  %r1 = add i32 %off, %v
  ret i32 %r1
lem:
  %w = call i32 @lemire32(ptr %bg, i32 %rng)
  %r2 = add i32 %off, %w
  ret i32 %r2
}

; per-call small-type buffers: %bcnt and %buf are i32 slots owned by the kernel call
define internal i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift) alwaysinline nounwind {
entry:
  %c = load i32, ptr %bcnt, align 4
  %z = icmp eq i32 %c, 0
  br i1 %z, label %fresh, label %shifted
fresh:
  %v = call i32 @next32(ptr %bg)
  store i32 %v, ptr %buf, align 4
  store i32 %refill, ptr %bcnt, align 4
  ret i32 %v
shifted:
  %b = load i32, ptr %buf, align 4
  %b2 = lshr i32 %b, %shift
  store i32 %b2, ptr %buf, align 4
  %c2 = sub i32 %c, 1
  store i32 %c2, ptr %bcnt, align 4
  ret i32 %b2
}

; NumPy random_buffered_bounded_uint16 / uint8: Lemire at width W on buffered W-bit values
define internal i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng64, i64 %off64, i32 %mask, i32 %refill, i32 %shift) alwaysinline nounwind {
entry:
  %rng0 = trunc i64 %rng64 to i32
  %rng = and i32 %rng0, %mask
  %off = trunc i64 %off64 to i32
  %z = icmp eq i32 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i32 %off
nz:
  %full = icmp eq i32 %rng, %mask
  br i1 %full, label %raw, label %lem
raw:
  %v0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %v = and i32 %v0, %mask
  %r1 = add i32 %off, %v
  ret i32 %r1
lem:
  %excl = add i32 %rng, 1
  %d0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %d = and i32 %d0, %mask
  %m = mul i32 %d, %excl
  %left = and i32 %m, %mask
  %c = icmp ult i32 %left, %excl
  br i1 %c, label %thresh, label %done
thresh:
  %t0 = sub i32 %mask, %rng
  %t = urem i32 %t0, %excl
  br label %loop
loop:
  %mm = phi i32 [%m, %thresh], [%m2, %redraw]
  %l = and i32 %mm, %mask
  %rej = icmp ult i32 %l, %t
  br i1 %rej, label %redraw, label %done
redraw:
  %e0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %e = and i32 %e0, %mask
  %m2 = mul i32 %e, %excl
  br label %loop
done:
  %mf = phi i32 [%m, %lem], [%mm, %loop]
  %sh = add i32 %shift, 0
  %h = lshr i32 %mf, %sh
  %r2 = add i32 %off, %h
  ret i32 %r2
}

define internal i16 @bnd16(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
  %r = call i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off, i32 65535, i32 1, i32 16)
  %t = trunc i32 %r to i16
  ret i16 %t
}

define internal i8 @bnd8(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
  %r = call i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off, i32 255, i32 3, i32 8)
  %t = trunc i32 %r to i8
  ret i8 %t
}

; NumPy buffered_bounded_bool
define internal i8 @bndbool(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  %o = trunc i64 %off to i8
  ret i8 %o
nz:
  %v = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 31, i32 1)
  %b = and i32 %v, 1
  %t = trunc i32 %b to i8
  ret i8 %t
}

; NumPy random_interval (masked rejection), used by shuffle/permutation/permuted
define internal i64 @interval(ptr %bg, i64 %max) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %max, 0
  br i1 %z, label %zero, label %nz
zero:
  ret i64 0
nz:
  %a1 = lshr i64 %max, 1
  %m1 = or i64 %max, %a1
  %a2 = lshr i64 %m1, 2
  %m2 = or i64 %m1, %a2
  %a3 = lshr i64 %m2, 4
  %m3 = or i64 %m2, %a3
  %a4 = lshr i64 %m3, 8
  %m4 = or i64 %m3, %a4
  %a5 = lshr i64 %m4, 16
  %m5 = or i64 %m4, %a5
  %a6 = lshr i64 %m5, 32
  %mask = or i64 %m5, %a6
  %small = icmp ule i64 %max, 4294967295
  br i1 %small, label %loop32, label %loop64
loop32:
  %v32 = call i32 @next32(ptr %bg)
  %w32 = zext i32 %v32 to i64
  %x32 = and i64 %w32, %mask
  %bad32 = icmp ugt i64 %x32, %max
  br i1 %bad32, label %loop32, label %done32
done32:
  ret i64 %x32
loop64:
  %v64 = call i64 @next64(ptr %bg)
  %x64 = and i64 %v64, %mask
  %bad64 = icmp ugt i64 %x64, %max
  br i1 %bad64, label %loop64, label %done64
done64:
  ret i64 %x64
}

"""


_SHUFFLE = r"""
; for each of %rows rows of %n int64 values: for i = n-1 .. 1 swap(row[i], row[interval(i)])
define void @lz_shuffle_interval(ptr noalias %st, ptr noalias %data, i64 %n, i64 %rows) nounwind {
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %rows, 0
  %n1 = sub i64 %n, 1
  br i1 %any, label %row, label %done
row:
  %r = phi i64 [0, %entry], [%rnext, %rowend]
  %base0 = mul i64 %r, %n
  %base = getelementptr inbounds i64, ptr %data, i64 %base0
  %has = icmp sgt i64 %n1, 0
  br i1 %has, label %inner, label %rowend
inner:
  %i = phi i64 [%n1, %row], [%inext, %inner]
  %j = call i64 @interval(ptr %bg, i64 %i)
  %pi = getelementptr inbounds i64, ptr %base, i64 %i
  %pj = getelementptr inbounds i64, ptr %base, i64 %j
  %vi = load i64, ptr %pi, align 8
  %vj = load i64, ptr %pj, align 8
  store i64 %vi, ptr %pj, align 8
  store i64 %vj, ptr %pi, align 8
  %inext = sub i64 %i, 1
  %more = icmp sgt i64 %inext, 0
  br i1 %more, label %inner, label %rowend
rowend:
  %rnext = add i64 %r, 1
  %rmore = icmp slt i64 %rnext, %rows
  br i1 %rmore, label %row, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}

; for i = hi down to lo (lo >= 1): swap(data[i], data[bounded(0..i)]) -- NumPy _shuffle_int
define void @lz_shuffle_lemire(ptr noalias %st, ptr noalias %data, i64 %hi, i64 %lo) nounwind {
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sge i64 %hi, %lo
  br i1 %any, label %inner, label %done
inner:
  %i = phi i64 [%hi, %entry], [%inext, %inner]
  %j = call i64 @bnd64(ptr %bg, i64 %i, i64 0)
  %pi = getelementptr inbounds i64, ptr %data, i64 %i
  %pj = getelementptr inbounds i64, ptr %data, i64 %j
  %vi = load i64, ptr %pi, align 8
  %vj = load i64, ptr %pj, align 8
  store i64 %vi, ptr %pj, align 8
  store i64 %vj, ptr %pi, align 8
  %inext = sub i64 %i, 1
  %more = icmp sge i64 %inext, %lo
  br i1 %more, label %inner, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}
"""


def _map_kernel(name: str, out_ty: str, fn: str, params: list[str], small_buf: bool = False,
                out_align: int = 8) -> str:
    """``out[i] = fn(bg, [bcnt, buf,] p0[i*s0], p1[i*s1], ...)`` for i in [0, n)."""
    args = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(params)))
    loads = []
    call_args = ["ptr %bg"]
    if small_buf:
        call_args += ["ptr %bcnt", "ptr %buf"]
    for k, ty in enumerate(params):
        loads.append(f"  %o{k} = mul i64 %i, %s{k}\n"
                     f"  %a{k} = getelementptr inbounds {ty}, ptr %p{k}, i64 %o{k}\n"
                     f"  %v{k} = load {ty}, ptr %a{k}\n")
        call_args.append(f"{ty} %v{k}")
    bufs = ""
    if small_buf:
        bufs = ("  %bcnt = alloca i32, align 4\n  %buf = alloca i32, align 4\n"
                "  store i32 0, ptr %bcnt, align 4\n  store i32 0, ptr %buf, align 4\n")
    return f"""
define void @{name}(ptr noalias %st, ptr noalias %out, i64 %n{args}) nounwind {{
entry:
  %bg = alloca %BG, align 16
{bufs}  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [0, %entry], [%inext, %loop]
{"".join(loads)}  %val = call {out_ty} @{fn}({", ".join(call_args)})
  %po = getelementptr inbounds {out_ty}, ptr %out, i64 %i
  store {out_ty} %val, ptr %po, align {out_align}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %loop, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


# kernel name -> (out type, draw function, parameter types, per-call small buffer)
KERNELS: dict[str, tuple[str, str, list[str], bool]] = {
    "raw": ("i64", "draw_raw", [], False),
    "random_f64": ("double", "next_double", [], False),
    "random_f32": ("float", "next_float", [], False),
    "uniform": ("double", "draw_uniform", ["double", "double"], False),
    "std_normal_f64": ("double", "draw_normal", [], False),
    "std_normal_f32": ("float", "draw_normal_f", [], False),
    "normal": ("double", "draw_normal_ls", ["double", "double"], False),
    "std_exp_f64": ("double", "draw_exp", [], False),
    "std_exp_f32": ("float", "draw_exp_f", [], False),
    "exponential": ("double", "draw_exp_s", ["double"], False),
    "std_exp_inv_f64": ("double", "draw_exp_inv", [], False),
    "std_exp_inv_f32": ("float", "draw_exp_inv_f", [], False),
    "int64": ("i64", "bnd64", ["i64", "i64"], False),
    "int32": ("i32", "bnd32", ["i64", "i64"], False),
    "int16": ("i16", "bnd16", ["i64", "i64"], True),
    "int8": ("i8", "bnd8", ["i64", "i64"], True),
    "bool": ("i8", "bndbool", ["i64", "i64"], True),
}

_ALIGN = {"i64": 8, "double": 8, "float": 4, "i32": 4, "i16": 2, "i8": 1}


_DSL_ALIGN = {"f64": 8, "f32": 4, "i64": 8, "u64": 8, "i32": 4, "u32": 4, "i16": 2, "u16": 2,
              "i8": 1, "u8": 1}


def _dsl_kernel(fname: str, ret: str, params: list[tuple[str, str]]) -> str:
    """Map kernel ``lz_<name>(st, out, n, aux, p0, s0, ...)`` around DSL function ``fname``."""
    from lazynp.random._dsl import llty  # (lazy: see the imports at the top)

    out_ty = llty(ret)
    elem = params[1:]
    has_aux = bool(elem) and elem[0][0] == "aux"
    if has_aux:
        elem = elem[1:]
    args = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(elem)))
    loads = []
    call_args = ["ptr %bg"] + (["ptr %aux"] if has_aux else [])
    for k, (_n, t) in enumerate(elem):
        ty = llty(t)
        loads.append(f"  %o{k} = mul i64 %i, %s{k}\n"
                     f"  %a{k} = getelementptr inbounds {ty}, ptr %p{k}, i64 %o{k}\n"
                     f"  %v{k} = load {ty}, ptr %a{k}\n")
        call_args.append(f"{ty} %v{k}")
    name = "lz_" + fname[2:]
    return f"""
define void @{name}(ptr noalias %st, ptr noalias %out, i64 %n, ptr %aux{args}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [0, %entry], [%inext, %loop]
{"".join(loads)}  %val = call {out_ty} @{fname}({", ".join(call_args)})
  %po = getelementptr inbounds {out_ty}, ptr %out, i64 %i
  store {out_ty} %val, ptr %po, align {_DSL_ALIGN[ret]}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %loop, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


@functools.lru_cache(maxsize=None)
def _dsl_translated() -> dict:
    """The DSL source translated to IR, with the kernel signatures.

    Translation takes ~30 ms of Python, and a warm process needs the IR text only to find its
    compiled objects in the disk cache; so the result is kept on disk too, keyed by the hash
    of the DSL source and of the translator (``_dists.py``, ``_dsl.py``).
    """
    import hashlib
    import json
    import os

    from lazynp.random import _dists, _dsl  # (lazy: see the imports at the top)

    h = hashlib.sha256()
    for mod in (_dists, _dsl):
        with open(mod.__file__, "rb") as f:
            h.update(f.read())
    path = None
    try:
        if config.cache:
            path = os.path.join(config.cache_dir, "llvm", f"dsl-{h.hexdigest()}.json")
            with open(path) as f:
                return json.load(f)
    except (OSError, ValueError):
        pass
    ir, funcs = _dsl.compile_source(_dists.SOURCE, tables=_dists.TABLES)
    kern = {}
    calls = {}
    for name, fn in funcs.items():
        if name.startswith("k_"):
            elem = fn.params[1:]
            has_aux = bool(elem) and elem[0][0] == "aux"
            kern[name[2:]] = (fn.ret, fn.params, has_aux, len(elem) - int(has_aux))
        elif name.startswith("x_"):
            calls[name[2:]] = fn.params[1:]
    data = {"ir": ir, "kern": kern, "calls": calls}
    if path is not None:
        try:
            import tempfile

            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(data, f)
            os.replace(tmp, path)
        except OSError:
            pass
    return json.loads(json.dumps(data))  # the same (list) shapes as when read back


def _dsl_parts() -> tuple[str, dict]:
    """IR of the DSL source and its map kernels {name: (ret, params, has_aux, n_params)}."""
    d = _dsl_translated()
    return d["ir"], d["kern"]


def _dsl_calls() -> dict[str, list]:
    """Whole-call kernels of the DSL source (``x_<name>``): {name: parameters after bg}."""
    return _dsl_translated()["calls"]


@functools.lru_cache(maxsize=None)
def _dsl_chunks() -> tuple[dict[str, str], dict[str, set[str]], str]:
    """The DSL IR split into functions {name: text}, their callees, and the rest."""
    import re

    ir = _dsl_parts()[0]
    chunks: dict[str, str] = {}
    rest = []
    cur: list[str] | None = None
    name = ""
    for line in ir.split("\n"):
        if cur is None:
            m = re.match(r"define (?:internal )?\S+ @([\w.]+)\(", line)
            if m:
                name = m.group(1)
                cur = [line]
            else:
                rest.append(line)
        else:
            cur.append(line)
            if line == "}":
                chunks[name] = "\n".join(cur) + "\n"
                cur = None
    deps = {n: set(re.findall(r"@([\w.]+)\(", t)) & set(chunks) - {n}
            for n, t in chunks.items()}
    return chunks, deps, "\n".join(rest)


def _dsl_ir_for(root: str) -> str:
    """Only the DSL functions reachable from ``root`` (smaller modules compile faster)."""
    chunks, deps, rest = _dsl_chunks()
    seen = set()
    todo = [root]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(deps[n])
    return "".join(chunks[n] for n in sorted(seen)) + rest + "\n"


def _dsl_call_kernel(name: str, params: list[tuple[str, str]]) -> str:
    """Exported ``lz_<name>(st, args...)`` around the whole-call DSL function ``x_<name>``."""
    from lazynp.random._dsl import llty  # (lazy: see the imports at the top)

    sig = "".join(f", {llty(t)} %a{k}" for k, (_n, t) in enumerate(params))
    args = "".join(f", {llty(t)} %a{k}" for k, (_n, t) in enumerate(params))
    return f"""
define void @lz_{name}(ptr noalias %st{sig}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  call void @x_{name}(ptr %bg{args})
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


def _prelude(kind: str) -> str:
    if kind in _NEXT64:
        return _BG64 + _NEXT64[kind]
    if kind == "mt19937":
        from lazynp.random import _dists  # (lazy: see the imports at the top)
        from lazynp.random._dsl import compile_source

        return _dists.MT19937_STATE + compile_source(_dists.MT19937)[0]
    if kind == "philox":
        return _philox.PRELUDE + derived_draws(f"i64, ptr %bg, i64 {_philox.HAS}",
                                               f"i64, ptr %bg, i64 {_philox.UINT}")
    raise ValueError(f"no kernels for bit generator kind {kind!r}")


# ---- interleaved-lane fills (PCG64 / PCG64DXSM) --------------------------------------------
#
# An LCG step is one serial 128-bit multiply-add, so a plain loop is bound by its latency.
# The lane kernels keep LANES consecutive states u_1..u_L and advance each by L steps at once
# (u <- A*u + C with A = M^L, C = inc*(1 + M + ... + M^(L-1))): L independent chains that the
# CPU overlaps.  Outputs are written in stream order, the state ends where the serial loop
# would leave it, so results are identical.  Used for the fixed-consumption kernels
# (``random``, ``raw``, scalar ``uniform``, full-range ``integers``); the buffered 32-bit half
# is honoured by running the first element (when a half is buffered) and the last few
# elements through the ordinary serial code (and the whole request, if that first element
# rejected a draw and left a half buffered again).

LANES = 4

# out_fn(t): output of the generator whose "output state" is t (PCG64: the state after the
# step; PCG64DXSM: the state before it).
_OUT_FN = {
    "pcg64": """
define internal i64 @lane_out(i128 %t) alwaysinline nounwind {
  %h = lshr i128 %t, 64
  %hi = trunc i128 %h to i64
  %lo = trunc i128 %t to i64
  %x = xor i64 %hi, %lo
  %rot = lshr i64 %hi, 58
  %r = call i64 @llvm.fshr.i64(i64 %x, i64 %x, i64 %rot)
  ret i64 %r
}
""",
    "pcg64dxsm": f"""
define internal i64 @lane_out(i128 %t) alwaysinline nounwind {{
  %h = lshr i128 %t, 64
  %hi = trunc i128 %h to i64
  %lo0 = trunc i128 %t to i64
  %lo = or i64 %lo0, 1
  %t1 = lshr i64 %hi, 32
  %h1 = xor i64 %hi, %t1
  %h2 = mul i64 %h1, {_s64(DXSM_MULT)}
  %t2 = lshr i64 %h2, 48
  %h3 = xor i64 %h2, %t2
  %h4 = mul i64 %h3, %lo
  ret i64 %h4
}}
""",
}
_LANE_MULT = {"pcg64": PCG_MULT, "pcg64dxsm": DXSM_MULT}


def _lane_consts(mult: int, lanes: int) -> tuple[int, int]:
    a, c = 1, 0
    for _ in range(lanes):
        c = (c + a) & MASK128
        a = (a * mult) & MASK128
    return a, c


# kernel -> list of modes (condition on the scalar parameters, values per 64-bit draw, IR that
# stores the element(s) of draw %x at element index %j[, setup IR run once])
# The condition is IR computing i1 %ok from the scalar parameter values %q0, %q1.  A store body
# that defines i1 %bad is a rejection sampler: when any lane of a block would reject, the block
# is abandoned (state rewound to the block's start) and the rest runs through the serial code.
_LEMIRE32_SETUP = """  %rng32 = trunc i64 %q0 to i32
  %excl = add i32 %rng32, 1
  %excl64 = zext i32 %excl to i64
  %tt0 = sub i32 -1, %rng32
  %thr = urem i32 %tt0, %excl
"""
_LEMIRE32_BODY = """
  %d0 = and i64 %x, 4294967295
  %d1 = lshr i64 %x, 32
  %m0 = mul i64 %d0, %excl64
  %m1 = mul i64 %d1, %excl64
  %l0 = trunc i64 %m0 to i32
  %l1 = trunc i64 %m1 to i32
  %b0 = icmp ult i32 %l0, %thr
  %b1 = icmp ult i32 %l1, %thr
  %bad = or i1 %b0, %b1
  %h0 = lshr i64 %m0, 32
  %h1 = lshr i64 %m1, 32
"""
_LANE_SPECS: dict[str, list[tuple]] = {
    "raw": [("", 1, """
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %x, ptr %po, align 8
""")],
    "random_f64": [("", 1, """
  %sh = lshr i64 %x, 11
  %f = uitofp i64 %sh to double
  %d = fmul double %f, 0x3CA0000000000000
  %po = getelementptr inbounds double, ptr %out, i64 %j
  store double %d, ptr %po, align 8
""")],
    "uniform": [("", 1, """
  %sh = lshr i64 %x, 11
  %f = uitofp i64 %sh to double
  %d = fmul double %f, 0x3CA0000000000000
  %t = fmul double %q1, %d
  %r = fadd double %q0, %t
  %po = getelementptr inbounds double, ptr %out, i64 %j
  store double %r, ptr %po, align 8
""")],
    "random_f32": [("", 2, """
  %lo = trunc i64 %x to i32
  %hs = lshr i64 %x, 32
  %hi = trunc i64 %hs to i32
  %ls = lshr i32 %lo, 8
  %lf = uitofp i32 %ls to float
  %ld = fmul float %lf, 0x3E70000000000000
  %hs8 = lshr i32 %hi, 8
  %hf = uitofp i32 %hs8 to float
  %hd = fmul float %hf, 0x3E70000000000000
  %po = getelementptr inbounds float, ptr %out, i64 %j
  store float %ld, ptr %po, align 4
  %po1 = getelementptr inbounds float, ptr %po, i64 1
  store float %hd, ptr %po1, align 4
""")],
    "int64": [("  %ok = icmp eq i64 %q0, -1\n", 1, """
  %r = add i64 %q1, %x
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %r, ptr %po, align 8
"""), ("  %ok = icmp eq i64 %q0, 4294967295\n", 2, """
  %lo = and i64 %x, 4294967295
  %hi = lshr i64 %x, 32
  %rl = add i64 %q1, %lo
  %rh = add i64 %q1, %hi
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %rl, ptr %po, align 8
  %po1 = getelementptr inbounds i64, ptr %po, i64 1
  store i64 %rh, ptr %po1, align 8
"""), ("  %nz = icmp ne i64 %q0, 0\n  %sm = icmp ult i64 %q0, 4294967295\n"
       "  %ok = and i1 %nz, %sm\n", 2, _LEMIRE32_BODY + """  %r0 = add i64 %q1, %h0
  %r1 = add i64 %q1, %h1
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %r0, ptr %po, align 8
  %po1 = getelementptr inbounds i64, ptr %po, i64 1
  store i64 %r1, ptr %po1, align 8
""", _LEMIRE32_SETUP)],
    "int32": [("  %r32 = trunc i64 %q0 to i32\n  %ok = icmp eq i32 %r32, -1\n", 2, """
  %o32 = trunc i64 %q1 to i32
  %lo = trunc i64 %x to i32
  %hs = lshr i64 %x, 32
  %hi = trunc i64 %hs to i32
  %rl = add i32 %o32, %lo
  %rh = add i32 %o32, %hi
  %po = getelementptr inbounds i32, ptr %out, i64 %j
  store i32 %rl, ptr %po, align 4
  %po1 = getelementptr inbounds i32, ptr %po, i64 1
  store i32 %rh, ptr %po1, align 4
"""), ("  %r32 = trunc i64 %q0 to i32\n  %ok = icmp ne i32 %r32, 0\n", 2,
       _LEMIRE32_BODY + """  %o32 = trunc i64 %q1 to i32
  %t0 = trunc i64 %h0 to i32
  %t1 = trunc i64 %h1 to i32
  %r0 = add i32 %o32, %t0
  %r1 = add i32 %o32, %t1
  %po = getelementptr inbounds i32, ptr %out, i64 %j
  store i32 %r0, ptr %po, align 4
  %po1 = getelementptr inbounds i32, ptr %po, i64 1
  store i32 %r1, ptr %po1, align 4
""", _LEMIRE32_SETUP)],
}


def _rename(body: str, suffix: str) -> str:
    """Give every local value defined in ``body`` a suffix (one copy per lane)."""
    import re

    names = set(re.findall(r"^\s*(%[A-Za-z_][\w.]*) =", body, flags=re.M))
    for nm in sorted(names, key=len, reverse=True):
        body = re.sub(re.escape(nm) + r"\b", nm + suffix, body)
    return body


def _lane_fill(kind: str, name: str, ty: str, fn: str, params: list[str]) -> str:
    """The exported kernel ``lz_<name>`` with lane fast paths (see the comment above)."""
    mult = _LANE_MULT[kind]
    amul, csum = _lane_consts(mult, LANES)
    np_ = len(params)
    pargs = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(np_))
    pcall = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(np_))
    qargs = "".join(f", {t} %q{k}" for k, t in enumerate(params))
    out = []
    # serial loop over [lo, hi)
    loads = "".join(f"  %o{k} = mul i64 %i, %s{k}\n"
                    f"  %a{k} = getelementptr inbounds {t}, ptr %p{k}, i64 %o{k}\n"
                    f"  %v{k} = load {t}, ptr %a{k}\n" for k, t in enumerate(params))
    cargs = "".join(f", {t} %v{k}" for k, t in enumerate(params))
    out.append(f"""
define internal void @ser_{name}(ptr %bg, ptr %out, i64 %lo, i64 %hi{pargs}) nounwind {{
entry:
  %any = icmp slt i64 %lo, %hi
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [%lo, %entry], [%inext, %loop]
{loads}  %val = call {ty} @{fn}(ptr %bg{cargs})
  %po = getelementptr inbounds {ty}, ptr %out, i64 %i
  store {ty} %val, ptr %po, align {_ALIGN[ty]}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %hi
  br i1 %more, label %loop, label %done
done:
  ret void
}}
""")
    modes = _LANE_SPECS[name]
    for m, mode in enumerate(modes):
        per, store = mode[1], mode[2]
        setup = mode[3] if len(mode) > 3 else ""
        rejects = "%bad =" in store
        lanes_body = []
        for k in range(1, LANES + 1):
            lanes_body.append(f"  %x{k} = call i64 @lane_out(i128 %t{k})\n"
                              f"  %jo{k} = add i64 %base, {(k - 1) * per}\n")
            lanes_body.append(_rename(store.replace("%x", f"%x{k}").replace("%j", f"%jo{k}"),
                                      f"_{k}"))
        check = ""
        if rejects:
            acc = "%bad_1"
            for k in range(2, LANES + 1):
                lanes_body.append(f"  %anyb{k} = or i1 {acc}, %bad_{k}\n")
                acc = f"%anyb{k}"
            check = f"  br i1 {acc}, label %bail, label %latch\nlatch:\n"
        lanes_body.append(check)
        for k in range(1, LANES + 1):
            lanes_body.append(f"  %m{k} = mul i128 %t{k}, {amul}\n"
                              f"  %t{k}n = add i128 %m{k}, %C\n")
        init = []
        if kind == "pcg64":
            init.append(f"  %ma = mul i128 %ls0, {mult}\n  %u1 = add i128 %ma, %inc\n")
        else:
            init.append("  %u1 = add i128 %ls0, 0\n")
        for k in range(2, LANES + 1):
            init.append(f"  %mb{k} = mul i128 %u{k - 1}, {mult}\n"
                        f"  %u{k} = add i128 %mb{k}, %inc\n")
        latch = "%latch" if rejects else "%lanes"
        phis = "".join(f"  %t{k} = phi i128 [%u{k}, %init], [%t{k}n, {latch}]\n"
                       for k in range(1, LANES + 1))
        bail = ""
        if rejects:
            # state before the abandoned block: PCG64's last output state of the previous
            # block (the entry state for the first), PCG64DXSM's first output state
            if kind == "pcg64":
                phis += f"  %prev = phi i128 [%ls0, %init], [%t{LANES}, {latch}]\n"
                before = "%prev"
            else:
                before = "%t1"
            bail = (f"bail:\n  store i128 {before}, ptr %bg, align 16\n"
                    "  br label %tail\n")
        final = f"%t{LANES}" if kind == "pcg64" else "%t1n"
        keep_hi = ""
        if per == 2:
            # NumPy leaves the consumed upper half in ``uinteger`` (has_uint32 = 0)
            keep_hi = (f"  %uhi = lshr i64 %x{LANES}, 32\n"
                       "  %up = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3\n"
                       "  store i64 %uhi, ptr %up, align 8\n")
        prefix = ""
        if per == 2:
            prefix = f"""  %hp = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  %has = load i64, ptr %hp, align 8
  %hb = icmp ne i64 %has, 0
  %npos = icmp sgt i64 %n, 0
  %dopre = and i1 %hb, %npos
  %pre = zext i1 %dopre to i64
  call void @ser_{name}(ptr %bg, ptr %out, i64 0, i64 %pre{pcall})
  %has2 = load i64, ptr %hp, align 8
  %clean = icmp eq i64 %has2, 0
"""
        else:
            prefix = "  %pre = add i64 0, 0\n  %clean = add i1 1, 0\n"
        out.append(f"""
define internal void @lanes_{name}_{m}(ptr %bg, ptr %out, i64 %n{pargs}{qargs}) nounwind {{
entry:
{setup}{prefix}  %rem = sub i64 %n, %pre
  %draws = udiv i64 %rem, {per}
  %blocks = udiv i64 %draws, {LANES}
  %big0 = icmp uge i64 %blocks, 2
  %big = and i1 %big0, %clean
  br i1 %big, label %init, label %tail
init:
  %ls0 = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %C = mul i128 %inc, {csum}
{"".join(init)}  br label %lanes
lanes:
  %b = phi i64 [0, %init], [%bn, {latch}]
{phis}  %b0 = mul i64 %b, {LANES * per}
  %base = add i64 %b0, %pre
{"".join(lanes_body)}  %bn = add i64 %b, 1
  %more = icmp ult i64 %bn, %blocks
  br i1 %more, label %lanes, label %lanes_done
{bail}lanes_done:
  store i128 {final}, ptr %bg, align 16
{keep_hi}  %dn0 = mul i64 %blocks, {LANES * per}
  %dn = add i64 %dn0, %pre
  br label %tail
tail:
  %start = phi i64 [%pre, %entry], [%dn, %lanes_done]{", [%base, %bail]" if rejects else ""}
  call void @ser_{name}(ptr %bg, ptr %out, i64 %start, i64 %n{pcall})
  ret void
}}
""")
    # dispatcher: lane paths need scalar (stride 0) parameters and the mode's condition
    disp = ["entry:\n  %bg = alloca %BG, align 16\n  call void @load_state(ptr %bg, ptr %st)\n"]
    scal = "  %sc = add i1 1, 0\n"
    for k in range(np_):
        scal += (f"  %z{k} = icmp eq i64 %s{k}, 0\n  %sc{k} = and i1 %sc"
                 f"{'' if k == 0 else k - 1}, %z{k}\n")
    disp.append(scal)
    last = f"%sc{np_ - 1}" if np_ else "%sc"
    disp.append(f"  br i1 {last}, label %scalar, label %serial\n")
    disp.append("scalar:\n" + "".join(
        f"  %q{k} = load {t}, ptr %p{k}\n" for k, t in enumerate(params)))
    disp.append("  br label %mode0\n")
    for m, mode in enumerate(modes):
        cond = mode[0]
        nxt = f"%mode{m + 1}" if m + 1 < len(modes) else "%serial"
        c = _rename(cond, f"_{m}") if cond else f"  %ok_{m} = add i1 1, 0\n"
        disp.append(f"mode{m}:\n{c}  br i1 %ok_{m}, label %run{m}, label {nxt}\n")
        disp.append(f"run{m}:\n  call void @lanes_{name}_{m}(ptr %bg, ptr %out, i64 %n{pcall}"
                    + "".join(f", {t} %q{k}" for k, t in enumerate(params))
                    + ")\n  br label %done\n")
    disp.append(f"serial:\n  call void @ser_{name}(ptr %bg, ptr %out, i64 0, i64 %n{pcall})\n"
                "  br label %done\n")
    disp.append("done:\n  call void @store_state(ptr %st, ptr %bg)\n  ret void\n")
    out.append(f"\ndefine void @lz_{name}(ptr noalias %st, ptr noalias %out, i64 %n{pargs}) "
               f"nounwind {{\n{''.join(disp)}}}\n")
    return _OUT_FN[kind] + "".join(out)


# ---- MT19937 chunked fills -------------------------------------------------------------------
# NumPy's mt19937_next_double draws two words per double; the chunked kernels produce the words
# of up to MT_CHUNK doubles at once with ``mt_fill32`` (tempering over runs of the key array)
# and combine them in a second, vectorisable loop.  Same words, same order, same state.

MT_CHUNK = 1024

_MT_CONV = {
    "random_f64": ([], "  %r = fadd double %d, 0.0\n"),
    "uniform": (["double", "double"], "  %t = fmul double %v1, %d\n  %r = fadd double %v0, %t\n"),
}


def _mt_chunked(name: str) -> str:
    params, conv = _MT_CONV[name]
    pargs = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(params)))
    loads = "".join(f"  %o{k} = mul i64 %g, %s{k}\n"
                    f"  %a{k} = getelementptr inbounds {t}, ptr %p{k}, i64 %o{k}\n"
                    f"  %v{k} = load {t}, ptr %a{k}\n" for k, t in enumerate(params))
    return f"""
define void @lz_{name}(ptr noalias %st, ptr noalias %out, i64 %n{pargs}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  %buf = alloca [{2 * MT_CHUNK} x i32], align 64
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %chunk, label %done
chunk:
  %i = phi i64 [0, %entry], [%inext, %chunk_end]
  %left = sub i64 %n, %i
  %small = icmp slt i64 %left, {MT_CHUNK}
  %c = select i1 %small, i64 %left, i64 {MT_CHUNK}
  %w = shl i64 %c, 1
  call void @mt_fill32(ptr %bg, ptr %buf, i64 %w)
  br label %loop
loop:
  %j = phi i64 [0, %chunk], [%jnext, %loop]
  %j2 = shl i64 %j, 1
  %pa = getelementptr inbounds i32, ptr %buf, i64 %j2
  %ua = load i32, ptr %pa, align 4
  %j21 = or i64 %j2, 1
  %pb = getelementptr inbounds i32, ptr %buf, i64 %j21
  %ub = load i32, ptr %pb, align 4
  %sa = lshr i32 %ua, 5
  %sb = lshr i32 %ub, 6
  %fa = sitofp i32 %sa to double
  %fb = sitofp i32 %sb to double
  %ma = fmul double %fa, 67108864.0
  %sum = fadd double %ma, %fb
  %d = fdiv double %sum, 9007199254740992.0
  %g = add i64 %i, %j
{loads}{conv}  %po = getelementptr inbounds double, ptr %out, i64 %g
  store double %r, ptr %po, align 8
  %jnext = add i64 %j, 1
  %jmore = icmp slt i64 %jnext, %c
  br i1 %jmore, label %loop, label %chunk_end
chunk_end:
  %inext = add i64 %i, %c
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %chunk, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


def _dedupe_declares(text: str) -> str:
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        if line.startswith("declare "):
            if line in seen:
                continue
            seen.add(line)
        lines.append(line)
    return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def _common() -> str:
    return (_COMMON
            .replace("NEG_NOR_INV_R_F", _f32(-0.27366123732975827203338247596))
            .replace("NOR_R_F", _f32(3.6541528853610087963519472518))
            .replace("EXP_R_F", _f32(7.6971174701310497140446280481))
            .replace("NEG_NOR_INV_R", _f64(-0.27366123732975827203338247596))
            .replace("NOR_R", _f64(3.6541528853610087963519472518))
            .replace("EXP_R", _f64(7.6971174701310497140446280481)))


_SPECIAL = {"shuffle_interval", "shuffle_lemire"}

# NumPy's bitgen_t functions on the state block, for the ``ctypes`` interface of bit generators
# whose state is lazynp's (SFC64, Philox): each loads the block, draws once, stores it back.
_INTERFACE = "".join(f"""
define {ty} @lz_next_{name}(ptr %st) nounwind {{
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %v = call {ty} @{draw}(ptr %bg)
  call void @store_state(ptr %st, ptr %bg)
  ret {ty} %v
}}
""" for name, ty, draw in (("uint64", "i64", "next64"), ("uint32", "i32", "next32"),
                           ("double", "double", "next_double")))


def render_kernel(kind: str, name: str) -> str:
    """The LLVM module holding kernel ``lz_<name>`` for bit generator ``kind``.

    One module per kernel, so a process compiles (or loads from the disk cache) only the
    kernels it calls: ``default_rng().random(n)`` costs one small module, not every
    distribution.
    """
    parts = [_prelude(kind), _common(), _tables()]
    if name == "interface":
        parts.append(_INTERFACE)
    elif name in KERNELS:
        ty, fn, params, small = KERNELS[name]
        if kind in _LANE_MULT and name in _LANE_SPECS:
            parts.append(_lane_fill(kind, name, ty, fn, params))
        elif kind == "mt19937" and name in _MT_CONV:
            parts.append(_mt_chunked(name))
        else:
            parts.append(_map_kernel("lz_" + name, ty, fn, params, small, _ALIGN[ty]))
    elif name in _SPECIAL:
        parts.append(_SHUFFLE)
    elif name in _dsl_calls():
        parts += [_dsl_ir_for("x_" + name), _dsl_call_kernel(name, _dsl_calls()[name])]
    else:
        ret, params, _aux, _np = _dsl_parts()[1][name]
        parts += [_dsl_ir_for("k_" + name), _dsl_kernel("k_" + name, ret, params)]
    return _dedupe_declares("".join(parts))


def render(kind: str) -> str:
    """Every kernel of bit generator ``kind`` in one module (for inspection and tests)."""
    parts = [_prelude(kind), _common(), _tables(), _SHUFFLE]
    dsl_ir, dsl_kernels = _dsl_parts()
    parts.append(dsl_ir)
    for name, (ty, fn, params, small) in KERNELS.items():
        if kind in _LANE_MULT and name in _LANE_SPECS:
            parts.append(_lane_fill(kind, name, ty, fn, params))
        elif kind == "mt19937" and name in _MT_CONV:
            parts.append(_mt_chunked(name))
        else:
            parts.append(_map_kernel("lz_" + name, ty, fn, params, small, _ALIGN[ty]))
    for name, (ret, params, _aux, _np) in dsl_kernels.items():
        parts.append(_dsl_kernel("k_" + name, ret, params))
    for name, params in _dsl_calls().items():
        parts.append(_dsl_call_kernel(name, params))
    return _dedupe_declares("".join(parts))


class _LazyFns(dict):
    """name -> ctypes callable, compiled (or loaded from the disk cache) on first lookup."""

    def __init__(self, owner: KernelSet) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, name: str) -> Any:
        with _sets_lock:
            if dict.__contains__(self, name):
                return dict.__getitem__(self, name)
            fn = self._owner._load(name)
            self[name] = fn
            return fn


class KernelSet:
    """ctypes callables of one bit generator kind's kernels (``fn[name]``), compiled lazily."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.fn = _LazyFns(self)
        self.libs: dict[str, Any] = {}

    @staticmethod
    def is_dsl(name: str) -> bool:
        """True for map kernels transcribed through the DSL (they take the ``aux`` pointer)."""
        return name not in KERNELS and name not in _SPECIAL

    def interface_lib(self) -> Any:
        """The compiled ``lz_next_uint64``/``lz_next_uint32``/``lz_next_double`` (C ABI,
        ``(ptr st)``) of the ``ctypes`` interface, compiled on first use."""
        from lazynp.codegen_cpu.compiler import compile_ir  # (lazy: see the top)

        with _sets_lock:
            lib = self.libs.get("interface")
            if lib is None:
                lib = self.libs["interface"] = compile_ir(
                    render_kernel(self.kind, "interface"),
                    name=f"lazynp_random_{self.kind}_interface")
            return lib

    def _load(self, name: str) -> Any:
        from lazynp.codegen_cpu.compiler import compile_ir  # (lazy: see the top)

        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        if name in KERNELS:
            argtypes = [vp, vp, i64] + [vp, i64] * len(KERNELS[name][2])
        elif name in _SPECIAL:
            argtypes = [vp, vp, i64, i64]
        elif name in _dsl_calls():
            argtypes = [vp] + [vp if t.startswith("p_") else i64 for _n, t in _dsl_calls()[name]]
        elif name in _dsl_parts()[1]:
            argtypes = [vp, vp, i64, vp] + [vp, i64] * _dsl_parts()[1][name][3]
        else:
            raise KeyError(name)
        lib = compile_ir(render_kernel(self.kind, name), name=f"lazynp_random_{self.kind}_{name}")
        self.libs[name] = lib
        return lib.cfunc("lz_" + name, None, *argtypes)


_sets: dict[str, KernelSet] = {}
_sets_lock = threading.RLock()


def kernels(kind: str) -> KernelSet:
    ks = _sets.get(kind)
    if ks is None:
        with _sets_lock:
            ks = _sets.get(kind)
            if ks is None:
                ks = KernelSet(kind)
                _sets[kind] = ks
    return ks
