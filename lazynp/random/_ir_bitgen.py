"""LLVM IR text of the bit generators: their state layouts and raw draws.

For each kind with a six-word state block (PCG64, PCG64DXSM, SFC64): ``_BG64`` (the ``%BG``
type, state load/store, buffered ``next32``, ``next_double``/``next_float``) and
``_NEXT64[kind]`` (``next64``); ``derived_draws`` builds the buffered draws for other layouts
(Philox).  Also the constants the bit generators share with Python (``PCG_MULT``, ``MASK64``),
the LLVM literal helpers and the ziggurat tables as LLVM constants.  Assembled into modules by
``_kernels.render_kernel``.
"""

from __future__ import annotations

import functools

from lazynp.codegen_cpu.llvm_text import const_array, f64_bits, fconst, iconst64
from lazynp.random import _ziggurat as Z

PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
DXSM_MULT = 0xDA942042E4DD58B5
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1


def _f64(v: float) -> str:
    return fconst(v, "double")


def _f32(v: float) -> str:
    return fconst(v, "float")


def _table(name: str, ty: str, values, fmt) -> str:
    assert len(values) == 256
    return const_array(name, ty, [fmt(v) for v in values]) + "\n"


def _hex_bits(values, dtype: str) -> list[str]:
    """``_f64`` (dtype ``"float64"``) or ``_f32`` (``"float32"``) of hexadecimal-float strings,
    converted as one array (the per-value calls cost milliseconds on the first kernel)."""
    import numpy as np

    floats = np.array([float.fromhex(v) for v in values], dtype=np.float64)
    return f64_bits(floats.astype(dtype).astype(np.float64))


@functools.lru_cache(maxsize=None)
def _tables() -> str:
    out = []
    for name in ("wi_double", "fi_double", "we_double", "fe_double"):
        out.append(_table(name, "double", _hex_bits(getattr(Z, name), "float64"), str))
    for name in ("wi_float", "fi_float", "we_float", "fe_float"):
        out.append(_table(name, "float", _hex_bits(getattr(Z, name), "float32"), str))
    out.append(_table("ki_double", "i64", Z.ki_double, iconst64))
    out.append(_table("ke_double", "i64", Z.ke_double, iconst64))
    out.append(_table("ki_float", "i32", Z.ki_float, str))
    out.append(_table("ke_float", "i32", Z.ke_float, str))
    return "".join(out)


_NEXT64 = {
    "pcg64": f"""
define internal i64 @next64(ptr %bg) alwaysinline nounwind {{
  %s = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %m = mul i128 %s, {PCG_MULT}
  %ns = add i128 %m, %inc
  store i128 %ns, ptr %bg, align 16
  %h = lshr i128 %ns, 64
  %hi = trunc i128 %h to i64
  %lo = trunc i128 %ns to i64
  %x = xor i64 %hi, %lo
  %rot = lshr i64 %hi, 58
  %r = call i64 @llvm.fshr.i64(i64 %x, i64 %x, i64 %rot)
  ret i64 %r
}}
""",
    "pcg64dxsm": f"""
define internal i64 @next64(ptr %bg) alwaysinline nounwind {{
  %s = load i128, ptr %bg, align 16
  %ip = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %ip, align 16
  %h = lshr i128 %s, 64
  %hi = trunc i128 %h to i64
  %lo0 = trunc i128 %s to i64
  %lo = or i64 %lo0, 1
  %t1 = lshr i64 %hi, 32
  %h1 = xor i64 %hi, %t1
  %h2 = mul i64 %h1, {iconst64(DXSM_MULT)}
  %t2 = lshr i64 %h2, 48
  %h3 = xor i64 %h2, %t2
  %h4 = mul i64 %h3, %lo
  %m = mul i128 %s, {DXSM_MULT}
  %ns = add i128 %m, %inc
  store i128 %ns, ptr %bg, align 16
  ret i64 %h4
}}
""",
}

# SFC64 keeps [s0, s1, s2, s3, has_uint32, uinteger] as six uint64 words: the same memory
# layout as %BG of the PCG generators, so _BG64 (state copy, buffered next32, doubles) is shared.
_NEXT64["sfc64"] = """
declare i64 @llvm.fshl.i64(i64, i64, i64)
define internal i64 @next64(ptr %bg) alwaysinline nounwind {
  %p1 = getelementptr inbounds i64, ptr %bg, i64 1
  %p2 = getelementptr inbounds i64, ptr %bg, i64 2
  %p3 = getelementptr inbounds i64, ptr %bg, i64 3
  %s0 = load i64, ptr %bg, align 8
  %s1 = load i64, ptr %p1, align 8
  %s2 = load i64, ptr %p2, align 8
  %s3 = load i64, ptr %p3, align 8
  %a = add i64 %s0, %s1
  %tmp = add i64 %a, %s3
  %s3n = add i64 %s3, 1
  store i64 %s3n, ptr %p3, align 8
  %t1 = lshr i64 %s1, 11
  %n0 = xor i64 %s1, %t1
  store i64 %n0, ptr %bg, align 8
  %t2 = shl i64 %s2, 3
  %n1 = add i64 %s2, %t2
  store i64 %n1, ptr %p1, align 8
  %r = call i64 @llvm.fshl.i64(i64 %s2, i64 %s2, i64 24)
  %n2 = add i64 %r, %tmp
  store i64 %n2, ptr %p2, align 8
  ret i64 %tmp
}
"""

def derived_draws(has_gep: str, uint_gep: str) -> str:
    """IR of next32 (NumPy's buffered 32-bit half), next_double and next_float on top of a
    generator's next64; ``has_gep``/``uint_gep`` address has_uint32 and uinteger in %BG."""
    return _DERIVED_DRAWS.format(HAS_GEP=has_gep, UINT_GEP=uint_gep)


_DERIVED_DRAWS = """define internal i32 @next32(ptr %bg) alwaysinline nounwind {{
entry:
  %hp = getelementptr inbounds {HAS_GEP}
  %up = getelementptr inbounds {UINT_GEP}
  %has = load i64, ptr %hp, align 8
  %c = icmp ne i64 %has, 0
  br i1 %c, label %buffered, label %fresh
buffered:
  store i64 0, ptr %hp, align 8
  %u = load i64, ptr %up, align 8
  %r1 = trunc i64 %u to i32
  ret i32 %r1
fresh:
  %x = call i64 @next64(ptr %bg)
  store i64 1, ptr %hp, align 8
  %hi = lshr i64 %x, 32
  store i64 %hi, ptr %up, align 8
  %r2 = trunc i64 %x to i32
  ret i32 %r2
}}

define internal double @next_double(ptr %bg) alwaysinline nounwind {{
  %x = call i64 @next64(ptr %bg)
  %s = lshr i64 %x, 11
  %f = uitofp i64 %s to double
  %r = fmul double %f, 0x3CA0000000000000
  ret double %r
}}

define internal float @next_float(ptr %bg) alwaysinline nounwind {{
  %x = call i32 @next32(ptr %bg)
  %s = lshr i32 %x, 8
  %f = uitofp i32 %s to float
  %r = fmul float %f, 0x3E70000000000000
  ret float %r
}}

"""


_BG64 = r"""%BG = type { i128, i128, i64, i64 }


define internal void @load_state(ptr %bg, ptr %st) alwaysinline nounwind {
  %s = load i128, ptr %st, align 8
  store i128 %s, ptr %bg, align 16
  %p1 = getelementptr inbounds i64, ptr %st, i64 2
  %inc = load i128, ptr %p1, align 8
  %q1 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  store i128 %inc, ptr %q1, align 16
  %p2 = getelementptr inbounds i64, ptr %st, i64 4
  %has = load i64, ptr %p2, align 8
  %q2 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  store i64 %has, ptr %q2, align 8
  %p3 = getelementptr inbounds i64, ptr %st, i64 5
  %u = load i64, ptr %p3, align 8
  %q3 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3
  store i64 %u, ptr %q3, align 8
  ret void
}

define internal void @store_state(ptr %st, ptr %bg) alwaysinline nounwind {
  %s = load i128, ptr %bg, align 16
  store i128 %s, ptr %st, align 8
  %q1 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 1
  %inc = load i128, ptr %q1, align 16
  %p1 = getelementptr inbounds i64, ptr %st, i64 2
  store i128 %inc, ptr %p1, align 8
  %q2 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 2
  %has = load i64, ptr %q2, align 8
  %p2 = getelementptr inbounds i64, ptr %st, i64 4
  store i64 %has, ptr %p2, align 8
  %q3 = getelementptr inbounds %BG, ptr %bg, i32 0, i32 3
  %u = load i64, ptr %q3, align 8
  %p3 = getelementptr inbounds i64, ptr %st, i64 5
  store i64 %u, ptr %p3, align 8
  ret void
}

""" + derived_draws("%BG, ptr %bg, i32 0, i32 2", "%BG, ptr %bg, i32 0, i32 3") + r"""
"""


# NumPy's bitgen_t functions on the state block, for the ``ctypes`` interface of bit generators
# whose state is lazynp's (SFC64, Philox): each loads the block, draws once, stores it back.
_INTERFACE = "".join(f"""
define {ty} @lz_next_{name}(ptr %st) nounwind {{
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %v = call {ty} @{draw}(ptr %bg)
  call void @store_state(ptr %st, ptr %bg)
  ret {ty} %v
}}
""" for name, ty, draw in (("uint64", "i64", "next64"), ("uint32", "i32", "next32"),
                           ("double", "double", "next_double")))
