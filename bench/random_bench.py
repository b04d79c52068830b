"""Throughput of lazynp.random against numpy.random (same seeds, same results).

Usage: python bench/random_bench.py [--n 10000000] [--big 100000000] [--repeat 7]
Prints one table: the median of ``repeat`` runs in seconds for NumPy and lazynp and their ratio
(NumPy time / lazynp time, so > 1 means lazynp is faster), plus the ratio of the best runs.
NumPy and lazynp runs alternate, so a load change on a shared machine hits both alike.
Rows marked ``out=`` fill a pre-touched buffer (no allocation, no first-touch page faults).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
import tracemalloc

import numpy as np

import lazynp as lnp
import lazynp.random as lr
from lazynp._config import config


def timings(fn_a, fn_b, repeat: int) -> tuple[list[float], list[float]]:
    """Alternate runs of fn_a and fn_b; return both lists of seconds."""
    ta, tb = [], []
    for _ in range(repeat):
        for fn, ts in ((fn_a, ta), (fn_b, tb)):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
    return ta, tb


def row(name: str, threads: int, fn_np, fn_lz, rep: int) -> None:
    with config(num_threads=threads):
        fn_lz()  # warm: kernel compiled or loaded from the disk cache
        ta, tb = timings(fn_np, fn_lz, rep)
    m_np, m_lz = statistics.median(ta), statistics.median(tb)
    print(f"{name:36s} {threads:7d} {m_np:9.4f} {m_lz:9.4f} {m_np / m_lz:7.2f} "
          f"{min(ta) / min(tb):7.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**7)
    ap.add_argument("--big", type=int, default=10**8)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    n, big, rep = args.n, args.big, args.repeat
    npg = np.random.default_rng(0)
    lzg = lr.default_rng(0)
    lzg.random(10)  # compile (or load from the disk cache) before timing
    big_buf = np.ones(big)  # pre-touched: the out= rows time generation without page faults
    cases = [
        (f"random({n:.0e})", 1, lambda g: g.random(n)),
        (f"standard_normal({n:.0e})", 1, lambda g: g.standard_normal(n)),
        (f"integers(0,10,{n:.0e})", 1, lambda g: g.integers(0, 10, n)),
        (f"choice(1000,{n:.0e})", 1, lambda g: g.choice(1000, n)),
        (f"random({n:.0e}) f32", 1, lambda g: g.random(n, dtype=np.float32)),
        (f"standard_exponential({n:.0e})", 1, lambda g: g.standard_exponential(n)),
        (f"random({big:.0e})", 1, lambda g: g.random(big)),
        (f"random({big:.0e})", config.num_threads, lambda g: g.random(big)),
        (f"random({big:.0e}) out=", config.num_threads, lambda g: g.random(out=big_buf)),
    ]
    m = n // 10
    cases += [
        (f"gamma(0.5,{m:.0e})", 1, lambda g: g.gamma(0.5, size=m)),
        (f"gamma(3.0,{m:.0e})", 1, lambda g: g.gamma(3.0, size=m)),
        (f"beta(2,3,{m:.0e})", 1, lambda g: g.beta(2.0, 3.0, size=m)),
        (f"poisson(3,{m:.0e})", 1, lambda g: g.poisson(3.0, size=m)),
        (f"poisson(50,{m:.0e})", 1, lambda g: g.poisson(50.0, size=m)),
        (f"binomial(1000,0.3,{m:.0e})", 1, lambda g: g.binomial(1000, 0.3, size=m)),
        (f"hypergeometric(100,200,50,{m:.0e})", 1,
         lambda g: g.hypergeometric(100, 200, 50, size=m)),
        (f"vonmises(0,3,{m:.0e})", 1, lambda g: g.vonmises(0.0, 3.0, size=m)),
    ]
    nprs = np.random.RandomState(0)
    lzrs = lr.RandomState(0)
    lzrs.rand(10)
    legacy = [
        (f"RandomState.rand({n:.0e})", lambda r: r.rand(n)),
        (f"RandomState.randn({n:.0e})", lambda r: r.randn(n)),
        (f"RandomState.randint(0,10,{n:.0e})", lambda r: r.randint(0, 10, n)),
        (f"RandomState.uniform({n:.0e})", lambda r: r.uniform(0, 1, n)),
    ]
    print(f"load average before: {_loadavg()}  (the machine may be shared: compare medians "
          f"of several runs)")
    print(f"{'case':36s} {'threads':>7s} {'numpy s':>9s} {'lazynp s':>9s} {'ratio':>7s} "
          f"{'best':>7s}")
    buf = np.ones(n)
    cases.insert(1, (f"random({n:.0e}) out=", 1, lambda g: g.random(out=buf)))
    for name, threads, fn in cases:
        row(name, threads, functools.partial(fn, npg), _forced(fn, lzg), rep)
    for name, fn in legacy:
        row(name, 1, functools.partial(fn, nprs), _forced(fn, lzrs), rep)
    fused_peak(big)
    print(f"load average after: {_loadavg()}")


def _forced(fn, gen):
    # large requests of random/uniform/integers are pending sources: time the draws themselves
    def call():
        return lnp.force(fn(gen))
    return call


def fused_peak(n: int) -> None:
    """Peak traced memory of ``(rng.random(n) < 0.5).sum()``: NumPy vs lazynp (fused)."""
    results = []
    for mod in (np, lnp):
        g = mod.random.default_rng(0)
        g.random(10)
        tracemalloc.start()
        t0 = time.perf_counter()
        count = (g.random(n) < 0.5).sum()
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append((int(count), elapsed, peak))
    (cn, tn, pn), (cl, tl, pl) = results
    print(f"(rng.random({n:.0e}) < 0.5).sum(): same count {cn == cl}; peak memory NumPy "
          f"{pn / 1e6:.1f} MB, lazynp {pl / 1e6:.2f} MB; time NumPy {tn:.3f} s, lazynp "
          f"{tl:.3f} s (under tracemalloc)")


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"

if __name__ == "__main__":
    main()
