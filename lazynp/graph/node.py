"""Graph nodes.

A ``Node`` is one recorded operation: an ``Op``, its input nodes, static parameters (axes,
dtypes, Python-scalar constants, index tuples...), and the result's shape and dtype, which are
always known at record time.  A node is *pending* while ``value is None`` and *realized* once
the engine stores its result buffer in ``value``; realizing drops ``inputs`` so that sources
can be freed (design rule 6, docs/design.md).

``errstate`` is NumPy's floating-point error state captured when the node was recorded; the
engine evaluates the node under it, so warnings follow the ``errstate`` of the recording call.

``readers`` holds weak references to pending nodes that read this node while it was itself
pending; when the node is realized they are handed to the write registry of the engine, which
forces them before anybody writes into the buffer they read (design rule 4, docs/design.md).
"""

from __future__ import annotations

import itertools
import math
import weakref
from typing import Any

import numpy as np
from numpy._core import _ufunc_config

from .ops import Op

_extobj = _ufunc_config._extobj_contextvar
_ids = itertools.count()


class Node:
    # holder: weak reference to the lazynp array created around the node (set by the front
    # end; unset for nodes no array was made for).  A live holder tells the planner that the
    # user still holds the value, so an expensive node is worth storing rather than
    # recomputing on its next use.  (No backend state lives on nodes: a backend keeps its
    # own caches.)
    __slots__ = ("op", "inputs", "params", "shape", "dtype", "value", "errstate", "depth",
                 "weight", "readers", "origin", "id", "holder", "__weakref__")

    def __init__(self, op: Op, inputs: tuple, params: dict | None, shape: tuple,
                 dtype: np.dtype, value: np.ndarray | None = None) -> None:
        self.op = op
        self.inputs = inputs
        self.params = params
        self.shape = shape
        self.dtype = dtype
        self.value = value
        self.errstate = _extobj.get()
        self.readers: list | None = None
        self.origin: str | None = None
        self.holder: weakref.ref | None = None
        self.id = next(_ids)
        if inputs:
            depth = 0
            weight = 1
            for inp in inputs:
                if inp.value is None:
                    if inp.depth > depth:
                        depth = inp.depth
                    weight += inp.weight
            self.depth = depth + 1
            self.weight = weight
        else:
            self.depth = 0
            self.weight = 0

    @property
    def pending(self) -> bool:
        return self.value is None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def held(self) -> bool:
        """Whether a lazynp array around this node is still alive."""
        ref = self.holder
        return ref is not None and ref() is not None

    def add_reader(self, reader: Node) -> None:
        readers = self.readers
        if readers is None:
            self.readers = [weakref.ref(reader)]
            return
        readers.append(weakref.ref(reader))
        n = len(readers)
        if n >= 64 and not n & (n - 1):  # prune dead readers at each power of two
            readers[:] = [r for r in readers if _live_pending(r)]


    def __repr__(self) -> str:
        state = "pending" if self.value is None else "realized"
        return f"<Node %{self.id} {self.op.value} {self.dtype} {self.shape} {state}>"


def _live_pending(ref: weakref.ref) -> bool:
    n = ref()
    return n is not None and n.value is None


def buffer_node(value: np.ndarray) -> Node:
    """A realized leaf around a concrete NumPy buffer (possibly a view)."""
    return Node(Op.BUFFER, (), None, value.shape, value.dtype, value)


def pending_subgraph(root: Node) -> list[Node]:
    """Pending nodes reachable from ``root``, in an order where inputs come first."""
    order: list[Node] = []
    if root.value is not None:
        return order
    seen: set[Node] = set()  # (nodes hash by identity)
    stack: list[Node | None] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node is None:  # the node under the marker has its inputs in ``order``: append it
            order.append(pop())
            continue
        if node in seen:
            continue
        seen.add(node)
        push(node)
        push(None)
        for inp in reversed(node.inputs):
            if inp.value is None and inp not in seen:
                push(inp)
    return order


def param_text(params: dict[str, Any] | None) -> str:
    if not params:
        return ""
    return " " + " ".join(f"{k}={v!r}" for k, v in params.items())


# The outputs of one call of a two-output ufunc (divmod, frexp, modf) are sibling nodes; NumPy
# reports a flag once per call, so the siblings share the kinds already reported (whichever is
# forced first reports, in any force: ``fusion.reference.report``).  node -> the shared set
# of flag kinds already reported.
SHARED_REPORTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def share_reports(nodes: Any) -> None:
    """Make ``nodes`` (the outputs of one ufunc call) report each flag kind once together."""
    shared: set = set()
    for n in nodes:
        SHARED_REPORTS[n] = shared
