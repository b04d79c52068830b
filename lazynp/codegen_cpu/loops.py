"""Loop nests of the CPU renderer: the implementation functions behind ``NAME_flat`` (flat
index) and ``NAME_nd`` (strided nest, with unit-stride row loops ``_fast_row`` and min/max
rows in vector lanes ``_minmax_lanes``), explicit-lanes loops, and how a reduction combines
into its accumulator (``_combine``, ``identity``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fusion.plan import Kernel
from ..graph.ops import Op
from ..graph.reductions import REDUCTIONS
from ..graph.reductions import identity as reduction_identity
from .body import _Body, load_value, store_lanes, store_value
from .ir_module import _Fn, _Module
from .libcalls import _WIDTHS
from .llvm_text import (
    _F16,
    _F32,
    FE_REDO,
    Unsupported,
    _is_complex,
    _is_float,
    _signed,
    _ty,
    fconst,
)
from .lowering import _render_op
from .scalar_ops import _cast, _sel, _sflag, _zero

_ARGS = "ptr %ptrs, ptr %shape, ptr %strides, ptr %consts, ptr %acc, i64 %start, i64 %stop"


def _check_reduction(red: Any) -> None:
    dt = np.dtype(red.acc_dtype)
    _ty(dt)
    if _is_complex(dt) or (dt == _F16 and red.op not in (Op.MIN, Op.MAX)):
        # NumPy adds float16 in float32 (rounding once per inner loop) and complex numbers
        # with a pairwise sum of each part; min/max of complex values order them
        # lexicographically: left to the reference executor
        raise Unsupported(f"reduction {red.op.value} of {dt}")


def _lanes_width(mod: _Module, body: _Body) -> int:
    """Lanes of the explicit-lanes loop for ``body``, 0 for none: a body that calls a
    transcendental function with a vector form runs explicit lanes (LLVM's loop vectorizer
    would scalarize the calls), one vector register of doubles wide."""
    if mod.vector_abi is None or not body.vector_calls(mod):
        return 0
    return _WIDTHS[mod.vector_abi[0]]


def _lanes_loop(body: _Body, f: _Fn, consts: list[str], lo: str, hi: str, pred: str,
                load: Any, store: Any, dt: np.dtype, tag: str = "") -> str:
    """Explicit lanes over ``[lo, hi - (hi - lo) % w)`` in steps of ``w``: the body once per
    lane, instruction by instruction (each transcendental call one vector call; the SLP
    vectorizer packs the rest).  ``load(i, index)`` gives input i at an index of the loop,
    ``store(values, indices)`` stores the lanes' results (cast to ``dt``), lane by lane in
    order where it combines them into an accumulator.  Entered from block ``pred``; ends in
    block ``vdone`` (``vdone{tag}``: ``tag`` suffixes every name, for a second loop in the
    same function) and returns the first index left to the scalar loop."""
    w = _lanes_width(f.mod, body)
    t = tag
    f.instr(f"%vn{t} = sub i64 {hi}, {lo}")
    f.instr(f"%vr{t} = srem i64 %vn{t}, {w}")
    f.instr(f"%vend{t} = sub i64 {hi}, %vr{t}")
    f.instr(f"%vany{t} = icmp slt i64 {lo}, %vend{t}")
    f.instr(f"br i1 %vany{t}, label %vloop{t}, label %vdone{t}")
    f.place(f"vloop{t}")
    f.instr(f"%vi{t} = phi i64 [ {lo}, {pred} ], [ %vi1{t}, %vloop{t} ]")
    at = [f"%vi{t}"] + [f.emit(f"add i64 %vi{t}, {lane}") for lane in range(1, w)]
    vals, vdt = body.render_lanes(f, lambda i, lane: load(i, at[lane]), consts, w)
    store([_cast(f, v, vdt, dt) for v in vals], at)
    f.instr(f"%vi1{t} = add i64 %vi{t}, {w}")
    f.instr(f"%vmore{t} = icmp slt i64 %vi1{t}, %vend{t}")
    f.instr(f"br i1 %vmore{t}, label %vloop{t}, label %vdone{t}")
    f.place(f"vdone{t}")
    return f"%vend{t}"


def _combine(f: _Fn, red: Any, acc: str, v: str) -> str:
    """The accumulator combined with a value: the reduction's combine op (``add``, ``minimum``,
    ``logical_or`` ...: ``graph/reductions.py``) rendered as an elementwise op."""
    dt = np.dtype(red.acc_dtype)
    _ty(dt)
    spec = REDUCTIONS.get(red.op)
    if spec is None or not spec.fused:
        raise Unsupported(f"reduction {red.op.value}")
    return _render_op(f, spec.combine, dt, [acc, v], [dt, dt])


def identity(red: Any) -> Any:
    """Initial accumulator value of a block (a NumPy scalar of ``acc_dtype``)."""
    return reduction_identity(red.op, red.acc_dtype)


_IMPL_ARGS = _ARGS.replace("ptr %acc", "ptr noalias %acc")  # acc: a fresh buffer


def _impl_head(f: _Fn) -> None:
    f.place("entry")
    f.instr("%sf = alloca i32")
    f.instr("store i32 0, ptr %sf")


def _render_flat(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    f = _Fn(mod)
    _impl_head(f)
    nin = len(k.inputs)
    ptrs = []
    for i in range(nin + 1):
        p = f.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(f.emit(f"load ptr, ptr {p}"))
    consts = body.const_values(f)
    scalars: dict[int, str] = {}
    for i, inp in enumerate(k.inputs):
        if inp.layout != "contiguous":
            scalars[i] = load_value(f, ptrs[i], "0", inp.dtype)
    first = "%start"
    entry = "%entry"
    red = k.reduction
    if red is not None:
        adt = np.dtype(red.acc_dtype)
        aty = _ty(adt)
        init = load_value(f, "%acc", "0", adt)
    peel = False
    if red is None and _lanes_width(mod, body):

        def vload(i: int, at: str) -> str:
            if i in scalars:
                return scalars[i]
            return load_value(f, ptrs[i], at, k.inputs[i].dtype)

        def vstore(vals: list[str], at: list[str]) -> None:
            store_lanes(f, ptrs[nin], at[0], k.outputs[0].dtype, vals)

        # Where the lanes compute the scalar loop's bits (vmath only), the scalar loop first
        # takes the elements before the first contiguous input's next 64-byte boundary, so
        # that the lanes' loads do not straddle cache lines (a few % on streaming kernels)
        lead = next((i for i, inp in enumerate(k.inputs) if inp.layout == "contiguous"), None)
        peel = lead is not None and body.vector_calls(mod) == {"vmath"}
        lo, pred = "%start", "%entry"
        if peel:
            size = np.dtype(k.inputs[lead].dtype).itemsize
            pa = f.emit(f"ptrtoint ptr {ptrs[lead]} to i64")
            at = f.emit(f"add i64 {pa}, {f.emit(f'mul i64 %start, {size}')}")
            gap = f.emit(f"and i64 {f.emit(f'sub i64 0, {at}')}, 63")
            a0 = f.emit(f"add i64 %start, {f.emit(f'udiv i64 {gap}, {size}')}")
            f.instr(f"%a0 = select i1 {f.emit(f'icmp slt i64 {a0}, %stop')}, i64 {a0}, i64 %stop")
            f.instr("%pre = icmp slt i64 %start, %a0")
            f.instr("br i1 %pre, label %loop, label %lanes")
            f.place("lanes")
            lo, pred = "%a0", "%lanes"
        first = _lanes_loop(body, f, consts, lo, "%stop", pred, vload, vstore,
                            k.outputs[0].dtype)
        entry = "%vdone"
    f.instr(f"%empty = icmp sge i64 {first}, %stop")
    f.instr("br i1 %empty, label %done, label %loop")
    f.place("loop")
    if peel:
        # two runs: [start, a0) before the lanes, then [vend, stop)
        f.instr("%i = phi i64 [ %start, %entry ], [ %vend, %vdone ], [ %i1, %loop ]")
        f.instr("%lim = phi i64 [ %a0, %entry ], [ %stop, %vdone ], [ %lim, %loop ]")
    else:
        f.instr(f"%i = phi i64 [ {first}, {entry} ], [ %i1, %loop ]")

    def load(i: int) -> str:
        if i in scalars:
            return scalars[i]
        return load_value(f, ptrs[i], "%i", k.inputs[i].dtype)

    if red is not None:
        # a full reduction of a flat block: one accumulator in a register, stored at the end
        f.instr(f"%a = phi {aty} [ {init}, {entry} ], [ %a1, %loop ]")
    v, dt = body.render(f, load, consts)
    if red is None:
        out_dt = k.outputs[0].dtype
        v = _cast(f, v, dt, out_dt)
        store_value(f, ptrs[nin], "%i", out_dt, v)
    else:
        v = _cast(f, v, dt, adt)
        new = _combine(f, red, "%a", v)
        f.instr(f"%a1 = select i1 true, {aty} {new}, {aty} {new}")  # (a fixed name)
    f.instr("%i1 = add i64 %i, 1")
    if peel:
        f.instr("%more = icmp slt i64 %i1, %lim")
        f.instr("br i1 %more, label %loop, label %next")
        f.place("next")
        f.instr("%before = icmp eq i64 %lim, %a0")
        f.instr("br i1 %before, label %lanes, label %done")
    else:
        f.instr("%more = icmp slt i64 %i1, %stop")
        f.instr("br i1 %more, label %loop, label %done")
    f.place("done")
    if red is not None:
        f.instr(f"%af = phi {aty} [ {init}, {entry} ], [ %a1, %loop ]")
        store_value(f, "%acc", "0", adt, "%af")
    f.instr("%sfv = load i32, ptr %sf")
    f.instr("ret i32 %sfv")
    return f.text(f"define internal i32 @{name}({_IMPL_ARGS}) noinline {{", "}")


def _render_nd(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    """Strided nest; elementwise (store to the output) or reduction (combine into acc)."""
    f = _Fn(mod)
    _impl_head(f)
    D = max(len(k.shape), 1)
    nin = len(k.inputs)
    red = k.reduction
    slot = None
    if red is not None:
        slot = "%racc"  # a row's accumulator in the fast loop (promoted to a register)
        f.instr(f"{slot} = alloca {_ty(np.dtype(red.acc_dtype))}")
    nops = nin + 1
    ptrs = []
    for i in range(nops):
        if i == nin and red is not None:
            ptrs.append("%acc")
            continue
        p = f.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(f.emit(f"load ptr, ptr {p}"))
    shape = []
    for d in range(D):
        p = f.emit(f"getelementptr i64, ptr %shape, i64 {d}")
        shape.append(f.emit(f"load i64, ptr {p}"))
    strides = [[None] * D for _ in range(nops)]
    for o in range(nops):
        for d in range(D):
            p = f.emit(f"getelementptr i64, ptr %strides, i64 {o * D + d}")
            strides[o][d] = f.emit(f"load i64, ptr {p}")
    consts = body.const_values(f)
    f.instr("br label %outer")
    f.place("outer")
    f.instr("%cur = phi i64 [ %start, %entry ], [ %next, %rowend ]")
    f.instr("%go = icmp slt i64 %cur, %stop")
    f.instr("br i1 %go, label %row, label %done")
    f.place("row")
    idx = [None] * D
    rem = "%cur"
    for d in range(D - 1, 0, -1):
        idx[d] = f.emit(f"urem i64 {rem}, {shape[d]}")
        rem = f.emit(f"udiv i64 {rem}, {shape[d]}")
    idx[0] = rem
    left = f.emit(f"sub i64 {shape[D - 1]}, {idx[D - 1]}")
    todo = f.emit("sub i64 %stop, %cur")
    lt = f.emit(f"icmp slt i64 {left}, {todo}")
    n = _sel(f, lt, "i64", left, todo)
    bases = []
    for o in range(nops):
        acc = "0"
        for d in range(D):
            t = f.emit(f"mul i64 {idx[d]}, {strides[o][d]}")
            acc = f.emit(f"add i64 {acc}, {t}")
        bases.append(acc)
    out_dt = k.outputs[0].dtype if red is None else np.dtype(red.acc_dtype)
    pattern = inner_pattern(k)
    row = "%row"
    if pattern is not None:
        # rows whose operands' innermost strides are the ones the plan predicts (0 or 1):
        # a loop with unit-stride and invariant loads that LLVM vectorizes; other rows (the
        # runtime permuted the axes, or another plan shares this module) take the general loop
        ok = "true"
        for o, p in enumerate(pattern):
            if p is not None:
                c = f.emit(f"icmp eq i64 {strides[o][D - 1]}, {p}")
                ok = c if ok == "true" else f.emit(f"and i1 {ok}, {c}")
        f.instr(f"br i1 {ok}, label %frow, label %grow")
        f.place("frow")
        _fast_row(k, body, f, consts, ptrs, bases, strides, pattern, n, out_dt, slot)
        f.instr("br label %rowend")
        f.place("grow")
        row = "%grow"
    if red is not None and minmax_rows(red) and _is_float(out_dt):
        _sflag(f, "true", FE_REDO)  # (the general loop combines in order: not NumPy's ties)
    first, entry = "0", row
    if _lanes_width(mod, body):
        # explicit lanes along the row (strided loads and stores), as in the flat loop

        def at(o: int, j: str) -> str:
            t = f.emit(f"mul i64 {j}, {strides[o][D - 1]}")
            return f.emit(f"add i64 {bases[o]}, {t}")

        def vload(i: int, j: str) -> str:
            return load_value(f, ptrs[i], at(i, j), k.inputs[i].dtype)

        def vstore(vals: list[str], js: list[str]) -> None:
            for v, j in zip(vals, js):
                if red is not None:
                    v = _combine(f, red, load_value(f, "%acc", at(nin, j), out_dt), v)
                store_value(f, ptrs[nin], at(nin, j), out_dt, v)

        first = _lanes_loop(body, f, consts, "0", n, row, vload, vstore, out_dt)
        entry = "%vdone"
        f.instr(f"%rest = icmp slt i64 {first}, {n}")
        f.instr("br i1 %rest, label %inner, label %rowend")
    else:
        f.instr("br label %inner")
    f.place("inner")
    f.instr(f"%j = phi i64 [ {first}, {entry} ], [ %j1, %inner ]")
    offs: dict[int, str] = {}

    def off(o: int) -> str:
        if o not in offs:
            t = f.emit(f"mul i64 %j, {strides[o][D - 1]}")
            offs[o] = f.emit(f"add i64 {bases[o]}, {t}")
        return offs[o]

    def load(i: int) -> str:
        return load_value(f, ptrs[i], off(i), k.inputs[i].dtype)

    v, dt = body.render(f, load, consts)
    v = _cast(f, v, dt, out_dt)
    if red is not None:
        v = _combine(f, red, load_value(f, "%acc", off(nin), out_dt), v)
    store_value(f, ptrs[nin], off(nin), out_dt, v)
    f.instr("%j1 = add i64 %j, 1")
    f.instr(f"%jm = icmp slt i64 %j1, {n}")
    f.instr("br i1 %jm, label %inner, label %rowend")
    f.place("rowend")
    f.instr(f"%next = add i64 %cur, {n}")
    f.instr("br label %outer")
    f.place("done")
    f.instr("%sfv = load i32, ptr %sf")
    f.instr("ret i32 %sfv")
    return f.text(f"define internal i32 @{name}({_IMPL_ARGS}) noinline {{", "}")


def inner_pattern(k: Kernel) -> tuple[int | None, ...] | None:
    """Innermost strides (elements) of the nest's operands, inputs then the output or
    accumulator, as the plan predicts them for the runtime's usual axis order (elementwise:
    C order of a new output; reductions: kept axes outer, reduced axes inner): 0 or 1, None
    for another stride; None when no operand is predicted 0 or 1 (no fast row loop)."""
    if not k.shape:
        return None
    red = k.reduction
    if red is not None and not red.axes:
        return None
    inner = max(red.axes) if red is not None else len(k.shape) - 1
    pat: list[int | None] = []
    for inp in k.inputs:
        st = inp.strides[inner] if len(inp.strides) == len(k.shape) else None
        pat.append(st if st in (0, 1) else None)
    pat.append(1 if red is None else 0)
    return tuple(pat) if any(p is not None for p in pat[:-1]) else None


def _fast_row(k: Kernel, body: _Body, f: _Fn, consts: list[str], ptrs: list[str],
              bases: list[str], strides: list[list[str]], pattern: tuple, n: str,
              out_dt: np.dtype, slot: str | None) -> None:
    """One row of ``_render_nd`` (``n`` elements from ``bases``) whose innermost strides are
    ``pattern``: unit-stride operands index by ``j``, stride-0 ones read one element, others
    multiply; a reduction (accumulator stride 0) combines into ``slot`` in the same order as
    the general loop (the same bits), stored to the accumulator at the end of the row."""
    nin = len(k.inputs)
    red = k.reduction
    D = len(strides[0])

    def at(o: int, j: str) -> str:
        p = pattern[o]
        if p == 1:
            return f.emit(f"add i64 {bases[o]}, {j}")
        if p == 0:
            return bases[o]
        t = f.emit(f"mul i64 {j}, {strides[o][D - 1]}")
        return f.emit(f"add i64 {bases[o]}, {t}")

    aty = _ty(out_dt)
    if red is not None:
        f.instr(f"store {aty} {load_value(f, ptrs[nin], bases[nin], out_dt)}, ptr {slot}")

    def put(v: str, j: str) -> None:
        if red is None:
            store_value(f, ptrs[nin], at(nin, j), out_dt, v)
            return
        cur = f.emit(f"load {aty}, ptr {slot}")
        f.instr(f"store {aty} {_combine(f, red, cur, v)}, ptr {slot}")

    first, entry = "0", "%frow"
    if red is not None and minmax_rows(red):
        first, entry = _minmax_lanes(k, body, f, consts, ptrs, at, n, out_dt, slot)
    elif _lanes_width(f.mod, body):

        def vload(i: int, j: str) -> str:
            return load_value(f, ptrs[i], at(i, j), k.inputs[i].dtype)

        def vstore(vals: list[str], js: list[str]) -> None:
            if red is None and pattern[nin] == 1:
                store_lanes(f, ptrs[nin], at(nin, js[0]), out_dt, vals)
                return
            for v, j in zip(vals, js):
                put(v, j)

        first = _lanes_loop(body, f, consts, "0", n, "%frow", vload, vstore, out_dt, tag="f")
        entry = "%vdonef"
    f.instr(f"%frest = icmp slt i64 {first}, {n}")
    f.instr("br i1 %frest, label %finner, label %fend")
    f.place("finner")
    f.instr(f"%fj = phi i64 [ {first}, {entry} ], [ %fj1, %finner ]")
    v, dt = body.render(f, lambda i: load_value(f, ptrs[i], at(i, "%fj"), k.inputs[i].dtype),
                        consts)
    put(_cast(f, v, dt, out_dt), "%fj")
    f.instr("%fj1 = add i64 %fj, 1")
    f.instr(f"%fjm = icmp slt i64 %fj1, {n}")
    f.instr("br i1 %fjm, label %finner, label %fend")
    f.place("fend")
    if red is not None:
        r = f.emit(f"load {aty}, ptr {slot}")
        if minmax_rows(red) and _is_float(out_dt):
            # the combine order is not NumPy's: ties of +0.0 and -0.0 (a zero result) and
            # NaN payloads could differ; such rows leave the kernel to the reference
            z = f.emit(f"fcmp ueq {aty} {r}, {_zero(aty)}")
            _sflag(f, z, FE_REDO)
        store_value(f, ptrs[nin], bases[nin], out_dt, r)


def minmax_rows(red: Any) -> bool:
    """Whether the fast row loop of ``_render_nd`` combines this reduction in vector lanes
    (min/max of float32/float64 and integers, an order-free combine; see ``FE_REDO``)."""
    dt = np.dtype(red.acc_dtype)
    return red.op in (Op.MIN, Op.MAX) and (dt.kind in "iu" or dt in (_F32, np.dtype(np.float64)))


def _vminmax(f: _Fn, op: Op, vt: str, dt: np.dtype, a: str, b: str) -> str:
    """Lane-wise max/min of accumulator ``a`` and values ``b``: NaN in ``a`` is kept, a NaN
    in ``b`` taken (so a NaN propagates), ties take ``b``."""
    big = op is Op.MAX
    mt = vt.split(" x ")[0] + " x i1>"
    if _is_float(dt):
        na = f.emit(f"fcmp uno {vt} {a}, {a}")
        c = f.emit(f"fcmp {'ogt' if big else 'olt'} {vt} {a}, {b}")
        c = f.emit(f"or {mt} {na}, {c}")
    else:
        pred = ("s" if _signed(dt) else "u") + ("gt" if big else "lt")
        c = f.emit(f"icmp {pred} {vt} {a}, {b}")
    return f.emit(f"select {mt} {c}, {vt} {a}, {vt} {b}")


def _minmax_lanes(k: Kernel, body: _Body, f: _Fn, consts: list[str], ptrs: list[str],
                  at: Any, n: str, dt: np.dtype, slot: str) -> tuple[str, str]:
    """Min/max of a row's first ``n - n % 2w`` elements in two vector accumulators of ``w``
    lanes, combined into ``slot``; returns (first index left, block) for the scalar loop."""
    red = k.reduction
    w = _lanes_width(f.mod, body) or 8
    ty = _ty(dt)
    vt = f"<{w} x {ty}>"
    ident = identity(red)
    lit = fconst(float(ident), ty) if _is_float(dt) else str(int(ident))
    init = f"splat ({ty} {lit})"
    f.instr(f"%mr = srem i64 {n}, {2 * w}")
    f.instr(f"%mend = sub i64 {n}, %mr")
    f.instr("%many = icmp sgt i64 %mend, 0")
    f.instr("br i1 %many, label %mloop, label %mdone")
    f.place("mloop")
    f.instr("%mj = phi i64 [ 0, %frow ], [ %mj1, %mloop ]")
    f.instr(f"%ma0 = phi {vt} [ {init}, %frow ], [ %mb0, %mloop ]")
    f.instr(f"%ma1 = phi {vt} [ {init}, %frow ], [ %mb1, %mloop ]")
    for h in (0, 1):
        j0 = f.emit(f"add i64 %mj, {h * w}")
        idx = [j0] + [f.emit(f"add i64 {j0}, {lane}") for lane in range(1, w)]
        vals, vdt = body.render_lanes(
            f, lambda i, lane, idx=idx: load_value(f, ptrs[i], at(i, idx[lane]),
                                                   k.inputs[i].dtype),
            consts, w)
        vec = "poison"
        for lane, v in enumerate(vals):
            vec = f.emit(f"insertelement {vt} {vec}, {ty} {_cast(f, v, vdt, dt)}, i32 {lane}")
        new = _vminmax(f, red.op, vt, dt, f"%ma{h}", vec)
        f.instr(f"%mb{h} = select i1 true, {vt} {new}, {vt} {new}")  # (a fixed name)
    f.instr(f"%mj1 = add i64 %mj, {2 * w}")
    f.instr("%mmore = icmp slt i64 %mj1, %mend")
    f.instr("br i1 %mmore, label %mloop, label %mdone")
    f.place("mdone")
    f.instr(f"%mc0 = phi {vt} [ {init}, %frow ], [ %mb0, %mloop ]")
    f.instr(f"%mc1 = phi {vt} [ {init}, %frow ], [ %mb1, %mloop ]")
    v = _vminmax(f, red.op, vt, dt, "%mc0", "%mc1")
    r = f.emit(f"load {ty}, ptr {slot}")
    for lane in range(w):
        r = _combine(f, red, r, f.emit(f"extractelement {vt} {v}, i32 {lane}"))
    f.instr(f"store {ty} {r}, ptr {slot}")
    return "%mend", "%mdone"
