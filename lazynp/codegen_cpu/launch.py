"""Launching compiled elementwise kernels: tasks over fixed blocks split across the worker
pool (``lazynp/_threads.py``) when a kernel's work reaches ``settings.parallel_threshold``,
generated inputs made chunk by chunk (``_Gen``), the flat and strided entries' loop nests,
the one-call entries of the direct path, in-place runs through the compiled driver, and the
floating-point flags NumPy would report."""

from __future__ import annotations

import array
import ctypes
import functools
import threading
from typing import Any, Callable

import numpy as np

from .._threads import run_parallel
from ..fusion.plan import Generated, Kernel, RunSettings, blocks
from .build import _addr, _compiled, _consts, _default_errstate, _driver, _elem_strides, _extobj
from .llvm_text import (
    FE_DIVBYZERO,
    FE_INVALID,
    FE_OVERFLOW,
    FE_UNDERFLOW,
)

BLOCK = 1 << 16            # elements per block (reductions: per partial)


GEN_CHUNK = 1 << 16        # elements of a generated input made at once, per thread (L2-sized)


def _run_group(fn: Any, args: tuple, tasks: list) -> int:
    flags = 0
    for acc, start, stop in tasks:
        flags |= fn(*args, acc, start, stop)
    return flags


def threads_for(work: float, parts: int, s: RunSettings) -> int:
    """Threads a kernel of ``work`` (``Kernel.cost``) split into ``parts`` pieces runs on:
    one under ``parallel_threshold``, else up to ``num_threads`` (the one thread policy of
    every launch)."""
    if work < s.parallel_threshold:
        return 1
    return max(1, min(int(s.num_threads), parts))


def _run_tasks(fn: Any, args: tuple, tasks: list, work: float, s: RunSettings,
               gen: _Gen | None = None) -> int:
    run = _run_group if gen is None else gen.run_group
    nthreads = threads_for(work, len(tasks), s)
    if nthreads <= 1:
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


def _single_thread(k: Kernel, s: RunSettings) -> bool:
    """Whether kernel ``k`` runs on the calling thread alone (an elementwise result does not
    depend on how the range is split, so one call covers it)."""
    return threads_for(k.cost, 2, s) == 1


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
    nt = threads_for(k.cost, -(-n // BLOCK), s)
    if nt <= 1:
        return fn(head, *args, None, 0, n)
    cuts = [n * t // nt for t in range(nt + 1)]
    flags = 0
    for f in run_parallel([functools.partial(fn, head, *args, None, cuts[t], cuts[t + 1])
                           for t in range(nt)]):
        flags |= f
    return flags


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
    drv = _driver(s)
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
    nt = threads_for(k.cost, n, s)
    if nt <= 1:
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
        nt = threads_for(k.cost, len(tasks), s)
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
