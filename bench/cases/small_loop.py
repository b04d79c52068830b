"""The small-array loop: ``c = a*b + 1.0; float(c[3])`` on 100 elements, many times.

Below the eager threshold, so lazynp should run it through NumPy at (nearly) NumPy's cost;
the time reported is for the whole loop.
"""

from __future__ import annotations

import numpy

from . import Case, Inputs

SIZE = 100
LOOPS_FULL = 20000
LOOPS_QUICK = 2000


def small(quick: bool) -> Inputs:
    rng = numpy.random.default_rng(4)
    return {"a": rng.random(SIZE), "b": rng.random(SIZE),
            "loops": LOOPS_QUICK if quick else LOOPS_FULL}


def small_loop(xp, inp: Inputs):
    a = inp["a"]
    b = inp["b"]
    total = 0.0
    for _ in range(inp["loops"]):
        c = a * b + 1.0
        total += float(c[3])
    return total


CASES = [
    Case("small_loop", "c = a*b + 1.0; float(c[3]) on 100 elements, 20000 times", small,
         small_loop, rtol=1e-12),
]
