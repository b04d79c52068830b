"""Softmax over the rows of a matrix: max and sum along axis 1 with broadcasting back."""

from __future__ import annotations

import numpy

from . import Case, Inputs

SHAPE_FULL = (4000, 1000)
SHAPE_QUICK = (400, 250)


def logits(quick: bool) -> Inputs:
    rng = numpy.random.default_rng(2)
    return {"x": rng.standard_normal(SHAPE_QUICK if quick else SHAPE_FULL) * 4.0}


def softmax(xp, inp: Inputs):
    x = inp["x"]
    e = xp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


CASES = [
    Case("softmax_rows", "exp(x - max) / sum over rows of 4000x1000", logits, softmax,
         rtol=1e-12, atol=1e-15),
]
