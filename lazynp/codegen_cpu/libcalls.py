"""Calls of math functions in rendered kernels, and which implementation computes each:
LLVM intrinsics, the C math library, glibc's libmvec (x86 vector-function ABI names) or
lazynp's own ``vmath`` functions, chosen per function and type by the rows of ``libm.py``
(implementation and measured ULP bound per op).

When a body calls a transcendental function that has a vector form, LLVM's loop vectorizer
would scalarize the calls, so the loops run explicit lanes (``loops.py``) and each such call
becomes one vector call (``_vmath_call``, ``_vec_call``); ``vmath``'s functions are the same
formulas as vector code in the lanes and as scalar code elsewhere, so an element's value does
not depend on the entry point or its position."""

from __future__ import annotations

from . import libm, vmath
from .ir_module import _Fn, _Module

# libm-backed ops: one row each in libm.py (C name, arity, libmvec, implementation, ULP bound)
LIBMVEC = libm.LIBMVEC
LIBM_IMPL = libm.LIBM_IMPL
ULP_BOUNDS = libm.ULP_BOUNDS


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
