"""Plan cache: a forced sub-DAG shaped like an earlier one reuses that one's plan.

A loop that forces the same expression on new arrays each iteration (``c = a*b + 1.0;
float(c[3])``, a stencil time step) would otherwise run the partitioner every time, which
costs far more than a small kernel.  ``cached_plan(root, limit, max_cost)`` computes the
*signature* of the pending sub-DAG and, on a hit, rebinds the cached plan to the new nodes.

The signature holds everything the partitioner reads: for each pending node in
``pending_subgraph`` order its op, parameters (constants by type and exact value), dtype,
shape, whether a live array still holds it, and its inputs (a pending node by position, a
realized one by leaf slot); for each leaf its dtype, shape and strides; and the planner's
settings.  A node whose parameters hold anything else (arrays, objects) makes the graph
uncacheable: it is planned as usual.  Equal signatures give the same plan up to node
identity, so a hit maps the cached plan's nodes to the new ones by position.

Python float constants of elementwise nodes are *parameters*: the signature keeps their
places and which of them are equal (the planner's decisions do not depend on their values),
not the values, so a loop whose statement differs from the last one only in such scalars
(``u = u + dt * t * f`` with ``t`` changing) reuses the plan.  An instance whose values
differ from the template's gets the new constants in its kernel bodies (``Kernel.own_consts``
tells the backend to pack them for this instance).  Exponents of ``power`` stay in the key:
the cost model reads them.

Cached plans are stored as templates whose nodes are replaced by :class:`_Slot` positions:
the cache never keeps graph nodes or their buffers alive.  Every hit returns fresh
``Plan``/``Kernel``/``KernelInput``/``KernelOutput``/``Instr`` objects (callers may set
``KernelOutput.existing``); ``Kernel.memo`` (what a backend keeps per kernel, such as its
compiled entry and constant block) is shared by the template and all its instances.
Reason strings keep the node ids of the first plan; ``lazynp.explain`` always plans afresh.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ..graph.node import Node, pending_subgraph
from ..graph.ops import Op
from ..graph.semantics import ARG
from .partition import const_as, make_plan
from .plan import Const, Kernel, NodeStep, Plan

__all__ = ["cached_plan", "lookup", "plan_from", "instantiate", "store", "signature",
           "clear", "stats", "MAX_ENTRIES"]

MAX_ENTRIES = 256
_cache: OrderedDict[tuple, Plan] = OrderedDict()
stats = {"hits": 0, "misses": 0, "uncacheable": 0}


class _NoKey(Exception):
    pass


class _Slot:
    """Position of a node in a signature: pending nodes 0..P-1, then leaves P.."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


_PLAIN = (int, bool, str, type(None), type(Ellipsis))
# ops whose float constants stay in the key (the cost model reads a power's exponent)
_VALUE_KEYED = frozenset({Op.POWER, Op.FLOAT_POWER})


def _pk(v: Any) -> Any:
    if v is ARG:
        return "ARG"
    t = type(v)
    if t is float:
        return (t, v) if v == v and v else (t, repr(v))  # -0.0 apart from 0.0; nan == nan
    if t is complex:
        return (t, repr(v))
    if t is tuple or t is list:
        return (t, tuple([_pk(x) for x in v]))
    if t is dict:
        return tuple([(k, _pk(x)) for k, x in v.items()])
    if t in _PLAIN:
        return (t, v)
    if t is slice:
        return (slice, _pk(v.start), _pk(v.stop), _pk(v.step))
    if isinstance(v, np.generic):
        return (t, v.dtype.str, v.tobytes())
    if isinstance(v, (np.dtype, enum.Enum, type)):
        return v
    raise _NoKey


def signature(root: Node) -> tuple[tuple, list[Node], tuple] | None:
    """(key, nodes, values): the graph's signature, its nodes in slot order (pending nodes in
    ``pending_subgraph`` order, then leaves) and the keys of its float parameters' values,
    or None when it cannot be cached."""
    order = pending_subgraph(root)
    n_order = len(order)
    pos = dict(zip(order, range(n_order)))  # (nodes hash by identity)
    leaves: list[Node] = []
    parts: list = []
    append = parts.append
    values: dict = {}  # a float parameter's value key -> its number

    try:
        for n in order:
            ins = []
            for i in n.inputs:
                p = pos.get(i)
                if p is None:  # a realized input: a leaf slot
                    p = pos[i] = n_order + len(leaves)
                    leaves.append(i)
                ins.append(p)
            params = n.params
            if not params:
                pk: Any = None
            else:
                args = params.get("args")
                if type(args) is tuple and n.op not in _VALUE_KEYED:
                    # an elementwise node's argument: the graph input marker, a float
                    # constant as the k-th distinct value (-0.0 apart from 0.0, NaN == NaN),
                    # anything else by type and value
                    key = []
                    for a in args:
                        if a is ARG:
                            key.append("ARG")
                        elif type(a) is float:
                            key.append(("P", values.setdefault(a if a == a and a else repr(a),
                                                               len(values))))
                        else:
                            key.append(_pk(a))
                    pk = tuple(key)
                    if len(params) > 1:
                        pk = ("args", pk, _pk({k: v for k, v in params.items()
                                               if k != "args"}))
                elif n.op is Op.RANDOM:
                    pk = params.get("method")
                else:
                    pk = _pk(params)
            h = n.holder
            dt = n.dtype
            append((n.op, pk, dt, dt.char, n.shape, h is not None and h() is not None,
                    tuple(ins)))
    except _NoKey:
        return None
    for leaf in leaves:
        v = leaf.value
        dt = v.dtype
        append((dt, dt.char, v.shape, v.strides))
    return tuple(parts), order + leaves, tuple(values)


def clear() -> None:
    _cache.clear()


def lookup(root: Node, recompute_limit: float, max_cost: float
           ) -> tuple[Plan | None, list[Node], tuple | None, bool]:
    """(template, nodes, key, same): the cached template for ``root``'s graph (None on a
    miss), the graph's nodes in slot order, the cache key (None: the graph cannot be cached)
    and whether the graph's float parameters have the template's values.  A template's
    nodes are :class:`_Slot` positions into ``nodes``."""
    sig = signature(root)
    if sig is None:
        stats["uncacheable"] += 1
        return None, [], None, True
    key = (sig[0], recompute_limit, max_cost)
    entry = _cache.get(key)
    if entry is None:
        stats["misses"] += 1
        return None, sig[1], (key, sig[2]), True
    stats["hits"] += 1
    return entry[0], sig[1], (key, sig[2]), entry[1] == sig[2]


def instantiate(template: Plan, nodes: list[Node], same: bool = True) -> Plan:
    """The template's plan for the graph whose nodes (slot order) are ``nodes`` (``same``:
    its float parameters have the template's values, else its kernels get their own)."""
    plan = _rebind(template, lambda s: nodes[s.index])
    if not same:
        for k in plan.steps:
            if isinstance(k, Kernel):
                _own_constants(k)
    return plan


def _own_constants(k: Kernel) -> None:
    """Set the float constants of ``k``'s body from its nodes' own parameters.  An
    instruction of a node's op has the node's arguments in order (a constant where the
    node's template has one, converted to the loop dtype), as the planner lowers them."""
    for ins in k.body:
        n = ins.node
        if n is None or ins.op is Op.CAST or ins.op is Op.COPY or n.op in _VALUE_KEYED:
            continue
        args = (n.params or {}).get("args")
        if type(args) is not tuple:
            continue
        new = list(ins.args)
        for j, t in enumerate(args):
            if type(t) is float and j < len(new) and type(new[j]) is Const \
                    and new[j].value is not None:
                new[j] = const_as(t, new[j].dtype)
        ins.args = tuple(new)
    k.own_consts = True


def store(key: tuple, plan: Plan, nodes: list[Node]) -> None:
    """Keep ``plan`` (made for the graph of ``nodes``) as the template for ``key`` (the
    cache key and the values of the graph's float parameters, from :func:`lookup`)."""
    slots = {id(n): _Slot(i) for i, n in enumerate(nodes)}
    if all(id(n) in slots for n in _plan_nodes(plan)):
        _cache[key[0]] = (_rebind(plan, lambda n: slots[id(n)]), key[1])
        if len(_cache) > MAX_ENTRIES:  # the oldest template goes (a hot one is re-planned
            _cache.popitem(last=False)  # once and comes back)


def plan_from(template: Plan | None, nodes: list[Node], key: tuple | None, same: bool,
              root: Node, recompute_limit: float, max_cost: float) -> Plan:
    """The plan for ``root`` given what :func:`lookup` answered: the template rebound, or a
    new plan (kept as the template for ``key``)."""
    if template is not None:
        return instantiate(template, nodes, same)
    plan = make_plan(root, recompute_limit, max_cost)
    if key is not None:
        store(key, plan, nodes)
    return plan


def cached_plan(root: Node, recompute_limit: float, max_cost: float) -> Plan:
    """The plan ``make_plan(root, ...)`` would make, from the cache when the graph's
    signature was planned before."""
    return plan_from(*lookup(root, recompute_limit, max_cost), root, recompute_limit,
                     max_cost)


def _plan_nodes(plan: Plan) -> list[Node]:
    out = list(plan.nodes)
    for s in plan.steps:
        if isinstance(s, NodeStep):
            out.append(s.node)
            continue
        out.extend(i.node for i in s.inputs)
        out.extend(v for i in s.inputs for v in i.views if isinstance(v, Node))
        out.extend(ins.node for ins in s.body if ins.node is not None)
        out.extend(o.node for o in s.outputs)
        if s.reduction is not None:
            out.append(s.reduction.node)
    return out


def _clone(o: Any) -> Any:
    c = object.__new__(type(o))
    c.__dict__.update(o.__dict__)
    return c


def _rebind(plan: Plan, f: Callable[[Any], Any]) -> Plan:
    """A copy of ``plan`` with every node ``n`` replaced by ``f(n)``."""
    steps = []
    for s in plan.steps:
        if isinstance(s, NodeStep):
            steps.append(NodeStep(f(s.node), s.kind, s.reason))
            continue
        k = _clone(s)
        k.inputs = []
        for i in s.inputs:
            c = _clone(i)
            c.node = f(i.node)
            c.views = tuple(f(v) if isinstance(v, (Node, _Slot)) else v for v in i.views)
            if i.source is not None:
                c.source = c.node.params["generate"] if isinstance(c.node, Node) else True
            k.inputs.append(c)
        k.body = []
        for ins in s.body:
            c = _clone(ins)
            if ins.node is not None:
                c.node = f(ins.node)
            k.body.append(c)
        k.outputs = []
        for o in s.outputs:
            c = _clone(o)
            c.node = f(o.node)
            c.existing = None
            k.outputs.append(c)
        if s.reduction is not None:
            k.reduction = _clone(s.reduction)
            k.reduction.node = f(s.reduction.node)
        k.members = [f(n) for n in s.members]
        k.reasons = list(s.reasons)
        steps.append(k)
    # reasons, notes and costs stay keyed by the first plan's node ids (explain plans afresh)
    return Plan(f(plan.root), [f(n) for n in plan.nodes], steps, plan.reasons, plan.notes,
                plan.costs)
