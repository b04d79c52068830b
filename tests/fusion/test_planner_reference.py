"""The planner's shortcuts change no decision: plans made with them equal plans made without.

``make_plan`` takes shortcuts for speed (a plan-cache miss is on the path of every new
statement): operands of a 1-D elementwise node are not probed, broadcast strides are computed
without making views, memory orders, stand-in arrays and ufunc loop resolutions are cached,
an input read without views gets offset 0 without address arithmetic (and a base's address
is read once), an input already of the iteration shape is not broadcast again, and a kernel's
name, key and cost are summarized in one pass.  Here each graph of a corpus is planned twice,
once as it is and once with those shortcuts replaced by the straightforward computations (the
planner's code before the shortcuts: every operand probed through ``np.broadcast_to``, no
caches, addresses read from ``__array_interface__`` each time), and the two plans must be the
same, field by field, and print the same ``explain`` text.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

import lazynp as lnp
from lazynp._array import node_of
from lazynp.fusion import partition as P
from lazynp.fusion import plan as plan_mod
from lazynp.fusion.cost import bytes_cost, op_cost
from lazynp.fusion.explain import format_groups, format_plan
from lazynp.fusion.plan import (
    Const,
    In,
    Kernel,
    KernelInput,
    Ref,
    apply_view,
    layout_class,
    short_dtype,
    short_op,
    stand_in,
    view_key,
)
from lazynp.graph.node import Node
from lazynp.graph.ops import ELEMENTWISE, Op

RNG = np.random.default_rng(77)


# ------------------------------------------------------------- straightforward planner
class _NoStore(dict):
    """A cache that never keeps anything."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _probe(self: P.Planner, n: Node) -> np.ndarray:
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
    elif n.op in ELEMENTWISE:
        order = (n.params or {}).get("order", "K") if n.op is Op.COPY else "K"
        src = [np.broadcast_to(self.probe(i), n.shape) for i in n.inputs]
        if order == "C":
            perm = None
        elif order == "A":
            f = src[0].flags.f_contiguous and not src[0].flags.c_contiguous
            perm = tuple(range(len(n.shape) - 1, -1, -1)) if f else None
        else:
            perm = P.nditer_order(n.shape, [a.strides for a in src])
    if got is None:
        got = stand_in(n.shape, n.dtype, perm)
    self.perms[n.id] = perm
    self.probes[n.id] = got
    return got


def _input(self: Any, n: Node, chain: tuple, fill: Any = None, source: Any = None) -> In:
    key = (n.id, tuple(view_key(s) for s in chain))
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
    arr = np.broadcast_to(arr, self.shape)
    item = arr.dtype.itemsize
    strides = tuple(s // item for s in arr.strides)
    layout = layout_class(arr.shape, strides)
    if any(s % item for s in arr.strides):
        layout = "general"
    offset = 0
    if arr.size and base.size and fill is None:
        offset = (arr.__array_interface__["data"][0]
                  - base.__array_interface__["data"][0]) // item
    distinct = 1
    for size, s in zip(arr.shape, strides):
        if s != 0:
            distinct *= size
    nbytes = item if fill is not None else 0 if source is not None else distinct * item
    self.inputs.append(KernelInput(n, chain, arr.dtype, strides, offset, layout,
                                   nbytes, fill, source))
    self.input_keys[key] = len(self.inputs) - 1
    return In(len(self.inputs) - 1)


def _key_arg(a: Any) -> Any:
    if isinstance(a, In):
        return ("i", a.index)
    if isinstance(a, Ref):
        return ("v", a.index)
    return ("c", None if a.value is None else np.asarray(a.value).dtype.str)


def _finish(k: Kernel, p: P.Planner, m: dict[int, str], notes: dict[int, str]) -> None:
    ops = []
    counts: dict[np.dtype, int] = defaultdict(int)
    for ins in k.body:
        if ins.implicit:
            continue
        name = short_op(ins.op)
        if name not in ops:
            ops.append(name)
        dts = ins.loop[:1] if ins.loop else (ins.dtype,)
        for d in dts:
            counts[np.dtype(d)] += 1
    if k.reduction is not None:
        ops.append(k.reduction.op.value)
    if not ops:
        ops.append("copy")
    if counts:
        dom = max(counts, key=lambda d: counts[d])
    elif k.inputs:
        dom = k.inputs[0].dtype
    else:
        dom = k.outputs[0].dtype
    k.name = "k_" + "_".join(ops) + "_" + short_dtype(dom)
    red = k.reduction
    k.key = (
        len(k.shape),
        tuple((i.dtype.str, i.layout, i.fill is not None, i.source is not None)
              for i in k.inputs),
        tuple((ins.op.value, ins.dtype.str, tuple(_key_arg(a) for a in ins.args), ins.index)
              for ins in k.body),
        _key_arg(k.result),
        None if red is None else (red.op.value, red.axes, red.keepdims, red.acc_dtype.str),
        tuple((o.dtype.str, o.perm, o.existing is not None) for o in k.outputs),
    )
    k.bytes_read = sum(i.nbytes for i in k.inputs)
    k.bytes_written = sum(int(np.prod(o.shape, dtype=np.int64)) * o.dtype.itemsize
                          for o in k.outputs)
    work = sum(op_cost(ins.node) if ins.node is not None else 1.0 for ins in k.body)
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


@contextlib.contextmanager
def straightforward(monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as mp:
        mp.setattr(P.Planner, "probe", _probe)
        mp.setattr(P._KernelBuilder, "input", _input)
        mp.setattr(P, "_finish", _finish)
        mp.setattr(P, "_LOOPS", _NoStore())
        mp.setattr(plan_mod, "_STAND_INS", _NoStore())
        yield


# ------------------------------------------------------------------------ plan dump
def _operand(a: Any) -> Any:
    if isinstance(a, Const):
        v = a.value
        return ("c", None if v is None else (np.asarray(v).dtype.str, repr(v)))
    return str(a)


def dump(plan: Any) -> list:
    out: list = [format_plan(plan), format_groups(plan), sorted(plan.reasons.items()),
                 sorted(plan.notes.items()), sorted(plan.costs.items()),
                 [n.id for n in plan.nodes]]
    for s in plan.steps:
        if not isinstance(s, Kernel):
            out.append((s.node.id, s.kind, s.reason))
            continue
        out.append((s.name, s.key, s.shape, s.cost, s.bytes_read, s.bytes_written,
                    [n.id for n in s.members], list(s.reasons), _operand(s.result)))
        out.append([(i.node.id, [view_key(v) for v in i.views], i.dtype.str, i.strides,
                     i.offset, i.layout, i.nbytes,
                     None if i.fill is None else (i.fill.dtype.str, repr(i.fill[()])),
                     i.source is not None) for i in s.inputs])
        out.append([(o.node.id, o.dtype.str, o.shape, o.perm, o.existing is not None)
                    for o in s.outputs])
        out.append([(b.op, [_operand(a) for a in b.args], b.dtype.str,
                     None if b.node is None else b.node.id,
                     None if b.loop is None else tuple(np.dtype(d).str for d in b.loop),
                     b.index, b.implicit) for b in s.body])
        r = s.reduction
        if r is not None:
            out.append((r.op, r.node.id, r.axes, r.keepdims, r.dtype.str, r.acc_dtype.str,
                        r.combine, r.identity, sorted(r.kwargs.items(), key=str),
                        r.initial))
    return out


# --------------------------------------------------------------------------- corpus
def a(*shape: int, dtype: Any = np.float64, order: str = "C") -> Any:
    v = RNG.random(shape) * 4 - 2
    if np.dtype(dtype).kind == "c":
        v = v + 1j * (RNG.random(shape) - 0.5)
    v = v.astype(dtype)
    return lnp.array(np.asfortranarray(v) if order == "F" else v)


def g_chain10():
    y = a(1000)
    for _ in range(5):
        y = y * 1.0001 + 0.5
    return y


def g_stencil(lazy: bool):
    def f():
        u = a(30, 40)
        if lazy:
            u = u * 1.0
        return 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    return f


def g_softmax():
    x = a(50, 20) * 1.5
    e = lnp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def g_held():
    x = a(300)
    b = lnp.exp(x) + 1.0
    g_held.keep = b
    return b.sum(keepdims=True) + b


def g_fortran():
    f = a(20, 30, order="F")
    g = a(20, 30)
    return (f * 2.0 + 1.0) - lnp.sin(f) * g


def g_fortran_only():
    f = a(20, 30, order="F")
    t = a(3, 30, 4).transpose(2, 0, 1)
    return lnp.exp(f) * 2.0 + f + (t * t + 1.0).sum(axis=(0, 1))[::-1] * 0.5


def g_fortran_copies():
    f = a(12, 7, order="F")
    return (f + 1.0).copy(order="A") * (f - 1.0).copy(order="K") + (f * 3).copy(order="C")


def g_transposes():
    t = a(4, 5, 6)
    u = (t * 2.0).transpose(2, 0, 1)
    return lnp.sqrt(lnp.abs(u)) + a(6, 4, 5) + u[::-1, :, ::2].sum(axis=2, keepdims=True)


def g_broadcasts():
    row = a(1, 40)
    col = a(30, 1)
    return (row * 2.0 + col) / (col + 3.0) - a(40) * 0.5


def g_mixed_dtypes():
    i = a(200, dtype=np.int32)
    f = a(200, dtype=np.float32)
    b = a(200, dtype=np.int8)
    return (i + f) * 2 - (b + 100) + (i // 3) % 5 + lnp.where(f > 0, i, 2.5)


def g_where_clip_astype():
    x = a(64, 3)
    return lnp.clip(lnp.where(x > 0.5, x, -x), -1, 1).astype(np.float32) + 1


def g_complex_parts():
    z = a(50, dtype=np.complex128) * (1 + 2j)
    return (z * z).real + z.imag * 2.0


def g_reshape_copy():
    t = a(6, 8) * 2.0
    return t.T.reshape(48) + 1.0


def g_reductions():
    x = a(40, 30) * 2.0 - 1.0
    return (x.sum(axis=0) + x.max(axis=0) * x.mean(axis=0)
            + (x > 0).any(axis=0) + x.prod(axis=0, dtype=np.float64))


def g_var():
    return (a(60, 10) * 3.0).var(axis=1) + 1.0


def g_cost_split():
    y = a(500)
    for _ in range(16):
        y = lnp.sin(y) + 0.5
    return y


def g_multi_consumer_expensive():
    x = a(100, 20)
    t = lnp.sin(lnp.exp(x)) * lnp.cos(x)
    return t * 2 - t.sum(1, keepdims=True)


def g_small_operand():
    x = a(400, 300)
    return x * (a(300) * 2.0 + 1.0)


def g_fills_and_random():
    rng = lnp.random.default_rng(3)
    r = rng.random((50, 8))
    return (r + lnp.zeros_like(r) + lnp.full((8,), 2.0)) * lnp.ones((50, 1))


def g_int_out_of_range():
    b = a(30, dtype=np.int8)
    return (b * 2 < 1000) & (b + 1 > -300)


def g_boundaries():
    x = a(10)
    return lnp.concatenate([x * 2, lnp.arange(5.0)]) + lnp.cumsum(x * 3.0)[:1] * 2.0


def g_scalars_and_zero_d():
    x = a(5, 1)
    s = a() * 2.0
    return (x + s) * a(1, 5) + 3


def g_length_one_axes():
    x = a(40, 64) * 0.5
    return (x + a(1, 1) * 2.0) * (a(1, 64) + 1.0) + a(40, 1) - (a(1, 1) + a(40, 64))


def g_length_one_alone():
    return a(1, 7) * 2.0 + a(1, 7)


def g_empty_and_one():
    return (a(0, 4) * 2.0 + 1.0).sum(axis=0) + (a(1, 1) + 1.0)


CORPUS = {name[2:]: fn for name, fn in list(globals().items())
          if name.startswith("g_") and name != "g_stencil"}
CORPUS["stencil"] = g_stencil(False)
CORPUS["stencil_lazy"] = g_stencil(True)


@pytest.mark.parametrize("limits", [(10.0, 200.0), (100.0, 40.0), (0.0, 1e9)],
                         ids=["default", "recompute100-max40", "recompute0"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_plan_equals_the_straightforward_planners(name: str, limits: tuple,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with lnp.config(eager_threshold=0):
        x = CORPUS[name]()
        root = node_of(x)
        assert root.value is None, "the graph must be pending"
        for _ in range(2):  # a second time: with the caches filled
            got = dump(P.make_plan(root, *limits))
            with straightforward(monkeypatch):
                want = dump(P.make_plan(root, *limits))
            assert got == want
        np.asarray(x)  # (forcing works on the plans made)


def test_corpus_covers_the_shortcuts() -> None:
    """The corpus has 1-D and n-D elementwise nodes, non-C memory orders, view chains and
    reductions (so each shortcut is compared on the cases it changes)."""
    seen: set = set()
    with lnp.config(eager_threshold=0):
        for fn in CORPUS.values():
            p = P.make_plan(node_of(fn()))
            for k in p.kernels:
                seen.add(("ndim", min(len(k.shape), 2)))
                seen.update(("perm", o.perm is not None) for o in k.outputs)
                seen.update(("views", bool(i.views)) for i in k.inputs)
                seen.update(("offset", i.offset != 0) for i in k.inputs)
                seen.add(("reduction", k.reduction is not None))
    want = {("ndim", 1), ("ndim", 2), ("perm", True), ("perm", False), ("views", True),
            ("views", False), ("offset", True), ("reduction", True), ("reduction", False)}
    assert want <= seen, want - seen
