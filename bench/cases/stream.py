"""Streaming read passes over the pi inputs: the floor the pi cases are compared with.

``stream_read`` is ``x.sum() + y.sum()`` (one pass over each array); under lazynp it runs
as recorded (NumPy sums of concrete arrays, or compiled reads).  ``stream_read_mt`` is the
same read split over ``LAZYNP_NUM_THREADS`` threads with NumPy (its sums release the GIL):
the bandwidth the machine gives to a multithreaded kernel, which is what a compiled pi
kernel on all cores should be held to.  The pi kernel reads exactly these bytes once.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy

from . import Case, Inputs
from .pi import pairs

_POOL: list[ThreadPoolExecutor] = []


def stream(xp, inp: Inputs):
    return inp["x"].sum() + inp["y"].sum()


def _threads() -> int:
    return int(os.environ.get("LAZYNP_NUM_THREADS") or os.cpu_count() or 1)


def stream_threaded(xp, inp: Inputs):
    threads = _threads()
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(threads))
    chunks = []
    for a in (inp["x"], inp["y"]):
        step = -(-a.size // threads)
        chunks += [a[i:i + step] for i in range(0, a.size, step)]
    return numpy.float64(sum(_POOL[0].map(numpy.sum, chunks)))


def stream_numexpr(ne, inp: Inputs):
    return ne.evaluate("sum(x)", local_dict=inp) + ne.evaluate("sum(y)", local_dict=inp)


def stream_numba(numba, inp: Inputs):
    @numba.njit(parallel=True)
    def total(x, y):
        s = 0.0
        for i in numba.prange(x.size):
            s += x[i] + y[i]
        return s

    x = inp["x"]
    y = inp["y"]
    return lambda: total(x, y)


CASES = [
    Case("stream_read", "x.sum() + y.sum(): one read of the pi inputs", pairs, stream,
         rtol=1e-12, numexpr=stream_numexpr, numba=stream_numba, group="pi"),
    Case("stream_read_mt", "the same read, NumPy sums on N threads", pairs, stream_threaded,
         rtol=1e-12, group="pi", modes=("numpy",)),
]
