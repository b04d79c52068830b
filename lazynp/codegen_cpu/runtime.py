"""Run fused kernels compiled by the CPU code generator, on ``settings.num_threads`` threads.

This module holds the backend's entry points (``run_kernel``, ``run_direct``, ``declined``);
the work is in ``build.py`` (compiling, shared state), ``launch.py`` (elementwise launches,
threads, generated inputs, in-place runs) and ``reduce.py`` (reductions).

Contract (``run_kernel(k, settings)``, the backend seam of ``lazynp/_backends.py``; ``None``
means "not handled here" (``declined()`` says why): the engine runs the kernel on the
reference executor, which is always right):

* Compile once per structural key (``Kernel.key`` plus what the renderer specializes on):
  ``render.render`` -> ``compiler.compile_ir`` (memory + disk cache).  Constants travel as
  data, so one compiled kernel serves all sizes, offsets and constant values.  A kernel the
  renderer cannot handle (``Unsupported``) is remembered and always left to the reference.
* The iteration space is split into blocks whose bounds depend only on the shape and
  ``BLOCK`` (never on the thread count); threads take contiguous runs of blocks.  Kernels
  whose estimated work (``Kernel.cost``: elements times the cost model's cost per element)
  is under ``settings.parallel_threshold`` run on the calling thread (calibrated by
  ``bench/calibrate_threads.py``: a thread hand-off costs about what a cheap kernel over a
  few hundred thousand elements does).  ctypes calls release the GIL.
* Reductions: a full reduction stores one partial per block, combined in block order; an
  axis reduction permutes the iteration axes (kept axes outer, reduced axes inner, each group
  in its own order) and gives each output element to exactly one block, accumulating in
  C order over the reduced axes.  Either way the result does not depend on the thread count.
  Full float32/float64 sums and means run NumPy's pairwise summation over the leaves of
  ``reference.pairwise_tree`` (NumPy's digits, as the reference executor); when that is not
  possible (strided inputs, a body of another dtype) they are left to the reference executor.
  Float sums over trailing axes of flat inputs (rows of at least ``ROW_PAIRWISE_MIN``) are
  NumPy's pairwise sum per row (NumPy's digits for C-contiguous data); other axis float sums
  accumulate in C order over the reduced axes (documented tolerance).  Both pairwise forms
  also read inputs constant along trailing axes, one element per run (``_row_lengths``:
  ``m`` of ``exp(x - m).sum(-1)`` with ``m = x.max(-1, keepdims=True)``).  Min/max along
  trailing axes whose rows the kernel walks with unit or zero strides combine in vector
  lanes (``_minmax_rows``); a row whose result is a zero or NaN (where NumPy's combine
  order could show in the sign or payload) raises ``FE_REDO`` and the reference executor
  runs the kernel.  Other min/max/any/all along axes are left to the reference executor.
* Entry points: ``_flat`` when every input is C-contiguous or a broadcast scalar (and, for
  elementwise kernels, the output is C-contiguous), ``_nd`` otherwise, ``_pw`` for pairwise
  sums.
* Generated inputs (lazy random draws, ``plan.Generated``) are made chunk by chunk into a
  per-thread scratch buffer (``GEN_CHUNK`` elements, class ``_Gen``) right before the flat
  entry reads them; kernels whose other inputs are not flat-walkable, and axis reductions,
  are left to the reference executor.
* Floating-point flags: each block returns the flags it raised; if any flag NumPy would
  report under the nodes' errstate was raised, the result is discarded and ``None`` returned,
  so the reference executor recomputes the kernel and reports exactly as NumPy.  An in-place
  output that overlaps an input is first checked by a dry run that stores nowhere (so a
  rerun reads the old values; costs a second pass over the inputs).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..fusion.plan import Generated, Kernel, RunSettings
from .build import (
    _addr,
    _addrs,
    _compiled,
    _consts,
    _elem_strides,
    _fallback,
    _usable,
    declined,
    reset,
    stats,
)
from .launch import (
    BLOCK,
    GEN_CHUNK,
    _blocks_in_place,
    _call_entry,
    _flags_matter,
    _flat_walkable,
    _Gen,
    _launch,
    _quick_entry,
    _single_thread,
    _strided_entry,
    in_place_block,
)
from .reduce import (
    _COMBINE,
    _ELEMENTWISE_AXIS_COMBINE,
    _minmax_rows,
    _pairwise,
    _pairwise_ok,
    _reduce,
    _row_pairwise_ok,
)

__all__ = ["run_kernel", "run_direct", "declined", "stats", "reset", "BLOCK", "GEN_CHUNK"]


def run_kernel(k: Kernel, s: RunSettings) -> list[np.ndarray] | None:
    """Run ``k`` compiled; its output values, or None to leave it to the reference."""
    quick = k.memo.get(("quick", s.fastmath))
    if quick is not None and k.outputs[0].existing is None and _single_thread(k, s):
        out = _run_quick(k, quick, s)
        if out is not None:
            return out
    if k.size == 0:
        return _fallback("empty")
    shape = k.shape
    arrays: list = []
    generated = False
    for inp in k.inputs:
        a = inp.array(shape)
        if isinstance(a, Generated):
            generated = True  # made chunk by chunk (class _Gen): flat kernels only
        elif a.dtype != np.dtype(inp.dtype) or not _usable(a) or _elem_strides(a) is None:
            return _fallback("layout")
        arrays.append(a)
    red = k.reduction
    if generated and not (_flat_walkable(k, arrays) and (
            red is None or set(red.axes) == set(range(len(shape))))):
        return _fallback("generated input")
    pairwise = full_pairwise = False
    if red is not None:
        if red.op not in _COMBINE or set(red.kwargs) - {"dtype"}:
            return _fallback(f"reduce {red.op.value}")
        if (red.op in _ELEMENTWISE_AXIS_COMBINE and len(red.axes) < len(shape)
                and not _minmax_rows(k, arrays)):
            # along axes these combine an element at a time in the general loop (a
            # compare-and-select per load), several times slower than NumPy's loops, which
            # the reference executor runs block by block (order-free combines: the same
            # values as NumPy's); min/max over rows take vector lanes (_minmax_rows)
            return _fallback(f"reduce {red.op.value} along axes")
        ok = _pairwise_ok(k, arrays)
        if ok is None:
            return _fallback("float sum not pairwise")
        full_pairwise = ok
        pairwise = ok or _row_pairwise_ok(k, arrays)
    comp = _compiled(k, pairwise, s)
    if isinstance(comp, Exception):
        return _fallback(str(comp))
    stats["runs"] += 1
    consts = _consts(k)
    ptrs_in = [0 if isinstance(a, Generated) else _addr(a) for a in arrays]
    if red is None:
        return _elementwise(k, comp, arrays, ptrs_in, consts, s)
    if full_pairwise:
        return _pairwise(k, comp, arrays, ptrs_in, consts, s)
    return _reduce(k, comp, arrays, ptrs_in, consts, s)


def run_direct(k: Kernel, nodes: list, s: RunSettings, out: np.ndarray | None = None,
               in_place: bool = False) -> np.ndarray | tuple | None:
    """Run a plan-cache template's only kernel on the graph whose nodes (slot order) are
    ``nodes``, without instantiating the plan: the output value, or None to go the usual
    way (not an elementwise kernel whose inputs are whole realized buffers or broadcast
    scalars, or a floating-point flag NumPy would report: the usual way reruns it and
    reports as NumPy).  ``out``: write the result there (an assignment's target, which the
    caller checked no input overlaps, so a rerun reads the same inputs).  ``in_place``: an
    input reads ``out`` at the positions written (``a += expr``, a C-contiguous ``out``
    only): the blocks go through a scratch buffer as in ``_in_place``, and a block that
    raises a flag stops the run, whose result is then ``(blocks written, block size)`` (the
    usual way computes the others on the reference executor with ``Kernel.done``, reading
    the unchanged inputs).  The kernel's flat entry runs when every operand is
    C-contiguous (or a broadcast scalar), its strided entry otherwise; on ``num_threads``
    threads when its work reaches ``parallel_threshold``, as the usual way runs it."""
    if k.reduction is not None or len(k.outputs) != 1 or k.size == 0:
        return None
    shape = k.shape
    ptrs = []
    arrays = []
    for inp in k.inputs:
        if inp.views or inp.source is not None:
            return None
        if inp.fill is not None:
            ptrs.append(_addr(inp.fill))  # a broadcast scalar: the flat entry loads it once
            arrays.append(inp.fill)
            continue
        a = nodes[inp.node.index].value
        if a is None or a.shape != shape:
            return None
        known = _addrs.get(id(a))
        if known is not None and known[0]() is a:
            addr = known[1]
        else:
            if not a.flags.aligned:
                return None
            addr = _addr(a)
            if len(_addrs) >= 4096:
                _addrs.clear()
            _addrs[id(a)] = (weakref.ref(a), addr)
        ptrs.append(addr)
        arrays.append(a)
    dtype = k.outputs[0].dtype
    if out is None:  # (in the memory order NumPy's result has: planned as ``perm``)
        out = np.empty(shape, dtype=dtype) if k.outputs[0].perm is None else \
            k.outputs[0].allocate()
    elif out.dtype != dtype or out.shape != tuple(shape) or not _usable(out):
        return None
    if out.flags.c_contiguous:
        entry = k.memo.get(("quick", s.fastmath))
        if entry is None:
            entry = _quick_entry(k, arrays, s)
    elif in_place:
        return None
    else:
        entry = _strided_entry(k, arrays, out, s)
    if entry is None:
        return None
    if in_place:
        done = _blocks_in_place(k, entry[0], ptrs, entry[4], out, bool, s)
        if done is not None:
            return done, in_place_block(out.itemsize)
    elif _call_entry(k, entry, ptrs, out, s):
        return None  # (any flag: the template's nodes carry no errstate to judge it by)
    stats["runs"] += 1
    return out


def _run_quick(k: Kernel, quick: tuple, s: RunSettings) -> list[np.ndarray] | None:
    """An elementwise kernel that ran before on operands of the same layout (its plan came
    from the plan cache, so ``k.memo`` is shared), on one thread: one call of the flat
    entry."""
    shape = k.shape
    ptrs = []
    for inp in k.inputs:
        a = inp.array(shape)
        if not a.flags.aligned:
            return None
        ptrs.append(_addr(a))
    out = k.outputs[0].allocate()
    flags = _call_entry(k, quick, ptrs, out, s)
    if flags and _flags_matter(k, flags):
        return _fallback("fp flags")
    stats["runs"] += 1
    return [out]


def _elementwise(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
                 s: RunSettings) -> list[np.ndarray] | None:
    shape = k.shape
    out = k.outputs[0].allocate()
    if out.shape != tuple(shape) or not _usable(out) or _elem_strides(out) is None:
        return _fallback("output layout")
    gen = None
    if any(isinstance(a, Generated) for a in arrays):
        if not out.flags.c_contiguous or (k.outputs[0].existing is not None and any(
                np.may_share_memory(a, out) for a in arrays if isinstance(a, np.ndarray))):
            return _fallback("generated input")
        gen = _Gen(k, arrays, ptrs_in, out)
        if _flags_matter(k, _launch(k, comp, arrays, ptrs_in, consts, out, s, gen=gen)):
            return _fallback("fp flags")
        return [out]
    if k.outputs[0].existing is not None and any(np.may_share_memory(a, out) for a in arrays):
        if out.flags.c_contiguous and _flat_walkable(k, arrays):
            return _in_place(k, comp, arrays, ptrs_in, consts, out, s)
        # In place over an input: a rerun on the reference executor must still read the old
        # values, so the flags are found first by a dry run that stores nowhere.
        scratch = np.zeros(2, dtype=np.complex128)
        if _flags_matter(k, _launch(k, comp, arrays, ptrs_in, consts, scratch, s, dry=True)):
            return _fallback("fp flags")
        _launch(k, comp, arrays, ptrs_in, consts, out, s)
        return [out]
    if _flags_matter(k, _launch(k, comp, arrays, ptrs_in, consts, out, s)):
        return _fallback("fp flags")
    return [out]


def _in_place(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
              out: np.ndarray, s: RunSettings) -> list[np.ndarray] | None:
    """An elementwise kernel over C-contiguous memory that one of its inputs also reads at
    the positions written (``a += expr``), in one pass over memory: each block of the
    reference executor's is computed into a per-thread scratch buffer (it stays in the
    cache) and copied over the target when it raised no floating-point flag NumPy would
    report.  (Measured against saving each block's old values first and against a dry run
    per block: this is the fastest, 1.2x NumPy at 2M float64 elements, NumPy's speed at 1M.)
    A thread stops at a block that raised such a flag; the blocks not written are left to
    the reference executor (``k.done`` names the written ones), which computes them from the
    unchanged inputs and reports the flags as NumPy does (the written blocks raised none)."""
    done = _blocks_in_place(k, comp.fns["flat"], ptrs_in, consts, out,
                            lambda flags: _flags_matter(k, flags), s)
    if done is not None:
        k.done = done
        k.done_block = in_place_block(out.itemsize)
        return _fallback("fp flags")
    return [out]
