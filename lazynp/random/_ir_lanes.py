"""LLVM IR text of the fast fill kernels: interleaved-lane PCG fills and MT19937 chunked fills.

Same draws, same order and same final state as the serial map kernels they replace
(``_kernels.render_kernel`` picks them for the kernels they cover).
"""

from __future__ import annotations

from lazynp.codegen_cpu.llvm_text import iconst64
from lazynp.random._ir_bitgen import (
    DXSM_MULT,
    MASK128,
    PCG_MULT,
)
from lazynp.random._ir_common import (
    _ALIGN,
)

# ---- interleaved-lane fills (PCG64 / PCG64DXSM) --------------------------------------------
#
# An LCG step is one serial 128-bit multiply-add, so a plain loop is bound by its latency.
# The lane kernels keep LANES consecutive states u_1..u_L and advance each by L steps at once
# (u <- A*u + C with A = M^L, C = inc*(1 + M + ... + M^(L-1))): L independent chains that the
# CPU overlaps.  Outputs are written in stream order, the state ends where the serial loop
# would leave it, so results are identical.  Used for the fixed-consumption kernels
# (``random``, ``raw``, scalar ``uniform``, full-range ``integers``); the buffered 32-bit half
# is honoured by running the first element (when a half is buffered) and the last few
# elements through the ordinary serial code (and the whole request, if that first element
# rejected a draw and left a half buffered again).

LANES = 4

# out_fn(t): output of the generator whose "output state" is t (PCG64: the state after the
# step; PCG64DXSM: the state before it).
_OUT_FN = {
    "pcg64": """
define internal i64 @lane_out(i128 %t) alwaysinline nounwind {
  %h = lshr i128 %t, 64
  %hi = trunc i128 %h to i64
  %lo = trunc i128 %t to i64
  %x = xor i64 %hi, %lo
  %rot = lshr i64 %hi, 58
  %r = call i64 @llvm.fshr.i64(i64 %x, i64 %x, i64 %rot)
  ret i64 %r
}
""",
    "pcg64dxsm": f"""
define internal i64 @lane_out(i128 %t) alwaysinline nounwind {{
  %h = lshr i128 %t, 64
  %hi = trunc i128 %h to i64
  %lo0 = trunc i128 %t to i64
  %lo = or i64 %lo0, 1
  %t1 = lshr i64 %hi, 32
  %h1 = xor i64 %hi, %t1
  %h2 = mul i64 %h1, {iconst64(DXSM_MULT)}
  %t2 = lshr i64 %h2, 48
  %h3 = xor i64 %h2, %t2
  %h4 = mul i64 %h3, %lo
  ret i64 %h4
}}
""",
}
_LANE_MULT = {"pcg64": PCG_MULT, "pcg64dxsm": DXSM_MULT}


def _lane_consts(mult: int, lanes: int) -> tuple[int, int]:
    a, c = 1, 0
    for _ in range(lanes):
        c = (c + a) & MASK128
        a = (a * mult) & MASK128
    return a, c


# kernel -> list of modes (condition on the scalar parameters, values per 64-bit draw, IR that
# stores the element(s) of draw %x at element index %j[, setup IR run once])
# The condition is IR computing i1 %ok from the scalar parameter values %q0, %q1.  A store body
# that defines i1 %bad is a rejection sampler: when any lane of a block would reject, the block
# is abandoned (state rewound to the block's start) and the rest runs through the serial code.
_LEMIRE32_SETUP = """  %rng32 = trunc i64 %q0 to i32
  %excl = add i32 %rng32, 1
  %excl64 = zext i32 %excl to i64
  %tt0 = sub i32 -1, %rng32
  %thr = urem i32 %tt0, %excl
"""
_LEMIRE32_BODY = """
  %d0 = and i64 %x, 4294967295
  %d1 = lshr i64 %x, 32
  %m0 = mul i64 %d0, %excl64
  %m1 = mul i64 %d1, %excl64
  %l0 = trunc i64 %m0 to i32
  %l1 = trunc i64 %m1 to i32
  %b0 = icmp ult i32 %l0, %thr
  %b1 = icmp ult i32 %l1, %thr
  %bad = or i1 %b0, %b1
  %h0 = lshr i64 %m0, 32
  %h1 = lshr i64 %m1, 32
"""
_LANE_SPECS: dict[str, list[tuple]] = {
    "raw": [("", 1, """
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %x, ptr %po, align 8
""")],
    "random_f64": [("", 1, """
  %sh = lshr i64 %x, 11
  %f = uitofp i64 %sh to double
  %d = fmul double %f, 0x3CA0000000000000
  %po = getelementptr inbounds double, ptr %out, i64 %j
  store double %d, ptr %po, align 8
""")],
    "uniform": [("", 1, """
  %sh = lshr i64 %x, 11
  %f = uitofp i64 %sh to double
  %d = fmul double %f, 0x3CA0000000000000
  %t = fmul double %q1, %d
  %r = fadd double %q0, %t
  %po = getelementptr inbounds double, ptr %out, i64 %j
  store double %r, ptr %po, align 8
""")],
    "random_f32": [("", 2, """
  %lo = trunc i64 %x to i32
  %hs = lshr i64 %x, 32
  %hi = trunc i64 %hs to i32
  %ls = lshr i32 %lo, 8
  %lf = uitofp i32 %ls to float
  %ld = fmul float %lf, 0x3E70000000000000
  %hs8 = lshr i32 %hi, 8
  %hf = uitofp i32 %hs8 to float
  %hd = fmul float %hf, 0x3E70000000000000
  %po = getelementptr inbounds float, ptr %out, i64 %j
  store float %ld, ptr %po, align 4
  %po1 = getelementptr inbounds float, ptr %po, i64 1
  store float %hd, ptr %po1, align 4
""")],
    "int64": [("  %ok = icmp eq i64 %q0, -1\n", 1, """
  %r = add i64 %q1, %x
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %r, ptr %po, align 8
"""), ("  %ok = icmp eq i64 %q0, 4294967295\n", 2, """
  %lo = and i64 %x, 4294967295
  %hi = lshr i64 %x, 32
  %rl = add i64 %q1, %lo
  %rh = add i64 %q1, %hi
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %rl, ptr %po, align 8
  %po1 = getelementptr inbounds i64, ptr %po, i64 1
  store i64 %rh, ptr %po1, align 8
"""), ("  %nz = icmp ne i64 %q0, 0\n  %sm = icmp ult i64 %q0, 4294967295\n"
       "  %ok = and i1 %nz, %sm\n", 2, _LEMIRE32_BODY + """  %r0 = add i64 %q1, %h0
  %r1 = add i64 %q1, %h1
  %po = getelementptr inbounds i64, ptr %out, i64 %j
  store i64 %r0, ptr %po, align 8
  %po1 = getelementptr inbounds i64, ptr %po, i64 1
  store i64 %r1, ptr %po1, align 8
""", _LEMIRE32_SETUP)],
    "int32": [("  %r32 = trunc i64 %q0 to i32\n  %ok = icmp eq i32 %r32, -1\n", 2, """
  %o32 = trunc i64 %q1 to i32
  %lo = trunc i64 %x to i32
  %hs = lshr i64 %x, 32
  %hi = trunc i64 %hs to i32
  %rl = add i32 %o32, %lo
  %rh = add i32 %o32, %hi
  %po = getelementptr inbounds i32, ptr %out, i64 %j
  store i32 %rl, ptr %po, align 4
  %po1 = getelementptr inbounds i32, ptr %po, i64 1
  store i32 %rh, ptr %po1, align 4
"""), ("  %r32 = trunc i64 %q0 to i32\n  %ok = icmp ne i32 %r32, 0\n", 2,
       _LEMIRE32_BODY + """  %o32 = trunc i64 %q1 to i32
  %t0 = trunc i64 %h0 to i32
  %t1 = trunc i64 %h1 to i32
  %r0 = add i32 %o32, %t0
  %r1 = add i32 %o32, %t1
  %po = getelementptr inbounds i32, ptr %out, i64 %j
  store i32 %r0, ptr %po, align 4
  %po1 = getelementptr inbounds i32, ptr %po, i64 1
  store i32 %r1, ptr %po1, align 4
""", _LEMIRE32_SETUP)],
}


def _rename(body: str, suffix: str) -> str:
    """Give every local value defined in ``body`` a suffix (one copy per lane)."""
    import re

    names = set(re.findall(r"^\s*(%[A-Za-z_][\w.]*) =", body, flags=re.M))
    for nm in sorted(names, key=len, reverse=True):
        body = re.sub(re.escape(nm) + r"\b", nm + suffix, body)
    return body


def _lane_fill(kind: str, name: str, ty: str, fn: str, params: list[str]) -> str:
    """The exported kernel ``lz_<name>`` with lane fast paths (see the comment above)."""
    mult = _LANE_MULT[kind]
    amul, csum = _lane_consts(mult, LANES)
    np_ = len(params)
    pargs = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(np_))
    pcall = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(np_))
    qargs = "".join(f", {t} %q{k}" for k, t in enumerate(params))
    out = []
    # serial loop over [lo, hi)
    loads = "".join(f"  %o{k} = mul i64 %i, %s{k}\n"
                    f"  %a{k} = getelementptr inbounds {t}, ptr %p{k}, i64 %o{k}\n"
                    f"  %v{k} = load {t}, ptr %a{k}\n" for k, t in enumerate(params))
    cargs = "".join(f", {t} %v{k}" for k, t in enumerate(params))
    out.append(f"""
define internal void @ser_{name}(ptr %bg, ptr %out, i64 %lo, i64 %hi{pargs}) nounwind {{
entry:
  %any = icmp slt i64 %lo, %hi
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [%lo, %entry], [%inext, %loop]
{loads}  %val = call {ty} @{fn}(ptr %bg{cargs})
  %po = getelementptr inbounds {ty}, ptr %out, i64 %i
  store {ty} %val, ptr %po, align {_ALIGN[ty]}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %hi
  br i1 %more, label %loop, label %done
done:
  ret void
}}
""")
    modes = _LANE_SPECS[name]
    for m, mode in enumerate(modes):
        per, store = mode[1], mode[2]
        setup = mode[3] if len(mode) > 3 else ""
        rejects = "%bad =" in store
        lanes_body = []
        for k in range(1, LANES + 1):
            lanes_body.append(f"  %x{k} = call i64 @lane_out(i128 %t{k})\n"
                              f"  %jo{k} = add i64 %base, {(k - 1) * per}\n")
            lanes_body.append(_rename(store.replace("%x", f"%x{k}").replace("%j", f"%jo{k}"),
                                      f"_{k}"))
        check = ""
        if rejects:
            acc = "%bad_1"
            for k in range(2, LANES + 1):
                lanes_body.append(f"  %anyb{k} = or i1 {acc}, %bad_{k}\n")
                acc = f"%anyb{k}"
            check = f"  br i1 {acc}, label %bail, label %latch\nlatch:\n"
        lanes_body.append(check)
        for k in range(1, LANES + 1):
            lanes_body.append(f"  %m{k} = mul i128 %t{k}, {amul}\n"
                              f"  %t{k}n = add i128 %m{k}, %C\n")
        init = []
        if kind == "pcg64":
            init.append(f"  %ma = mul i128 %ls0, {mult}\n  %u1 = add i128 %ma, %inc\n")
        else:
            init.append("  %u1 = add i128 %ls0, 0\n")
        for k in range(2, LANES + 1):
            init.append(f"  %mb{k} = mul i128 %u{k - 1}, {mult}\n"
                        f"  %u{k} = add i128 %mb{k}, %inc\n")
        latch = "%latch" if rejects else "%lanes"
        phis = "".join(f"  %t{k} = phi i128 [%u{k}, %init], [%t{k}n, {latch}]\n"
                       for k in range(1, LANES + 1))
        bail = ""
        if rejects:
            # state before the abandoned block: PCG64's last output state of the previous
            # block (the entry state for the first), PCG64DXSM's first output state
            if kind == "pcg64":
                phis += f"  %prev = phi i128 [%ls0, %init], [%t{LANES}, {latch}]\n"
                before = "%prev"
            else:
                before = "%t1"
            bail = (f"bail:\n  store i128 {before}, ptr %bg, align 16\n"
                    "  br label %tail\n")
        final = f"%t{LANES}" if kind == "pcg64" else "%t1n"
        keep_hi = ""
        if per == 2:
            # NumPy leaves the consumed upper half in ``uinteger`` (has_uint32 = 0)
            keep_hi = (f"  %uhi = lshr i64 %x{LANES}, 32\n"
                       "  %up = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3\n"
                       "  store i64 %uhi, ptr %up, align 8\n")
        prefix = ""
        if per == 2:
            prefix = f"""  %hp = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  %has = load i64, ptr %hp, align 8
  %hb = icmp ne i64 %has, 0
  %npos = icmp sgt i64 %n, 0
  %dopre = and i1 %hb, %npos
  %pre = zext i1 %dopre to i64
  call void @ser_{name}(ptr %bg, ptr %out, i64 0, i64 %pre{pcall})
  %has2 = load i64, ptr %hp, align 8
  %clean = icmp eq i64 %has2, 0
"""
        else:
            prefix = "  %pre = add i64 0, 0\n  %clean = add i1 1, 0\n"
        out.append(f"""
define internal void @lanes_{name}_{m}(ptr %bg, ptr %out, i64 %n{pargs}{qargs}) nounwind {{
entry:
{setup}{prefix}  %rem = sub i64 %n, %pre
  %draws = udiv i64 %rem, {per}
  %blocks = udiv i64 %draws, {LANES}
  %big0 = icmp uge i64 %blocks, 2
  %big = and i1 %big0, %clean
  br i1 %big, label %init, label %tail
init:
  %ls0 = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %C = mul i128 %inc, {csum}
{"".join(init)}  br label %lanes
lanes:
  %b = phi i64 [0, %init], [%bn, {latch}]
{phis}  %b0 = mul i64 %b, {LANES * per}
  %base = add i64 %b0, %pre
{"".join(lanes_body)}  %bn = add i64 %b, 1
  %more = icmp ult i64 %bn, %blocks
  br i1 %more, label %lanes, label %lanes_done
{bail}lanes_done:
  store i128 {final}, ptr %bg, align 16
{keep_hi}  %dn0 = mul i64 %blocks, {LANES * per}
  %dn = add i64 %dn0, %pre
  br label %tail
tail:
  %start = phi i64 [%pre, %entry], [%dn, %lanes_done]{", [%base, %bail]" if rejects else ""}
  call void @ser_{name}(ptr %bg, ptr %out, i64 %start, i64 %n{pcall})
  ret void
}}
""")
    # dispatcher: lane paths need scalar (stride 0) parameters and the mode's condition
    disp = ["entry:\n  %bg = alloca %BG, align 16\n  call void @load_state(ptr %bg, ptr %st)\n"]
    scal = "  %sc = add i1 1, 0\n"
    for k in range(np_):
        scal += (f"  %z{k} = icmp eq i64 %s{k}, 0\n  %sc{k} = and i1 %sc"
                 f"{'' if k == 0 else k - 1}, %z{k}\n")
    disp.append(scal)
    last = f"%sc{np_ - 1}" if np_ else "%sc"
    disp.append(f"  br i1 {last}, label %scalar, label %serial\n")
    disp.append("scalar:\n" + "".join(
        f"  %q{k} = load {t}, ptr %p{k}\n" for k, t in enumerate(params)))
    disp.append("  br label %mode0\n")
    for m, mode in enumerate(modes):
        cond = mode[0]
        nxt = f"%mode{m + 1}" if m + 1 < len(modes) else "%serial"
        c = _rename(cond, f"_{m}") if cond else f"  %ok_{m} = add i1 1, 0\n"
        disp.append(f"mode{m}:\n{c}  br i1 %ok_{m}, label %run{m}, label {nxt}\n")
        disp.append(f"run{m}:\n  call void @lanes_{name}_{m}(ptr %bg, ptr %out, i64 %n{pcall}"
                    + "".join(f", {t} %q{k}" for k, t in enumerate(params))
                    + ")\n  br label %done\n")
    disp.append(f"serial:\n  call void @ser_{name}(ptr %bg, ptr %out, i64 0, i64 %n{pcall})\n"
                "  br label %done\n")
    disp.append("done:\n  call void @store_state(ptr %st, ptr %bg)\n  ret void\n")
    out.append(f"\ndefine void @lz_{name}(ptr noalias %st, ptr noalias %out, i64 %n{pargs}) "
               f"nounwind {{\n{''.join(disp)}}}\n")
    return _OUT_FN[kind] + "".join(out)


# ---- MT19937 chunked fills -------------------------------------------------------------------
# NumPy's mt19937_next_double draws two words per double; the chunked kernels produce the words
# of up to MT_CHUNK doubles at once with ``mt_fill32`` (tempering over runs of the key array)
# and combine them in a second, vectorisable loop.  Same words, same order, same state.

MT_CHUNK = 1024

_MT_CONV = {
    "random_f64": ([], "  %r = fadd double %d, 0.0\n"),
    "uniform": (["double", "double"], "  %t = fmul double %v1, %d\n  %r = fadd double %v0, %t\n"),
}


def _mt_chunked(name: str) -> str:
    params, conv = _MT_CONV[name]
    pargs = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(params)))
    loads = "".join(f"  %o{k} = mul i64 %g, %s{k}\n"
                    f"  %a{k} = getelementptr inbounds {t}, ptr %p{k}, i64 %o{k}\n"
                    f"  %v{k} = load {t}, ptr %a{k}\n" for k, t in enumerate(params))
    return f"""
define void @lz_{name}(ptr noalias %st, ptr noalias %out, i64 %n{pargs}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  %buf = alloca [{2 * MT_CHUNK} x i32], align 64
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %chunk, label %done
chunk:
  %i = phi i64 [0, %entry], [%inext, %chunk_end]
  %left = sub i64 %n, %i
  %small = icmp slt i64 %left, {MT_CHUNK}
  %c = select i1 %small, i64 %left, i64 {MT_CHUNK}
  %w = shl i64 %c, 1
  call void @mt_fill32(ptr %bg, ptr %buf, i64 %w)
  br label %loop
loop:
  %j = phi i64 [0, %chunk], [%jnext, %loop]
  %j2 = shl i64 %j, 1
  %pa = getelementptr inbounds i32, ptr %buf, i64 %j2
  %ua = load i32, ptr %pa, align 4
  %j21 = or i64 %j2, 1
  %pb = getelementptr inbounds i32, ptr %buf, i64 %j21
  %ub = load i32, ptr %pb, align 4
  %sa = lshr i32 %ua, 5
  %sb = lshr i32 %ub, 6
  %fa = sitofp i32 %sa to double
  %fb = sitofp i32 %sb to double
  %ma = fmul double %fa, 67108864.0
  %sum = fadd double %ma, %fb
  %d = fdiv double %sum, 9007199254740992.0
  %g = add i64 %i, %j
{loads}{conv}  %po = getelementptr inbounds double, ptr %out, i64 %g
  store double %r, ptr %po, align 8
  %jnext = add i64 %j, 1
  %jmore = icmp slt i64 %jnext, %c
  br i1 %jmore, label %loop, label %chunk_end
chunk_end:
  %inext = add i64 %i, %c
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %chunk, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""
