"""A pending lazynp graph as a Dask graph: one task per chunk, each one fused lazynp kernel.

``to_dask(x, chunks)`` cuts the result of a pending graph into chunks (Dask's ``chunks``
forms; by default C-ordered blocks of ``config.dask_chunks`` elements) and makes one task per
chunk.  A task's :class:`~lazynp.dask.program.Program` is the chunk's sub-expression: the
graph's concrete inputs sliced to the chunk (with broadcasting, through views), ``full``,
``arange``, ``linspace`` and ``eye`` sources as their chunk's elements, RANDOM sources as the
chunk's range of the serial stream (``Draws``: the worker jumps the state to the chunk's
first draw, so the values are NumPy's, bit for bit, however the chunks fall), and every
elementwise or view node on top; the worker forces it as one fused kernel.

A reduction at the root (sum, prod, min, max, any, all, mean, over all axes or some; var
and std as the sum of squared deviations from a mean of their own) is a tree: one partial per chunk of its input (the chunk's expression and the reduction, one
kernel), combined in groups of ``split_every`` in the chunks' C order, level by level, then
finished (``initial``, the mean's division, the dtype).  The combine order is fixed by the
chunking alone, so a result has the same bits on every run and on every scheduler.

What a chunk cannot be cut out of is a *stage*: a reduction inside the graph (``x -
x.mean(axis=0)``) is a Dask tree reduction of its own, whose chunks the chunk tasks read
(nothing is computed before the graph runs); anything else (reshape, concatenate, an opaque
node, argmin/argmax/ptp, ``where=`` reductions) is forced locally, as one lazynp
force, when the Dask graph is made.  ``explain`` lists them.
"""

from __future__ import annotations

import itertools
import math
import sys
import uuid
from typing import Any

import numpy as np
from numpy._core import _ufunc_config

from .. import _engine
from .._array import ndarray as LazyArray
from .._config import config
from ..graph.node import Node, buffer_node, pending_subgraph
from ..graph.ops import ELEMENTWISE, Op
from ..graph.reductions import REDUCTIONS, acc_dtype
from ..graph.semantics import ARG
from .program import (
    Finish,
    Program,
    TaskScope,
    build,
    combine,
    finalize,
    in_task,
    map_slice,
    run_program,
)

SPLIT_EVERY = 8  # partials combined per task of a reduction tree
_TREE = frozenset({Op.SUM, Op.PROD, Op.MIN, Op.MAX, Op.ANY, Op.ALL, Op.MEAN})
_SAME_REGION = ELEMENTWISE | {Op.REAL, Op.IMAG, Op.BROADCAST_TO}
_SPLIT = _SAME_REGION | {Op.FULL, Op.ARANGE, Op.LINSPACE, Op.EYE, Op.RANDOM, Op.SLICE,
                         Op.TRANSPOSE}
STATS = {"dask_forces": 0, "tasks": 0, "stages": 0}
_extobj = _ufunc_config._extobj_contextvar
_errs: dict[Any, dict | None] = {}
_default = _extobj.get()


def _owned(value: Any) -> np.ndarray:
    """A computed result as memory the caller may write (a result unpickled from a worker's
    message is read-only)."""
    value = np.asarray(value)
    return value if value.flags.writeable else value.copy()


def _err(state: Any) -> dict | None:
    """A node's recorded errstate as ``np.errstate`` keywords (None: NumPy's default)."""
    if state is _default:
        return None
    got = _errs.get(state, False)
    if got is False:
        if len(_errs) > 256:
            _errs.clear()
        token = _extobj.set(state)
        try:
            got = np.geterr()
        finally:
            _extobj.reset(token)
        _errs[state] = got
    return got


def _is_tree(n: Node) -> bool:
    """A reduction run as a Dask tree: a fused kind, no ``where=``, a non-empty input."""
    return n.op in _TREE and not n.params.get("where") and n.inputs[0].size > 0


# ------------------------------------------------------------------ chunks


def default_chunks(shape: tuple, limit: int, fixed: dict | None = None) -> tuple:
    """C-ordered blocks of at most ``limit`` elements (the trailing axes whole while they
    fit); ``fixed``: axis -> chunks given for it."""
    fixed = fixed or {}
    out: list = [None] * len(shape)
    inner = 1
    split = False
    for a in range(len(shape) - 1, -1, -1):
        n = shape[a]
        if a in fixed:
            out[a] = tuple(fixed[a])
            inner *= max(out[a], default=1)
            continue
        block = n if not split else 1
        if not split and n * inner > limit:
            block = max(1, limit // inner)
            split = True
        block = max(1, min(block, n))
        out[a] = _even(n, block)
        inner *= block
    return tuple(out)


def _even(n: int, block: int) -> tuple:
    if n == 0:
        return (0,)
    full, rest = divmod(n, block)
    return (block,) * full + ((rest,) if rest else ())


def normalize(chunks: Any, shape: tuple, dtype: np.dtype) -> tuple:
    if chunks is None:
        return default_chunks(shape, int(config.dask_chunks))
    from dask.array.core import normalize_chunks
    return normalize_chunks(chunks, shape, dtype=dtype)


def _offsets(chunks: tuple) -> list[list[int]]:
    return [list(itertools.accumulate(c, initial=0)) for c in chunks]


def _blocks(chunks: tuple) -> Any:
    """(block index, region) of every chunk, in C order."""
    offs = _offsets(chunks)
    for idx in itertools.product(*[range(len(c)) for c in chunks]):
        yield idx, tuple((offs[d][i], offs[d][i + 1]) for d, i in enumerate(idx))


# ------------------------------------------------------------------ chunk programs


class _Builder:
    """Turns (node, region) pairs into one chunk's Program and its leaf arguments."""

    def __init__(self, subs: dict | None = None) -> None:
        self.instrs: list = []
        self.leaves: list = []
        self.memo: dict = {}
        self.subs = subs or {}

    def add(self, ins: tuple) -> int:
        self.instrs.append(ins)
        return len(self.instrs) - 1

    def program(self, root: int) -> Program:
        return Program(self.instrs, root)

    def node(self, n: Node, region: tuple) -> int:
        key = (n.id, region)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self._make(n, region)
        return got

    def _make(self, n: Node, region: tuple) -> int:
        shape = tuple(b - a for a, b in region)
        if n.value is None and n.id in self.subs:  # (a tree reduction's chunks: a key)
            self.leaves.append(SubChunk(n, region))
            return self.add(("leaf", len(self.leaves) - 1))
        if n.value is not None:
            view = n.value[tuple(slice(a, b) for a, b in region)] if region else n.value
            desc = map_slice(view)
            self.leaves.append(view if desc is None else desc)
            return self.add(("leaf", len(self.leaves) - 1))
        op = n.op
        if op is Op.FULL:
            return self.add(("full", n.params["fill"], shape, n.dtype))
        if op is Op.ARANGE or op is Op.LINSPACE:
            return self.add(("values", op, n.params, region[0][0], region[0][1], n.dtype))
        if op is Op.EYE:
            return self.add(("values", op, n.params, region[0], region[1], n.dtype))
        if op is Op.RANDOM:
            start, runs = _runs(n.shape, region)
            return self.add(("random", n.params["generate"], start, shape, n.dtype, runs))
        err = _err(n.errstate)
        if op in _SAME_REGION:
            ins = tuple(self.node(i, _aligned(i.shape, n.shape, region)) for i in n.inputs)
            return self.add(("node", op, n.params, ins, shape, n.dtype, err))
        if op is Op.TRANSPOSE:
            axes = n.params["axes"]
            inner = [None] * len(axes)
            for out_axis, in_axis in enumerate(axes):
                inner[in_axis] = region[out_axis]
            i = self.node(n.inputs[0], tuple(inner))
            return self.add(("node", op, n.params, (i,), shape, n.dtype, err))
        if op is Op.SLICE:
            inner, key = _slice_back(n.inputs[0].shape, n.params["key"], region)
            i = self.node(n.inputs[0], inner)
            return self.add(("node", op, dict(n.params, key=key), (i,), shape, n.dtype, err))
        raise AssertionError(f"{op} is not split by chunks")  # (stages are realized first)


def _var_as_sum(n: Node) -> tuple[Node, tuple] | None:
    """``var``/``std`` as NumPy's ``_var`` computes it: the sum of ``(x - mean) ** 2`` (the
    mean a reduction of its own, ``keepdims``), then divided by ``max(count - ddof, 0)`` (and
    its square root): (the sum node, (count, sqrt)), or None where that is not done (float16
    and complex, ``where=``, ``mean=``, ``ddof`` at least the count)."""
    kw = dict(n.params["kwargs"])
    x = n.inputs[0]
    dtype = kw.pop("dtype", None)
    axes = kw.pop("axis", None)
    axes = tuple(range(len(x.shape))) if axes is None else tuple(axes)
    keep = bool(kw.pop("keepdims", False))
    ddof = kw.pop("ddof", 0)
    count = math.prod(x.shape[a] for a in axes)
    if (kw or n.params.get("where") or x.size == 0 or x.dtype.kind not in "biuf"
            or x.dtype == np.float16 or not isinstance(ddof, (int, np.integer))
            or ddof >= count or dtype is not None and (np.dtype(dtype).kind != "f"
                                                      or np.dtype(dtype) == np.float16)):
        return None
    acc = np.dtype(dtype) if dtype is not None else (
        np.dtype(np.float64) if x.dtype.kind in "biu" else x.dtype)
    keep_shape = tuple(1 if a in axes else s for a, s in enumerate(x.shape))
    mean_kw = {"axis": axes, "keepdims": True}
    sum_kw = {"axis": axes, "keepdims": keep}
    if dtype is not None or x.dtype.kind in "biu":
        mean_kw["dtype"] = sum_kw["dtype"] = acc
    mean = Node(Op.MEAN, (x,), {"kwargs": mean_kw}, keep_shape, acc)
    dev_dtype = np.result_type(x.dtype, acc)
    dev = Node(Op.SUBTRACT, (x, mean), {"args": (ARG, ARG)}, x.shape, dev_dtype)
    sq = Node(Op.MULTIPLY, (dev, dev), {"args": (ARG, ARG)}, x.shape, dev_dtype)
    total = Node(Op.SUM, (sq,), {"kwargs": sum_kw}, n.shape, n.dtype)
    for m in (mean, dev, sq, total):
        m.errstate = n.errstate
    if np.result_type(dev_dtype, acc) != n.dtype:
        return None
    return total, (count - int(ddof), n.op is Op.STD)


class SubChunk:
    """A chunk task's input that is the region of a tree reduction inside the graph: the
    task reads it from that reduction's Dask array (``DaskPlan.task``)."""

    __slots__ = ("node", "region")

    def __init__(self, node: Node, region: tuple) -> None:
        self.node, self.region = node, region

    def stand_in(self) -> np.ndarray:
        return np.empty(tuple(b - a for a, b in self.region), self.node.dtype)


def _aligned(in_shape: tuple, out_shape: tuple, region: tuple) -> tuple:
    """The region of an input broadcast to ``out_shape`` that ``region`` reads."""
    off = len(out_shape) - len(in_shape)
    return tuple((0, 1) if s == 1 and out_shape[off + j] != 1 else region[off + j]
                 for j, s in enumerate(in_shape))


def _slice_back(in_shape: tuple, key: tuple, region: tuple) -> tuple:
    """(input region, key relative to it) of a basic index ``key`` whose result's
    ``region`` is wanted."""
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    items: list = []
    for k in key:
        if k is Ellipsis:
            items += [slice(None)] * (len(in_shape) - consumed)
        else:
            items.append(k)
    items += [slice(None)] * (len(in_shape) - sum(1 for k in items if k is not None))
    inner, rel = [], []
    p = q = 0
    for k in items:
        if k is None:
            rel.append(None)
            q += 1
            continue
        n = in_shape[p]
        if type(k) is slice:
            start, _, step = k.indices(n)
            a, b = region[q]
            first, last = start + a * step, start + (b - 1) * step
            if step > 0:
                inner.append((first, last + 1))
                rel.append(slice(0, last - first + 1, step))
            else:
                inner.append((last, first + 1))
                rel.append(slice(first - last, None, step))
            q += 1
        else:
            i = int(k) + n if int(k) < 0 else int(k)
            inner.append((i, i + 1))
            rel.append(0)
        p += 1
    return tuple(inner), tuple(rel)


def _runs(shape: tuple, region: tuple) -> tuple[int, list | None]:
    """(first flat element, runs): runs None when the region is one contiguous run of the
    C-ordered elements, else its ``(flat start, count)`` runs."""
    if not shape:
        return 0, None
    starts = [a for a, _ in region]
    first = int(np.ravel_multi_index(starts, shape))
    sizes = [b - a for a, b in region]
    lead = next((d for d, s in enumerate(sizes) if s > 1), len(sizes))
    if all(sizes[d] == shape[d] for d in range(lead + 1, len(shape))):
        return first, None
    cut = max(d for d in range(len(shape)) if sizes[d] != shape[d])  # last partial axis
    count = sizes[cut] * math.prod(shape[cut + 1:])
    runs = []
    for idx in itertools.product(*[range(a, b) for a, b in region[:cut]]):
        head = list(idx) + [region[cut][0]] + [0] * (len(shape) - cut - 1)
        runs.append((int(np.ravel_multi_index(head, shape)), count))
    return first, runs


# ------------------------------------------------------------------ the graph


class DaskPlan:
    """What ``to_dask`` makes of a pending node: the Dask array, the stages computed first,
    the chunks and the tasks (``explain`` prints it)."""

    def __init__(self, node: Node, chunks: Any, split_every: int, dry: bool = False) -> None:
        self.split_every = split_every
        self.stages: list[str] = []
        self.whole = None  # why the graph is computed whole (locally), or None
        self.reduce: dict | None = None
        self.post = None  # var/std: (the count to divide by, whether to take the root)
        if node.value is None and node.op in (Op.VAR, Op.STD):
            got = _var_as_sum(node)
            if got is not None:
                node, self.post = got
        self.node = node
        self._stage(node, dry)
        tree = node.value is None and _is_tree(node)
        if node.value is None and not tree and node.op not in _SPLIT:
            self.whole = f"{node.op.value} is not split by chunks"
        elif node.value is None and node.size == 0:
            self.whole = "an empty result"
        if tree:
            self._tree_chunks(chunks)
        else:
            self.chunks = normalize(chunks, node.shape, node.dtype)
            self.in_chunks = self.chunks

    # -- stages
    def _stage(self, root: Node, dry: bool) -> None:
        """Find what the chunks are not cut out of, from the root down: a tree reduction
        becomes a Dask tree of its own whose chunks feed the chunk tasks (``self.subs``);
        anything else not split is forced locally now."""
        self.subs: dict[int, Node] = {}
        self._sub_arrays: dict[int, Any] = {}
        seen: set[int] = set()
        stack = list(root.inputs)
        while stack:
            n = stack.pop()
            if n.value is not None or n.id in seen:
                continue
            seen.add(n.id)
            if n.op in _SPLIT:
                stack.extend(n.inputs)
            elif _is_tree(n):
                self.subs[n.id] = n
                self.stages.append(f"%{n.id} {n.op.value} {n.dtype} {n.shape}: a Dask tree "
                                   "reduction of its own, its chunks read by the chunk tasks")
            else:
                self.stages.append(f"%{n.id} {n.op.value} {n.dtype} {n.shape}: not split by "
                                   "chunks, forced locally first")
                if not dry:
                    with TaskScope():
                        _engine.force(n)
                    STATS["stages"] += 1

    def sub_array(self, n: Node) -> Any:
        """The Dask array of the tree reduction ``n`` inside the graph (made once)."""
        got = self._sub_arrays.get(n.id)
        if got is None:
            got = self._sub_arrays[n.id] = DaskPlan(n, None, self.split_every).array()
        return got

    # -- reductions
    def _tree_chunks(self, chunks: Any) -> None:
        n = self.node
        x = n.inputs[0]
        kw = dict(n.params["kwargs"])
        axes = kw.pop("axis", None)
        axes = tuple(range(len(x.shape))) if axes is None else tuple(axes)
        keep = bool(kw.pop("keepdims", False))
        kept = [a for a in range(len(x.shape)) if a not in axes]
        fixed = None
        if chunks is not None:
            out = normalize(chunks, n.shape, n.dtype)
            pos = kept if not keep else list(range(len(x.shape)))
            fixed = {a: out[pos.index(a)] for a in kept}
        self.in_chunks = default_chunks(x.shape, int(config.dask_chunks), fixed)
        self.chunks = tuple(((1,) if keep else None) if a in axes else self.in_chunks[a]
                            for a in range(len(x.shape)))
        if not keep:
            self.chunks = tuple(c for c in self.chunks if c is not None)
        spec = REDUCTIONS[n.op]
        initial = kw.pop("initial", None)
        sqrt = False
        dtype = kw.get("dtype")
        if n.op is Op.MEAN:
            part_op, part_dtype = Op.SUM, acc_dtype(Op.MEAN, x.dtype, n.dtype, dtype)
            count = math.prod(x.shape[a] for a in axes)
        else:
            part_op, part_dtype, count = n.op, n.dtype, None
        part_kw = {"axis": axes, "keepdims": True}
        if dtype is not None or n.op is Op.MEAN:
            part_kw["dtype"] = part_dtype
        if initial is not None and spec.order_free:
            part_kw["initial"] = initial
            initial = None
        self.reduce = {"axes": axes, "keep": keep, "kept": kept, "part_op": part_op,
                       "part_kw": part_kw, "part_dtype": np.dtype(part_dtype),
                       "combine": spec.combine, "initial": initial, "count": count,
                       "sqrt": sqrt}
        if self.post is not None:
            self.reduce["count"], self.reduce["sqrt"] = self.post

    # -- programs and tasks
    def chunk_program(self, region: tuple) -> tuple[Program, list]:
        b = _Builder(self.subs)
        n = self.node
        if self.reduce is None:
            return b.program(b.node(n, region)), b.leaves
        r = self.reduce
        x = n.inputs[0]
        i = b.node(x, region)
        shape = tuple(1 if a in r["axes"] else hi - lo for a, (lo, hi) in enumerate(region))
        root = b.add(("node", r["part_op"], {"kwargs": r["part_kw"]}, (i,), shape,
                      r["part_dtype"], _err(n.errstate)))
        return b.program(root), b.leaves

    def array(self) -> Any:
        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph
        n = self.node
        name = f"lazynp-{n.op.value}-{uuid.uuid4().hex[:12]}"
        meta = np.empty((0,) * len(n.shape), n.dtype)
        if self.whole is not None or n.value is not None:
            with TaskScope():
                value = _engine.force(n)
            self.tasks = 0
            return da.from_array(value, chunks=self.chunks, meta=meta)
        dsk: dict = {}
        self.deps: list = []
        if self.reduce is None:
            for idx, region in _blocks(self.chunks):
                dsk[(name,) + idx] = self.task(region)
        else:
            self._tree(dsk, name)
        self.tasks = len(dsk)
        STATS["tasks"] += len(dsk)
        graph = HighLevelGraph.from_collections(name, dsk, dependencies=self.deps)
        return da.Array(graph, name, self.chunks, meta=meta)

    def task(self, region: tuple) -> tuple:
        """The Dask task of one chunk (or reduction partial) over ``region``."""
        prog, leaves = self.chunk_program(region)
        args = []
        for leaf in leaves:
            if type(leaf) is SubChunk:  # the region of a tree reduction: one chunk's key
                arr = self.sub_array(leaf.node)[tuple(slice(a, b) for a, b in leaf.region)]
                if arr.npartitions > 1:
                    arr = arr.rechunk(arr.shape)
                self.deps.append(arr)
                leaf = next(iter(dask_keys(arr)))
            args.append(leaf)
        return (run_program, prog, *args)

    def _tree(self, dsk: dict, name: str) -> None:
        r = self.reduce
        n = self.node
        axes, kept = r["axes"], r["kept"]
        groups: dict = {}
        pname, cname = name + "-partial", name + "-combine"
        for idx, region in _blocks(self.in_chunks):
            dsk[(pname,) + idx] = self.task(region)
            groups.setdefault(tuple(idx[a] for a in kept), []).append((pname,) + idx)
        offs = _offsets(self.in_chunks)
        for out_idx, keys in groups.items():
            level = 0
            while len(keys) > 1:
                nxt = []
                for g in range(0, len(keys), self.split_every):
                    key = (cname, level, g) + out_idx
                    dsk[key] = (combine, r["combine"], *keys[g:g + self.split_every])
                    nxt.append(key)
                keys, level = nxt, level + 1
            shape = []
            for a in range(len(n.inputs[0].shape)):
                if a in axes:
                    if r["keep"]:
                        shape.append(1)
                else:
                    i = out_idx[kept.index(a)]
                    shape.append(offs[a][i + 1] - offs[a][i])
            spec = Finish(r["combine"], r["initial"], r["count"], n.dtype, tuple(shape),
                          r["sqrt"])
            full = iter(out_idx)
            key_idx = tuple(0 if a in axes else next(full) for a in range(len(n.inputs[0].shape))
                            if r["keep"] or a not in axes)
            dsk[(name,) + key_idx] = (finalize, spec, keys[0])

    # -- explain
    def text(self) -> str:
        n = self.node
        count = math.prod(len(c) for c in self.in_chunks)
        block = tuple(max(c, default=0) for c in self.in_chunks)
        lines = [f"lazynp graph %{n.id} ({n.op.value} {n.dtype} {n.shape}) as a Dask graph"]
        for s in self.stages:
            lines.append(f"  stage: {s}")
        if self.whole is not None:
            lines.append(f"  computed whole, locally ({self.whole}); handed to Dask as "
                         f"{math.prod(len(c) for c in self.chunks)} chunk(s)")
            return "\n".join(lines)
        kernels = self._chunk_kernels()
        lines.append(f"  {count} chunk(s) of up to {block} elements "
                     f"x {len(kernels) if kernels is not None else '?'} kernel(s) per chunk")
        if kernels is not None:
            for k in kernels:
                lines.append(f"    kernel per chunk: {k}")
        else:
            lines.append("    (kernels per chunk: planned once the stages have run)")
        tasks = count
        if self.reduce is not None:
            r = self.reduce
            per_out = math.prod(len(self.in_chunks[a]) for a in r["axes"])
            outs = count // max(per_out, 1)
            comb = 0
            k = per_out
            while k > 1:
                k = -(-k // self.split_every)
                comb += k
            tasks += outs * (comb + 1)
            lines.append(f"  reduction {n.op.value} over axes {r['axes']}: {per_out} "
                         f"partial(s) per output chunk combined in a fixed order (fan-in "
                         f"{self.split_every}): {comb} combine task(s) + 1 final, "
                         f"x {outs} output chunk(s)")
        if self.post is not None:
            lines.append(f"  ({'std' if self.post[1] else 'var'}: the sum of the squared "
                         "deviations from the mean, divided by the count; the mean a tree of "
                         "its own)")
        lines.append(f"  tasks: {tasks}")
        return "\n".join(lines)

    def _chunk_kernels(self) -> list[str] | None:
        if len(self.stages) > len(self.subs):  # (forced stages not run yet: explain)
            return None
        _, region = next(_blocks(self.in_chunks))
        prog, leaves = self.chunk_program(region)
        leaves = [v.stand_in() if type(v) is SubChunk else v for v in leaves]
        root = build(prog, tuple(leaves), plan_only=True)[prog.root]
        if root.value is not None:
            return []
        plan = _engine.plan_of(root, cached=False)
        return [k.name for k in plan.kernels]


# ------------------------------------------------------------------ entry points


def dask_keys(arr: Any) -> Any:
    """The keys of a Dask array's chunks, flattened."""
    keys = arr.__dask_keys__()
    while keys and isinstance(keys[0], list):
        keys = [k for sub in keys for k in sub]
    return keys


def node_of(x: Any) -> Node:
    if type(x) is LazyArray:
        return x._node if x._data is None else buffer_node(x._data)
    return buffer_node(np.asarray(x))


def to_dask(x: Any, chunks: Any = None, split_every: int = SPLIT_EVERY) -> Any:
    """``x`` (a lazynp array, pending or concrete, or anything NumPy takes) as a
    ``dask.array.Array`` whose tasks each compute one chunk as one fused lazynp kernel
    (module docstring); ``chunks``: Dask's forms, None for ``config.dask_chunks`` elements
    per chunk."""
    return DaskPlan(node_of(x), chunks, split_every).array()


def explain(x: Any, chunks: Any = None, file: Any = None, when_forced: bool = False) -> None:
    """Print how ``to_dask(x, chunks)`` would run: stages, chunks x kernels per chunk, the
    reduction tree, the number of tasks.  Nothing is computed.  ``when_forced``: only when
    ``force(x)`` would go through Dask (``lazynp.explain`` under ``scheduler="dask"``)."""
    node = node_of(x)
    if when_forced and not wants_dask(node):
        return
    print(DaskPlan(node, chunks, SPLIT_EVERY, dry=True).text(), file=file)


def wants_dask(node: Node) -> bool:
    """Whether ``force(node)`` goes through Dask (``config.scheduler == "dask"``): not from
    inside a chunk task or a Dask worker, and only for a graph with a node larger than one
    chunk."""
    if in_task() or config.scheduler != "dask" or node.value is not None:
        return False
    dist = sys.modules.get("distributed")
    if dist is not None:
        try:
            dist.get_worker()
            return False
        except ValueError:
            pass
    limit = int(config.dask_chunks)
    return any(m.size > limit or any(i.size > limit for i in m.inputs)
               for m in pending_subgraph(node))


def force_through_dask(node: Node) -> bool:
    """``_engine.force``'s hook: compute ``node`` on the current Dask scheduler (the default
    client's cluster, else Dask's default) and store the value; whether it did."""
    if not wants_dask(node):
        return False
    plan = DaskPlan(node, None, SPLIT_EVERY)
    if config.debug >= 1 or config.explain_on_force:
        print(plan.text(), file=sys.stderr)
    # Note: differs from NumPy: floating-point warnings of the chunks are reported where
    # the chunks run (a worker's log), not here (docs/deviations.md)
    value = _owned(plan.array().compute())
    if node.value is None:
        _engine.realize(node, value)
    STATS["dask_forces"] += 1
    return True
