"""Compiled reductions: full float sums in NumPy's pairwise order (``_pairwise``), sums per
row pairwise, min/max rows in vector lanes, other reductions over axes in C order
(``_reduce``), and the final initial value, mean division and cast (``_finish``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fusion.plan import Generated, In, Kernel, RunSettings, pairwise_tree
from ..graph.ops import UFUNC_OF, Op
from ..graph.reductions import REDUCTIONS
from .build import _addr, _elem_strides, _fallback
from .launch import BLOCK, _flags_matter, _flat_walkable, _Gen, _run_tasks
from .llvm_text import FE_REDO
from .loops import (
    identity,
    inner_pattern,
    minmax_rows,
)

# reductions whose loops along kept axes are left to the reference executor (run_kernel)
# (not prod: the reference's per-block partial products would change NumPy's rounding)
_ELEMENTWISE_AXIS_COMBINE = frozenset(s.op for s in REDUCTIONS.values() if s.order_free)


_COMBINE = {s.op: UFUNC_OF[s.combine] for s in REDUCTIONS.values() if s.fused}


_FINAL = {s.combine: UFUNC_OF[s.combine] for s in REDUCTIONS.values() if s.fused}


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def _pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool | None:
    """True: a full float sum this backend runs pairwise; None: such a sum it must leave to
    the reference executor; False: not a full float sum."""
    red = k.reduction
    if not REDUCTIONS[red.op].pairwise or np.dtype(red.acc_dtype) not in _FLOATS:
        return False
    if set(red.axes) != set(range(len(k.shape))):
        return False
    if red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype:
        return None
    rdt = _result_dtype(k)
    if np.dtype(rdt) != np.dtype(red.acc_dtype) and not _exact_any_order(np.dtype(rdt), k):
        return None
    return True if _row_lengths(k, arrays) is not None else None


ROW_PAIRWISE_MIN = 256  # rows at least this long are summed pairwise, one call per row


def _row_pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool:
    """A float sum/mean over trailing axes of flat inputs: each output is NumPy's pairwise
    sum of its row (NumPy's own order for C-contiguous data)."""
    red = k.reduction
    ndim = len(k.shape)
    if (not REDUCTIONS[red.op].pairwise or np.dtype(red.acc_dtype) not in _FLOATS
            or not red.axes or set(red.axes) != set(range(ndim - len(red.axes), ndim))
            or len(red.axes) == ndim
            or red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype):
        return False
    r = 1
    for d in red.axes:
        r *= k.shape[d]
    if r < ROW_PAIRWISE_MIN:
        return False
    rdt = _result_dtype(k)
    if np.dtype(rdt) != np.dtype(red.acc_dtype):
        return False
    return _row_lengths(k, arrays, r) is not None


ROW_RUN_MIN = 128  # (a pairwise leaf reads <= 128 consecutive elements: <= 2 runs)


def _row_lengths(k: Kernel, arrays: list, row: int | None = None) -> list[int] | None:
    """Per input, the length of the runs of consecutive elements (C order of the iteration
    space) over which the pairwise entries read one element of it (0: contiguous inputs,
    walked flat, and broadcast scalars): an input constant along the trailing axes (from
    some axis on) and C-contiguous along the others, such as ``m`` of ``exp(x - m)`` with
    ``m = x.max(-1, keepdims=True)``, has runs of the trailing axes' size.  Runs must be at
    least ``ROW_RUN_MIN`` long, or (``row``: the row length of ``NAME_pwrows``) whole rows.
    None when an input is none of these."""
    shape = k.shape
    lengths = []
    gen = False
    for inp, a in zip(k.inputs, arrays):
        if isinstance(a, Generated):
            gen = True  # (made in memory order, chunk by chunk: flat indices move)
            lengths.append(0)
            continue
        if inp.layout == "contiguous":
            if not a.flags.c_contiguous:
                return None
            lengths.append(0)
            continue
        st = _elem_strides(a)
        t = len(shape)
        while t > 0 and (st[t - 1] == 0 or shape[t - 1] == 1):
            t -= 1
        if t == 0:
            lengths.append(0)
            continue
        want = 1
        for d in range(t - 1, -1, -1):
            if shape[d] > 1 and st[d] != want:
                return None
            want *= shape[d]
        run = 1
        for d in range(t, len(shape)):
            run *= shape[d]
        if run < ROW_RUN_MIN and not (row and run % row == 0):
            return None
        lengths.append(run)
    if gen and any(lengths):
        return None
    return lengths


def _minmax_rows(k: Kernel, arrays: list) -> bool:
    """A min/max whose rows (the innermost reduced axis) the kernel's fast row loop takes:
    every input's stride along that axis is 0 or 1 as ``inner_pattern`` predicts and the
    runtime keeps the reduced axes inner (not ``_kept_tiles``).  It combines in vector
    lanes (order-free for NumPy's values but for ties of signed zeros and NaN payloads: a
    row whose result is a zero or NaN raises ``FE_REDO`` and the reference executor runs
    the kernel)."""
    red = k.reduction
    if red.op not in (Op.MIN, Op.MAX) or not minmax_rows(red):
        return False
    pat = inner_pattern(k)
    if pat is None:
        return False
    shape = k.shape
    inner = max(red.axes)
    for p, a in zip(pat, arrays):
        if p is None or not isinstance(a, np.ndarray):
            return False
        if shape[inner] > 1 and a.strides[inner] != p * a.itemsize:
            return False
    kept = [d for d in range(len(shape)) if d not in red.axes]
    r = k.size // max(1, int(np.prod([shape[d] for d in kept], dtype=np.int64)))
    return not (len(kept) == 1 and r > 1 and shape[kept[0]] > 1
                and _kept_is_inner(k, arrays, kept[0]))


def _result_dtype(k: Kernel) -> np.dtype:
    """dtype of the values a kernel's body hands to its reduction."""
    res = k.result
    return k.inputs[res.index].dtype if isinstance(res, In) else k.body[res.index].dtype


def _exact_any_order(dt: np.dtype, k: Kernel) -> bool:
    """Whether a float sum of ``dt`` values is exact in any order (bool or small ints whose
    total cannot reach 2**mantissa), so NumPy's buffered casting order does not matter."""
    acc = np.dtype(k.reduction.acc_dtype)
    limit = 2.0 ** (53 if acc == np.float64 else 24)
    if dt.kind == "b":
        top = 1
    elif dt.kind in "iu" and dt.itemsize <= 2:
        top = 1 << (8 * dt.itemsize)
    else:
        return False
    return k.size * top < limit


def _finish(k: Kernel, acc: np.ndarray, count: int) -> list[np.ndarray] | None:
    """Initial value, mean division and cast, as the reference executor does."""
    red = k.reduction
    seen: list = []

    def record(kind: str, flag: int) -> None:
        seen.append(kind)

    with np.errstate(all="call", call=record):
        if red.initial is not None:
            _FINAL[red.combine](acc, red.initial, out=acc, casting="unsafe")
        if red.op is Op.MEAN:
            np.true_divide(acc, np.intp(count), out=acc, casting="unsafe")
        if acc.dtype != np.dtype(red.dtype):
            acc = acc.astype(red.dtype, casting="unsafe")
    if seen:
        return _fallback("fp flags")
    result = acc.reshape(k.outputs[0].shape)
    if result.base is not None:
        result = result.copy()  # a result that owns its data, as NumPy's
    return [result]


def _pairwise(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
              s: RunSettings) -> list[np.ndarray] | None:
    red = k.reduction
    adt = np.dtype(red.acc_dtype)
    n = k.size
    leaves: list = []

    def walk(t: Any) -> None:
        if type(t[0]) is int:
            leaves.append(t)
        else:
            walk(t[0])
            walk(t[1])

    tree = pairwise_tree(0, n, max(s.block_size, 128))
    walk(tree)
    partials = np.empty(len(leaves), dtype=adt)
    base = _addr(partials)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    dims = np.zeros(1, dtype=np.int64)
    runs = np.array(_row_lengths(k, arrays) + [0], dtype=np.int64)
    args = (_addr(ptrs), _addr(dims), _addr(runs), _addr(consts))
    tasks = [(base + j * adt.itemsize, a, b) for j, (a, b) in enumerate(leaves)]
    gen = _Gen(k, arrays, ptrs_in, None) if any(isinstance(a, Generated) for a in arrays) else None
    flags = _run_tasks(comp.fns["pw"], args, tasks, k.cost, s, gen)
    if _flags_matter(k, flags):
        return _fallback("fp flags")
    zero = adt.type(0)
    pos = iter(range(len(leaves)))

    def total(t: Any) -> Any:
        if type(t[0]) is int:
            return zero + partials[next(pos)]  # np.add.reduce starts from 0.0
        return total(t[0]) + total(t[1])

    acc = np.asarray(total(tree), dtype=adt).reshape((1,) * len(k.shape))
    return _finish(k, acc, n)


def _kept_is_inner(k: Kernel, arrays: list, axis: int) -> bool:
    """Whether ``axis`` has the smallest non-zero stride of the largest input."""
    big = max((a for a in arrays if isinstance(a, np.ndarray)), key=lambda a: a.nbytes,
              default=None)
    if big is None:
        return False
    strides = _elem_strides(big)
    moving = [abs(s) for s, n in zip(strides, k.shape) if n > 1 and s]
    return bool(moving) and abs(strides[axis]) == min(moving)


def _kept_tiles(nd: Any, arrays: list, ptrs_in: list, consts: np.ndarray, acc: np.ndarray,
                shape: tuple, axis: int, r: int, adt: np.dtype) -> tuple[Any, tuple, list]:
    """(fn, args, tasks) running the strided entry ``nd`` over tiles of the kept ``axis``:
    task t covers ``[j0, j1)`` of it for every index of the reduced axes (in C order, then
    the kept axis innermost)."""
    ndim = len(shape)
    m = shape[axis]
    perm = [d for d in range(ndim) if d != axis] + [axis]
    width = max(256, -(-(BLOCK // r) // 64) * 64)
    own = [_elem_strides(a) for a in arrays]
    per_op = [[s[d] for d in perm] for s in own] + [[0] * (ndim - 1) + [1]]
    strides = np.array([s for row in per_op for s in row], dtype=np.int64)
    sizes = [a.dtype.itemsize for a in arrays]
    keep: list = [strides]
    per_task = []
    for j0 in range(0, m, width):
        j1 = min(j0 + width, m)
        ptrs = np.array([p + j0 * st[axis] * size for p, st, size in zip(ptrs_in, own, sizes)]
                        + [0], dtype=np.uint64)
        dims = np.array([shape[d] for d in perm[:-1]] + [j1 - j0], dtype=np.int64)
        keep += [ptrs, dims]
        per_task.append((_addr(ptrs), _addr(dims), _addr(acc) + j0 * adt.itemsize,
                         r * (j1 - j0)))

    def tile(_p: Any, _d: Any, st: int, cs: int, t: int, start: int, stop: int) -> int:
        p, d, a, n = per_task[t]
        return nd(p, d, st, cs, a, 0, n)

    tile.keep = keep  # (the arrays behind the addresses)
    args = (0, 0, _addr(strides), _addr(consts))
    return tile, args, [(t, 0, per_task[t][3]) for t in range(len(per_task))]


def _reduce(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
            rs: RunSettings) -> list[np.ndarray] | None:
    red = k.reduction
    shape = k.shape
    ndim = len(shape)
    adt = np.dtype(red.acc_dtype)
    axes = set(red.axes)
    kept = [d for d in range(ndim) if d not in axes]
    perm = kept + [d for d in range(ndim) if d in axes]
    pshape = [shape[d] for d in perm]
    m = 1
    for d in kept:
        m *= shape[d]
    r = k.size // m
    if kept:
        acc = np.full([shape[d] for d in kept], identity(red), dtype=adt)
        ast = _elem_strides(acc) + [0] * (ndim - len(kept))
    else:
        nb = -(-r // BLOCK)
        acc = np.full(nb, identity(red), dtype=adt)
        ast = [0] * ndim
    st = []
    for a in arrays:
        s = [0] * ndim if isinstance(a, Generated) else _elem_strides(a)
        st.append([s[d] for d in perm] if ndim else [0])
    st.append(ast if ndim else [0])
    strides = np.array([s for row in st for s in row], dtype=np.int64)
    dims = np.array(pshape or [1], dtype=np.int64)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    args = (_addr(ptrs), _addr(dims), _addr(strides), _addr(consts))
    base = _addr(acc)
    n = k.size
    fn = comp.fns.get("nd")  # (a pairwise kernel has only its pairwise entries)
    gen = None
    if not kept and "flat" in comp.fns and _flat_walkable(k, arrays):
        fn = comp.fns["flat"]  # one accumulator per block in a register
        if any(isinstance(a, Generated) for a in arrays):
            gen = _Gen(k, arrays, ptrs_in, None)
    elif any(isinstance(a, Generated) for a in arrays):
        return _fallback("generated input")
    pairwise_rows = kept and "pw" in comp.fns
    if pairwise_rows:
        # one pairwise sum per row (see _row_pairwise_ok), a run of rows per call; NumPy
        # adds each to 0.0
        fn = comp.fns["pwrows"]
        dims = np.array([r], dtype=np.int64)
        runs = np.array(_row_lengths(k, arrays, r) + [0], dtype=np.int64)
        args = (args[0], _addr(dims), _addr(runs), args[3])
        g = max(1, BLOCK // max(r, 1))
        tasks = [(base + o * adt.itemsize, o, min(o + g, m)) for o in range(0, m, g)]
        acc[...] = 0
    elif len(kept) == 1 and r > 1 and shape[kept[0]] > 1 and _kept_is_inner(k, arrays, kept[0]):
        # one kept axis along which the data are closest together (a sum over the rows of
        # a C-ordered matrix, or over the columns of a transposed one): tiles of it, each a
        # nest over the reduced axes with the kept axis innermost, so the loads run along
        # memory and each output element still gets its terms in C order
        fn, args, tasks = _kept_tiles(comp.fns["nd"], arrays, ptrs_in, consts, acc, shape,
                                      kept[0], r, adt)
    elif kept:
        g = max(1, BLOCK // max(r, 1))
        tasks = [(base, o * r, min(o + g, m) * r) for o in range(0, m, g)]
    else:
        tasks = [(base + b * adt.itemsize, s, min(s + BLOCK, n))
                 for b, s in enumerate(range(0, n, BLOCK))]
    flags = _run_tasks(fn, args, tasks, k.cost, rs, gen)
    if flags & FE_REDO:
        return _fallback("min/max row of zeros or NaN")
    if _flags_matter(k, flags):
        return _fallback("fp flags")
    if pairwise_rows:
        acc += adt.type(0)  # np.add.reduce starts from 0.0 (turns -0.0 sums into 0.0)
    if not kept:
        seen: list = []
        with np.errstate(all="call", call=lambda kind, flag: seen.append(kind)):
            total = _COMBINE[red.op].reduce(acc)
        if seen:
            return _fallback("fp flags")
        acc = np.asarray(total, dtype=adt)
    keep = tuple(1 if d in axes else s for d, s in enumerate(shape))
    acc = acc.reshape(keep)
    return _finish(k, acc, r)
