"""CUDA's libdevice, run on the host CPU: its math functions evaluated over NumPy arrays.

libdevice (``nvvm/libdevice/libdevice.10.bc`` of a CUDA toolkit) is LLVM bitcode: the code
behind CUDA's ``exp``, ``sinf`` ... (``__nv_exp``, ``__nv_sinf``), written against NVVM
intrinsics that each stand for one PTX instruction.  Without a GPU, :func:`load` reads it
with llvmlite, retargets it to the host, defines every NVVM intrinsic the wanted functions
reach with the exact IEEE semantics of its PTX instruction, JIT-compiles the result and
returns a :class:`Libdevice` whose :meth:`Libdevice.evaluate` maps one function over NumPy
arrays.  So the values are what a GPU computes, as far as its instructions are exact:

* ``__nvvm_reflect`` answers as nvcc does for the GPU backend's build (:data:`REFLECT`): no
  flush-to-zero (``-ftz=false``), IEEE square root (``-prec-sqrt=true``), ``sm_90``.  The
  ``.ftz`` intrinsics are defined too (subnormal operands and results flushed to signed zero)
  but unreachable under these answers.
* ``fma.rn``, ``add.rn``, ``mul.rn``, ``div.rn``, ``sqrt.rn``: the host's IEEE instructions
  (``llvm.fma`` ...); ``add.rz``, ``fma.rm``: the same operations under the host's directed
  rounding modes (``llvm.set.rounding`` around constrained intrinsics); ``d2i.rn`` /
  ``f2i.rn``: round half to even, saturating, NaN to 0 (``cvt.rni.s32``); ``round.f``:
  ``cvt.rni.f32.f32`` (round half to even); ``saturate.f``: clamp to [0, 1], NaN to 0;
  ``d2i.hi`` / ``d2i.lo`` / ``lohi.i2d``: the words of a double; ``fmin.d``: ``min.f64``.
* Inline PTX (``_asm_table``): the multi-word carry chains of the trigonometric range
  reductions are 64- and 128-bit integer arithmetic, ``sub.rn.f32`` a subtraction,
  ``setp.equ`` + ``selp`` an unordered-or-equal select; a sequence not in the table raises.
  (``-fmad=false`` keeps the libdevice code's separate multiplies and adds separate on the
  GPU, and nothing contracts them here.)
* Approximate instructions (:data:`APPROXIMATE`: ``rcp.approx.ftz.f64``, ``ex2.approx``,
  ``lg2.approx``, ``rsqrt.approx``, ``sqrt.approx``, ``div.approx``) have hardware-defined
  bits that no document gives.  They are modelled by a nominal value (the exact result
  rounded to float; for ``rcp.approx.ftz.f64`` the reciprocal of the operand's high word
  rounded to a high word, the low word zero; ``rsqrt.approx.ftz.f64`` likewise) moved by
  ``approx_k`` units (float ULPs; high-word units for the float64 ones), an argument of
  :meth:`Libdevice.evaluate`.  A function whose results do not change for any ``approx_k`` in
  :data:`PERTURBATIONS` uses its approximation only as a seed that later steps correct (the
  measured values are then the GPU's whatever the hardware bits within that range);
  one whose results change depends on the hardware bits, and its values here are a model.
  :meth:`Libdevice.approximate` lists the approximate instructions a function reaches after
  the ``__nvvm_reflect`` answers are folded.

Compiled once per process (:func:`load` is cached) with only the functions asked for and
what they call; a missing file or a bitcode llvmlite cannot read makes :func:`unavailable`
return the reason (tests skip).  :meth:`Libdevice.object_code` gives the same code as an
object file to link into C/C++ (``test_libdevice.py`` links it as the renderer's CPU shim
could).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import glob
import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np

__all__ = ["APPROXIMATE", "PERTURBATIONS", "REFLECT", "Libdevice", "bitcode_path",
           "bitcode_sha256", "host_code", "load", "symbol", "unavailable"]

#: ``__nvvm_reflect`` answers: nvcc's defaults for the GPU backend's build (no ``-ftz``,
#: ``-prec-sqrt=true``) on ``sm_90``
REFLECT = {"__CUDA_FTZ": 0, "__CUDA_PREC_SQRT": 1, "__CUDA_ARCH": 900}
#: NVVM intrinsics whose PTX instruction is approximate (hardware-defined bits)
APPROXIMATE = frozenset({
    "rcp.approx.ftz.d", "rcp.approx.ftz.f", "rsqrt.approx.ftz.d", "ex2.approx.f32",
    "ex2.approx.ftz.f32", "lg2.approx.f", "lg2.approx.ftz.f", "rsqrt.approx.f",
    "rsqrt.approx.ftz.f", "sqrt.approx.f", "sqrt.approx.ftz.f", "div.approx.f", "div.approx.ftz.f"})
#: the ``approx_k`` values a seed-only use of an approximation must be insensitive to
PERTURBATIONS = (-3, -2, -1, 1, 2, 3)

_F = "float"
_D = "double"
_MIN_F = "0x3810000000000000"  # FLT_MIN as an LLVM float literal
_MIN_D = "0x0010000000000000"


def bitcode_path() -> Path | None:
    """libdevice.10.bc of the CUDA toolkit (``CUDA_HOME``, ``CUDA_PATH``, nvcc's, or
    ``/usr/local/cuda*``), or None."""
    roots = [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH")]
    nvcc = shutil.which("nvcc")
    if nvcc:
        roots.append(str(Path(nvcc).resolve().parent.parent))
    roots += sorted(glob.glob("/usr/local/cuda*"), reverse=True)
    for root in roots:
        if root:
            p = Path(root) / "nvvm" / "libdevice" / "libdevice.10.bc"
            if p.is_file():
                return p
    return None


def bitcode_sha256() -> str | None:
    """sha256 of the libdevice.10.bc :func:`bitcode_path` finds (None: none found)."""
    path = bitcode_path()
    return None if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def _llvm_ir() -> str:
    """libdevice as LLVM IR text (raises if llvmlite cannot read it)."""
    import llvmlite.binding as llvm

    path = bitcode_path()
    if path is None:
        raise FileNotFoundError("no libdevice.10.bc (CUDA toolkit) found")
    return str(llvm.parse_bitcode(path.read_bytes()))


@functools.lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why libdevice cannot be run here, or None."""
    try:
        import llvmlite.binding  # noqa: F401
    except ImportError:
        return "llvmlite is not installed"
    if bitcode_path() is None:
        return "no libdevice.10.bc (CUDA toolkit) found"
    try:
        _llvm_ir()
    except Exception as e:  # llvmlite's parse error of a bitcode it does not read
        return f"llvmlite cannot read libdevice.10.bc: {e}"
    return None


# ------------------------------------------------------------------ the NVVM intrinsics
def _ftz(ty: str) -> str:
    """``@lz_ftz_<ty>``: a subnormal flushed to zero of its sign."""
    lim = _MIN_F if ty == _F else _MIN_D
    sfx = "f32" if ty == _F else "f64"
    return f"""
define internal {ty} @lz_ftz_{ty}({ty} %x) alwaysinline {{
  %a = call {ty} @llvm.fabs.{sfx}({ty} %x)
  %s = fcmp olt {ty} %a, {lim}
  %z = call {ty} @llvm.copysign.{sfx}({ty} 0.0, {ty} %x)
  %r = select i1 %s, {ty} %z, {ty} %x
  ret {ty} %r
}}"""


def _fn(name: str, ty: str, nargs: int, body: str, ftz: bool = False,
        attrs: str = "alwaysinline") -> str:
    """``@lz_nvvm.<name>``: ``body`` computes ``%r`` from ``%a``, ``%b``, ``%c``; the ftz
    form flushes operands and result."""
    names = "abc"[:nargs]
    params = ", ".join(f"{ty} %{n}0" for n in names)
    pre = "\n".join(
        f"  %{n} = call {ty} @lz_ftz_{ty}({ty} %{n}0)" if ftz else f"  %{n} = fadd {ty} %{n}0, -0.0"
        for n in names)
    post = f"  %o = call {ty} @lz_ftz_{ty}({ty} %r)" if ftz else f"  %o = fadd {ty} %r, -0.0"
    return (f"define internal {ty} @lz_nvvm.{name}({params}) {attrs} {{\n{pre}\n{body}\n"
            f"{post}\n  ret {ty} %o\n}}")


def _directed(op: str, ty: str, nargs: int, mode: int, meta: str) -> str:
    """``op`` (``fadd``, ``fma``) under a directed rounding mode of the host (``mode``:
    ``llvm.set.rounding``'s code), the mode restored to nearest after it."""
    sfx = "f32" if ty == _F else "f64"
    args = ", ".join(f"{ty} %{n}" for n in "abc"[:nargs])
    return (f"  call void @llvm.set.rounding(i32 {mode}) strictfp\n"
            f"  %r = call {ty} @llvm.experimental.constrained.{op}.{sfx}({args}, "
            f"metadata !\"{meta}\", metadata !\"fpexcept.ignore\") strictfp\n"
            f"  call void @llvm.set.rounding(i32 1) strictfp")


def _perturb_f(val: str) -> str:
    """``%r``: float ``val`` moved by ``@lz_approx_k`` ULPs (finite nonzero values only)."""
    return f"""  %pv = bitcast float {val} to i32
  %pk = load i32, ptr @lz_approx_k
  %pm = add i32 %pv, %pk
  %pp = bitcast i32 %pm to float
  %pa = call float @llvm.fabs.f32(float {val})
  %pf = fcmp one float %pa, 0x7FF0000000000000
  %pz = fcmp one float %pa, 0.0
  %pc = and i1 %pf, %pz
  %r = select i1 %pc, float %pp, float {val}"""


def _approx_f(name: str, nargs: int, exact: str, ftz: bool) -> str:
    """A float approximation: ``exact`` computes ``%e`` (double) from ``%da`` (, ``%db``)."""
    conv = "\n".join(f"  %d{n} = fpext float %{n} to double" for n in "ab"[:nargs])
    body = f"{conv}\n{exact}\n  %n = fptrunc double %e to float\n{_perturb_f('%n')}"
    return _fn(name, _F, nargs, body, ftz, attrs="noinline")


def _approx_d(name: str, exact: str) -> str:
    """A float64 approximation (``rcp.approx.ftz.f64``, ``rsqrt.approx.ftz.f64``): ``exact``
    computes ``%q`` from ``%t``, the operand's high word (low word ignored); the result is
    rounded to a high word (low word zero) and moved by ``@lz_approx_k`` high-word units."""
    body = f"""  %ab = bitcast double %a to i64
  %ah = and i64 %ab, -4294967296
  %t = bitcast i64 %ah to double
{exact}
  %qb = bitcast double %q to i64
  %qr = add i64 %qb, 2147483648
  %qh = and i64 %qr, -4294967296
  %k = load i32, ptr @lz_approx_k
  %k64 = sext i32 %k to i64
  %ks = shl i64 %k64, 32
  %qp = add i64 %qh, %ks
  %qa = call double @llvm.fabs.f64(double %q)
  %fin = fcmp one double %qa, 0x7FF0000000000000
  %nz = fcmp one double %qa, 0.0
  %ok = and i1 %fin, %nz
  %sel = select i1 %ok, i64 %qp, i64 %qb
  %r = bitcast i64 %sel to double"""
    return _fn(name, _D, 1, body, ftz=True, attrs="noinline")


def _intrinsics() -> dict[str, str]:
    """NVVM intrinsic (name after ``llvm.nvvm.``) -> its host definition."""
    out: dict[str, str] = {}
    for ty, s, sfx in ((_F, "f", "f32"), (_D, "d", "f64")):
        ftzs = (False, True) if ty == _F else (False,)
        for ftz in ftzs:
            z = ".ftz" if ftz else ""
            for op in ("add", "mul"):
                out[f"{op}.rn{z}.{s}"] = _fn(f"{op}.rn{z}.{s}", ty, 2,
                                             f"  %r = f{op} {ty} %a, %b", ftz)
            out[f"fma.rn{z}.{s}"] = _fn(f"fma.rn{z}.{s}", ty, 3,
                                        f"  %r = call {ty} @llvm.fma.{sfx}({ty} %a, {ty} %b, "
                                        f"{ty} %c)", ftz)
            out[f"div.rn{z}.{s}"] = _fn(f"div.rn{z}.{s}", ty, 2, f"  %r = fdiv {ty} %a, %b", ftz)
            out[f"sqrt.rn{z}.{s}"] = _fn(f"sqrt.rn{z}.{s}", ty, 1,
                                         f"  %r = call {ty} @llvm.sqrt.{sfx}({ty} %a)", ftz)
            for op, llname in (("floor", "floor"), ("trunc", "trunc"), ("ceil", "ceil")):
                out[f"{op}{z}.{s}"] = _fn(f"{op}{z}.{s}", ty, 1,
                                          f"  %r = call {ty} @llvm.{llname}.{sfx}({ty} %a)", ftz)
            out[f"fmin{z}.{s}"] = _fn(f"fmin{z}.{s}", ty, 2,
                                      f"  %r = call {ty} @llvm.minimumnum.{sfx}({ty} %a, {ty} %b)",
                                      ftz)
            out[f"fmax{z}.{s}"] = _fn(f"fmax{z}.{s}", ty, 2,
                                      f"  %r = call {ty} @llvm.maximumnum.{sfx}({ty} %a, {ty} %b)",
                                      ftz)
        out[f"fabs.{sfx}"] = _fn(f"fabs.{sfx}", ty, 1,
                                 f"  %r = call {ty} @llvm.fabs.{sfx}({ty} %a)")
        out[f"round.{s}"] = _fn(f"round.{s}", ty, 1,
                                f"  %r = call {ty} @llvm.roundeven.{sfx}({ty} %a)")
    out["fabs.ftz.f32"] = _fn("fabs.ftz.f32", _F, 1, "  %r = call float @llvm.fabs.f32(float %a)",
                              ftz=True)
    out["round.ftz.f"] = _fn("round.ftz.f", _F, 1,
                             "  %r = call float @llvm.roundeven.f32(float %a)", ftz=True)
    for ftz in (False, True):
        z = ".ftz" if ftz else ""
        out[f"add.rz{z}.f"] = _fn(f"add.rz{z}.f", _F, 2,
                                  _directed("fadd", _F, 2, 0, "round.towardzero"), ftz,
                                  attrs="noinline strictfp")
        out[f"fma.rm{z}.f"] = _fn(f"fma.rm{z}.f", _F, 3,
                                  _directed("fma", _F, 3, 3, "round.downward"), ftz,
                                  attrs="noinline strictfp")
        # cvt.sat: clamp to [0, 1], NaN to +0
        out[f"saturate{z}.f"] = _fn(f"saturate{z}.f", _F, 1, """  %gt = fcmp ogt float %a, 0.0
  %m = call float @llvm.minnum.f32(float %a, float 1.0)
  %r = select i1 %gt, float %m, float 0.0""", ftz)
        out[f"f2i.rn{z}"] = (
            f"define internal i32 @lz_nvvm.f2i.rn{z}(float %a0) alwaysinline {{\n"
            + ("  %a = call float @lz_ftz_float(float %a0)\n" if ftz else
               "  %a = fadd float %a0, -0.0\n")
            + "  %e = call float @llvm.roundeven.f32(float %a)\n"
            "  %r = call i32 @llvm.fptosi.sat.i32.f32(float %e)\n  ret i32 %r\n}")
        # approximations (nominal value moved by @lz_approx_k ULPs)
        out[f"ex2.approx{z}.f32"] = _approx_f(
            f"ex2.approx{z}.f32", 1, "  %e = call double @llvm.exp2.f64(double %da)", ftz)
        out[f"lg2.approx{z}.f"] = _approx_f(
            f"lg2.approx{z}.f", 1, "  %e = call double @llvm.log2.f64(double %da)", ftz)
        out[f"rsqrt.approx{z}.f"] = _approx_f(
            f"rsqrt.approx{z}.f", 1,
            "  %sq = call double @llvm.sqrt.f64(double %da)\n  %e = fdiv double 1.0, %sq", ftz)
        out[f"sqrt.approx{z}.f"] = _approx_f(
            f"sqrt.approx{z}.f", 1, "  %e = call double @llvm.sqrt.f64(double %da)", ftz)
        out[f"div.approx{z}.f"] = _approx_f(
            f"div.approx{z}.f", 2, "  %e = fdiv double %da, %db", ftz)
    out["d2i.rn"] = """define internal i32 @lz_nvvm.d2i.rn(double %a) alwaysinline {
  %e = call double @llvm.roundeven.f64(double %a)
  %r = call i32 @llvm.fptosi.sat.i32.f64(double %e)
  ret i32 %r
}"""
    out["d2i.hi"] = """define internal i32 @lz_nvvm.d2i.hi(double %a) alwaysinline {
  %b = bitcast double %a to i64
  %h = lshr i64 %b, 32
  %r = trunc i64 %h to i32
  ret i32 %r
}"""
    out["d2i.lo"] = """define internal i32 @lz_nvvm.d2i.lo(double %a) alwaysinline {
  %b = bitcast double %a to i64
  %r = trunc i64 %b to i32
  ret i32 %r
}"""
    out["lohi.i2d"] = """define internal double @lz_nvvm.lohi.i2d(i32 %lo, i32 %hi) alwaysinline {
  %l = zext i32 %lo to i64
  %h = zext i32 %hi to i64
  %hs = shl i64 %h, 32
  %b = or i64 %hs, %l
  %r = bitcast i64 %b to double
  ret double %r
}"""
    out["rcp.approx.ftz.d"] = _approx_d("rcp.approx.ftz.d", "  %q = fdiv double 1.0, %t")
    out["rsqrt.approx.ftz.d"] = _approx_d(
        "rsqrt.approx.ftz.d", "  %sq = call double @llvm.sqrt.f64(double %t)\n"
        "  %q = fdiv double 1.0, %sq")
    out["rcp.approx.ftz.f"] = _approx_f("rcp.approx.ftz.f", 1, "  %e = fdiv double 1.0, %da",
                                        ftz=True)
    out["sub.rn.f"] = _fn("sub.rn.f", _F, 2, "  %r = fsub float %a, %b")
    out["sub.rn.ftz.f"] = _fn("sub.rn.ftz.f", _F, 2, "  %r = fsub float %a, %b", ftz=True)
    return out


def _wide(name: str, nargs: int, expr: str) -> str:
    """``{i64, i64} @lz_asm.<name>(i64 ...)``: the low and high words of the i128 ``%w``
    that ``expr`` computes from ``%a`` ... (operands widened to i128)."""
    params = ", ".join(f"i64 %{n}0" for n in "abcd"[:nargs])
    widen = "\n".join(f"  %{n} = zext i64 %{n}0 to i128" for n in "abcd"[:nargs])
    return f"""define internal {{ i64, i64 }} @lz_asm.{name}({params}) alwaysinline {{
{widen}
{expr}
  %lo = trunc i128 %w to i64
  %hs = lshr i128 %w, 64
  %hi = trunc i128 %hs to i64
  %r0 = insertvalue {{ i64, i64 }} undef, i64 %lo, 0
  %r1 = insertvalue {{ i64, i64 }} %r0, i64 %hi, 1
  ret {{ i64, i64 }} %r1
}}"""


def _asm_table() -> dict[str, tuple[str, str]]:
    """libdevice's inline PTX (whitespace removed) -> (host function name, definition).
    The multi-word integer sequences are exact 128-bit arithmetic: a 64x64-bit product,
    a product plus a 64-bit addend, sums and differences of two 128-bit numbers (each
    checked against Python integers when this was written, instruction by instruction)."""
    nvvm = _intrinsics()
    add_sub = ("{.reg.u32r0,r1,r2,r3,a0,a1,a2,a3,b0,b1,b2,b3;mov.b64{a0,a1},$2;"
               "mov.b64{a2,a3},$3;mov.b64{b0,b1},$4;mov.b64{b2,b3},$5;")
    tail = "mov.b64$0,{r0,r1};mov.b64$1,{r2,r3};}"
    mad32 = """define internal { i32, i32 } @lz_asm.mad32(i32 %a, i32 %b, i32 %c) alwaysinline {
  %a6 = zext i32 %a to i64
  %b6 = zext i32 %b to i64
  %c6 = zext i32 %c to i64
  %p = mul i64 %a6, %b6
  %w = add i64 %p, %c6
  %lo = trunc i64 %w to i32
  %hs = lshr i64 %w, 32
  %hi = trunc i64 %hs to i32
  %r0 = insertvalue { i32, i32 } undef, i32 %lo, 0
  %r1 = insertvalue { i32, i32 } %r0, i32 %hi, 1
  ret { i32, i32 } %r1
}"""
    wide_b = ("  %bh = zext i64 %d0 to i128\n  %bs = shl i128 %bh, 64\n"
              "  %bb = or i128 %bs, %c\n  %ah = shl i128 %b, 64\n  %aa = or i128 %ah, %a")
    return {
        "{mad.lo.cc.u32$0,$2,$3,$4;madc.hi.u32$1,$2,$3,0;}": ("lz_asm.mad32", mad32),
        add_sub + "add.cc.u32r0,a0,b0;addc.cc.u32r1,a1,b1;addc.cc.u32r2,a2,b2;"
        "addc.u32r3,a3,b3;" + tail: (
            "lz_asm.add128", _wide("add128", 4, wide_b + "\n  %w = add i128 %aa, %bb")),
        add_sub + "sub.cc.u32r0,a0,b0;subc.cc.u32r1,a1,b1;subc.cc.u32r2,a2,b2;"
        "subc.u32r3,a3,b3;" + tail: (
            "lz_asm.sub128", _wide("sub128", 4, wide_b + "\n  %w = sub i128 %aa, %bb")),
        "{.reg.u32r0,r1,r2,r3,alo,ahi,blo,bhi,clo,chi;mov.b64{alo,ahi},$2;"
        "mov.b64{blo,bhi},$3;mov.b64{clo,chi},$4;mad.lo.cc.u32r0,alo,blo,clo;"
        "madc.hi.cc.u32r1,alo,blo,chi;madc.hi.u32r2,alo,bhi,0;mad.lo.cc.u32r1,alo,bhi,r1;"
        "madc.hi.cc.u32r2,ahi,blo,r2;madc.hi.u32r3,ahi,bhi,0;mad.lo.cc.u32r1,ahi,blo,r1;"
        "madc.lo.cc.u32r2,ahi,bhi,r2;addc.u32r3,r3,0;" + tail: (
            "lz_asm.mad128", _wide("mad128", 3, "  %p = mul i128 %a, %b\n  %w = add i128 %p, %c")),
        "{.reg.u32r0,r1,r2,r3,alo,ahi,blo,bhi;mov.b64{alo,ahi},$2;mov.b64{blo,bhi},$3;"
        "mul.lo.u32r0,alo,blo;mul.hi.u32r1,alo,blo;mad.lo.cc.u32r1,alo,bhi,r1;"
        "madc.hi.u32r2,alo,bhi,0;mad.lo.cc.u32r1,ahi,blo,r1;madc.hi.cc.u32r2,ahi,blo,r2;"
        "madc.hi.u32r3,ahi,bhi,0;mad.lo.cc.u32r2,ahi,bhi,r2;addc.u32r3,r3,0;" + tail: (
            "lz_asm.mul128", _wide("mul128", 2, "  %w = mul i128 %a, %b")),
        "{.reg.pred__$$temp3;setp.equ.f64__$$temp3,$1,$2;selp.f64$0,$3,$4,__$$temp3;}": (
            "lz_asm.selequ", """define internal double @lz_asm.selequ(double %a, double %b,
    double %x, double %y) alwaysinline {
  %e = fcmp ueq double %a, %b
  %r = select i1 %e, double %x, double %y
  ret double %r
}"""),
        "rcp.approx.ftz.f32$0,$1;": ("lz_nvvm.rcp.approx.ftz.f", nvvm["rcp.approx.ftz.f"]),
        "rsqrt.approx.ftz.f64$0,$1;": ("lz_nvvm.rsqrt.approx.ftz.d",
                                       nvvm["rsqrt.approx.ftz.d"]),
        "sub.rn.f32$0,$1,$2;": ("lz_nvvm.sub.rn.f", nvvm["sub.rn.f"]),
        "sub.rn.ftz.f32$0,$1,$2;": ("lz_nvvm.sub.rn.ftz.f", nvvm["sub.rn.ftz.f"]),
    }


_ASM = re.compile(r'call (\{[^}]*\}|\w+) asm (?:sideeffect )?"((?:[^"\\]|\\.)*)", "[^"]*"'
                  r"\(([^)]*)\)(?: #\d+)?(?:, !srcloc !\d+)?")


def _inline_asm(text: str, table: dict[str, tuple[str, str]], used: dict[str, str]) -> str:
    """Inline PTX replaced by calls of host functions (``used`` collects their definitions);
    a sequence not in ``table`` raises."""
    def repl(m: re.Match) -> str:
        key = re.sub(r"\s|\\0A|\\09", "", m.group(2))
        if key not in table:
            raise NotImplementedError(f"inline PTX without a host definition: {m.group(2)}")
        name, definition = table[key]
        used[name] = definition
        return f"call {m.group(1)} @{name}({m.group(3)})"
    return _ASM.sub(repl, text)


# ------------------------------------------------------------------ the host module
_DEFINE = re.compile(r"^define [^@]*@([\w.$]+)\(.*?^}", re.M | re.S)
_CALLEE = re.compile(r"@([\w.$]+)\(")


def _closure(funcs: dict[str, str], roots: list[str]) -> list[str]:
    seen: list[str] = []
    stack = list(roots)
    while stack:
        f = stack.pop()
        if f in seen:
            continue
        seen.append(f)
        if f in funcs:
            stack += _CALLEE.findall(funcs[f])
    return seen


def _reflect(text: str, strings: dict[str, str]) -> str:
    """``__nvvm_reflect`` calls replaced by their answers."""
    def answer(m: re.Match) -> str:
        return f"add i32 0, {REFLECT[strings[m.group(1)]]}"
    return re.sub(r"call i32 @__nvvm_reflect\(ptr (@[\w.]+)\)(?: #\d+)?", answer, text)


def _entry(sym: str, ty: str, nargs: int) -> str:
    """``void lz_map_<sym>(out, x0[, x1], n)``: ``out[i] = sym(x0[i], x1[i])``."""
    ins = "".join(f", ptr %x{j}" for j in range(nargs))
    loads = "".join(
        f"  %p{j} = getelementptr {ty}, ptr %x{j}, i64 %i\n  %v{j} = load {ty}, ptr %p{j}\n"
        for j in range(nargs))
    args = ", ".join(f"{ty} %v{j}" for j in range(nargs))
    return f"""define void @lz_map_{sym}(ptr %out{ins}, i64 %n) {{
entry:
  %empty = icmp eq i64 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
{loads}  %r = call {ty} @{sym}({args})
  %po = getelementptr {ty}, ptr %out, i64 %i
  store {ty} %r, ptr %po
  %next = add i64 %i, 1
  %more = icmp ult i64 %next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}}"""


_HELPERS = """@lz_approx_k = internal global i32 0
define void @lz_set_approx(i32 %k) {
  store i32 %k, ptr @lz_approx_k
  ret void
}"""


def _module(symbols: dict[str, tuple[str, int]], header: str) -> str:
    """Host IR: the libdevice functions ``symbols`` names (-> (LLVM type, arity)), what they
    call, the NVVM intrinsics as host code, one map entry per symbol."""
    text = _llvm_ir()
    funcs = {m.group(1): m.group(0) for m in _DEFINE.finditer(text)}
    missing = [s for s in symbols if s not in funcs]
    if missing:
        raise KeyError(f"not in libdevice: {missing}")
    strings = {m.group(1): m.group(2) for m in re.finditer(
        r'^(@[\w.]+) = private unnamed_addr constant \[\d+ x i8\] c"(\w+)\\00"', text, re.M)}
    reach = _closure(funcs, list(symbols))
    nvvm = _intrinsics()
    used = sorted({f[len("llvm.nvvm."):] for f in reach if f.startswith("llvm.nvvm.")})
    unknown = [u for u in used if u not in nvvm]
    if unknown:
        raise NotImplementedError(f"NVVM intrinsics without a host definition: {unknown}")
    globals_ = [ln for ln in text.splitlines()
                if ln.startswith(("%struct.", "@")) and "__nvvm_reflect" not in ln]
    bodies = [_reflect(funcs[f], strings) for f in reach if f in funcs]
    asm: dict[str, str] = {}
    body = _inline_asm("\n\n".join(bodies), _asm_table(), asm)
    body = body.replace("@llvm.nvvm.", "@lz_nvvm.")
    defined = {f"lz_nvvm.{u}" for u in used}
    # attribute groups and numbered metadata (loop hints) as they are
    attrs = [ln for ln in text.splitlines() if ln.startswith(("attributes #", "!"))
             and not ln.startswith("!nvvm")]
    parts = [header, *globals_,
             _HELPERS, _ftz(_F), _ftz(_D), *(nvvm[u] for u in used),
             *(d for name, d in asm.items() if name not in defined), body,
             *(_entry(s, ty, k) for s, (ty, k) in symbols.items()), *attrs]
    return "\n\n".join(parts) + "\n"


def _jit(ir: str) -> tuple[object, str]:
    """``ir`` (host triple and layout filled in by the caller) optimized (O2: no value-changing
    float transformation, no contraction) and JIT-compiled: (engine, optimized IR text)."""
    llvm = _binding()
    tm = _target_machine()
    mod = llvm.parse_assembly(ir)
    mod.verify()
    pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(2))
    pb.getModulePassManager().run(mod, pb)
    optimized = str(mod)
    engine = llvm.create_mcjit_compiler(mod, tm)
    engine.finalize_object()
    return engine, optimized


@functools.lru_cache(maxsize=1)
def _binding():
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    # exp2, log2 (the nominal values of ex2.approx, lg2.approx) come from the C library
    llvm.load_library_permanently(ctypes.util.find_library("m") or "libm.so.6")
    return llvm


@functools.lru_cache(maxsize=1)
def _target_machine():
    llvm = _binding()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                        features=llvm.get_host_cpu_features().flatten(),
                                        opt=2, codemodel="jitdefault")


def _host_header() -> str:
    llvm = _binding()
    return (f'target triple = "{llvm.get_process_triple()}"\n'
            f'target datalayout = "{_target_machine().target_data}"')


class Libdevice:
    """JIT-compiled libdevice functions (:func:`load`)."""

    def __init__(self, symbols: dict[str, tuple[str, int]]) -> None:
        self.ir = _module(symbols, _host_header())
        self._engine, self.optimized = _jit(self.ir)
        self._symbols = symbols
        self._set_k = ctypes.CFUNCTYPE(None, ctypes.c_int32)(
            self._engine.get_function_address("lz_set_approx"))
        self._maps = {}
        for sym, (_ty, nargs) in symbols.items():
            proto = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * (nargs + 1)), ctypes.c_int64)
            self._maps[sym] = proto(self._engine.get_function_address(f"lz_map_{sym}"))

    def object_code(self) -> bytes:
        """The same functions as a position-independent host object file (ELF on Linux):
        ``__nv_exp`` ... as external C symbols, to link into C/C++ code such as the
        renderer's CPU shim (``-lm``: the approximations' nominal values call libm)."""
        llvm = _binding()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                          features=llvm.get_host_cpu_features().flatten(),
                                          opt=2, reloc="pic")
        mod = llvm.parse_assembly(self.ir)
        mod.verify()
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(2))
        pb.getModulePassManager().run(mod, pb)
        return tm.emit_object(mod)

    def evaluate(self, sym: str, *arrays: np.ndarray, approx_k: int = 0) -> np.ndarray:
        """``sym`` (``__nv_exp``) applied element by element to ``arrays`` (contiguous,
        the function's dtype), approximate instructions moved by ``approx_k`` units."""
        ty, nargs = self._symbols[sym]
        dt = np.float32 if ty == _F else np.float64
        assert len(arrays) == nargs
        xs = [np.ascontiguousarray(a, dtype=dt) for a in arrays]
        out = np.empty(xs[0].shape, dt)
        self._set_k(approx_k)
        try:
            self._maps[sym](out.ctypes.data, *(x.ctypes.data for x in xs), out.size)
        finally:
            self._set_k(0)
        return out

    def approximate(self, sym: str) -> list[str]:
        """The approximate NVVM instructions ``sym`` reaches once ``__nvvm_reflect`` is
        folded (read from the optimized module, where they stay calls: ``noinline``)."""
        funcs = {m.group(1): m.group(0) for m in _DEFINE.finditer(self.optimized)}
        reach = _closure(funcs, [sym])
        return sorted(f[len("lz_nvvm."):] for f in set(reach)
                      if f.startswith("lz_nvvm.") and f[len("lz_nvvm."):] in APPROXIMATE)


def symbol(c_name: str, dtype: np.dtype | type) -> str:
    """libdevice's name of C function ``c_name`` for ``dtype`` (``__nv_exp``, ``__nv_expf``)."""
    return f"__nv_{c_name}{'f' if np.dtype(dtype) == np.float32 else ''}"


@functools.lru_cache(maxsize=None)
def load(functions: tuple[tuple[str, int], ...]) -> Libdevice:
    """libdevice's float64 and float32 versions of ``functions`` ((C name, arity) pairs),
    compiled once per distinct request."""
    symbols = {}
    for c_name, nargs in functions:
        for dt, ty in ((np.float64, _D), (np.float32, _F)):
            symbols[symbol(c_name, dt)] = (ty, nargs)
    return Libdevice(symbols)


_CTYPES = {"float": ctypes.c_float, "double": ctypes.c_double, "i32": ctypes.c_int32,
           "i64": ctypes.c_uint64}


@functools.lru_cache(maxsize=None)
def host_code(name: str):
    """The host definition of NVVM intrinsic ``name`` (``add.rz.f``, ``d2i.rn``) or of an
    inline PTX sequence (``asm:mul128`` ...) as a ctypes function of its scalar operands
    (a two-word result comes back as a Python int: low word + high word * 2**width), to
    check it against exact arithmetic; ``approx_k`` is 0."""
    if name.startswith("asm:"):
        sym = f"lz_asm.{name[4:]}"
        definition = next(d for n, d in _asm_table().values() if n == sym)
    else:
        sym = f"lz_nvvm.{name}"
        definition = _intrinsics()[name]
    m = re.search(r"define internal (\{ i(\d+), i\d+ \}|\w+) @[\w.]+\(([^)]*)\)",
                  definition.replace("\n   ", " "))
    ret, width, params = m.group(1), m.group(2), m.group(3)
    types = [p.split()[0] for p in params.split(",")]
    args = ", ".join(f"{t} %p{j}" for j, t in enumerate(types))
    if width:  # {lo, hi} pair -> two outputs through pointers
        w = int(width)
        body = (f"  %r = call {ret} @{sym}({args})\n  %lo = extractvalue {ret} %r, 0\n"
                f"  %hi = extractvalue {ret} %r, 1\n  store i{w} %lo, ptr %olo\n"
                f"  store i{w} %hi, ptr %ohi\n  ret void")
        ir = (f"define void @lz_probe({args}, ptr %olo, ptr %ohi) {{\n{body}\n}}")
    else:
        ir = (f"define {ret} @lz_probe({args}) {{\n  %r = call {ret} @{sym}({args})\n"
              f"  ret {ret} %r\n}}")
    text = "\n\n".join([_host_header(), _HELPERS, _ftz(_F), _ftz(_D), definition, ir])
    engine, _ = _jit(text)
    cargs = [_CTYPES[t] for t in types]
    addr = engine.get_function_address("lz_probe")
    if not width:
        fn = ctypes.CFUNCTYPE(_CTYPES[ret], *cargs)(addr)
        return lambda *a, _e=engine: fn(*a)
    word = ctypes.c_uint32 if width == "32" else ctypes.c_uint64
    fn = ctypes.CFUNCTYPE(None, *cargs, ctypes.POINTER(word), ctypes.POINTER(word))(addr)

    def pair(*a, _e=engine):
        lo, hi = word(), word()
        fn(*a, ctypes.byref(lo), ctypes.byref(hi))
        return lo.value + (hi.value << int(width))
    return pair
