"""Axis reductions of one matrix: sums, max, mean and std along either axis."""

from __future__ import annotations

import numpy

from . import Case, Inputs

SHAPE_FULL = (3000, 3000)
SHAPE_QUICK = (300, 400)


def matrix(quick: bool) -> Inputs:
    rng = numpy.random.default_rng(3)
    return {"a": rng.random(SHAPE_QUICK if quick else SHAPE_FULL)}


def reductions(xp, inp: Inputs):
    a = inp["a"]
    return (a.sum(axis=0), a.sum(axis=1), a.max(axis=0), a.mean(axis=1), a.std(axis=0),
            (a * a).sum(axis=1))


CASES = [
    Case("axis_reductions", "sum/max/mean/std/sum-of-squares along axes of 3000x3000",
         matrix, reductions, rtol=1e-10, atol=1e-12),
]
