"""Vectorized Mandelbrot: complex iteration under a mask with ``where``, counting steps.

Points that escaped keep their last ``z`` (``where``), so nothing overflows.
"""

from __future__ import annotations

import numpy

from . import Case, Inputs

FULL = (400, 600, 40)    # (rows, cols, iterations)
QUICK = (100, 150, 20)


def plane(quick: bool) -> Inputs:
    rows, cols, iters = QUICK if quick else FULL
    re = numpy.linspace(-2.0, 0.6, cols)
    im = numpy.linspace(-1.2, 1.2, rows)
    return {"c": re[None, :] + 1j * im[:, None], "iters": iters}


def mandelbrot(xp, inp: Inputs):
    c = inp["c"]
    z = xp.zeros_like(c)
    counts = xp.zeros(c.shape, dtype=xp.int64)
    for _ in range(inp["iters"]):
        inside = z.real * z.real + z.imag * z.imag <= 4.0
        z = xp.where(inside, z * z + c, z)
        counts = counts + inside
    return counts, z


CASES = [
    Case("mandelbrot", "z = where(|z|<=2, z*z + c, z), 400x600 complex, 40 steps", plane,
         mandelbrot, rtol=1e-9, atol=1e-12),
]
