"""Throughput of lazynp.random against numpy.random (same seeds, same results).

Usage: python bench/random_bench.py [--n 10000000] [--big 100000000] [--repeat 3]
Prints one table: best-of-``repeat`` seconds for NumPy and lazynp and their ratio
(NumPy time / lazynp time, so > 1 means lazynp is faster).
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np

import lazynp.random as lr
from lazynp._config import config


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**7)
    ap.add_argument("--big", type=int, default=10**8)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, big, rep = args.n, args.big, args.repeat
    npg = np.random.default_rng(0)
    lzg = lr.default_rng(0)
    lzg.random(10)  # compile (or load from the disk cache) before timing
    cases = [
        (f"random({n:.0e})", 1, lambda g: g.random(n)),
        (f"standard_normal({n:.0e})", 1, lambda g: g.standard_normal(n)),
        (f"integers(0,10,{n:.0e})", 1, lambda g: g.integers(0, 10, n)),
        (f"choice(1000,{n:.0e})", 1, lambda g: g.choice(1000, n)),
        (f"random({n:.0e}) f32", 1, lambda g: g.random(n, dtype=np.float32)),
        (f"standard_exponential({n:.0e})", 1, lambda g: g.standard_exponential(n)),
        (f"random({big:.0e})", 1, lambda g: g.random(big)),
        (f"random({big:.0e})", config.num_threads, lambda g: g.random(big)),
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
    print(f"{'case':34s} {'threads':>7s} {'numpy s':>9s} {'lazynp s':>9s} {'ratio':>7s}")
    for name, threads, fn in cases:
        t_np = best(functools.partial(fn, npg), rep)
        with config(num_threads=threads):
            t_lz = best(functools.partial(fn, lzg), rep)
        print(f"{name:34s} {threads:7d} {t_np:9.4f} {t_lz:9.4f} {t_np / t_lz:7.2f}")
    for name, fn in legacy:
        t_np = best(functools.partial(fn, nprs), rep)
        t_lz = best(functools.partial(fn, lzrs), rep)
        print(f"{name:34s} {1:7d} {t_np:9.4f} {t_lz:9.4f} {t_np / t_lz:7.2f}")


if __name__ == "__main__":
    main()
