"""A corpus of elementwise plans for the GPU renderer's tests: each case is a function of the
array module (``np`` or ``lazynp``) and NumPy inputs; :func:`kernels_of` gives the Kernel
plans lazynp makes for it (``eager_threshold=0``: every expression goes through the graph)."""

from __future__ import annotations

import warnings
from typing import Any, Callable, NamedTuple

import numpy as np

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.fusion.plan import Kernel

_RNG = np.random.default_rng(1234)

INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


class Case(NamedTuple):
    name: str
    fn: Callable[..., Any]
    inputs: tuple
    libm: bool = False      # compared within a few ULP, not bit for bit
    fma: bool = False       # may have FMAs: NumPy's own (complex product, absolute), or
    #                         CUDA's library code (fmodf, exact)


def _ints(dt: str, shape: tuple) -> np.ndarray:
    info = np.iinfo(dt)
    return _RNG.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)


def _floats(dt: str, shape: tuple, specials: bool = True, shift: int = 0) -> np.ndarray:
    """Normal values with NaN, infinities, signed zeros and +-1 at positions ``3 i + shift``
    (two inputs with different shifts pair each special with numbers and other specials)."""
    a = (_RNG.standard_normal(shape) * 10).astype(dt)
    if specials:
        flat = a.reshape(-1)
        vals = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0]
        for i, v in enumerate(vals):
            flat[(3 * i + shift) % flat.size] = v
        flat[-1] = np.nan
    return a


def _cases() -> list[Case]:
    f8 = _floats("float64", (5, 7))
    g8 = _floats("float64", (5, 7), shift=1)
    f4 = _floats("float32", (5, 7))
    g4 = _floats("float32", (5, 7), shift=2)
    row = _floats("float64", (7,), specials=False)
    i4 = _ints("int32", (7,))
    z0 = np.tile([0.0, -0.0, 0.0, -0.0, np.nan, 1.0, np.nan], (5, 1))
    z1 = np.tile([-0.0, 0.0, 0.0, -0.0, 2.0, np.nan, np.nan], (5, 1))
    cases = [
        Case("fused_f64", lambda xp, a, b: xp.where(
            xp.maximum(a * 2.5 + b, a[::-1]) > 3, a, 7), (f8, i4)),
        Case("arith_f64", lambda xp, a, b: (a - b) / (a * b + 0.5) - b * b, (f8, g8)),
        Case("arith_f32", lambda xp, a, b: (a - b) / (a * b + np.float32(0.5)), (f4, g4)),
        Case("unary_f64", lambda xp, a: xp.sqrt(xp.abs(a)) + xp.square(-a), (f8,)),
        Case("unary_f32", lambda xp, a: xp.sqrt(xp.abs(a)) + xp.square(-a), (f4,)),
        Case("nan_rules_f64", lambda xp, a, b: xp.maximum(a, b) + 2 * xp.minimum(a, b)
             + 3 * xp.fmax(a, b) - xp.fmin(a, b), (f8, g8)),
        Case("max_f64", lambda xp, a, b: xp.maximum(a, b), (f8, f8[::-1])),
        Case("min_f32", lambda xp, a, b: xp.minimum(a, b), (f4, f4[:, ::-1])),
        Case("fmax_f32", lambda xp, a, b: xp.fmax(a, b), (f4, g4)),
        Case("fmin_f64", lambda xp, a, b: xp.fmin(a, b), (f8, g8)),
        Case("max_zeros", lambda xp, a, b: xp.maximum(a, b), (z0, z1)),
        Case("min_zeros", lambda xp, a, b: xp.minimum(a, b), (z0, z1)),
        Case("fmax_zeros", lambda xp, a, b: xp.fmax(a, b), (z0, z1)),
        Case("fmin_zeros", lambda xp, a, b: xp.fmin(a, b), (z0, z1)),
        Case("bool_inputs", lambda xp, a, b, c: xp.where(a & ~b, c, -c),
             (f8 > 0, g8 < 0, f4)),
        Case("scalar_bcast", lambda xp, a, b: a * b - b, (f4, np.full((1, 1), 3.5, "float32"))),
        Case("row_bcast", lambda xp, a, b: a * b - 1.25, (f8, row)),
        Case("transposed", lambda xp, a, b: a.T + b, (f8, g8.T.copy())),
        Case("sliced", lambda xp, a: a[::2, 1::3] * 3.0, (f8,)),
        Case("outer_3d", lambda xp, a, b: a[:, None, :] - b[None, :, None],
             (f8[:3, :4], row[:5])),
        Case("cmp_f64", lambda xp, a, b: (a < b) | (a == 0.0), (f8, g8)),
        Case("ne_f32", lambda xp, a, b: a != b, (f4, g4)),
        Case("logical", lambda xp, a, b: xp.logical_xor(xp.logical_and(a > 0, b),
                                                        xp.logical_not(a)), (f8, g8)),
        Case("logical_int", lambda xp, a, b: xp.logical_or(a, b), (i4, _ints("int16", (7,)))),
        Case("bool_arith", lambda xp, a, b: xp.add(a > 0, b > 0) * (b < 1), (f8, g8)),
        Case("bitwise", lambda xp, a, b: ~(a & b) ^ (a | b[0]), (i4, _ints("int32", (7,)))),
        Case("invert_bool", lambda xp, a: ~(a > 0), (f8,)),
        Case("minmax_bool", lambda xp, a, b: xp.maximum(a > 0, b > 0) ^ xp.minimum(a > 1, b < 1)
             ^ xp.fmax(a < 0, b > 2), (f8, g8)),
        Case("cast_from_bool", lambda xp, a: (a > 0).astype(np.int8) * 3
             + (a < 0).astype(np.uint64) + (a == 0).astype(np.float32), (f8,)),
        Case("cast_i2f", lambda xp, a: a.astype(np.float32) * np.float32(0.5),
             (_ints("int64", (5, 7)),)),
        Case("cast_f64_f32", lambda xp, a: a.astype(np.float32), (f8,)),
        Case("cast_f32_f64", lambda xp, a, b: a + b, (f4, g8)),
        Case("cast_bool", lambda xp, a: (a > 0).astype(np.float64) + a.astype(bool), (f8,)),
        Case("full_input", lambda xp, a: xp.full((5, 7), 2.5) * a + xp.ones((5, 7)), (f8,)),
        Case("clip_scalar", lambda xp, a: xp.clip(a, -1.5, 2.0), (f8,)),
        Case("clip_array", lambda xp, a, b, c: xp.clip(a, b, c), (f8, g8 - 1, g8 + 1)),
        Case("clip_int", lambda xp, a: xp.clip(a, -100, 100), (_ints("int16", (5, 7)),)),
        Case("exp_f64", lambda xp, a: xp.exp(a * 0.1), (f8,), libm=True),
        Case("log_f64", lambda xp, a: xp.log(xp.abs(a)), (f8,), libm=True),
        Case("sin_cos_f64", lambda xp, a: xp.sin(a) + xp.cos(a), (f8,), libm=True),
        Case("exp_f32", lambda xp, a: xp.exp(a * np.float32(0.1)), (f4,), libm=True),
        Case("log_f32", lambda xp, a: xp.log(xp.abs(a)), (f4,), libm=True),
        Case("sin_f32", lambda xp, a: xp.sin(a), (f4,), libm=True),
        Case("cos_f32", lambda xp, a: xp.cos(a), (f4,), libm=True),
        Case("mixed_cmp_i8_u64", lambda xp, a, b: (a < b) & (a != b),
             (_ints("int64", (5, 7)), _ints("uint64", (5, 7)))),
        Case("mixed_cmp_u64_i8", lambda xp, a, b: (a >= b) | (a == b),
             (_ints("uint64", (5, 7)), _ints("int64", (5, 7)))),
        Case("mixed_cmp_i4_u4", lambda xp, a, b: a <= b,
             (_ints("int32", (5, 7)), _ints("uint32", (5, 7)))),
    ]
    for dt in INTS:
        a, b = _ints(dt, (5, 7)), _ints(dt, (5, 7))
        lo = -100.0 if dt[0] == "i" else 0.0
        for src in ("float32", "float64"):
            vals = np.linspace(lo, lo + 200.75, 35, dtype=src).reshape(5, 7)
            cases.append(Case(f"cast_{src}_{dt}", lambda xp, a, dt=dt: (a * 1.0).astype(dt),
                              (vals,)))
        if dt in ("uint8", "uint16", "uint32"):  # negative floats: C's casts, as NumPy's
            vals = np.linspace(-100.5, 100.25, 35).reshape(5, 7)
            cases.append(Case(f"cast_negative_{dt}", lambda xp, a, dt=dt: (a * 1.0).astype(dt),
                              (vals,)))
        cases += [
            Case(f"arith_{dt}", lambda xp, a, b: (a + b) * a - b, (a, b)),
            Case(f"unary_{dt}", lambda xp, a: xp.square(a) + xp.abs(-a), (a,)),
            Case(f"minmax_{dt}", lambda xp, a, b: xp.maximum(a, b) - xp.minimum(a, b)
                 + xp.fmax(a, b[::-1]), (a, b)),
            Case(f"cmp_{dt}", lambda xp, a, b: xp.where(a > b, a, b[0]), (a, b)),
        ]
    return (cases + _int_op_cases() + _float_op_cases() + _half_cases()
            + _complex_cases())



def _int_op_cases() -> list[Case]:
    """NumPy's integer //, %, shifts, power and sign, edge values included."""
    cases = []
    for dt in INTS:
        info = np.iinfo(dt)
        bits = info.bits
        a = _ints(dt, (5, 7))
        a.reshape(-1)[:4] = [info.min, info.max, 0, 7]
        signed = info.min < 0
        b = _RNG.integers(-5 if signed else 0, 6, size=(5, 7)).astype(dt)
        b.reshape(-1)[:6] = [-1 if signed else 1, -1 if signed else 3, 0, 3, 0, info.max]
        b.reshape(-1)[-1] = -1 if signed else 0
        s = (np.arange(35) % (bits + 6) - (3 if signed else 0)).astype(dt).reshape(5, 7)
        e = (np.arange(35) % 7).astype(dt).reshape(5, 7)
        cases += [
            Case(f"floordiv_{dt}", lambda xp, a, b: a // b, (a, b)),
            Case(f"remainder_{dt}", lambda xp, a, b: a % b, (a, b)),
            Case(f"lshift_{dt}", lambda xp, a, s: xp.left_shift(a, s), (a, s)),
            Case(f"rshift_{dt}", lambda xp, a, s: xp.right_shift(a, s), (a, s)),
            Case(f"sign_{dt}", lambda xp, a: xp.sign(a), (a,)),
            Case(f"pow3_{dt}", lambda xp, a: xp.power(a, 3), (a,)),
        ]
        if not signed:
            cases.append(Case(f"pow_{dt}", lambda xp, a, e: xp.power(a, e), (a, e)))
    return cases


_UNARY_LIBM = {  # ufunc -> input transform (its domain, with some values outside it)
    "tan": None, "log2": "abs", "log10": "abs", "exp2": None, "expm1": None, "log1p": "abs",
    "sinh": None, "cosh": None, "tanh": None, "arcsin": "unit", "arccos": "unit",
    "arctan": None, "arcsinh": None, "arccosh": "ge1", "arctanh": "unit", "cbrt": None,
}


def _domain(xp: Any, a: Any, how: str | None) -> Any:
    if how == "abs":
        return xp.abs(a)
    if how == "unit":
        return a / 12
    if how == "ge1":
        return xp.abs(a) + 1
    return a


def _float_op_cases() -> list[Case]:
    """Float //, %, fmod, copysign, reciprocal, rounding, classification, sign, libm."""
    cases = []
    halves = np.concatenate([np.arange(-13, 14) / 2, [np.nan, -0.0, 0.0, np.inf, -np.inf,
                                                       2.5e9, -0.49999999999999994, 4.5]])
    for dt in ("float32", "float64"):
        a = _floats(dt, (5, 7))
        b = _floats(dt, (5, 7), shift=1)
        b.reshape(-1)[25:29] = [3.0, -3.0, 0.5, -7.25]
        r = halves.astype(dt).reshape(5, 7)
        cases += [
            Case(f"floordiv_{dt}", lambda xp, a, b: a // b, (a, b), fma=True),
            Case(f"remainder_{dt}", lambda xp, a, b: a % b, (a, b), fma=True),
            Case(f"fmod_{dt}", lambda xp, a, b: xp.fmod(a, b), (a, b), fma=True),
            Case(f"copysign_{dt}", lambda xp, a, b: xp.copysign(a, b), (a, b)),
            Case(f"reciprocal_{dt}", lambda xp, a: xp.reciprocal(a), (a,)),
            Case(f"sign_{dt}", lambda xp, a: xp.sign(a), (a,)),
            Case(f"classify_{dt}", lambda xp, a: xp.isnan(a) * 1 + xp.isinf(a) * 2
                 + xp.isfinite(a) * 4 + xp.signbit(a) * 8, (a,)),
            Case(f"nextafter_{dt}", lambda xp, a, b: xp.nextafter(a, b), (a, b)),
        ]
        for name in ("floor", "ceil", "trunc", "rint"):
            cases.append(Case(f"{name}_{dt}", lambda xp, a, name=name: getattr(xp, name)(a),
                              (r,)))
        for name, how in _UNARY_LIBM.items():
            cases.append(Case(f"{name}_{dt}", lambda xp, a, name=name, how=how:
                              getattr(xp, name)(_domain(xp, a, how)), (a,), libm=True))
        cases += [
            Case(f"arctan2_{dt}", lambda xp, a, b: xp.arctan2(a, b), (a, b), libm=True),
            Case(f"hypot_{dt}", lambda xp, a, b: xp.hypot(a, b), (a, b), libm=True),
            Case(f"power_{dt}", lambda xp, a, b: xp.power(xp.abs(a), b / 10), (a, b),
                 libm=True),
        ]
    f4 = _floats("float32", (5, 7))
    cases.append(Case("float_power_f32", lambda xp, a, b: xp.float_power(xp.abs(a), b),
                      (f4, _floats("float32", (5, 7), shift=2) / 10), libm=True))
    return cases


def _halves(shape: tuple, shift: int = 0) -> np.ndarray:
    """float16 values: normal ones, the specials of ``_floats``, subnormals, values near
    the largest half (sums and products overflow to inf)."""
    a = _floats("float16", shape, shift=shift)
    flat = a.reshape(-1)
    for i, v in enumerate([6e-8, -3e-5, 65504.0, -60000.0, 0.5, 2049.0, 1e-4, 300.0]):
        flat[(3 * i + shift + 1) % flat.size] = v
    return a


def _half_casts() -> tuple[np.ndarray, np.ndarray]:
    """float32 and float64 values around every float16 rounding boundary: each finite half,
    the midpoints between neighbours (ties to even) and their float32 / float64 neighbours,
    values that a float32 rounding would move onto a midpoint (float64 -> float16 must round
    once), the overflow threshold, subnormals."""
    h = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    h = h[np.isfinite(h)]
    h = np.unique(h.astype(np.float64))
    mid = (h[:-1] + h[1:]) / 2
    f4 = np.concatenate([h, mid, np.nextafter(mid.astype(np.float32), np.float32(np.inf)),
                         np.nextafter(mid.astype(np.float32), np.float32(-np.inf)),
                         [65520.0, 65519.996, 1e9, -1e9, np.nan, np.inf, -np.inf]])
    tiny = np.abs(mid) * 2.0 ** -40 + 2.0 ** -1074
    f8 = np.concatenate([h, mid, mid + tiny, mid - tiny, [65520.0, 65519.999999, 1e300,
                                                          np.nan, -np.inf, 2.0 ** -26]])
    return f4.astype(np.float32), f8


def _half_cases() -> list[Case]:
    h = _halves((5, 7))
    g = _halves((5, 7), shift=1)
    z0 = np.tile([0.0, -0.0, 0.0, -0.0, np.nan, 1.0, np.nan], (5, 1)).astype(np.float16)
    z1 = np.tile([-0.0, 0.0, 0.0, -0.0, 2.0, np.nan, np.nan], (5, 1)).astype(np.float16)
    f4, f8 = _half_casts()
    big = np.array([2049, 2051, 65519, 65520, 70000, -4097, 1 << 40, -(1 << 62), 3, 0],
                   dtype=np.int64)
    r = (np.arange(35) / 4 - 4).astype(np.float16).reshape(5, 7)
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    h16 = np.float16
    return [
        Case("arith_f16", lambda xp, a, b: (a - b) / (a * b + h16(0.5)) - b * b, (h, g)),
        Case("overflow_f16", lambda xp, a, b: a * b + a, (h, g)),
        Case("unary_f16", lambda xp, a: xp.sqrt(xp.abs(a)) + xp.square(-a)
             - xp.reciprocal(a), (h,)),
        Case("rounding_f16", lambda xp, a: xp.floor(a) + xp.ceil(a * h16(3)) - xp.trunc(a)
             + xp.rint(a * h16(2)), (r,)),
        Case("floordiv_f16", lambda xp, a, b: a // b, (h, g), fma=True),
        Case("remainder_f16", lambda xp, a, b: a % b, (h, g), fma=True),
        Case("fmod_f16", lambda xp, a, b: xp.fmod(a, b), (h, g), fma=True),
        Case("sign_f16", lambda xp, a, b: xp.sign(a) + xp.copysign(b, a), (h, g)),
        Case("classify_f16", lambda xp, a: xp.isnan(a) * 1 + xp.isinf(a) * 2
             + xp.isfinite(a) * 4 + xp.signbit(a) * 8, (h,)),
        Case("cmp_f16", lambda xp, a, b: (a < b) * 1 + (a <= b) * 2 + (a == b) * 4
             + (a != b) * 8 + (a > b) * 16 + (a >= b) * 32, (h, g)),
        Case("logical_f16", lambda xp, a, b: xp.logical_xor(xp.logical_and(a, b),
                                                            xp.logical_not(a)), (h, z0)),
        *[Case(f"{name}_f16", lambda xp, a, b, name=name: getattr(xp, name)(a, b), pair)
          for name in ("maximum", "minimum", "fmax", "fmin") for pair in ((h, g), (z0, z1))],
        Case("clip_scalar_f16", lambda xp, a: xp.clip(a, h16(-1.5), h16(2.0)), (h,)),
        Case("clip_zero_f16", lambda xp, a: xp.clip(a, h16(0.0), h16(1.0)), (z1,)),
        Case("clip_array_f16", lambda xp, a, b, c: xp.clip(a, b, c), (h, g - 1, g + 1)),
        Case("where_f16", lambda xp, a, b: xp.where(a > b, a, b * h16(2)), (h, g)),
        Case("cast_f32_f16", lambda xp, a: a.astype(np.float16), (f4,)),
        Case("cast_f64_f16", lambda xp, a: a.astype(np.float16), (f8,)),
        Case("cast_f16_wide", lambda xp, a: a.astype(np.float32) * np.float32(3)
             + a.astype(np.float64), (h,)),
        Case("cast_i64_f16", lambda xp, a: a.astype(np.float16), (big,)),
        Case("cast_u16_f16", lambda xp, a: a.astype(np.float16),
             (np.arange(0, 65536, 97, dtype=np.uint16)[:600],)),
        Case("cast_f16_i32", lambda xp, a: a.astype(np.int32) + a.astype(np.int8),
             (r * h16(20),)),
        Case("cast_f16_bool", lambda xp, a: a.astype(bool) ^ (a > 0).astype(np.float16)
             .astype(bool), (h,)),
        Case("mixed_f16_f32", lambda xp, a, b: a * b, (h, _floats("float32", (5, 7)))),
        Case("sliced_f16", lambda xp, a: a[::2, 1::3] * h16(3), (h,)),
        Case("reversed_f16", lambda xp, a, b: a[::-1, ::-1] - b, (h, g)),
        Case("bcast_f16", lambda xp, a, b: a + b, (h, g[0])),
        Case("full_f16", lambda xp, a: xp.full((5, 7), 2.5, np.float16) * a, (h,)),
        Case("reversed2_f16", lambda xp, a: xp.sqrt(a[::-1, ::-2]), (h,)),
        Case("transposed_f16", lambda xp, a, b: a.T * b, (h, g.T.copy())),
        *[Case(f"cast_f16_{dt}", lambda xp, a, dt=dt: a.astype(dt),
               (r * h16(20) + h16(80 if dt[0] == "u" else 0),)) for dt in INTS],
        *[Case(f"cast_{dt}_f16", lambda xp, a: a.astype(np.float16), (_ints(dt, (5, 7)),))
          for dt in ("int8", "uint8", "uint64", "int16")],
        Case("cast_bool_f16", lambda xp, a: (a > 0).astype(np.float16) - a, (h,)),
        # every float16 bit pattern: widened exactly, and products / quotients rounded back
        Case("cast_every_f16", lambda xp, a: a.astype(np.float32) - a.astype(np.float64),
             (every,)),
        Case("arith_every_f16", lambda xp, a, b: a * b + a / b, (every, every[::-1].copy())),
    ]


def _complexes(dt: str, shape: tuple, shift: int = 0) -> np.ndarray:
    """Complex values whose parts are ``_floats`` (specials paired with numbers and other
    specials), zeros, ties ``|re| == |im|`` and huge and tiny magnitudes."""
    part = "float32" if dt == "complex64" else "float64"
    z = (_floats(part, shape, shift=shift)
         + 1j * _floats(part, shape, shift=shift + 1)).astype(dt)
    big = 1e30 if dt == "complex64" else 1e300
    flat = z.reshape(-1)
    for i, v in enumerate([0j, 1 + 1j, -2 + 2j, big + 1j, big * (1 + 1j), 1e-30 + 1e-31j]):
        flat[(25 + i + shift) % flat.size] = v
    return z


def _complex_cases() -> list[Case]:
    cases = []
    for dt in ("complex64", "complex128"):
        a = _complexes(dt, (5, 7))
        b = _complexes(dt, (5, 7), shift=2)
        f8 = _floats("float64", (5, 7))
        other = "complex64" if dt == "complex128" else "complex128"
        cases += [
            Case(f"addsub_{dt}", lambda xp, a, b: (a + b) - b * 1j, (a, b), fma=True),
            Case(f"mul_{dt}", lambda xp, a, b: a * b, (a, b), fma=True),
            Case(f"div_{dt}", lambda xp, a, b: a / b, (a, b)),
            Case(f"square_{dt}", lambda xp, a: xp.square(a), (a,), fma=True),
            Case(f"reciprocal_{dt}", lambda xp, a: xp.reciprocal(a), (a,)),
            Case(f"neg_conj_{dt}", lambda xp, a, b: -a - xp.conjugate(b), (a, b)),
            Case(f"abs_{dt}", lambda xp, a: xp.abs(a), (a,), fma=True),
            Case(f"cmp_{dt}", lambda xp, a, b: (a < b) * 1 + (a <= b) * 2 + (a == b) * 4
                 + (a != b) * 8 + (a > b) * 16 + (a >= b) * 32, (a, b)),
            Case(f"cmp_self_{dt}", lambda xp, a: (a[::-1] <= a) * 1 + (a[::-1] > a) * 2
                 + (a == a[::-1]) * 4, (a,)),
            Case(f"classify_{dt}", lambda xp, a: xp.isnan(a) * 1 + xp.isinf(a) * 2
                 + xp.isfinite(a) * 4, (a,)),
            Case(f"logical_{dt}", lambda xp, a, b: xp.logical_and(a, b) * 1
                 + xp.logical_or(a, b) * 2 + xp.logical_xor(a, b) * 4
                 + xp.logical_not(a) * 8, (a, b * 0)),
            *[Case(f"{name}_{dt}", lambda xp, a, b, name=name: getattr(xp, name)(a, b),
                   (a, b)) for name in ("maximum", "minimum", "fmax", "fmin")],
            Case(f"cast_{dt}_{other}", lambda xp, a, other=other: a.astype(other), (a,)),
            Case(f"cast_{dt}_real", lambda xp, a: a.astype(np.float64) + a.astype(np.int32)
                 + a.astype(bool), (a * 0.01,)),
            Case(f"cast_real_{dt}", lambda xp, a, b, c, dt=dt: a.astype(dt) + b.astype(dt)
                 + c.astype(dt), (f8, _ints("int32", (5, 7)), _halves((5, 7)))),
            Case(f"where_{dt}", lambda xp, c, a, b: xp.where(c > 0, a, b), (f8, a, b)),
            Case(f"const_{dt}", lambda xp, a: a * (2 + 3j) - 1j, (a,), fma=True),
            Case(f"reversed_{dt}", lambda xp, a, b: a[::-1] / b + a[:, ::-1], (a, b)),
            Case(f"bcast_{dt}", lambda xp, a, b: a / b, (a, b[2])),
            Case(f"sliced_{dt}", lambda xp, a: a[1::2, ::3] - 1, (a,)),
            Case(f"real_imag_{dt}", lambda xp, a: a.real * 2 - a.imag, (a,)),
            Case(f"reversed_product_{dt}", lambda xp, a: (a[::-1, ::-2] + 1)
                 * (a[::-1, ::-2] - 1j), (a,), fma=True),
            Case(f"cast_{dt}_f16", lambda xp, a: a.astype(np.float16), (a,)),
        ]
    a = _complexes("complex128", (5, 7))
    cases.append(Case("mul_reversed_complex128", lambda xp, a, b: a[::-1, ::-2] * b[:, ::2],
                      (a, _complexes("complex128", (5, 7), shift=3)), fma=True))
    return cases


with np.errstate(all="ignore"):
    CASES = _cases()


def lazy_inputs(case: Case) -> list:
    return [lnp.array(a.copy()) for a in case.inputs]


def kernels_of(case: Case) -> list[Kernel]:
    """The kernels of ``case``'s plan (a one-kernel plan over realized buffers)."""
    with lnp.config(eager_threshold=0), warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        expr = case.fn(lnp, *lazy_inputs(case))
        plan = _engine.plan_of(_array.node_of(expr), cached=False)
    return plan.kernels


def expected(case: Case) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        return np.asarray(case.fn(np, *case.inputs))
