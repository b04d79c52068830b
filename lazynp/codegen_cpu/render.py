"""Kernel IR (``fusion/plan.py``) -> LLVM IR text for the CPU backend.

Every kernel renders to one module with up to three exported entry points, all with the same
C ABI::

    int32_t NAME_flat(void **ptrs, int64_t *shape, int64_t *strides, void *consts,
                      void *acc, int64_t start, int64_t stop);   /* elementwise, flat path */
    int32_t NAME_nd(...same...);                                 /* strided nest          */
    int32_t NAME_pw(...same...);                                 /* pairwise float sum    */

* ``ptrs``: one pointer per kernel input (already advanced to the element the iteration
  starts at), then the output pointer (elementwise kernels).  Bool is one byte (0/1).
* ``shape``: ``D`` extents, ``D = max(ndim, 1)`` (the runtime may permute axes; it passes
  the permuted shape and strides).
* ``strides``: ``(n_inputs + 1) * D`` strides **in elements**, operand-major: inputs, then the
  output (elementwise) or the accumulator (reductions; 0 along reduced axes).
* ``consts``: one 8-byte slot per non-None ``Const`` of the body, in body order, holding the
  constant's bytes (little-endian, so any scalar of at most 8 bytes loads from the slot).
  Constants are data, not code: the module depends only on ``Kernel.key``.
* ``acc``: reductions only: the accumulator (``Reduction.acc_dtype``) the nest combines
  into (``NAME_nd``), or the single slot a pairwise sum is stored to (``NAME_pw``).
* ``[start, stop)``: range of flat C-order indices of the (permuted) iteration space.
* Return value: floating-point exception flags raised by the block, in the reference
  executor's bits (1 divide by zero, 2 overflow, 4 underflow, 8 invalid): the hardware flags
  (``feclearexcept``/``fetestexcept`` around a non-inlined body) or'ed with flags the body
  raises in software (integer division by zero, ``MIN // -1``).  The runtime reruns a kernel
  that raised a flag on the reference executor, which reports it exactly as NumPy does.

``NAME_flat`` indexes inputs of layout ``contiguous`` by the flat index and loads every other
input once (the runtime only takes it when those are broadcast scalars and the output is
C-contiguous); for a full reduction it keeps the accumulator in a register and stores it to
``acc`` at the end.  ``NAME_nd`` decomposes ``start`` into an index, then runs the innermost
axis as a counted loop per row.  ``NAME_pw`` reproduces NumPy's ``pairwise_sum`` (blocks of
128, eight accumulators, split at ``n // 2 - (n // 2) % 8``) over ``[start, stop)`` of a flat
kernel, so that summing leaves with :func:`lazynp.fusion.reference.pairwise_tree` gives
NumPy's digits.

When the body calls a transcendental function that has a vector form (libmvec's, or our own
from ``vmath.py``), LLVM's loop vectorizer would scalarize the calls, so the loops run
explicit lanes (the body once per lane, instruction by instruction, each such call one vector
call; the SLP vectorizer packs the rest): the elementwise flat loop, each row of ``NAME_nd``
(strided loads and stores; a reduction combines the lanes into the accumulator one by one,
in order) and the eight accumulators of ``NAME_pw``'s leaves; a scalar loop does the elements
left over (in the flat loop, where only ``vmath`` functions are called, also those before the
first contiguous input's next 64-byte boundary: aligned vector loads).  Which implementation computes each function (``vmath``: ours, the same formulas
as vector code in the lanes and as scalar code elsewhere, so an element's value does not
depend on the entry point or its position; ``libmvec``; scalar libm) is chosen per function
and type by its accuracy against NumPy (``LIBM_IMPL``; measured bounds in ``ULP_BOUNDS``).

No fast-math flags and no ``contract`` are ever emitted: every operation rounds as NumPy's
scalar loop.  Transcendental functions call ``vmath``'s functions (which call ``llvm.fma``
explicitly: one rounding on every host), libmvec in the lanes above, or the C math library.
Anything not rendered raises :class:`Unsupported`, and the runtime leaves that kernel to the
reference executor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fusion.plan import Const, In, Kernel, Ref
from ..graph.ops import Op
from . import vmath

__all__ = ["Unsupported", "render", "supported_dtype"]


class Unsupported(Exception):
    """The kernel uses a dtype or op this renderer does not handle (run it on the reference)."""


_LL = {"b": "i1", "f4": "float", "f8": "double", "i1": "i8", "i2": "i16", "i4": "i32",
       "i8": "i64", "u1": "i8", "u2": "i16", "u4": "i32", "u8": "i64"}

# x86 fenv bits
FE_INVALID = 1
FE_DIVBYZERO = 4
FE_OVERFLOW = 8
FE_UNDERFLOW = 16
FE_MASK = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW


def _code(dt: np.dtype) -> str:
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "b"
    return f"{dt.kind}{dt.itemsize}"


def supported_dtype(dt: np.dtype) -> bool:
    dt = np.dtype(dt)
    return dt.isnative and _code(dt) in _LL


def _ty(dt: np.dtype) -> str:
    dt = np.dtype(dt)
    if not supported_dtype(dt):
        raise Unsupported(f"dtype {dt}")
    return _LL[_code(dt)]


def _mem_ty(dt: np.dtype) -> str:
    """In-memory type (bool is a byte)."""
    t = _ty(dt)
    return "i8" if t == "i1" else t


def _is_float(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "f"


def _signed(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "i"


def _bits(dt: np.dtype) -> int:
    return np.dtype(dt).itemsize * 8


def _fconst(x: float, ty: str) -> str:
    if ty == "float":
        x = float(np.float32(x))
    return "0x%016X" % np.array(x, dtype=np.float64).view(np.uint64)


_FCMP = {Op.LESS: "olt", Op.LESS_EQUAL: "ole", Op.GREATER: "ogt", Op.GREATER_EQUAL: "oge",
         Op.EQUAL: "oeq", Op.NOT_EQUAL: "une"}
_ICMP = {Op.LESS: "lt", Op.LESS_EQUAL: "le", Op.GREATER: "gt", Op.GREATER_EQUAL: "ge"}
_LIBM1 = {Op.EXP: "exp", Op.LOG: "log", Op.LOG2: "log2", Op.LOG10: "log10", Op.EXP2: "exp2",
          Op.EXPM1: "expm1", Op.LOG1P: "log1p", Op.SIN: "sin", Op.COS: "cos", Op.TAN: "tan",
          Op.SINH: "sinh", Op.COSH: "cosh", Op.TANH: "tanh", Op.ARCSIN: "asin",
          Op.ARCCOS: "acos", Op.ARCTAN: "atan", Op.ARCSINH: "asinh", Op.ARCCOSH: "acosh",
          Op.ARCTANH: "atanh", Op.CBRT: "cbrt"}
_LIBM2 = {Op.ARCTAN2: "atan2", Op.HYPOT: "hypot", Op.POWER: "pow", Op.FLOAT_POWER: "pow"}
# functions glibc's libmvec provides (AVX-512/AVX2/SSE variants, double and float)
LIBMVEC = frozenset({"acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "cos", "cosh",
                     "exp", "exp2", "expm1", "log", "log10", "log1p", "log2", "sin", "sinh",
                     "tan", "tanh", "pow", "atan2", "hypot"})
# Where each libm function is computed, by (C name, LLVM type), chosen by measured ULP
# distance from NumPy's own results on glibc 2.36 (docs/numerics.md,
# tests/codegen_cpu/test_ulp.py):
#   "vmath": our own implementation (vmath.py): vector code in the explicit lanes of a
#     loop, the same formulas as scalar code elsewhere (libmvec's float64 exp/sin/cos/tan are
#     3 ULP from NumPy and libmvec's float32 log 5; glibc's scalar ones do not vectorize);
#   "libmvec": libmvec everywhere, a scalar argument splat over a vector (glibc's scalar
#     float64 cbrt is 3 ULP from NumPy, libmvec's 2; NumPy's and libmvec's float64
#     arccos(1) is -0.0, libm's +0.0).
# Not listed: libmvec in the explicit lanes of a loop, scalar libm for the elements left over.
# Without libmvec (another libc) "libmvec" and the lanes of an unlisted function mean scalar
# libm.
LIBM_IMPL: dict[tuple[str, str], str] = {
    ("exp", "double"): "vmath", ("sin", "double"): "vmath", ("cos", "double"): "vmath",
    ("tan", "double"): "vmath", ("log", "float"): "vmath",
    ("cbrt", "double"): "libmvec", ("acos", "double"): "libmvec",
}
assert all((name, ty) in vmath.IMPLEMENTED for (name, ty), impl in LIBM_IMPL.items()
           if impl == "vmath")
#: max ULP distance from NumPy's result, (float64, float32), of every transcendental the
#: backend renders, by NumPy ufunc name (float_power computes float32 in float64); the table
#: in docs/numerics.md is the same and tests/codegen_cpu/test_ulp.py checks values and docs
ULP_BOUNDS: dict[str, tuple[int, int]] = {
    "arccos": (1, 2), "arccosh": (2, 2), "arcsin": (2, 3), "arcsinh": (1, 2),
    "arctan": (2, 2), "arctan2": (2, 3), "arctanh": (1, 2), "cbrt": (2, 4),
    "cos": (1, 2), "cosh": (2, 2), "exp": (1, 4), "exp2": (1, 2), "expm1": (1, 2),
    "float_power": (1, 1), "hypot": (1, 1), "log": (1, 4), "log10": (2, 3),
    "log1p": (2, 2), "log2": (2, 3), "power": (1, 1), "sin": (1, 1), "sinh": (2, 2),
    "tan": (1, 3), "tanh": (2, 3),
}
_INTRIN1 = {Op.SQRT: "sqrt", Op.FLOOR: "floor", Op.CEIL: "ceil", Op.TRUNC: "trunc",
            Op.RINT: "rint", Op.FABS: "fabs"}


class _Fn:
    """Line buffer of one function with fresh SSA names."""

    def __init__(self, mod: _Module) -> None:
        self.lines: list[str] = []
        self.n = 0
        self.mod = mod

    def tmp(self) -> str:
        self.n += 1
        return f"%t{self.n}"

    def emit(self, text: str) -> str:
        r = self.tmp()
        self.lines.append(f"  {r} = {text}")
        return r

    def raw(self, text: str) -> None:
        self.lines.append(text)


class _Module:
    def __init__(self, vector_abi: tuple | None = None, libmvec: bool = False) -> None:
        self.decls: set[str] = set()
        self.defs: dict[str, str] = {}
        self.vector_abi = vector_abi
        self.libmvec = libmvec and vector_abi is not None

    def declare(self, text: str) -> None:
        self.decls.add(text)

    def define(self, d: vmath.Definition) -> str:
        """Add a vmath function (once) and return its symbol."""
        if d.name not in self.defs:
            self.defs[d.name] = d.text
            self.decls |= d.decls
        return d.name


# ---------------------------------------------------------------- scalar op rendering
def _intrin(f: _Fn, name: str, ty: str, *args: str) -> str:
    suffix = "f32" if ty == "float" else "f64"
    params = ", ".join(ty for _ in args)
    f.mod.declare(f"declare {ty} @llvm.{name}.{suffix}({params})")
    call_args = ", ".join(f"{ty} {a}" for a in args)
    return f.emit(f"call {ty} @llvm.{name}.{suffix}({call_args})")


def _libm(f: _Fn, name: str, ty: str, *args: str) -> str:
    cname = name + ("f" if ty == "float" else "")
    params = ", ".join(ty for _ in args)
    f.mod.declare(f"declare {ty} @{cname}({params})")
    call_args = ", ".join(f"{ty} {a}" for a in args)
    return f.emit(f"call {ty} @{cname}({call_args})")


_WIDTHS = {"b": 2, "d": 4, "e": 8}  # doubles per vector of each x86 vector-ABI ISA


def _vector_apply(f: _Fn, fn: str, ty: str, lanes: list[list[str]]) -> list[str]:
    """Call the vector function ``fn`` on ``len(lanes)`` lanes (``lanes[l]``: the arguments of
    lane l): pack each argument into a vector, call, unpack the result."""
    w = len(lanes)
    vt = f"<{w} x {ty}>"
    vecs = []
    for a in range(len(lanes[0])):
        v = "poison"
        for lane in range(w):
            v = f.emit(f"insertelement {vt} {v}, {ty} {lanes[lane][a]}, i32 {lane}")
        vecs.append(v)
    r = f.emit(f"call {vt} {fn}({', '.join(f'{vt} {v}' for v in vecs)})")
    return [f.emit(f"extractelement {vt} {r}, i32 {lane}") for lane in range(w)]


def _vec_call(f: _Fn, name: str, ty: str, lanes: list[list[str]]) -> list[str] | None:
    """One libmvec call for ``len(lanes)`` lanes, or None where the host has no variant of
    that width."""
    w = len(lanes)
    isas = "bde"[: "bde".index(f.mod.vector_abi[0]) + 1]
    per = 1 if ty == "double" else 2
    isa = next((c for c in isas if _WIDTHS[c] * per == w), None)
    if isa is None:
        return None
    cname = name + ("f" if ty == "float" else "")
    nargs = len(lanes[0])
    vt = f"<{w} x {ty}>"
    vname = f"_ZGV{isa}N{w}{'v' * nargs}_{cname}"
    f.mod.declare(f"declare {vt} @{vname}({', '.join(vt for _ in range(nargs))})")
    return _vector_apply(f, f"@{vname}", ty, lanes)


def _vmath_call(f: _Fn, name: str, ty: str, lanes: list[list[str]]) -> list[str]:
    """Our own implementation (vmath.py) for ``len(lanes)`` lanes (1: the scalar form)."""
    avx512 = f.mod.vector_abi is not None and f.mod.vector_abi[0] == "e"
    fn = f.mod.define(vmath.definition(name, ty, len(lanes), avx512))
    if len(lanes) == 1:
        return [f.emit(f"call {ty} {fn}({ty} {lanes[0][0]})")]
    return _vector_apply(f, fn, ty, lanes)


def _libm_call(f: _Fn, name: str, ty: str, *args: str) -> str:
    """One element of a libm function, from the implementation its table entry names."""
    impl = LIBM_IMPL.get((name, ty))
    if impl == "vmath":
        return _vmath_call(f, name, ty, [list(args)])[0]
    if impl == "libmvec" and f.mod.libmvec:
        w = f.mod.vector_abi[1 if ty == "double" else 2]
        out = _vec_call(f, name, ty, [list(args)] * w)
        if out is not None:
            return out[0]
    return _libm(f, name, ty, *args)


def _lanes_vectorized(mod: _Module, name: str | None, ty: str) -> bool:
    """Whether the explicit lanes of a loop call a vector function for ``name``."""
    if LIBM_IMPL.get((name, ty)) == "vmath":
        return True
    return mod.libmvec and name in LIBMVEC


def _truth(f: _Fn, v: str, dt: np.dtype) -> str:
    ty = _ty(dt)
    if ty == "i1":
        return v
    if _is_float(dt):
        return f.emit(f"fcmp une {ty} {v}, 0.0")
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
    # fmin: (a <= b || isnan(b)) ? a : b
    c = f.emit(f"fcmp {'ule' if op is Op.FMIN else 'uge'} {ty} {a}, {b}")
    na = _isnan(f, a, ty)
    nb = _isnan(f, b, ty)
    # ule is true when either is NaN: then pick the non-NaN one (a when b is NaN)
    c2 = f.emit(f"xor i1 {na}, true")
    c2 = f.emit(f"or i1 {c2}, {nb}")
    c = f.emit(f"and i1 {c}, {c2}")
    return _sel(f, c, ty, a, b)


def _cast(f: _Fn, v: str, src: np.dtype, dst: np.dtype) -> str:
    src = np.dtype(src)
    dst = np.dtype(dst)
    st = _ty(src)
    dty = _ty(dst)
    if src == dst:
        return v
    if dst.kind == "b":
        return _truth(f, v, src)
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
    f.raw(f"  store i32 {new}, ptr %sf")


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
    gt = f.emit(f"fcmp ogt {ty} {diff}, {_fconst(0.5, ty)}")
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


def _render_op(f: _Fn, ins: Any, args: list[str], argdts: list[np.dtype]) -> str:
    op = ins.op
    out = np.dtype(ins.dtype)
    if op is Op.CAST:
        return _cast(f, args[0], argdts[0], out)
    if op in (Op.COPY, Op.POSITIVE, Op.CONJUGATE):
        return args[0]
    if op is Op.WHERE:
        return _sel(f, args[0], _ty(out), args[1], args[2])
    dt = np.dtype(argdts[0])
    ty = _ty(dt)
    flt = _is_float(dt)
    if (len(argdts) == 2 and argdts[0] != argdts[1] and op not in _FCMP
            and op not in (Op.LOGICAL_AND, Op.LOGICAL_OR, Op.LOGICAL_XOR)):
        raise Unsupported(f"{op.value} with operands {argdts[0]}, {argdts[1]}")
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if op in (Op.ADD, Op.SUBTRACT, Op.MULTIPLY):
        if ty == "i1":
            if op is Op.SUBTRACT:
                raise Unsupported("bool subtract")
            return f.emit(f"{'or' if op is Op.ADD else 'and'} i1 {a}, {b}")
        name = {Op.ADD: "add", Op.SUBTRACT: "sub", Op.MULTIPLY: "mul"}[op]
        return f.emit(f"{'f' + name if flt else name} {ty} {a}, {b}")
    if op is Op.DIVIDE and flt:
        return f.emit(f"fdiv {ty} {a}, {b}")
    if op is Op.SQUARE and ty != "i1":
        return f.emit(f"{'fmul' if flt else 'mul'} {ty} {a}, {a}")
    if op is Op.NEGATIVE and ty != "i1":
        return f.emit(f"fneg {ty} {a}") if flt else f.emit(f"sub {ty} 0, {a}")
    if op is Op.ABSOLUTE:
        if flt:
            return _intrin(f, "fabs", ty, a)
        if not _signed(dt):
            return a
        neg = f.emit(f"icmp slt {ty} {a}, 0")
        na = f.emit(f"sub {ty} 0, {a}")
        return _sel(f, neg, ty, na, a)
    if op in _INTRIN1:
        if flt:
            return _intrin(f, _INTRIN1[op], ty, a)
        if op in (Op.FLOOR, Op.CEIL, Op.TRUNC) and out == dt:
            return a
        raise Unsupported(f"{op.value} on {dt}")
    if op in _FCMP and len(argdts) == 2 and argdts[0] != argdts[1]:
        # exact mixed signed/unsigned comparison (NumPy's qQ->? loops): one bit wider
        wide = f"i{max(_bits(argdts[0]), _bits(argdts[1])) + 1}"
        xa = f.emit(f"{'sext' if _signed(argdts[0]) else 'zext'} {ty} {a} to {wide}")
        tb = _ty(argdts[1])
        xb = f.emit(f"{'sext' if _signed(argdts[1]) else 'zext'} {tb} {b} to {wide}")
        if argdts[0].kind not in "iu" or argdts[1].kind not in "iu":
            raise Unsupported("mixed comparison")
        pred = {Op.EQUAL: "eq", Op.NOT_EQUAL: "ne"}.get(op) or "s" + _ICMP[op]
        return f.emit(f"icmp {pred} {wide} {xa}, {xb}")
    if op in _FCMP:
        if flt:
            return f.emit(f"fcmp {_FCMP[op]} {ty} {a}, {b}")
        if op is Op.EQUAL:
            return f.emit(f"icmp eq {ty} {a}, {b}")
        if op is Op.NOT_EQUAL:
            return f.emit(f"icmp ne {ty} {a}, {b}")
        pre = "s" if _signed(dt) else "u"
        return f.emit(f"icmp {pre}{_ICMP[op]} {ty} {a}, {b}")
    if op in (Op.MINIMUM, Op.MAXIMUM, Op.FMIN, Op.FMAX):
        return _minmax(f, op, ty, dt, a, b)
    if op in (Op.LOGICAL_AND, Op.LOGICAL_OR, Op.LOGICAL_XOR):
        ta = _truth(f, a, dt)
        tb = _truth(f, b, np.dtype(argdts[1]))
        name = {Op.LOGICAL_AND: "and", Op.LOGICAL_OR: "or", Op.LOGICAL_XOR: "xor"}[op]
        return f.emit(f"{name} i1 {ta}, {tb}")
    if op is Op.LOGICAL_NOT:
        t = _truth(f, a, dt)
        return f.emit(f"xor i1 {t}, true")
    if op in (Op.BITWISE_AND, Op.BITWISE_OR, Op.BITWISE_XOR) and not flt:
        name = {Op.BITWISE_AND: "and", Op.BITWISE_OR: "or", Op.BITWISE_XOR: "xor"}[op]
        return f.emit(f"{name} {ty} {a}, {b}")
    if op is Op.INVERT and not flt:
        return f.emit(f"xor {ty} {a}, {'true' if ty == 'i1' else '-1'}")
    if op in (Op.LEFT_SHIFT, Op.RIGHT_SHIFT) and not flt and ty != "i1":
        return _shift(f, op, a, b, dt)
    if op in (Op.FLOOR_DIVIDE, Op.REMAINDER) and ty != "i1":
        want = "div" if op is Op.FLOOR_DIVIDE else "rem"
        if flt:
            return _float_divmod(f, a, b, ty, want)
        return _int_divmod(f, a, b, dt, want)
    if op is Op.FMOD and flt:
        return f.emit(f"frem {ty} {a}, {b}")
    if op is Op.COPYSIGN and flt:
        return _intrin(f, "copysign", ty, a, b)
    if op is Op.RECIPROCAL and flt:
        return f.emit(f"fdiv {ty} 1.0, {a}")
    if op in _LIBM1 and flt:
        return _libm_call(f, _LIBM1[op], ty, a)
    if op in _LIBM2 and flt:
        return _libm_call(f, _LIBM2[op], ty, a, b)
    if op is Op.ISNAN and flt:
        return _isnan(f, a, ty)
    if op in (Op.ISINF, Op.ISFINITE) and flt:
        m = _intrin(f, "fabs", ty, a)
        pred = "oeq" if op is Op.ISINF else "olt"
        return f.emit(f"fcmp {pred} {ty} {m}, {_fconst(np.inf, ty)}")
    if op is Op.SIGNBIT and flt:
        ity = "i32" if ty == "float" else "i64"
        i = f.emit(f"bitcast {ty} {a} to {ity}")
        return f.emit(f"icmp slt {ity} {i}, 0")
    if op is Op.SIGN and ty != "i1":
        if flt:
            pos = f.emit(f"fcmp ogt {ty} {a}, 0.0")
            neg = f.emit(f"fcmp olt {ty} {a}, 0.0")
            zero = f.emit(f"fcmp oeq {ty} {a}, 0.0")
            r = _sel(f, zero, ty, "0.0", a)
            r = _sel(f, neg, ty, "-1.0", r)
            return _sel(f, pos, ty, "1.0", r)
        gt = f.emit(f"icmp {'sgt' if _signed(dt) else 'ugt'} {ty} {a}, 0")
        lt = f.emit(f"icmp slt {ty} {a}, 0") if _signed(dt) else "false"
        g = f.emit(f"zext i1 {gt} to {ty}")
        lz = f.emit(f"zext i1 {lt} to {ty}")
        return f.emit(f"sub {ty} {g}, {lz}")
    raise Unsupported(f"op {op.value} on {dt}")


# ---------------------------------------------------------------- kernel bodies
class _Body:
    """Renders the kernel body for one element; ``load(i)`` gives input i's value."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.consts: list[Const] = []
        self.const_slot: dict[int, int] = {}
        self.argdts: list[list[np.dtype]] = []
        for ins in k.body:
            self.argdts.append(self._arg_dtypes(ins))
            for a in ins.args:
                if type(a) is Const and a.value is not None:
                    self.const_slot[id(a)] = len(self.consts)
                    self.consts.append(a)
                elif type(a) is Const:
                    raise Unsupported("None constant")
            if ins.op in (Op.CLIP,) or ins.index:
                raise Unsupported(ins.op.value)
            _ty(ins.dtype)
        if type(k.result) is Const:
            raise Unsupported("constant result")
        for inp in k.inputs:
            _ty(inp.dtype)

    def _arg_dtypes(self, ins: Any) -> list[np.dtype]:
        out = []
        for a in ins.args:
            if type(a) is In:
                out.append(np.dtype(self.k.inputs[a.index].dtype))
            elif type(a) is Ref:
                out.append(np.dtype(self.k.body[a.index].dtype))
            else:
                out.append(np.dtype(a.dtype))
        return out

    def const_values(self, f: _Fn) -> list[str]:
        vals = []
        for slot, c in enumerate(self.consts):
            dt = np.dtype(c.dtype)
            p = f.emit(f"getelementptr i8, ptr %consts, i64 {8 * slot}")
            v = f.emit(f"load {_mem_ty(dt)}, ptr {p}")
            if dt.kind == "b":
                v = f.emit(f"icmp ne i8 {v}, 0")
            vals.append(v)
        return vals

    def vector_calls(self, mod: _Module) -> set[str]:
        """Implementations (``"vmath"``, ``"libmvec"``) of the body's calls that have a vector
        form (none: explicit lanes are not worth it)."""
        impls = set()
        for ins, dts in zip(self.k.body, self.argdts):
            name = _LIBM1.get(ins.op) or _LIBM2.get(ins.op)
            if _is_float(dts[0]) and _lanes_vectorized(mod, name, _ty(dts[0])):
                vm = LIBM_IMPL.get((name, _ty(dts[0]))) == "vmath"
                impls.add("vmath" if vm else "libmvec")
        return impls

    def render_lanes(self, f: _Fn, load: Any, consts: list[str], w: int
                     ) -> tuple[list[str], np.dtype]:
        """The body for ``w`` consecutive elements, instruction by instruction across lanes
        (``load(i, lane)``); libm calls that libmvec has become one vector call."""
        regs: list[list[str]] = []
        cache: dict[tuple, str] = {}

        def operand(a: Any, lane: int) -> str:
            if type(a) is In:
                key = (a.index, lane)
                if key not in cache:
                    cache[key] = load(a.index, lane)
                return cache[key]
            if type(a) is Ref:
                return regs[a.index][lane]
            return consts[self.const_slot[id(a)]]

        for ins, dts in zip(self.k.body, self.argdts):
            lanes = [[operand(a, lane) for a in ins.args] for lane in range(w)]
            name = _LIBM1.get(ins.op) or _LIBM2.get(ins.op)
            out = None
            ty = _ty(dts[0]) if _is_float(dts[0]) else None
            if ty and len(set(dts)) == 1 and _lanes_vectorized(f.mod, name, ty):
                if LIBM_IMPL.get((name, ty)) == "vmath":
                    out = _vmath_call(f, name, ty, lanes)
                else:
                    out = _vec_call(f, name, ty, lanes)
            if out is None:
                out = [_render_op(f, ins, lanes[lane], dts) for lane in range(w)]
            regs.append(out)
        res = self.k.result
        if type(res) is In:
            return ([operand(res, lane) for lane in range(w)],
                    np.dtype(self.k.inputs[res.index].dtype))
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)

    def render(self, f: _Fn, load: Any, consts: list[str]) -> tuple[str, np.dtype]:
        regs: list[str] = []
        cache: dict[int, str] = {}

        def operand(a: Any) -> str:
            if type(a) is In:
                if a.index not in cache:
                    cache[a.index] = load(a.index)
                return cache[a.index]
            if type(a) is Ref:
                return regs[a.index]
            return consts[self.const_slot[id(a)]]

        for ins, dts in zip(self.k.body, self.argdts):
            regs.append(_render_op(f, ins, [operand(a) for a in ins.args], dts))
        res = self.k.result
        if type(res) is In:
            return operand(res), np.dtype(self.k.inputs[res.index].dtype)
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)


def load_value(f: _Fn, ptr: str, off: str, dt: np.dtype) -> str:
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    v = f.emit(f"load {mt}, ptr {p}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"icmp ne i8 {v}, 0")
    return v


def store_lanes(f: _Fn, ptr: str, off: str, dt: np.dtype, vals: list[str]) -> None:
    """Store consecutive elements ``vals`` from ``ptr[off]`` on as one vector store (the SLP
    vectorizer may cut separate stores into narrower vectors)."""
    mt = _mem_ty(dt)
    vt = f"<{len(vals)} x {mt}>"
    vec = "poison"
    for lane, v in enumerate(vals):
        if np.dtype(dt).kind == "b":
            v = f.emit(f"zext i1 {v} to i8")
        vec = f.emit(f"insertelement {vt} {vec}, {mt} {v}, i32 {lane}")
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    f.raw(f"  store {vt} {vec}, ptr {p}, align {np.dtype(dt).itemsize}")


def store_value(f: _Fn, ptr: str, off: str, dt: np.dtype, v: str) -> None:
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"zext i1 {v} to i8")
    f.raw(f"  store {mt} {v}, ptr {p}")


_ARGS = "ptr %ptrs, ptr %shape, ptr %strides, ptr %consts, ptr %acc, i64 %start, i64 %stop"


def _lanes_width(mod: _Module, body: _Body) -> int:
    """Lanes of the explicit-lanes loop for ``body``, 0 for none: a body that calls a
    transcendental function with a vector form runs explicit lanes (LLVM's loop vectorizer
    would scalarize the calls), one vector register of doubles wide."""
    if mod.vector_abi is None or not body.vector_calls(mod):
        return 0
    return _WIDTHS[mod.vector_abi[0]]


def _lanes_loop(body: _Body, f: _Fn, consts: list[str], lo: str, hi: str, pred: str,
                load: Any, store: Any, dt: np.dtype) -> str:
    """Explicit lanes over ``[lo, hi - (hi - lo) % w)`` in steps of ``w``: the body once per
    lane, instruction by instruction (each transcendental call one vector call; the SLP
    vectorizer packs the rest).  ``load(i, index)`` gives input i at an index of the loop,
    ``store(values, indices)`` stores the lanes' results (cast to ``dt``), lane by lane in
    order where it combines them into an accumulator.  Entered from block ``pred``; ends in
    block ``vdone`` and returns the first index left to the scalar loop."""
    w = _lanes_width(f.mod, body)
    f.raw(f"  %vn = sub i64 {hi}, {lo}")
    f.raw(f"  %vr = srem i64 %vn, {w}")
    f.raw(f"  %vend = sub i64 {hi}, %vr")
    f.raw(f"  %vany = icmp slt i64 {lo}, %vend")
    f.raw("  br i1 %vany, label %vloop, label %vdone")
    f.raw("vloop:")
    f.raw(f"  %vi = phi i64 [ {lo}, {pred} ], [ %vi1, %vloop ]")
    at = ["%vi"] + [f.emit(f"add i64 %vi, {lane}") for lane in range(1, w)]
    vals, vdt = body.render_lanes(f, lambda i, lane: load(i, at[lane]), consts, w)
    store([_cast(f, v, vdt, dt) for v in vals], at)
    f.raw(f"  %vi1 = add i64 %vi, {w}")
    f.raw("  %vmore = icmp slt i64 %vi1, %vend")
    f.raw("  br i1 %vmore, label %vloop, label %vdone")
    f.raw("vdone:")
    return "%vend"


def _combine(f: _Fn, red: Any, acc: str, v: str) -> str:
    dt = np.dtype(red.acc_dtype)
    ty = _ty(dt)
    op = red.op
    if op in (Op.SUM, Op.MEAN):
        if ty == "i1":
            return f.emit(f"or i1 {acc}, {v}")
        return f.emit(f"{'fadd' if _is_float(dt) else 'add'} {ty} {acc}, {v}")
    if op is Op.PROD:
        if ty == "i1":
            return f.emit(f"and i1 {acc}, {v}")
        return f.emit(f"{'fmul' if _is_float(dt) else 'mul'} {ty} {acc}, {v}")
    if op is Op.MIN:
        return _minmax(f, Op.MINIMUM, ty, dt, acc, v)
    if op is Op.MAX:
        return _minmax(f, Op.MAXIMUM, ty, dt, acc, v)
    if op is Op.ANY:
        return f.emit(f"or i1 {acc}, {v}")
    if op is Op.ALL:
        return f.emit(f"and i1 {acc}, {v}")
    raise Unsupported(f"reduction {op.value}")


def identity(red: Any) -> Any:
    """Initial accumulator value of a block (a NumPy scalar of ``acc_dtype``)."""
    dt = np.dtype(red.acc_dtype)
    op = red.op
    if op in (Op.SUM, Op.MEAN, Op.ANY):
        return np.zeros((), dt)[()]
    if op in (Op.PROD, Op.ALL):
        return np.ones((), dt)[()]
    big = op is Op.MIN
    if dt.kind == "f":
        return dt.type(np.inf if big else -np.inf)
    if dt.kind == "b":
        return np.bool_(big)
    info = np.iinfo(dt)
    return dt.type(info.max if big else info.min)


class Rendered:
    def __init__(self, ir: str, entries: tuple[str, ...], consts: list[Const]) -> None:
        self.ir = ir
        self.entries = entries
        self.consts = consts


def _wrapper(name: str, impl: str) -> str:
    return "\n".join([
        f"define i32 @{name}({_ARGS}) {{",
        "entry:",
        f"  %c = call i32 @feclearexcept(i32 {FE_MASK})",
        f"  %s = call i32 @{impl}(ptr %ptrs, ptr %shape, ptr %strides, ptr %consts, "
        "ptr %acc, i64 %start, i64 %stop)",
        f"  %h = call i32 @fetestexcept(i32 {FE_MASK})",
        "  %r = or i32 %h, %s",
        "  ret i32 %r",
        "}",
    ])


_IMPL_ARGS = _ARGS.replace("ptr %acc", "ptr noalias %acc")  # acc: a fresh buffer


def _impl_head(f: _Fn, name: str) -> None:
    f.raw(f"define internal i32 @{name}({_IMPL_ARGS}) noinline {{")
    f.raw("entry:")
    f.raw("  %sf = alloca i32")
    f.raw("  store i32 0, ptr %sf")


def _render_flat(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    f = _Fn(mod)
    _impl_head(f, name)
    nin = len(k.inputs)
    ptrs = []
    for i in range(nin + 1):
        p = f.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(f.emit(f"load ptr, ptr {p}"))
    consts = body.const_values(f)
    scalars: dict[int, str] = {}
    for i, inp in enumerate(k.inputs):
        if inp.layout != "contiguous":
            scalars[i] = load_value(f, ptrs[i], "0", inp.dtype)
    first = "%start"
    entry = "%entry"
    red = k.reduction
    if red is not None:
        adt = np.dtype(red.acc_dtype)
        aty = _ty(adt)
        init = load_value(f, "%acc", "0", adt)
    peel = False
    if red is None and _lanes_width(mod, body):

        def vload(i: int, at: str) -> str:
            if i in scalars:
                return scalars[i]
            return load_value(f, ptrs[i], at, k.inputs[i].dtype)

        def vstore(vals: list[str], at: list[str]) -> None:
            store_lanes(f, ptrs[nin], at[0], k.outputs[0].dtype, vals)

        # Where the lanes compute the scalar loop's bits (vmath only), the scalar loop first
        # takes the elements before the first contiguous input's next 64-byte boundary, so
        # that the lanes' loads do not straddle cache lines (a few % on streaming kernels)
        lead = next((i for i, inp in enumerate(k.inputs) if inp.layout == "contiguous"), None)
        peel = lead is not None and body.vector_calls(mod) == {"vmath"}
        lo, pred = "%start", "%entry"
        if peel:
            size = np.dtype(k.inputs[lead].dtype).itemsize
            pa = f.emit(f"ptrtoint ptr {ptrs[lead]} to i64")
            at = f.emit(f"add i64 {pa}, {f.emit(f'mul i64 %start, {size}')}")
            gap = f.emit(f"and i64 {f.emit(f'sub i64 0, {at}')}, 63")
            a0 = f.emit(f"add i64 %start, {f.emit(f'udiv i64 {gap}, {size}')}")
            f.raw(f"  %a0 = select i1 {f.emit(f'icmp slt i64 {a0}, %stop')}, i64 {a0}, i64 %stop")
            f.raw("  %pre = icmp slt i64 %start, %a0")
            f.raw("  br i1 %pre, label %loop, label %lanes")
            f.raw("lanes:")
            lo, pred = "%a0", "%lanes"
        first = _lanes_loop(body, f, consts, lo, "%stop", pred, vload, vstore,
                            k.outputs[0].dtype)
        entry = "%vdone"
    f.raw(f"  %empty = icmp sge i64 {first}, %stop")
    f.raw("  br i1 %empty, label %done, label %loop")
    f.raw("loop:")
    if peel:
        # two runs: [start, a0) before the lanes, then [vend, stop)
        f.raw("  %i = phi i64 [ %start, %entry ], [ %vend, %vdone ], [ %i1, %loop ]")
        f.raw("  %lim = phi i64 [ %a0, %entry ], [ %stop, %vdone ], [ %lim, %loop ]")
    else:
        f.raw(f"  %i = phi i64 [ {first}, {entry} ], [ %i1, %loop ]")

    def load(i: int) -> str:
        if i in scalars:
            return scalars[i]
        return load_value(f, ptrs[i], "%i", k.inputs[i].dtype)

    if red is not None:
        # a full reduction of a flat block: one accumulator in a register, stored at the end
        f.raw(f"  %a = phi {aty} [ {init}, {entry} ], [ %a1, %loop ]")
    v, dt = body.render(f, load, consts)
    if red is None:
        out_dt = k.outputs[0].dtype
        v = _cast(f, v, dt, out_dt)
        store_value(f, ptrs[nin], "%i", out_dt, v)
    else:
        v = _cast(f, v, dt, adt)
        new = _combine(f, red, "%a", v)
        f.raw(f"  %a1 = select i1 true, {aty} {new}, {aty} {new}")  # (a fixed name)
    f.raw("  %i1 = add i64 %i, 1")
    if peel:
        f.raw("  %more = icmp slt i64 %i1, %lim")
        f.raw("  br i1 %more, label %loop, label %next")
        f.raw("next:")
        f.raw("  %before = icmp eq i64 %lim, %a0")
        f.raw("  br i1 %before, label %lanes, label %done")
    else:
        f.raw("  %more = icmp slt i64 %i1, %stop")
        f.raw("  br i1 %more, label %loop, label %done")
    f.raw("done:")
    if red is not None:
        f.raw(f"  %af = phi {aty} [ {init}, {entry} ], [ %a1, %loop ]")
        store_value(f, "%acc", "0", adt, "%af")
    f.raw("  %sfv = load i32, ptr %sf")
    f.raw("  ret i32 %sfv")
    f.raw("}")
    return "\n".join(f.lines)


def _render_nd(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    """Strided nest; elementwise (store to the output) or reduction (combine into acc)."""
    f = _Fn(mod)
    _impl_head(f, name)
    D = max(len(k.shape), 1)
    nin = len(k.inputs)
    red = k.reduction
    nops = nin + 1
    ptrs = []
    for i in range(nops):
        if i == nin and red is not None:
            ptrs.append("%acc")
            continue
        p = f.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(f.emit(f"load ptr, ptr {p}"))
    shape = []
    for d in range(D):
        p = f.emit(f"getelementptr i64, ptr %shape, i64 {d}")
        shape.append(f.emit(f"load i64, ptr {p}"))
    strides = [[None] * D for _ in range(nops)]
    for o in range(nops):
        for d in range(D):
            p = f.emit(f"getelementptr i64, ptr %strides, i64 {o * D + d}")
            strides[o][d] = f.emit(f"load i64, ptr {p}")
    consts = body.const_values(f)
    f.raw("  br label %outer")
    f.raw("outer:")
    f.raw("  %cur = phi i64 [ %start, %entry ], [ %next, %rowend ]")
    f.raw("  %go = icmp slt i64 %cur, %stop")
    f.raw("  br i1 %go, label %row, label %done")
    f.raw("row:")
    idx = [None] * D
    rem = "%cur"
    for d in range(D - 1, 0, -1):
        idx[d] = f.emit(f"urem i64 {rem}, {shape[d]}")
        rem = f.emit(f"udiv i64 {rem}, {shape[d]}")
    idx[0] = rem
    left = f.emit(f"sub i64 {shape[D - 1]}, {idx[D - 1]}")
    todo = f.emit("sub i64 %stop, %cur")
    lt = f.emit(f"icmp slt i64 {left}, {todo}")
    n = _sel(f, lt, "i64", left, todo)
    bases = []
    for o in range(nops):
        acc = "0"
        for d in range(D):
            t = f.emit(f"mul i64 {idx[d]}, {strides[o][d]}")
            acc = f.emit(f"add i64 {acc}, {t}")
        bases.append(acc)
    first, entry = "0", "%row"
    out_dt = k.outputs[0].dtype if red is None else np.dtype(red.acc_dtype)
    if _lanes_width(mod, body):
        # explicit lanes along the row (strided loads and stores), as in the flat loop

        def at(o: int, j: str) -> str:
            t = f.emit(f"mul i64 {j}, {strides[o][D - 1]}")
            return f.emit(f"add i64 {bases[o]}, {t}")

        def vload(i: int, j: str) -> str:
            return load_value(f, ptrs[i], at(i, j), k.inputs[i].dtype)

        def vstore(vals: list[str], js: list[str]) -> None:
            for v, j in zip(vals, js):
                if red is not None:
                    v = _combine(f, red, load_value(f, "%acc", at(nin, j), out_dt), v)
                store_value(f, ptrs[nin], at(nin, j), out_dt, v)

        first = _lanes_loop(body, f, consts, "0", n, "%row", vload, vstore, out_dt)
        entry = "%vdone"
        f.raw(f"  %rest = icmp slt i64 {first}, {n}")
        f.raw("  br i1 %rest, label %inner, label %rowend")
    else:
        f.raw("  br label %inner")
    f.raw("inner:")
    f.raw(f"  %j = phi i64 [ {first}, {entry} ], [ %j1, %inner ]")
    offs: dict[int, str] = {}

    def off(o: int) -> str:
        if o not in offs:
            t = f.emit(f"mul i64 %j, {strides[o][D - 1]}")
            offs[o] = f.emit(f"add i64 {bases[o]}, {t}")
        return offs[o]

    def load(i: int) -> str:
        return load_value(f, ptrs[i], off(i), k.inputs[i].dtype)

    v, dt = body.render(f, load, consts)
    v = _cast(f, v, dt, out_dt)
    if red is not None:
        v = _combine(f, red, load_value(f, "%acc", off(nin), out_dt), v)
    store_value(f, ptrs[nin], off(nin), out_dt, v)
    f.raw("  %j1 = add i64 %j, 1")
    f.raw(f"  %jm = icmp slt i64 %j1, {n}")
    f.raw("  br i1 %jm, label %inner, label %rowend")
    f.raw("rowend:")
    f.raw(f"  %next = add i64 %cur, {n}")
    f.raw("  br label %outer")
    f.raw("done:")
    f.raw("  %sfv = load i32, ptr %sf")
    f.raw("  ret i32 %sfv")
    f.raw("}")
    return "\n".join(f.lines)


def _element_fn(k: Kernel, body: _Body, mod: _Module, name: str, adt: np.dtype, w: int
                ) -> str:
    """``@NAME_v1``: the body's value at flat index ``i`` of a flat kernel, as ``adt``; or
    ``@NAME_vW``: the ``W`` values from ``i`` on as a vector (explicit lanes)."""
    fe = _Fn(mod)
    ty = _ty(adt)
    rt = ty if w == 1 else f"<{w} x {ty}>"
    fe.raw(f"define internal {rt} @{name}_v{w}(ptr %ptrs, ptr %consts, ptr %sf, i64 %i) "
           "alwaysinline {")
    fe.raw("entry:")
    ptrs = []
    for i in range(len(k.inputs)):
        p = fe.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(fe.emit(f"load ptr, ptr {p}"))
    consts = body.const_values(fe)
    at = ["%i"] + [fe.emit(f"add i64 %i, {lane}") for lane in range(1, w)]

    def load(i: int, lane: int = 0) -> str:
        off = "0" if k.inputs[i].layout != "contiguous" else at[lane]
        return load_value(fe, ptrs[i], off, k.inputs[i].dtype)

    if w == 1:
        v, dt = body.render(fe, load, consts)
        v = _cast(fe, v, dt, adt)
    else:
        vals, dt = body.render_lanes(fe, load, consts, w)
        v = "poison"
        for lane, x in enumerate(vals):
            v = fe.emit(f"insertelement {rt} {v}, {ty} {_cast(fe, x, dt, adt)}, i32 {lane}")
    fe.raw(f"  ret {rt} {v}")
    fe.raw("}")
    return "\n".join(fe.lines)


def _render_pw(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    """NumPy's pairwise_sum of the body over a flat range; result stored to ``acc``."""
    red = k.reduction
    adt = np.dtype(red.acc_dtype)
    ty = _ty(adt)
    lanes = 8 if _lanes_width(mod, body) else 0  # (the 8 accumulators of NumPy's leaf)
    parts = [_element_fn(k, body, mod, name, adt, w) for w in (1, lanes) if w]
    ev = f"@{name}_v1"
    z = "-0.0"
    rec = f"""
define internal {ty} @{name}_rec(ptr %ptrs, ptr %consts, ptr %sf, i64 %a, i64 %n) {{
entry:
  %small = icmp slt i64 %n, 8
  br i1 %small, label %seq, label %mid
seq:
  %e = add i64 %a, %n
  %se = icmp slt i64 %a, %e
  br i1 %se, label %sloop, label %sdone
sloop:
  %si = phi i64 [ %a, %seq ], [ %si1, %sloop ]
  %sr = phi {ty} [ {z}, %seq ], [ %sr1, %sloop ]
  %sv = call {ty} {ev}(ptr %ptrs, ptr %consts, ptr %sf, i64 %si)
  %sr1 = fadd {ty} %sr, %sv
  %si1 = add i64 %si, 1
  %sm = icmp slt i64 %si1, %e
  br i1 %sm, label %sloop, label %sdone
sdone:
  %sres = phi {ty} [ {z}, %seq ], [ %sr1, %sloop ]
  ret {ty} %sres
mid:
  %blk = icmp sle i64 %n, 128
  br i1 %blk, label %leaf, label %split
leaf:
{_leaf(ty, ev, f'@{name}_v8' if lanes else None)}
split:
  %h = sdiv i64 %n, 2
  %hm = srem i64 %h, 8
  %n2 = sub i64 %h, %hm
  %l = call {ty} @{name}_rec(ptr %ptrs, ptr %consts, ptr %sf, i64 %a, i64 %n2)
  %a2 = add i64 %a, %n2
  %n3 = sub i64 %n, %n2
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %consts, ptr %sf, i64 %a2, i64 %n3)
  %lr = fadd {ty} %l, %r
  ret {ty} %lr
}}
"""
    entry = f"""
define internal i32 @{name}({_IMPL_ARGS}) noinline {{
entry:
  %sf = alloca i32
  store i32 0, ptr %sf
  %n = sub i64 %stop, %start
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %consts, ptr %sf, i64 %start, i64 %n)
  store {ty} %r, ptr %acc
  %sfv = load i32, ptr %sf
  ret i32 %sfv
}}
"""
    return "\n\n".join(parts) + rec + entry


def _eight(ty: str, ev: str, ev8: str | None, at: str, name: str) -> list[str]:
    """``%{name}0`` ... ``%{name}7``: the body's values at flat indices ``at`` ... ``at + 7``
    (one call of the 8-lane element function ``ev8``, or eight of ``ev``)."""
    args = "ptr %ptrs, ptr %consts, ptr %sf"
    if ev8 is not None:
        lines = [f"  %{name}v = call <8 x {ty}> {ev8}({args}, i64 {at})"]
        return lines + [f"  %{name}{j} = extractelement <8 x {ty}> %{name}v, i32 {j}"
                        for j in range(8)]
    lines = []
    for j in range(8):
        lines.append(f"  %{name}i{j} = add i64 {at}, {j}")
        lines.append(f"  %{name}{j} = call {ty} {ev}({args}, i64 %{name}i{j})")
    return lines


def _leaf(ty: str, ev: str, ev8: str | None) -> str:
    """Eight accumulators over n in [8, 128], then the tail (NumPy's order)."""
    lines = _eight(ty, ev, ev8, "%a", "r0_")
    lines += [
        "  %nm = srem i64 %n, 8",
        "  %nend = sub i64 %n, %nm",
        "  %lim = add i64 %a, %nend",
        "  %st = add i64 %a, 8",
        "  %has = icmp slt i64 %st, %lim",
        "  br i1 %has, label %lloop, label %lsum",
        "lloop:",
        "  %li = phi i64 [ %st, %leaf ], [ %li8, %lloop ]",
    ]
    for j in range(8):
        lines.append(f"  %ra{j} = phi {ty} [ %r0_{j}, %leaf ], [ %rb{j}, %lloop ]")
    lines += _eight(ty, ev, ev8, "%li", "lv")
    for j in range(8):
        lines.append(f"  %rb{j} = fadd {ty} %ra{j}, %lv{j}")
    lines += [
        "  %li8 = add i64 %li, 8",
        "  %lm = icmp slt i64 %li8, %lim",
        "  br i1 %lm, label %lloop, label %lsum",
        "lsum:",
    ]
    for j in range(8):
        lines.append(f"  %rc{j} = phi {ty} [ %r0_{j}, %leaf ], [ %rb{j}, %lloop ]")
    lines += [
        f"  %p01 = fadd {ty} %rc0, %rc1",
        f"  %p23 = fadd {ty} %rc2, %rc3",
        f"  %p45 = fadd {ty} %rc4, %rc5",
        f"  %p67 = fadd {ty} %rc6, %rc7",
        f"  %q0 = fadd {ty} %p01, %p23",
        f"  %q1 = fadd {ty} %p45, %p67",
        f"  %res0 = fadd {ty} %q0, %q1",
        "  %end = add i64 %a, %n",
        "  %ht = icmp slt i64 %lim, %end",
        "  br i1 %ht, label %tloop, label %tdone",
        "tloop:",
        "  %ti = phi i64 [ %lim, %lsum ], [ %ti1, %tloop ]",
        f"  %tr = phi {ty} [ %res0, %lsum ], [ %tr1, %tloop ]",
        f"  %tv = call {ty} {ev}(ptr %ptrs, ptr %consts, ptr %sf, i64 %ti)",
        f"  %tr1 = fadd {ty} %tr, %tv",
        "  %ti1 = add i64 %ti, 1",
        "  %tm = icmp slt i64 %ti1, %end",
        "  br i1 %tm, label %tloop, label %tdone",
        "tdone:",
        f"  %tres = phi {ty} [ %res0, %lsum ], [ %tr1, %tloop ]",
        f"  ret {ty} %tres",
    ]
    return "\n".join(lines)


def render(k: Kernel, pairwise: bool = False, vector_abi: tuple | None = None,
           libmvec: bool = False) -> Rendered:
    """LLVM IR of ``k``: entry points ``NAME_flat`` and ``NAME_nd`` (elementwise),
    ``NAME_nd`` (reductions) and ``NAME_pw`` (with ``pairwise``: full float sums).

    ``vector_abi``: ``(isa letter, doubles per vector, floats per vector)`` of the host's
    vector registers in the x86 vector-function ABI's terms (``("e", 8, 16)`` for AVX-512),
    or None for no explicit lanes; ``libmvec``: whether glibc's libmvec is loaded (its
    functions may be called in those lanes)."""
    body = _Body(k)
    red = k.reduction
    if red is not None:
        _ty(red.acc_dtype)
        identity(red)
    else:
        _ty(k.outputs[0].dtype)
    mod = _Module(vector_abi, libmvec)
    name = k.name or "kernel"
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    parts = []
    entries = []
    if red is None or len(red.axes) == len(k.shape):
        parts.append(_render_flat(k, body, mod, name + "_flat_impl"))
        parts.append(_wrapper(name + "_flat", name + "_flat_impl"))
        entries.append(name + "_flat")
    parts.append(_render_nd(k, body, mod, name + "_nd_impl"))
    parts.append(_wrapper(name + "_nd", name + "_nd_impl"))
    entries.append(name + "_nd")
    if red is not None and pairwise:
        parts.append(_render_pw(k, body, mod, name + "_pw_impl"))
        parts.append(_wrapper(name + "_pw", name + "_pw_impl"))
        entries.append(name + "_pw")
    decls = sorted(mod.decls | {"declare i32 @feclearexcept(i32)",
                                "declare i32 @fetestexcept(i32)"})
    parts += [mod.defs[d] for d in sorted(mod.defs)]
    ir = "\n".join(decls) + "\n\n" + "\n\n".join(parts)
    return Rendered(ir, tuple(entries), body.consts)
