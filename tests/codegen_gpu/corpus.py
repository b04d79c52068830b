"""A corpus of elementwise plans for the GPU renderer's tests: each case is a function of the
array module (``np`` or ``lazynp``) and NumPy inputs; :func:`kernels_of` gives the Kernel
plans lazynp makes for it (``eager_threshold=0``: every expression goes through the graph)."""

from __future__ import annotations

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
        cases += [
            Case(f"arith_{dt}", lambda xp, a, b: (a + b) * a - b, (a, b)),
            Case(f"unary_{dt}", lambda xp, a: xp.square(a) + xp.abs(-a), (a,)),
            Case(f"minmax_{dt}", lambda xp, a, b: xp.maximum(a, b) - xp.minimum(a, b)
                 + xp.fmax(a, b[::-1]), (a, b)),
            Case(f"cmp_{dt}", lambda xp, a, b: xp.where(a > b, a, b[0]), (a, b)),
        ]
    return cases


CASES = _cases()


def lazy_inputs(case: Case) -> list:
    return [lnp.array(a.copy()) for a in case.inputs]


def kernels_of(case: Case) -> list[Kernel]:
    """The kernels of ``case``'s plan (a one-kernel plan over realized buffers)."""
    with lnp.config(eager_threshold=0):
        expr = case.fn(lnp, *lazy_inputs(case))
        plan = _engine.plan_of(_array.node_of(expr), cached=False)
    return plan.kernels


def expected(case: Case) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(case.fn(np, *case.inputs))
