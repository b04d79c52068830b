"""Fused-kernel benchmarks: NumPy vs lazynp's reference executor vs the LLVM backend.

    python bench/kernels.py [--quick] [--threads N]

Cases (inputs are made once, outside the timings; every timing forces the result):

pi_mean   ``4 * mean(x*x + y*y < 1)`` over 10**7 and 10**8 uniform pairs
pi_sum    ``4 * count_nonzero-like sum((x*x + y*y) < 1) / n`` (the other form of the example)
stream    one streaming read pass over ``x`` and ``y`` (``x.sum() + y.sum()``, NumPy) for scale
bs        a Black-Scholes-like chain (sqrt, log, exp, tanh-based normal CDF) at 4*10**6

Each row gives the median time of NumPy, of lazynp with ``backend="reference"`` and with
``backend="llvm"``, measured in the same run, and the ratios NumPy / lazynp (higher is
better).  The first llvm call compiles (or loads from the disk cache); it is not timed.
Results also go to ``bench/results/kernels.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy  # noqa: E402
from _common import format_seconds, machine_info, median_time, write_json  # noqa: E402


def pi_mean(xp, x, y):
    return 4 * xp.mean(x * x + y * y < 1)


def pi_sum(xp, x, y):
    return 4.0 * ((x * x + y * y) < 1).sum() / x.size


def cnd(xp, d):
    return 0.5 * (1.0 + xp.tanh(0.7978845608028654 * (d + 0.044715 * d * d * d)))


def black_scholes(xp, s, k, t):
    r = 0.02
    v = 0.3
    sq = xp.sqrt(t)
    d1 = (xp.log(s / k) + (r + 0.5 * v * v) * t) / (v * sq)
    d2 = d1 - v * sq
    return s * cnd(xp, d1) - k * xp.exp(-r * t) * cnd(xp, d2)


def _force(value):
    return numpy.asarray(value)


def bench_case(lnp, name, fn, arrays, inner, repeats):
    row = {"case": name}
    row["numpy"] = median_time(lambda: _force(fn(numpy, *arrays)), inner, repeats)
    lazy = [lnp.asarray(a) for a in arrays]
    for backend in ("reference", "llvm"):
        with lnp.config(backend=backend):
            _force(fn(lnp, *lazy))  # warm: compile / load the kernels
            row[backend] = median_time(lambda: _force(fn(lnp, *lazy)), inner, repeats)
    with lnp.config(backend="llvm"):
        a = _force(fn(lnp, *lazy))
    b = _force(fn(numpy, *arrays))
    row["max_rel_err"] = float(numpy.max(numpy.abs(a - b)) / max(numpy.max(numpy.abs(b)), 1e-300))
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10**7 only, fewer repeats")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import lazynp as lnp
    from lazynp.codegen_cpu import runtime

    if args.threads:
        lnp.config.set(num_threads=args.threads)
    repeats = 3 if args.quick else 5
    rng = numpy.random.default_rng(0)
    rows = []
    sizes = [10**7] if args.quick else [10**7, 10**8]
    for n in sizes:
        x = rng.random(n)
        y = rng.random(n)
        stream = median_time(lambda x=x, y=y: x.sum() + y.sum(), 1, repeats)
        rows.append({"case": f"stream read 2x{n:.0e}", "numpy": stream})
        rows.append(bench_case(lnp, f"pi_mean {n:.0e}", pi_mean, (x, y), 1, repeats))
        rows.append(bench_case(lnp, f"pi_sum {n:.0e}", pi_sum, (x, y), 1, repeats))
        del x, y
    n = 4 * 10**6
    s = rng.uniform(10, 100, n)
    k = rng.uniform(10, 100, n)
    t = rng.uniform(0.1, 2, n)
    rows.append(bench_case(lnp, "black_scholes 4e6", black_scholes, (s, k, t), 1, repeats))
    print(f"threads={lnp.config.num_threads}  (machine shared with other work: figures are "
          "indicative)")
    print(f"{'case':24} {'numpy':>11} {'reference':>11} {'llvm':>11} {'np/ref':>7} "
          f"{'np/llvm':>8}  max err/max|value|")
    for r in rows:
        if "llvm" not in r:
            print(f"{r['case']:24} {format_seconds(r['numpy'])}")
            continue
        print(f"{r['case']:24} {format_seconds(r['numpy'])} {format_seconds(r['reference'])} "
              f"{format_seconds(r['llvm'])} {r['numpy'] / r['reference']:7.2f} "
              f"{r['numpy'] / r['llvm']:8.2f}  {r['max_rel_err']:.1e}")
    print(f"llvm runtime: {dict(runtime.stats['fallbacks']) or 'no fallbacks'}")
    path = write_json("kernels.json", {"machine": machine_info(), "rows": rows,
                                       "threads": lnp.config.num_threads})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
