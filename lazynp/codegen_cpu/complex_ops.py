"""Complex arithmetic as NumPy's loops compute it, for the CPU renderer: which SIMD loops
this NumPy runs (``numpy_complex_loops``: fused multiply-adds or two roundings), product,
Smith division, reciprocal, absolute value and the lexicographic comparisons, each on
(real, imaginary) parts."""

from __future__ import annotations

import functools

import numpy as np

from ..graph.ops import Op
from .ir_module import _Fn
from .libcalls import _intrin
from .llvm_text import Unsupported, fconst
from .scalar_ops import _FCMP, _sel

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
    inf = fconst(np.inf, pt)
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
    h = _sel(f, nan, pt, fconst(np.nan, pt), h)
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
