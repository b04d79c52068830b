"""Kernel invocation and parallel fill of lazynp.random: one compiled kernel call per request
(``_run``), split over threads for a large output (``_parallel``), or recorded as a pending
RANDOM source node (``_lazy_draws``); ``_fill_raw`` is ``BitGenerator.random_raw``.

Below both ``_bitgen`` (``random_raw``) and ``_generator``: bit generators are duck-typed here
(``_kernels()``, ``_st``, ``lock``, ``_sync_in``/``_sync_out``, ``_jump_copy``...).
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from lazynp import _engine
from lazynp._array import lazy
from lazynp._config import EAGER_LIMIT, config
from lazynp._threads import run_parallel
from lazynp.graph.node import Node
from lazynp.graph.ops import Op
from lazynp.random._wrap import wrap

if TYPE_CHECKING:
    from lazynp.random._bitgen import BitGenerator

_PAR_MIN_PER_THREAD = 1 << 16


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _num_threads() -> int:
    return max(1, int(config.num_threads))


def _run(bg: BitGenerator, name: str, out_ptr: int, n: int, params: list[np.ndarray],
         itemsize: int = 8, cons: tuple | None = None, aux: np.ndarray | None = None) -> None:
    """Run kernel ``name`` for ``n`` values into ``out_ptr`` under the bit generator's lock.

    ``params`` are numpy arrays of the kernel's parameter dtype, each with one element (stride
    0) or ``n`` contiguous elements.  ``cons`` says how many raw draws one element consumes when
    that is fixed: ``("u64",)`` or ``("u32", elements_per_uint32)``; it enables parallel fill.
    Kernels transcribed through the DSL (``_dists.py``) also take ``aux``, a scratch/state
    buffer (the legacy Gaussian cache, the binomial setup, small-integer buffers).
    """
    if n <= 0:
        return
    ks = bg._kernels()
    fn = ks.fn[name]
    args: list[int] = []
    if ks.is_dsl(name):
        args.append(0 if aux is None else _ptr(aux))
        cons = None
    for p in params:
        args += [_ptr(p), 0 if p.size == 1 else 1]
    with bg.lock:
        bg._sync_in()
        try:
            threads = _num_threads() if cons is not None else 1
            threads = min(threads, n // _PAR_MIN_PER_THREAD)
            if (threads > 1 and getattr(bg, "_parallel", True)
                    and all(p.size == 1 for p in params)):
                _parallel(bg, fn, out_ptr, n, args, itemsize, cons, threads)
            else:
                fn(_ptr(bg._st), out_ptr, n, *args)
        finally:
            bg._sync_out()


def _lazy_draws(bg: BitGenerator, name: str, size: Any, dtype: np.dtype,
                params: list | None = None, aux: Any = None,
                cons: tuple = ("u64",)) -> Any:
    """``size`` draws as a pending RANDOM source node, or None to draw them now.

    For a method whose elements take a fixed number of raw draws (``cons``: one 64-bit draw
    each, or ``("u32", k)``: k elements per 32-bit half-draw) on a generator that can jump
    (PCG64, PCG64DXSM), a large request only snapshots the state and moves the generator to
    where NumPy's would be after it (including the buffered 32-bit half), so later calls see
    NumPy's state; a consuming kernel then generates the values block by block, each block
    from a copy of the snapshot moved to its first element (:class:`Draws`, which pickles), so
    the values are the serial stream's and no full-size array need ever exist.  ``params`` are the kernel's one-element
    parameter arrays (scalar parameters only), as for ``_run``.
    """
    # Python ints, as NumPy's shapes are (NumPy integers in a size would reach the kernels'
    # offsets and the state jumps)
    shape = ((operator.index(size),) if isinstance(size, (int, np.integer))
             else tuple(map(operator.index, size)))
    n = int(np.prod(shape)) if shape else 1
    if (n < EAGER_LIMIT[0] or not shape or aux is not None or bg._draw_align(bg._st) != (0, 1)
            or bg._kernels().is_dsl(name) or cons is None):
        return None
    with bg.lock:
        bg._sync_in()
        try:
            snapshot = bg._jump_copy(bg._st, 0)
        except NotImplementedError:
            return None
        draws = Draws(type(bg), bg._kind, bg._mult, snapshot, cons, name,
                      [np.array(p) for p in params or ()])
        stream = draws.stream
        bg._st[:] = stream.state_at(n)[0] if cons[0] == "u64" else stream.after(n)
        bg._sync_out()
    node = Node(Op.RANDOM, (), {"method": name, "generate": draws}, shape, np.dtype(dtype))
    return lazy(_engine.record(node))


class Draws:
    """The values of a pending RANDOM source node (its ``params["generate"]``): any range of
    elements of the serial stream, from a state snapshot, ``draws(out, start, count)``.

    Plain data (the bit generator's class, kind and multiplier, the snapshot, the consumption ``cons``, the kernel
    ``method`` and its one-element ``params``), so it pickles: a worker process regenerates any
    chunk of the stream (its compiled kernel is looked up there).  ``kind`` names the bit
    generator (``"pcg64"``, ``"pcg64dxsm"``) for backends that generate the draws themselves;
    ``stream.state_at(element)`` gives the state to start from.
    """

    def __init__(self, bg_cls: type, kind: str, mult: int, snapshot: np.ndarray, cons: tuple,
                 method: str, params: list[np.ndarray]) -> None:
        self.bg_cls, self.kind, self.mult = bg_cls, kind, mult
        self.snapshot, self.cons = snapshot, cons
        self.method, self.params = method, params  # own copies, alive as long as the node
        # jumps and kernels need only the kind and multiplier (a wrapped NumPy bit generator
        # has them per instance): a stand-in without state serves the stream
        bg = object.__new__(bg_cls)
        bg._kind, bg._mult = kind, mult
        self.stream = _Stream(bg, snapshot, cons)

    def __reduce__(self) -> tuple:
        return (Draws, (self.bg_cls, self.kind, self.mult, self.snapshot, self.cons,
                        self.method, self.params))

    def __call__(self, out: np.ndarray, start: int, count: int) -> None:
        fn = self.stream.bg._kernels().fn[self.method]
        stream = self.stream
        args = [a for p in self.params for a in (_ptr(p), 0)]
        itemsize = out.dtype.itemsize
        threads = min(_num_threads(), count // _PAR_MIN_PER_THREAD)
        cuts = [count * k // max(threads, 1) for k in range(max(threads, 1) + 1)]

        def part(k: int) -> None:
            lo, hi = cuts[k], cuts[k + 1]
            state, skip = stream.state_at(start + lo)  # (kept alive across the call)
            if not skip:
                fn(_ptr(state), _ptr(out) + lo * itemsize, hi - lo, *args)
                return
            tmp = np.empty(skip + hi - lo, out.dtype)  # begins inside a 32-bit half
            fn(_ptr(state), _ptr(tmp), tmp.size, *args)
            out[lo:hi] = tmp[skip:]

        # a whole request materialized at once fills in parallel, each part on its own thread
        run_parallel([functools.partial(part, k) for k in range(max(threads, 1))])


class _Stream:
    """Positions in a bit generator's stream, from a state snapshot (``_st`` layout
    ``[.., has_uint32, uinteger]``; NumPy's ``next_uint32`` serves the low half of a 64-bit
    draw and keeps the high half for the next call)."""

    def __init__(self, bg: BitGenerator, snapshot: np.ndarray, cons: tuple) -> None:
        self.bg = bg
        self.snapshot = snapshot
        self.units = 0 if cons[0] == "u64" else cons[1]  # elements per 32-bit half
        has = bg._HAS_UINT32
        self.buffered = int(snapshot[has]) != 0
        self.base = snapshot.copy()  # has_uint32 cleared; uinteger kept (NumPy leaves it stale)
        self.base[has] = 0

    def state_at(self, element: int) -> tuple[np.ndarray, int]:
        """(state, skip): running the kernel from ``state`` yields elements from
        ``element - skip`` on."""
        if not self.units:
            return self.bg._jump_copy(self.snapshot, element), 0
        half = element // self.units
        return self._half_state(half), element - half * self.units

    def after(self, n: int) -> np.ndarray:
        """The state after ``n`` elements (a call consumes whole 32-bit halves)."""
        return self._half_state(-(-n // self.units))

    def _half_state(self, half: int) -> np.ndarray:
        if self.buffered:
            if half == 0:
                return self.snapshot.copy()
            half -= 1
        draw, high = divmod(half, 2)
        has = self.bg._HAS_UINT32
        if not high:
            state = self.bg._jump_copy(self.base, draw)
            if draw:  # NumPy leaves the high half of the last draw in uinteger
                state[has + 1] = self._high_half(draw - 1)
            return state
        state = self.bg._jump_copy(self.base, draw + 1)
        state[has] = 1
        state[has + 1] = self._high_half(draw)
        return state

    def _high_half(self, draw: int) -> int:
        value = np.empty(1, np.uint64)
        at = self.bg._jump_copy(self.base, draw)  # (kept alive across the call)
        self.bg._kernels().fn["raw"](_ptr(at), _ptr(value), 1)
        return int(value[0]) >> 32


def _parallel(bg: BitGenerator, fn: Any, out_ptr: int, n: int, args: list[int], itemsize: int,
              cons: tuple, threads: int) -> None:
    st = bg._st
    prefix = 0
    if cons[0] == "u64":
        group = 1  # elements per 64-bit draw
    else:
        units = cons[1]
        if int(st[bg._HAS_UINT32]) != 0:
            # The buffered upper half feeds the first ``units`` elements: run them serially.
            prefix = min(n, units)
            fn(_ptr(st), out_ptr, prefix, *args)
        group = 2 * units
    m = n - prefix
    ndraws = -(-m // group)
    lead, unit = bg._draw_align(st)
    offs = [0]
    for k in range(1, threads):
        d = ndraws * k // threads
        if d > lead and unit > 1:
            d = lead + -(-(d - lead) // unit) * unit  # next block boundary
        if offs[-1] < d < ndraws:
            offs.append(d)
    offs.append(ndraws)
    # (first element, count, raw 64-bit draw offset) per block
    blocks = []
    for k in range(len(offs) - 1):
        start = prefix + offs[k] * group
        stop = min(prefix + offs[k + 1] * group, n)
        if stop > start:
            blocks.append((start, stop - start, offs[k]))
    if not blocks:
        return
    copies = [bg._jump_copy(st, off) for (_s, _c, off) in blocks]

    def work(k: int) -> None:
        start, count, _off = blocks[k]
        fn(_ptr(copies[k]), out_ptr + start * itemsize, count, *args)

    # The calling thread runs the first block itself (ctypes releases the GIL for the call).
    run_parallel([functools.partial(work, k) for k in range(len(blocks))])
    st[:] = copies[-1]


def _fill_raw(bg: BitGenerator, size: Any, output: bool) -> Any:
    """BitGenerator.random_raw (NumPy _common.random_raw)."""
    raw = "raw32" if bg._kind == "mt19937" else "raw"
    if not output:
        n = 1 if size is None else int(np.asarray(size).sum())
        if n > 0:
            scratch = np.empty(min(n, 1 << 16), np.uint64)
            done = 0
            while done < n:
                k = min(n - done, scratch.size)
                _run(bg, raw, _ptr(scratch), k, [], 8)
                done += k
        return None
    if size is None:
        buf = np.empty(1, np.uint64)
        _run(bg, raw, _ptr(buf), 1, [], 8)
        return int(buf[0])
    pending = _lazy_draws(bg, raw, size, np.dtype(np.uint64))
    if pending is not None:
        return pending
    randoms = np.empty(size, np.uint64)
    _run(bg, raw, _ptr(randoms), randoms.size, [], 8, ("u64",))
    return wrap(randoms)
