"""Philox4x64-10 (NumPy's ``Philox``): IR prelude for the kernels and counter arithmetic.

State block (``Philox._st``, thirteen uint64 words, read and written by the kernels):
``[ctr0, ctr1, ctr2, ctr3, key0, key1, buf0, buf1, buf2, buf3, buffer_pos, has_uint32,
uinteger]`` -- NumPy's ``philox_state`` flattened.  ``next64`` returns the next buffered word
while ``buffer_pos < 4``; otherwise it adds one to the 256-bit counter (carry across all four
words, as NumPy's chain of ``if (v[i] == 0) v[i+1]++``), runs ten Philox rounds over
(counter, key) into the buffer and returns its first word.  ``next32``/``next_double``/
``next_float`` are NumPy's (the buffered 32-bit half, low half first).

Because output block ``j`` depends only on ``counter + j`` and the key, a copy of the state
can be moved to any 4-draw boundary by counter arithmetic alone (:func:`jump_words`): the
parallel fill uses this as PCG64 uses its LCG jump.
"""

from __future__ import annotations

import numpy as np

from lazynp.codegen_cpu.llvm_text import iconst64

M0 = 0xD2E7470EE14C6C93
M1 = 0xCA5A826395121157
W0 = 0x9E3779B97F4A7C15
W1 = 0xBB67AE8584CAA73B
ROUNDS = 10
BUFFER_SIZE = 4
MASK64 = (1 << 64) - 1
MASK256 = (1 << 256) - 1
NWORDS = 13
POS, HAS, UINT = 10, 11, 12


def _gen_block() -> str:
    """IR: counter += 1, then ten rounds of Philox4x64 into the buffer (NumPy's philox_next)."""
    lines = ["define internal void @philox_gen(ptr %bg) nounwind {",
             "  %ctr = load i256, ptr %bg, align 8",
             "  %ctr1 = add i256 %ctr, 1",
             "  store i256 %ctr1, ptr %bg, align 8"]
    for w in range(4):
        lines.append(f"  %sh{w} = lshr i256 %ctr1, {64 * w}")
        lines.append(f"  %c0_{w} = trunc i256 %sh{w} to i64")
    lines += ["  %kp0 = getelementptr inbounds i64, ptr %bg, i64 4",
              "  %kp1 = getelementptr inbounds i64, ptr %bg, i64 5",
              "  %k0_0 = load i64, ptr %kp0, align 8",
              "  %k1_0 = load i64, ptr %kp1, align 8"]
    for r in range(ROUNDS):
        c = f"c{r}_"
        n = f"c{r + 1}_"
        if r > 0:
            lines.append(f"  %k0_{r} = add i64 %k0_{r - 1}, {iconst64(W0)}")
            lines.append(f"  %k1_{r} = add i64 %k1_{r - 1}, {iconst64(W1)}")
        lines += [
            f"  %x{r}a = zext i64 %{c}0 to i128",
            f"  %p{r}a = mul i128 %x{r}a, {M0}",
            f"  %lo{r}a = trunc i128 %p{r}a to i64",
            f"  %h{r}a = lshr i128 %p{r}a, 64",
            f"  %hi{r}a = trunc i128 %h{r}a to i64",
            f"  %x{r}b = zext i64 %{c}2 to i128",
            f"  %p{r}b = mul i128 %x{r}b, {M1}",
            f"  %lo{r}b = trunc i128 %p{r}b to i64",
            f"  %h{r}b = lshr i128 %p{r}b, 64",
            f"  %hi{r}b = trunc i128 %h{r}b to i64",
            f"  %t{r}a = xor i64 %hi{r}b, %{c}1",
            f"  %{n}0 = xor i64 %t{r}a, %k0_{r}",
            f"  %{n}1 = add i64 %lo{r}b, 0",
            f"  %t{r}b = xor i64 %hi{r}a, %{c}3",
            f"  %{n}2 = xor i64 %t{r}b, %k1_{r}",
            f"  %{n}3 = add i64 %lo{r}a, 0",
        ]
    for w in range(4):
        lines.append(f"  %bp{w} = getelementptr inbounds i64, ptr %bg, i64 {6 + w}")
        lines.append(f"  store i64 %c{ROUNDS}_{w}, ptr %bp{w}, align 8")
    lines += ["  ret void", "}"]
    return "\n".join(lines) + "\n"


PRELUDE = f"""%BG = type {{ [{NWORDS} x i64] }}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

define internal void @load_state(ptr %bg, ptr %st) alwaysinline nounwind {{
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %bg, ptr align 8 %st, i64 {8 * NWORDS}, i1 false)
  ret void
}}

define internal void @store_state(ptr %st, ptr %bg) alwaysinline nounwind {{
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %st, ptr align 8 %bg, i64 {8 * NWORDS}, i1 false)
  ret void
}}

{_gen_block()}
define internal i64 @next64(ptr %bg) alwaysinline nounwind {{
entry:
  %pp = getelementptr inbounds i64, ptr %bg, i64 {POS}
  %pos = load i64, ptr %pp, align 8
  %inbuf = icmp ult i64 %pos, {BUFFER_SIZE}
  br i1 %inbuf, label %buffered, label %fresh
buffered:
  %i = add i64 %pos, 6
  %bp = getelementptr inbounds i64, ptr %bg, i64 %i
  %v = load i64, ptr %bp, align 8
  %pn = add i64 %pos, 1
  store i64 %pn, ptr %pp, align 8
  ret i64 %v
fresh:
  call void @philox_gen(ptr %bg)
  store i64 1, ptr %pp, align 8
  %b0 = getelementptr inbounds i64, ptr %bg, i64 6
  %v0 = load i64, ptr %b0, align 8
  ret i64 %v0
}}
"""


def counter(st: np.ndarray) -> int:
    return sum(int(st[i]) << (64 * i) for i in range(4))


def set_counter(st: np.ndarray, value: int) -> None:
    value &= MASK256
    for i in range(4):
        st[i] = (value >> (64 * i)) & MASK64


def lead(st: np.ndarray) -> int:
    """Draws still served from the buffer before the next counter increment."""
    return max(0, BUFFER_SIZE - int(st[POS]))


def jump_words(st: np.ndarray, draws: int) -> np.ndarray:
    """Copy of state ``st`` advanced by ``draws`` 64-bit draws.

    ``draws`` must be at most the buffered lead, or the lead plus a multiple of four (a block
    boundary): then only the counter moves and the copy's buffer is marked empty.
    """
    out = st.copy()
    ld = lead(st)
    if draws <= ld:
        out[POS] = int(st[POS]) + draws
        return out
    m = draws - ld
    if m % BUFFER_SIZE:
        raise ValueError("Philox jump must end on a block boundary")
    set_counter(out, counter(st) + m // BUFFER_SIZE)
    out[POS] = BUFFER_SIZE
    return out


def advance(st: np.ndarray, step: list[int]) -> None:
    """NumPy's philox_advance (its carry rule, word by word), in place on the counter."""
    ctr = [int(st[i]) for i in range(4)]
    carry = 0
    for i in range(4):
        if carry == 1:
            ctr[i] = (ctr[i] + 1) & MASK64
            carry = 1 if ctr[i] == 0 else 0
        v_orig = ctr[i]
        ctr[i] = (ctr[i] + step[i]) & MASK64
        if ctr[i] < v_orig and carry == 0:
            carry = 1
    for i in range(4):
        st[i] = ctr[i]
