"""Kernel IR (``fusion/plan.py``) -> LLVM IR text for the CPU backend.

Every kernel renders to one module with up to four exported entry points, all with the same
C ABI::

    int32_t NAME_flat(void **ptrs, int64_t *shape, int64_t *strides, void *consts,
                      void *acc, int64_t start, int64_t stop);   /* elementwise, flat path */
    int32_t NAME_nd(...same...);                                 /* strided nest          */
    int32_t NAME_pw(...same...);                                 /* pairwise float sum    */
    int32_t NAME_pwrows(...same...);                             /* one per row           */

* ``ptrs``: one pointer per kernel input (already advanced to the element the iteration
  starts at), then the output pointer (elementwise kernels).  Bool is one byte (0/1),
  float16 two (LLVM ``half``), a complex number two consecutive float32/float64 (real,
  imaginary; an SSA value ``{ float, float }`` / ``{ double, double }``).
* ``shape``: ``D`` extents, ``D = max(ndim, 1)`` (the runtime may permute axes; it passes
  the permuted shape and strides).
* ``strides``: ``(n_inputs + 1) * D`` strides **in elements**, operand-major: inputs, then the
  output (elementwise) or the accumulator (reductions; 0 along reduced axes).
* ``consts``: one 8-byte slot per non-None ``Const`` of the body, two for a complex128, in
  body order, holding the constant's bytes (little-endian, so a scalar loads from the start
  of its slot; :func:`pack_consts` lays them out).  Constants are data, not code: the
  module depends only on ``Kernel.key``, whether inputs are reversed views
  (:func:`reversed_view`) and, for complex kernels, which loops this NumPy runs
  (:func:`numpy_complex_loops`).
* ``acc``: reductions only: the accumulator (``Reduction.acc_dtype``) the nest combines
  into (``NAME_nd``), or the single slot a pairwise sum is stored to (``NAME_pw``).
* ``[start, stop)``: range of flat C-order indices of the (permuted) iteration space.
* Return value: floating-point exception flags raised by the block, in x86 ``<fenv.h>`` bits
  (``FE_INVALID`` 1, ``FE_DIVBYZERO`` 4, ``FE_OVERFLOW`` 8, ``FE_UNDERFLOW`` 16; the
  software-only ``FE_REDO`` is 256): the hardware flags
  (``feclearexcept``/``fetestexcept`` around a non-inlined body) or'ed with flags the body
  raises in software (integer division by zero, ``MIN // -1``).  The runtime reruns a kernel
  that raised a flag on the reference executor, which reports it exactly as NumPy does.

``NAME_pw`` and ``NAME_pwrows`` take in ``strides`` one run length per input instead: an
input that is not contiguous is read at element ``i // run`` (0: a broadcast scalar; see
``_render_pw``).  ``NAME_nd`` checks per row whether the operands' innermost strides are the
ones the plan predicts (:func:`inner_pattern`: 0 or 1) and then runs a row loop with
unit-stride and invariant loads (``_fast_row``; min/max in vector lanes, :func:`minmax_rows`,
with the software flag ``FE_REDO`` for results whose sign or payload could depend on the
order).

``NAME_flat`` indexes inputs of layout ``contiguous`` by the flat index and loads every other
input once (the runtime only takes it when those are broadcast scalars and the output is
C-contiguous); for a full reduction it keeps the accumulator in a register and stores it to
``acc`` at the end.  ``NAME_nd`` decomposes ``start`` into an index, then runs the innermost
axis as a counted loop per row.  ``NAME_pw`` reproduces NumPy's ``pairwise_sum`` (blocks of
128, eight accumulators, split at ``n // 2 - (n // 2) % 8``) over ``[start, stop)`` of a flat
kernel, so that summing leaves with :func:`lazynp.fusion.plan.pairwise_tree` gives
NumPy's digits.  ``NAME_pwrows`` runs that sum once per row ``o`` in ``[start, stop)`` of a
flat kernel whose rows have ``shape[0]`` elements, storing row ``o``'s to ``acc[o - start]``.

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
and type by its accuracy against NumPy (the rows of ``libm.py``: implementation and measured
ULP bound per op).

No fast-math flags and no ``contract`` are emitted unless ``fastmath`` is asked for
(``LAZYNP_FASTMATH=1``; see :func:`render`): by default every operation rounds as NumPy's
scalar loop.  Transcendental functions call ``vmath``'s functions (which call ``llvm.fma``
explicitly: one rounding on every host), libmvec in the lanes above, or the C math library.
Anything not rendered raises :class:`Unsupported`, and the runtime leaves that kernel to the
reference executor.

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

import functools
import re
from typing import Any, Callable, NamedTuple

import numpy as np

from ..fusion.plan import Const, In, Kernel, Ref
from ..graph.ops import MOVEMENT, REDUCE, SOURCE, Op
from ..graph.reductions import REDUCTIONS
from ..graph.reductions import identity as reduction_identity
from . import libm, vmath
from .llvm_text import fconst

__all__ = ["FE_REDO", "IN_PLACE_DRIVER", "Unsupported", "inner_pattern", "minmax_rows",
           "pack_consts", "render", "reversed_view", "supported_dtype"]


class Unsupported(Exception):
    """The kernel uses a dtype or op this renderer does not handle (run it on the reference)."""


_LL = {"b": "i1", "f2": "half", "f4": "float", "f8": "double", "i1": "i8", "i2": "i16",
       "i4": "i32", "i8": "i64", "u1": "i8", "u2": "i16", "u4": "i32", "u8": "i64",
       "c8": "{ float, float }", "c16": "{ double, double }"}
_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)

# x86 fenv bits
FE_INVALID = 1
FE_DIVBYZERO = 4
FE_OVERFLOW = 8
FE_UNDERFLOW = 16
FE_MASK = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW
# software flag of a min/max row reduction whose result (a zero or NaN) may depend on the
# combine order (``minmax_rows``): the runtime leaves the kernel to the reference executor
FE_REDO = 256


def _code(dt: np.dtype) -> str:
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "b"
    return f"{dt.kind}{dt.itemsize}"


def supported_dtype(dt: np.dtype) -> bool:
    dt = np.dtype(dt)
    return dt.isnative and _code(dt) in _LL


def _ty(dt: np.dtype) -> str:
    """SSA type of a value: ``i1`` for bool, ``half`` for float16, a struct of two floats for
    complex (real, imaginary)."""
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


def _is_complex(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "c"


def _part(dt: np.dtype) -> np.dtype:
    """dtype of each part of a complex dtype."""
    return np.dtype(np.float32 if np.dtype(dt).itemsize == 8 else np.float64)


def _signed(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "i"


def _bits(dt: np.dtype) -> int:
    return np.dtype(dt).itemsize * 8


_fconst = fconst  # (LLVM literals: llvm_text.py)


_FCMP = {Op.LESS: "olt", Op.LESS_EQUAL: "ole", Op.GREATER: "ogt", Op.GREATER_EQUAL: "oge",
         Op.EQUAL: "oeq", Op.NOT_EQUAL: "une"}
_ICMP = {Op.LESS: "lt", Op.LESS_EQUAL: "le", Op.GREATER: "gt", Op.GREATER_EQUAL: "ge"}
# libm-backed ops: one row each in libm.py (C name, arity, libmvec, implementation, ULP bound)
LIBMVEC = libm.LIBMVEC
LIBM_IMPL = libm.LIBM_IMPL
ULP_BOUNDS = libm.ULP_BOUNDS
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
        self.vmath: dict[str, vmath.Definition] = {}
        self.vector_abi = vector_abi
        self.libmvec = libmvec and vector_abi is not None

    def declare(self, text: str) -> None:
        self.decls.add(text)

    def define(self, name: str, text: str) -> None:
        """A helper function of the module (defined once, however often it is called)."""
        self.defs.setdefault(name, text)

    def define_vmath(self, d: vmath.Definition) -> str:
        """Declare a vmath function and return its symbol.  Its code is not part of this
        module: the runtime compiles each vmath function once per process (and disk cache)
        into a library of its own and links kernels to it by name (``Rendered.vmath``), so a
        kernel that calls ``sin`` does not optimize fdlibm's reduction again."""
        if d.name not in self.vmath:
            self.vmath[d.name] = d
            self.decls.add(vmath.declaration(d))
        return d.name


# ------------------------------------------------------------ NumPy's complex loops here
# NumPy's SIMD complex loops (add/subtract/multiply/square/absolute) use fused multiply-adds
# where the CPU has them (``npyv_muladdsub``: ``re = fma(ar, br, -(ai*bi))``, ``im =
# fma(ar, bi, ai*br)``; ``|z| = sqrt(fma(r, r, 1)) * larger``) and two roundings elsewhere.
# Which one this NumPy does is found once by values whose results differ between the two.
_CABS_PROBES = (  # (imaginary part of 1+yj, |z| when fused, |z| when not)
    ("0x1.6a3cdbe78e68bp-1", "0x1.399797da736eap+0", "0x1.399797da736ebp+0"),
    ("0x1.5a7706d754ec7p-1", "0x1.351ab5b711f0fp+0", "0x1.351ab5b711f10p+0"),
)


def _one_answer(answers: set[bool | None]) -> bool | None:
    return answers.pop() if len(answers) == 1 else None


@functools.cache
def numpy_complex_loops() -> dict[str, bool | None]:
    """``{"mul": fused, "abs": fused}`` for NumPy's complex multiply (and square) and
    absolute on this host: True (one fused multiply-add), False (two roundings) or None
    (neither: such kernels are left to the reference executor)."""
    mul: set[bool | None] = set()
    for dt, k in ((np.complex128, 30), (np.complex64, 12)):
        a = np.full(64, complex(1 + 2.0 ** -k, 1.0), dtype=dt)
        got = (a * a)[0].real
        one = a.real.dtype.type
        mul.add(True if got == one(2.0 ** (1 - k) + 2.0 ** (-2 * k))
                else False if got == one(2.0 ** (1 - k)) else None)
    absolute: set[bool | None] = set()
    for y, with_fma, without in _CABS_PROBES:
        got = float(np.abs(np.full(64, complex(1.0, float.fromhex(y))))[0])
        absolute.add(True if got == float.fromhex(with_fma)
                     else False if got == float.fromhex(without) else None)
    return {"mul": _one_answer(mul), "abs": _one_answer(absolute)}


# ---------------------------------------------------------------- scalar op rendering
def _intrin(f: _Fn, name: str, ty: str, *args: str) -> str:
    suffix = {"half": "f16", "float": "f32", "double": "f64"}[ty]
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
    fn = f.mod.define_vmath(vmath.definition(name, ty, len(lanes), avx512))
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
def _cparts(f: _Fn, v: str, dt: np.dtype) -> tuple[str, str]:
    ty = _ty(dt)
    return f.emit(f"extractvalue {ty} {v}, 0"), f.emit(f"extractvalue {ty} {v}, 1")


def _cpack(f: _Fn, re: str, im: str, dt: np.dtype) -> str:
    ty = _ty(dt)
    pt = _ty(_part(dt))
    v = f.emit(f"insertvalue {ty} poison, {pt} {re}, 0")
    return f.emit(f"insertvalue {ty} {v}, {pt} {im}, 1")


def _fused(f: _Fn, which: str, pt: str, a: str, b: str, c: str) -> str:
    """``a*b + c`` as NumPy's complex loop ``which`` computes it here."""
    fused = numpy_complex_loops()[which]
    if fused is None:
        raise Unsupported(f"complex {which} of this NumPy build")
    if fused:
        return _intrin(f, "fma", pt, a, b, c)
    return f.emit(f"fadd {pt} {f.emit(f'fmul {pt} {a}, {b}')}, {c}")


def _cmul(f: _Fn, a: tuple[str, str], b: tuple[str, str], pt: str) -> tuple[str, str]:
    """NumPy's SIMD complex product: ``(fma(ar, br, -(ai*bi)), fma(ar, bi, ai*br))``."""
    (ar, ai), (br, bi) = a, b
    ii = f.emit(f"fmul {pt} {ai}, {bi}")
    ir = f.emit(f"fmul {pt} {ai}, {br}")
    return (_fused(f, "mul", pt, ar, br, f.emit(f"fneg {pt} {ii}")),
            _fused(f, "mul", pt, ar, bi, ir))


def _cdiv(f: _Fn, a: tuple[str, str], b: tuple[str, str], pt: str) -> tuple[str, str]:
    """NumPy's complex division (Smith's method, branch on ``|br| >= |bi|``), branch-free:
    the branch's operands are selected first, so only NumPy's own operations run and raise
    flags.  A zero divisor makes ``rat`` 0/0: its invalid flag sends the kernel to the
    reference executor, which gives NumPy's values (its zero branch) and warnings."""
    (ar, ai), (br, bi) = a, b
    abr = _intrin(f, "fabs", pt, br)
    abi = _intrin(f, "fabs", pt, bi)
    big = f.emit(f"fcmp oge {pt} {abr}, {abi}")
    p = _sel(f, big, pt, br, bi)
    q = _sel(f, big, pt, bi, br)
    x = _sel(f, big, pt, ar, ai)
    y = _sel(f, big, pt, ai, ar)
    rat = f.emit(f"fdiv {pt} {q}, {p}")
    d = f.emit(f"fadd {pt} {p}, {f.emit(f'fmul {pt} {q}, {rat}')}")
    scl = f.emit(f"fdiv {pt} 1.0, {d}")
    # |br| >= |bi|: ((ar + ai*rat)*scl, (ai - ar*rat)*scl); else ((ar*rat + ai)*scl,
    # (ai*rat - ar)*scl) -- the same sums with x, y swapped
    s = f.emit(f"fadd {pt} {x}, {f.emit(f'fmul {pt} {y}, {rat}')}")
    re = f.emit(f"fmul {pt} {s}, {scl}")
    t = f.emit(f"fmul {pt} {x}, {rat}")
    im = _sel(f, big, pt, f.emit(f"fsub {pt} {y}, {t}"), f.emit(f"fsub {pt} {t}, {y}"))
    return re, f.emit(f"fmul {pt} {im}, {scl}")


def _crecip(f: _Fn, a: tuple[str, str], pt: str) -> tuple[str, str]:
    """NumPy's complex reciprocal: with ``|ai| <= |ar|``, ``r = ai/ar; d = ar + ai*r;
    (1/d, -r/d)``, else ``r = ar/ai; d = ar*r + ai; (r/d, -1/d)``."""
    ar, ai = a
    c = f.emit(f"fcmp ole {pt} {_intrin(f, 'fabs', pt, ai)}, {_intrin(f, 'fabs', pt, ar)}")
    p = _sel(f, c, pt, ar, ai)
    q = _sel(f, c, pt, ai, ar)
    r = f.emit(f"fdiv {pt} {q}, {p}")
    d = f.emit(f"fadd {pt} {p}, {f.emit(f'fmul {pt} {q}, {r}')}")
    nr = f.emit(f"fneg {pt} {r}")
    re = f.emit(f"fdiv {pt} {_sel(f, c, pt, '1.0', r)}, {d}")
    im = f.emit(f"fdiv {pt} {_sel(f, c, pt, nr, '-1.0')}, {d}")
    return re, im


def _cabs(f: _Fn, a: tuple[str, str], pt: str) -> str:
    """NumPy's SIMD complex absolute: ``sqrt(fma(r, r, 1)) * larger`` with ``r = smaller /
    larger`` of the parts' magnitudes; an infinite part gives inf, else a NaN part NaN.
    Special values are selected, never compared, so a NaN raises no flag."""
    re = _intrin(f, "fabs", pt, a[0])
    im = _intrin(f, "fabs", pt, a[1])
    inf = _fconst(np.inf, pt)
    ri = f.emit(f"fcmp oeq {pt} {re}, {inf}")
    ii = f.emit(f"fcmp oeq {pt} {im}, {inf}")
    anyinf = f.emit(f"or i1 {ri}, {ii}")
    nan = f.emit(f"fcmp uno {pt} {re}, {im}")
    special = f.emit(f"or i1 {anyinf}, {nan}")
    re = _sel(f, special, pt, "1.0", re)
    im = _sel(f, special, pt, "1.0", im)
    c = f.emit(f"fcmp oge {pt} {re}, {im}")
    larger = _sel(f, c, pt, re, im)
    smaller = _sel(f, c, pt, im, re)
    # |z| == 0: 0 / 2.0, not 0 / 0 (not 1.0: LLVM distributes a division over a select
    # whose arm simplifies it, x / 1.0 being x, and would divide by zero after all)
    zero = f.emit(f"fcmp oeq {pt} {larger}, 0.0")
    div = _sel(f, zero, pt, "2.0", larger)
    ratio = f.emit(f"fdiv {pt} {smaller}, {div}")
    h = _intrin(f, "sqrt", pt, _fused(f, "abs", pt, ratio, ratio, "1.0"))
    h = f.emit(f"fmul {pt} {h}, {larger}")
    h = _sel(f, nan, pt, _fconst(np.nan, pt), h)
    return _sel(f, anyinf, pt, inf, h)


def _ccmp(f: _Fn, op: Op, a: tuple[str, str], b: tuple[str, str], pt: str) -> str:
    """NumPy's complex comparisons: ``==``/``!=`` part-wise; ordering lexicographic,
    ``CLT = (xr < yr && !isnan(xi) && !isnan(yi)) || (xr == yr && xi < yi)`` (likewise
    for ``<=``, ``>``, ``>=`` with the second comparison inclusive)."""
    (xr, xi), (yr, yi) = a, b
    if op in (Op.EQUAL, Op.NOT_EQUAL):
        pred, join = ("oeq", "and") if op is Op.EQUAL else ("une", "or")
        r = f.emit(f"fcmp {pred} {pt} {xr}, {yr}")
        i = f.emit(f"fcmp {pred} {pt} {xi}, {yi}")
        return f.emit(f"{join} i1 {r}, {i}")
    strict = "olt" if op in (Op.LESS, Op.LESS_EQUAL) else "ogt"
    c1 = f.emit(f"fcmp {strict} {pt} {xr}, {yr}")
    c1 = f.emit(f"and i1 {c1}, {f.emit(f'fcmp ord {pt} {xi}, {yi}')}")
    c2 = f.emit(f"fcmp oeq {pt} {xr}, {yr}")
    c2 = f.emit(f"and i1 {c2}, {f.emit(f'fcmp {_FCMP[op]} {pt} {xi}, {yi}')}")
    return f.emit(f"or i1 {c1}, {c2}")


_LOGICAL = {Op.LOGICAL_AND: "and", Op.LOGICAL_OR: "or", Op.LOGICAL_XOR: "xor"}


def _logical(f: _Fn, op: Op, args: list[str], argdts: list[np.dtype]) -> str:
    t = [_truth(f, a, d) for a, d in zip(args, argdts)]
    if op is Op.LOGICAL_NOT:
        return f.emit(f"xor i1 {t[0]}, true")
    return f.emit(f"{_LOGICAL[op]} i1 {t[0]}, {t[1]}")


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
    return e.f.emit(f"fcmp {pred} {e.ty} {m}, {_fconst(np.inf, e.ty)}")


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
    (``ties``: whether clip keeps ``x`` on a tie, :func:`_clip_ties`)."""
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


# ---------------------------------------------------------------- kernel bodies
def _const_offsets(consts: list[Const]) -> list[int]:
    """Byte offset of each constant in the ``consts`` buffer: 8-byte slots, two for a
    complex128."""
    offs = []
    at = 0
    for c in consts:
        offs.append(at)
        at += 8 * -(-np.dtype(c.dtype).itemsize // 8)
    return offs


def pack_consts(consts: list[Const]) -> np.ndarray:
    """The ``consts`` argument of a kernel: each constant's bytes at its offset."""
    offs = _const_offsets(consts)
    size = offs[-1] + 8 * -(-np.dtype(consts[-1].dtype).itemsize // 8) if consts else 8
    buf = np.zeros(size // 8, dtype=np.uint64)
    raw = buf.view(np.uint8)
    for at, c in zip(offs, consts):
        b = np.asarray(c.value).tobytes()
        raw[at:at + len(b)] = np.frombuffer(b, dtype=np.uint8)
    return buf


def reversed_view(inp: Any) -> bool:
    """Whether a kernel input is read with a negative stride along some axis (the renderer
    specializes on it; part of the runtime's cache key)."""
    return any(s < 0 for s in inp.strides)


def _layout_dependent(op: Op, dt: np.dtype) -> bool:
    """NumPy's complex64 multiply/square and its complex absolute leave their SIMD loop
    (fused multiply-adds) for a plain scalar loop (two roundings; hypot) on some inputs with
    negative strides, depending on how its iterator flips axes: such kernels are left to
    the reference executor, which runs NumPy's own loops on the same views."""
    if not _is_complex(dt):
        return False
    return op is Op.ABSOLUTE or (op in (Op.MULTIPLY, Op.SQUARE) and dt.itemsize == 8)


def _vec_ty(dt: np.dtype) -> str | None:
    """LLVM type of a float32/float64 operand (the dtypes libmvec serves), else None."""
    dt = np.dtype(dt)
    return _ty(dt) if dt.kind == "f" and dt.itemsize >= 4 else None


def _bound_kind(k: Kernel, a: Any) -> str:
    """How NumPy's clip loop sees a bound: ``scalar`` (step 0: a constant), ``full`` (a
    step in every iteration axis) or ``mixed`` (broadcast along some axes; also a fill,
    which NumPy holds as a full array or as a broadcast one)."""
    if type(a) is Const:
        return "scalar"
    if type(a) is Ref:
        return "full"  # (computed block by block by the reference executor, as by NumPy)
    inp = k.inputs[a.index]
    return "mixed" if inp.layout == "broadcast" else "full"


def _clip_ties(k: Kernel, ins: Any) -> bool:
    """Whether NumPy's clip keeps ``x`` on a tie with a bound (``>=``/``<=``): float16
    always; float32/float64 in NumPy's loop for two constant bounds, not in its loop for
    array bounds (the two differ only for signed zeros)."""
    dt = np.dtype(ins.dtype)
    if dt == _F16 or dt.kind != "f":
        return dt == _F16
    kinds = {_bound_kind(k, a) for a in ins.args[1:] if not (type(a) is Const
                                                               and a.value is None)}
    if "full" in kinds:
        return False
    if kinds == {"scalar"}:
        return True
    raise Unsupported("clip with bounds broadcast along some axes")


class _Body:
    """Renders the kernel body for one element; ``load(i)`` gives input i's value."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.consts: list[Const] = []
        self.const_slot: dict[int, int] = {}
        self.argdts: list[list[np.dtype]] = []
        self.ties: dict[int, bool] = {}
        for j, ins in enumerate(k.body):
            self.argdts.append(self._arg_dtypes(ins))
            for a in ins.args:
                if type(a) is Const and a.value is not None:
                    self.const_slot[id(a)] = len(self.consts)
                    self.consts.append(a)
                elif type(a) is Const and ins.op is not Op.CLIP:
                    raise Unsupported("None constant")
            if ins.index:
                raise Unsupported(ins.op.value)
            if ins.op is Op.CLIP:
                if _is_complex(ins.dtype):
                    raise Unsupported("complex clip")
                self.ties[j] = _clip_ties(k, ins)
            if (_layout_dependent(ins.op, self.argdts[-1][0])
                    and any(type(a) is In and reversed_view(k.inputs[a.index])
                            for a in ins.args)):
                raise Unsupported(f"complex {ins.op.value} of a reversed view")
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
            elif a.value is None:
                out.append(None)
            else:
                out.append(np.dtype(a.dtype))
        return out

    def const_values(self, f: _Fn) -> list[str]:
        vals = []
        for at, c in zip(_const_offsets(self.consts), self.consts):
            p = f.emit(f"getelementptr i8, ptr %consts, i64 {at}")
            vals.append(load_value(f, p, "0", c.dtype))
        return vals

    def const_operand(self, a: Const, consts: list[str]) -> str | None:
        return None if a.value is None else consts[self.const_slot[id(a)]]

    def instr(self, f: _Fn, j: int, args: list, dts: list[np.dtype]) -> str:
        """Instruction ``j`` of the body on operand values ``args``."""
        ins = self.k.body[j]
        return _render_op(f, ins.op, ins.dtype, args, dts, self.ties.get(j, False))

    def vector_calls(self, mod: _Module) -> set[str]:
        """Implementations (``"vmath"``, ``"libmvec"``) of the body's calls that have a vector
        form (none: explicit lanes are not worth it)."""
        impls = set()
        for ins, dts in zip(self.k.body, self.argdts):
            name = libm.LIBM_NAME.get(ins.op)
            vt = _vec_ty(dts[0])
            if vt is not None and _lanes_vectorized(mod, name, vt):
                vm = LIBM_IMPL.get((name, vt)) == "vmath"
                impls.add("vmath" if vm else "libmvec")
        return impls

    def render_lanes(self, f: _Fn, load: Any, consts: list[str], w: int
                     ) -> tuple[list[str], np.dtype]:
        """The body for ``w`` consecutive elements, instruction by instruction across lanes
        (``load(i, lane)``); libm calls that libmvec has become one vector call."""
        regs: list[list[str]] = []
        cache: dict[tuple, str] = {}

        def operand(a: Any, lane: int) -> str | None:
            if type(a) is In:
                key = (a.index, lane)
                if key not in cache:
                    cache[key] = load(a.index, lane)
                return cache[key]
            if type(a) is Ref:
                return regs[a.index][lane]
            return self.const_operand(a, consts)

        for j, (ins, dts) in enumerate(zip(self.k.body, self.argdts)):
            lanes = [[operand(a, lane) for a in ins.args] for lane in range(w)]
            name = libm.LIBM_NAME.get(ins.op)
            vt = _vec_ty(dts[0])
            out = None
            if vt is not None and len(set(dts)) == 1 and _lanes_vectorized(f.mod, name, vt):
                if LIBM_IMPL.get((name, vt)) == "vmath":
                    out = _vmath_call(f, name, vt, lanes)
                else:
                    out = _vec_call(f, name, vt, lanes)
            if out is None:
                out = [self.instr(f, j, lanes[lane], dts) for lane in range(w)]
            regs.append(out)
        res = self.k.result
        if type(res) is In:
            return ([operand(res, lane) for lane in range(w)],
                    np.dtype(self.k.inputs[res.index].dtype))
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)

    def render(self, f: _Fn, load: Any, consts: list[str]) -> tuple[str, np.dtype]:
        regs: list[str] = []
        cache: dict[int, str] = {}

        def operand(a: Any) -> str | None:
            if type(a) is In:
                if a.index not in cache:
                    cache[a.index] = load(a.index)
                return cache[a.index]
            if type(a) is Ref:
                return regs[a.index]
            return self.const_operand(a, consts)

        for j, dts in enumerate(self.argdts):
            regs.append(self.instr(f, j, [operand(a) for a in self.k.body[j].args], dts))
        res = self.k.result
        if type(res) is In:
            return operand(res), np.dtype(self.k.inputs[res.index].dtype)
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)


def load_value(f: _Fn, ptr: str, off: str, dt: np.dtype) -> str:
    """Element ``off`` of the array at ``ptr`` (a complex as its two parts)."""
    if _is_complex(dt):
        ty = _ty(dt)
        pt = _ty(_part(dt))
        parts = []
        for i in (0, 1):
            p = f.emit(f"getelementptr inbounds {ty}, ptr {ptr}, i64 {off}, i32 {i}")
            parts.append(f.emit(f"load {pt}, ptr {p}"))
        return _cpack(f, *parts, dt)
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    v = f.emit(f"load {mt}, ptr {p}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"icmp ne i8 {v}, 0")
    return v


def store_lanes(f: _Fn, ptr: str, off: str, dt: np.dtype, vals: list[str]) -> None:
    """Store consecutive elements ``vals`` from ``ptr[off]`` on as one vector store (the SLP
    vectorizer may cut separate stores into narrower vectors); complex values (no vector
    of them exists) are stored one by one."""
    if _is_complex(dt):
        for lane, v in enumerate(vals):
            at = f.emit(f"add i64 {off}, {lane}")
            store_value(f, ptr, at, dt, v)
        return
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
    if _is_complex(dt):
        ty = _ty(dt)
        pt = _ty(_part(dt))
        for i, part in enumerate(_cparts(f, v, dt)):
            p = f.emit(f"getelementptr inbounds {ty}, ptr {ptr}, i64 {off}, i32 {i}")
            f.raw(f"  store {pt} {part}, ptr {p}")
        return
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"zext i1 {v} to i8")
    f.raw(f"  store {mt} {v}, ptr {p}")


_ARGS = "ptr %ptrs, ptr %shape, ptr %strides, ptr %consts, ptr %acc, i64 %start, i64 %stop"


def _check_reduction(red: Any) -> None:
    dt = np.dtype(red.acc_dtype)
    _ty(dt)
    if _is_complex(dt) or (dt == _F16 and red.op not in (Op.MIN, Op.MAX)):
        # NumPy adds float16 in float32 (rounding once per inner loop) and complex numbers
        # with a pairwise sum of each part; min/max of complex values order them
        # lexicographically: left to the reference executor
        raise Unsupported(f"reduction {red.op.value} of {dt}")


def _lanes_width(mod: _Module, body: _Body) -> int:
    """Lanes of the explicit-lanes loop for ``body``, 0 for none: a body that calls a
    transcendental function with a vector form runs explicit lanes (LLVM's loop vectorizer
    would scalarize the calls), one vector register of doubles wide."""
    if mod.vector_abi is None or not body.vector_calls(mod):
        return 0
    return _WIDTHS[mod.vector_abi[0]]


def _lanes_loop(body: _Body, f: _Fn, consts: list[str], lo: str, hi: str, pred: str,
                load: Any, store: Any, dt: np.dtype, tag: str = "") -> str:
    """Explicit lanes over ``[lo, hi - (hi - lo) % w)`` in steps of ``w``: the body once per
    lane, instruction by instruction (each transcendental call one vector call; the SLP
    vectorizer packs the rest).  ``load(i, index)`` gives input i at an index of the loop,
    ``store(values, indices)`` stores the lanes' results (cast to ``dt``), lane by lane in
    order where it combines them into an accumulator.  Entered from block ``pred``; ends in
    block ``vdone`` (``vdone{tag}``: ``tag`` suffixes every name, for a second loop in the
    same function) and returns the first index left to the scalar loop."""
    w = _lanes_width(f.mod, body)
    t = tag
    f.raw(f"  %vn{t} = sub i64 {hi}, {lo}")
    f.raw(f"  %vr{t} = srem i64 %vn{t}, {w}")
    f.raw(f"  %vend{t} = sub i64 {hi}, %vr{t}")
    f.raw(f"  %vany{t} = icmp slt i64 {lo}, %vend{t}")
    f.raw(f"  br i1 %vany{t}, label %vloop{t}, label %vdone{t}")
    f.raw(f"vloop{t}:")
    f.raw(f"  %vi{t} = phi i64 [ {lo}, {pred} ], [ %vi1{t}, %vloop{t} ]")
    at = [f"%vi{t}"] + [f.emit(f"add i64 %vi{t}, {lane}") for lane in range(1, w)]
    vals, vdt = body.render_lanes(f, lambda i, lane: load(i, at[lane]), consts, w)
    store([_cast(f, v, vdt, dt) for v in vals], at)
    f.raw(f"  %vi1{t} = add i64 %vi{t}, {w}")
    f.raw(f"  %vmore{t} = icmp slt i64 %vi1{t}, %vend{t}")
    f.raw(f"  br i1 %vmore{t}, label %vloop{t}, label %vdone{t}")
    f.raw(f"vdone{t}:")
    return f"%vend{t}"


def _combine(f: _Fn, red: Any, acc: str, v: str) -> str:
    """The accumulator combined with a value: the reduction's combine op (``add``, ``minimum``,
    ``logical_or`` ...: ``graph/reductions.py``) rendered as an elementwise op."""
    dt = np.dtype(red.acc_dtype)
    _ty(dt)
    spec = REDUCTIONS.get(red.op)
    if spec is None or not spec.fused:
        raise Unsupported(f"reduction {red.op.value}")
    return _render_op(f, spec.combine, dt, [acc, v], [dt, dt])


def identity(red: Any) -> Any:
    """Initial accumulator value of a block (a NumPy scalar of ``acc_dtype``)."""
    return reduction_identity(red.op, red.acc_dtype)


class Rendered:
    def __init__(self, ir: str, entries: tuple[str, ...], consts: list[Const],
                 vmath_defs: tuple = ()) -> None:
        self.ir = ir
        self.entries = entries
        self.consts = consts
        self.vmath = vmath_defs  # vmath.Definition of every vmath function the IR calls


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
    slot = None
    if red is not None:
        slot = "%racc"  # a row's accumulator in the fast loop (promoted to a register)
        f.raw(f"  {slot} = alloca {_ty(np.dtype(red.acc_dtype))}")
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
    out_dt = k.outputs[0].dtype if red is None else np.dtype(red.acc_dtype)
    pattern = inner_pattern(k)
    row = "%row"
    if pattern is not None:
        # rows whose operands' innermost strides are the ones the plan predicts (0 or 1):
        # a loop with unit-stride and invariant loads that LLVM vectorizes; other rows (the
        # runtime permuted the axes, or another plan shares this module) take the general loop
        ok = "true"
        for o, p in enumerate(pattern):
            if p is not None:
                c = f.emit(f"icmp eq i64 {strides[o][D - 1]}, {p}")
                ok = c if ok == "true" else f.emit(f"and i1 {ok}, {c}")
        f.raw(f"  br i1 {ok}, label %frow, label %grow")
        f.raw("frow:")
        _fast_row(k, body, f, consts, ptrs, bases, strides, pattern, n, out_dt, slot)
        f.raw("  br label %rowend")
        f.raw("grow:")
        row = "%grow"
    if red is not None and minmax_rows(red) and _is_float(out_dt):
        _sflag(f, "true", FE_REDO)  # (the general loop combines in order: not NumPy's ties)
    first, entry = "0", row
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

        first = _lanes_loop(body, f, consts, "0", n, row, vload, vstore, out_dt)
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


def inner_pattern(k: Kernel) -> tuple[int | None, ...] | None:
    """Innermost strides (elements) of the nest's operands, inputs then the output or
    accumulator, as the plan predicts them for the runtime's usual axis order (elementwise:
    C order of a new output; reductions: kept axes outer, reduced axes inner): 0 or 1, None
    for another stride; None when no operand is predicted 0 or 1 (no fast row loop)."""
    if not k.shape:
        return None
    red = k.reduction
    if red is not None and not red.axes:
        return None
    inner = max(red.axes) if red is not None else len(k.shape) - 1
    pat: list[int | None] = []
    for inp in k.inputs:
        st = inp.strides[inner] if len(inp.strides) == len(k.shape) else None
        pat.append(st if st in (0, 1) else None)
    pat.append(1 if red is None else 0)
    return tuple(pat) if any(p is not None for p in pat[:-1]) else None


def _fast_row(k: Kernel, body: _Body, f: _Fn, consts: list[str], ptrs: list[str],
              bases: list[str], strides: list[list[str]], pattern: tuple, n: str,
              out_dt: np.dtype, slot: str | None) -> None:
    """One row of ``_render_nd`` (``n`` elements from ``bases``) whose innermost strides are
    ``pattern``: unit-stride operands index by ``j``, stride-0 ones read one element, others
    multiply; a reduction (accumulator stride 0) combines into ``slot`` in the same order as
    the general loop (the same bits), stored to the accumulator at the end of the row."""
    nin = len(k.inputs)
    red = k.reduction
    D = len(strides[0])

    def at(o: int, j: str) -> str:
        p = pattern[o]
        if p == 1:
            return f.emit(f"add i64 {bases[o]}, {j}")
        if p == 0:
            return bases[o]
        t = f.emit(f"mul i64 {j}, {strides[o][D - 1]}")
        return f.emit(f"add i64 {bases[o]}, {t}")

    aty = _ty(out_dt)
    if red is not None:
        f.raw(f"  store {aty} {load_value(f, ptrs[nin], bases[nin], out_dt)}, ptr {slot}")

    def put(v: str, j: str) -> None:
        if red is None:
            store_value(f, ptrs[nin], at(nin, j), out_dt, v)
            return
        cur = f.emit(f"load {aty}, ptr {slot}")
        f.raw(f"  store {aty} {_combine(f, red, cur, v)}, ptr {slot}")

    first, entry = "0", "%frow"
    if red is not None and minmax_rows(red):
        first, entry = _minmax_lanes(k, body, f, consts, ptrs, at, n, out_dt, slot)
    elif _lanes_width(f.mod, body):

        def vload(i: int, j: str) -> str:
            return load_value(f, ptrs[i], at(i, j), k.inputs[i].dtype)

        def vstore(vals: list[str], js: list[str]) -> None:
            if red is None and pattern[nin] == 1:
                store_lanes(f, ptrs[nin], at(nin, js[0]), out_dt, vals)
                return
            for v, j in zip(vals, js):
                put(v, j)

        first = _lanes_loop(body, f, consts, "0", n, "%frow", vload, vstore, out_dt, tag="f")
        entry = "%vdonef"
    f.raw(f"  %frest = icmp slt i64 {first}, {n}")
    f.raw("  br i1 %frest, label %finner, label %fend")
    f.raw("finner:")
    f.raw(f"  %fj = phi i64 [ {first}, {entry} ], [ %fj1, %finner ]")
    v, dt = body.render(f, lambda i: load_value(f, ptrs[i], at(i, "%fj"), k.inputs[i].dtype),
                        consts)
    put(_cast(f, v, dt, out_dt), "%fj")
    f.raw("  %fj1 = add i64 %fj, 1")
    f.raw(f"  %fjm = icmp slt i64 %fj1, {n}")
    f.raw("  br i1 %fjm, label %finner, label %fend")
    f.raw("fend:")
    if red is not None:
        r = f.emit(f"load {aty}, ptr {slot}")
        if minmax_rows(red) and _is_float(out_dt):
            # the combine order is not NumPy's: ties of +0.0 and -0.0 (a zero result) and
            # NaN payloads could differ; such rows leave the kernel to the reference
            z = f.emit(f"fcmp ueq {aty} {r}, {_zero(aty)}")
            _sflag(f, z, FE_REDO)
        store_value(f, ptrs[nin], bases[nin], out_dt, r)


def minmax_rows(red: Any) -> bool:
    """Whether the fast row loop of ``_render_nd`` combines this reduction in vector lanes
    (min/max of float32/float64 and integers, an order-free combine; see ``FE_REDO``)."""
    dt = np.dtype(red.acc_dtype)
    return red.op in (Op.MIN, Op.MAX) and (dt.kind in "iu" or dt in (_F32, np.dtype(np.float64)))


def _vminmax(f: _Fn, op: Op, vt: str, dt: np.dtype, a: str, b: str) -> str:
    """Lane-wise max/min of accumulator ``a`` and values ``b``: NaN in ``a`` is kept, a NaN
    in ``b`` taken (so a NaN propagates), ties take ``b``."""
    big = op is Op.MAX
    mt = vt.split(" x ")[0] + " x i1>"
    if _is_float(dt):
        na = f.emit(f"fcmp uno {vt} {a}, {a}")
        c = f.emit(f"fcmp {'ogt' if big else 'olt'} {vt} {a}, {b}")
        c = f.emit(f"or {mt} {na}, {c}")
    else:
        pred = ("s" if _signed(dt) else "u") + ("gt" if big else "lt")
        c = f.emit(f"icmp {pred} {vt} {a}, {b}")
    return f.emit(f"select {mt} {c}, {vt} {a}, {vt} {b}")


def _minmax_lanes(k: Kernel, body: _Body, f: _Fn, consts: list[str], ptrs: list[str],
                  at: Any, n: str, dt: np.dtype, slot: str) -> tuple[str, str]:
    """Min/max of a row's first ``n - n % 2w`` elements in two vector accumulators of ``w``
    lanes, combined into ``slot``; returns (first index left, block) for the scalar loop."""
    red = k.reduction
    w = _lanes_width(f.mod, body) or 8
    ty = _ty(dt)
    vt = f"<{w} x {ty}>"
    ident = identity(red)
    lit = _fconst(float(ident), ty) if _is_float(dt) else str(int(ident))
    init = f"splat ({ty} {lit})"
    f.raw(f"  %mr = srem i64 {n}, {2 * w}")
    f.raw(f"  %mend = sub i64 {n}, %mr")
    f.raw("  %many = icmp sgt i64 %mend, 0")
    f.raw("  br i1 %many, label %mloop, label %mdone")
    f.raw("mloop:")
    f.raw("  %mj = phi i64 [ 0, %frow ], [ %mj1, %mloop ]")
    f.raw(f"  %ma0 = phi {vt} [ {init}, %frow ], [ %mb0, %mloop ]")
    f.raw(f"  %ma1 = phi {vt} [ {init}, %frow ], [ %mb1, %mloop ]")
    for h in (0, 1):
        j0 = f.emit(f"add i64 %mj, {h * w}")
        idx = [j0] + [f.emit(f"add i64 {j0}, {lane}") for lane in range(1, w)]
        vals, vdt = body.render_lanes(
            f, lambda i, lane, idx=idx: load_value(f, ptrs[i], at(i, idx[lane]),
                                                   k.inputs[i].dtype),
            consts, w)
        vec = "poison"
        for lane, v in enumerate(vals):
            vec = f.emit(f"insertelement {vt} {vec}, {ty} {_cast(f, v, vdt, dt)}, i32 {lane}")
        new = _vminmax(f, red.op, vt, dt, f"%ma{h}", vec)
        f.raw(f"  %mb{h} = select i1 true, {vt} {new}, {vt} {new}")  # (a fixed name)
    f.raw(f"  %mj1 = add i64 %mj, {2 * w}")
    f.raw("  %mmore = icmp slt i64 %mj1, %mend")
    f.raw("  br i1 %mmore, label %mloop, label %mdone")
    f.raw("mdone:")
    f.raw(f"  %mc0 = phi {vt} [ {init}, %frow ], [ %mb0, %mloop ]")
    f.raw(f"  %mc1 = phi {vt} [ {init}, %frow ], [ %mb1, %mloop ]")
    v = _vminmax(f, red.op, vt, dt, "%mc0", "%mc1")
    r = f.emit(f"load {ty}, ptr {slot}")
    for lane in range(w):
        r = _combine(f, red, r, f.emit(f"extractelement {vt} {v}, i32 {lane}"))
    f.raw(f"  store {ty} {r}, ptr {slot}")
    return "%mend", "%mdone"


_PW_ARGS = "ptr %ptrs, ptr %consts, ptr %sf, ptr %bnd"  # (element functions of _render_pw)
_PW_CALL = "ptr %ptrs, ptr %consts, ptr %sf, ptr %bnd"


def _element_fn(k: Kernel, body: _Body, mod: _Module, name: str, adt: np.dtype, w: int,
                bounded: bool = True) -> str:
    """``@NAME_v1``: the body's value at flat index ``i`` of a flat kernel, as ``adt``; or
    ``@NAME_vW``: the ``W`` values from ``i`` on as a vector (explicit lanes).  Inputs that
    are not contiguous are read at element 0, or 1 from their boundary in ``%bnd`` on
    (``bounded``; ``@NAME_cW`` without it: element 0)."""
    fe = _Fn(mod)
    ty = _ty(adt)
    rt = ty if w == 1 else f"<{w} x {ty}>"
    tag = "v" if bounded else "c"
    fe.raw(f"define internal {rt} @{name}_{tag}{w}({_PW_ARGS}, i64 %i) alwaysinline {{")
    fe.raw("entry:")
    ptrs = []
    bnds: dict[int, str] = {}
    for i, inp in enumerate(k.inputs):
        p = fe.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(fe.emit(f"load ptr, ptr {p}"))
        if inp.layout != "contiguous" and bounded:
            b = fe.emit(f"getelementptr i64, ptr %bnd, i64 {i}")
            bnds[i] = fe.emit(f"load i64, ptr {b}")
    consts = body.const_values(fe)
    at = ["%i"] + [fe.emit(f"add i64 %i, {lane}") for lane in range(1, w)]

    def load(i: int, lane: int = 0) -> str:
        if k.inputs[i].layout == "contiguous":
            off = at[lane]
        elif not bounded:
            off = "0"
        else:  # (element 1 of the row input from the leaf's boundary on; see _render_pw)
            off = fe.emit(f"zext i1 {fe.emit(f'icmp sge i64 {at[lane]}, {bnds[i]}')} to i64")
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
    nc = [j for j, inp in enumerate(k.inputs) if inp.layout != "contiguous"]
    parts = [_element_fn(k, body, mod, name, adt, w, b) for w in (1, lanes) if w
             for b in ((True, False) if nc else (True,))]
    ev = f"@{name}_v1"
    # the leaf (8 <= n <= 128) as a function; where inputs are not contiguous, a second one
    # reading element 0 of them only, for the leaves that cross no boundary (most)
    for tag in ("v", "c") if nc else ("v",):
        parts.append(f"""
define internal {ty} @{name}_leaf{tag}({_PW_ARGS}, i64 %a, i64 %n) {{
leaf:
{_leaf(ty, f"@{name}_{tag}1", f"@{name}_{tag}8" if lanes else None)}
}}""")
    if nc:
        cross = ["  %lend = add i64 %a, %n"]
        acc_c = "false"
        for j in nc:
            cross.append(f"  %cx_{j} = icmp slt i64 %ubs_{j}, %lend")
            cross.append(f"  %cxo_{j} = or i1 {acc_c}, %cx_{j}")
            acc_c = f"%cxo_{j}"
        cross += [f"  br i1 {acc_c}, label %leafb, label %leafc",
                  "leafb:",
                  f"  %lb = call {ty} @{name}_leafv({_PW_CALL}, i64 %a, i64 %n)",
                  f"  ret {ty} %lb",
                  "leafc:",
                  f"  %lc = call {ty} @{name}_leafc({_PW_CALL}, i64 %a, i64 %n)",
                  f"  ret {ty} %lc"]
    else:
        cross = [f"  %lc = call {ty} @{name}_leafv({_PW_CALL}, i64 %a, i64 %n)",
                 f"  ret {ty} %lc"]
    leaf_call = "\n".join(cross)
    z = "-0.0"
    # Inputs that are not contiguous are read at element i // rl[j] of their pointer
    # (rl: the ``strides`` argument, one length per input; 0: always element 0, a broadcast
    # scalar).  The runtime gives lengths of 0 or at least 128 (or a multiple of the rows
    # of NAME_rows), so the <= 128 consecutive elements a call of rec reads (n <= 128) lie
    # in at most two such runs: rec moves the pointer to the run of %a and the element
    # function reads the next element from the boundary %bnd[j] on.
    nin = len(k.inputs)
    setup = [f"  %ptrs = alloca ptr, i64 {max(nin, 1)}", f"  %bnd = alloca i64, i64 {max(nin, 1)}"]
    for j, inp in enumerate(k.inputs):
        setup += [f"  %ugp_{j} = getelementptr ptr, ptr %gptrs, i64 {j}",
                  f"  %up_{j} = load ptr, ptr %ugp_{j}",
                  f"  %ulp_{j} = getelementptr ptr, ptr %ptrs, i64 {j}"]
        if inp.layout == "contiguous":
            setup.append(f"  store ptr %up_{j}, ptr %ulp_{j}")
            continue
        mt = _ty(inp.dtype) if _is_complex(inp.dtype) else _mem_ty(inp.dtype)
        setup += [f"  %urp_{j} = getelementptr i64, ptr %rl, i64 {j}",
                  f"  %uL_{j} = load i64, ptr %urp_{j}",
                  f"  %uz_{j} = icmp eq i64 %uL_{j}, 0",
                  f"  %uLs_{j} = select i1 %uz_{j}, i64 1, i64 %uL_{j}",
                  f"  %uqd_{j} = udiv i64 %a, %uLs_{j}",
                  f"  %uq_{j} = select i1 %uz_{j}, i64 0, i64 %uqd_{j}",
                  f"  %uq1_{j} = add i64 %uq_{j}, 1",
                  f"  %ub_{j} = mul i64 %uq1_{j}, %uL_{j}",
                  f"  %ubs_{j} = select i1 %uz_{j}, i64 9223372036854775807, i64 %ub_{j}",
                  f"  %ubp_{j} = getelementptr i64, ptr %bnd, i64 {j}",
                  f"  store i64 %ubs_{j}, ptr %ubp_{j}",
                  f"  %ump_{j} = getelementptr {mt}, ptr %up_{j}, i64 %uq_{j}",
                  f"  store ptr %ump_{j}, ptr %ulp_{j}"]
    setup_text = "\n".join(setup)
    rec = f"""
define internal {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a, i64 %n) {{
entry:
{setup_text}
  %small = icmp slt i64 %n, 8
  br i1 %small, label %seq, label %mid
seq:
  %e = add i64 %a, %n
  %se = icmp slt i64 %a, %e
  br i1 %se, label %sloop, label %sdone
sloop:
  %si = phi i64 [ %a, %seq ], [ %si1, %sloop ]
  %sr = phi {ty} [ {z}, %seq ], [ %sr1, %sloop ]
  %sv = call {ty} {ev}({_PW_CALL}, i64 %si)
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
{leaf_call}
split:
  %h = sdiv i64 %n, 2
  %hm = srem i64 %h, 8
  %n2 = sub i64 %h, %hm
  %l = call {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a, i64 %n2)
  %a2 = add i64 %a, %n2
  %n3 = sub i64 %n, %n2
  %r = call {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a2, i64 %n3)
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
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %strides, ptr %consts, ptr %sf, i64 %start,
                             i64 %n)
  store {ty} %r, ptr %acc
  %sfv = load i32, ptr %sf
  ret i32 %sfv
}}
"""
    # rows [start, stop) of length shape[0]: acc[o - start] = pairwise sum of row o
    rows = f"""
define internal i32 @{name}_rows({_IMPL_ARGS}) noinline {{
entry:
  %sf = alloca i32
  store i32 0, ptr %sf
  %len = load i64, ptr %shape
  %any = icmp slt i64 %start, %stop
  br i1 %any, label %loop, label %done
loop:
  %o = phi i64 [ %start, %entry ], [ %o1, %loop ]
  %a = mul i64 %o, %len
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %strides, ptr %consts, ptr %sf, i64 %a, i64 %len)
  %k = sub i64 %o, %start
  %p = getelementptr {ty}, ptr %acc, i64 %k
  store {ty} %r, ptr %p
  %o1 = add i64 %o, 1
  %more = icmp slt i64 %o1, %stop
  br i1 %more, label %loop, label %done
done:
  %sfv = load i32, ptr %sf
  ret i32 %sfv
}}
"""
    return "\n\n".join(parts) + rec + entry + rows


def _eight(ty: str, ev: str, ev8: str | None, at: str, name: str) -> list[str]:
    """``%{name}0`` ... ``%{name}7``: the body's values at flat indices ``at`` ... ``at + 7``
    (one call of the 8-lane element function ``ev8``, or eight of ``ev``)."""
    args = _PW_CALL
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
    """Eight accumulators over n in [8, 128], then the tail (NumPy's order); with the
    8-lane element function ``ev8`` the accumulators are the lanes of one vector (the same
    additions, lane by lane)."""
    if ev8 is None:
        lines = _eight(ty, ev, ev8, "%a", "r0_")
    else:
        args = _PW_CALL
        vt = f"<8 x {ty}>"
        lines = [
            f"  %r0v = call {vt} {ev8}({args}, i64 %a)",
            "  %nm = srem i64 %n, 8",
            "  %nend = sub i64 %n, %nm",
            "  %lim = add i64 %a, %nend",
            "  %st = add i64 %a, 8",
            "  %has = icmp slt i64 %st, %lim",
            "  br i1 %has, label %lloop, label %lsum",
            "lloop:",
            "  %li = phi i64 [ %st, %leaf ], [ %li8, %lloop ]",
            f"  %rav = phi {vt} [ %r0v, %leaf ], [ %rbv, %lloop ]",
            f"  %lvv = call {vt} {ev8}({args}, i64 %li)",
            f"  %rbv = fadd {vt} %rav, %lvv",
            "  %li8 = add i64 %li, 8",
            "  %lm = icmp slt i64 %li8, %lim",
            "  br i1 %lm, label %lloop, label %lsum",
            "lsum:",
            f"  %rcv = phi {vt} [ %r0v, %leaf ], [ %rbv, %lloop ]",
        ]
        lines += [f"  %rc{j} = extractelement {vt} %rcv, i32 {j}" for j in range(8)]
        return "\n".join(lines + _leaf_tail(ty, ev))
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
    return "\n".join(lines + _leaf_tail(ty, ev))


def _leaf_tail(ty: str, ev: str) -> list[str]:
    """The eight accumulators ``%rc0`` ... ``%rc7`` added pairwise, then the elements left
    after the last full eight one by one (NumPy's order); returns the sum."""
    return [
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
        f"  %tv = call {ty} {ev}({_PW_CALL}, i64 %ti)",
        f"  %tr1 = fadd {ty} %tr, %tv",
        "  %ti1 = add i64 %ti, 1",
        "  %tm = icmp slt i64 %ti1, %end",
        "  br i1 %tm, label %tloop, label %tdone",
        "tdone:",
        f"  %tres = phi {ty} [ %res0, %lsum ], [ %tr1, %tloop ]",
        f"  ret {ty} %tres",
    ]


_FAST_RE = re.compile(r"= (fadd|fsub|fmul|fdiv|frem|fneg) ")
# LAZYNP_FASTMATH: reassociation, contraction (FMA), reciprocals, approximate functions and
# no signed zeros -- but never nnan/ninf, so NaN/inf propagation, comparisons and the
# floating-point flags the runtime checks keep NumPy's meaning
FAST_FLAGS = "reassoc nsz arcp contract afn"


def render(k: Kernel, pairwise: bool = False, vector_abi: tuple | None = None,
           libmvec: bool = False, fastmath: bool = False) -> Rendered:
    """LLVM IR of ``k``: entry points ``NAME_flat`` and ``NAME_nd`` (elementwise and
    reductions; no ``NAME_flat`` for axis reductions), or, for a reduction with
    ``pairwise`` (float sums of flat inputs), ``NAME_pw`` and ``NAME_pwrows`` only.

    ``vector_abi``: ``(isa letter, doubles per vector, floats per vector)`` of the host's
    vector registers in the x86 vector-function ABI's terms (``("e", 8, 16)`` for AVX-512),
    or None for no explicit lanes; ``libmvec``: whether glibc's libmvec is loaded (its
    functions may be called in those lanes).
    ``fastmath`` (``config.fastmath``, opt-in): every floating-point arithmetic instruction
    carries ``FAST_FLAGS``, so LLVM may reassociate (vectorized reductions), contract to FMA
    and use reciprocals; results then differ from NumPy's in the last bits."""
    body = _Body(k)
    red = k.reduction
    if red is not None:
        _check_reduction(red)
        identity(red)
    else:
        _ty(k.outputs[0].dtype)
    mod = _Module(vector_abi, libmvec)
    name = k.name or "kernel"
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    parts = []
    entries = []
    pw = red is not None and pairwise  # (then the runtime calls only the pairwise entries)
    if not pw and (red is None or len(red.axes) == len(k.shape)):
        parts.append(_render_flat(k, body, mod, name + "_flat_impl"))
        parts.append(_wrapper(name + "_flat", name + "_flat_impl"))
        entries.append(name + "_flat")
    if not pw:
        parts.append(_render_nd(k, body, mod, name + "_nd_impl"))
        parts.append(_wrapper(name + "_nd", name + "_nd_impl"))
        entries.append(name + "_nd")
    if pw:
        parts.append(_render_pw(k, body, mod, name + "_pw_impl"))
        parts.append(_wrapper(name + "_pw", name + "_pw_impl"))
        parts.append(_wrapper(name + "_pwrows", name + "_pw_impl_rows"))
        entries += [name + "_pw", name + "_pwrows"]
    decls = sorted(mod.decls | {"declare i32 @feclearexcept(i32)",
                                "declare i32 @fetestexcept(i32)"})
    parts += [mod.defs[n] for n in sorted(mod.defs)]
    ir = "\n".join(decls) + "\n\n" + "\n\n".join(parts)
    if fastmath:
        ir = _FAST_RE.sub(lambda m: f"= {m.group(1)} {FAST_FLAGS} ", ir)
    return Rendered(ir, tuple(entries), body.consts,
                    tuple(mod.vmath[n] for n in sorted(mod.vmath)))


# The in-place driver (``runtime._blocks_in_place``): for the blocks ``[first, last)`` of an
# elementwise kernel whose output is also one of its inputs at the same positions, each block
# ``[bounds[i], bounds[i+1])`` is computed by the kernel's flat entry ``fn`` into ``scratch``
# (its output pointer, slot ``oslot`` of ``ptrs``, set so that the block's first element lands
# on scratch[0]) and copied over ``target`` when it raised no floating-point flag.  At the
# first block that raised one the driver stops: ``stopped`` gets that block's index and the
# flags are returned (0 and ``last`` when every block was written).  One call covers a thread's
# run of blocks, so the blocks can be small (L1-sized) without a Python call each.
IN_PLACE_DRIVER = """
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

define i32 @lz_in_place(ptr %fn, ptr %ptrs, i64 %oslot, ptr %shape, ptr %strides, ptr %consts,
                        ptr %bounds, i64 %first, i64 %last, ptr %scratch, ptr %target,
                        i64 %itemsize, ptr %stopped) {
entry:
  %slot = getelementptr i64, ptr %ptrs, i64 %oslot
  %sbase = ptrtoint ptr %scratch to i64
  br label %loop
loop:
  %i = phi i64 [ %first, %entry ], [ %next, %commit ]
  %more = icmp slt i64 %i, %last
  br i1 %more, label %body, label %ok
body:
  %bp = getelementptr i64, ptr %bounds, i64 %i
  %s = load i64, ptr %bp
  %next = add i64 %i, 1
  %ep = getelementptr i64, ptr %bounds, i64 %next
  %e = load i64, ptr %ep
  %off = mul i64 %s, %itemsize
  %o = sub i64 %sbase, %off
  store i64 %o, ptr %slot
  %f = call i32 %fn(ptr %ptrs, ptr %shape, ptr %strides, ptr %consts, ptr null, i64 %s, i64 %e)
  %bad = icmp ne i32 %f, 0
  br i1 %bad, label %flag, label %commit
commit:
  %dst = getelementptr i8, ptr %target, i64 %off
  %cnt = sub i64 %e, %s
  %nb = mul i64 %cnt, %itemsize
  call void @llvm.memcpy.p0.p0.i64(ptr %dst, ptr %scratch, i64 %nb, i1 false)
  br label %loop
ok:
  store i64 %last, ptr %stopped
  ret i32 0
flag:
  store i64 %i, ptr %stopped
  ret i32 %f
}
"""
