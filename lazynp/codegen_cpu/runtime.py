"""Run fused kernels compiled by the CPU code generator, on ``settings.num_threads`` threads.

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

import array
import ctypes
import functools
import threading
import weakref
from collections import Counter
from typing import Any, Callable

import numpy as np
from numpy._core import _ufunc_config

from .._threads import run_parallel
from ..fusion.plan import Const, Generated, In, Kernel, RunSettings, blocks, pairwise_tree
from ..graph.ops import UFUNC_OF, Op
from ..graph.reductions import REDUCTIONS
from . import compiler, vmath
from .render import (
    FE_DIVBYZERO,
    FE_INVALID,
    FE_OVERFLOW,
    FE_REDO,
    FE_UNDERFLOW,
    IN_PLACE_DRIVER,
    Unsupported,
    identity,
    inner_pattern,
    minmax_rows,
    pack_consts,
    render,
    reversed_view,
)

__all__ = ["run_kernel", "run_direct", "declined", "stats", "reset", "BLOCK", "GEN_CHUNK"]

BLOCK = 1 << 16            # elements per block (reductions: per partial)
GEN_CHUNK = 1 << 16        # elements of a generated input made at once, per thread (L2-sized)

_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                       ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
# reductions whose loops along kept axes are left to the reference executor (run_kernel)
# (not prod: the reference's per-block partial products would change NumPy's rounding)
_ELEMENTWISE_AXIS_COMBINE = frozenset(s.op for s in REDUCTIONS.values() if s.order_free)
_COMBINE = {s.op: UFUNC_OF[s.combine] for s in REDUCTIONS.values() if s.fused}
_FINAL = {s.combine: UFUNC_OF[s.combine] for s in REDUCTIONS.values() if s.fused}
_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
_extobj = _ufunc_config._extobj_contextvar
_default_errstate = _extobj.get()

stats: dict[str, Any] = {"compiled": 0, "runs": 0, "fallbacks": Counter()}
_lock = threading.Lock()
_kernels: dict[tuple, Any] = {}
_vmath_linked: dict[str, Any] = {}  # vmath symbol -> the library defining it (kept alive)
_state: dict[str, Any] = {}


class _Compiled:
    def __init__(self, lib: Any, entries: tuple[str, ...]) -> None:
        self.lib = lib
        self.fns = {e.rsplit("_", 1)[1]: _FN(lib.address(e)) for e in entries}


def reset() -> None:
    """Forget compiled kernels and counters (tests)."""
    with _lock:
        _kernels.clear()
    stats["compiled"] = 0
    stats["runs"] = 0
    stats["fallbacks"].clear()


_declined = threading.local()


def _fallback(reason: str) -> None:
    """Decline the kernel being run (``run_kernel`` returns None): counted, and kept for
    ``declined``."""
    stats["fallbacks"][reason] += 1
    _declined.reason = reason
    return None


def declined() -> str:
    """Why the last ``run_kernel`` of this thread declined its kernel (the backend seam:
    ``lazynp/_backends.py``)."""
    return getattr(_declined, "reason", "")


def _compiled(k: Kernel, pairwise: bool, s: RunSettings) -> Any:
    fast = bool(s.fastmath)
    c = k.memo.get((pairwise, fast))
    if c is None:
        c = k.memo[(pairwise, fast)] = _compile(k, pairwise, fast)
    return c


def _compile(k: Kernel, pairwise: bool, fastmath: bool) -> Any:
    red = k.reduction
    rkey = None if red is None else (red.op, red.axes, str(red.acc_dtype), str(red.dtype))
    key = (k.key, pairwise, fastmath, rkey, str(k.outputs[0].dtype), len(k.shape),
           tuple((i.layout, reversed_view(i)) for i in k.inputs), inner_pattern(k))
    c = _kernels.get(key)
    if c is not None:
        return c
    with _lock:
        c = _kernels.get(key)
        if c is not None:
            return c
        try:
            r = render(k, pairwise, *_vector_abi(), fastmath=fastmath)
            _link_vmath(r.vmath)
            lib = compiler.compile_ir(r.ir, k.name or "kernel")
            c = _Compiled(lib, r.entries)
            stats["compiled"] += 1
        except Unsupported as e:
            c = e
        _kernels[key] = c
        return c


def _link_vmath(defs: tuple) -> None:
    """Make the vmath functions ``defs`` resolvable by name for kernels about to be loaded:
    those not linked yet are compiled together into one library (memory and disk cached
    like a kernel) and their addresses registered with LLVM's symbol table (called with
    ``_lock`` held)."""
    todo = [d for d in defs if d.name not in _vmath_linked]
    if not todo:
        return
    import llvmlite.binding as llvm

    lib = compiler.compile_ir(vmath.library(todo), "lazynp_vmath")
    for d in todo:
        name = d.name.lstrip("@")
        llvm.add_symbol(name, lib.address(name))
        _vmath_linked[d.name] = lib


def _vector_abi() -> tuple[tuple | None, bool]:
    """The host's vector registers in the x86 vector-function ABI's terms (``render``'s
    ``vector_abi``; None off x86-64) and whether glibc's libmvec loaded (tried once)."""
    if "abi" not in _state:
        abi = None
        libmvec = False
        try:
            info = compiler.host_info()
            feats = info["features"]
            if info["triple"].startswith(("x86_64", "amd64")):
                if "+avx512f" in feats:
                    abi = ("e", 8, 16)
                elif "+avx2" in feats:
                    abi = ("d", 4, 8)
                else:
                    abi = ("b", 2, 4)
            import llvmlite.binding as llvm

            llvm.load_library_permanently("libmvec.so.1")
            libmvec = abi is not None
        except Exception:
            pass
        _state["abi"] = (abi, libmvec)
    return _state["abi"]


def _consts(k: Kernel) -> np.ndarray:
    """The kernel's constant block (kept in ``memo``, which the plan cache's instances share,
    unless this instance has constants of its own)."""
    buf = None if k.own_consts else k.memo.get("consts")
    if buf is None:
        buf = pack_consts([a for ins in k.body for a in ins.args
                           if type(a) is Const and a.value is not None])
        if not k.own_consts:
            k.memo["consts"] = buf
    return buf


# id(array) -> (weak reference to it, its aligned data address): the buffers a loop's
# statements read again and again (reading an address costs about 1 us; an array's memory
# never moves while anything references it)
_addrs: dict[int, tuple] = {}


def _addr(a: np.ndarray) -> int:
    return a.ctypes.data


def _elem_strides(a: np.ndarray) -> list[int] | None:
    size = a.itemsize
    out = []
    for s in a.strides:
        if s % size:
            return None
        out.append(s // size)
    return out


def _usable(a: np.ndarray) -> bool:
    return a.dtype.isnative and a.flags.aligned


def _run_group(fn: Any, args: tuple, tasks: list) -> int:
    flags = 0
    for acc, start, stop in tasks:
        flags |= fn(*args, acc, start, stop)
    return flags


def _run_tasks(fn: Any, args: tuple, tasks: list, work: float, s: RunSettings,
               gen: _Gen | None = None) -> int:
    run = _run_group if gen is None else gen.run_group
    nthreads = min(max(int(s.num_threads), 1), len(tasks))
    if nthreads <= 1 or work < s.parallel_threshold:
        return run(fn, args, tasks)
    per = -(-len(tasks) // nthreads)
    groups = [tasks[i:i + per] for i in range(0, len(tasks), per)]
    flags = 0
    for f in run_parallel([functools.partial(run, fn, args, g) for g in groups]):
        flags |= f
    return flags


class _Gen:
    """Runs a flat kernel whose generated inputs (random draws) are made chunk by chunk.

    A thread takes its run of tasks in chunks of at most ``GEN_CHUNK`` consecutive elements;
    for each chunk it fills its own scratch buffer per generated input from the source (the
    values of elements ``[c0, c1)``, exactly the serial stream's), then calls the flat entry
    with every pointer moved to ``c0`` (contiguous inputs and the output by ``c0`` elements,
    broadcast scalars unchanged, generated inputs at the scratch) for each task in the chunk,
    its range taken relative to ``c0``.  No full-size array of the draws ever exists."""

    def __init__(self, k: Kernel, arrays: list, ptrs_in: list, out: np.ndarray | None) -> None:
        self.sources = [(j, a) for j, a in enumerate(arrays) if isinstance(a, Generated)]
        self.moving = [(j, np.dtype(inp.dtype).itemsize) for j, inp in enumerate(k.inputs)
                       if inp.layout == "contiguous" and not isinstance(arrays[j], Generated)]
        self.ptrs = list(ptrs_in) + [0 if out is None else _addr(out)]
        if out is not None:
            self.moving.append((len(ptrs_in), out.dtype.itemsize))
        self.local = threading.local()

    def _scratch(self) -> list[np.ndarray]:
        bufs = getattr(self.local, "bufs", None)
        if bufs is None:
            bufs = self.local.bufs = [np.empty(GEN_CHUNK, dtype=a.dtype) for _, a in self.sources]
        return bufs

    def run_group(self, fn: Any, args: tuple, tasks: list) -> int:
        bufs = self._scratch()
        ptrs = np.array(self.ptrs, dtype=np.uint64)
        cargs = (_addr(ptrs),) + args[1:]
        flags = 0
        i = 0
        while i < len(tasks):
            c0 = tasks[i][1]
            j = i + 1
            while j < len(tasks) and tasks[j][2] - c0 <= GEN_CHUNK:
                j += 1
            c1 = tasks[j - 1][2]
            for (p, a), buf in zip(self.sources, bufs):
                a.source(buf[:c1 - c0], c0, c1 - c0)
                ptrs[p] = _addr(buf)
            for p, size in self.moving:
                ptrs[p] = self.ptrs[p] + c0 * size
            for acc, start, stop in tasks[i:j]:
                flags |= fn(*cargs, acc, start - c0, stop - c0)
            i = j
        return flags


def _owners(k: Kernel) -> list:
    nodes = [ins.node for ins in k.body if ins.node is not None]
    nodes.append(k.outputs[0].node)
    if k.reduction is not None:
        nodes.append(k.reduction.node)
    return nodes


def _flags_matter(k: Kernel, flags: int) -> bool:
    if flags & (FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID):
        return True
    if flags & FE_UNDERFLOW:
        for n in _owners(k):
            state = n.errstate
            if state is _default_errstate:
                continue
            token = _extobj.set(state)
            try:
                if np.geterr()["under"] != "ignore":
                    return True
            finally:
                _extobj.reset(token)
    return False


def _pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool | None:
    """True: a full float sum this backend runs pairwise; None: such a sum it must leave to
    the reference executor; False: not a full float sum."""
    red = k.reduction
    if red.op not in (Op.SUM, Op.MEAN) or np.dtype(red.acc_dtype) not in _FLOATS:
        return False
    if set(red.axes) != set(range(len(k.shape))):
        return False
    if red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype:
        return None
    rdt = _result_dtype(k)
    if np.dtype(rdt) != np.dtype(red.acc_dtype) and not _exact_any_order(np.dtype(rdt), k):
        return None
    return True if _row_lengths(k, arrays) is not None else None


ROW_PAIRWISE_MIN = 256  # rows at least this long are summed pairwise, one call per row


def _row_pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool:
    """A float sum/mean over trailing axes of flat inputs: each output is NumPy's pairwise
    sum of its row (NumPy's own order for C-contiguous data)."""
    red = k.reduction
    ndim = len(k.shape)
    if (red.op not in (Op.SUM, Op.MEAN) or np.dtype(red.acc_dtype) not in _FLOATS
            or not red.axes or set(red.axes) != set(range(ndim - len(red.axes), ndim))
            or len(red.axes) == ndim
            or red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype):
        return False
    r = 1
    for d in red.axes:
        r *= k.shape[d]
    if r < ROW_PAIRWISE_MIN:
        return False
    rdt = _result_dtype(k)
    if np.dtype(rdt) != np.dtype(red.acc_dtype):
        return False
    return _row_lengths(k, arrays, r) is not None


ROW_RUN_MIN = 128  # (a pairwise leaf reads <= 128 consecutive elements: <= 2 runs)


def _row_lengths(k: Kernel, arrays: list, row: int | None = None) -> list[int] | None:
    """Per input, the length of the runs of consecutive elements (C order of the iteration
    space) over which the pairwise entries read one element of it (0: contiguous inputs,
    walked flat, and broadcast scalars): an input constant along the trailing axes (from
    some axis on) and C-contiguous along the others, such as ``m`` of ``exp(x - m)`` with
    ``m = x.max(-1, keepdims=True)``, has runs of the trailing axes' size.  Runs must be at
    least ``ROW_RUN_MIN`` long, or (``row``: the row length of ``NAME_pwrows``) whole rows.
    None when an input is none of these."""
    shape = k.shape
    lengths = []
    gen = False
    for inp, a in zip(k.inputs, arrays):
        if isinstance(a, Generated):
            gen = True  # (made in memory order, chunk by chunk: flat indices move)
            lengths.append(0)
            continue
        if inp.layout == "contiguous":
            if not a.flags.c_contiguous:
                return None
            lengths.append(0)
            continue
        st = _elem_strides(a)
        t = len(shape)
        while t > 0 and (st[t - 1] == 0 or shape[t - 1] == 1):
            t -= 1
        if t == 0:
            lengths.append(0)
            continue
        want = 1
        for d in range(t - 1, -1, -1):
            if shape[d] > 1 and st[d] != want:
                return None
            want *= shape[d]
        run = 1
        for d in range(t, len(shape)):
            run *= shape[d]
        if run < ROW_RUN_MIN and not (row and run % row == 0):
            return None
        lengths.append(run)
    if gen and any(lengths):
        return None
    return lengths


def _minmax_rows(k: Kernel, arrays: list) -> bool:
    """A min/max whose rows (the innermost reduced axis) the kernel's fast row loop takes:
    every input's stride along that axis is 0 or 1 as ``inner_pattern`` predicts and the
    runtime keeps the reduced axes inner (not ``_kept_tiles``).  It combines in vector
    lanes (order-free for NumPy's values but for ties of signed zeros and NaN payloads: a
    row whose result is a zero or NaN raises ``FE_REDO`` and the reference executor runs
    the kernel)."""
    red = k.reduction
    if red.op not in (Op.MIN, Op.MAX) or not minmax_rows(red):
        return False
    pat = inner_pattern(k)
    if pat is None:
        return False
    shape = k.shape
    inner = max(red.axes)
    for p, a in zip(pat, arrays):
        if p is None or not isinstance(a, np.ndarray):
            return False
        if shape[inner] > 1 and a.strides[inner] != p * a.itemsize:
            return False
    kept = [d for d in range(len(shape)) if d not in red.axes]
    r = k.size // max(1, int(np.prod([shape[d] for d in kept], dtype=np.int64)))
    return not (len(kept) == 1 and r > 1 and shape[kept[0]] > 1
                and _kept_is_inner(k, arrays, kept[0]))


def _result_dtype(k: Kernel) -> np.dtype:
    """dtype of the values a kernel's body hands to its reduction."""
    res = k.result
    return k.inputs[res.index].dtype if isinstance(res, In) else k.body[res.index].dtype


def _flat_walkable(k: Kernel, arrays: list[np.ndarray]) -> bool:
    """Every input is C-contiguous or a broadcast scalar: the kernel walks them flat."""
    for inp, a in zip(k.inputs, arrays):
        if isinstance(a, Generated):
            continue  # made in memory order
        if inp.layout == "contiguous":
            if not a.flags.c_contiguous:
                return False
        elif any(s != 0 for s in a.strides):
            return False
    return True


def _exact_any_order(dt: np.dtype, k: Kernel) -> bool:
    """Whether a float sum of ``dt`` values is exact in any order (bool or small ints whose
    total cannot reach 2**mantissa), so NumPy's buffered casting order does not matter."""
    acc = np.dtype(k.reduction.acc_dtype)
    limit = 2.0 ** (53 if acc == np.float64 else 24)
    if dt.kind == "b":
        top = 1
    elif dt.kind in "iu" and dt.itemsize <= 2:
        top = 1 << (8 * dt.itemsize)
    else:
        return False
    return k.size * top < limit


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


def _single_thread(k: Kernel, s: RunSettings) -> bool:
    """Whether kernel ``k`` runs on the calling thread alone (an elementwise result does not
    depend on how the range is split, so one call covers it)."""
    return k.cost < s.parallel_threshold or s.num_threads <= 1


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


def _quick_entry(k: Kernel, arrays: list, s: RunSettings) -> tuple | None:
    """The flat entry of an elementwise kernel (and its constant arguments) for
    ``_call_entry``, kept in ``k.memo``; None when the operands are not all C-contiguous or
    broadcast scalars, or the kernel does not compile."""
    if k.own_consts or k.outputs[0].perm is not None:
        return None
    for inp, a in zip(k.inputs, arrays):
        if not (a.flags.c_contiguous if inp.layout == "contiguous" else inp.fill is not None
                or not any(a.strides)) or not a.flags.aligned:
            return None
    comp = _compiled(k, False, s)
    if isinstance(comp, Exception):
        return None
    dims = np.zeros(1, dtype=np.int64)
    strides = np.zeros(1, dtype=np.int64)
    consts = _consts(k)
    quick = (comp.fns["flat"], (_addr(dims), _addr(strides), _addr(consts)), dims, strides,
             consts)
    k.memo["quick", s.fastmath] = quick
    return quick


def _strided_entry(k: Kernel, arrays: list, out: np.ndarray, s: RunSettings
                   ) -> tuple | None:
    """The strided entry of an elementwise kernel with the loop nest ``_launch`` gives it for
    an output of ``out``'s strides (the inputs' strides are the template's: the plan-cache
    signature holds them), kept in ``k.memo`` per output strides; None when a stride is not
    a whole number of elements or the kernel does not compile."""
    key = ("strided", out.strides, s.fastmath)
    entry = k.memo.get(key)
    if entry is not None or k.own_consts:
        return entry
    full = [np.broadcast_to(a, k.shape) for a in arrays]
    layout = _nd_layout(k.shape, full, out, False)
    if layout is None:
        return None
    comp = _compiled(k, False, s)
    if isinstance(comp, Exception):
        return None
    dims, strides = layout
    consts = _consts(k)
    entry = (comp.fns["nd"], (_addr(dims), _addr(strides), _addr(consts)), dims, strides,
             consts)
    k.memo[key] = entry
    return entry


def _nd_layout(shape: tuple, arrays: list, out: np.ndarray, dry: bool
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """(dims, strides) of the strided entry's loop nest: the axes by decreasing stride of
    the output (of the first input for a dry run, which stores nowhere), so the innermost
    loop walks the smallest stride (an elementwise result does not depend on the order);
    strides in elements, per operand (the output last)."""
    st = [_elem_strides(a) for a in arrays]
    st.append([0] * max(len(shape), 1) if dry else _elem_strides(out))
    if any(row is None for row in st):
        return None
    st = [row or [0] for row in st]
    ost = st[-1]
    ref = st[0] if dry and arrays else ost
    perm = sorted(range(len(ref)), key=lambda d: -abs(ref[d])) if len(shape) > 1 else [0]
    dims = np.array([shape[d] for d in perm] if shape else [1], dtype=np.int64)
    strides = np.array([row[d] for row in st for d in perm], dtype=np.int64)
    return dims, strides


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


def _call_entry(k: Kernel, entry: tuple, ptrs: list[int], out: np.ndarray,
                s: RunSettings) -> int:
    """Run an entry of the kernel over its whole range (``entry``: the entry and its
    dims/strides/consts arguments, kept in ``k.memo``), on ``num_threads`` threads from
    ``parallel_threshold`` of work; the flags raised."""
    fn, args = entry[:2]  # (the arrays behind the addresses in args follow)
    ptrs.append(_addr(out))
    p = array.array("Q", ptrs)  # (cheaper to build and address than a NumPy array)
    head = p.buffer_info()[0]
    if k.own_consts:  # (the memo's entry holds the template's constants)
        args = args[:-1] + (_addr(_consts(k)),)
    n = k.size
    nt = min(max(int(s.num_threads), 1), -(-n // BLOCK))
    if nt <= 1 or k.cost < s.parallel_threshold:
        return fn(head, *args, None, 0, n)
    cuts = [n * t // nt for t in range(nt + 1)]
    flags = 0
    for f in run_parallel([functools.partial(fn, head, *args, None, cuts[t], cuts[t + 1])
                           for t in range(nt)]):
        flags |= f
    return flags


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


def _flat_ranges(shape: tuple, block_size: int) -> list[tuple[int, int]]:
    """The reference executor's blocks of ``shape`` as runs of flat (C order) positions."""
    suffix = [1] * (len(shape) + 1)
    for d in range(len(shape) - 1, -1, -1):
        suffix[d] = suffix[d + 1] * shape[d]
    ranges = []
    for box in blocks(shape, block_size):
        start = sum(b.start * suffix[d + 1] for d, b in enumerate(box))
        size = 1
        for b in box:
            size *= b.stop - b.start
        ranges.append((start, start + size))
    return ranges


# elements per block of an in-place run (``_blocks_in_place``): the block is computed into an
# L1-sized scratch buffer before it is copied over the target
_IN_PLACE_BYTES = 32768


def _driver() -> Any:
    """The compiled in-place driver (render.IN_PLACE_DRIVER), compiled once."""
    fn = _state.get("in_place")
    if fn is None:
        with _lock:
            fn = _state.get("in_place")
            if fn is None:
                lib = compiler.compile_ir(IN_PLACE_DRIVER, "lazynp_in_place")
                p, i64 = ctypes.c_void_p, ctypes.c_int64
                fn = lib.cfunc("lz_in_place", ctypes.c_int32, p, p, i64, p, p, p, p, i64, i64,
                               p, p, i64, p)
                _state["in_place"] = fn
    return fn


def in_place_block(itemsize: int) -> int:
    """Elements per block of an in-place run for items of ``itemsize`` bytes."""
    return max(1, _IN_PLACE_BYTES // itemsize)


def _blocks_in_place(k: Kernel, fn: Any, ptrs_in: list, consts: np.ndarray, out: np.ndarray,
                     matter: Callable[[int], bool], s: RunSettings) -> frozenset | None:
    """``_in_place``'s run with the flat entry ``fn``, over the reference executor's blocks of
    ``in_place_block`` elements (``blocks(k.shape, ...)``), each thread's run of blocks in
    one call of the compiled driver: None when every block was written, else the blocks
    written (a block whose flags ``matter`` is not, nor the ones after it on its thread)."""
    size = in_place_block(out.itemsize)
    memo = k.memo.get(("bounds", size))  # the blocks' runs of flat (C order) positions
    if memo is None:
        ranges = _flat_ranges(k.shape, size)
        bounds = np.array([r[0] for r in ranges] + [ranges[-1][1]], dtype=np.int64)
        memo = k.memo["bounds", size] = (ranges, bounds)
    ranges, bounds = memo
    drv = _driver()
    dims = np.zeros(1, dtype=np.int64)
    strides = np.zeros(1, dtype=np.int64)
    entry = ctypes.cast(fn, ctypes.c_void_p).value
    itemsize = out.itemsize
    head = (entry,)
    tail = (len(ptrs_in), _addr(dims), _addr(strides), _addr(consts), _addr(bounds))
    target = _addr(out)
    flat_out = out.reshape(-1)

    def run(first: int, last: int) -> list[int]:
        """Write the blocks ``[first, last)``; the ones left unwritten."""
        scratch = _scratch(size * itemsize)
        base = _addr(scratch)
        own = array.array("Q", ptrs_in + [0])
        stopped = array.array("q", [0])
        args = head + (own.buffer_info()[0],) + tail
        where = stopped.buffer_info()[0]
        i = first
        while i < last:
            flags = drv(*args, i, last, base, target, itemsize, where)
            if not flags:
                return []
            i = stopped[0]
            if matter(flags):
                return list(range(i, last))
            # flags NumPy does not report here (an ignored underflow): the block's values,
            # in the scratch buffer, are right
            s, e = ranges[i]
            flat_out[s:e] = scratch[:(e - s) * itemsize].view(out.dtype)
            i += 1
        return []

    n = len(ranges)
    nt = min(max(int(s.num_threads), 1), n)
    if nt <= 1 or k.cost < s.parallel_threshold:
        left = run(0, n)
    else:
        cuts = [n * t // nt for t in range(nt + 1)]
        left = []
        for part in run_parallel([functools.partial(run, cuts[t], cuts[t + 1])
                                  for t in range(nt)]):
            left += part
    return frozenset(range(n)) - frozenset(left) if left else None


_tls = threading.local()


def _scratch(nbytes: int) -> np.ndarray:
    """This thread's scratch bytes for in-place runs (at least ``nbytes``), kept between
    calls: a fresh buffer would be fresh pages, faulted in on every call."""
    buf = getattr(_tls, "scratch", None)
    if buf is None or buf.nbytes < nbytes:
        buf = _tls.scratch = np.empty(max(nbytes, 1), dtype=np.uint8)
    return buf[:nbytes]


def _launch(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
            out: np.ndarray, s: RunSettings, dry: bool = False, gen: _Gen | None = None
            ) -> int:
    shape = k.shape
    n = k.size
    flat = not dry and out.flags.c_contiguous and _flat_walkable(k, arrays)
    ptrs = np.array(ptrs_in + [_addr(out)], dtype=np.uint64)
    if flat:
        fn = comp.fns["flat"]
        dims = np.zeros(1, dtype=np.int64)
        strides = np.zeros(1, dtype=np.int64)
    else:
        fn = comp.fns["nd"]
        dims, strides = _nd_layout(shape, arrays, out, dry)  # (strides checked by the caller)
    args = (_addr(ptrs), _addr(dims), _addr(strides), _addr(consts))
    if gen is not None:  # one chunk per task (see _Gen)
        tasks = [(None, s, min(s + GEN_CHUNK, n)) for s in range(0, n, GEN_CHUNK)]
        return _run_tasks(fn, args, tasks, k.cost, s, gen)
    tasks = [(None, s, min(s + BLOCK, n)) for s in range(0, n, BLOCK)]
    if len(tasks) > 1:
        # one call per thread's contiguous run (elementwise results do not depend on it)
        nt = (max(1, min(int(s.num_threads), len(tasks)))
              if k.cost >= s.parallel_threshold else 1)
        per = -(-len(tasks) // nt)
        tasks = [(None, tasks[i][1], tasks[min(i + per, len(tasks)) - 1][2])
                 for i in range(0, len(tasks), per)]
    if (flat and k.outputs[0].existing is None and not k.own_consts
            and k.outputs[0].perm is None
            and all(isinstance(a, np.ndarray) and a.flags.aligned for a in arrays)):
        # the next run of this kernel (same plan, from the plan cache) takes _run_quick /
        # run_direct when it is to run on the calling thread (see _single_thread)
        k.memo["quick", s.fastmath] = (fn, args[1:], dims, strides, consts)
    flags = _run_tasks(fn, args, tasks, k.cost, s)
    del ptrs, dims, strides
    return flags


def _finish(k: Kernel, acc: np.ndarray, count: int) -> list[np.ndarray] | None:
    """Initial value, mean division and cast, as the reference executor does."""
    red = k.reduction
    seen: list = []

    def record(kind: str, flag: int) -> None:
        seen.append(kind)

    with np.errstate(all="call", call=record):
        if red.initial is not None:
            _FINAL[red.combine](acc, red.initial, out=acc, casting="unsafe")
        if red.op is Op.MEAN:
            np.true_divide(acc, np.intp(count), out=acc, casting="unsafe")
        if acc.dtype != np.dtype(red.dtype):
            acc = acc.astype(red.dtype, casting="unsafe")
    if seen:
        return _fallback("fp flags")
    result = acc.reshape(k.outputs[0].shape)
    if result.base is not None:
        result = result.copy()  # a result that owns its data, as NumPy's
    return [result]


def _pairwise(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
              s: RunSettings) -> list[np.ndarray] | None:
    red = k.reduction
    adt = np.dtype(red.acc_dtype)
    n = k.size
    leaves: list = []

    def walk(t: Any) -> None:
        if type(t[0]) is int:
            leaves.append(t)
        else:
            walk(t[0])
            walk(t[1])

    tree = pairwise_tree(0, n, max(s.block_size, 128))
    walk(tree)
    partials = np.empty(len(leaves), dtype=adt)
    base = _addr(partials)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    dims = np.zeros(1, dtype=np.int64)
    runs = np.array(_row_lengths(k, arrays) + [0], dtype=np.int64)
    args = (_addr(ptrs), _addr(dims), _addr(runs), _addr(consts))
    tasks = [(base + j * adt.itemsize, a, b) for j, (a, b) in enumerate(leaves)]
    gen = _Gen(k, arrays, ptrs_in, None) if any(isinstance(a, Generated) for a in arrays) else None
    flags = _run_tasks(comp.fns["pw"], args, tasks, k.cost, s, gen)
    if _flags_matter(k, flags):
        return _fallback("fp flags")
    zero = adt.type(0)
    pos = iter(range(len(leaves)))

    def total(t: Any) -> Any:
        if type(t[0]) is int:
            return zero + partials[next(pos)]  # np.add.reduce starts from 0.0
        return total(t[0]) + total(t[1])

    acc = np.asarray(total(tree), dtype=adt).reshape((1,) * len(k.shape))
    return _finish(k, acc, n)


def _kept_is_inner(k: Kernel, arrays: list, axis: int) -> bool:
    """Whether ``axis`` has the smallest non-zero stride of the largest input."""
    big = max((a for a in arrays if isinstance(a, np.ndarray)), key=lambda a: a.nbytes,
              default=None)
    if big is None:
        return False
    strides = _elem_strides(big)
    moving = [abs(s) for s, n in zip(strides, k.shape) if n > 1 and s]
    return bool(moving) and abs(strides[axis]) == min(moving)


def _kept_tiles(nd: Any, arrays: list, ptrs_in: list, consts: np.ndarray, acc: np.ndarray,
                shape: tuple, axis: int, r: int, adt: np.dtype) -> tuple[Any, tuple, list]:
    """(fn, args, tasks) running the strided entry ``nd`` over tiles of the kept ``axis``:
    task t covers ``[j0, j1)`` of it for every index of the reduced axes (in C order, then
    the kept axis innermost)."""
    ndim = len(shape)
    m = shape[axis]
    perm = [d for d in range(ndim) if d != axis] + [axis]
    width = max(256, -(-(BLOCK // r) // 64) * 64)
    own = [_elem_strides(a) for a in arrays]
    per_op = [[s[d] for d in perm] for s in own] + [[0] * (ndim - 1) + [1]]
    strides = np.array([s for row in per_op for s in row], dtype=np.int64)
    sizes = [a.dtype.itemsize for a in arrays]
    keep: list = [strides]
    per_task = []
    for j0 in range(0, m, width):
        j1 = min(j0 + width, m)
        ptrs = np.array([p + j0 * st[axis] * size for p, st, size in zip(ptrs_in, own, sizes)]
                        + [0], dtype=np.uint64)
        dims = np.array([shape[d] for d in perm[:-1]] + [j1 - j0], dtype=np.int64)
        keep += [ptrs, dims]
        per_task.append((_addr(ptrs), _addr(dims), _addr(acc) + j0 * adt.itemsize,
                         r * (j1 - j0)))

    def tile(_p: Any, _d: Any, st: int, cs: int, t: int, start: int, stop: int) -> int:
        p, d, a, n = per_task[t]
        return nd(p, d, st, cs, a, 0, n)

    tile.keep = keep  # (the arrays behind the addresses)
    args = (0, 0, _addr(strides), _addr(consts))
    return tile, args, [(t, 0, per_task[t][3]) for t in range(len(per_task))]


def _reduce(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
            rs: RunSettings) -> list[np.ndarray] | None:
    red = k.reduction
    shape = k.shape
    ndim = len(shape)
    adt = np.dtype(red.acc_dtype)
    axes = set(red.axes)
    kept = [d for d in range(ndim) if d not in axes]
    perm = kept + [d for d in range(ndim) if d in axes]
    pshape = [shape[d] for d in perm]
    m = 1
    for d in kept:
        m *= shape[d]
    r = k.size // m
    if kept:
        acc = np.full([shape[d] for d in kept], identity(red), dtype=adt)
        ast = _elem_strides(acc) + [0] * (ndim - len(kept))
    else:
        nb = -(-r // BLOCK)
        acc = np.full(nb, identity(red), dtype=adt)
        ast = [0] * ndim
    st = []
    for a in arrays:
        s = [0] * ndim if isinstance(a, Generated) else _elem_strides(a)
        st.append([s[d] for d in perm] if ndim else [0])
    st.append(ast if ndim else [0])
    strides = np.array([s for row in st for s in row], dtype=np.int64)
    dims = np.array(pshape or [1], dtype=np.int64)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    args = (_addr(ptrs), _addr(dims), _addr(strides), _addr(consts))
    base = _addr(acc)
    n = k.size
    fn = comp.fns.get("nd")  # (a pairwise kernel has only its pairwise entries)
    gen = None
    if not kept and "flat" in comp.fns and _flat_walkable(k, arrays):
        fn = comp.fns["flat"]  # one accumulator per block in a register
        if any(isinstance(a, Generated) for a in arrays):
            gen = _Gen(k, arrays, ptrs_in, None)
    elif any(isinstance(a, Generated) for a in arrays):
        return _fallback("generated input")
    pairwise_rows = kept and "pw" in comp.fns
    if pairwise_rows:
        # one pairwise sum per row (see _row_pairwise_ok), a run of rows per call; NumPy
        # adds each to 0.0
        fn = comp.fns["pwrows"]
        dims = np.array([r], dtype=np.int64)
        runs = np.array(_row_lengths(k, arrays, r) + [0], dtype=np.int64)
        args = (args[0], _addr(dims), _addr(runs), args[3])
        g = max(1, BLOCK // max(r, 1))
        tasks = [(base + o * adt.itemsize, o, min(o + g, m)) for o in range(0, m, g)]
        acc[...] = 0
    elif len(kept) == 1 and r > 1 and shape[kept[0]] > 1 and _kept_is_inner(k, arrays, kept[0]):
        # one kept axis along which the data are closest together (a sum over the rows of
        # a C-ordered matrix, or over the columns of a transposed one): tiles of it, each a
        # nest over the reduced axes with the kept axis innermost, so the loads run along
        # memory and each output element still gets its terms in C order
        fn, args, tasks = _kept_tiles(comp.fns["nd"], arrays, ptrs_in, consts, acc, shape,
                                      kept[0], r, adt)
    elif kept:
        g = max(1, BLOCK // max(r, 1))
        tasks = [(base, o * r, min(o + g, m) * r) for o in range(0, m, g)]
    else:
        tasks = [(base + b * adt.itemsize, s, min(s + BLOCK, n))
                 for b, s in enumerate(range(0, n, BLOCK))]
    flags = _run_tasks(fn, args, tasks, k.cost, rs, gen)
    if flags & FE_REDO:
        return _fallback("min/max row of zeros or NaN")
    if _flags_matter(k, flags):
        return _fallback("fp flags")
    if pairwise_rows:
        acc += adt.type(0)  # np.add.reduce starts from 0.0 (turns -0.0 sums into 0.0)
    if not kept:
        seen: list = []
        with np.errstate(all="call", call=lambda kind, flag: seen.append(kind)):
            total = _COMBINE[red.op].reduce(acc)
        if seen:
            return _fallback("fp flags")
        acc = np.asarray(total, dtype=adt)
    keep = tuple(1 if d in axes else s for d, s in enumerate(shape))
    acc = acc.reshape(keep)
    return _finish(k, acc, r)
