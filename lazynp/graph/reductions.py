"""One spec row per reduction: the facts every layer uses.

* ``numpy``: NumPy's reducer, on the whole array (the semantics table, ``semantics.py``);
* ``fused``: the planner puts the reduction into a kernel (``fusion/partition.py``); the
  fields below are only used for fused reductions;
* ``block``: NumPy's reducer on one block of a kernel (the reference executor; ``mean``:
  the sum, divided by the count at the end);
* ``combine``: the elementwise op combining partial results (blocks, threads, the
  accumulator of a compiled loop: ``loops._combine`` renders it as that op);
* ``identity``: the identity of ``combine`` (a Python value converted to the accumulator
  dtype), None for min/max, whose accumulators start from the dtype's extreme
  (:func:`identity`);
* ``order_free``: combining partials in any order gives the same bits (min/max/any/all): the
  compiled backend may leave their loops along kept axes to the reference executor's
  block-wise NumPy calls (``runtime.run_kernel``);
* ``cost``: work per element in the cost model's units (``fusion/cost.py``);
* ``pairwise``: NumPy adds float values in its pairwise order (sum, mean): the executors
  reproduce that order to give NumPy's digits (``reference._pairwise_sum``,
  ``codegen_cpu/reduce.py``).

The accumulator dtype is :func:`acc_dtype`.  ``REDUCE`` in ``ops.py`` lists the same ops
(``tests/fusion/test_cost.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .ops import Op

__all__ = ["REDUCTIONS", "ReduceSpec", "acc_dtype", "identity"]


@dataclass(frozen=True)
class ReduceSpec:
    op: Op
    numpy: Callable
    fused: bool = False
    block: Callable | None = None
    combine: Op | None = None
    identity: Any = None
    order_free: bool = False
    cost: float = 1.0
    pairwise: bool = False


REDUCTIONS: dict[Op, ReduceSpec] = {s.op: s for s in (
    ReduceSpec(Op.SUM, np.sum, True, np.sum, Op.ADD, 0, pairwise=True),
    ReduceSpec(Op.PROD, np.prod, True, np.prod, Op.MULTIPLY, 1),
    ReduceSpec(Op.MIN, np.min, True, np.min, Op.MINIMUM, None, order_free=True),
    ReduceSpec(Op.MAX, np.max, True, np.max, Op.MAXIMUM, None, order_free=True),
    ReduceSpec(Op.ANY, np.any, True, np.any, Op.LOGICAL_OR, False, order_free=True),
    ReduceSpec(Op.ALL, np.all, True, np.all, Op.LOGICAL_AND, True, order_free=True),
    ReduceSpec(Op.MEAN, np.mean, True, np.sum, Op.ADD, 0, pairwise=True),
    ReduceSpec(Op.VAR, np.var),
    ReduceSpec(Op.STD, np.std),
    ReduceSpec(Op.ARGMIN, np.argmin),
    ReduceSpec(Op.ARGMAX, np.argmax),
    ReduceSpec(Op.PTP, np.ptp),
)}


def acc_dtype(op: Op, src: np.dtype, out: np.dtype, dtype: Any = None) -> np.dtype:
    """Accumulator dtype of a fused reduction of ``src`` to ``out`` (``dtype``: the call's
    ``dtype=``): the result's, but for ``mean``, which sums in NumPy's dtype for the mean
    (float64 for bool and integers, float32 for float16) and divides at the end."""
    if op is Op.MEAN:
        if dtype is not None:
            return np.dtype(dtype)
        if src.kind in "biu":
            return np.dtype(np.float64)
        if src == np.float16:
            return np.dtype(np.float32)
        return np.dtype(src)
    return np.dtype(out)


def identity(op: Op, acc: np.dtype) -> Any:
    """Initial accumulator value (a NumPy scalar of ``acc``): the combine's identity, or
    for min/max the largest (min) or smallest (max) value of ``acc``."""
    dt = np.dtype(acc)
    ident = REDUCTIONS[op].identity
    if ident is not None:
        return np.full((), ident, dtype=dt)[()]
    big = op is Op.MIN
    if dt.kind == "f":
        return dt.type(np.inf if big else -np.inf)
    if dt.kind == "b":
        return np.bool_(big)
    info = np.iinfo(dt)
    return dt.type(info.max if big else info.min)
