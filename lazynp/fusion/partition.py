"""The partitioner: a pending sub-DAG -> an ordered list of kernel plans (``plan.Plan``).

Decisions, in order (each cut records a reason string, kept in ``Plan.reasons``):

1. Classify every pending node: *elementwise* (ufuncs, ``where``, ``clip``, ``astype``,
   ``copy``), *view* (slice, transpose, broadcast, reshape), *fill* (``np.full``/zeros/ones:
   a constant input, never stored), *fused reduction* (sum prod min max any all mean without a
   ``where=`` mask) or *boundary* (fallbacks and other opaque ops, joins, sources such as
   ``arange``, the other reductions, ufuncs with a ``where=`` mask).  A boundary runs alone
   through the semantics table; its pending inputs are materialized (``"fallback: unique"``).
2. Materialized nodes (kernel outputs): the forced root, boundary inputs, every fused
   reduction (``"reduction boundary"``: its consumers read its small result), and the base
   of a view that is itself materialized (NumPy's aliasing: the view is evaluated on its
   realized base).
3. Every other elementwise/view/fill node is fused into each kernel that reaches it.  A node
   reached from several kernels (softmax: ``e = exp(x - m)`` feeds both ``e.sum(1)`` and
   ``e / s``) is recomputed in each when its recompute cost (work per element plus the
   inputs it re-reads) is at most ``recompute_limit``; otherwise it is materialized once
   (``"multi-consumer: recompute cost 42 > 10"``).  Within one kernel the body is a DAG, so a
   diamond costs nothing extra.
4. A group whose body costs more than ``max_cost`` per element is split at the cheapest cut:
   the node whose materialization moves the fewest bytes among those that split the work
   roughly in half (``"cost 57 > threshold 50: cut at %12 (float64, 8 B/element)"``).
5. Views inside a group are folded into the indexing of the kernel's inputs (pushed through
   elementwise ops down to the buffers); a reshape that is not a view of its input
   materializes the input (or, on a realized input, runs as a copying step).

Kernel bodies are built with explicit casts: each ufunc's loop dtypes are NumPy's own
(``ufunc.resolve_dtypes`` on the operands' dtypes, Python scalars passed as weak ``int`` /
``float`` / ``complex``), so the kernel computes exactly what the semantics table computes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from ..graph.node import Node, pending_subgraph
from ..graph.ops import (
    ELEMENTWISE,
    MULTI_OUT,
    OPAQUE,
    REDUCE,
    SOURCE,
    UFUNC_OF,
    VIEW,
    Op,
)
from ..graph.reductions import REDUCTIONS, acc_dtype
from ..graph.semantics import ARG
from .cost import bytes_cost, op_cost
from .plan import (
    _SHORT,
    Bcast,
    Const,
    In,
    Instr,
    Kernel,
    KernelInput,
    KernelOutput,
    NodeStep,
    Plan,
    Reduction,
    Ref,
    apply_view,
    layout_class,
    short_dtype,
    stand_in,
    view_key,
)

_PART_VIEWS = frozenset({Op.REAL, Op.IMAG})
FUSED_REDUCE = frozenset(s.op for s in REDUCTIONS.values() if s.fused)
_REDUCE_KWARGS = frozenset({"axis", "dtype", "keepdims", "initial"})
_MODELED = frozenset("biufc")
_CAST = Op.CAST  # (a module global is read faster than an enum class's member)
_CAST_COPY = frozenset({Op.CAST, Op.COPY})
_WHERE_CLIP = frozenset({Op.WHERE, Op.CLIP})

RECOMPUTE_LIMIT = 10.0
SMALL_OPERAND = 64  # an elementwise operand this many times smaller than the iteration is
                    # computed once (its own kernel), not per element of the broadcast
MAX_COST = 200.0


class _Restart(Exception):
    """A decision made while building a kernel changes the partition: plan again."""


def classify(node: Node) -> tuple[str, str]:
    """(kind, reason): kind is ew / view / fill / reduce / boundary."""
    op = node.op
    params = node.params or {}
    if op in ELEMENTWISE:
        if params.get("where"):
            return "boundary", f"{op.value} with a where= mask runs on the semantics table"
        if node.dtype.kind not in _MODELED:
            return "boundary", f"{op.value} of dtype {node.dtype} runs on the semantics table"
        return "ew", ""
    if op in VIEW:
        return "view", ""
    if op is Op.FULL or op is Op.RANDOM:
        return "fill", ""
    if op in REDUCE:
        kw = params.get("kwargs") or {}
        inp = node.inputs[0] if node.inputs else None
        if (op in FUSED_REDUCE and not params.get("where") and _REDUCE_KWARGS.issuperset(kw)
                and not (op is Op.MEAN and "initial" in kw) and inp is not None
                and inp.dtype.kind in _MODELED and inp.size > 0):
            return "reduce", ""
        return "boundary", f"reduction boundary: {op.value} runs on the semantics table"
    if op in SOURCE:
        return "boundary", f"source: {op.value} is materialized by the semantics table"
    if op in OPAQUE:
        fn = params.get("fn")
        return "boundary", f"fallback: {getattr(fn, '__name__', 'opaque')}"
    if op is Op.CONCATENATE:
        return "boundary", "join: concatenate is materialized"
    return "boundary", f"{op.value} is not fusible"


class Planner:
    def __init__(self, root: Node, recompute_limit: float = RECOMPUTE_LIMIT,
                 max_cost: float = MAX_COST) -> None:
        self.root = root
        self.limit = recompute_limit
        self.max_cost = max_cost
        self.order = pending_subgraph(root)
        self.kind: dict[int, str] = {}
        self.breason: dict[int, str] = {}
        for n in self.order:
            self.kind[n.id], self.breason[n.id] = classify(n)
        self.sticky: dict[int, str] = {}       # materializations found while building kernels
        self.costs = {n.id: op_cost(n) for n in self.order}
        self.probes: dict[int, np.ndarray] = {}
        self.perms: dict[int, tuple[int, ...] | None] = {}
        self.addrs: dict[int, int] = {}        # node id -> data address of its value/probe

    # ---------------------------------------------------------------- layouts
    def probe(self, n: Node) -> np.ndarray:
        """An array with the strides ``n``'s value has (or will have); data never read.

        Elementwise results get the memory order NumPy's iterator picks for ``order='K'``
        from the operands (``nditer_order``), views are applied to their base's probe, other
        results are C-ordered.
        """
        if n.value is not None:
            return n.value
        got = self.probes.get(n.id)
        if got is not None:
            return got
        k = self.kind[n.id]
        perm = None
        if k == "view":
            try:
                got = apply_view(n, self.probe(n.inputs[0]))
            except ValueError:
                got = None
        elif n.op in ELEMENTWISE and len(n.shape) >= 2:
            # (below two dimensions every order is C order: the operands are not probed)
            order = (n.params or {}).get("order", "K") if n.op is Op.COPY else "K"
            if order == "C":
                perm = None
            elif order == "A":
                src = np.broadcast_to(self.probe(n.inputs[0]), n.shape)
                f = src.flags.f_contiguous and not src.flags.c_contiguous
                perm = tuple(range(len(n.shape) - 1, -1, -1)) if f else None
            else:
                src = [self.probe(i) for i in n.inputs]
                key = (n.shape, tuple([(a.shape, a.strides) for a in src]))
                perm = _ORDERS.get(key, _UNKNOWN)
                if perm is _UNKNOWN:
                    perm = nditer_order(n.shape, [_bstrides(a, n.shape) for a in src])
                    if len(_ORDERS) >= 1024:
                        _ORDERS.clear()
                    _ORDERS[key] = perm
        if got is None:
            got = stand_in(n.shape, n.dtype, perm)
        self.perms[n.id] = perm
        self.probes[n.id] = got
        return got

    # ------------------------------------------------------------- partition
    def _initial(self) -> dict[int, str]:
        m: dict[int, str] = {}
        m[self.root.id] = "result of the force"
        for n in self.order:
            k = self.kind[n.id]
            if k == "boundary":
                m.setdefault(n.id, self.breason[n.id])
                for i in n.inputs:
                    if i.value is None:
                        m.setdefault(i.id, f"input of %{n.id} ({self.breason[n.id]})")
            elif k == "reduce":
                m.setdefault(n.id, "reduction boundary")
        for nid, reason in self.sticky.items():
            m.setdefault(nid, reason)
        for n in self.order:
            if n.id not in m and self.kind[n.id] == "ew" and n.held:
                work, nbytes = self._subtree_cost(n, m)
                cost = work + bytes_cost(nbytes)
                if cost > self.limit:
                    m[n.id] = (f"held by a live array: recompute cost {cost:g} > "
                               f"{self.limit:g}, stored for its next use")
        return m

    def _close_views(self, m: dict[int, str]) -> None:
        changed = True
        while changed:
            changed = False
            for n in reversed(self.order):
                if n.id in m and self.kind[n.id] == "view":
                    i = n.inputs[0]
                    if i.value is None and i.id not in m:
                        m[i.id] = f"base of view %{n.id} (a view aliases its realized base)"
                        changed = True

    def _fusible(self, n: Node, m: dict[int, str]) -> bool:
        return n.value is None and n.id not in m and self.kind[n.id] in ("ew", "view", "fill")

    def _starts(self, o: Node) -> list[Node]:
        return list(o.inputs[:1]) if self.kind[o.id] == "reduce" else list(o.inputs)

    def _group(self, o: Node, m: dict[int, str]) -> list[Node]:
        """Fusible nodes a kernel computing ``o`` contains (``o`` excluded)."""
        seen: set[int] = set()
        out: list[Node] = []
        stack = [i for i in self._starts(o) if self._fusible(i, m)]
        while stack:
            n = stack.pop()
            if n.id in seen:
                continue
            seen.add(n.id)
            out.append(n)
            stack.extend(i for i in n.inputs if self._fusible(i, m))
        return out

    def _subtree_cost(self, n: Node, m: dict[int, str]) -> tuple[float, float]:
        """(work per element, bytes per element of the inputs it reads) of recomputing n."""
        seen: set[int] = set()
        work = 0.0
        nbytes = 0.0
        stack = [n]
        while stack:
            x = stack.pop()
            if x.id in seen:
                continue
            seen.add(x.id)
            if x is not n and not self._fusible(x, m):
                if x.size >= n.size:
                    nbytes += x.dtype.itemsize
                continue
            work += self.costs.get(x.id, 0.0)
            stack.extend(x.inputs)
        return work, nbytes

    def _outputs(self, m: dict[int, str]) -> list[Node]:
        return [n for n in self.order if n.id in m and self.kind[n.id] in ("ew", "reduce")]

    def partition(self) -> tuple[dict[int, str], dict[int, str], dict[int, list[Node]]]:
        m = self._initial()
        notes: dict[int, str] = {}
        while True:
            self._close_views(m)
            groups = {o.id: self._group(o, m) for o in self._outputs(m)}
            claims: dict[int, int] = defaultdict(int)
            for members in groups.values():
                for n in members:
                    claims[n.id] += 1
            notes = {}
            cut = None
            for n in reversed(self.order):
                if claims.get(n.id, 0) > 1 and self.kind[n.id] == "ew":
                    work, nbytes = self._subtree_cost(n, m)
                    cost = work + bytes_cost(nbytes)
                    if cost > self.limit:
                        cut = (n, f"multi-consumer: recompute cost {cost:g} > {self.limit:g}")
                        break
                    notes[n.id] = (f"multi-consumer: recomputed in {claims[n.id]} kernels "
                                   f"(recompute cost {cost:g} <= {self.limit:g})")
            if cut is None:
                cut = self._cost_cut(groups, m)
            if cut is None:
                return m, notes, groups
            m[cut[0].id] = cut[1]

    def _cost_cut(self, groups: dict[int, list[Node]], m: dict[int, str]
                  ) -> tuple[Node, str] | None:
        for oid, members in groups.items():
            ew = [n for n in members if self.kind[n.id] == "ew"]
            total = sum(self.costs[n.id] for n in ew) + self.costs[oid]
            if total <= self.max_cost or not ew:
                continue
            best = None
            for c in ew:
                sc = self._subtree_cost(c, m)[0]
                balanced = total / 4 <= sc <= 3 * total / 4
                score = (not balanced, c.dtype.itemsize if balanced else 0, abs(sc - total / 2))
                if best is None or score < best[0]:
                    best = (score, c)
            c = best[1]
            return c, (f"cost {total:g} > threshold {self.max_cost:g}: cut at %{c.id} "
                       f"({c.dtype}, {c.dtype.itemsize} B/element)")
        return None

    # ------------------------------------------------------------------ plan
    def plan(self) -> Plan:
        for _ in range(len(self.order) + 8):
            m, notes, groups = self.partition()
            try:
                steps = self._steps(m, notes, groups)
            except _Restart:
                continue
            return Plan(self.root, self.order, steps, m, notes, self.costs)
        raise RuntimeError("fusion planner did not converge")  # pragma: no cover

    def _steps(self, m: dict[int, str], notes: dict[int, str],
               groups: dict[int, list[Node]]) -> list:
        steps: list = []
        for n in self.order:
            if n.id not in m:
                continue
            k = self.kind[n.id]
            if k in ("ew", "reduce"):
                kern = _KernelBuilder(self, m, notes).build(n)
                steps.append(kern)
            elif k == "view":
                steps.append(NodeStep(n, "view", m[n.id]))
            elif k == "fill":
                steps.append(NodeStep(n, "source", m[n.id]))
            else:
                steps.append(NodeStep(n, "boundary", self.breason[n.id]))
        return steps


# (shape, operands' (shape, strides)) -> nditer_order of the broadcast operands
_ORDERS: dict[tuple, tuple[int, ...] | None] = {}
_UNKNOWN = object()


def _bstrides(a: np.ndarray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The strides of ``np.broadcast_to(a, shape)`` on the axes where ``shape`` is not 1
    (the only ones ``nditer_order`` reads), without making the view."""
    pad = len(shape) - a.ndim
    st = a.strides
    return (0,) * pad + tuple(0 if d != shape[pad + k] else st[k]
                              for k, d in enumerate(a.shape))


def nditer_order(shape: tuple[int, ...], strides: list[tuple[int, ...]]
                 ) -> tuple[int, ...] | None:
    """Axis order (slowest first) of the output NumPy allocates for ``order='K'``.

    A transcription of ``npyiter_find_best_axis_ordering``: an insertion sort of the axes by
    the operands' absolute strides, where an axis only moves when every operand that has
    non-zero strides on both axes agrees.  None means C order.
    """
    ndim = len(shape)
    if ndim < 2 or not strides:
        return None

    def of(ax: int) -> list[int]:
        return [0 if shape[ax] == 1 else st[ax] for st in strides]

    perm = list(range(ndim - 1, -1, -1))   # fastest axis first, as NumPy's axisdata
    for i0 in range(1, ndim):
        ipos = i0
        j0 = perm[i0]
        s0 = of(j0)
        for i1 in range(i0 - 1, -1, -1):
            ambiguous = True
            swap = False
            s1 = of(perm[i1])
            for a, b in zip(s0, s1):
                if a != 0 and b != 0:
                    if abs(b) <= abs(a):
                        swap = False
                    elif ambiguous:
                        swap = True
                    ambiguous = False
            if not ambiguous:
                if swap:
                    ipos = i1
                else:
                    break
        if ipos != i0:
            perm[ipos + 1:i0 + 1] = perm[ipos:i0]
            perm[ipos] = j0
    order = tuple(reversed(perm))
    return None if order == tuple(range(ndim)) else order


def _fits(value: int, dt: np.dtype) -> bool:
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return info.min <= value <= info.max
    return True


def _weak_key(c: Any) -> Any:
    t = type(c)
    if t is bool:
        return np.dtype(bool)
    if t in (int, float, complex):
        return t
    return np.asarray(c).dtype


def const_as(c: Any, dt: np.dtype) -> Const:
    """Constant ``c`` converted to loop dtype ``dt`` (as NumPy converts a weak scalar)."""
    if c is None:
        return Const(None)
    try:
        if type(c) in (int, float, complex, bool):
            return Const(np.array(c, dtype=dt)[()])
    except (OverflowError, ValueError, TypeError):
        pass
    with np.errstate(all="ignore"):
        return Const(np.asarray(c).astype(dt)[()])


# (ufunc, operand keys, casting, signature) -> loop dtypes: ``ufunc.resolve_dtypes`` is a
# pure function of these (operand keys are builtin dtypes or the weak Python scalar types)
_LOOPS: dict[tuple, tuple] = {}


class _KernelBuilder:
    def __init__(self, planner: Planner, m: dict[int, str], notes: dict[int, str]) -> None:
        self.p = planner
        self.m = m
        self.notes = notes
        self.inputs: list[KernelInput] = []
        self.input_keys: dict[tuple, int] = {}
        self.body: list[Instr] = []
        self.memo: dict[tuple, Any] = {}
        self.cse: dict[tuple, Ref] = {}
        self.members: dict[int, Node] = {}
        self.shape: tuple[int, ...] = ()

    # -------------------------------------------------------------- operands
    def dtype_of(self, a: Any) -> np.dtype:
        t = type(a)
        if t is Ref:
            return self.body[a.index].dtype
        if t is In:
            return self.inputs[a.index].dtype
        return a.dtype

    def emit(self, instr: Instr) -> Ref:
        key = (instr.op, tuple([_arg_key(a) for a in instr.args]), instr.dtype, instr.index,
               instr.node.id if instr.node is not None and instr.op is not _CAST else None)
        ref = self.cse.get(key)
        if ref is None:
            self.body.append(instr)
            ref = self.cse[key] = Ref(len(self.body) - 1)
        return ref

    def cast(self, a: Any, dt: np.dtype) -> Any:
        dt = np.dtype(dt)
        if isinstance(a, Const):
            if a.value is None or a.dtype == dt:
                return a
            return const_as(a.value, dt)
        if self.dtype_of(a) == dt:
            return a
        return self.emit(Instr(Op.CAST, (a,), dt, None, implicit=True))

    def input(self, n: Node, chain: tuple, fill: Any = None, source: Any = None) -> In:
        key = (n.id, tuple([view_key(s) for s in chain]) if chain else ())
        idx = self.input_keys.get(key)
        if idx is not None:
            return In(idx)
        if fill is not None:
            base = np.broadcast_to(fill, n.shape)
        elif n.value is not None:
            base = n.value
        else:
            base = self.p.probe(n)
        arr = base
        for step in chain:
            try:
                arr = apply_view(step, arr)
            except ValueError:
                self._not_a_view(step)
        if arr.shape != self.shape or 1 in arr.shape or 0 in arr.shape:
            # (a broadcast also zeroes the strides of length-1 axes; on other axes of an
            # array already of the iteration shape it changes nothing)
            arr = np.broadcast_to(arr, self.shape)
        item = arr.dtype.itemsize
        strides = tuple([s // item for s in arr.strides])
        layout = layout_class(arr.shape, strides)
        if any(s % item for s in arr.strides):
            layout = "general"
        offset = 0
        # (without views ``arr`` starts where ``base`` does: a broadcast keeps the address)
        if chain and arr.size and base.size and fill is None:
            start = self.p.addrs.get(n.id)
            if start is None:
                start = self.p.addrs[n.id] = base.__array_interface__["data"][0]
            offset = (arr.__array_interface__["data"][0] - start) // item
        distinct = 1
        for size, s in zip(arr.shape, strides):
            if s != 0:
                distinct *= size
        nbytes = item if fill is not None else 0 if source is not None else distinct * item
        # (the view chain may change the dtype: .real/.imag of complex values)
        self.inputs.append(KernelInput(n, chain, arr.dtype, strides, offset, layout,
                                       nbytes, fill, source))
        self.input_keys[key] = len(self.inputs) - 1
        return In(len(self.inputs) - 1)

    def _not_a_view(self, step: Any) -> None:
        base = step.inputs[0] if step.inputs else None
        if base is not None and base.value is None and base.id not in self.m:
            self.p.sticky[base.id] = (f"reshape %{step.id} is not a view of the fused "
                                      "expression: its input is materialized")
        else:
            self.p.sticky[step.id] = f"reshape %{step.id} needs a copy"
        raise _Restart

    # ------------------------------------------------------------ expressions
    def expr(self, n: Node, chain: tuple) -> Any:
        key = (n.id, tuple([view_key(s) for s in chain]) if chain else ())
        got = self.memo.get(key)
        if got is not None:
            return got
        if n.value is not None or n.id in self.m:
            got = self.input(n, chain)
        else:
            k = self.p.kind[n.id]
            self.members[n.id] = n
            if k == "fill" and n.op is Op.RANDOM:
                if chain or n.shape != self.shape:  # read otherwise than element for element
                    self.p.sticky[n.id] = ("random draws read through a view or broadcast "
                                           "are materialized")
                    raise _Restart
                got = self.input(n, chain, source=n.params["generate"])
            elif k == "fill":
                got = self.input(n, chain, fill=np.full((), n.params["fill"], dtype=n.dtype))
            elif k == "view":
                got = self.expr(n.inputs[0], (n,) + chain)
            elif chain and any(type(s) is Node and s.op in _PART_VIEWS for s in chain):
                # .real/.imag change the values' type: they are not pushed through the
                # computation (real(z*z) is not real(z)*real(z)); the complex value is stored
                self.p.sticky[n.id] = "its .real/.imag is read: stored, then viewed"
                raise _Restart
            else:
                got = self.elementwise(n, chain)
        self.memo[key] = got
        return got

    def operand(self, n: Node, inp: Node, chain: tuple) -> Any:
        if inp.shape == n.shape:
            return self.expr(inp, chain)
        if (inp.value is None and inp.id not in self.m and self.p.kind[inp.id] == "ew"
                and inp.size * SMALL_OPERAND <= math.prod(self.shape)):
            # computing it once is cheaper than once per element of the iteration
            self.p.sticky[inp.id] = (f"small operand: {inp.size} element(s) broadcast over "
                                     f"{math.prod(self.shape)}, computed once")
            raise _Restart
        return self.expr(inp, (Bcast(n.shape),) + chain)

    def elementwise(self, n: Node, chain: tuple) -> Any:
        op = n.op
        params = n.params or {}
        if op in _CAST_COPY:
            a = self.operand(n, n.inputs[0], chain)
            return self.emit(Instr(op, (a,), n.dtype, n))
        template = params["args"]
        it = iter(n.inputs)
        args: list = []
        keys: list = []
        for t in template:
            if t is ARG:
                inp = next(it)
                args.append(self.operand(n, inp, chain))
                keys.append(np.dtype(inp.dtype))
            else:
                args.append(Const(t))
                keys.append(None if t is None else _weak_key(t))
        if op in _WHERE_CLIP:
            for a in args[1:]:
                if isinstance(a, Const) and type(a.value) is int and not _fits(a.value,
                                                                               n.dtype):
                    self._boundary(n, f"Python int {a.value} out of range of {n.dtype}")
            if op is Op.WHERE:
                c, x, y = args
                args = [self.cast(c, np.dtype(bool)) if not isinstance(c, Const)
                        else Const(np.bool_(bool(c.value))),
                        self._cast_any(x, n.dtype), self._cast_any(y, n.dtype)]
                return self.emit(Instr(op, tuple(args), n.dtype, n))
            # clip
            args = [self._cast_any(a, n.dtype) for a in args]
            return self.emit(Instr(op, tuple(args), n.dtype, n))
        uf = UFUNC_OF[op]
        loop = self._resolve(n, uf, keys, params.get("kwargs") or {})
        for a, dt in zip(args, loop):
            if isinstance(a, Const) and type(a.value) is int and not _fits(a.value, dt):
                # NumPy compares out-of-range Python ints exactly (NEP 50); no loop dtype
                # holds the constant, so the node runs alone on the semantics table
                self._boundary(n, f"Python int {a.value} out of range of {dt}")
        args = [const_as(a.value, dt) if isinstance(a, Const) else self.cast(a, dt)
                for a, dt in zip(args, loop)]
        index = params.get("index", 0) if op in MULTI_OUT else 0
        out_dt = loop[uf.nin + index]
        ref = self.emit(Instr(op, tuple(args), out_dt, n, loop=loop, index=index))
        if out_dt != n.dtype:
            ref = self.cast(ref, n.dtype)
        return ref

    def _cast_any(self, a: Any, dt: np.dtype) -> Any:
        if isinstance(a, Const):
            return const_as(a.value, dt)
        return self.cast(a, dt)

    def _resolve(self, n: Node, uf: np.ufunc, keys: list, kwargs: dict) -> tuple:
        sig = None
        if kwargs.get("dtype") is not None:
            if uf.nout != 1:
                self._boundary(n, "ufunc with dtype= and two outputs")
            sig = (None,) * uf.nin + (np.dtype(kwargs["dtype"]),)
        casting = kwargs.get("casting") or "same_kind"
        ckey = (uf, tuple(keys), casting, sig)
        got = _LOOPS.get(ckey)
        if got is not None:
            return got
        extra: dict[str, Any] = {"casting": casting}
        if sig is not None:
            extra["signature"] = sig
        try:
            loop = uf.resolve_dtypes(tuple(keys) + (None,) * uf.nout, **extra)
        except Exception as exc:  # no loop NumPy can name: evaluate it alone
            self._boundary(n, f"no fusable loop for {uf.__name__} ({type(exc).__name__})")
        got = tuple(np.dtype(d) for d in loop)
        if all(not isinstance(k, np.dtype) or k.isbuiltin == 1 for k in keys):
            if len(_LOOPS) >= 1024:
                _LOOPS.clear()
            _LOOPS[ckey] = got
        return got

    def _boundary(self, n: Node, reason: str) -> None:
        self.p.kind[n.id] = "boundary"
        self.p.breason[n.id] = reason
        raise _Restart

    # ------------------------------------------------------------------ build
    def build(self, o: Node) -> Kernel:
        red = None
        if self.p.kind[o.id] == "reduce":
            src = o.inputs[0]
            self.shape = tuple(src.shape)
            result = self.expr(src, ())
            red = _reduction(o, src)
        else:
            self.shape = tuple(o.shape)
            self.members[o.id] = o
            if self.p.kind[o.id] == "fill":  # pragma: no cover - fills are NodeSteps
                raise AssertionError
            result = self.elementwise(o, ())
        perm = None
        if red is None:
            self.p.probe(o)
            perm = self.p.perms.get(o.id)
        out_shape = tuple(o.shape)
        output = KernelOutput(o, np.dtype(o.dtype), out_shape, perm)
        if red is not None:
            self.members[o.id] = o
        kern = Kernel(self.shape, self.inputs, self.body, result, [output], red,
                      [n for n in self.p.order if n.id in self.members])
        _finish(kern, self.p, self.m, self.notes)
        return kern


def _arg_key(a: Any) -> Any:
    t = type(a)
    if t is In:
        return ("i", a.index)
    if t is Ref:
        return ("v", a.index)
    return ("c", id(a))


def _reduction(o: Node, src: Node) -> Reduction:
    kw = dict(o.params.get("kwargs") or {})
    axis = kw.get("axis")
    ndim = len(src.shape)
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    keepdims = bool(kw.get("keepdims", False))
    op = o.op
    block_kw: dict[str, Any] = {}
    acc = acc_dtype(op, src.dtype, o.dtype, kw.get("dtype"))
    if op is Op.MEAN:
        block_kw["dtype"] = acc
    elif op in (Op.SUM, Op.PROD) and kw.get("dtype") is not None:
        block_kw["dtype"] = kw["dtype"]
    spec = REDUCTIONS[op]
    return Reduction(op, o, axes, keepdims, np.dtype(o.dtype), acc, spec.combine,
                     spec.identity, block_kw, kw.get("initial"))


def _finish(k: Kernel, p: Planner, m: dict[int, str], notes: dict[int, str]) -> None:
    """Name, cache key, traffic, cost and reasons of a built kernel."""
    ops = []
    counts: dict[np.dtype, int] = {}
    body_key = []
    works = []
    costs = p.costs
    dstr = _DSTR
    for ins in k.body:
        value = ins.op._value_  # (``op.value`` without the enum property's call)
        dt = ins.dtype
        body_key.append((value, dstr.get(dt) or dt.str, tuple([_key_arg(a) for a in ins.args]),
                         ins.index))
        node = ins.node
        works.append(1.0 if node is None else costs.get(node.id) or op_cost(node))
        if ins.implicit:
            continue
        name = _SHORT.get(value, value)
        if name not in ops:
            ops.append(name)
        d = np.dtype(ins.loop[0] if ins.loop else dt)
        counts[d] = counts.get(d, 0) + 1
    if k.reduction is not None:
        ops.append(k.reduction.op.value)
    if not ops:
        ops.append("copy")
    if counts:
        dom = max(counts, key=counts.__getitem__)
    elif k.inputs:
        dom = k.inputs[0].dtype
    else:
        dom = k.outputs[0].dtype
    k.name = "k_" + "_".join(ops) + "_" + short_dtype(dom)
    red = k.reduction
    k.key = (
        len(k.shape),
        tuple([(dstr.get(i.dtype) or i.dtype.str, i.layout, i.fill is not None,
                i.source is not None) for i in k.inputs]),
        tuple(body_key),
        _key_arg(k.result),
        None if red is None else (red.op.value, red.axes, red.keepdims, red.acc_dtype.str),
        tuple([(dstr.get(o.dtype) or o.dtype.str, o.perm, o.existing is not None)
               for o in k.outputs]),
    )
    k.bytes_read = sum([i.nbytes for i in k.inputs])
    k.bytes_written = sum([math.prod(o.shape) * o.dtype.itemsize for o in k.outputs])
    work = sum(works)
    if red is not None:
        work += 1.0
    k.cost = k.size * work + bytes_cost(k.bytes_read + k.bytes_written)
    for o in k.outputs:
        k.reasons.append(f"output %{o.node.id}: {m.get(o.node.id, 'result')}")
    seen: set[int] = set()
    for i in k.inputs:
        nid = i.node.id
        if nid in m and nid not in seen and i.node.value is None:
            seen.add(nid)
            k.reasons.append(f"input %{nid} cut: {m[nid]}")
    for n in k.members:
        if n.id in notes:
            k.reasons.append(f"%{n.id} {notes[n.id]}")


def _key_arg(a: Any) -> Any:
    t = type(a)
    if t is In:
        return ("i", a.index)
    if t is Ref:
        return ("v", a.index)
    if a.value is None:
        return ("c", None)
    dt = a.dtype
    return ("c", _DSTR.get(dt) or dt.str)


# dtype -> dtype.str for the native builtin dtypes (``.str`` makes a new string each time)
_DSTR = {np.dtype(c): np.dtype(c).str for c in "?bBhHiIlLqQefdgFDG"}


def make_plan(root: Node, recompute_limit: float = RECOMPUTE_LIMIT,
              max_cost: float = MAX_COST) -> Plan:
    """Partition the pending sub-DAG of ``root`` into an ordered list of steps."""
    return Planner(root, recompute_limit, max_cost).plan()
