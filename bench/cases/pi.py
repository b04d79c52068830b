"""The Monte-Carlo pi example (``examples/pi.py``) in its two forms, on 10**8 given pairs.

``x`` and ``y`` are made once with NumPy; the timed script is the arithmetic, the comparison
and the count.  The one-line form and the statement form (every intermediate named, as in
``examples/pi_statements.py``) are the same graph to lazynp; NumPy materializes each step.
"""

from __future__ import annotations

import numpy

from . import Case, Inputs

N_FULL = 10**8
N_QUICK = 10**6


def pairs(quick: bool) -> Inputs:
    n = N_QUICK if quick else N_FULL
    rng = numpy.random.default_rng(0)
    return {"x": rng.random(n), "y": rng.random(n)}


def pi_oneline(xp, inp: Inputs):
    x = inp["x"]
    y = inp["y"]
    return ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum() * (4 / len(x))


def pi_statements(xp, inp: Inputs):
    x = inp["x"]
    y = inp["y"]
    s = (x - 1) ** 2
    t = (y - 1) ** 2
    d = s + t
    inside = d < 1
    count = inside.sum()
    return count * (4 / len(x))


def pi_numexpr(ne, inp: Inputs):
    count = ne.evaluate("sum(where((x - 1)**2 + (y - 1)**2 < 1, 1, 0))", local_dict=inp)
    return count * (4 / len(inp["x"]))


def pi_numba(numba, inp: Inputs):
    @numba.njit(parallel=True)
    def count(x, y):
        c = 0
        for i in numba.prange(x.size):
            if (x[i] - 1) ** 2 + (y[i] - 1) ** 2 < 1:
                c += 1
        return c

    x = inp["x"]
    y = inp["y"]

    def run():
        return count(x, y) * (4 / len(x))

    return run


CASES = [
    Case("pi_oneline", "((x-1)**2 + (y-1)**2 < 1).sum() * (4/len(x)), 1e8 pairs", pairs,
         pi_oneline, numexpr=pi_numexpr, numba=pi_numba, group="pi"),
    Case("pi_statements", "the same as five named statements", pairs, pi_statements,
         numexpr=pi_numexpr, numba=pi_numba, group="pi"),
]
