"""LLVM IR text of the primitives every random kernel module shares.

The ziggurat draws (normal, exponential; float64 and float32), NumPy's bounded integers and
the other draw functions of ``_COMMON`` (``_common()`` fills in its float constants), the
shuffles (``_SHUFFLE``) and the template of a map kernel (``_map_kernel``).  Assembled into
modules by ``_kernels.render_kernel``.
"""

from __future__ import annotations

import functools

from lazynp.random._ir_bitgen import _f32, _f64

# Ziggurat draws (NumPy random_standard_normal[_f], random_standard_exponential[_f]): one
# template per distribution, rendered for float64 and float32.  The variants differ in how the
# raw draw is split into table index, sign and mantissa (``top``), in NumPy's float32 wedge test
# for the normal (evaluated in double), and in types, tables, libm names and constants.
_ZIG_TYPES = {
    "f64": {"T": "double", "I": "i64", "A": "8", "S": "double", "C": "", "NEXT": "next_double",
            "LOG1P": "log1p", "EXP": "exp", "NAME": ""},
    "f32": {"T": "float", "I": "i32", "A": "4", "S": "float", "C": "_F", "NEXT": "next_float",
            "LOG1P": "log1pf", "EXP": "expf", "NAME": "_f"},
}

_ZIG_NORMAL_TOP = {
    "f64": """\
  %r0 = call i64 @next64(ptr %bg)
  %idx = and i64 %r0, 255
  %r = lshr i64 %r0, 8
  %sign = and i64 %r, 1
  %rs = lshr i64 %r, 1
  %rabs = and i64 %rs, 4503599627370495
""",
    "f32": """\
  %r = call i32 @next32(ptr %bg)
  %idx32 = and i32 %r, 255
  %idx = zext i32 %idx32 to i64
  %s8 = lshr i32 %r, 8
  %sign = and i32 %s8, 1
  %s9 = lshr i32 %r, 9
  %rabs = and i32 %s9, 8388607
""",
}

_ZIG_NORMAL_WEDGE_TEST = {
    "f64": """\
  %lhs = fadd double %t, %fb
  %mx = fmul double 0xBFE0000000000000, %x
  %mxx = fmul double %mx, %x
""",
    "f32": """\
  %lhsf = fadd float %t, %fb
  %lhs = fpext float %lhsf to double
  %xd = fpext float %x to double
  %mx = fmul double 0xBFE0000000000000, %xd
  %mxx = fmul double %mx, %xd
""",
}

_ZIG_NORMAL = """\
; ---- ziggurat normal, {TITLE} ----
define internal {T} @draw_normal{NAME}(ptr %bg) nounwind {{
entry:
  br label %top
top:
{TOP}  %wp = getelementptr inbounds [256 x {T}], ptr @wi_{S}, i64 0, i64 %idx
  %w = load {T}, ptr %wp, align {A}
  %rf = uitofp {I} %rabs to {T}
  %x0 = fmul {T} %rf, %w
  %xn = fneg {T} %x0
  %isneg = icmp ne {I} %sign, 0
  %x = select i1 %isneg, {T} %xn, {T} %x0
  %kp = getelementptr inbounds [256 x {I}], ptr @ki_{S}, i64 0, i64 %idx
  %k = load {I}, ptr %kp, align {A}
  %acc = icmp ult {I} %rabs, %k
  br i1 %acc, label %ret_x, label %slow
ret_x:
  ret {T} %x
slow:
  %is0 = icmp eq i64 %idx, 0
  br i1 %is0, label %tail, label %wedge
tail:
  %d1 = call {T} @{NEXT}(ptr %bg)
  %nd1 = fneg {T} %d1
  %l1 = call {T} @{LOG1P}({T} %nd1)
  %xx = fmul {T} NEG_NOR_INV_R{C}, %l1
  %d2 = call {T} @{NEXT}(ptr %bg)
  %nd2 = fneg {T} %d2
  %l2 = call {T} @{LOG1P}({T} %nd2)
  %yy = fneg {T} %l2
  %yy2 = fadd {T} %yy, %yy
  %xx2 = fmul {T} %xx, %xx
  %ok = fcmp ogt {T} %yy2, %xx2
  br i1 %ok, label %tail_ret, label %tail
tail_ret:
  %b8 = lshr {I} %rabs, 8
  %b = and {I} %b8, 1
  %sum = fadd {T} NOR_R{C}, %xx
  %nsum = fneg {T} %sum
  %tneg = icmp ne {I} %b, 0
  %tv = select i1 %tneg, {T} %nsum, {T} %sum
  ret {T} %tv
wedge:
  %im1 = sub i64 %idx, 1
  %fap = getelementptr inbounds [256 x {T}], ptr @fi_{S}, i64 0, i64 %im1
  %fa = load {T}, ptr %fap, align {A}
  %fbp = getelementptr inbounds [256 x {T}], ptr @fi_{S}, i64 0, i64 %idx
  %fb = load {T}, ptr %fbp, align {A}
  %df = fsub {T} %fa, %fb
  %u = call {T} @{NEXT}(ptr %bg)
  %t = fmul {T} %df, %u
{WEDGE_TEST}  %e = call double @exp(double %mxx)
  %ok2 = fcmp olt double %lhs, %e
  br i1 %ok2, label %ret_x, label %top
}}
"""

_ZIG_EXP_TOP = {
    "f64": """\
  %r0 = call i64 @next64(ptr %bg)
  %ri0 = lshr i64 %r0, 3
  %idx = and i64 %ri0, 255
  %ri = lshr i64 %ri0, 8
""",
    "f32": """\
  %r0 = call i32 @next32(ptr %bg)
  %ri0 = lshr i32 %r0, 1
  %idx32 = and i32 %ri0, 255
  %idx = zext i32 %idx32 to i64
  %ri = lshr i32 %ri0, 8
""",
}

_ZIG_EXP = """\
; ---- ziggurat exponential, {TITLE} ----
define internal {T} @draw_exp{NAME}(ptr %bg) nounwind {{
entry:
  br label %top
top:
{TOP}  %wp = getelementptr inbounds [256 x {T}], ptr @we_{S}, i64 0, i64 %idx
  %w = load {T}, ptr %wp, align {A}
  %rf = uitofp {I} %ri to {T}
  %x = fmul {T} %rf, %w
  %kp = getelementptr inbounds [256 x {I}], ptr @ke_{S}, i64 0, i64 %idx
  %k = load {I}, ptr %kp, align {A}
  %acc = icmp ult {I} %ri, %k
  br i1 %acc, label %ret_x, label %slow
ret_x:
  ret {T} %x
slow:
  %is0 = icmp eq i64 %idx, 0
  br i1 %is0, label %tail, label %wedge
tail:
  %d = call {T} @{NEXT}(ptr %bg)
  %nd = fneg {T} %d
  %l = call {T} @{LOG1P}({T} %nd)
  %tv = fsub {T} EXP_R{C}, %l
  ret {T} %tv
wedge:
  %im1 = sub i64 %idx, 1
  %fap = getelementptr inbounds [256 x {T}], ptr @fe_{S}, i64 0, i64 %im1
  %fa = load {T}, ptr %fap, align {A}
  %fbp = getelementptr inbounds [256 x {T}], ptr @fe_{S}, i64 0, i64 %idx
  %fb = load {T}, ptr %fbp, align {A}
  %df = fsub {T} %fa, %fb
  %u = call {T} @{NEXT}(ptr %bg)
  %t = fmul {T} %df, %u
  %lhs = fadd {T} %t, %fb
  %nx = fneg {T} %x
  %e = call {T} @{EXP}({T} %nx)
  %ok = fcmp olt {T} %lhs, %e
  br i1 %ok, label %ret_x, label %top
}}
"""

_ZIG_TITLES = {("normal", "f64"): "float64 (NumPy random_standard_normal)",
               ("normal", "f32"): "float32 (NumPy random_standard_normal_f)",
               ("exp", "f64"): "float64", ("exp", "f32"): "float32"}


def _ziggurat() -> str:
    parts = []
    for dist, template, tops in (("normal", _ZIG_NORMAL, _ZIG_NORMAL_TOP),
                                 ("exp", _ZIG_EXP, _ZIG_EXP_TOP)):
        for v in ("f64", "f32"):
            parts.append(template.format(TITLE=_ZIG_TITLES[dist, v], TOP=tops[v],
                                         WEDGE_TEST=_ZIG_NORMAL_WEDGE_TEST[v],
                                         **_ZIG_TYPES[v]))
    return "\n".join(parts)


def _lemire(bits: int) -> str:
    """NumPy's Lemire bounded draw in [0, rng] (``buffered_bounded_lemire_uint32`` /
    ``bounded_lemire_uint64``): the product is computed in twice the width."""
    return _LEMIRE.format(b=bits, w=2 * bits)


_LEMIRE = """\
define internal i{b} @lemire{b}(ptr %bg, i{b} %rng) alwaysinline nounwind {{
entry:
  %excl = add i{b} %rng, 1
  %e{w} = zext i{b} %excl to i{w}
  %d = call i{b} @next{b}(ptr %bg)
  %d{w} = zext i{b} %d to i{w}
  %m = mul i{w} %d{w}, %e{w}
  %left = trunc i{w} %m to i{b}
  %c = icmp ult i{b} %left, %excl
  br i1 %c, label %thresh, label %done
thresh:
  %t0 = sub i{b} -1, %rng
  %t = urem i{b} %t0, %excl
  br label %loop
loop:
  %mm = phi i{w} [%m, %thresh], [%m2, %redraw]
  %l = trunc i{w} %mm to i{b}
  %rej = icmp ult i{b} %l, %t
  br i1 %rej, label %redraw, label %done
redraw:
  %d2 = call i{b} @next{b}(ptr %bg)
  %d2{w} = zext i{b} %d2 to i{w}
  %m2 = mul i{w} %d2{w}, %e{w}
  br label %loop
done:
  %mf = phi i{w} [%m, %entry], [%mm, %loop]
  %h = lshr i{w} %mf, {b}
  %r = trunc i{w} %h to i{b}
  ret i{b} %r
}}
"""


_COMMON = r"""
declare i64 @llvm.fshr.i64(i64, i64, i64)
declare double @exp(double)
declare double @log1p(double)
declare float @expf(float)
declare float @log1pf(float)

define internal i64 @draw_raw(ptr %bg) alwaysinline nounwind {
  %x = call i64 @next64(ptr %bg)
  ret i64 %x
}

define internal double @draw_uniform(ptr %bg, double %low, double %rng) alwaysinline nounwind {
  %u = call double @next_double(ptr %bg)
  %t = fmul double %rng, %u
  %r = fadd double %low, %t
  ret double %r
}

define internal double @draw_exp_inv(ptr %bg) alwaysinline nounwind {
  %u = call double @next_double(ptr %bg)
  %n = fneg double %u
  %l = call double @log1p(double %n)
  %r = fneg double %l
  ret double %r
}

define internal float @draw_exp_inv_f(ptr %bg) alwaysinline nounwind {
  %u = call float @next_float(ptr %bg)
  %d = fpext float %u to double
  %n = fneg double %d
  %l = call double @log1p(double %n)
  %r = fneg double %l
  %f = fptrunc double %r to float
  ret float %f
}

""" + _ziggurat() + r"""
define internal double @draw_normal_ls(ptr %bg, double %loc, double %scale) alwaysinline nounwind {
  %z = call double @draw_normal(ptr %bg)
  %t = fmul double %scale, %z
  %r = fadd double %loc, %t
  ret double %r
}

define internal double @draw_exp_s(ptr %bg, double %scale) alwaysinline nounwind {
  %z = call double @draw_exp(ptr %bg)
  %r = fmul double %scale, %z
  ret double %r
}

; ---- bounded integers (NumPy distributions.c, Lemire) ----
""" + _lemire(32) + "\n" + _lemire(64) + "\n" + r"""; value in [0, rng] by NumPy's random_bounded_uint64 rules, plus off (mod 2^64)
define internal i64 @bnd64(ptr %bg, i64 %rng, i64 %off) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i64 %off
nz:
  %small = icmp ule i64 %rng, 4294967295
  br i1 %small, label %s32, label %big
s32:
  %full32 = icmp eq i64 %rng, 4294967295
  br i1 %full32, label %raw32, label %lem32
raw32:
  %v = call i32 @next32(ptr %bg)
  %v64 = zext i32 %v to i64
  %r1 = add i64 %off, %v64
  ret i64 %r1
lem32:
  %rng32 = trunc i64 %rng to i32
  %w = call i32 @lemire32(ptr %bg, i32 %rng32)
  %w64 = zext i32 %w to i64
  %r2 = add i64 %off, %w64
  ret i64 %r2
big:
  %full64 = icmp eq i64 %rng, -1
  br i1 %full64, label %raw64, label %lem64
raw64:
  %x = call i64 @next64(ptr %bg)
  %r3 = add i64 %off, %x
  ret i64 %r3
lem64:
  %y = call i64 @lemire64(ptr %bg, i64 %rng)
  %r4 = add i64 %off, %y
  ret i64 %r4
}

; NumPy random_buffered_bounded_uint32
define internal i32 @bnd32(ptr %bg, i64 %rng64, i64 %off64) alwaysinline nounwind {
entry:
  %rng = trunc i64 %rng64 to i32
  %off = trunc i64 %off64 to i32
  %z = icmp eq i32 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i32 %off
nz:
  %full = icmp eq i32 %rng, -1
  br i1 %full, label %raw, label %lem
raw:
  %v = call i32 @next32(ptr %bg)
  %r1 = add i32 %off, %v
  ret i32 %r1
lem:
  %w = call i32 @lemire32(ptr %bg, i32 %rng)
  %r2 = add i32 %off, %w
  ret i32 %r2
}

; per-call small-type buffers: %bcnt and %buf are i32 slots owned by the kernel call
define internal i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift) alwaysinline nounwind {
entry:
  %c = load i32, ptr %bcnt, align 4
  %z = icmp eq i32 %c, 0
  br i1 %z, label %fresh, label %shifted
fresh:
  %v = call i32 @next32(ptr %bg)
  store i32 %v, ptr %buf, align 4
  store i32 %refill, ptr %bcnt, align 4
  ret i32 %v
shifted:
  %b = load i32, ptr %buf, align 4
  %b2 = lshr i32 %b, %shift
  store i32 %b2, ptr %buf, align 4
  %c2 = sub i32 %c, 1
  store i32 %c2, ptr %bcnt, align 4
  ret i32 %b2
}

; NumPy random_buffered_bounded_uint16 / uint8: Lemire at width W on buffered W-bit values
define internal i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng64, i64 %off64, i32 %mask, i32 %refill, i32 %shift) alwaysinline nounwind {
entry:
  %rng0 = trunc i64 %rng64 to i32
  %rng = and i32 %rng0, %mask
  %off = trunc i64 %off64 to i32
  %z = icmp eq i32 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  ret i32 %off
nz:
  %full = icmp eq i32 %rng, %mask
  br i1 %full, label %raw, label %lem
raw:
  %v0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %v = and i32 %v0, %mask
  %r1 = add i32 %off, %v
  ret i32 %r1
lem:
  %excl = add i32 %rng, 1
  %d0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %d = and i32 %d0, %mask
  %m = mul i32 %d, %excl
  %left = and i32 %m, %mask
  %c = icmp ult i32 %left, %excl
  br i1 %c, label %thresh, label %done
thresh:
  %t0 = sub i32 %mask, %rng
  %t = urem i32 %t0, %excl
  br label %loop
loop:
  %mm = phi i32 [%m, %thresh], [%m2, %redraw]
  %l = and i32 %mm, %mask
  %rej = icmp ult i32 %l, %t
  br i1 %rej, label %redraw, label %done
redraw:
  %e0 = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 %refill, i32 %shift)
  %e = and i32 %e0, %mask
  %m2 = mul i32 %e, %excl
  br label %loop
done:
  %mf = phi i32 [%m, %lem], [%mm, %loop]
  %sh = add i32 %shift, 0
  %h = lshr i32 %mf, %sh
  %r2 = add i32 %off, %h
  ret i32 %r2
}

define internal i16 @bnd16(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
  %r = call i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off, i32 65535, i32 1, i32 16)
  %t = trunc i32 %r to i16
  ret i16 %t
}

define internal i8 @bnd8(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
  %r = call i32 @bnd_small(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off, i32 255, i32 3, i32 8)
  %t = trunc i32 %r to i8
  ret i8 %t
}

; NumPy buffered_bounded_bool
define internal i8 @bndbool(ptr %bg, ptr %bcnt, ptr %buf, i64 %rng, i64 %off) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %rng, 0
  br i1 %z, label %ret_off, label %nz
ret_off:
  %o = trunc i64 %off to i8
  ret i8 %o
nz:
  %v = call i32 @buffered(ptr %bg, ptr %bcnt, ptr %buf, i32 31, i32 1)
  %b = and i32 %v, 1
  %t = trunc i32 %b to i8
  ret i8 %t
}

; NumPy random_interval (masked rejection), used by shuffle/permutation/permuted
define internal i64 @interval(ptr %bg, i64 %max) alwaysinline nounwind {
entry:
  %z = icmp eq i64 %max, 0
  br i1 %z, label %zero, label %nz
zero:
  ret i64 0
nz:
  %a1 = lshr i64 %max, 1
  %m1 = or i64 %max, %a1
  %a2 = lshr i64 %m1, 2
  %m2 = or i64 %m1, %a2
  %a3 = lshr i64 %m2, 4
  %m3 = or i64 %m2, %a3
  %a4 = lshr i64 %m3, 8
  %m4 = or i64 %m3, %a4
  %a5 = lshr i64 %m4, 16
  %m5 = or i64 %m4, %a5
  %a6 = lshr i64 %m5, 32
  %mask = or i64 %m5, %a6
  %small = icmp ule i64 %max, 4294967295
  br i1 %small, label %loop32, label %loop64
loop32:
  %v32 = call i32 @next32(ptr %bg)
  %w32 = zext i32 %v32 to i64
  %x32 = and i64 %w32, %mask
  %bad32 = icmp ugt i64 %x32, %max
  br i1 %bad32, label %loop32, label %done32
done32:
  ret i64 %x32
loop64:
  %v64 = call i64 @next64(ptr %bg)
  %x64 = and i64 %v64, %mask
  %bad64 = icmp ugt i64 %x64, %max
  br i1 %bad64, label %loop64, label %done64
done64:
  ret i64 %x64
}

"""


_SHUFFLE = r"""
; for each of %rows rows of %n int64 values: for i = n-1 .. 1 swap(row[i], row[interval(i)])
define void @lz_shuffle_interval(ptr noalias %st, ptr noalias %data, i64 %n, i64 %rows) nounwind {
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %rows, 0
  %n1 = sub i64 %n, 1
  br i1 %any, label %row, label %done
row:
  %r = phi i64 [0, %entry], [%rnext, %rowend]
  %base0 = mul i64 %r, %n
  %base = getelementptr inbounds i64, ptr %data, i64 %base0
  %has = icmp sgt i64 %n1, 0
  br i1 %has, label %inner, label %rowend
inner:
  %i = phi i64 [%n1, %row], [%inext, %inner]
  %j = call i64 @interval(ptr %bg, i64 %i)
  %pi = getelementptr inbounds i64, ptr %base, i64 %i
  %pj = getelementptr inbounds i64, ptr %base, i64 %j
  %vi = load i64, ptr %pi, align 8
  %vj = load i64, ptr %pj, align 8
  store i64 %vi, ptr %pj, align 8
  store i64 %vj, ptr %pi, align 8
  %inext = sub i64 %i, 1
  %more = icmp sgt i64 %inext, 0
  br i1 %more, label %inner, label %rowend
rowend:
  %rnext = add i64 %r, 1
  %rmore = icmp slt i64 %rnext, %rows
  br i1 %rmore, label %row, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}

; for i = hi down to lo (lo >= 1): swap(data[i], data[bounded(0..i)]) -- NumPy _shuffle_int
define void @lz_shuffle_lemire(ptr noalias %st, ptr noalias %data, i64 %hi, i64 %lo) nounwind {
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sge i64 %hi, %lo
  br i1 %any, label %inner, label %done
inner:
  %i = phi i64 [%hi, %entry], [%inext, %inner]
  %j = call i64 @bnd64(ptr %bg, i64 %i, i64 0)
  %pi = getelementptr inbounds i64, ptr %data, i64 %i
  %pj = getelementptr inbounds i64, ptr %data, i64 %j
  %vi = load i64, ptr %pi, align 8
  %vj = load i64, ptr %pj, align 8
  store i64 %vi, ptr %pj, align 8
  store i64 %vj, ptr %pi, align 8
  %inext = sub i64 %i, 1
  %more = icmp sge i64 %inext, %lo
  br i1 %more, label %inner, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}
"""


def _map_kernel(name: str, out_ty: str, fn: str, params: list[str], small_buf: bool = False,
                out_align: int = 8) -> str:
    """``out[i] = fn(bg, [bcnt, buf,] p0[i*s0], p1[i*s1], ...)`` for i in [0, n)."""
    args = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(params)))
    loads = []
    call_args = ["ptr %bg"]
    if small_buf:
        call_args += ["ptr %bcnt", "ptr %buf"]
    for k, ty in enumerate(params):
        loads.append(f"  %o{k} = mul i64 %i, %s{k}\n"
                     f"  %a{k} = getelementptr inbounds {ty}, ptr %p{k}, i64 %o{k}\n"
                     f"  %v{k} = load {ty}, ptr %a{k}\n")
        call_args.append(f"{ty} %v{k}")
    bufs = ""
    if small_buf:
        bufs = ("  %bcnt = alloca i32, align 4\n  %buf = alloca i32, align 4\n"
                "  store i32 0, ptr %bcnt, align 4\n  store i32 0, ptr %buf, align 4\n")
    return f"""
define void @{name}(ptr noalias %st, ptr noalias %out, i64 %n{args}) nounwind {{
entry:
  %bg = alloca %BG, align 16
{bufs}  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [0, %entry], [%inext, %loop]
{"".join(loads)}  %val = call {out_ty} @{fn}({", ".join(call_args)})
  %po = getelementptr inbounds {out_ty}, ptr %out, i64 %i
  store {out_ty} %val, ptr %po, align {out_align}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %loop, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


@functools.lru_cache(maxsize=None)
def _common() -> str:
    return (_COMMON
            .replace("NEG_NOR_INV_R_F", _f32(-0.27366123732975827203338247596))
            .replace("NOR_R_F", _f32(3.6541528853610087963519472518))
            .replace("EXP_R_F", _f32(7.6971174701310497140446280481))
            .replace("NEG_NOR_INV_R", _f64(-0.27366123732975827203338247596))
            .replace("NOR_R", _f64(3.6541528853610087963519472518))
            .replace("EXP_R", _f64(7.6971174701310497140446280481)))


# bytes of an output element (the store alignment of a map kernel)
_ALIGN = {"i64": 8, "double": 8, "float": 4, "i32": 4, "i16": 2, "i8": 1}
