"""One element of a kernel body as a CUDA C expression: the GPU renderer's op table.

:func:`render_op` is the GPU twin of ``codegen_cpu/lowering.py``'s ``_render_op`` and
dispatches the same way: ops rendered alike for every dtype (cast, where, copy, clip);
conjugate of a real number is the number; two operands of different dtypes only for
comparisons and logical ops; complex operands (:data:`COMPLEX_RULES`); float16 operands
(computed in float32 and rounded once, or NumPy's half min/max/clip); then :data:`RULES`
(bool, integers, float32, float64).  A rule raises ``Unsupported`` for what it does not
render, and every elementwise ``Op`` is in :data:`RULES` or :data:`NOT_RENDERED`.  The C
helpers the expressions call (``lzg_...``) are in ``cuda_helpers.py``.

Numerics follow the CPU backend (docs/numerics.md): float ``+ - * /`` and ``sqrt`` are the
round-to-nearest intrinsics (never contracted into FMAs); integer arithmetic wraps (computed
in unsigned types); NumPy's rules for integer ``//`` and ``%`` (by zero: 0; ``MIN // -1``
wraps), shifts (a count outside ``[0, bits)`` gives 0, or -1 for a negative number shifted
right), float ``//`` and ``%`` (``npy_divmod``), ``sign``, ``maximum``/``minimum``
(NaN-propagating) vs ``fmax``/``fmin`` (NaN-ignoring), ties of min/max/clip as the CPU
backend.  Value-dependent warnings or errors NumPy reports (division by zero, overflow,
invalid casts) are not reported by a kernel.

Not rendered (``Unsupported``): float16 transcendentals and ``power`` (NumPy runs SVML's
float16 routines), complex transcendentals, ``power``, ``sign`` and ``clip``, integer
``power`` of a signed type unless the exponent is a constant >= 0 (a negative exponent
must raise NumPy's ValueError, which a kernel cannot), and the ops in :data:`NOT_RENDERED`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..codegen_cpu.complex_ops import numpy_complex_loops
from ..fusion.plan import Const, Unsupported
from ..graph.ops import Op

__all__ = ["COMPLEX_RULES", "LIBM", "NOT_RENDERED", "NOT_RENDERED_WHY", "RULES", "cast", "ctype", "literal",
           "mem_ctype", "render_op"]

_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)

# ------------------------------------------------------------------------------ dtypes
_CTYPE = {
    "b1": "bool", "i8": "signed char", "i16": "short", "i32": "int", "i64": "long long",
    "u8": "unsigned char", "u16": "unsigned short", "u32": "unsigned int",
    "u64": "unsigned long long", "f16": "unsigned short", "f32": "float", "f64": "double",
    "c64": "lzg_c64", "c128": "lzg_c128",
}


def _key(dt: Any) -> str:
    dt = np.dtype(dt)
    return "b1" if dt.kind == "b" else f"{dt.kind}{dt.itemsize * 8}"


def ctype(dt: Any) -> str:
    """C type of a value of dtype ``dt`` (bool values are ``bool``, float16 values their
    bits, complex values ``lzg_c64`` / ``lzg_c128``: two parts)."""
    got = _CTYPE.get(_key(dt))
    if got is None:
        raise Unsupported(f"dtype {np.dtype(dt)} on the GPU renderer")
    return got


def mem_ctype(dt: Any) -> str:
    """C type of an element in memory (NumPy's bool is one byte, 0 or 1)."""
    return "unsigned char" if np.dtype(dt).kind == "b" else ctype(dt)


def _is_float(dt: Any) -> bool:
    return np.dtype(dt).kind == "f"


def _part(dt: Any) -> np.dtype:
    return np.dtype(f"f{np.dtype(dt).itemsize // 2}")


def _wrap_ty(dt: Any) -> str:
    """Unsigned type integer arithmetic of ``dt`` is done in (wraps, no promotion to int)."""
    return "unsigned long long" if np.dtype(dt).itemsize == 8 else "unsigned int"


def literal(value: Any, dt: Any) -> str:
    """An exact C expression for a constant of dtype ``dt``."""
    dt = np.dtype(dt)
    v = np.asarray(value).astype(dt, copy=False)
    if dt.kind == "b":
        return "true" if bool(v) else "false"
    if dt.kind == "c":
        return (f"{ctype(dt)}{{{literal(v.real, _part(dt))}, "
                f"{literal(v.imag, _part(dt))}}}")
    if dt.kind == "f":
        if dt.itemsize == 8:
            bits = int(v.view(np.uint64))
            return f"__longlong_as_double(0x{bits:016x}LL) /* {float(v)!r} */"
        if dt.itemsize == 4:
            bits = int(v.view(np.uint32))
            return f"__int_as_float(0x{bits:08x}) /* {float(v)!r} */"
        if dt.itemsize == 2:
            bits = int(v.view(np.uint16))
            return f"((unsigned short)0x{bits:04x}) /* {float(v)!r} */"
        raise Unsupported(f"dtype {dt} on the GPU renderer")
    ctype(dt)
    bits = int(v.astype(dt.newbyteorder("=")).view(f"u{dt.itemsize}"))
    return f"(({ctype(dt)})0x{bits:x}ULL)"


# ------------------------------------------------------------------------------ op rules
class _E:
    """What a rule gets: the op, result dtype, operand expressions and dtypes (``raw``: the
    plan's operands, to read constants)."""

    __slots__ = ("op", "out", "args", "dts", "ties", "raw")

    def __init__(self, op: Op, out: np.dtype, args: list[str], dts: list[Any],
                 ties: bool = False, raw: tuple = ()) -> None:
        self.op, self.out, self.args, self.dts, self.ties = op, out, args, dts, ties
        self.raw = raw

    @property
    def a(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str:
        return self.args[1]

    @property
    def dt(self) -> np.dtype:
        return np.dtype(self.dts[0])

    @property
    def flt(self) -> bool:
        return _is_float(self.dt)

    @property
    def bool(self) -> bool:
        return self.dt.kind == "b"

    @property
    def ct(self) -> str:
        return ctype(self.dt)


def _no(e: _E) -> str:
    raise Unsupported(f"op {e.op.value} on {e.dt} on the GPU renderer")


_FARITH = {Op.ADD: "add", Op.SUBTRACT: "sub", Op.MULTIPLY: "mul", Op.DIVIDE: "div"}
_CARITH = {Op.ADD: "+", Op.SUBTRACT: "-", Op.MULTIPLY: "*"}


def _fop(name: str, dt: np.dtype, *args: str) -> str:
    """A round-to-nearest float intrinsic (never contracted into an FMA)."""
    pre = "__d" if dt.itemsize == 8 else "__f"
    return f"{pre}{name}_rn({', '.join(args)})"


def _fn(name: str, dt: np.dtype, *args: str) -> str:
    """A C math function of float32 (``name`` + ``f``) or float64 (``name``)."""
    return f"{name if dt.itemsize == 8 else name + 'f'}({', '.join(args)})"


def _iop(e: _E, sym: str, a: str, b: str) -> str:
    """Wrapping integer ``a sym b`` of dtype ``e.dt``."""
    w = _wrap_ty(e.dt)
    return f"(({e.ct})(({w}){a} {sym} ({w}){b}))"


def _r_arith(e: _E) -> str:
    if e.bool:
        if e.op is Op.SUBTRACT:
            return _no(e)
        return f"({e.a} {'||' if e.op is Op.ADD else '&&'} {e.b})"
    if e.flt:
        return _fop(_FARITH[e.op], e.dt, e.a, e.b)
    return _iop(e, _CARITH[e.op], e.a, e.b)


def _r_divide(e: _E) -> str:
    return _fop("div", e.dt, e.a, e.b) if e.flt else _no(e)


def _r_reciprocal(e: _E) -> str:
    return _fop("div", e.dt, literal(1, e.dt), e.a) if e.flt else _no(e)


def _r_square(e: _E) -> str:
    if e.bool:
        return _no(e)
    return _fop("mul", e.dt, e.a, e.a) if e.flt else _iop(e, "*", e.a, e.a)


def _r_negative(e: _E) -> str:
    if e.bool:
        return _no(e)
    return f"(-{e.a})" if e.flt else _iop(e, "-", "0", e.a)


def _r_absolute(e: _E) -> str:
    if e.bool:
        return _no(e)
    if e.flt:
        return _fn("fabs", e.dt, e.a)
    if e.dt.kind == "u":
        return e.a
    return f"({e.a} < 0 ? {_iop(e, '-', '0', e.a)} : {e.a})"


def _r_sqrt(e: _E) -> str:
    return _fop("sqrt", e.dt, e.a) if e.flt else _no(e)


def _r_rounding(e: _E) -> str:
    """floor, ceil, trunc, rint (exact; ``rint`` rounds half to even); of an integer that
    keeps its dtype (NumPy 2), the number."""
    if e.flt:
        return _fn(e.op.value, e.dt, e.a)
    if e.op is not Op.RINT and e.out == e.dt:
        return e.a
    return _no(e)


_CMP = {Op.LESS: "<", Op.LESS_EQUAL: "<=", Op.GREATER: ">", Op.GREATER_EQUAL: ">=",
        Op.EQUAL: "==", Op.NOT_EQUAL: "!="}
# the result of ``a OP b`` when ``a`` is negative and ``b`` unsigned
_NEG_VS_UNSIGNED = {Op.LESS: "true", Op.LESS_EQUAL: "true", Op.GREATER: "false",
                    Op.GREATER_EQUAL: "false", Op.EQUAL: "false", Op.NOT_EQUAL: "true"}
_MIRROR = {Op.LESS: Op.GREATER, Op.LESS_EQUAL: Op.GREATER_EQUAL, Op.GREATER: Op.LESS,
           Op.GREATER_EQUAL: Op.LESS_EQUAL, Op.EQUAL: Op.EQUAL, Op.NOT_EQUAL: Op.NOT_EQUAL}
_LOGICAL = {Op.LOGICAL_AND: "&&", Op.LOGICAL_OR: "||", Op.LOGICAL_XOR: "!="}


def _r_compare(e: _E) -> str:
    sym = _CMP[e.op]
    da, db = (np.dtype(d) for d in e.dts)
    if da == db:
        return f"({e.a} {sym} {e.b})"
    if da.kind not in "iu" or db.kind not in "iu":
        raise Unsupported("mixed comparison on the GPU renderer")
    # exact mixed signed/unsigned comparison (NumPy's qQ->? loops)
    keys = (_key(da), _key(db))
    if "u64" not in keys:  # both fit a long long
        return f"((long long){e.a} {sym} (long long){e.b})"
    if da.kind == db.kind:  # uint64 and a narrower unsigned type
        return f"((unsigned long long){e.a} {sym} (unsigned long long){e.b})"
    op, a, b, sa = e.op, e.a, e.b, da.kind == "i"
    if not sa:  # b is the signed one: mirror
        op, a, b = _MIRROR[op], e.b, e.a
    return (f"({a} < 0 ? {_NEG_VS_UNSIGNED[op]} : "
            f"((unsigned long long){a} {_CMP[op]} (unsigned long long){b}))")


def _r_minmax(e: _E) -> str:
    big = e.op in (Op.MAXIMUM, Op.FMAX)
    if e.bool:
        return f"({e.a} {'||' if big else '&&'} {e.b})"
    sym = ">" if big else "<"
    if not e.flt:
        return f"({e.a} {sym} {e.b} ? {e.a} : {e.b})"
    if e.op in (Op.MAXIMUM, Op.MINIMUM):
        # NaN-propagating: a NaN a is kept, a NaN b wins over a number; ties give b
        return f"(({e.a} != {e.a} || {e.a} {sym} {e.b}) ? {e.a} : {e.b})"
    # fmax/fmin: a NaN b gives a (a NaN only when both are); ties give b
    return f"(({e.a} {sym} {e.b} || {e.b} != {e.b}) ? {e.a} : {e.b})"


def _r_bitwise(e: _E) -> str:
    if e.flt:
        return _no(e)
    sym = {Op.BITWISE_AND: "&", Op.BITWISE_OR: "|", Op.BITWISE_XOR: "^"}[e.op]
    return f"(({e.ct})({e.a} {sym} {e.b}))"


def _r_invert(e: _E) -> str:
    if e.flt:
        return _no(e)
    return f"(!{e.a})" if e.bool else f"(({e.ct})~{e.a})"


def _r_shift(e: _E) -> str:
    """NumPy's npy_lshift / npy_rshift: a count outside [0, bits) (compared as unsigned, so
    a negative count is one) gives 0, or -1 for a negative number shifted right."""
    if e.flt or e.bool:
        return _no(e)
    bits = e.dt.itemsize * 8
    ok = f"(unsigned long long){e.b} < {bits}ULL"
    if e.op is Op.LEFT_SHIFT:
        return f"({ok} ? (({e.ct})(({_wrap_ty(e.dt)}){e.a} << {e.b})) : ({e.ct})0)"
    fill = f"({e.a} < 0 ? ({e.ct})-1 : ({e.ct})0)" if e.dt.kind == "i" else f"({e.ct})0"
    return f"({ok} ? (({e.ct})({e.a} >> {e.b})) : {fill})"


def _r_divmod(e: _E) -> str:
    if e.bool:
        return _no(e)
    name = "floordiv" if e.op is Op.FLOOR_DIVIDE else "remainder"
    pre = "f" if e.flt else "s" if e.dt.kind == "i" else "u"
    return f"lzg_{pre}{name}({e.a}, {e.b})"


def _r_fmod(e: _E) -> str:
    return _fn("fmod", e.dt, e.a, e.b) if e.flt else _no(e)


def _r_copysign(e: _E) -> str:
    return _fn("copysign", e.dt, e.a, e.b) if e.flt else _no(e)


def _r_isnan(e: _E) -> str:
    if not e.flt:
        return _no(e)
    if e.op is Op.ISNAN:
        return f"({e.a} != {e.a})"
    sym = "==" if e.op is Op.ISINF else "<"
    return f"({_fn('fabs', e.dt, e.a)} {sym} {literal(np.inf, e.dt)})"


def _r_signbit(e: _E) -> str:
    if not e.flt:
        return _no(e)
    bits = "__double_as_longlong" if e.dt.itemsize == 8 else "__float_as_int"
    return f"({bits}({e.a}) < 0)"


def _r_sign(e: _E) -> str:
    """NumPy's sign: -1, 0, 1 (a float zero gives +0, a NaN itself)."""
    if e.bool:
        return _no(e)
    a, ct = e.a, e.ct
    if e.flt:
        one, zero, m1 = (literal(v, e.dt) for v in (1, 0, -1))
        return f"({a} > 0 ? {one} : ({a} < 0 ? {m1} : ({a} == 0 ? {zero} : {a})))"
    if e.dt.kind == "u":
        return f"(({ct})({a} > 0))"
    return f"(({ct})(({a} > 0) - ({a} < 0)))"


def _truth(v: str, dt: Any) -> str:
    dt = np.dtype(dt)
    if dt.kind == "b":
        return v
    if dt.kind == "c":
        return f"lzg_ctruth({v})"
    if dt == _F16:
        return f"(lzg_h2f({v}) != 0.0f)"
    return f"({v} != 0)"


def _r_logical(e: _E) -> str:
    t = [_truth(a, d) for a, d in zip(e.args, e.dts)]
    if e.op is Op.LOGICAL_NOT:
        return f"(!{t[0]})"
    return f"({t[0]} {_LOGICAL[e.op]} {t[1]})"


def _r_libm(e: _E) -> str:
    """A libm-backed op: CUDA's math function on float32/float64; integer ``power`` by
    squaring (unsigned, or a constant exponent >= 0)."""
    if e.flt:
        return _fn(LIBM[e.op], e.dt, *e.args)
    if e.op is Op.POWER and e.dt.kind in "iu":
        if e.dt.kind == "i":
            exp = e.raw[1] if len(e.raw) > 1 else None
            if type(exp) is not Const or exp.value is None or int(exp.value) < 0:
                raise Unsupported("signed integer power with an array exponent on the GPU "
                                  "renderer (a negative one must raise ValueError)")
        return f"lzg_ipow({e.a}, {e.b})"
    return _no(e)


def cast(v: str, src: Any, dst: Any) -> str:
    """``v`` of dtype ``src`` converted as NumPy (and the CPU backend) converts it."""
    src, dst = np.dtype(src), np.dtype(dst)
    ctype(src)
    ct = ctype(dst)
    if src == dst:
        return v
    if dst.kind == "b":
        return _truth(v, src)
    if src.kind == "c" and dst.kind == "c":
        ps, pd = _part(src), _part(dst)
        return f"{ct}{{{cast(f'({v}).re', ps, pd)}, {cast(f'({v}).im', ps, pd)}}}"
    if src.kind == "c":  # the real part (NumPy's ComplexWarning came at record time)
        return cast(f"({v}).re", _part(src), dst)
    if dst.kind == "c":
        pd = _part(dst)
        return f"{ct}{{{cast(v, src, pd)}, {literal(0, pd)}}}"
    if src == _F16:  # exact to float32, then as from float32
        return cast(f"lzg_h2f({v})", _F32, dst)
    if dst == _F16:
        if src.kind == "f":  # one rounding (npy_float_to_half / npy_double_to_half)
            return f"lzg_{'d' if src.itemsize == 8 else 'f'}2h({v})"
        return f"lzg_f2h({cast(v, src, _F32)})"  # integers: through float32 (NumPy)
    if src.kind == "f" and dst.kind in "iu":
        # the CPU backend's C casts: int32/int64/uint64 directly, the narrower types
        # through int32, uint32 through int64 (in-range values: out of range, C leaves the
        # result undefined and NumPy warns; the GPU's conversions saturate)
        bits = dst.itemsize * 8
        if bits == 64 or (bits == 32 and dst.kind == "i"):
            return f"(({ct}){v})"
        wide = "long long" if bits == 32 else "int"
        return f"(({ct})({wide}){v})"
    return f"(({ct}){v})"


def _r_where(e: _E) -> str:
    return f"({_truth(e.a, e.dts[0])} ? {e.b} : {e.args[2]})"


def _r_clip(e: _E) -> str:
    """NumPy's clip ``Min(Max(x, lo), hi)`` with a NaN ``x`` kept (``ties``: ``>=``/``<=``,
    keeping ``x``); a missing bound is ``maximum`` / ``minimum``."""
    x, lo, hi = e.args
    if e.dt.kind == "c":
        raise Unsupported("complex clip on the GPU renderer")
    half = e.dt == _F16
    if lo is None or hi is None:
        op = Op.MINIMUM if lo is None else Op.MAXIMUM
        return render_op(op, e.out, [x, hi if lo is None else lo], [e.dt] * 2)

    def side(a: str, b: str, upper: bool) -> str:
        if e.bool:
            return f"({a} {'&&' if upper else '||'} {b})"
        sym = ("<" if upper else ">") + ("=" if e.ties else "")
        if not e.flt:
            return f"({a} {sym[0]} {b} ? {a} : {b})"
        if half:
            return f"((lzg_h2f({a}) {sym} lzg_h2f({b}) || lzg_hisnan({a})) ? {a} : {b})"
        return f"(({a} {sym} {b} || {a} != {a}) ? {a} : {b})"

    return side(f"({side(x, lo, False)})", hi, True)


_ANY_DTYPE: dict[Op, Callable[[_E], str]] = {
    Op.CAST: lambda e: cast(e.a, e.dt, e.out),
    Op.WHERE: _r_where,
    Op.COPY: lambda e: e.a,
    Op.POSITIVE: lambda e: e.a,
    Op.CLIP: _r_clip,
}

#: libm-backed ops -> the CUDA math function (float64 name; float32 adds ``f``), the same
#: functions as the CPU backend's rows (``codegen_cpu/libm.py``), from CUDA's libdevice, no
#: fast-math (``--use_fast_math`` would turn the float32 ones into ``__expf`` ...)
LIBM: dict[Op, str] = {
    Op.EXP: "exp", Op.LOG: "log", Op.SIN: "sin", Op.COS: "cos", Op.TAN: "tan",
    Op.LOG2: "log2", Op.LOG10: "log10", Op.EXP2: "exp2", Op.EXPM1: "expm1",
    Op.LOG1P: "log1p", Op.SINH: "sinh", Op.COSH: "cosh", Op.TANH: "tanh",
    Op.ARCSIN: "asin", Op.ARCCOS: "acos", Op.ARCTAN: "atan", Op.ARCSINH: "asinh",
    Op.ARCCOSH: "acosh", Op.ARCTANH: "atanh", Op.CBRT: "cbrt", Op.ARCTAN2: "atan2",
    Op.HYPOT: "hypot", Op.POWER: "pow", Op.FLOAT_POWER: "pow", Op.NEXTAFTER: "nextafter",
}

_Rule = Callable[[_E], str]
#: Op -> CUDA rule (bool, integer, float32, float64 operands)
RULES: dict[Op, _Rule] = {
    Op.ADD: _r_arith, Op.SUBTRACT: _r_arith, Op.MULTIPLY: _r_arith, Op.DIVIDE: _r_divide,
    Op.NEGATIVE: _r_negative, Op.ABSOLUTE: _r_absolute, Op.FABS: _r_absolute,
    Op.SQUARE: _r_square, Op.SQRT: _r_sqrt, Op.RECIPROCAL: _r_reciprocal,
    Op.FLOOR: _r_rounding, Op.CEIL: _r_rounding, Op.TRUNC: _r_rounding, Op.RINT: _r_rounding,
    Op.MAXIMUM: _r_minmax, Op.MINIMUM: _r_minmax, Op.FMAX: _r_minmax, Op.FMIN: _r_minmax,
    **{op: _r_compare for op in _CMP},
    Op.LOGICAL_AND: _r_logical, Op.LOGICAL_OR: _r_logical, Op.LOGICAL_XOR: _r_logical,
    Op.LOGICAL_NOT: _r_logical,
    Op.BITWISE_AND: _r_bitwise, Op.BITWISE_OR: _r_bitwise, Op.BITWISE_XOR: _r_bitwise,
    Op.INVERT: _r_invert, Op.LEFT_SHIFT: _r_shift, Op.RIGHT_SHIFT: _r_shift,
    Op.FLOOR_DIVIDE: _r_divmod, Op.REMAINDER: _r_divmod, Op.FMOD: _r_fmod,
    Op.COPYSIGN: _r_copysign, Op.ISNAN: _r_isnan, Op.ISINF: _r_isnan, Op.ISFINITE: _r_isnan,
    Op.SIGNBIT: _r_signbit, Op.SIGN: _r_sign,
    **{op: _r_libm for op in LIBM},
    **_ANY_DTYPE,
    Op.CONJUGATE: lambda e: e.a,  # of a real number (complex: COMPLEX_RULES)
}


# ------------------------------------------------------------------------------ float16
#: float16 ops NumPy computes in float32 and rounds to float16 once (codegen_cpu/lowering.py
#: ``_HALF_VIA_FLOAT``); each is exact or correctly rounded in float32, so one more
#: rounding gives NumPy's bits
HALF_VIA_FLOAT = frozenset({
    Op.ADD, Op.SUBTRACT, Op.MULTIPLY, Op.DIVIDE, Op.SQUARE, Op.RECIPROCAL, Op.NEGATIVE,
    Op.ABSOLUTE, Op.FABS, Op.SQRT, Op.FLOOR, Op.CEIL, Op.TRUNC, Op.RINT, Op.SIGN,
    Op.COPYSIGN, Op.FLOOR_DIVIDE, Op.REMAINDER, Op.FMOD, Op.ISNAN, Op.ISINF, Op.ISFINITE,
    Op.SIGNBIT, Op.LOGICAL_AND, Op.LOGICAL_OR, Op.LOGICAL_XOR, Op.LOGICAL_NOT,
}) | frozenset(_CMP)


def _half_op(e: _E) -> str:
    if e.op in (Op.MAXIMUM, Op.MINIMUM, Op.FMAX, Op.FMIN):
        # NumPy's half loops: (a >= b || isnan(a)) ? a : b for maximum (<= for minimum);
        # fmax/fmin test isnan(b) instead; ties keep a
        sym = ">=" if e.op in (Op.MAXIMUM, Op.FMAX) else "<="
        nan = e.a if e.op in (Op.MAXIMUM, Op.MINIMUM) else e.b
        return f"((lzg_h2f({e.a}) {sym} lzg_h2f({e.b}) || lzg_hisnan({nan})) ? {e.a} : {e.b})"
    if e.op not in HALF_VIA_FLOAT:
        raise Unsupported(f"{e.op.value} on float16 on the GPU renderer")
    wide = [f"lzg_h2f({a})" if np.dtype(d) == _F16 else a for a, d in zip(e.args, e.dts)]
    dts = [_F32 if np.dtype(d) == _F16 else d for d in e.dts]
    wout = _F32 if e.out == _F16 else e.out
    return cast(render_op(e.op, wout, wide, dts), wout, e.out)


# ------------------------------------------------------------------------------ complex
def _fused(which: str) -> bool:
    fused = numpy_complex_loops()[which]
    if fused is None:
        raise Unsupported(f"complex {which} of this NumPy build")
    return fused


def _c_mul(e: _E) -> str:
    b = e.a if e.op is Op.SQUARE else e.b
    return f"lzg_cmul{'_fma' if _fused('mul') else ''}({e.a}, {b})"


def _c_abs(e: _E) -> str:
    return f"lzg_cabs{'_fma' if _fused('abs') else ''}({e.a})"


def _c_call(name: str) -> _Rule:
    def rule(e: _E) -> str:
        return f"lzg_{name}({', '.join(e.args)})"
    return rule


_C_NAMES = {
    Op.ADD: "cadd", Op.SUBTRACT: "csub", Op.DIVIDE: "cdiv", Op.RECIPROCAL: "crecip",
    Op.NEGATIVE: "cneg", Op.CONJUGATE: "cconj", Op.EQUAL: "ceq", Op.NOT_EQUAL: "cne",
    Op.LESS: "clt", Op.LESS_EQUAL: "cle", Op.GREATER: "cgt", Op.GREATER_EQUAL: "cge",
    Op.MAXIMUM: "cmaximum", Op.MINIMUM: "cminimum", Op.FMAX: "cfmax", Op.FMIN: "cfmin",
    Op.ISNAN: "cisnan", Op.ISINF: "cisinf", Op.ISFINITE: "cisfinite",
}
#: Op -> rule for complex operands (codegen_cpu/lowering.py ``_COMPLEX_RULES``)
COMPLEX_RULES: dict[Op, _Rule] = {
    **{op: _c_call(name) for op, name in _C_NAMES.items()},
    Op.MULTIPLY: _c_mul, Op.SQUARE: _c_mul, Op.ABSOLUTE: _c_abs,
    Op.LOGICAL_AND: _r_logical, Op.LOGICAL_OR: _r_logical, Op.LOGICAL_XOR: _r_logical,
    Op.LOGICAL_NOT: _r_logical,
}

_NO_CPU_RULE = "no rule in the CPU backend either (codegen_cpu/lowering.py NOT_COMPILED)"
#: elementwise ops the GPU renderer does not render, and why (a kernel using one raises
#: Unsupported); every elementwise Op is in RULES or here (tests/codegen_gpu checks it)
NOT_RENDERED_WHY: dict[Op, str] = {
    **{op: _NO_CPU_RULE for op in (
        Op.BITWISE_COUNT, Op.DEG2RAD, Op.DEGREES, Op.RAD2DEG, Op.RADIANS, Op.SPACING,
        Op.ISNAT, Op.LDEXP, Op.HEAVISIDE, Op.LOGADDEXP, Op.LOGADDEXP2, Op.GCD, Op.LCM)},
    **{op: "two outputs (a kernel writes one)" for op in (Op.FREXP, Op.MODF, Op.DIVMOD)},
}
NOT_RENDERED = frozenset(NOT_RENDERED_WHY)


def render_op(op: Op, out: Any, args: list, dts: list, ties: bool = False,
              raw: tuple = ()) -> str:
    """One element of ``op`` (result dtype ``out``) on operand expressions ``args`` of dtypes
    ``dts`` (``ties``: clip's tie rule, ``raw``: the plan's operands)."""
    out = np.dtype(out)
    e = _E(op, out, list(args), list(dts), ties, raw)
    if op in _ANY_DTYPE:
        return _ANY_DTYPE[op](e)
    dt = e.dt
    if op is Op.CONJUGATE and dt.kind != "c":
        return e.a
    if (len(dts) == 2 and np.dtype(dts[0]) != np.dtype(dts[1]) and op not in _CMP
            and op not in _LOGICAL):
        raise Unsupported(f"{op.value} with operands {dts[0]}, {dts[1]}")
    if dt.kind == "c":
        rule = COMPLEX_RULES.get(op)
        if rule is None:
            raise Unsupported(f"op {op.value} on {dt} on the GPU renderer")
        return rule(e)
    if any(d is not None and np.dtype(d) == _F16 for d in dts):
        return _half_op(e)
    return RULES.get(op, _no)(e)
