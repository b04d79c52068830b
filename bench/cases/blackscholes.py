"""A Black-Scholes-like transcendental chain at 4*10**6 (``bench/kernels.py``'s expression).

sqrt, log, exp and a tanh-based normal CDF, twice: one fused elementwise kernel for lazynp.
"""

from __future__ import annotations

import numpy
from kernels import black_scholes

from . import Case, Inputs

N_FULL = 4 * 10**6
N_QUICK = 2 * 10**5
R = 0.02      # the constants of kernels.black_scholes
V = 0.3


def options(quick: bool) -> Inputs:
    n = N_QUICK if quick else N_FULL
    rng = numpy.random.default_rng(1)
    return {"s": rng.uniform(10, 100, n), "k": rng.uniform(10, 100, n),
            "t": rng.uniform(0.1, 2, n)}


def bs(xp, inp: Inputs):
    return black_scholes(xp, inp["s"], inp["k"], inp["t"])


_CND = "0.5 * (1.0 + tanh(0.7978845608028654 * ({d} + 0.044715 * {d} * {d} * {d})))"


def bs_numexpr(ne, inp: Inputs):
    env = dict(inp, r=R, v=V)
    env["sq"] = ne.evaluate("sqrt(t)", local_dict=env)
    env["d1"] = ne.evaluate("(log(s / k) + (r + 0.5 * v * v) * t) / (v * sq)", local_dict=env)
    env["d2"] = ne.evaluate("d1 - v * sq", local_dict=env)
    expr = f"s * {_CND.format(d='d1')} - k * exp(-r * t) * {_CND.format(d='d2')}"
    return ne.evaluate(expr, local_dict=env)


def bs_numba(numba, inp: Inputs):
    @numba.njit(parallel=True)
    def price(s, k, t):
        out = numpy.empty_like(s)
        for i in numba.prange(s.size):
            sq = numpy.sqrt(t[i])
            d1 = (numpy.log(s[i] / k[i]) + (R + 0.5 * V * V) * t[i]) / (V * sq)
            d2 = d1 - V * sq
            c1 = 0.5 * (1.0 + numpy.tanh(0.7978845608028654 * (d1 + 0.044715 * d1 * d1 * d1)))
            c2 = 0.5 * (1.0 + numpy.tanh(0.7978845608028654 * (d2 + 0.044715 * d2 * d2 * d2)))
            out[i] = s[i] * c1 - k[i] * numpy.exp(-R * t[i]) * c2
        return out

    s, k, t = inp["s"], inp["k"], inp["t"]
    return lambda: price(s, k, t)


CASES = [
    Case("black_scholes", "sqrt/log/exp/tanh chain on 3 arrays of 4e6", options, bs,
         rtol=1e-12, atol=1e-12, numexpr=bs_numexpr, numba=bs_numba),
]
