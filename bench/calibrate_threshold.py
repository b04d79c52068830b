"""Calibrate ``eager_threshold``: the array size from which the lazy tier pays.

    python bench/calibrate_threshold.py [--quick] [--sizes N ...]

Below ``config.eager_threshold`` elements, lazynp hands arrays out as NumPy's own and NumPy
computes every statement; from it on, arrays are ``lazynp.ndarray`` and statements are
recorded, fused, compiled and run (with a fixed cost per forced statement: recording, plan
lookup, launch).  This script times statements shaped like users' loop bodies at several
sizes, on NumPy arrays (NumPy's cost) and on lazynp arrays of the lazy tier
(``eager_threshold=0``), each statement forced as a user's statement is (an assignment into
an existing array, or a reduction to a scalar), and prints the ratio NumPy / lazy tier per
size.  The threshold should sit where every pattern's ratio is >= 1: a size whose worst ratio
is below 1 would make some statement slower than NumPy.

Results go to stdout and to ``bench/results/calibrate_threshold.json``.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy  # noqa: E402
from _common import machine_info, median_time, write_json  # noqa: E402

import lazynp  # noqa: E402


def _patterns():
    """name -> (setup(xp, n) -> state, statement(xp, state))."""
    def vecs(xp, n):
        return {"a": xp.arange(n) * (1.0 / n), "b": xp.ones(n) * 0.5, "c": xp.zeros(n)}

    def one_op(xp, s):  # c[...] = a * 2.0
        s["c"][...] = s["a"] * 2.0

    def inplace_axpy(xp, s):  # c += 0.1 * a
        s["c"] += 0.1 * s["a"]

    def jacobi(xp, s):  # c[1:-1] = 0.333 * (a[:-2] + a[1:-1] + a[2:])
        a = s["a"]
        s["c"][1:-1] = 0.333 * (a[:-2] + a[1:-1] + a[2:])

    def chain_sum(xp, s):  # float(((a * b + 1.0) ** 2).sum())
        return float(((s["a"] * s["b"] + 1.0) ** 2).sum())

    def transcendental(xp, s):  # c[...] = exp(-a) * sin(b)
        s["c"][...] = xp.exp(-s["a"]) * xp.sin(s["b"])

    def reduction(xp, s):  # float(a.sum())
        return float(s["a"].sum())

    return {
        "c[...] = a*2": (vecs, one_op),
        "c += 0.1*a": (vecs, inplace_axpy),
        "jacobi 1-d": (vecs, jacobi),
        "((a*b+1)**2).sum()": (vecs, chain_sum),
        "c[...] = exp(-a)*sin(b)": (vecs, transcendental),
        "a.sum()": (vecs, reduction),
    }


def _time(fn, target: float = 0.02, repeats: int = 7) -> float:
    fn()  # warm-up: compiles or loads the kernel
    inner = 1
    while True:
        t = median_time(fn, inner, 1)
        if t * inner >= target or inner >= 1 << 16:
            break
        inner *= 4
    return median_time(fn, inner, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    args = parser.parse_args()
    sizes = args.sizes or ([4096, 65536, 262144] if args.quick else
                           [4096, 16384, 65536, 131072, 262144, 524288, 1048576])
    repeats = 3 if args.quick else 7
    rows = []
    print(f"{'statement':28s}" + "".join(f"{n:>10d}" for n in sizes))
    worst = {n: float("inf") for n in sizes}
    for name, (setup, stmt) in _patterns().items():
        ratios = []
        for n in sizes:
            s_np = setup(numpy, n)
            with lazynp.config(eager_threshold=0):
                s_lz = setup(lazynp, n)
                for v in s_lz.values():
                    lazynp.force(v)
                t_np = _time(functools.partial(stmt, numpy, s_np), repeats=repeats)
                t_lz = _time(functools.partial(stmt, lazynp, s_lz), repeats=repeats)
            ratio = t_np / t_lz
            worst[n] = min(worst[n], ratio)
            ratios.append(ratio)
            rows.append({"statement": name, "n": n, "numpy_s": t_np, "lazy_s": t_lz,
                         "ratio": ratio})
        print(f"{name:28s}" + "".join(f"{r:10.2f}" for r in ratios))
    print(f"{'worst (numpy / lazy tier)':28s}" + "".join(f"{worst[n]:10.2f}" for n in sizes))
    paying = [n for n in sizes if worst[n] >= 1.0 and all(worst[m] >= 1.0 for m in sizes
                                                          if m > n)]
    suggestion = paying[0] if paying else None
    print(f"smallest size from which every statement is at least NumPy's speed: {suggestion}"
          f"  (eager_threshold now {lazynp.config.eager_threshold})")
    write_json("calibrate_threshold.json", {"machine": machine_info(), "rows": rows,
                                             "suggested_threshold": suggestion})


if __name__ == "__main__":
    main()
