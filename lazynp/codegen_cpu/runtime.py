"""Run fused kernels compiled by the CPU code generator, on ``config.num_threads`` threads.

Contract (``run_kernel(k, block_size)``; ``None`` means "not handled here": the caller runs
the kernel on the reference executor, which is always right):

* Compile once per structural key (``Kernel.key`` plus what the renderer specializes on):
  ``render.render`` -> ``compiler.compile_ir`` (memory + disk cache).  Constants travel as
  data, so one compiled kernel serves all sizes, offsets and constant values.  A kernel the
  renderer cannot handle (``Unsupported``) is remembered and always left to the reference.
* The iteration space is split into blocks whose bounds depend only on the shape and
  ``BLOCK`` (never on the thread count); threads take contiguous runs of blocks.  Kernels
  under ``PARALLEL_MIN`` elements run on the calling thread.  ctypes calls release the GIL.
* Reductions: a full reduction stores one partial per block, combined in block order; an
  axis reduction permutes the iteration axes (kept axes outer, reduced axes inner, each group
  in its own order) and gives each output element to exactly one block, accumulating in
  C order over the reduced axes.  Either way the result does not depend on the thread count.
  Full float32/float64 sums and means run NumPy's pairwise summation over the leaves of
  ``reference.pairwise_tree`` (NumPy's digits, as the reference executor); when that is not
  possible (strided inputs, a body of another dtype) they are left to the reference executor.
  Float sums over trailing axes of flat inputs (rows of at least ``ROW_PAIRWISE_MIN``) are
  NumPy's pairwise sum per row (NumPy's digits for C-contiguous data); other axis float sums
  accumulate in C order over the reduced axes (documented tolerance).
* Entry points: ``_flat`` when every input is C-contiguous or a broadcast scalar (and, for
  elementwise kernels, the output is C-contiguous), ``_nd`` otherwise, ``_pw`` for pairwise
  sums.
* Floating-point flags: each block returns the flags it raised; if any flag NumPy would
  report under the nodes' errstate was raised, the result is discarded and ``None`` returned,
  so the reference executor recomputes the kernel and reports exactly as NumPy.  An in-place
  output that overlaps an input is first checked by a dry run that stores nowhere (so a
  rerun reads the old values; costs a second pass over the inputs).
"""

from __future__ import annotations

import ctypes
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy._core import _ufunc_config

from ..fusion.plan import Const, In, Kernel
from ..fusion.reference import pairwise_tree
from ..graph.ops import Op
from . import compiler
from .render import (
    FE_DIVBYZERO,
    FE_INVALID,
    FE_OVERFLOW,
    FE_UNDERFLOW,
    Unsupported,
    identity,
    render,
)

__all__ = ["run_kernel", "stats", "reset", "BLOCK", "PARALLEL_MIN"]

BLOCK = 1 << 16            # elements per block (reductions: per partial)
PARALLEL_MIN = 1 << 17     # kernels with fewer elements run on the calling thread

_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                       ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
_COMBINE = {Op.SUM: np.add, Op.MEAN: np.add, Op.PROD: np.multiply, Op.MIN: np.minimum,
            Op.MAX: np.maximum, Op.ANY: np.logical_or, Op.ALL: np.logical_and}
_FINAL = {Op.ADD: np.add, Op.MULTIPLY: np.multiply, Op.MINIMUM: np.minimum,
          Op.MAXIMUM: np.maximum, Op.LOGICAL_OR: np.logical_or, Op.LOGICAL_AND: np.logical_and}
_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
_extobj = _ufunc_config._extobj_contextvar
_default_errstate = _extobj.get()

stats: dict[str, Any] = {"compiled": 0, "runs": 0, "fallbacks": Counter()}
_lock = threading.Lock()
_kernels: dict[tuple, Any] = {}
_pool: list = [None, 0]
_state: dict[str, Any] = {}


class _Compiled:
    def __init__(self, lib: Any, entries: tuple[str, ...]) -> None:
        self.lib = lib
        self.fns = {e.rsplit("_", 1)[1]: _FN(lib.address(e)) for e in entries}


def reset() -> None:
    """Forget compiled kernels and counters (tests)."""
    with _lock:
        _kernels.clear()
    stats["compiled"] = 0
    stats["runs"] = 0
    stats["fallbacks"].clear()


def _fallback(reason: str) -> None:
    stats["fallbacks"][reason] += 1
    return None


def _compiled(k: Kernel, pairwise: bool) -> Any:
    red = k.reduction
    rkey = None if red is None else (red.op, red.axes, str(red.acc_dtype), str(red.dtype))
    key = (k.key, pairwise, rkey, str(k.outputs[0].dtype), len(k.shape),
           tuple(i.layout for i in k.inputs))
    c = _kernels.get(key)
    if c is not None:
        return c
    with _lock:
        c = _kernels.get(key)
        if c is not None:
            return c
        try:
            r = render(k, pairwise, *_vector_abi())
            lib = compiler.compile_ir(r.ir, k.name or "kernel")
            c = _Compiled(lib, r.entries)
            stats["compiled"] += 1
        except Unsupported as e:
            c = e
        _kernels[key] = c
        return c


def _vector_abi() -> tuple[tuple | None, bool]:
    """The host's vector registers in the x86 vector-function ABI's terms (``render``'s
    ``vector_abi``; None off x86-64) and whether glibc's libmvec loaded (tried once)."""
    if "abi" not in _state:
        abi = None
        libmvec = False
        try:
            info = compiler.host_info()
            feats = info["features"]
            if info["triple"].startswith(("x86_64", "amd64")):
                if "+avx512f" in feats:
                    abi = ("e", 8, 16)
                elif "+avx2" in feats:
                    abi = ("d", 4, 8)
                else:
                    abi = ("b", 2, 4)
            import llvmlite.binding as llvm

            llvm.load_library_permanently("libmvec.so.1")
            libmvec = abi is not None
        except Exception:
            pass
        _state["abi"] = (abi, libmvec)
    return _state["abi"]


def _consts(k: Kernel) -> np.ndarray:
    vals = [a for ins in k.body for a in ins.args if type(a) is Const and a.value is not None]
    buf = np.zeros(max(len(vals), 1), dtype=np.uint64)
    raw = buf.view(np.uint8)
    for j, c in enumerate(vals):
        b = np.asarray(c.value).tobytes()
        raw[8 * j:8 * j + len(b)] = np.frombuffer(b, dtype=np.uint8)
    return buf


def _addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _elem_strides(a: np.ndarray) -> list[int] | None:
    size = a.itemsize
    out = []
    for s in a.strides:
        if s % size:
            return None
        out.append(s // size)
    return out


def _usable(a: np.ndarray) -> bool:
    return a.dtype.isnative and a.flags.aligned


def _pool_for(n: int) -> ThreadPoolExecutor | None:
    if n <= 1:
        return None
    if _pool[0] is None or _pool[1] != n:
        old = _pool[0]
        _pool[0] = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="lazynp")
        _pool[1] = n
        if old is not None:
            old.shutdown(wait=False)
    return _pool[0]


def _run_group(fn: Any, args: tuple, tasks: list) -> int:
    flags = 0
    for acc, start, stop in tasks:
        flags |= fn(*args, acc, start, stop)
    return flags


def _run_tasks(fn: Any, args: tuple, tasks: list, size: int) -> int:
    from .._config import config

    nthreads = min(max(int(config.num_threads), 1), len(tasks))
    if nthreads <= 1 or size < PARALLEL_MIN:
        return _run_group(fn, args, tasks)
    pool = _pool_for(int(config.num_threads))
    per = -(-len(tasks) // nthreads)
    groups = [tasks[i:i + per] for i in range(0, len(tasks), per)]
    futures = [pool.submit(_run_group, fn, args, g) for g in groups[1:]]
    flags = _run_group(fn, args, groups[0])
    for fu in futures:
        flags |= fu.result()
    return flags


def _owners(k: Kernel) -> list:
    nodes = [ins.node for ins in k.body if ins.node is not None]
    nodes.append(k.outputs[0].node)
    if k.reduction is not None:
        nodes.append(k.reduction.node)
    return nodes


def _flags_matter(k: Kernel, flags: int) -> bool:
    if flags & (FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID):
        return True
    if flags & FE_UNDERFLOW:
        for n in _owners(k):
            state = n.errstate
            if state is _default_errstate:
                continue
            token = _extobj.set(state)
            try:
                if np.geterr()["under"] != "ignore":
                    return True
            finally:
                _extobj.reset(token)
    return False


def _pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool | None:
    """True: a full float sum this backend runs pairwise; None: such a sum it must leave to
    the reference executor; False: not a full float sum."""
    red = k.reduction
    if red.op not in (Op.SUM, Op.MEAN) or np.dtype(red.acc_dtype) not in _FLOATS:
        return False
    if set(red.axes) != set(range(len(k.shape))):
        return False
    if red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype:
        return None
    rdt = _result_dtype(k)
    if np.dtype(rdt) != np.dtype(red.acc_dtype) and not _exact_any_order(np.dtype(rdt), k):
        return None
    return True if _flat_walkable(k, arrays) else None


ROW_PAIRWISE_MIN = 256  # rows at least this long are summed pairwise, one call per row


def _row_pairwise_ok(k: Kernel, arrays: list[np.ndarray]) -> bool:
    """A float sum/mean over trailing axes of flat inputs: each output is NumPy's pairwise
    sum of its row (NumPy's own order for C-contiguous data)."""
    red = k.reduction
    ndim = len(k.shape)
    if (red.op not in (Op.SUM, Op.MEAN) or np.dtype(red.acc_dtype) not in _FLOATS
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
    return _flat_walkable(k, arrays)


def _result_dtype(k: Kernel) -> np.dtype:
    """dtype of the values a kernel's body hands to its reduction."""
    res = k.result
    return k.inputs[res.index].dtype if isinstance(res, In) else k.body[res.index].dtype


def _flat_walkable(k: Kernel, arrays: list[np.ndarray]) -> bool:
    """Every input is C-contiguous or a broadcast scalar: the kernel walks them flat."""
    for inp, a in zip(k.inputs, arrays):
        if inp.layout == "contiguous":
            if not a.flags.c_contiguous:
                return False
        elif any(s != 0 for s in a.strides):
            return False
    return True


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


def run_kernel(k: Kernel, block_size: int) -> list[np.ndarray] | None:
    """Run ``k`` compiled; its output values, or None to leave it to the reference."""
    if k.size == 0:
        return _fallback("empty")
    shape = k.shape
    arrays = []
    for inp in k.inputs:
        a = inp.array(shape)
        if not isinstance(a, np.ndarray):
            return _fallback("generated input")  # (a source made block by block)
        if a.dtype != np.dtype(inp.dtype) or not _usable(a) or _elem_strides(a) is None:
            return _fallback("layout")
        arrays.append(a)
    red = k.reduction
    pairwise = full_pairwise = False
    if red is not None:
        if red.op not in _COMBINE or set(red.kwargs) - {"dtype"}:
            return _fallback(f"reduce {red.op.value}")
        ok = _pairwise_ok(k, arrays)
        if ok is None:
            return _fallback("float sum not pairwise")
        full_pairwise = ok
        pairwise = ok or _row_pairwise_ok(k, arrays)
    comp = _compiled(k, pairwise)
    if isinstance(comp, Exception):
        return _fallback(str(comp))
    stats["runs"] += 1
    consts = _consts(k)
    ptrs_in = [_addr(a) for a in arrays]
    if red is None:
        return _elementwise(k, comp, arrays, ptrs_in, consts)
    if full_pairwise:
        return _pairwise(k, comp, ptrs_in, consts, block_size)
    return _reduce(k, comp, arrays, ptrs_in, consts)


def _elementwise(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray
                 ) -> list[np.ndarray] | None:
    shape = k.shape
    out = k.outputs[0].allocate()
    if out.shape != tuple(shape) or not _usable(out) or _elem_strides(out) is None:
        return _fallback("output layout")
    if k.outputs[0].existing is not None and any(np.may_share_memory(a, out) for a in arrays):
        # In place over an input: a rerun on the reference executor must still read the old
        # values, so the flags are found first by a dry run that stores nowhere.
        scratch = np.zeros(2, dtype=np.complex128)
        if _flags_matter(k, _launch(k, comp, arrays, ptrs_in, consts, scratch, dry=True)):
            return _fallback("fp flags")
        _launch(k, comp, arrays, ptrs_in, consts, out)
        return [out]
    if _flags_matter(k, _launch(k, comp, arrays, ptrs_in, consts, out)):
        return _fallback("fp flags")
    return [out]


def _launch(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray,
            out: np.ndarray, dry: bool = False) -> int:
    shape = k.shape
    n = k.size
    flat = not dry and out.flags.c_contiguous and all(
        a.flags.c_contiguous if inp.layout == "contiguous" else not any(a.strides)
        for inp, a in zip(k.inputs, arrays))
    ptrs = np.array(ptrs_in + [_addr(out)], dtype=np.uint64)
    if flat:
        fn = comp.fns["flat"]
        dims = np.zeros(1, dtype=np.int64)
        strides = np.zeros(1, dtype=np.int64)
    else:
        fn = comp.fns["nd"]
        dims = np.array(shape or (1,), dtype=np.int64)
        ost = [0] * max(len(shape), 1) if dry else (_elem_strides(out) or [0])
        st = [_elem_strides(a) or [0] for a in arrays] + [ost]
        strides = np.array([s for row in st for s in row], dtype=np.int64)
    args = (_addr(ptrs), _addr(dims), _addr(strides), _addr(consts))
    tasks = [(None, s, min(s + BLOCK, n)) for s in range(0, n, BLOCK)]
    if len(tasks) > 1:
        # one call per thread's contiguous run (elementwise results do not depend on it)
        from .._config import config

        nt = max(1, min(int(config.num_threads), len(tasks))) if n >= PARALLEL_MIN else 1
        per = -(-len(tasks) // nt)
        tasks = [(None, tasks[i][1], tasks[min(i + per, len(tasks)) - 1][2])
                 for i in range(0, len(tasks), per)]
    flags = _run_tasks(fn, args, tasks, n)
    del ptrs, dims, strides
    return flags


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


def _pairwise(k: Kernel, comp: Any, ptrs_in: list, consts: np.ndarray, block_size: int
              ) -> list[np.ndarray] | None:
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

    tree = pairwise_tree(0, n, max(block_size, 128))
    walk(tree)
    partials = np.empty(len(leaves), dtype=adt)
    base = _addr(partials)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    dims = np.zeros(1, dtype=np.int64)
    args = (_addr(ptrs), _addr(dims), _addr(dims), _addr(consts))
    tasks = [(base + j * adt.itemsize, a, b) for j, (a, b) in enumerate(leaves)]
    flags = _run_tasks(comp.fns["pw"], args, tasks, n)
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


def _reduce(k: Kernel, comp: Any, arrays: list, ptrs_in: list, consts: np.ndarray
            ) -> list[np.ndarray] | None:
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
        s = _elem_strides(a)
        st.append([s[d] for d in perm] if ndim else [0])
    st.append(ast if ndim else [0])
    strides = np.array([s for row in st for s in row], dtype=np.int64)
    dims = np.array(pshape or [1], dtype=np.int64)
    ptrs = np.array(ptrs_in + [0], dtype=np.uint64)
    args = (_addr(ptrs), _addr(dims), _addr(strides), _addr(consts))
    base = _addr(acc)
    n = k.size
    fn = comp.fns["nd"]
    if not kept and "flat" in comp.fns and all(
            a.flags.c_contiguous if inp.layout == "contiguous" else not any(a.strides)
            for inp, a in zip(k.inputs, arrays)):
        fn = comp.fns["flat"]  # one accumulator per block in a register
    if kept and "pw" in comp.fns:
        # one pairwise sum per row (see _row_pairwise_ok); NumPy adds it to 0.0
        fn = comp.fns["pw"]
        tasks = [(base + o * adt.itemsize, o * r, (o + 1) * r) for o in range(m)]
        acc[...] = 0
    elif kept:
        g = max(1, BLOCK // max(r, 1))
        tasks = [(base, o * r, min(o + g, m) * r) for o in range(0, m, g)]
    else:
        tasks = [(base + b * adt.itemsize, s, min(s + BLOCK, n))
                 for b, s in enumerate(range(0, n, BLOCK))]
    flags = _run_tasks(fn, args, tasks, n)
    if _flags_matter(k, flags):
        return _fallback("fp flags")
    if fn is comp.fns.get("pw"):
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
