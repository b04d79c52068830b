"""The op lowering table of the CPU renderer: how each ``Op`` becomes LLVM IR for its
operands' dtypes (``_render_op``: ``_ANY_DTYPE``, ``_RULES``, float16 via float32,
``_COMPLEX_RULES``), and the ops it leaves to the reference executor (``NOT_COMPILED``,
``NOT_BODY``; ``tests/codegen_cpu/test_tables.py`` checks that every Op is in one place).

Beyond bool, integers, float32 and float64 (docs/numerics.md has the details):

* float16: each operation NumPy computes in float32 (arithmetic, ``sqrt``, rounding
  functions, ``//``, ``%``, ``fmod``, ``sign``, ``copysign``, comparisons, ``isnan`` ...)
  widens its operands, computes in float32 and rounds to float16 once; ``maximum``,
  ``minimum``, ``fmax``, ``fmin`` and ``clip`` keep ``a`` on ties (NumPy's half loops).
  Casts are NumPy's: float64 -> float16 rounds once (to float32 *rounding to odd*, then to
  float16), integers go through float32.  Not rendered: transcendentals and ``power``
  (NumPy runs SVML's float16 routines on contiguous data), float16 sum/prod/mean
  accumulators (NumPy adds in float32), so those stay on the reference executor.
* complex64/complex128: add, subtract, NumPy's SIMD multiply/square (``re = fma(ar, br,
  -(ai*bi))``, ``im = fma(ar, bi, ai*br)`` where NumPy fuses, found once by
  :func:`numpy_complex_loops`), its Smith division and reciprocal, its SIMD absolute,
  negative, conjugate, lexicographic comparisons, maximum/minimum/fmax/fmin, isnan/isinf/
  isfinite, logical ops, ``where`` and casts (complex -> real takes the real part).  Branches
  of division and reciprocal select their operands before dividing, so only NumPy's own
  operations raise flags.  Not rendered: transcendentals, ``power``, ``sign``, ``clip``,
  complex reductions other than any/all, and absolute (complex64: also multiply/square) of a
  reversed view (NumPy's own loop then depends on how its iterator walks the view).
* ``clip``: NumPy's loop, ``Min(Max(x, lo), hi)`` with a NaN ``x`` kept; float32/float64
  ties keep ``x`` for constant bounds (NumPy's constant-bounds loop) and not for array
  bounds; bounds broadcast along some axes (or fills) are left to the reference executor.
  A missing bound is NumPy's ``maximum`` / ``minimum``.
* integer ``power``: exponentiation by squaring in a module helper, wrapping; a negative
  exponent raises the invalid flag, so the reference executor raises NumPy's ValueError.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ..graph.ops import MOVEMENT, REDUCE, SOURCE, Op
from . import libm
from .complex_ops import _cabs, _ccmp, _cdiv, _cmul, _crecip
from .ir_module import _Fn
from .libcalls import _intrin, _libm_call
from .llvm_text import (
    _F16,
    _F32,
    Unsupported,
    _bits,
    _is_complex,
    _is_float,
    _part,
    _signed,
    _ty,
    fconst,
)
from .scalar_ops import (
    _FCMP,
    _ICMP,
    _LOGICAL,
    _cast,
    _clip,
    _cpack,
    _cparts,
    _float_divmod,
    _int_divmod,
    _ipow,
    _isnan,
    _logical,
    _minmax,
    _sel,
    _shift,
)

_INTRIN1 = {Op.SQRT: "sqrt", Op.FLOOR: "floor", Op.CEIL: "ceil", Op.TRUNC: "trunc",
            Op.RINT: "rint", Op.FABS: "fabs"}


# ---------------------------------------------------------------- op lowering table
# How each op becomes LLVM IR.  ``_render_op`` dispatches in this order:
#   _ANY_DTYPE[op]  ops rendered the same way for every dtype (before the checks below);
#   conjugate of a real number is the number; two operands of different dtypes are only
#   rendered for comparisons and logical ops;
#   complex operands: _COMPLEX_RULES[op] (``_complex_op``); float16 operands: ``_half_op``
#   (_HALF_VIA_FLOAT: float32 and one rounding, or NumPy's half min/max);
#   _RULES[op]      bool, integer, float32 and float64 operands (``_Elt``).
# A rule raises ``Unsupported`` for dtypes it does not handle (``_no``); an elementwise op
# with no rule is in ``NOT_COMPILED``, and the ops that are never a body instruction in
# ``NOT_BODY`` (``tests/codegen_cpu/test_tables.py`` checks that every Op is in one place).
class _Elt(NamedTuple):
    """One element of an op on real operands: what a rule of ``_RULES`` gets."""

    f: _Fn
    op: Op
    out: np.dtype
    dt: np.dtype  # the first operand's dtype
    ty: str       # its SSA type
    flt: bool     # float32/float64 operands
    args: list[str]
    argdts: list[np.dtype]

    @property
    def a(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str | None:
        return self.args[1] if len(self.args) > 1 else None


# ------------------------------------------------------------------------------ float16
# NumPy computes these float16 ops in float32 and rounds the result to float16 once (its
# HALF_* loops, or the float32 loop between casts); each is exact or correctly rounded in
# float32, so rounding once more gives NumPy's bits.  Not here: float16 transcendentals
# (NumPy calls SVML's float16 routines for contiguous data, libm's float32 ones otherwise)
# and power; they are left to the reference executor.
_HALF_VIA_FLOAT = frozenset({
    Op.ADD, Op.SUBTRACT, Op.MULTIPLY, Op.DIVIDE, Op.SQUARE, Op.RECIPROCAL, Op.NEGATIVE,
    Op.ABSOLUTE, Op.FABS, Op.SQRT, Op.FLOOR, Op.CEIL, Op.TRUNC, Op.RINT, Op.SIGN,
    Op.COPYSIGN, Op.FLOOR_DIVIDE, Op.REMAINDER, Op.FMOD, Op.ISNAN, Op.ISINF, Op.ISFINITE,
    Op.SIGNBIT, Op.LOGICAL_AND, Op.LOGICAL_OR, Op.LOGICAL_XOR, Op.LOGICAL_NOT,
}) | frozenset(_FCMP)


def _half_op(f: _Fn, op: Op, out: np.dtype, args: list[str], argdts: list[np.dtype]) -> str:
    if op in (Op.MAXIMUM, Op.MINIMUM, Op.FMAX, Op.FMIN):
        return _minmax(f, op, "half", _F16, args[0], args[1])
    if op not in _HALF_VIA_FLOAT:
        raise Unsupported(f"{op.value} on float16")
    wide = [_cast(f, a, d, _F32) if d == _F16 else a for a, d in zip(args, argdts)]
    dts = [_F32 if d == _F16 else d for d in argdts]
    wout = _F32 if out == _F16 else out
    return _cast(f, _render_op(f, op, wout, wide, dts), wout, out)


# ------------------------------------------------------------------------------ complex
def _c_addsub(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    name = "fadd" if e.op is Op.ADD else "fsub"
    return _cpack(e.f, e.f.emit(f"{name} {pt} {a[0]}, {b[0]}"),
                  e.f.emit(f"{name} {pt} {a[1]}, {b[1]}"), e.dt)


def _c_mul(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cpack(e.f, *_cmul(e.f, a, b if e.op is Op.MULTIPLY else a, pt), e.dt)


def _c_div(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cpack(e.f, *_cdiv(e.f, a, b, pt), e.dt)


def _c_recip(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cpack(e.f, *_crecip(e.f, a, pt), e.dt)


def _c_neg(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cpack(e.f, e.f.emit(f"fneg {pt} {a[0]}"), e.f.emit(f"fneg {pt} {a[1]}"), e.dt)


def _c_conj(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cpack(e.f, a[0], e.f.emit(f"fneg {pt} {a[1]}"), e.dt)


def _c_abs(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _cabs(e.f, a, pt)


def _c_cmp(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _ccmp(e.f, e.op, a, b, pt)


def _c_minmax(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    # NumPy: maximum keeps a when isnan(ar) || isnan(ai) || CGE(a, b); fmax keeps a
    # when isnan(br) || isnan(bi) || CGE(a, b) (CLE for minimum and fmin)
    f, op = e.f, e.op
    cmp = Op.GREATER_EQUAL if op in (Op.MAXIMUM, Op.FMAX) else Op.LESS_EQUAL
    nan_of = a if op in (Op.MAXIMUM, Op.MINIMUM) else b
    keep = f.emit(f"fcmp uno {pt} {nan_of[0]}, {nan_of[1]}")
    keep = f.emit(f"or i1 {keep}, {_ccmp(f, cmp, a, b, pt)}")
    return _sel(f, keep, e.ty, e.args[0], e.args[1])


def _c_isnan(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    re, im = (_render_op(e.f, e.op, e.out, [v], [_part(e.dt)]) for v in a)
    return e.f.emit(f"{'and' if e.op is Op.ISFINITE else 'or'} i1 {re}, {im}")


def _c_logical(e: _Elt, pt: str, a: tuple, b: tuple) -> str:
    return _logical(e.f, e.op, e.args, [e.dt] * len(e.args))


#: Op -> rule for complex operands (``a``, ``b``: the operands' (real, imaginary) parts)
_COMPLEX_RULES: dict[Op, Callable[[_Elt, str, tuple, Any], str]] = {
    Op.ADD: _c_addsub, Op.SUBTRACT: _c_addsub, Op.MULTIPLY: _c_mul, Op.SQUARE: _c_mul,
    Op.DIVIDE: _c_div, Op.RECIPROCAL: _c_recip, Op.NEGATIVE: _c_neg, Op.CONJUGATE: _c_conj,
    Op.ABSOLUTE: _c_abs, **{op: _c_cmp for op in _FCMP},
    Op.MAXIMUM: _c_minmax, Op.MINIMUM: _c_minmax, Op.FMAX: _c_minmax, Op.FMIN: _c_minmax,
    Op.ISNAN: _c_isnan, Op.ISINF: _c_isnan, Op.ISFINITE: _c_isnan,
    **{op: _c_logical for op in _LOGICAL}, Op.LOGICAL_NOT: _c_logical,
}


def _complex_op(f: _Fn, op: Op, out: np.dtype, args: list[str], dt: np.dtype) -> str:
    pt = _ty(_part(dt))
    ty = _ty(dt)
    parts = [_cparts(f, v, dt) for v in args]
    a = parts[0]
    b = parts[1] if len(parts) > 1 else None
    rule = _COMPLEX_RULES.get(op)
    if rule is None:
        raise Unsupported(f"op {op.value} on {dt}")
    return rule(_Elt(f, op, out, dt, ty, False, args, [dt] * len(args)), pt, a, b)


# ------------------------------------------------- bool, integer, float32, float64
def _no(e: _Elt) -> str:
    raise Unsupported(f"op {e.op.value} on {e.dt}")


def _r_arith(e: _Elt) -> str:
    if e.ty == "i1":
        if e.op is Op.SUBTRACT:
            raise Unsupported("bool subtract")
        return e.f.emit(f"{'or' if e.op is Op.ADD else 'and'} i1 {e.a}, {e.b}")
    name = {Op.ADD: "add", Op.SUBTRACT: "sub", Op.MULTIPLY: "mul"}[e.op]
    return e.f.emit(f"{'f' + name if e.flt else name} {e.ty} {e.a}, {e.b}")


def _r_divide(e: _Elt) -> str:
    return e.f.emit(f"fdiv {e.ty} {e.a}, {e.b}") if e.flt else _no(e)


def _r_square(e: _Elt) -> str:
    if e.ty == "i1":
        return _no(e)
    return e.f.emit(f"{'fmul' if e.flt else 'mul'} {e.ty} {e.a}, {e.a}")


def _r_negative(e: _Elt) -> str:
    if e.ty == "i1":
        return _no(e)
    return e.f.emit(f"fneg {e.ty} {e.a}") if e.flt else e.f.emit(f"sub {e.ty} 0, {e.a}")


def _r_absolute(e: _Elt) -> str:
    f, ty, a = e.f, e.ty, e.a
    if e.flt:
        return _intrin(f, "fabs", ty, a)
    if not _signed(e.dt):
        return a
    neg = f.emit(f"icmp slt {ty} {a}, 0")
    na = f.emit(f"sub {ty} 0, {a}")
    return _sel(f, neg, ty, na, a)


def _r_intrin1(e: _Elt) -> str:
    if e.flt:
        return _intrin(e.f, _INTRIN1[e.op], e.ty, e.a)
    if e.op in (Op.FLOOR, Op.CEIL, Op.TRUNC) and e.out == e.dt:
        return e.a
    raise Unsupported(f"{e.op.value} on {e.dt}")


def _r_compare(e: _Elt) -> str:
    f, op, ty, a, b, argdts = e.f, e.op, e.ty, e.a, e.b, e.argdts
    if len(argdts) == 2 and argdts[0] != argdts[1]:
        # exact mixed signed/unsigned comparison (NumPy's qQ->? loops): one bit wider
        wide = f"i{max(_bits(argdts[0]), _bits(argdts[1])) + 1}"
        xa = f.emit(f"{'sext' if _signed(argdts[0]) else 'zext'} {ty} {a} to {wide}")
        tb = _ty(argdts[1])
        xb = f.emit(f"{'sext' if _signed(argdts[1]) else 'zext'} {tb} {b} to {wide}")
        if argdts[0].kind not in "iu" or argdts[1].kind not in "iu":
            raise Unsupported("mixed comparison")
        pred = {Op.EQUAL: "eq", Op.NOT_EQUAL: "ne"}.get(op) or "s" + _ICMP[op]
        return f.emit(f"icmp {pred} {wide} {xa}, {xb}")
    if e.flt:
        return f.emit(f"fcmp {_FCMP[op]} {ty} {a}, {b}")
    if op is Op.EQUAL:
        return f.emit(f"icmp eq {ty} {a}, {b}")
    if op is Op.NOT_EQUAL:
        return f.emit(f"icmp ne {ty} {a}, {b}")
    pre = "s" if _signed(e.dt) else "u"
    return f.emit(f"icmp {pre}{_ICMP[op]} {ty} {a}, {b}")


def _r_minmax(e: _Elt) -> str:
    return _minmax(e.f, e.op, e.ty, e.dt, e.a, e.b)


def _r_logical(e: _Elt) -> str:
    return _logical(e.f, e.op, e.args, e.argdts)


def _r_bitwise(e: _Elt) -> str:
    if e.flt:
        return _no(e)
    name = {Op.BITWISE_AND: "and", Op.BITWISE_OR: "or", Op.BITWISE_XOR: "xor"}[e.op]
    return e.f.emit(f"{name} {e.ty} {e.a}, {e.b}")


def _r_invert(e: _Elt) -> str:
    if e.flt:
        return _no(e)
    return e.f.emit(f"xor {e.ty} {e.a}, {'true' if e.ty == 'i1' else '-1'}")


def _r_shift(e: _Elt) -> str:
    if e.flt or e.ty == "i1":
        return _no(e)
    return _shift(e.f, e.op, e.a, e.b, e.dt)


def _r_divmod(e: _Elt) -> str:
    if e.ty == "i1":
        return _no(e)
    want = "div" if e.op is Op.FLOOR_DIVIDE else "rem"
    if e.flt:
        return _float_divmod(e.f, e.a, e.b, e.ty, want)
    return _int_divmod(e.f, e.a, e.b, e.dt, want)


def _r_fmod(e: _Elt) -> str:
    return e.f.emit(f"frem {e.ty} {e.a}, {e.b}") if e.flt else _no(e)


def _r_copysign(e: _Elt) -> str:
    return _intrin(e.f, "copysign", e.ty, e.a, e.b) if e.flt else _no(e)


def _r_reciprocal(e: _Elt) -> str:
    return e.f.emit(f"fdiv {e.ty} 1.0, {e.a}") if e.flt else _no(e)


def _r_libm(e: _Elt) -> str:
    """A libm-backed op (a row of ``libm.py``) on float32/float64; integer ``power`` by
    squaring."""
    if e.flt:
        return _libm_call(e.f, libm.LIBM_NAME[e.op], e.ty, *e.args)
    if e.op is Op.POWER and e.ty != "i1":
        return _ipow(e.f, e.a, e.b, e.dt)
    return _no(e)


def _r_isnan(e: _Elt) -> str:
    return _isnan(e.f, e.a, e.ty) if e.flt else _no(e)


def _r_isinf(e: _Elt) -> str:
    if not e.flt:
        return _no(e)
    m = _intrin(e.f, "fabs", e.ty, e.a)
    pred = "oeq" if e.op is Op.ISINF else "one"  # (quiet predicates: no flag for a NaN)
    return e.f.emit(f"fcmp {pred} {e.ty} {m}, {fconst(np.inf, e.ty)}")


def _r_signbit(e: _Elt) -> str:
    if not e.flt:
        return _no(e)
    ity = "i32" if e.ty == "float" else "i64"
    i = e.f.emit(f"bitcast {e.ty} {e.a} to {ity}")
    return e.f.emit(f"icmp slt {ity} {i}, 0")


def _r_sign(e: _Elt) -> str:
    f, ty, a = e.f, e.ty, e.a
    if ty == "i1":
        return _no(e)
    if e.flt:
        pos = f.emit(f"fcmp ogt {ty} {a}, 0.0")
        neg = f.emit(f"fcmp olt {ty} {a}, 0.0")
        zero = f.emit(f"fcmp oeq {ty} {a}, 0.0")
        r = _sel(f, zero, ty, "0.0", a)
        r = _sel(f, neg, ty, "-1.0", r)
        return _sel(f, pos, ty, "1.0", r)
    gt = f.emit(f"icmp {'sgt' if _signed(e.dt) else 'ugt'} {ty} {a}, 0")
    lt = f.emit(f"icmp slt {ty} {a}, 0") if _signed(e.dt) else "false"
    g = f.emit(f"zext i1 {gt} to {ty}")
    lz = f.emit(f"zext i1 {lt} to {ty}")
    return f.emit(f"sub {ty} {g}, {lz}")


_Rule = Callable[[_Elt], str]
#: Op -> rule for bool, integer, float32 and float64 operands
_RULES: dict[Op, _Rule] = {
    Op.ADD: _r_arith, Op.SUBTRACT: _r_arith, Op.MULTIPLY: _r_arith,
    Op.DIVIDE: _r_divide, Op.SQUARE: _r_square, Op.NEGATIVE: _r_negative,
    Op.ABSOLUTE: _r_absolute,
    **{op: _r_intrin1 for op in _INTRIN1},
    **{op: _r_compare for op in _FCMP},
    Op.MINIMUM: _r_minmax, Op.MAXIMUM: _r_minmax, Op.FMIN: _r_minmax, Op.FMAX: _r_minmax,
    **{op: _r_logical for op in _LOGICAL}, Op.LOGICAL_NOT: _r_logical,
    Op.BITWISE_AND: _r_bitwise, Op.BITWISE_OR: _r_bitwise, Op.BITWISE_XOR: _r_bitwise,
    Op.INVERT: _r_invert, Op.LEFT_SHIFT: _r_shift, Op.RIGHT_SHIFT: _r_shift,
    Op.FLOOR_DIVIDE: _r_divmod, Op.REMAINDER: _r_divmod, Op.FMOD: _r_fmod,
    Op.COPYSIGN: _r_copysign, Op.RECIPROCAL: _r_reciprocal,
    **{op: _r_libm for op in libm.LIBM_NAME},
    Op.ISNAN: _r_isnan, Op.ISINF: _r_isinf, Op.ISFINITE: _r_isinf,
    Op.SIGNBIT: _r_signbit, Op.SIGN: _r_sign,
}
#: Op -> rule ``(f, out, args, argdts, ties)`` the same for every dtype (``ties``: clip's)
_ANY_DTYPE: dict[Op, Callable[..., str]] = {
    Op.CAST: lambda f, out, args, argdts, ties: _cast(f, args[0], argdts[0], out),
    Op.WHERE: lambda f, out, args, argdts, ties: _sel(f, args[0], _ty(out), args[1], args[2]),
    Op.COPY: lambda f, out, args, argdts, ties: args[0],
    Op.POSITIVE: lambda f, out, args, argdts, ties: args[0],
    Op.CLIP: lambda f, out, args, argdts, ties: _clip(f, args, out, ties),
}
#: elementwise ops with no rule: a kernel using one runs on the reference executor
NOT_COMPILED = frozenset({
    Op.BITWISE_COUNT,
    Op.DEG2RAD, Op.DEGREES, Op.RAD2DEG, Op.RADIANS, Op.SPACING, Op.ISNAT,
    Op.LDEXP, Op.HEAVISIDE, Op.LOGADDEXP, Op.LOGADDEXP2, Op.GCD, Op.LCM,
    Op.FREXP, Op.MODF, Op.DIVMOD,
})
#: rendered by ``_render_op`` itself: conjugate (of a real number: the number; of a complex
#: one: ``_complex_op``)
_IN_DISPATCH = frozenset({Op.CONJUGATE})
#: ops that are never an instruction of a kernel body, and what handles them instead
NOT_BODY: dict[Op, str] = {
    **{op: "the reduction of a kernel (_combine, identity)" for op in REDUCE},
    **{op: "a kernel input" for op in SOURCE | MOVEMENT},
    Op.OPAQUE: "a kernel boundary",
}


def _render_op(f: _Fn, op: Op, out: np.dtype, args: list[str], argdts: list[np.dtype],
               ties: bool = False) -> str:
    """One element of ``op`` (result dtype ``out``) on operands of dtypes ``argdts``
    (``ties``: whether clip keeps ``x`` on a tie, :func:`lazynp.fusion.plan.clip_ties`)."""
    out = np.dtype(out)
    any_dtype = _ANY_DTYPE.get(op)
    if any_dtype is not None:
        return any_dtype(f, out, args, argdts, ties)
    dt = np.dtype(argdts[0])
    if op is Op.CONJUGATE and not _is_complex(dt):
        return args[0]
    if (len(argdts) == 2 and argdts[0] != argdts[1] and op not in _FCMP
            and op not in _LOGICAL):
        raise Unsupported(f"{op.value} with operands {argdts[0]}, {argdts[1]}")
    if _is_complex(dt):
        return _complex_op(f, op, out, args, dt)
    if _F16 in argdts:
        return _half_op(f, op, out, args, argdts)
    ty = _ty(dt)
    return _RULES.get(op, _no)(_Elt(f, op, out, dt, ty, _is_float(dt), args, argdts))
