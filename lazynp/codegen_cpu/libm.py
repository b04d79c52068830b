"""One row per libm-backed elementwise op of the CPU backend.

Each :class:`LibmOp` row says everything the backend and its tests need about one op whose
float32/float64 element is a C math library call:

* ``op``: the ``Op`` member (its NumPy ufunc name, ``op.value``, keys the ULP bound);
* ``c_name``: the C function (``exp``; the float32 form adds ``f``: ``expf``);
* ``arity``: 1 or 2 operands (the ULP tests generate that many arrays);
* ``libmvec``: glibc's libmvec has vector variants (``_ZGVeN8v_exp`` ...), so the explicit
  lanes of a loop may call it;
* ``impl``: per LLVM type (``"double"``, ``"float"``) where the op is not computed the default
  way (libmvec in the explicit lanes of a loop, scalar libm for the elements left over):
  ``"vmath"``: our own implementation (``vmath.py``): vector code in the lanes, the same
  formulas as scalar code elsewhere; ``"libmvec"``: libmvec everywhere, a scalar argument
  splat over a vector.  Chosen by measured ULP distance from NumPy's own results on glibc
  2.36: libmvec's float64 exp/sin/cos/tan are 3 ULP from NumPy and libmvec's float32 log 5
  (glibc's scalar ones do not vectorize); glibc's scalar float64 cbrt is 3 ULP from NumPy,
  libmvec's 2; NumPy's and libmvec's float64 arccos(1) is -0.0, libm's +0.0.  Without
  libmvec (another libc) ``"libmvec"`` and the lanes of the default mean scalar libm;
* ``ulp``: the maximum ULP distance from NumPy's result, (float64, float32), measured on the
  development machine (Zen 4, glibc 2.36, NumPy 2.4); float_power computes float32 in
  float64, so its float32 entry is not measured separately.

These facts are backend facts (libmvec, vmath, glibc's accuracy), not graph facts, so the
table lives with the backend.  Everything else is derived from :data:`ROWS`: the renderer's
lookups (``libcalls.py``, ``lowering.py``: op -> C name, :data:`LIBMVEC`, :data:`LIBM_IMPL`), the ULP bounds
(:data:`ULP_BOUNDS`), the ULP tests (``tests/codegen_cpu/test_ulp.py``: functions, arity,
bounds) and the table in ``docs/numerics.md`` (:func:`docs_table`, checked by that test).
Adding a libm-backed op is one row here (plus its input domain in the ULP test if the
default, the whole real line, does not fit it, and the row of the docs table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.ops import BINARY, UNARY, Op
from . import vmath

__all__ = ["LIBMVEC", "LIBM_IMPL", "LIBM_NAME", "ROWS", "ULP_BOUNDS", "LibmOp", "docs_table"]


@dataclass(frozen=True)
class LibmOp:
    op: Op
    c_name: str
    arity: int
    ulp: tuple[int, int]
    libmvec: bool = True
    impl: dict[str, str] = field(default_factory=dict)


ROWS: tuple[LibmOp, ...] = (
    LibmOp(Op.EXP, "exp", 1, (1, 4), impl={"double": "vmath"}),
    LibmOp(Op.LOG, "log", 1, (1, 4), impl={"float": "vmath"}),
    LibmOp(Op.LOG2, "log2", 1, (2, 3)),
    LibmOp(Op.LOG10, "log10", 1, (2, 3)),
    LibmOp(Op.EXP2, "exp2", 1, (1, 2)),
    LibmOp(Op.EXPM1, "expm1", 1, (1, 2)),
    LibmOp(Op.LOG1P, "log1p", 1, (2, 2)),
    LibmOp(Op.SIN, "sin", 1, (1, 1), impl={"double": "vmath"}),
    LibmOp(Op.COS, "cos", 1, (1, 2), impl={"double": "vmath"}),
    LibmOp(Op.TAN, "tan", 1, (1, 3), impl={"double": "vmath"}),
    LibmOp(Op.SINH, "sinh", 1, (2, 2)),
    LibmOp(Op.COSH, "cosh", 1, (2, 2)),
    LibmOp(Op.TANH, "tanh", 1, (2, 3)),
    LibmOp(Op.ARCSIN, "asin", 1, (2, 3)),
    LibmOp(Op.ARCCOS, "acos", 1, (1, 2), impl={"double": "libmvec"}),
    LibmOp(Op.ARCTAN, "atan", 1, (2, 2)),
    LibmOp(Op.ARCSINH, "asinh", 1, (1, 2)),
    LibmOp(Op.ARCCOSH, "acosh", 1, (2, 2)),
    LibmOp(Op.ARCTANH, "atanh", 1, (1, 2)),
    LibmOp(Op.CBRT, "cbrt", 1, (2, 4), impl={"double": "libmvec"}),
    LibmOp(Op.ARCTAN2, "atan2", 2, (2, 3)),
    LibmOp(Op.HYPOT, "hypot", 2, (1, 1)),
    LibmOp(Op.POWER, "pow", 2, (1, 1)),
    LibmOp(Op.FLOAT_POWER, "pow", 2, (1, 1)),
    # exact: NumPy's loop calls the same C function (npy_nextafter); no vector variant
    LibmOp(Op.NEXTAFTER, "nextafter", 2, (0, 0), libmvec=False),
)

#: Op -> C name of every libm-backed op
LIBM_NAME: dict[Op, str] = {r.op: r.c_name for r in ROWS}
#: C names glibc's libmvec provides (AVX-512/AVX2/SSE variants, double and float)
LIBMVEC = frozenset(r.c_name for r in ROWS if r.libmvec)
#: where each C function is computed, by (C name, LLVM type), where not the default
LIBM_IMPL: dict[tuple[str, str], str] = {
    (r.c_name, ty): impl for r in ROWS for ty, impl in r.impl.items()}
#: max ULP distance from NumPy's result, (float64, float32), by NumPy ufunc name
ULP_BOUNDS: dict[str, tuple[int, int]] = {r.op.value: r.ulp for r in ROWS}


def _check() -> None:
    assert len(LIBM_NAME) == len(ROWS), "one row per op"
    for r in ROWS:
        assert r.arity == (1 if r.op in UNARY else 2 if r.op in BINARY else 0), r
        assert set(r.impl) <= {"double", "float"}, r
        assert set(r.impl.values()) <= {"vmath", "libmvec"}, r
        assert all(impl != "libmvec" or r.libmvec for impl in r.impl.values()), r
        assert all(impl != "vmath" or (r.c_name, ty) in vmath.IMPLEMENTED
                   for ty, impl in r.impl.items()), r
        # rows sharing a C function (power, float_power) agree on how it is computed
        for s in ROWS:
            if s.c_name == r.c_name:
                assert (s.arity, s.libmvec, s.impl) == (r.arity, r.libmvec, r.impl), (r, s)


_check()


def docs_table() -> str:
    """The ULP table of ``docs/numerics.md`` (between ``<!-- ulp-table -->`` markers)."""
    lines = ["| function | float64 | float32 |", "|---|---|---|"]
    for name in sorted(ULP_BOUNDS):
        f64, f32 = ULP_BOUNDS[name]
        lines.append(f"| `{name}` | {f64} | {f32} |")
    return "\n".join(lines)
