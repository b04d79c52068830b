"""The worker side of a lazynp graph run as a Dask graph: one chunk's sub-expression.

A :class:`Program` is plain data (it pickles): a list of instructions in an order where
inputs come first, each making one graph node of the chunk's sub-expression, and the index
of the one whose value the task returns.  ``run_program(program, *leaves)`` (a Dask task)
builds the nodes, without recording them in the engine, and forces the last one through the
engine: the chunk's expression becomes one fused lazynp kernel (or the few the planner cuts
it into), run on this process's worker pool.  Instructions:

* ``("leaf", k)``: the task's ``k``-th argument, a NumPy array (the chunk's slice of a
  concrete input) or a :class:`MapSlice` (the same slice of a memory-mapped file, mapped
  here: no data travels with the task);
* ``("full", fill, shape, dtype)``: a constant source;
* ``("values", op, params, start, stop, dtype)``: elements ``start:stop`` of a 1-d
  ``arange``/``linspace`` source, computed as NumPy computes them (``arange_values``,
  ``linspace_values``), or the rows ``start``/columns ``stop`` of an ``eye``;
* ``("random", draws, start, shape, dtype, runs)``: the chunk's draws of a RANDOM source:
  elements ``start ..`` of the serial stream (``runs`` None: one contiguous run, generated
  inside the consuming kernel), or the listed ``(flat start, count)`` runs, materialized;
* ``("node", op, params, inputs, shape, dtype, errstate)``: a node of the graph's op on
  earlier instructions' nodes (``errstate``: NumPy's error settings of the recording call,
  a dict, or None for the default).

``combine`` and ``finalize`` are the tasks of a reduction's tree: partial results combined in
a fixed order (the order of the chunks, never the order in which they finish), then the
reduction's last step (``initial``, the mean's division, the result's dtype and shape).
"""

from __future__ import annotations

import mmap
import os
import threading
from typing import Any

import numpy as np

from .. import _engine
from .._config import config
from ..graph.node import Node, buffer_node
from ..graph.ops import UFUNC_OF, Op
from ..random._fill import Draws

# A process runs one chunk's expression at a time: the engine's plan cache and counters are
# process-wide, and the kernel itself already runs on all of this process's worker threads
# (Dask's threaded scheduler would otherwise run several chunks' planning concurrently).
_LOCK = threading.RLock()
_state = threading.local()


def in_task() -> bool:
    """Whether this thread is running a chunk task (a force there never goes to Dask)."""
    return getattr(_state, "depth", 0) > 0


class TaskScope:
    """``with TaskScope():`` forces run locally (chunk tasks, stages forced on the client)."""

    def __enter__(self) -> None:
        _state.depth = getattr(_state, "depth", 0) + 1

    def __exit__(self, *exc: Any) -> None:
        _state.depth -= 1


class Program:
    """One chunk's sub-expression (see the module docstring); ``root``: the result's
    instruction; ``settings``: the caller's settings that decide a kernel's values (applied
    where the task runs, so a worker computes what the caller would)."""

    __slots__ = ("instrs", "root", "settings")

    def __init__(self, instrs: list, root: int, settings: dict | None = None) -> None:
        self.instrs = instrs
        self.root = root
        self.settings = settings if settings is not None else current_settings()

    def __getstate__(self) -> tuple:
        return self.instrs, self.root, self.settings

    def __setstate__(self, state: tuple) -> None:
        self.instrs, self.root, self.settings = state


# the settings a chunk's values depend on (the others are the worker process's own)
VALUE_SETTINGS = ("fusion", "fastmath", "backend", "fusion_recompute_limit", "fusion_max_cost",
                  "fusion_block_size")


def current_settings() -> dict:
    return {k: getattr(config, k) for k in VALUE_SETTINGS}


class MapSlice:
    """A view of a memory-mapped file: ``path``, byte ``offset`` of its first element,
    ``shape``, byte ``strides``, ``dtype``.  Mapped (read-only) where it is used."""

    __slots__ = ("path", "offset", "shape", "strides", "dtype")

    def __init__(self, path: str, offset: int, shape: tuple, strides: tuple,
                 dtype: np.dtype) -> None:
        self.path, self.offset, self.shape = path, offset, shape
        self.strides, self.dtype = strides, dtype

    def __getstate__(self) -> tuple:
        return self.path, self.offset, self.shape, self.strides, self.dtype

    def __setstate__(self, state: tuple) -> None:
        self.path, self.offset, self.shape, self.strides, self.dtype = state

    def array(self) -> np.ndarray:
        """The values: a C-contiguous slice read from the file into memory of its own (its
        pages are freed with it: a mapping would keep every page read in the process's
        resident set), any other mapped."""
        dt = np.dtype(self.dtype)
        step, contiguous = dt.itemsize, True
        for n, st in zip(reversed(self.shape), reversed(self.strides)):
            if n != 1 and st != step:
                contiguous = False
            step *= n
        if contiguous:
            count = int(np.prod(self.shape))
            return np.fromfile(self.path, dt, count, offset=self.offset).reshape(self.shape)
        return self.mapped()

    def mapped(self) -> np.ndarray:
        """The values as a read-only view of the mapped file."""
        return np.ndarray(self.shape, np.dtype(self.dtype), buffer=_mapped(self.path),
                          offset=self.offset, strides=self.strides)


_maps: dict[str, tuple] = {}


def _mapped(path: str) -> mmap.mmap:
    st = os.stat(path)
    ident = (st.st_ino, st.st_size, st.st_mtime_ns)
    got = _maps.get(path)
    if got is None or got[0] != ident:
        with open(path, "rb") as f:
            got = _maps[path] = (ident, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    return got[1]


def map_slice(view: np.ndarray) -> MapSlice | None:
    """``view`` as a :class:`MapSlice` when it is memory of a file mapped by ``np.memmap``
    (read from the file where the task runs), else None."""
    obj: Any = view
    root = None
    while obj is not None:
        if isinstance(obj, np.memmap) and isinstance(obj.base, mmap.mmap):
            root = obj
            break
        obj = getattr(obj, "base", None)
    if root is None or not getattr(root, "filename", None) or view.size == 0:
        return None
    ptr = view.__array_interface__["data"][0]
    first = ptr - root.__array_interface__["data"][0]
    return MapSlice(root.filename, int(root.offset) + first, view.shape, view.strides,
                    view.dtype)


# ------------------------------------------------------------------ sources' chunks


def arange_values(params: dict, start: int, stop: int, dtype: np.dtype) -> np.ndarray:
    """Elements ``start:stop`` of ``np.arange(params...)`` as NumPy's fill makes them: the
    first two elements from ``start`` and ``start + step``, then ``first + i * delta``
    (``delta``: their difference) in the dtype (float16 in float32, as NumPy's loop)."""
    p = params
    two = np.arange(p["start"], p["start"] + 1.5 * p["step"], p["step"], dtype=dtype)
    if two.size != 2:  # (rounding of a huge start: NumPy's own call)
        two = np.arange(p["start"], p["stop"], p["step"], dtype=dtype)[:2]
    out = np.empty(stop - start, dtype)
    lo = max(start, 2)
    if lo < stop:
        work = np.dtype(np.float32) if dtype == np.float16 else dtype
        first, second = two.astype(work)
        idx = np.arange(lo, stop, dtype=np.int64).astype(work)
        with np.errstate(over="ignore"):
            out[lo - start:] = first + idx * (second - first)
    for k in range(start, min(2, stop)):
        out[k - start] = two[k]
    return out


def linspace_values(kwargs: dict, start: int, stop: int, dtype: np.dtype) -> np.ndarray:
    """Elements ``start:stop`` of ``np.linspace(**kwargs)`` (scalar ends, axis 0), computed
    as NumPy's linspace computes each element."""
    a, b = np.asarray(kwargs["start"]), np.asarray(kwargs["stop"])
    num, endpoint = kwargs["num"], kwargs.get("endpoint", True)
    dt = np.result_type(a, b, 1.0)
    div = (num - 1) if endpoint else num
    delta = np.subtract(b, a, dtype=type(dt))
    y = np.arange(start, stop, dtype=dt)
    if div > 0:
        step = delta / div
        if step == 0:
            y /= div
            y *= delta
        else:
            y *= step
    else:
        y = y * delta
    y += a
    if endpoint and num > 1 and stop == num:
        y[-1] = b
    if np.issubdtype(dtype, np.integer):
        np.floor(y, out=y)
    return y.astype(dtype, copy=False)


def eye_values(params: dict, rows: tuple, cols: tuple, dtype: np.dtype) -> np.ndarray:
    out = np.zeros((rows[1] - rows[0], cols[1] - cols[0]), dtype)
    r = np.arange(rows[0], rows[1])
    c = r + params["k"]
    ok = (c >= cols[0]) & (c < cols[1])
    out[r[ok] - rows[0], c[ok] - cols[0]] = 1
    return out


class _Shifted:
    """Draws of a stream from element ``offset`` on (a stream consumed by 32-bit halves,
    whose chunks may start inside a 64-bit draw)."""

    __slots__ = ("draws", "offset")

    def __init__(self, draws: Any, offset: int) -> None:
        self.draws, self.offset = draws, offset

    def __call__(self, out: np.ndarray, start: int, count: int) -> None:
        self.draws(out, self.offset + start, count)


def shifted(draws: Any, offset: int) -> Any:
    """The stream of ``draws`` from element ``offset`` on: a ``Draws`` of its own (the state
    jumped there) when each element takes one 64-bit draw."""
    if offset == 0:
        return draws
    if isinstance(draws, Draws) and draws.cons[0] == "u64":
        snap = draws.stream.bg._jump_copy(draws.snapshot, offset)
        return Draws(draws.bg_cls, draws.kind, draws.mult, snap, draws.cons, draws.method,
                     draws.params)
    return _Shifted(draws, offset)


# ------------------------------------------------------------------ running a program


def build(program: Program, leaves: tuple, plan_only: bool = False) -> list[Node]:
    """The chunk's nodes (pending, not recorded in the engine), one per instruction;
    ``plan_only``: stand-ins of the same layout where values would be computed or read (for
    planning the chunk's kernels: explain)."""
    nodes: list[Node] = []
    for ins in program.instrs:
        kind = ins[0]
        if plan_only and (kind == "values" or kind == "random" and ins[5] is not None):
            shape = ins[3] if kind == "random" else ((ins[4] - ins[3],) if ins[2] is not Op.EYE
                                                    else (ins[3][1] - ins[3][0],
                                                          ins[4][1] - ins[4][0]))
            nodes.append(buffer_node(np.empty(shape, ins[-1] if kind == "values" else ins[4])))
            continue
        if kind == "leaf":
            a = leaves[ins[1]]
            if isinstance(a, MapSlice):
                a = a.mapped() if plan_only else a.array()
            elif not a.flags.aligned:  # (unpickled from a message's frame: kernels need
                a = np.array(a)        # aligned elements)
            nodes.append(buffer_node(a))
        elif kind == "full":
            _, fill, shape, dtype = ins
            nodes.append(Node(Op.FULL, (), {"fill": fill}, shape, dtype))
        elif kind == "values":
            _, op, params, lo, hi, dtype = ins
            if op is Op.ARANGE:
                value = arange_values(params, lo, hi, dtype)
            elif op is Op.LINSPACE:
                value = linspace_values(params["kwargs"], lo, hi, dtype)
            else:
                value = eye_values(params, lo, hi, dtype)
            nodes.append(buffer_node(value))
        elif kind == "random":
            _, draws, start, shape, dtype, runs = ins
            if runs is None:
                method = getattr(draws, "method", "draws")  # (the plan cache's key)
                nodes.append(Node(Op.RANDOM, (), {"method": method,
                                                  "generate": shifted(draws, start)},
                                  shape, dtype))
            else:
                out = np.empty(sum(c for _, c in runs), dtype)
                pos = 0
                for first, count in runs:
                    draws(out[pos:pos + count], first, count)
                    pos += count
                nodes.append(buffer_node(out.reshape(shape)))
        else:
            _, op, params, inputs, shape, dtype, err = ins
            args = tuple(nodes[i] for i in inputs)
            if err is None:
                nodes.append(Node(op, args, params, shape, dtype))
            else:
                with np.errstate(**err):
                    nodes.append(Node(op, args, params, shape, dtype))
    return nodes


def run_program(program: Program, *leaves: Any) -> np.ndarray:
    """A Dask task: the value of one chunk (or one reduction partial)."""
    with _LOCK, TaskScope():
        changed = {k: v for k, v in program.settings.items() if getattr(config, k) != v}
        root = build(program, leaves)[program.root]
        if changed:
            with config(**changed):
                value = _engine.force(root)
        else:
            value = _engine.force(root)
        if root.op is Op.BUFFER:  # (a slice of an input, maybe of a mapped file: a copy)
            value = np.array(value)
        return value


def combine(op: Op, *parts: np.ndarray) -> np.ndarray:
    """Partial results of a reduction (same shape and dtype) combined left to right."""
    acc = np.array(parts[0])
    ufunc = UFUNC_OF[op]
    for p in parts[1:]:
        ufunc(acc, p, out=acc)
    return acc


class Finish:
    """The last step of a tree reduction: the combine op, ``initial`` (or None), the count to
    divide by (a mean, var, std; or None), the result's dtype and chunk shape, whether to
    take the square root (std)."""

    __slots__ = ("combine", "initial", "count", "dtype", "shape", "sqrt")

    def __init__(self, combine: Op, initial: Any, count: int | None, dtype: np.dtype,
                 shape: tuple, sqrt: bool = False) -> None:
        self.combine, self.initial, self.count = combine, initial, count
        self.dtype, self.shape, self.sqrt = dtype, shape, sqrt

    def __getstate__(self) -> tuple:
        return self.combine, self.initial, self.count, self.dtype, self.shape, self.sqrt

    def __setstate__(self, state: tuple) -> None:
        self.combine, self.initial, self.count, self.dtype, self.shape, self.sqrt = state


def finalize(spec: Finish, part: np.ndarray) -> np.ndarray:
    """A Dask task: the reduction's result chunk from the combined partials.  (The count is
    NumPy's ``intp``, as in NumPy's mean and var: the division runs in float64 for float32
    sums, then rounds.)"""
    acc = np.array(part)
    if spec.initial is not None:
        acc = UFUNC_OF[spec.combine](acc, spec.initial)
    if spec.count is not None:
        acc = np.true_divide(acc, np.intp(spec.count), out=acc, casting="unsafe")
    if spec.sqrt:
        acc = np.sqrt(acc, out=acc)
    return np.asarray(acc.astype(spec.dtype, copy=False).reshape(spec.shape))
