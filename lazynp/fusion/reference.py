"""The reference executor: runs a ``Plan`` with NumPy, block by block.

It runs the kernels a compiled backend does not take (and every kernel with
``backend="reference"``), and it is the oracle that compiled backends are tested against.  Contract:

* A ``Kernel`` is evaluated over blocks of its iteration space (at most ``block_size``
  elements each, a function of the iteration shape and ``block_size`` only).  Within a block
  the body runs instruction by instruction with NumPy ufuncs on exactly the loop dtypes of the
  plan (``signature=``), so every element gets the operations the semantics table would
  apply.  Only block-sized temporaries are allocated: a fused reduction stores nothing but
  its (small) result.
* Reductions combine per-block partial results in a fixed order (blocks in C order of the
  iteration space), so a result does not depend on anything but the data and the block size.
  Integer and bool results are exact; float sums differ from NumPy's pairwise order only by
  rounding (``docs/numerics.md``).
* Floating-point errors: blocks run under ``errstate(all="call")`` that records which flags
  each instruction raised.  After the kernel, each flagged op reports once, as NumPy would
  (``RuntimeWarning: overflow encountered in exp``, ``FloatingPointError``, the ``call``
  callback, ...), following the errstate recorded on its own node; an op recomputed by two
  kernels of the same force reports once.
* Kernel outputs are handed to ``realize(node, value)``; nodes computed inside a kernel but
  not stored stay pending.  ``NodeStep``s (views of a realized base, sources, boundaries) run
  through the semantics table under their node's errstate.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any, Callable

import numpy as np
from numpy._core import _ufunc_config

from ..graph.node import SHARED_REPORTS, Node
from ..graph.ops import MULTI_OUT, UFUNC_OF, Op
from ..graph.reductions import REDUCTIONS
from ..graph.semantics import evaluate
from .plan import Generated, In, Kernel, NodeStep, Plan, Ref, blocks, pairwise_tree

_extobj = _ufunc_config._extobj_contextvar

BLOCK_SIZE = 65536

_KINDS = (("divide", "divide by zero", 1), ("over", "overflow", 2),
          ("under", "underflow", 4), ("invalid", "invalid value", 8))
_KIND_OF_TEXT = {text: kind for kind, text, _ in _KINDS}
_BLOCK_REDUCER = {s.op: s.block for s in REDUCTIONS.values() if s.fused}
_REDUCE = -1  # instruction slot of a kernel's reduction in the flag recorder


class _Flags:
    """``errstate(call=...)`` callback: which flags each instruction raised."""

    def __init__(self) -> None:
        self.current = 0
        self.seen: dict[int, set[str]] = {}

    def __call__(self, errtype: str, flag: int) -> None:
        kind = _KIND_OF_TEXT.get(errtype)
        if kind is None:  # pragma: no cover - NumPy only sends the four texts
            return
        self.seen.setdefault(self.current, set()).add(kind)


def _flat(a: Any) -> Any:
    if isinstance(a, Generated):
        return a.flat()
    try:
        return np.reshape(a, -1, copy=False)
    except ValueError:
        return None


def _pairwise_sum(k: Kernel, arrays: list, block_size: int, flags: _Flags,
                  dead: list) -> np.ndarray | None:
    """A full float32/float64 sum or mean with NumPy's own summation order (so a printed
    sum shows NumPy's digits), when every input can be walked flat in C order; else None."""
    red = k.reduction
    shape = k.shape
    if (not REDUCTIONS[red.op].pairwise or set(red.axes) != set(range(len(shape)))
            or red.acc_dtype not in (np.dtype(np.float64), np.dtype(np.float32))
            or red.kwargs.get("dtype", red.acc_dtype) != red.acc_dtype or 0 in shape):
        return None
    flat = [_flat(a) for a in arrays]
    if any(f is None for f in flat):
        return None
    n = math.prod(shape)

    def total(tree: Any) -> Any:
        if type(tree[0]) is int:
            start, stop = tree
            v = eval_body(k, [f[start:stop] for f in flat], flags, dead)
            v = np.broadcast_to(v, (stop - start,))
            if v.dtype != red.acc_dtype:
                raise _NotExact
            flags.current = _REDUCE
            return np.add.reduce(v)
        return total(tree[0]) + total(tree[1])

    try:
        acc = total(pairwise_tree(0, n, max(block_size, 128)))
    except _NotExact:
        return None
    if red.initial is not None:
        acc = acc + red.initial
    if red.op is Op.MEAN:
        acc = np.true_divide(acc, np.intp(n))
    return np.asarray(acc, dtype=red.dtype).reshape(k.outputs[0].shape)


class _NotExact(Exception):
    """The body's values are not of the accumulator dtype (NumPy would cast in chunks)."""


def _cast(value: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if value.dtype.kind == "c" and dtype.kind != "c":
        with warnings.catch_warnings():  # (warned when the cast was recorded)
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return value.astype(dtype, casting="unsafe")
    return value.astype(dtype, casting="unsafe")


def _dead_after(k: Kernel) -> list[tuple[int, ...]]:
    """For each instruction, the registers whose last use it is (freed right after)."""
    last: dict[int, int] = {}
    for j, ins in enumerate(k.body):
        for a in ins.args:
            if type(a) is Ref:
                last[a.index] = j
    if type(k.result) is Ref:
        last[k.result.index] = len(k.body)
    dead: list[list[int]] = [[] for _ in k.body]
    for reg, j in last.items():
        if j < len(k.body):
            dead[j].append(reg)
    return [tuple(d) for d in dead]


def eval_body(k: Kernel, vals: list, flags: _Flags, dead: list | None = None) -> Any:
    """Values of the body for one block (``vals``: the inputs' blocks)."""
    if dead is None:
        dead = _dead_after(k)
    regs: list = []
    for j, ins in enumerate(k.body):
        flags.current = j
        args = [vals[a.index] if type(a) is In else regs[a.index] if type(a) is Ref
                else a.value for a in ins.args]
        op = ins.op
        if op is Op.CAST:
            r = _cast(np.asarray(args[0]), ins.dtype)
        elif op is Op.COPY:
            r = args[0]
        elif op is Op.WHERE:
            r = np.where(*args)
        elif op is Op.CLIP:
            r = np.clip(*args)
        elif op in MULTI_OUT:
            r = UFUNC_OF[op](*args, signature=ins.loop)[ins.index]
        else:
            r = UFUNC_OF[op](*args, signature=ins.loop)
        del args
        regs.append(r)
        for reg in dead[j]:
            regs[reg] = None  # keep only block-sized temporaries that are still needed
    res = k.result
    if type(res) is In:
        return vals[res.index]
    if type(res) is Ref:
        return regs[res.index]
    return res.value


def run_kernel(k: Kernel, block_size: int, flags: _Flags) -> list[np.ndarray]:
    """Evaluate ``k``; return one value per output (FP flags collected in ``flags``)."""
    shape = k.shape
    arrays = [inp.array(shape) for inp in k.inputs]
    dead = _dead_after(k)
    red = k.reduction
    with np.errstate(all="call", call=flags):
        if red is None:
            out = k.outputs[0].allocate()
            done = k.done
            for i, box in enumerate(blocks(shape, k.done_block if done else block_size)):
                if i not in done:
                    out[box] = eval_body(k, [a[box] for a in arrays], flags, dead)
            return [out]
        axes = red.axes
        exact = _pairwise_sum(k, arrays, block_size, flags, dead)
        if exact is not None:
            return [exact]
        keep = tuple(1 if d in axes else s for d, s in enumerate(shape))
        result = np.empty(k.outputs[0].shape, dtype=red.dtype)
        if red.acc_dtype == red.dtype:
            acc = result.reshape(keep)  # a view: the result owns its data, as NumPy's
        else:
            acc = np.empty(keep, dtype=red.acc_dtype)
        reducer = _BLOCK_REDUCER[red.op]
        combine = UFUNC_OF[red.combine]
        for box in blocks(shape, block_size):
            v = eval_body(k, [a[box] for a in arrays], flags, dead)
            flags.current = _REDUCE
            v = np.broadcast_to(v, tuple(s.stop - s.start for s in box))
            part = reducer(v, axis=axes, keepdims=True, **red.kwargs)
            region = tuple(slice(0, 1) if d in axes else s for d, s in enumerate(box))
            if all(box[d].start == 0 for d in axes):
                acc[region] = part
            else:
                view = acc[region]
                combine(view, part, out=view, casting="unsafe")
        flags.current = _REDUCE
        if red.initial is not None:
            combine(acc, red.initial, out=acc, casting="unsafe")
        if red.op is Op.MEAN:
            count = 1
            for d in axes:
                count *= shape[d]
            np.true_divide(acc, np.intp(count), out=acc, casting="unsafe")
    if acc.dtype != red.dtype:
        np.copyto(result, _cast(acc, red.dtype).reshape(result.shape))
    return [result]


def _owners(k: Kernel) -> list[Node]:
    """The graph node each instruction reports errors for (implicit casts: their user)."""
    owners: list = [ins.node for ins in k.body]
    for j in range(len(k.body) - 1, -1, -1):
        if owners[j] is None:
            for later in k.body[j + 1:]:
                if any(type(a) is Ref and a.index == j for a in later.args) and later.node:
                    owners[j] = later.node
                    break
            if owners[j] is None:
                owners[j] = k.outputs[0].node
    return owners


def _op_name(ins: Any) -> str:
    if ins.op is Op.CAST or ins.implicit:
        return "cast"
    uf = UFUNC_OF.get(ins.op)
    return uf.__name__ if uf is not None else ins.op.value


def report(node: Node, name: str, kinds: set[str], emitted: set) -> None:
    """Report FP flags ``kinds`` of ``node``'s op ``name`` as NumPy would under its errstate."""
    token = _extobj.set(node.errstate)
    try:
        modes = np.geterr()
        errcall = np.geterrcall()
    finally:
        _extobj.reset(token)
    shared = SHARED_REPORTS.get(node) if SHARED_REPORTS else None
    for kind, text, bit in _KINDS:
        if kind not in kinds or (node.id, kind) in emitted:
            continue
        emitted.add((node.id, kind))
        if shared is not None:
            if kind in shared:
                continue
            shared.add(kind)
        mode = modes[kind]
        msg = f"{text} encountered in {name}"
        if mode == "ignore":
            continue
        if mode == "warn":
            warnings.warn(msg, RuntimeWarning, stacklevel=2)
        elif mode == "raise":
            raise FloatingPointError(msg)
        elif mode == "call":
            errcall(text, bit)
        elif mode == "print":
            print(f"Warning: {msg}", file=sys.stderr)
        elif mode == "log":
            errcall.write(f"Warning: {msg}\n")


def _report_kernel(k: Kernel, flags: _Flags, emitted: set) -> None:
    if not flags.seen:
        return
    owners = _owners(k)
    for j, ins in enumerate(k.body):
        kinds = flags.seen.get(j)
        if kinds:
            report(owners[j], _op_name(ins), kinds, emitted)
    kinds = flags.seen.get(_REDUCE)
    if kinds and k.reduction is not None:
        report(k.reduction.node, "reduce", kinds, emitted)


def run_step(step: NodeStep) -> np.ndarray:
    n = step.node
    values = [i.value for i in n.inputs]
    token = _extobj.set(n.errstate)
    try:
        return evaluate(n, values)
    finally:
        _extobj.reset(token)


def run_kernel_reported(k: Kernel, block_size: int, emitted: set) -> list[np.ndarray]:
    """``run_kernel``, then the floating-point flags it raised reported as NumPy reports them
    (each node and kind once per ``emitted``, the set one plan's execution shares)."""
    flags = _Flags()
    values = run_kernel(k, block_size, flags)
    _report_kernel(k, flags, emitted)
    return values


def execute(plan: Plan, realize: Callable[[Node, np.ndarray], None],
            block_size: int = BLOCK_SIZE,
            on_kernel: Callable[[Kernel, float], None] | None = None,
            run: Callable[[Kernel, set], list] | None = None) -> None:
    """Run every step of ``plan``; kernel outputs and steps are stored with ``realize``.

    ``run(kernel, emitted)`` computes a kernel's values (default: this executor's
    ``run_kernel_reported``); the engine passes one that tries the configured compiled
    backend first and falls back here (``_engine._execute``): this module knows no backend.
    """
    emitted: set = set()
    if run is None:
        def run(k: Kernel, em: set) -> list:
            return run_kernel_reported(k, block_size, em)
    for step in plan.steps:
        if isinstance(step, NodeStep):
            if step.node.value is None:
                realize(step.node, run_step(step))
            continue
        if all(o.node.value is not None for o in step.outputs):
            continue
        t0 = time.perf_counter()
        values = run(step, emitted)
        if on_kernel is not None:
            on_kernel(step, time.perf_counter() - t0)
        for o, v in zip(step.outputs, values):
            realize(o.node, v)
