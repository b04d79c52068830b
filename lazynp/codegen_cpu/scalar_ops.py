"""Scalar lowering helpers of the CPU renderer: one element of NumPy's real-valued loops as
LLVM instructions -- truth values, selects, NaN-propagating min/max, clip, casts (NumPy's,
float64 -> float16 with one rounding), integer and float floor division / remainder, shifts,
integer power, logical ops, software floating-point flags, and complex values as their two
parts (``_cparts``/``_cpack``)."""

from __future__ import annotations

import numpy as np

from ..graph.ops import Op
from .ir_module import _Fn
from .libcalls import _intrin
from .llvm_text import (
    _F16,
    _F32,
    FE_DIVBYZERO,
    FE_INVALID,
    FE_OVERFLOW,
    _bits,
    _is_complex,
    _is_float,
    _part,
    _signed,
    _ty,
    fconst,
)

_FCMP = {Op.LESS: "olt", Op.LESS_EQUAL: "ole", Op.GREATER: "ogt", Op.GREATER_EQUAL: "oge",
         Op.EQUAL: "oeq", Op.NOT_EQUAL: "une"}
_ICMP = {Op.LESS: "lt", Op.LESS_EQUAL: "le", Op.GREATER: "gt", Op.GREATER_EQUAL: "ge"}


def _zero(ty: str) -> str:
    return "0xH0000" if ty == "half" else "0.0"


def _truth(f: _Fn, v: str, dt: np.dtype) -> str:
    ty = _ty(dt)
    if ty == "i1":
        return v
    if _is_complex(dt):
        re, im = _cparts(f, v, dt)
        pt = _ty(_part(dt))
        nr = f.emit(f"fcmp une {pt} {re}, 0.0")
        ni = f.emit(f"fcmp une {pt} {im}, 0.0")
        return f.emit(f"or i1 {nr}, {ni}")
    if _is_float(dt):
        return f.emit(f"fcmp une {ty} {v}, {_zero(ty)}")
    return f.emit(f"icmp ne {ty} {v}, 0")


def _isnan(f: _Fn, v: str, ty: str) -> str:
    return f.emit(f"fcmp uno {ty} {v}, {v}")


def _sel(f: _Fn, c: str, ty: str, a: str, b: str) -> str:
    return f.emit(f"select i1 {c}, {ty} {a}, {ty} {b}")


def _minmax(f: _Fn, op: Op, ty: str, dt: np.dtype, a: str, b: str) -> str:
    """NumPy's maximum/minimum (NaN-propagating) and fmax/fmin (NaN-ignoring)."""
    if ty == "i1":
        return f.emit(f"{'or' if op in (Op.MAXIMUM, Op.FMAX) else 'and'} i1 {a}, {b}")
    if not _is_float(dt):
        pred = ("s" if _signed(dt) else "u") + ("gt" if op in (Op.MAXIMUM, Op.FMAX) else "lt")
        c = f.emit(f"icmp {pred} {ty} {a}, {b}")
        return _sel(f, c, ty, a, b)
    if ty == "half":
        # NumPy's half loops: (a >= b || isnan(a)) ? a : b for maximum (<= for minimum);
        # fmax/fmin test isnan(b) instead; ties keep a
        pred = "oge" if op in (Op.MAXIMUM, Op.FMAX) else "ole"
        c = f.emit(f"fcmp {pred} half {a}, {b}")
        nan = _isnan(f, a if op in (Op.MAXIMUM, Op.MINIMUM) else b, ty)
        c = f.emit(f"or i1 {c}, {nan}")
        return _sel(f, c, ty, a, b)
    if op in (Op.MINIMUM, Op.MAXIMUM):
        # (a < b || isnan(a)) ? a : b   (the same with > for maximum)
        c = f.emit(f"fcmp {'ult' if op is Op.MINIMUM else 'ugt'} {ty} {a}, {b}")
        nb = _isnan(f, b, ty)
        na = _isnan(f, a, ty)
        # ult is true when either is NaN: pick a unless only b is NaN
        only_b = f.emit(f"xor i1 {na}, true")
        only_b = f.emit(f"and i1 {only_b}, {nb}")
        c2 = f.emit(f"xor i1 {only_b}, true")
        c = f.emit(f"and i1 {c}, {c2}")
        return _sel(f, c, ty, a, b)
    # fmin: (a < b || isnan(b)) ? a : b -- ties (+0 and -0) give b, as NumPy's SIMD loop
    # (every element of a strided array, all but a contiguous array's scalar tail; NumPy's
    # scalar loop keeps a: docs/deviations.md)
    c = f.emit(f"fcmp {'olt' if op is Op.FMIN else 'ogt'} {ty} {a}, {b}")
    nb = _isnan(f, b, ty)
    c = f.emit(f"or i1 {c}, {nb}")
    return _sel(f, c, ty, a, b)


def _clip_bound(f: _Fn, a: str, b: str, dt: np.dtype, upper: bool, ties: bool) -> str:
    """One side of NumPy's clip loop: ``Max(a, b) = isnan(a) || a > b ? a : b`` (``Min``
    with ``<``); with ``ties``, ``>=`` / ``<=`` (keeps a signed zero of ``a``)."""
    ty = _ty(dt)
    if ty == "i1":
        return f.emit(f"{'and' if upper else 'or'} i1 {a}, {b}")
    if not _is_float(dt):
        pred = ("s" if _signed(dt) else "u") + ("lt" if upper else "gt")
        c = f.emit(f"icmp {pred} {ty} {a}, {b}")
        return _sel(f, c, ty, a, b)
    pred = ("ol" if upper else "og") + ("e" if ties else "t")
    c = f.emit(f"fcmp {pred} {ty} {a}, {b}")
    c = f.emit(f"or i1 {c}, {_isnan(f, a, ty)}")
    return _sel(f, c, ty, a, b)


def _clip(f: _Fn, args: list, dt: np.dtype, ties: bool) -> str:
    """NumPy's clip: ``Min(Max(x, lo), hi)``; a missing bound (None) is NumPy's
    ``maximum(x, lo)`` or ``minimum(x, hi)``."""
    x, lo, hi = args
    ty = _ty(dt)
    if lo is None:
        return _minmax(f, Op.MINIMUM, ty, dt, x, hi)
    if hi is None:
        return _minmax(f, Op.MAXIMUM, ty, dt, x, lo)
    m = _clip_bound(f, x, lo, dt, False, ties)
    return _clip_bound(f, m, hi, dt, True, ties)


def _double_to_half(f: _Fn, v: str) -> str:
    """float64 -> float16 with one rounding (NumPy's ``npy_double_to_half``): round to float32
    *to odd* first (exact where representable, else the truncation with its last bit set),
    which the float32 -> float16 rounding then turns into the correctly rounded result."""
    r = f.emit(f"fptrunc double {v} to float")
    back = f.emit(f"fpext float {r} to double")
    inexact = f.emit(f"fcmp one double {back}, {v}")
    # |back| > |v| compared as integers (no invalid flag for a NaN, which is exact anyway)
    mags = []
    for x in (back, v):
        i = f.emit(f"bitcast double {x} to i64")
        mags.append(f.emit(f"and i64 {i}, {0x7FFFFFFFFFFFFFFF}"))
    away = f.emit(f"icmp ugt i64 {mags[0]}, {mags[1]}")
    bits = f.emit(f"bitcast float {r} to i32")
    down = f.emit(f"sub i32 {bits}, 1")
    tz = _sel(f, away, "i32", down, bits)
    odd = f.emit(f"or i32 {tz}, 1")
    bits = _sel(f, inexact, "i32", odd, bits)
    r = f.emit(f"bitcast i32 {bits} to float")
    return f.emit(f"fptrunc float {r} to half")


def _cast(f: _Fn, v: str, src: np.dtype, dst: np.dtype) -> str:
    src = np.dtype(src)
    dst = np.dtype(dst)
    st = _ty(src)
    dty = _ty(dst)
    if src == dst:
        return v
    if dst.kind == "b":
        return _truth(f, v, src)
    if _is_complex(src) and _is_complex(dst):
        re, im = _cparts(f, v, src)
        return _cpack(f, _cast(f, re, _part(src), _part(dst)),
                      _cast(f, im, _part(src), _part(dst)), dst)
    if _is_complex(src):  # the real part, cast as NumPy casts it (the warning was at record)
        return _cast(f, _cparts(f, v, src)[0], _part(src), dst)
    if _is_complex(dst):
        return _cpack(f, _cast(f, v, src, _part(dst)), "0.0", dst)
    if src == _F16 and dst != _F32:
        # NumPy converts half to float first (exact), then as from float32
        return _cast(f, f.emit(f"fpext half {v} to float"), _F32, dst)
    if dst == _F16 and src.kind == "f" and src.itemsize == 8:
        return _double_to_half(f, v)
    if dst == _F16 and src.kind in "iu":
        # NumPy: npy_float_to_half((float)x), two roundings
        return _cast(f, _cast(f, v, src, _F32), _F32, dst)
    if src.kind == "b":
        if _is_float(dst):
            return f.emit(f"uitofp i1 {v} to {dty}")
        return f.emit(f"zext i1 {v} to {dty}")
    if _is_float(src) and _is_float(dst):
        op = "fpext" if dst.itemsize > src.itemsize else "fptrunc"
        return f.emit(f"{op} {st} {v} to {dty}")
    if _is_float(dst):
        return f.emit(f"{'sitofp' if _signed(src) else 'uitofp'} {st} {v} to {dty}")
    if _is_float(src):
        # as C casts compile on x86-64 (NumPy's cast loops); out-of-range values raise the
        # invalid flag, so the reference executor redoes the kernel
        bits = _bits(dst)
        if bits == 64:
            return f.emit(f"{'fptosi' if _signed(dst) else 'fptoui'} {st} {v} to i64")
        if bits == 32 and _signed(dst):
            return f.emit(f"fptosi {st} {v} to i32")
        wide = "i64" if bits == 32 else "i32"
        w = f.emit(f"fptosi {st} {v} to {wide}")
        return f.emit(f"trunc {wide} {w} to {dty}")
    sb = _bits(src)
    db = _bits(dst)
    if sb == db:
        return v
    if db < sb:
        return f.emit(f"trunc {st} {v} to {dty}")
    return f.emit(f"{'sext' if _signed(src) else 'zext'} {st} {v} to {dty}")


def _sflag(f: _Fn, cond: str, bit: int) -> None:
    z = f.emit(f"zext i1 {cond} to i32")
    m = f.emit(f"mul i32 {z}, {bit}")
    old = f.emit("load i32, ptr %sf")
    new = f.emit(f"or i32 {old}, {m}")
    f.instr(f"store i32 {new}, ptr %sf")


def _int_divmod(f: _Fn, a: str, b: str, dt: np.dtype, want: str) -> str:
    """NumPy's integer floor_divide / remainder (division by zero gives 0, with a flag)."""
    ty = _ty(dt)
    zero = f.emit(f"icmp eq {ty} {b}, 0")
    _sflag(f, zero, FE_DIVBYZERO)
    if not _signed(dt):
        safe = _sel(f, zero, ty, "1", b)
        r = f.emit(f"{'udiv' if want == 'div' else 'urem'} {ty} {a}, {safe}")
        return _sel(f, zero, ty, "0", r)
    bits = _bits(dt)
    mn = -(1 << (bits - 1))
    m1 = f.emit(f"icmp eq {ty} {b}, -1")
    isminv = f.emit(f"icmp eq {ty} {a}, {mn}")
    ovf = f.emit(f"and i1 {m1}, {isminv}")
    if want == "div":
        _sflag(f, ovf, FE_OVERFLOW)
    bad = f.emit(f"or i1 {zero}, {m1}")
    safe = _sel(f, bad, ty, "1", b)
    q = f.emit(f"sdiv {ty} {a}, {safe}")
    r = f.emit(f"srem {ty} {a}, {safe}")
    rnz = f.emit(f"icmp ne {ty} {r}, 0")
    x = f.emit(f"xor {ty} {r}, {b}")
    neg = f.emit(f"icmp slt {ty} {x}, 0")
    fix = f.emit(f"and i1 {rnz}, {neg}")
    if want == "div":
        q1 = f.emit(f"sub {ty} {q}, 1")
        q = _sel(f, fix, ty, q1, q)
        negq = f.emit(f"sub {ty} 0, {a}")  # b == -1: -a, wrapping (MIN stays MIN)
        q = _sel(f, m1, ty, negq, q)
        return _sel(f, zero, ty, "0", q)
    r1 = f.emit(f"add {ty} {r}, {b}")
    r = _sel(f, fix, ty, r1, r)
    return _sel(f, bad, ty, "0", r)


def _float_divmod(f: _Fn, a: str, b: str, ty: str, want: str) -> str:
    """NumPy's npy_divmod for floats (b == 0 raises a flag: the reference redoes it)."""
    mod = f.emit(f"frem {ty} {a}, {b}")
    bz = f.emit(f"fcmp oeq {ty} {b}, 0.0")
    adiv = f.emit(f"fdiv {ty} {a}, {b}")
    amod = f.emit(f"fsub {ty} {a}, {mod}")
    div = f.emit(f"fdiv {ty} {amod}, {b}")
    modnz = f.emit(f"fcmp une {ty} {mod}, 0.0")
    bneg = f.emit(f"fcmp olt {ty} {b}, 0.0")
    mneg = f.emit(f"fcmp olt {ty} {mod}, 0.0")
    differ = f.emit(f"xor i1 {bneg}, {mneg}")
    adj = f.emit(f"and i1 {modnz}, {differ}")
    mod_adj = f.emit(f"fadd {ty} {mod}, {b}")
    div_adj = f.emit(f"fsub {ty} {div}, 1.0")
    zsign = _intrin(f, "copysign", ty, "0.0", b)
    mod1 = _sel(f, adj, ty, mod_adj, mod)
    mod1 = _sel(f, modnz, ty, mod1, zsign)
    div1 = _sel(f, adj, ty, div_adj, div)
    if want == "rem":
        return _sel(f, bz, ty, mod, mod1)
    divnz = f.emit(f"fcmp une {ty} {div1}, 0.0")
    fl = _intrin(f, "floor", ty, div1)
    diff = f.emit(f"fsub {ty} {div1}, {fl}")
    gt = f.emit(f"fcmp ogt {ty} {diff}, {fconst(0.5, ty)}")
    fl1 = f.emit(f"fadd {ty} {fl}, 1.0")
    fl = _sel(f, gt, ty, fl1, fl)
    zq = _intrin(f, "copysign", ty, "0.0", adiv)
    q = _sel(f, divnz, ty, fl, zq)
    return _sel(f, bz, ty, adiv, q)


def _shift(f: _Fn, op: Op, a: str, b: str, dt: np.dtype) -> str:
    ty = _ty(dt)
    bits = _bits(dt)
    ok = f.emit(f"icmp ult {ty} {b}, {bits}")
    safe = _sel(f, ok, ty, b, "0")
    if op is Op.LEFT_SHIFT:
        r = f.emit(f"shl {ty} {a}, {safe}")
        return _sel(f, ok, ty, r, "0")
    if _signed(dt):
        r = f.emit(f"ashr {ty} {a}, {safe}")
        neg = f.emit(f"icmp slt {ty} {a}, 0")
        fill = _sel(f, neg, ty, "-1", "0")
        return _sel(f, ok, ty, r, fill)
    r = f.emit(f"lshr {ty} {a}, {safe}")
    return _sel(f, ok, ty, r, "0")


def _ipow(f: _Fn, a: str, b: str, dt: np.dtype) -> str:
    """NumPy's integer power: exponentiation by squaring, wrapping (0**0 == 1).  A negative
    exponent raises the invalid flag: the reference executor then raises NumPy's
    ValueError."""
    ty = _ty(dt)
    if _signed(dt):
        _sflag(f, f.emit(f"icmp slt {ty} {b}, 0"), FE_INVALID)
    name = f"lazynp_ipow_{ty}"
    f.mod.define(name, "\n".join([
        f"define internal {ty} @{name}({ty} %b, {ty} %e) alwaysinline {{",
        "entry:",
        "  br label %loop",
        "loop:",
        f"  %base = phi {ty} [ %b, %entry ], [ %base1, %loop ]",
        f"  %exp = phi {ty} [ %e, %entry ], [ %exp1, %loop ]",
        f"  %acc = phi {ty} [ 1, %entry ], [ %acc1, %loop ]",
        f"  %bit = trunc {ty} %exp to i1",
        f"  %m = mul {ty} %acc, %base",
        f"  %acc1 = select i1 %bit, {ty} %m, {ty} %acc",
        f"  %base1 = mul {ty} %base, %base",
        f"  %exp1 = lshr {ty} %exp, 1",
        f"  %more = icmp ne {ty} %exp1, 0",
        "  br i1 %more, label %loop, label %done",
        "done:",
        f"  ret {ty} %acc1",
        "}",
    ]))
    return f.emit(f"call {ty} @{name}({ty} {a}, {ty} {b})")


def _cparts(f: _Fn, v: str, dt: np.dtype) -> tuple[str, str]:
    ty = _ty(dt)
    return f.emit(f"extractvalue {ty} {v}, 0"), f.emit(f"extractvalue {ty} {v}, 1")


def _cpack(f: _Fn, re: str, im: str, dt: np.dtype) -> str:
    ty = _ty(dt)
    pt = _ty(_part(dt))
    v = f.emit(f"insertvalue {ty} poison, {pt} {re}, 0")
    return f.emit(f"insertvalue {ty} {v}, {pt} {im}, 1")


_LOGICAL = {Op.LOGICAL_AND: "and", Op.LOGICAL_OR: "or", Op.LOGICAL_XOR: "xor"}


def _logical(f: _Fn, op: Op, args: list[str], argdts: list[np.dtype]) -> str:
    t = [_truth(f, a, d) for a, d in zip(args, argdts)]
    if op is Op.LOGICAL_NOT:
        return f.emit(f"xor i1 {t[0]}, true")
    return f.emit(f"{_LOGICAL[op]} i1 {t[0]}, {t[1]}")
