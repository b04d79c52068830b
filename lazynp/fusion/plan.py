"""The Kernel IR: what the partitioner hands to a backend (reference executor, LLVM, CUDA).

A :class:`Plan` is an ordered list of steps that together realize the forced node:

* :class:`Kernel` -- one fused loop nest over an *iteration shape*:

  - ``inputs``: :class:`KernelInput` buffers.  Each reads the value of a graph node that is
    realized before the kernel runs (a concrete buffer, or the output of an earlier step),
    through a chain of views (slices, transposes, reshapes that are views, broadcasts) that is
    folded into its indexing: ``strides`` (in elements, one per iteration dimension, 0 where
    broadcast) and ``offset`` (in elements from the node's first element).  No copy is made.
    ``layout`` classifies the strides for the cache key: ``contiguous`` (C order over the
    iteration shape), ``broadcast`` (some stride 0), ``inner1`` (innermost stride 1) or
    ``general``.  An input with ``fill`` set is a constant (``np.full``) that is never stored.
  - ``body``: SSA instructions in the shared ``Op`` vocabulary.  Operands are ``In(i)``
    (input ``i`` at the current index), ``Ref(j)`` (the result of instruction ``j``) and
    ``Const(value)`` (a NumPy scalar already converted to the loop dtype: Python scalars are
    weak, as in NumPy).  Every cast NumPy would do inside a ufunc is an explicit ``CAST``
    instruction, so each instruction's operands have exactly its loop dtypes (``loop``).
  - ``result``: the operand that is stored (or reduced) at each index.
  - ``reduction``: optional :class:`Reduction` of ``result`` over iteration axes (identity,
    combine op, keepdims); the kernel output then has the reduced shape.
  - ``outputs``: :class:`KernelOutput` buffers (new buffers with a planned memory order, or
    an existing array for in-place / ``out=`` writes).
  - ``key``: structural cache key (ops, dtypes, ndim, layout classes, reduction axes); never
    data or exact sizes.  ``name``: readable, e.g. ``k_sub_sq_add_lt_sum_f64``.
  - ``bytes_read`` / ``bytes_written``: memory traffic of one run; ``cost``: the cost model's
    estimate; ``members``: graph nodes computed inside; ``reasons``: why the group was cut.

* :class:`NodeStep` -- a node evaluated alone through the semantics table: a view of a realized
  base (NumPy view semantics are kept exactly), a source such as ``arange``, or a boundary
  (fallback, join, a reduction that is not fused).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

import numpy as np

from ..graph.node import Node
from ..graph.ops import Op


# ------------------------------------------------------------------- operands
@dataclass(frozen=True)
class In:
    index: int

    def __str__(self) -> str:
        return f"in{self.index}"


@dataclass(frozen=True)
class Ref:
    index: int

    def __str__(self) -> str:
        return f"v{self.index}"


@dataclass(frozen=True, eq=False)
class Const:
    value: Any  # a NumPy scalar of the loop dtype, or None (clip without a bound)

    def __str__(self) -> str:
        if self.value is None:
            return "None"
        return f"{np.asarray(self.value).item()!r}:{short_dtype(self.dtype)}"

    @property
    def dtype(self) -> np.dtype | None:
        v = self.value
        if v is None:
            return None
        return v.dtype if isinstance(v, np.generic) else np.asarray(v).dtype


Operand = In | Ref | Const


@dataclass
class Instr:
    op: Op
    args: tuple
    dtype: np.dtype
    node: Node | None = None        # graph node computed (None: a cast NumPy does implicitly)
    loop: tuple | None = None       # ufunc loop dtypes (inputs + outputs)
    index: int = 0                  # output of a two-output ufunc
    implicit: bool = False          # a cast inserted for a loop dtype

    def text(self, j: int) -> str:
        args = ", ".join(map(str, self.args))
        extra = f"[{self.index}]" if self.op.value in ("divmod", "frexp", "modf") else ""
        origin = f"  ; %{self.node.id}" if self.node is not None else "  ; implicit"
        return f"v{j} = {self.op.value}{extra}({args}) -> {short_dtype(self.dtype)}{origin}"


@dataclass
class KernelInput:
    node: Node
    views: tuple                    # view steps applied to node's value (see apply_views)
    dtype: np.dtype
    strides: tuple[int, ...]        # elements, per iteration dimension
    offset: int                     # elements from node's first element
    layout: str
    nbytes: int                     # bytes of distinct elements read
    fill: Any = None                # constant input (np.full): the 0-d fill array
    source: Any = None              # generated input (RANDOM): its node's ``generate``

    def array(self, shape: tuple[int, ...]) -> Any:
        """The input as a NumPy view with the iteration shape (runtime); a generated input
        gives a ``Generated`` whose blocks are computed when sliced."""
        if self.source is not None:
            return Generated(self.node.shape, self.dtype, self.source)
        if self.fill is not None:
            base = np.broadcast_to(self.fill, self.node.shape)
        else:
            base = self.node.value
            if not self.views and base.shape == shape:
                return base
        for step in self.views:
            try:
                base = apply_view(step, base)
            except ValueError:  # a boundary's output laid out otherwise than planned
                base = np.reshape(base, step.shape)
        return np.broadcast_to(base, shape)


class Generated:
    """Values of a generated input, made block by block: ``g[box]`` for a box that is one
    contiguous run of the C-ordered elements (what ``reference.blocks`` yields, or a slice of
    the flat form) computes just those elements."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, source: Any) -> None:
        self.shape = shape
        self.dtype = dtype
        self.source = source

    def flat(self) -> Generated:
        return Generated((math.prod(self.shape),), self.dtype, self.source)

    def __getitem__(self, box: Any) -> np.ndarray:
        box = box if type(box) is tuple else (box,)
        starts = [s.indices(n)[0] if type(s) is slice else s for s, n in zip(box, self.shape)]
        stops = [s.indices(n)[1] if type(s) is slice else s + 1 for s, n in zip(box, self.shape)]
        sizes = [b - a for a, b in zip(starts, stops)]
        first = next((d for d, size in enumerate(sizes) if size > 1), len(sizes))
        if any(sizes[d] != self.shape[d] for d in range(first + 1, len(sizes))):
            raise ValueError("a generated input is read in contiguous runs only")
        start = int(np.ravel_multi_index(starts, self.shape)) if self.shape else 0
        out = np.empty(math.prod(sizes), dtype=self.dtype)
        self.source(out, start, out.size)
        return out.reshape(sizes)


@dataclass
class KernelOutput:
    node: Node
    dtype: np.dtype
    shape: tuple[int, ...]
    perm: tuple[int, ...] | None = None   # memory order: axes from slowest to fastest
    existing: np.ndarray | None = None    # write into this array (in place / out=)

    def allocate(self) -> np.ndarray:
        if self.existing is not None:
            return self.existing
        if self.perm is None:
            return np.empty(self.shape, dtype=self.dtype)
        # empty_like of a probe with the planned strides: an array that owns its data
        return np.empty_like(stand_in(self.shape, self.dtype, self.perm), order="K")


@dataclass
class Reduction:
    op: Op                      # SUM PROD MIN MAX ANY ALL MEAN
    node: Node
    axes: tuple[int, ...]       # iteration axes reduced
    keepdims: bool
    dtype: np.dtype             # result dtype
    acc_dtype: np.dtype         # accumulator dtype (MEAN: the sum's dtype)
    combine: Op                 # how partial results are combined
    identity: Any               # identity of combine (None for MIN/MAX)
    kwargs: dict                # what NumPy's reducer gets per block (dtype=...)
    initial: Any = None


class RunSettings(NamedTuple):
    """What an executor reads of lazynp's settings, handed in by the engine with each run
    (backends import no settings module)."""
    block_size: int             # elements per block of the reference executor
    num_threads: int            # threads a compiled kernel may use
    parallel_threshold: float   # work (Kernel.cost) from which a kernel uses them
    fastmath: bool              # compile with fast-math flags
    cache_dir: str | None       # the on-disk kernel cache's directory (None: memory only)
    debug: int                  # debug level (compile times at 2, IR at 4)


@dataclass
class Kernel:
    shape: tuple[int, ...]
    inputs: list[KernelInput]
    body: list[Instr]
    result: Any
    outputs: list[KernelOutput]
    reduction: Reduction | None
    members: list[Node]
    reasons: list[str] = field(default_factory=list)
    name: str = ""
    key: tuple = ()
    cost: float = 0.0
    bytes_read: int = 0
    bytes_written: int = 0
    memo: dict = field(default_factory=dict)  # per-kernel backend state (plancache shares it)
    # indices of the reference executor's blocks that a backend already wrote over an input
    # (in place, no floating-point flag to report): the reference executor skips them; its
    # blocks are then of ``done_block`` elements (the backend's), not of its own size
    done: frozenset = frozenset()
    done_block: int = 0
    # a plan-cache instance whose float constants differ from the template's: the backend
    # packs its constants for this instance (not from ``memo``)
    own_consts: bool = False

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class NodeStep:
    node: Node
    kind: str                   # "view" | "source" | "boundary"
    reason: str


@dataclass
class Plan:
    root: Node
    nodes: list[Node]                       # the pending sub-DAG, inputs first
    steps: list                             # Kernel | NodeStep, in execution order
    reasons: dict[int, str]                 # node id -> why it is materialized
    notes: dict[int, str]                   # node id -> other decisions (recomputed ...)
    costs: dict[int, float]                 # node id -> per-element op cost

    @property
    def kernels(self) -> list[Kernel]:
        return [s for s in self.steps if isinstance(s, Kernel)]


# ----------------------------------------------------------------- helpers
_SHORT = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "div", "power": "pow",
    "square": "sq", "negative": "neg", "absolute": "abs", "less": "lt", "less_equal": "le",
    "greater": "gt", "greater_equal": "ge", "equal": "eq", "not_equal": "ne",
    "floor_divide": "fdiv", "remainder": "rem", "maximum": "max", "minimum": "min",
    "logical_and": "and", "logical_or": "or", "logical_not": "not", "logical_xor": "xor",
    "reciprocal": "recip", "conjugate": "conj", "bitwise_and": "band", "bitwise_or": "bor",
    "bitwise_xor": "bxor", "left_shift": "shl", "right_shift": "shr", "invert": "inv",
}


def short_op(op: Op) -> str:
    return _SHORT.get(op.value, op.value)


def short_dtype(dt: np.dtype) -> str:
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "b1"
    return f"{dt.kind}{dt.itemsize * 8}"


class Bcast:
    """A broadcast step of a view chain (a synthetic BROADCAST_TO)."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def __repr__(self) -> str:
        return f"broadcast_to{self.shape}"


def view_key(step: Any) -> Any:
    if isinstance(step, Bcast):
        return ("b", step.shape)
    return step.id


def apply_view(step: Any, arr: np.ndarray) -> np.ndarray:
    """Apply one view step; raises ValueError when it is not a view (reshape needs a copy)."""
    if isinstance(step, Bcast):
        return np.broadcast_to(arr, step.shape)
    op = step.op
    if op is Op.SLICE:
        return arr[step.params["key"]]
    if op is Op.TRANSPOSE:
        return arr.transpose(step.params["axes"])
    if op is Op.BROADCAST_TO:
        return np.broadcast_to(arr, step.shape)
    if op is Op.RESHAPE:
        return arr.reshape(step.shape, copy=False)
    if op is Op.REAL:
        return arr.real
    if op is Op.IMAG:
        return arr.imag
    raise AssertionError(f"not a view op: {op}")


def apply_views(arr: np.ndarray, views: tuple) -> np.ndarray:
    for step in views:
        arr = apply_view(step, arr)
    return arr


_STAND_INS: dict[tuple, np.ndarray] = {}


def stand_in(shape: tuple[int, ...], dtype: np.dtype, perm: tuple[int, ...] | None
             ) -> np.ndarray:
    """An array with the strides a planned buffer will have; its data is never read.

    Read-only and data-free, so one array per (shape, dtype, order) is shared (a small
    cache: the planner asks for one per pending node)."""
    key = (shape, dtype, perm)
    got = _STAND_INS.get(key)
    if got is None:
        if len(_STAND_INS) >= 256:
            _STAND_INS.clear()
        got = _STAND_INS[key] = _stand_in(shape, dtype, perm)
    return got


def _stand_in(shape: tuple[int, ...], dtype: np.dtype, perm: tuple[int, ...] | None
              ) -> np.ndarray:
    dtype = np.dtype(dtype)
    if perm is None:
        perm = tuple(range(len(shape)))
    strides = [0] * len(shape)
    step = dtype.itemsize
    for ax in reversed(perm):
        strides[ax] = step
        step *= max(shape[ax], 1)
    return np.lib.stride_tricks.as_strided(np.zeros(1, dtype=dtype), shape=shape,
                                           strides=tuple(strides), writeable=False)


def layout_class(shape: tuple[int, ...], strides: tuple[int, ...]) -> str:
    dims = [(n, s) for n, s in zip(shape, strides) if n != 1]
    if any(s == 0 for _, s in dims):
        return "broadcast"
    expect = 1
    contiguous = True
    for n, s in reversed(dims):
        if s != expect:
            contiguous = False
            break
        expect *= n
    if contiguous:
        return "contiguous"
    if dims and dims[-1][1] == 1:
        return "inner1"
    return "general"


def k_order(arr: np.ndarray) -> tuple[int, ...] | None:
    """Memory order NumPy's ``order='K'`` gives a new array like ``arr`` (None: C order)."""
    if arr.ndim < 2 or arr.flags.c_contiguous:
        return None
    keyed = sorted(range(arr.ndim), key=lambda ax: -abs(arr.strides[ax]))
    perm = tuple(keyed)
    return None if perm == tuple(range(arr.ndim)) else perm


# ----------------------------------------------------------------- backend-neutral rules
# Facts about a kernel that every backend renders the same way.

class Unsupported(Exception):
    """The kernel uses a dtype or op a backend does not handle (run it on the reference)."""


def bound_kind(k: Kernel, a: Any) -> str:
    """How NumPy's clip loop sees a bound: ``scalar`` (step 0: a constant), ``full`` (a
    step in every iteration axis) or ``mixed`` (broadcast along some axes; also a fill,
    which NumPy holds as a full array or as a broadcast one)."""
    if type(a) is Const:
        return "scalar"
    if type(a) is Ref:
        return "full"  # (computed block by block by the reference executor, as by NumPy)
    inp = k.inputs[a.index]
    return "mixed" if inp.layout == "broadcast" else "full"


def clip_ties(k: Kernel, ins: Any) -> bool:
    """Whether NumPy's clip keeps ``x`` on a tie with a bound (``>=``/``<=``): float16
    always; float32/float64 in NumPy's loop for two constant bounds, not in its loop for
    array bounds (the two differ only for signed zeros)."""
    dt = np.dtype(ins.dtype)
    if dt == np.float16 or dt.kind != "f":
        return dt == np.float16
    kinds = {bound_kind(k, a) for a in ins.args[1:] if not (type(a) is Const
                                                               and a.value is None)}
    if "full" in kinds:
        return False
    if kinds == {"scalar"}:
        return True
    raise Unsupported("clip with bounds broadcast along some axes")


# ----------------------------------------------------------------- blocks
# The block structure every executor shares: the reference executor's blocks and the compiled
# backends' partial sums follow it, so their results agree bit for bit.

def blocks(shape: tuple[int, ...], block_size: int) -> Iterator[tuple[slice, ...]]:
    """Boxes covering ``shape`` in C order, each of at most ``block_size`` elements.

    Split axis ``k`` is the outermost axis whose inner axes fit a block; axes before it are
    visited one index at a time, axis ``k`` in chunks, the inner axes whole.
    """
    ndim = len(shape)
    if ndim == 0:
        yield ()
        return
    if 0 in shape:
        return
    suffix = [1] * (ndim + 1)
    for d in range(ndim - 1, -1, -1):
        suffix[d] = suffix[d + 1] * shape[d]
    k = next(d for d in range(ndim) if suffix[d + 1] <= block_size)
    chunk = max(1, block_size // suffix[k + 1])
    inner = tuple(slice(0, shape[d]) for d in range(k + 1, ndim))
    for outer in np.ndindex(*shape[:k]):
        head = tuple(slice(i, i + 1) for i in outer)
        for start in range(0, shape[k], chunk):
            yield head + (slice(start, min(start + chunk, shape[k])),) + inner


def pairwise_tree(start: int, n: int, block_size: int) -> Any:
    """NumPy's pairwise summation split of ``n`` elements, down to leaves of at most
    ``block_size``: a leaf ``(start, stop)`` or a pair ``(left, right)``.

    NumPy sums a float run with ``pairwise_sum(a, n)``: for ``n`` above its block of 128 it
    adds ``pairwise_sum`` of the first ``n2 = n // 2 - (n // 2) % 8`` elements to that of the
    rest.  A leaf summed by NumPy on its own runs the very same recursion, so summing leaves
    and adding them up this tree reproduces NumPy's result bit for bit.
    """
    if n <= block_size:
        return (start, start + n)
    n2 = n // 2
    n2 -= n2 % 8
    return (pairwise_tree(start, n2, block_size), pairwise_tree(start + n2, n - n2, block_size))
