"""Random draws generated on the GPU, bit-identical to NumPy (CUDA C device code).

A pending RANDOM source node of PCG64 / PCG64DXSM (``lazynp.random._fill.Draws``: the
generator's ``kind`` and multiplier, a state ``snapshot``, the kernel ``method``, its
consumption ``cons`` and one-element ``params``) is generated inside the kernel that reads it:
element ``e`` of the request is a pure function of the snapshot and ``e``, so any launch
configuration gives NumPy's serial stream.  Three uses:

* inline, in an elementwise kernel of :mod:`lazynp.codegen_gpu.render` (a plan input whose
  ``source`` is set): :func:`params`, :func:`setup` and :func:`element` give that input's
  entry parameters, per-thread set-up lines and per-element expression;
* inside a reduction kernel of :mod:`lazynp.codegen_gpu.reduce`: the same parameters,
  held with the generator state in the work item's view (:func:`run_fields`); each work item
  reads a run of elements in increasing order, so it starts its generator afresh
  (:func:`run_setup`), jumps once to its first element and steps by one draw from there;
  :func:`element` takes the element's offset and the view's prefix (``"A."``);
* standalone, :func:`render_fill`: a kernel writing elements ``[at, at + n)`` of the request
  into a contiguous buffer (a materialized ``rng.random(N)``: the plan's ``source`` NodeStep);
  its parameters are ``out``, ``n`` (``int`` or ``long long``: :func:`fill_bits`), then input
  0's below (:func:`fill_params`).

Generation
----------
Draw ``d`` (0-based from the snapshot) is NumPy's ``next_uint64``: PCG64 outputs XSL-RR of the
state after ``d + 1`` LCG steps, PCG64DXSM outputs DXSM of the state after ``d`` steps (and
then steps; its multiplier is the 64-bit "cheap" one).  A thread of the grid-stride loop
visits elements ``i0, i0 + step, ...``: it jumps once from the snapshot to its first draw
(``lz_lcg_pow``: NumPy's ``pcg_advance_lcg_128``, O(log distance)), and from one element to
the next applies a precomputed affine map of ``D`` LCG steps (``D`` = draws between elements
``step`` apart, or ``D + 1``: one more step), one 128-bit multiply-add per element.  Memory
accesses stay those of the grid-stride loop (coalesced); nothing depends on ``step`` but the
speed.  A run (:func:`run_setup`) has no leap map: after its first jump each element is
one LCG step from the last (or none, within a 32-bit half).  32-bit consumers (``cons = ("u32", k)``: ``k`` elements per 32-bit half) follow
NumPy's ``next_uint32``: when the snapshot has a buffered half (``has_uint32``) it is half 0,
then the low and high halves of draws 0, 1, ...; element ``e`` takes half ``e // k`` and,
within it, bits ``[w * (e % k), w * (e % k + 1))`` (``w = 32 // k``: NumPy's buffered 16-bit,
8-bit and bool draws, the first from the low bits; one call's buffer is the whole request).

Per-method values (NumPy's, exactly as the CPU kernels of ``lazynp.random`` compute them):
``random_f64`` ``(x >> 11) * 2**-53``; ``uniform`` ``low + range * that`` (two roundings:
``__dmul_rn`` then ``__dadd_rn``); ``random_f32`` ``(h >> 8) * 2**-24`` of a 32-bit half;
``raw`` ``x``; ``int64`` ``off + x`` (range 2**64 - 1) or ``off + h`` (range 2**32 - 1);
``int32`` / ``int16`` / ``int8`` ``off`` plus the 32/16/8-bit field, truncated to the output
dtype; ``bool`` the bit (full-range requests only: the fixed-draw cases that are lazy).

Entry parameters of a generated input ``j`` (scalars, by value, in this order; the runtime
passes :func:`launch_values`):

* ``unsigned long long g{j}_w0 .. g{j}_w5``: the snapshot's six words (``state_lo, state_hi,
  inc_lo, inc_hi, has_uint32, uinteger``: ``Draws.snapshot`` as is);
* ``unsigned long long g{j}_at``: the request's element read at iteration index 0 (0 for a
  kernel over the whole request; ``start`` for a launch over a chunk ``[start, start + n)``);
* ``uniform``: ``double g{j}_lo, g{j}_range``; integers (not bool): ``unsigned long long
  g{j}_off`` (``Draws.params`` of the method; an integer range is implied by ``cons``).

The device functions (:data:`PREAMBLE`) compile with nvcc / NVRTC (``__umul64hi``) and, for
the tests' CPU shim, with a host C++ compiler (``unsigned __int128``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..fusion.plan import Unsupported

__all__ = ["MULT", "PREAMBLE", "Spec", "element", "fill_bits", "fill_params", "launch_values",
           "params", "render_fill", "run_fields", "run_setup", "setup", "spec"]

# NumPy's LCG multipliers (PCG64's 128-bit one, PCG64DXSM's 64-bit "cheap" one)
MULT = {"pcg64": 0x2360ED051FC65DA44385DF649FCCF645, "pcg64dxsm": 0xDA942042E4DD58B5}
_M64 = (1 << 64) - 1
_NARROW_LIMIT = (1 << 31) - (1 << 26)  # as codegen_gpu.render: int indices below this

PREAMBLE = r"""#ifndef LZ_RANDOM_PREAMBLE
#define LZ_RANDOM_PREAMBLE
// lazynp.codegen_gpu.random: PCG64 / PCG64DXSM draws as NumPy makes them
typedef unsigned long long lz_u64;
#ifdef __CUDA_ARCH__
#define LZ_MULHI(a, b) __umul64hi((a), (b))
#else
#define LZ_MULHI(a, b) ((lz_u64)(((unsigned __int128)(a) * (unsigned __int128)(b)) >> 64))
#endif
struct lz_u128 { lz_u64 lo, hi; };
struct lz_aff { lz_u128 a, c; };  // x -> a * x + c (mod 2**128)

__device__ __forceinline__ lz_u128 lz_u128_of(lz_u64 lo, lz_u64 hi) {
  lz_u128 r;
  r.lo = lo;
  r.hi = hi;
  return r;
}
__device__ __forceinline__ lz_u128 lz_mul128(lz_u128 a, lz_u128 b) {
  return lz_u128_of(a.lo * b.lo, LZ_MULHI(a.lo, b.lo) + a.lo * b.hi + a.hi * b.lo);
}
__device__ __forceinline__ lz_u128 lz_add128(lz_u128 a, lz_u128 b) {
  const lz_u64 lo = a.lo + b.lo;
  return lz_u128_of(lo, a.hi + b.hi + (lo < a.lo ? 1ULL : 0ULL));
}
__device__ __forceinline__ lz_u128 lz_madd128(lz_u128 a, lz_u128 x, lz_u128 c) {
  return lz_add128(lz_mul128(a, x), c);
}
__device__ __forceinline__ lz_u128 lz_mult(int dxsm) {
  return dxsm ? lz_u128_of(0xda942042e4dd58b5ULL, 0ULL)
              : lz_u128_of(0x4385df649fccf645ULL, 0x2360ed051fc65da4ULL);
}
// ``delta`` steps of x -> m * x + inc as one affine map (NumPy's pcg_advance_lcg_128)
__device__ inline lz_aff lz_lcg_pow(lz_u128 m, lz_u128 inc, lz_u64 delta) {
  lz_aff acc;
  acc.a = lz_u128_of(1ULL, 0ULL);
  acc.c = lz_u128_of(0ULL, 0ULL);
  const lz_u128 one = lz_u128_of(1ULL, 0ULL);
  while (delta) {
    if (delta & 1ULL) {
      acc.a = lz_mul128(acc.a, m);
      acc.c = lz_madd128(acc.c, m, inc);
    }
    inc = lz_mul128(lz_add128(m, one), inc);
    m = lz_mul128(m, m);
    delta >>= 1;
  }
  return acc;
}
// the output of the state a draw is made from (PCG64: XSL-RR of the stepped state;
// PCG64DXSM: DXSM of the state before its step)
__device__ __forceinline__ lz_u64 lz_pcg_out(lz_u128 s, int dxsm) {
  if (dxsm) {
    lz_u64 hi = s.hi;
    const lz_u64 lo = s.lo | 1ULL;
    hi ^= hi >> 32;
    hi *= 0xda942042e4dd58b5ULL;
    hi ^= hi >> 48;
    return hi * lo;
  }
  const lz_u64 x = s.hi ^ s.lo;
  const unsigned r = (unsigned)(s.hi >> 58);
  return (x >> r) | (x << ((64u - r) & 63u));
}
// one thread's position in the stream: draw ``d`` (its output ``x``) and the map of ``D`` draws
struct lz_pcg {
  lz_u128 s, inc;
  lz_aff jump;
  lz_u64 D, d, x, u;
  int buffered;
};
__device__ __forceinline__ void lz_pcg_init(lz_pcg* g, lz_u64 w0, lz_u64 w1, lz_u64 w2,
                                            lz_u64 w3, lz_u64 w4, lz_u64 w5, int dxsm,
                                            lz_u64 D) {
  const lz_u128 m = lz_mult(dxsm);
  g->inc = lz_u128_of(w2, w3);
  g->s = lz_u128_of(w0, w1);
  if (!dxsm) g->s = lz_madd128(m, g->s, g->inc);
  g->buffered = w4 != 0ULL;
  g->u = w5;
  g->d = 0ULL;
  g->x = lz_pcg_out(g->s, dxsm);
  g->D = D;
  g->jump = lz_lcg_pow(m, g->inc, D);
}
// 64-bit draw ``d`` (``d`` never below the thread's last one)
__device__ __forceinline__ lz_u64 lz_draw(lz_pcg* g, lz_u64 d, int dxsm) {
  const lz_u64 delta = d - g->d;
  if (delta == 0ULL) return g->x;
  const lz_u128 m = lz_mult(dxsm);
  if (delta == 1ULL) {
    g->s = lz_madd128(m, g->s, g->inc);
  } else if (delta == g->D || delta == g->D + 1ULL) {
    g->s = lz_madd128(g->jump.a, g->s, g->jump.c);
    if (delta != g->D) g->s = lz_madd128(m, g->s, g->inc);
  } else {
    const lz_aff f = lz_lcg_pow(m, g->inc, delta);
    g->s = lz_madd128(f.a, g->s, f.c);
  }
  g->d = d;
  g->x = lz_pcg_out(g->s, dxsm);
  return g->x;
}
// 32-bit half ``h`` of NumPy's next_uint32 sequence (the buffered half first, if any)
__device__ __forceinline__ unsigned lz_half(lz_pcg* g, lz_u64 h, int dxsm) {
  if (g->buffered) {
    if (h == 0ULL) return (unsigned)g->u;
    h -= 1ULL;
  }
  const lz_u64 x = lz_draw(g, h >> 1, dxsm);
  return (h & 1ULL) ? (unsigned)(x >> 32) : (unsigned)x;
}
// element ``e`` of a request taking ``k`` elements of ``w`` bits from each 32-bit half
__device__ __forceinline__ unsigned lz_bits(lz_pcg* g, lz_u64 e, unsigned k, unsigned w,
                                            int dxsm) {
  const lz_u64 h = e / k;
  const unsigned v = lz_half(g, h, dxsm);
  if (k == 1u) return v;
  const unsigned pos = (unsigned)(e - h * k);
  return (v >> (w * pos)) & ((1u << w) - 1u);
}
__device__ __forceinline__ double lz_f64(lz_u64 x) {
  return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}
__device__ __forceinline__ float lz_f32(unsigned h) {
  return (float)(h >> 8) * (1.0f / 16777216.0f);
}
#endif  // LZ_RANDOM_PREAMBLE
"""


class Spec(NamedTuple):
    """What a generated input is, structurally (the rendered code depends on nothing else)."""

    kind: str        # "pcg64" | "pcg64dxsm"
    method: str      # the CPU kernel's name (lazynp.random._kernels.KERNELS)
    units: int       # 0: one 64-bit draw per element; k: k elements per 32-bit half
    dtype: np.dtype  # the values' dtype

    @property
    def per_draw(self) -> int:
        """Elements per 64-bit draw."""
        return 1 if self.units == 0 else 2 * self.units


# method -> (consumption, the range the lazy request has (None: no range), dtype test)
_METHODS: dict[str, list[tuple[tuple, int | None, str]]] = {
    "raw": [(("u64",), None, "u8")],
    "random_f64": [(("u64",), None, "f8")],
    "uniform": [(("u64",), None, "f8")],
    "random_f32": [(("u32", 1), None, "f4")],
    "int64": [(("u64",), _M64, "i8"), (("u32", 1), 0xFFFFFFFF, "i8")],
    "int32": [(("u32", 1), 0xFFFFFFFF, "i4")],
    "int16": [(("u32", 2), 0xFFFF, "i2")],
    "int8": [(("u32", 4), 0xFF, "i1")],
    "bool": [(("u32", 32), 1, "b1")],
}


def _dtype_ok(dt: np.dtype, want: str) -> bool:
    if want == "b1":
        return dt.kind == "b"
    if want[0] == "i":  # an integer kernel stores signed or unsigned values of its width
        return dt.kind in "iu" and dt.itemsize == int(want[1:])
    return dt == np.dtype(want)


def spec(source: Any, dtype: Any) -> Spec:
    """The :class:`Spec` of generated input ``source`` (a ``Draws``) read as ``dtype``, or
    ``Unsupported`` for draws the GPU does not generate."""
    kind = getattr(source, "kind", None)
    if kind not in MULT or int(getattr(source, "mult", 0)) != MULT[kind]:
        raise Unsupported(f"random draws of bit generator {kind!r} on the GPU")
    method, cons, dt = source.method, tuple(source.cons), np.dtype(dtype)
    for want_cons, rng, want_dt in _METHODS.get(method, ()):
        if cons != want_cons or not _dtype_ok(dt, want_dt):
            continue
        if rng is not None and int(np.asarray(source.params[0]).reshape(-1)[0]) != rng:
            continue
        return Spec(kind, method, 0 if cons[0] == "u64" else int(cons[1]), dt)
    raise Unsupported(f"random draws {method} {cons} as {dt} on the GPU")


_CT = {"f8": "double", "f4": "float", "b1": "bool", "i1": "signed char", "i2": "short",
       "i4": "int", "i8": "long long", "u1": "unsigned char", "u2": "unsigned short",
       "u4": "unsigned int", "u8": "unsigned long long"}


def _ctype(dt: np.dtype) -> str:
    return _CT["b1" if dt.kind == "b" else f"{dt.kind}{dt.itemsize}"]


def _param_names(sp: Spec, j: int) -> list[tuple[str, str]]:
    """(C type, name) of the method's own parameters."""
    if sp.method == "uniform":
        return [("double", f"g{j}_lo"), ("double", f"g{j}_range")]
    if sp.method.startswith("int"):
        return [("unsigned long long", f"g{j}_off")]
    return []


def params(j: int, source: Any, dtype: Any) -> list[tuple[str, str]]:
    """The entry parameters of generated input ``j`` as ``(C type, name)``, in order."""
    sp = spec(source, dtype)
    u64 = "unsigned long long"
    return ([(u64, f"g{j}_w{m}") for m in range(6)] + [(u64, f"g{j}_at")]
            + _param_names(sp, j))


def launch_values(j: int, source: Any, dtype: Any, at: int = 0) -> dict[str, Any]:
    """The values of :func:`params` (Python ints, floats for ``uniform``'s): ``at`` is the
    request's element read at iteration index 0."""
    sp = spec(source, dtype)
    vals: dict[str, Any] = {f"g{j}_w{m}": int(source.snapshot[m]) for m in range(6)}
    vals[f"g{j}_at"] = int(at)
    p = [np.asarray(v).reshape(-1)[0] for v in source.params]
    if sp.method == "uniform":
        vals[f"g{j}_lo"], vals[f"g{j}_range"] = float(p[0]), float(p[1])
    elif sp.method.startswith("int"):
        vals[f"g{j}_off"] = int(p[1]) & _M64
    return vals


def setup(j: int, source: Any, dtype: Any) -> list[str]:
    """Per-thread set-up of generated input ``j`` (after the entry's ``step`` is defined)."""
    sp = spec(source, dtype)
    words = ", ".join(f"g{j}_w{m}" for m in range(6))
    dxsm = int(sp.kind == "pcg64dxsm")
    return [f"lz_pcg g{j};  // {sp.kind} {sp.method} (lazynp.codegen_gpu.random)",
            f"lz_pcg_init(&g{j}, {words}, {dxsm}, (lz_u64)step / {sp.per_draw}ULL);"]


def run_fields(j: int, source: Any, dtype: Any) -> list[str]:
    """C declarations of generated input ``j`` as members of a struct (a reduction's
    per-work-item view): :func:`params`' values and the generator state ``g{j}``."""
    sp = spec(source, dtype)
    return ([f"{t} {n};" for t, n in params(j, source, dtype)]
            + [f"lz_pcg g{j};  // {sp.kind} {sp.method} (lazynp.codegen_gpu.random)"])


def run_setup(j: int, source: Any, dtype: Any, prefix: str = "", leap: str = "0") -> list[str]:
    """Set-up of generated input ``j`` for a *run*: elements read in increasing order (a
    contiguous run, a pairwise subtree, several runs one after another) by one thread.  The
    generator is put at draw 0 of the snapshot with no leap map: its first element jumps
    once (``lz_lcg_pow``, O(log distance)), each later one steps by one draw (or none, within
    a 32-bit half), any other forward distance jumps again.  ``prefix``: where the values of
    :func:`params` and the state ``g{j}`` live (``"A."``: members of a struct, as
    :func:`run_fields` declares them).  ``leap``: a C expression, the elements between
    successive reads where they are evenly spaced (a fold along a non-trailing axis), so
    that distance is one precomputed map as in :func:`setup` (``0``: none).  Run it again
    before a thread reads elements before its last one (the next work item)."""
    sp = spec(source, dtype)
    words = ", ".join(f"{prefix}g{j}_w{m}" for m in range(6))
    dxsm = int(sp.kind == "pcg64dxsm")
    d = "0ULL" if leap == "0" else f"(lz_u64)({leap}) / {sp.per_draw}ULL"
    return [f"lz_pcg_init(&{prefix}g{j}, {words}, {dxsm}, {d});"]


def element(j: int, source: Any, dtype: Any, index: str = "i", prefix: str = "") -> str:
    """The C expression of generated input ``j`` at iteration index ``index`` (its value's C
    type is the renderer's for ``dtype``: ``bool`` for bool); ``prefix`` as in
    :func:`run_setup`.  Successive reads by one thread must not go back in the stream."""
    sp = spec(source, dtype)
    g = f"{prefix}g{j}"
    e = f"({g}_at + (lz_u64)({index}))"
    dxsm = int(sp.kind == "pcg64dxsm")
    ct = _ctype(sp.dtype)
    if sp.units == 0:
        x = f"lz_draw(&{g}, {e}, {dxsm})"
        if sp.method == "random_f64":
            return f"lz_f64({x})"
        if sp.method == "uniform":
            return f"__dadd_rn({g}_lo, __dmul_rn({g}_range, lz_f64({x})))"
        if sp.method == "raw":
            return f"(({ct}){x})"
        return f"(({ct})({g}_off + {x}))"  # int64, full range
    k = sp.units
    h = f"lz_bits(&{g}, {e}, {k}u, {32 // k}u, {dxsm})"
    if sp.method == "random_f32":
        return f"lz_f32({h})"
    if sp.method == "bool":
        return f"({h} != 0u)"
    if sp.method == "int64":
        return f"(({ct})({g}_off + (lz_u64){h}))"
    return f"(({ct})((unsigned){g}_off + {h}))"


def fill_params(source: Any, dtype: Any, bits: int) -> list[tuple[str, str]]:
    """The parameters of :func:`render_fill`'s entry: ``out``, ``n``, then input 0's."""
    dt = np.dtype(dtype)
    mem = "unsigned char" if dt.kind == "b" else _ctype(dt)
    it = "long long" if bits == 64 else "int"
    return [(f"{mem}*", "out"), (it, "n"), *params(0, source, dt)]


def fill_bits(n: int) -> int:
    """Index width of a fill of ``n`` elements (32 below the renderer's limit)."""
    return 64 if n >= _NARROW_LIMIT else 32


def render_fill(source: Any, dtype: Any, bits: int = 64) -> tuple[str, str]:
    """CUDA C of a standalone fill: ``out[i]`` = element ``g0_at + i`` of the request, for
    ``0 <= i < n`` (a grid-stride loop: any grid and block size give the same values)."""
    sp = spec(source, dtype)
    it = "long long" if bits == 64 else "int"
    entry = f"lzg_rand_{sp.kind}_{sp.method}_{_ctype(sp.dtype).replace(' ', '_')}_{bits}"
    decl = ", ".join(f"{t} {n}" for t, n in fill_params(source, sp.dtype, bits))
    mem = "unsigned char" if sp.dtype.kind == "b" else _ctype(sp.dtype)
    src = [PREAMBLE,
           f'extern "C" __global__ void {entry}({decl}) {{',
           f"  const {it} step = ({it})blockDim.x * ({it})gridDim.x;",
           f"  {it} i = ({it})blockIdx.x * ({it})blockDim.x + ({it})threadIdx.x;",
           *("  " + line for line in setup(0, source, sp.dtype)),
           "  for (; i < n; i += step) {",
           f"    out[i] = ({mem})({element(0, source, sp.dtype)});",
           "  }", "}", ""]
    return "\n".join(src), entry
