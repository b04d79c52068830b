"""Kernel IR (``fusion/plan.py``) -> LLVM IR text for the CPU backend: one module per kernel
and its C-ABI entry points.

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

This module assembles a kernel's LLVM module and wraps its entry points in the C ABI above;
the parts are ``llvm_text.py`` (literals, types, flag bits), ``ir_module.py`` (line buffers),
``libcalls.py`` (math function calls), ``scalar_ops.py``, ``complex_ops.py``, ``lowering.py``
(the op table, and the dtypes beyond bool, integers, float32 and float64: docs/numerics.md
has the details), ``body.py`` (kernel bodies), ``loops.py`` (``NAME_flat``, ``NAME_nd``) and
``pairwise.py`` (``NAME_pw``, ``NAME_pwrows``).
"""

from __future__ import annotations

import re

from ..fusion.plan import Const, Kernel
from .body import _Body
from .ir_module import _Module
from .llvm_text import FE_MASK, _ty
from .loops import _ARGS, _check_reduction, _render_flat, _render_nd, identity
from .pairwise import _render_pw

__all__ = ["FAST_FLAGS", "IN_PLACE_DRIVER", "Rendered", "render"]


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
    mod.declare("declare i32 @feclearexcept(i32)")
    mod.declare("declare i32 @fetestexcept(i32)")
    parts += [mod.defs[n] for n in sorted(mod.defs)]
    ir = "\n".join(mod.declarations()) + "\n\n" + "\n\n".join(parts)
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
