"""NumPy's pairwise float sum in LLVM IR for the CPU renderer: ``NAME_pw`` / ``NAME_pwrows``
(blocks of 128, eight accumulators, split at ``n // 2 - (n // 2) % 8``), its element functions
and leaves."""

from __future__ import annotations

import numpy as np

from ..fusion.plan import Kernel
from .body import _Body, load_value
from .ir_module import _Fn, _Module
from .llvm_text import _is_complex, _mem_ty, _ty
from .loops import _IMPL_ARGS, _lanes_width
from .scalar_ops import _cast

_PW_ARGS = "ptr %ptrs, ptr %consts, ptr %sf, ptr %bnd"  # (element functions of _render_pw)
_PW_CALL = "ptr %ptrs, ptr %consts, ptr %sf, ptr %bnd"


def _element_fn(k: Kernel, body: _Body, mod: _Module, name: str, adt: np.dtype, w: int,
                bounded: bool = True) -> str:
    """``@NAME_v1``: the body's value at flat index ``i`` of a flat kernel, as ``adt``; or
    ``@NAME_vW``: the ``W`` values from ``i`` on as a vector (explicit lanes).  Inputs that
    are not contiguous are read at element 0, or 1 from their boundary in ``%bnd`` on
    (``bounded``; ``@NAME_cW`` without it: element 0)."""
    fe = _Fn(mod)
    ty = _ty(adt)
    rt = ty if w == 1 else f"<{w} x {ty}>"
    tag = "v" if bounded else "c"
    fe.place("entry")
    ptrs = []
    bnds: dict[int, str] = {}
    for i, inp in enumerate(k.inputs):
        p = fe.emit(f"getelementptr ptr, ptr %ptrs, i64 {i}")
        ptrs.append(fe.emit(f"load ptr, ptr {p}"))
        if inp.layout != "contiguous" and bounded:
            b = fe.emit(f"getelementptr i64, ptr %bnd, i64 {i}")
            bnds[i] = fe.emit(f"load i64, ptr {b}")
    consts = body.const_values(fe)
    at = ["%i"] + [fe.emit(f"add i64 %i, {lane}") for lane in range(1, w)]

    def load(i: int, lane: int = 0) -> str:
        if k.inputs[i].layout == "contiguous":
            off = at[lane]
        elif not bounded:
            off = "0"
        else:  # (element 1 of the row input from the leaf's boundary on; see _render_pw)
            off = fe.emit(f"zext i1 {fe.emit(f'icmp sge i64 {at[lane]}, {bnds[i]}')} to i64")
        return load_value(fe, ptrs[i], off, k.inputs[i].dtype)

    if w == 1:
        v, dt = body.render(fe, load, consts)
        v = _cast(fe, v, dt, adt)
    else:
        vals, dt = body.render_lanes(fe, load, consts, w)
        v = "poison"
        for lane, x in enumerate(vals):
            v = fe.emit(f"insertelement {rt} {v}, {ty} {_cast(fe, x, dt, adt)}, i32 {lane}")
    fe.instr(f"ret {rt} {v}")
    return fe.text(f"define internal {rt} @{name}_{tag}{w}({_PW_ARGS}, i64 %i) alwaysinline {{",
                   "}")


def _render_pw(k: Kernel, body: _Body, mod: _Module, name: str) -> str:
    """NumPy's pairwise_sum of the body over a flat range; result stored to ``acc``."""
    red = k.reduction
    adt = np.dtype(red.acc_dtype)
    ty = _ty(adt)
    lanes = 8 if _lanes_width(mod, body) else 0  # (the 8 accumulators of NumPy's leaf)
    nc = [j for j, inp in enumerate(k.inputs) if inp.layout != "contiguous"]
    parts = [_element_fn(k, body, mod, name, adt, w, b) for w in (1, lanes) if w
             for b in ((True, False) if nc else (True,))]
    ev = f"@{name}_v1"
    # the leaf (8 <= n <= 128) as a function; where inputs are not contiguous, a second one
    # reading element 0 of them only, for the leaves that cross no boundary (most)
    for tag in ("v", "c") if nc else ("v",):
        parts.append(f"""
define internal {ty} @{name}_leaf{tag}({_PW_ARGS}, i64 %a, i64 %n) {{
leaf:
{_leaf(ty, f"@{name}_{tag}1", f"@{name}_{tag}8" if lanes else None)}
}}""")
    if nc:
        cross = ["  %lend = add i64 %a, %n"]
        acc_c = "false"
        for j in nc:
            cross.append(f"  %cx_{j} = icmp slt i64 %ubs_{j}, %lend")
            cross.append(f"  %cxo_{j} = or i1 {acc_c}, %cx_{j}")
            acc_c = f"%cxo_{j}"
        cross += [f"  br i1 {acc_c}, label %leafb, label %leafc",
                  "leafb:",
                  f"  %lb = call {ty} @{name}_leafv({_PW_CALL}, i64 %a, i64 %n)",
                  f"  ret {ty} %lb",
                  "leafc:",
                  f"  %lc = call {ty} @{name}_leafc({_PW_CALL}, i64 %a, i64 %n)",
                  f"  ret {ty} %lc"]
    else:
        cross = [f"  %lc = call {ty} @{name}_leafv({_PW_CALL}, i64 %a, i64 %n)",
                 f"  ret {ty} %lc"]
    leaf_call = "\n".join(cross)
    z = "-0.0"
    # Inputs that are not contiguous are read at element i // rl[j] of their pointer
    # (rl: the ``strides`` argument, one length per input; 0: always element 0, a broadcast
    # scalar).  The runtime gives lengths of 0 or at least 128 (or a multiple of the rows
    # of NAME_rows), so the <= 128 consecutive elements a call of rec reads (n <= 128) lie
    # in at most two such runs: rec moves the pointer to the run of %a and the element
    # function reads the next element from the boundary %bnd[j] on.
    nin = len(k.inputs)
    setup = [f"  %ptrs = alloca ptr, i64 {max(nin, 1)}", f"  %bnd = alloca i64, i64 {max(nin, 1)}"]
    for j, inp in enumerate(k.inputs):
        setup += [f"  %ugp_{j} = getelementptr ptr, ptr %gptrs, i64 {j}",
                  f"  %up_{j} = load ptr, ptr %ugp_{j}",
                  f"  %ulp_{j} = getelementptr ptr, ptr %ptrs, i64 {j}"]
        if inp.layout == "contiguous":
            setup.append(f"  store ptr %up_{j}, ptr %ulp_{j}")
            continue
        mt = _ty(inp.dtype) if _is_complex(inp.dtype) else _mem_ty(inp.dtype)
        setup += [f"  %urp_{j} = getelementptr i64, ptr %rl, i64 {j}",
                  f"  %uL_{j} = load i64, ptr %urp_{j}",
                  f"  %uz_{j} = icmp eq i64 %uL_{j}, 0",
                  f"  %uLs_{j} = select i1 %uz_{j}, i64 1, i64 %uL_{j}",
                  f"  %uqd_{j} = udiv i64 %a, %uLs_{j}",
                  f"  %uq_{j} = select i1 %uz_{j}, i64 0, i64 %uqd_{j}",
                  f"  %uq1_{j} = add i64 %uq_{j}, 1",
                  f"  %ub_{j} = mul i64 %uq1_{j}, %uL_{j}",
                  f"  %ubs_{j} = select i1 %uz_{j}, i64 9223372036854775807, i64 %ub_{j}",
                  f"  %ubp_{j} = getelementptr i64, ptr %bnd, i64 {j}",
                  f"  store i64 %ubs_{j}, ptr %ubp_{j}",
                  f"  %ump_{j} = getelementptr {mt}, ptr %up_{j}, i64 %uq_{j}",
                  f"  store ptr %ump_{j}, ptr %ulp_{j}"]
    setup_text = "\n".join(setup)
    rec = f"""
define internal {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a, i64 %n) {{
entry:
{setup_text}
  %small = icmp slt i64 %n, 8
  br i1 %small, label %seq, label %mid
seq:
  %e = add i64 %a, %n
  %se = icmp slt i64 %a, %e
  br i1 %se, label %sloop, label %sdone
sloop:
  %si = phi i64 [ %a, %seq ], [ %si1, %sloop ]
  %sr = phi {ty} [ {z}, %seq ], [ %sr1, %sloop ]
  %sv = call {ty} {ev}({_PW_CALL}, i64 %si)
  %sr1 = fadd {ty} %sr, %sv
  %si1 = add i64 %si, 1
  %sm = icmp slt i64 %si1, %e
  br i1 %sm, label %sloop, label %sdone
sdone:
  %sres = phi {ty} [ {z}, %seq ], [ %sr1, %sloop ]
  ret {ty} %sres
mid:
  %blk = icmp sle i64 %n, 128
  br i1 %blk, label %leaf, label %split
leaf:
{leaf_call}
split:
  %h = sdiv i64 %n, 2
  %hm = srem i64 %h, 8
  %n2 = sub i64 %h, %hm
  %l = call {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a, i64 %n2)
  %a2 = add i64 %a, %n2
  %n3 = sub i64 %n, %n2
  %r = call {ty} @{name}_rec(ptr %gptrs, ptr %rl, ptr %consts, ptr %sf, i64 %a2, i64 %n3)
  %lr = fadd {ty} %l, %r
  ret {ty} %lr
}}
"""
    entry = f"""
define internal i32 @{name}({_IMPL_ARGS}) noinline {{
entry:
  %sf = alloca i32
  store i32 0, ptr %sf
  %n = sub i64 %stop, %start
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %strides, ptr %consts, ptr %sf, i64 %start,
                             i64 %n)
  store {ty} %r, ptr %acc
  %sfv = load i32, ptr %sf
  ret i32 %sfv
}}
"""
    # rows [start, stop) of length shape[0]: acc[o - start] = pairwise sum of row o
    rows = f"""
define internal i32 @{name}_rows({_IMPL_ARGS}) noinline {{
entry:
  %sf = alloca i32
  store i32 0, ptr %sf
  %len = load i64, ptr %shape
  %any = icmp slt i64 %start, %stop
  br i1 %any, label %loop, label %done
loop:
  %o = phi i64 [ %start, %entry ], [ %o1, %loop ]
  %a = mul i64 %o, %len
  %r = call {ty} @{name}_rec(ptr %ptrs, ptr %strides, ptr %consts, ptr %sf, i64 %a, i64 %len)
  %k = sub i64 %o, %start
  %p = getelementptr {ty}, ptr %acc, i64 %k
  store {ty} %r, ptr %p
  %o1 = add i64 %o, 1
  %more = icmp slt i64 %o1, %stop
  br i1 %more, label %loop, label %done
done:
  %sfv = load i32, ptr %sf
  ret i32 %sfv
}}
"""
    return "\n\n".join(parts) + rec + entry + rows


def _eight(ty: str, ev: str, ev8: str | None, at: str, name: str) -> list[str]:
    """``%{name}0`` ... ``%{name}7``: the body's values at flat indices ``at`` ... ``at + 7``
    (one call of the 8-lane element function ``ev8``, or eight of ``ev``)."""
    args = _PW_CALL
    if ev8 is not None:
        lines = [f"  %{name}v = call <8 x {ty}> {ev8}({args}, i64 {at})"]
        return lines + [f"  %{name}{j} = extractelement <8 x {ty}> %{name}v, i32 {j}"
                        for j in range(8)]
    lines = []
    for j in range(8):
        lines.append(f"  %{name}i{j} = add i64 {at}, {j}")
        lines.append(f"  %{name}{j} = call {ty} {ev}({args}, i64 %{name}i{j})")
    return lines


def _leaf(ty: str, ev: str, ev8: str | None) -> str:
    """Eight accumulators over n in [8, 128], then the tail (NumPy's order); with the
    8-lane element function ``ev8`` the accumulators are the lanes of one vector (the same
    additions, lane by lane)."""
    if ev8 is None:
        lines = _eight(ty, ev, ev8, "%a", "r0_")
    else:
        args = _PW_CALL
        vt = f"<8 x {ty}>"
        lines = [
            f"  %r0v = call {vt} {ev8}({args}, i64 %a)",
            "  %nm = srem i64 %n, 8",
            "  %nend = sub i64 %n, %nm",
            "  %lim = add i64 %a, %nend",
            "  %st = add i64 %a, 8",
            "  %has = icmp slt i64 %st, %lim",
            "  br i1 %has, label %lloop, label %lsum",
            "lloop:",
            "  %li = phi i64 [ %st, %leaf ], [ %li8, %lloop ]",
            f"  %rav = phi {vt} [ %r0v, %leaf ], [ %rbv, %lloop ]",
            f"  %lvv = call {vt} {ev8}({args}, i64 %li)",
            f"  %rbv = fadd {vt} %rav, %lvv",
            "  %li8 = add i64 %li, 8",
            "  %lm = icmp slt i64 %li8, %lim",
            "  br i1 %lm, label %lloop, label %lsum",
            "lsum:",
            f"  %rcv = phi {vt} [ %r0v, %leaf ], [ %rbv, %lloop ]",
        ]
        lines += [f"  %rc{j} = extractelement {vt} %rcv, i32 {j}" for j in range(8)]
        return "\n".join(lines + _leaf_tail(ty, ev))
    lines += [
        "  %nm = srem i64 %n, 8",
        "  %nend = sub i64 %n, %nm",
        "  %lim = add i64 %a, %nend",
        "  %st = add i64 %a, 8",
        "  %has = icmp slt i64 %st, %lim",
        "  br i1 %has, label %lloop, label %lsum",
        "lloop:",
        "  %li = phi i64 [ %st, %leaf ], [ %li8, %lloop ]",
    ]
    for j in range(8):
        lines.append(f"  %ra{j} = phi {ty} [ %r0_{j}, %leaf ], [ %rb{j}, %lloop ]")
    lines += _eight(ty, ev, ev8, "%li", "lv")
    for j in range(8):
        lines.append(f"  %rb{j} = fadd {ty} %ra{j}, %lv{j}")
    lines += [
        "  %li8 = add i64 %li, 8",
        "  %lm = icmp slt i64 %li8, %lim",
        "  br i1 %lm, label %lloop, label %lsum",
        "lsum:",
    ]
    for j in range(8):
        lines.append(f"  %rc{j} = phi {ty} [ %r0_{j}, %leaf ], [ %rb{j}, %lloop ]")
    return "\n".join(lines + _leaf_tail(ty, ev))


def _leaf_tail(ty: str, ev: str) -> list[str]:
    """The eight accumulators ``%rc0`` ... ``%rc7`` added pairwise, then the elements left
    after the last full eight one by one (NumPy's order); returns the sum."""
    return [
        f"  %p01 = fadd {ty} %rc0, %rc1",
        f"  %p23 = fadd {ty} %rc2, %rc3",
        f"  %p45 = fadd {ty} %rc4, %rc5",
        f"  %p67 = fadd {ty} %rc6, %rc7",
        f"  %q0 = fadd {ty} %p01, %p23",
        f"  %q1 = fadd {ty} %p45, %p67",
        f"  %res0 = fadd {ty} %q0, %q1",
        "  %end = add i64 %a, %n",
        "  %ht = icmp slt i64 %lim, %end",
        "  br i1 %ht, label %tloop, label %tdone",
        "tloop:",
        "  %ti = phi i64 [ %lim, %lsum ], [ %ti1, %tloop ]",
        f"  %tr = phi {ty} [ %res0, %lsum ], [ %tr1, %tloop ]",
        f"  %tv = call {ty} {ev}({_PW_CALL}, i64 %ti)",
        f"  %tr1 = fadd {ty} %tr, %tv",
        "  %ti1 = add i64 %ti, 1",
        "  %tm = icmp slt i64 %ti1, %end",
        "  br i1 %tm, label %tloop, label %tdone",
        "tdone:",
        f"  %tres = phi {ty} [ %res0, %lsum ], [ %tr1, %tloop ]",
        f"  ret {ty} %tres",
    ]
