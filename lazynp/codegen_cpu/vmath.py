"""The CPU backend's own vectorizable math functions, emitted as LLVM IR.

Where glibc's vector math library (libmvec) is not accurate enough against NumPy and the
scalar libm does not vectorize, the renderer calls the functions of this module instead
(the ``impl`` of an op's row in ``libm.py`` says which).  Each function is generated from one
description in two forms with the same operations in the same order, so an element gets the
same bits from either::

    double @lnp_vm_exp_f64(double)                  ; scalar: strided nests, sums, remainders
    <8 x double> @lnp_vm_exp_f64_x8(<8 x double>)   ; w lanes: explicit lanes of a flat loop

Both are ``internal`` and ``alwaysinline``; :func:`definition` returns the IR text of one of
them, plus the declarations and constant tables it needs, for the renderer to add to its
module.

Rules the implementations keep:

* No fast-math flags: every operation rounds as written.  Fused multiply-adds are explicit
  ``llvm.fma`` calls, which round once on every host (an instruction where the CPU has FMA,
  a libm ``fma`` call elsewhere: slower, the same bits).  Table lookups are exact, whether a
  register permute (AVX-512), a gather or a load; so the results depend on these formulas
  only, not on the host.
* Branch-free element code: special arguments (NaN, infinities, zeros, tiny arguments, the
  overflow and underflow ranges) are replaced by a harmless argument and their results are
  chosen with ``select``.  The vector form first tests whether any lane is special (rare in
  real data) and then runs a shorter common path; the rest of the work runs only when some
  lane needs it (:meth:`_Builder.rare`).  Huge or infinite arguments of sin/cos/tan
  (``|x| >= 2^20 * pi/2``) are computed by glibc's scalar function, lane by lane, behind such
  a branch.
* Floating-point flags as NumPy's: a lane raises overflow, underflow, divide-by-zero or
  invalid only where the mathematical result does (``exp(800)`` overflows, ``log(0.0)``
  divides by zero, ``log(-1.0)`` and ``sin(inf)`` are invalid); NaN arguments and the
  replaced lanes raise nothing.  Arguments are classified by integer comparisons of their
  bits (an ordered float comparison of a NaN would raise invalid in vector code), and every
  path is harmless for every lane, because LLVM takes floating-point operations to be free of
  side effects and may compute a path for lanes (or elements) that do not use it.  The runtime
  reruns a kernel that raised a flag on the reference executor, so a spurious flag costs
  speed, never correctness.

Algorithms (published ones, our measured accuracy against NumPy in
``tests/codegen_cpu/test_ulp.py`` and ``test_vmath.py``):

* float64 ``exp``: ARM optimized-routines' exp (glibc's and musl's scalar exp):
  ``exp(x) = 2^(k/N) * exp(r)``, ``2^(j/N)`` as a double plus a correction from a table, here
  ``N = 16`` (the tables fit two AVX-512 registers each) and the Taylor series of ``exp(r)``
  to degree 7; arguments beyond +-512 are scaled in two steps (overflow to inf, one rounding
  into the subnormals).  At most 0.54 ULP from the exact result (0.77 for subnormal results).
* float64 ``sin``, ``cos``, ``tan``: fdlibm (FreeBSD msun, as in musl): ``__rem_pio2``'s
  Cody-Waite reduction (pi/2 in 33-bit pieces, ``|x| < 2^20 * pi/2``; the second and third
  rounds only where the first one cancels) and the kernels on ``[-pi/4, pi/4]``; tan with one
  division per element.  At most 0.79 (sin, cos) and 0.88 ULP (tan) from the exact result.
* float32 ``log``: ARM optimized-routines' logf (glibc's scalar logf) in double precision:
  ``log(x) = k*ln2 + log(c) + log1p(x/(2^k c) - 1)`` with 16 table entries for c; its degree-4
  polynomial is replaced by the Taylor series to degree 6, so that the result is the exact
  logarithm rounded to float but in rare double-rounding cases (at most 0.501 ULP, checked
  over every positive float).
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal, localcontext
from typing import Callable

import numpy as np

from .llvm_text import FnText, ModuleText, const_array, fconst, iconst64

__all__ = ["IMPLEMENTED", "Definition", "declaration", "definition", "library", "symbol"]


class Definition:
    """IR text of one function plus the module-level lines it needs (declarations, tables)."""

    def __init__(self, name: str, text: str, decls: set[str]) -> None:
        self.name = name
        self.text = text
        self.decls = decls


_hex = fconst  # (a double's LLVM literal: llvm_text.py)


class _Builder(FnText):
    """Straight-line IR over ``w`` lanes (``w == 1``: scalar types), one function body (its
    lines, names ``%v<n>`` and declarations: ``llvm_text.FnText``).

    Values are SSA names whose element type is remembered; Python numbers given as operands
    become constants (splat over the lanes) of the other operand's type."""

    def __init__(self, w: int, avx512: bool = False) -> None:
        super().__init__(prefix="v")
        self.w = w
        self.avx512 = avx512
        self.types: dict[str, str] = {}
        self.place("entry")

    # ---- types and constants
    def ty(self, elem: str) -> str:
        return elem if self.w == 1 else f"<{self.w} x {elem}>"

    def const(self, elem: str, v: float | int | bool) -> str:
        if elem == "i1":
            lit = "true" if v else "false"
        elif elem in ("double", "float"):
            lit = _hex(float(np.float32(v)) if elem == "float" else float(v))
        else:
            bits = int(elem[1:])
            v = int(v) % (1 << bits)
            lit = str(v - (1 << bits) if v >> (bits - 1) else v)
        return lit if self.w == 1 else f"splat ({elem} {lit})"

    def _v(self, v: str | float | int, elem: str) -> str:
        return v if isinstance(v, str) else self.const(elem, v)

    def _elem(self, *vals: str | float | int) -> str:
        for v in vals:
            if isinstance(v, str):
                return self.types[v]
        if isinstance(vals[0], bool):
            return "i1"
        return "double" if isinstance(vals[0], float) else "i64"

    def emit(self, text: str, elem: str) -> str:
        """``FnText.emit``, remembering the result's element type ``elem``."""
        r = super().emit(text)
        self.types[r] = elem
        return r

    def arg(self, name: str, elem: str) -> str:
        self.types[name] = elem
        return name

    # ---- operations
    def bin(self, op: str, a: str | float | int, b: str | float | int) -> str:
        e = self._elem(a, b)
        return self.emit(f"{op} {self.ty(e)} {self._v(a, e)}, {self._v(b, e)}", e)

    def fadd(self, a, b):
        return self.bin("fadd", a, b)

    def fsub(self, a, b):
        return self.bin("fsub", a, b)

    def fmul(self, a, b):
        return self.bin("fmul", a, b)

    def fdiv(self, a, b):
        return self.bin("fdiv", a, b)

    def add(self, a, b):
        return self.bin("add", a, b)

    def sub(self, a, b):
        return self.bin("sub", a, b)

    def xor(self, a, b):
        return self.bin("xor", a, b)

    def not_(self, a: str) -> str:
        return self.xor(a, True)

    def and_(self, a, b):
        return self.bin("and", a, b)

    def or_(self, a, b):
        return self.bin("or", a, b)

    def shl(self, a, b):
        return self.bin("shl", a, b)

    def lshr(self, a, b):
        return self.bin("lshr", a, b)

    def ashr(self, a, b):
        return self.bin("ashr", a, b)

    def fneg(self, a: str) -> str:
        e = self.types[a]
        return self.emit(f"fneg {self.ty(e)} {a}", e)

    def icmp(self, pred: str, a: str | int, b: str | int) -> str:
        e = self._elem(a, b)
        return self.emit(f"icmp {pred} {self.ty(e)} {self._v(a, e)}, {self._v(b, e)}", "i1")

    def select(self, c: str, a: str | float | int, b: str | float | int) -> str:
        e = self._elem(a, b)
        return self.emit(f"select {self.ty('i1')} {c}, {self.ty(e)} {self._v(a, e)}, "
                         f"{self.ty(e)} {self._v(b, e)}", e)

    def in_range(self, v: str, lo: int, hi: int) -> str:
        """``lo <= v < hi`` (unsigned)."""
        return self.icmp("ult", self.sub(v, lo), hi - lo)

    def cast(self, op: str, v: str, to: str) -> str:
        return self.emit(f"{op} {self.ty(self.types[v])} {v} to {self.ty(to)}", to)

    def bits(self, v: str) -> str:
        """The bit pattern of a float value as an integer of the same width."""
        return self.cast("bitcast", v, "i64" if self.types[v] == "double" else "i32")

    def double(self, v: str) -> str:
        return self.cast("bitcast", v, "double")

    def intrinsic(self, name: str, *args: str) -> str:
        e = self.types[args[0]]
        t = self.ty(e)
        suffix = ("v%d" % self.w if self.w > 1 else "") + ("f64" if e == "double" else "f32")
        fn = f"@llvm.{name}.{suffix}"
        self.declare(f"declare {t} {fn}({', '.join(t for _ in args)})")
        return self.emit(f"call {t} {fn}({', '.join(f'{t} {a}' for a in args)})", e)

    def fma(self, a: str, m: str | float, c: str | float) -> str:
        """``a * m + c`` rounded once (``llvm.fma``: exact on every host, an instruction where
        the host has FMA, a libm call elsewhere)."""
        e = self.types[a]
        return self.intrinsic("fma", a, self._v(m, e), self._v(c, e))

    def any(self, mask: str) -> str:
        """Whether any lane of ``mask`` is set (a scalar ``i1``)."""
        if self.w == 1:
            return mask
        i = self.emit(f"bitcast <{self.w} x i1> {mask} to i{self.w}", f"i{self.w}")
        return self.emit(f"icmp ne i{self.w} {i}, 0", "i1")

    def place(self, label: str) -> None:
        super().place(label)
        self.block = label

    def rare(self, mask: str, common: Callable[[], str], full: Callable[[], str]) -> str:
        """``full()`` when a lane of ``mask`` is set, else ``common()``: the fast path of the
        usual arguments, and the complete computation that also handles ``mask``'s lanes and
        gives the other lanes the same bits as ``common``.  LLVM treats floating-point
        operations as free of side effects and may compute both, so ``common`` must not raise
        a flag for ``mask``'s lanes either.  Scalar code (``w == 1``) is ``full()`` only:
        straight-line code that the loop vectorizer can vectorize."""
        if self.w == 1:
            return full()
        k = self.n
        go = self.any(mask)
        self.instr(f"br i1 {go}, label %full{k}, label %common{k}")
        out = []
        for label, body in ((f"common{k}", common), (f"full{k}", full)):
            self.place(label)
            out.append((body(), self.block))
            self.instr(f"br label %join{k}")
        self.place(f"join{k}")
        (a, la), (c, lc) = out
        e = self.types[a]
        return self.emit(f"phi {self.ty(e)} [ {a}, %{la} ], [ {c}, %{lc} ]", e)

    def table(self, name: str, values: list[int], idx: str) -> str:
        """``values[idx]`` (``i64``): a permute of two registers for 8 lanes of AVX-512 and at
        most 16 values, else loads from a constant global ``@name`` (a gather over lanes)."""
        consts = [iconst64(v) for v in values]
        if self.w == 8 and self.avx512 and len(values) <= 16:
            consts += [0] * (16 - len(consts))
            fn = "@llvm.x86.avx512.vpermi2var.q.512"
            self.declare(f"declare <8 x i64> {fn}(<8 x i64>, <8 x i64>, <8 x i64>)")
            lo, hi = (", ".join(f"i64 {v}" for v in consts[h:h + 8]) for h in (0, 8))
            return self.emit(f"call <8 x i64> {fn}(<8 x i64> <{lo}>, <8 x i64> {idx}, "
                             f"<8 x i64> <{hi}>)", "i64")
        glob = f"@lnp_vm_{name}"
        self.declare(const_array(f"lnp_vm_{name}", "i64", consts, "internal", None))
        if self.w == 1:
            p = self.emit(f"getelementptr i64, ptr {glob}, i64 {idx}", "ptr")
            return self.emit(f"load i64, ptr {p}", "i64")
        w = self.w
        p = self.emit(f"getelementptr i64, ptr {glob}, <{w} x i64> {idx}", "ptr")
        fn = f"@llvm.masked.gather.v{w}i64.v{w}p0"
        self.declare(f"declare <{w} x i64> {fn}(<{w} x ptr>, i32, <{w} x i1>, <{w} x i64>)")
        return self.emit(f"call <{w} x i64> {fn}(<{w} x ptr> {p}, i32 8, <{w} x i1> "
                         f"{self.const('i1', True)}, <{w} x i64> poison)", "i64")

    def scalar_fallback(self, mask: str, x: str, res: str, cname: str) -> str:
        """``res`` with the lanes in ``mask`` replaced by glibc's ``cname(x)`` lane by lane,
        behind a branch that only runs when some lane needs it."""
        self.declare(f"declare double @{cname}(double)")
        k = self.n
        start = self.block
        if self.w == 1:
            self.lines += [f"  br i1 {mask}, label %slow{k}, label %join{k}", f"slow{k}:",
                           f"  %s{k} = call double @{cname}(double {x})",
                           f"  br label %join{k}", f"join{k}:"]
            self.block = f"join{k}"
            return self.emit(f"phi double [ {res}, %{start} ], [ %s{k}, %slow{k} ]", "double")
        w = self.w
        vt = f"<{w} x double>"
        go = self.any(mask)
        self.lines += [
            f"  br i1 {go}, label %slow{k}, label %join{k}",
            f"slow{k}:",
            f"  %j{k} = phi i32 [ 0, %{start} ], [ %jn{k}, %next{k} ]",
            f"  %acc{k} = phi {vt} [ {res}, %{start} ], [ %accn{k}, %next{k} ]",
            f"  %m{k} = extractelement <{w} x i1> {mask}, i32 %j{k}",
            f"  br i1 %m{k}, label %call{k}, label %next{k}",
            f"call{k}:",
            f"  %x{k} = extractelement {vt} {x}, i32 %j{k}",
            f"  %s{k} = call double @{cname}(double %x{k})",
            f"  %ins{k} = insertelement {vt} %acc{k}, double %s{k}, i32 %j{k}",
            f"  br label %next{k}",
            f"next{k}:",
            f"  %accn{k} = phi {vt} [ %acc{k}, %slow{k} ], [ %ins{k}, %call{k} ]",
            f"  %jn{k} = add i32 %j{k}, 1",
            f"  %more{k} = icmp ult i32 %jn{k}, {w}",
            f"  br i1 %more{k}, label %slow{k}, label %join{k}",
            f"join{k}:",
        ]
        self.block = f"join{k}"
        return self.emit(f"phi {vt} [ {res}, %{start} ], [ %accn{k}, %next{k} ]", "double")


# ---------------------------------------------------------------- exp (float64)
_EXP_BITS = 4
_EXP_N = 1 << _EXP_BITS
_INVLN2N = float.fromhex("0x1.71547652b82fep0") * _EXP_N
_NEGLN2HIN = float.fromhex("-0x1.62e42fefa0000p-1") / _EXP_N
_NEGLN2LON = float.fromhex("-0x1.cf79abc9e3b3ap-40") / _EXP_N
_SHIFT = float.fromhex("0x1.8p52")
# exp(r) = 1 + r + r^2 * (1/2! + r/3! + ... + r^5/7!) (Taylor: |r| <= ln2/32, the first term
# left out is below 2^-59)
_EXP_C = [1.0 / math.factorial(n) for n in range(2, 8)]


def _u64(x: float) -> int:
    return int(np.array(x, dtype=np.float64).view(np.uint64))


@functools.cache
def _exp_tables() -> tuple[list[int], list[int]]:
    """ARM's ``__exp_data.tab`` for ``N = 2^_EXP_BITS``: for j < N, ``2^(j/N) ~= H[j] * (1 +
    T[j])`` with ``H[j]`` the nearest double; returns the bits of ``T[j]`` and those of
    ``H[j]`` minus ``j << (52 - _EXP_BITS)`` (so that adding ``k << (52 - _EXP_BITS)`` scales
    by ``2^(k/N)``)."""
    tails, heads = [], []
    with localcontext() as ctx:
        ctx.prec = 60
        for j in range(_EXP_N):
            exact = Decimal(2) ** (Decimal(j) / _EXP_N)
            h = float(exact)
            tails.append(_u64(float(exact / Decimal(h) - 1)))
            heads.append((_u64(h) - (j << (52 - _EXP_BITS))) % (1 << 64))
    return tails, heads


def _exp_core(b: _Builder, x: str) -> tuple[str, str, str]:
    """``exp(x) ~= scale * (1 + tmp)``, ``scale = 2^(k/N)`` (``sbits``: its bits while
    ``|k/N| <= 1022``), for finite ``|x| < 1024``; returns (ki, sbits, tmp)."""
    kd = b.fma(x, _INVLN2N, _SHIFT)
    ki = b.bits(kd)
    kd = b.fsub(kd, _SHIFT)
    r = b.fma(kd, _NEGLN2LON, b.fma(kd, _NEGLN2HIN, x))
    idx = b.and_(ki, _EXP_N - 1)
    tails, heads = _exp_tables()
    tail = b.double(b.table("exp_tail", tails, idx))
    sbits = b.add(b.table("exp_head", heads, idx), b.shl(ki, 52 - _EXP_BITS))
    r2 = b.fmul(r, r)
    r4 = b.fmul(r2, r2)
    c = _EXP_C
    q = b.fma(r2, b.fma(r, c[3], c[2]), b.fma(r, c[1], c[0]))
    q = b.fma(r4, b.fma(r, c[5], c[4]), q)
    tmp = b.fma(r2, q, b.fadd(tail, r))
    return ki, sbits, tmp


def _exp(b: _Builder, x: str) -> str:
    ix = b.bits(x)
    abstop = b.and_(b.lshr(ix, 52), 0x7FF)
    special = b.not_(b.in_range(abstop, 0x3C9, 0x408))  # not 2^-54 <= |x| < 512: rare

    def common() -> str:
        _, sbits, tmp = _exp_core(b, b.select(special, 0.0, x))
        scale = b.double(sbits)
        return b.fma(scale, tmp, scale)

    def full() -> str:
        nonfinite = b.icmp("eq", abstop, 0x7FF)
        tiny = b.icmp("ult", abstop, 0x3C9)       # |x| < 2^-54: exp(x) rounds as 1 + x
        big = b.in_range(abstop, 0x408, 0x7FF)     # 512 <= |x| < inf
        huge = b.in_range(abstop, 0x409, 0x7FF)    # 1024 <= |x| < inf: over/underflows as +-1000
        xs = b.select(b.or_(nonfinite, tiny), 0.0, x)
        xs = b.select(huge, b.double(b.or_(b.and_(ix, 1 << 63), _u64(1000.0))), xs)
        ki, sbits, tmp = _exp_core(b, xs)
        scale = b.double(b.select(big, _u64(1.0), sbits))
        normal = b.fma(scale, tmp, scale)
        # |x| >= 512: 2^(k/N) may leave the double range: scale by 2^(k/N - 1009) and then
        # by 2^1009 (overflows to inf), or by 2^(k/N + 1022) and then by 2^-1022 (rounds
        # once into the subnormals, raising underflow); other lanes compute
        # 2^10 * (1 + tmp) * 1, which no scale factor would overflow or underflow
        pos = b.icmp("eq", b.and_(ki, 0x80000000), 0)
        sb = b.select(big, b.add(sbits, b.select(pos, -(1009 << 52), 1022 << 52)),
                      _u64(1024.0))
        scale = b.double(sb)
        y = b.fma(scale, tmp, scale)
        special = b.fmul(y, b.select(big, b.select(pos, 2.0 ** 1009, 2.0 ** -1022), 1.0))
        res = b.select(big, special, normal)
        ninf = b.icmp("eq", ix, _u64(-np.inf))
        res = b.select(nonfinite, b.select(ninf, 0.0, x), res)
        return b.select(tiny, b.fadd(x, 1.0), res)

    return b.rare(special, common, full)


# ---------------------------------------------------------------- sin, cos, tan (float64)
_TOINT = 1.5 / np.finfo(np.float64).eps
_INVPIO2 = 6.36619772367581382433e-01
# pi/2 in three 33-bit pieces (n * piece is exact for |n| < 2^20) and what each leaves
_PIO2 = [(1.57079632673412561417e+00, 6.07710050650619224932e-11),
         (6.07710050630396597660e-11, 2.02226624879595063154e-21),
         (2.02226624871116645580e-21, 8.47842766036889956997e-32)]
_MEDIUM = 0x413921FB  # high word of 2^20 * pi/2: Cody-Waite is exact below
_S = [-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
      2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10]
_C = [4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
      -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11]
_T = [3.33333333333334091986e-01, 1.33333333333201242699e-01, 5.39682539762260521377e-02,
      2.18694882948595424599e-02, 8.86323982359930005737e-03, 3.59207910759131235356e-03,
      1.45620945432529025516e-03, 5.88041240820264096874e-04, 2.46463134818469906812e-04,
      7.81794442939557092300e-05, 7.14072491382608190305e-05, -1.85586374855275456654e-05,
      2.59073051863633712884e-05]
_PIO4 = 7.85398163397448278999e-01
_PIO4LO = 3.06161699786838301793e-17


def _horner(b: _Builder, z: str, coefs: list[float]) -> str:
    """``c0 + z*(c1 + z*(c2 + ...))``, one fused multiply-add per coefficient."""
    acc = coefs[-1]
    for c in reversed(coefs[:-1]):
        acc = b.fma(z, acc, c)
    return acc


class _Reduced:
    """fdlibm's medium-range ``__rem_pio2`` of ``x`` (``|x| < 2^20 * pi/2``): ``x = n*pi/2 +
    y0 + y1``, ``|y0| <= ~pi/4``.  The first round takes off ``n*pi/2`` to 85 bits; fdlibm
    takes off the next pieces while the subtraction cancels more than 16, then 49 bits
    (``more`` says where the first round is not enough: rare)."""

    def __init__(self, b: _Builder, x: str) -> None:
        self.b = b
        t = b.fma(x, _INVPIO2, _TOINT)
        self.n = b.bits(t)                # the low bits are n's
        self.fn = b.fsub(t, _TOINT)
        self.ex = b.and_(b.lshr(b.bits(x), 52), 0x7FF)
        hi, lo = _PIO2[0]
        self.r = b.fma(self.fn, -hi, x)   # exact: n*hi has 53 bits, x - n*hi no more
        self.w = b.fmul(self.fn, lo)
        self.y0 = b.fsub(self.r, self.w)
        self.more = self._cancels(16)

    def _cancels(self, bits: int) -> str:
        b = self.b
        ey = b.and_(b.lshr(b.bits(self.y0), 52), 0x7FF)
        return b.icmp("sgt", b.sub(self.ex, ey), bits)

    def refine(self) -> None:
        """The second and third rounds where fdlibm takes them (computed for every lane)."""
        b = self.b
        more = self.more
        for (hi, lo), limit in zip(_PIO2[1:], (49, None)):
            w1 = b.fmul(self.fn, hi)
            r1 = b.fsub(self.r, w1)
            w1 = b.fsub(b.fmul(self.fn, lo), b.fsub(b.fsub(self.r, r1), w1))
            self.r = b.select(more, r1, self.r)
            self.w = b.select(more, w1, self.w)
            self.y0 = b.select(more, b.fsub(r1, w1), self.y0)
            if limit is not None:
                more = b.and_(more, self._cancels(limit))

    def y1(self) -> str:
        b = self.b
        return b.fsub(b.fsub(self.r, self.y0), self.w)


def _ksin(b: _Builder, x: str, y: str) -> str:
    z = b.fmul(x, x)
    w = b.fmul(z, z)
    r = b.fma(b.fmul(z, w), _horner(b, z, _S[4:]), _horner(b, z, _S[1:4]))
    v = b.fmul(z, x)
    inner = b.fsub(b.fmul(z, b.fsub(b.fmul(y, 0.5), b.fmul(v, r))), y)
    return b.fsub(x, b.fsub(inner, b.fmul(v, _S[0])))


def _kcos(b: _Builder, x: str, y: str) -> str:
    z = b.fmul(x, x)
    w = b.fmul(z, z)
    r = b.fma(b.fmul(w, w), _horner(b, z, _C[3:]), b.fmul(z, _horner(b, z, _C[:3])))
    hz = b.fmul(z, 0.5)
    w = b.fsub(1.0, hz)
    return b.fadd(w, b.fadd(b.fsub(b.fsub(1.0, w), hz), b.fsub(b.fmul(z, r), b.fmul(x, y))))


def _ktan(b: _Builder, x: str, y: str, odd: str) -> str:
    """fdlibm's ``__tan(x, y, odd)`` (musl's form) with both branches, one division."""
    hx = b.lshr(b.bits(x), 32)
    big = b.icmp("uge", b.and_(hx, 0x7FFFFFFF), 0x3FE59428)  # |x| >= 0.6744
    neg = b.and_(big, b.icmp("ne", b.and_(hx, 0x80000000), 0))
    xa = b.select(neg, b.fneg(x), x)
    ya = b.select(neg, b.fneg(y), y)
    x = b.select(big, b.fadd(b.fsub(_PIO4, xa), b.fsub(_PIO4LO, ya)), x)
    y = b.select(big, 0.0, y)
    z = b.fmul(x, x)
    w = b.fmul(z, z)
    r = _horner(b, w, _T[1::2])
    v = b.fmul(z, _horner(b, w, _T[2::2]))
    s = b.fmul(z, x)
    r = b.fadd(b.fadd(y, b.fmul(z, b.fadd(b.fmul(s, b.fadd(r, v)), y))), b.fmul(s, _T[0]))
    w = b.fadd(x, r)
    # big: tan(pi/4 - x) = s - 2(x + (r - w^2/(w + s))), s = +-1; odd: -1/(x + r) with a
    # correction step (the plain quotient is up to 2 ULP off).  One quotient serves both;
    # its divisor is not 0 (w is tan of a nonzero argument in [-pi/4, pi/4])
    sg = b.select(odd, -1.0, 1.0)
    a = b.fdiv(b.select(big, b.fmul(w, w), -1.0), b.select(big, b.fadd(w, sg), w))
    vb = b.fsub(sg, b.fmul(b.fadd(x, b.fsub(r, a)), 2.0))
    vb = b.select(neg, b.fneg(vb), vb)
    hi_mask = -(1 << 32)
    w0 = b.double(b.and_(b.bits(w), hi_mask))
    v = b.fsub(r, b.fsub(w0, x))
    a0 = b.double(b.and_(b.bits(a), hi_mask))
    vo = b.fadd(a0, b.fmul(a, b.fadd(b.fadd(b.fmul(a0, w0), 1.0), b.fmul(a0, v))))
    return b.select(big, vb, b.select(odd, vo, w))


def _trig_kernel(b: _Builder, name: str, red: _Reduced) -> str:
    """sin, cos or tan of the reduced argument."""
    y0, y1 = red.y0, red.y1()
    if name == "tan":
        return _ktan(b, y0, y1, b.icmp("ne", b.and_(red.n, 1), 0))
    # sin: n mod 4 = 0: sin, 1: cos, 2: -sin, 3: -cos; cos: 0: cos, 1: -sin, ...
    q = red.n if name == "sin" else b.add(red.n, 1)
    res = b.select(b.icmp("ne", b.and_(q, 1), 0), _kcos(b, y0, y1), _ksin(b, y0, y1))
    return b.select(b.icmp("ne", b.and_(q, 2), 0), b.fneg(res), res)


def _trig(name: str) -> Callable[[_Builder, str], str]:
    def trig(b: _Builder, x: str) -> str:
        ix = b.bits(x)
        ax = b.and_(ix, (1 << 63) - 1)
        hi = b.lshr(ax, 32)
        # |x| < 2^-26 (sin, tan: x; cos, below 2^-27 * sqrt(2): 1); NaN: x; huge or infinite:
        # glibc, lane by lane.  Those lanes compute with x = 1 (no flag, no zero divisor).
        small = 0x3E46A09E if name == "cos" else 0x3E500000
        usual = b.in_range(hi, small, _MEDIUM)
        red = _Reduced(b, b.select(usual, x, 1.0))

        def common() -> str:
            return _trig_kernel(b, name, red)

        def full() -> str:
            red.refine()
            res = _trig_kernel(b, name, red)
            if name == "sin":
                # sin(x) = x, raising underflow where x is subnormal (as glibc and NumPy)
                sub = b.icmp("ult", ax, 1 << 52)
                tiny = b.fadd(x, b.fmul(x, b.select(sub, 2.0 ** -100, 0.0)))
            else:
                tiny = 1.0 if name == "cos" else x
            res = b.select(b.icmp("ult", hi, small), tiny, res)
            res = b.select(b.icmp("ugt", ax, _u64(np.inf)), x, res)
            return b.scalar_fallback(b.in_range(hi, _MEDIUM, 0x7FF00001), x, res, name)

        return b.rare(b.or_(b.not_(usual), red.more), common, full)

    return trig


# ---------------------------------------------------------------- log (float32)
# ARM optimized-routines logf (glibc's scalar logf): log(x) = log(z/c) + log(c) + k*ln2 with
# c near the centre of one of 16 subintervals of z in [0x3f330000, 2*0x3f330000), in double
# precision: (1/c, log(c)) per subinterval.  ARM's degree-4 polynomial for log1p(r) (0.82 ULP)
# is replaced by the Taylor series to degree 6 (|r| < 0.033: the first term left out is below
# 2^-32 relative), so that only the final rounding to float is an error of note
_LOGF_TAB = [("0x1.661ec79f8f3bep+0", "-0x1.57bf7808caadep-2"),
             ("0x1.571ed4aaf883dp+0", "-0x1.2bef0a7c06ddbp-2"),
             ("0x1.49539f0f010bp+0", "-0x1.01eae7f513a67p-2"),
             ("0x1.3c995b0b80385p+0", "-0x1.b31d8a68224e9p-3"),
             ("0x1.30d190c8864a5p+0", "-0x1.6574f0ac07758p-3"),
             ("0x1.25e227b0b8eap+0", "-0x1.1aa2bc79c81p-3"),
             ("0x1.1bb4a4a1a343fp+0", "-0x1.a4e76ce8c0e5ep-4"),
             ("0x1.12358f08ae5bap+0", "-0x1.1973c5a611cccp-4"),
             ("0x1.0953f419900a7p+0", "-0x1.252f438e10c1ep-5"),
             ("0x1p+0", "0x0p+0"),
             ("0x1.e608cfd9a47acp-1", "0x1.aa5aa5df25984p-5"),
             ("0x1.ca4b31f026aap-1", "0x1.c5e53aa362eb4p-4"),
             ("0x1.b2036576afce6p-1", "0x1.526e57720db08p-3"),
             ("0x1.9c2d163a1aa2dp-1", "0x1.bc2860d22477p-3"),
             ("0x1.886e6037841edp-1", "0x1.1058bc8a07ee1p-2"),
             ("0x1.767dcf5534862p-1", "0x1.4043057b6ee09p-2")]
_LOGF_INVC = [_u64(float.fromhex(c)) for c, _ in _LOGF_TAB]
_LOGF_LOGC = [_u64(float.fromhex(lc)) for _, lc in _LOGF_TAB]
_LOGF_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
# ARM's OFF = 0x3f330000 (a float's bits), here as the bits of the same value as a double: the
# reduction runs on the double of x, which is normal also where x is a subnormal float
_LOGF_OFF = _u64(float(np.array(0x3F330000, np.uint32).view(np.float32)))


def _logf_core(b: _Builder, xd: str) -> str:
    """log of a positive finite double ``xd`` (the exact double of a float), in double."""
    ix = b.bits(xd)
    tmp = b.sub(ix, _LOGF_OFF)
    i = b.and_(b.lshr(tmp, 52 - 4), 15)
    k = b.ashr(tmp, 52)
    z = b.double(b.sub(ix, b.and_(tmp, -(1 << 52))))
    r = b.fma(z, b.double(b.table("logf_invc", _LOGF_INVC, i)), -1.0)
    logc = b.double(b.table("logf_logc", _LOGF_LOGC, i))
    y0 = b.fma(b.cast("sitofp", k, "double"), _LOGF_LN2, logc)
    r2 = b.fmul(r, r)
    q = b.fma(r2, b.fma(r2, -1.0 / 6, b.fma(r, 1.0 / 5, -1.0 / 4)), b.fma(r, 1.0 / 3, -0.5))
    return b.fma(q, r2, b.fadd(y0, r))


def _logf(b: _Builder, x: str) -> str:
    fb = b.bits(x)
    xd = b.cast("fpext", x, "double")
    usual = b.in_range(fb, 1, 0x7F800000)            # 0 < x < inf (subnormals included)
    y = _logf_core(b, b.select(usual, xd, 1.0))

    def common() -> str:
        return b.cast("fptrunc", y, "float")

    def full() -> str:
        # log(+-0) = -1/|x| = -inf (divide by zero), log(x < 0) = (x - x)/(x - x) (invalid,
        # also for -inf), log(inf) = inf, log(nan) = nan; one division for all lanes, which
        # does not raise anything for the others (-1/x, x > 0 or NaN)
        neg = b.icmp("ugt", fb, 0x80000000)
        nan = b.icmp("ugt", b.and_(fb, 0x7FFFFFFF), 0x7F800000)
        neg = b.and_(neg, b.not_(nan))
        zz = b.select(neg, xd, 0.0)
        zz = b.fsub(zz, zz)
        q = b.fdiv(b.select(neg, zz, -1.0), b.select(neg, zz, b.intrinsic("fabs", xd)))
        special = b.select(b.or_(nan, b.icmp("eq", fb, 0x7F800000)), xd, q)
        return b.cast("fptrunc", b.select(usual, y, special), "float")

    return b.rare(b.not_(usual), common, full)


# ---------------------------------------------------------------- definitions
_FUNCS: dict[tuple[str, str], Callable[[_Builder, str], str]] = {
    ("exp", "double"): _exp,
    ("sin", "double"): _trig("sin"),
    ("cos", "double"): _trig("cos"),
    ("tan", "double"): _trig("tan"),
    ("log", "float"): _logf,
}
#: (C math name, LLVM element type) of every function this module implements
IMPLEMENTED = frozenset(_FUNCS)


def symbol(name: str, ty: str, w: int = 1) -> str:
    """The function's IR name: ``@lnp_vm_exp_f64`` (scalar), ``@lnp_vm_exp_f64_x8``."""
    return f"@lnp_vm_{name}_{'f64' if ty == 'double' else 'f32'}" + (f"_x{w}" if w > 1 else "")


def definition(name: str, ty: str, w: int = 1, avx512: bool = False) -> Definition:
    """IR of ``name`` on ``ty`` (``"double"``/``"float"``) over ``w`` lanes (1: scalar);
    ``avx512``: the host has AVX-512F (table lookups become register permutes)."""
    b = _Builder(w, avx512)
    x = b.arg("%x", ty)
    res = _FUNCS[name, ty](b, x)
    t = b.ty(ty)
    sym = symbol(name, ty, w)
    text = b.text(f"define internal {t} {sym}({t} %x) alwaysinline {{", f"  ret {t} {res}", "}")
    return Definition(sym, text, b.mod.decls)


def declaration(d: Definition) -> str:
    """``declare <ty> @sym(<ty>)``: what a module that calls ``d`` (linked to it) declares."""
    head = d.text.split("\n", 1)[0]  # define internal <ty> @sym(<ty> %x) alwaysinline {
    ret, rest = head[len("define internal "):].split(" @", 1)
    sym, arg = rest.split("(", 1)
    # (touches no memory the kernel can see: LLVM may keep pointers and constants in
    # registers across the call; glibc's scalar fallback of sin/cos/tan may set errno)
    return (f"declare {ret} @{sym}({arg.split(' %x')[0]}) "
            "nounwind willreturn memory(inaccessiblemem: readwrite)")


def library(defs: list[Definition]) -> str:
    """One module defining ``defs`` with external linkage (not inlined), to be compiled once
    and linked to by kernels that declare them (see ``ir_module._Module.define_vmath``)."""
    mod = ModuleText()
    texts = []
    for d in defs:
        mod.decls |= d.decls
        texts.append(d.text.replace("define internal ", "define ", 1)
                     .replace(") alwaysinline {", ") {", 1))
    return "\n".join(mod.declarations()) + "\n\n" + "\n\n".join(texts)
