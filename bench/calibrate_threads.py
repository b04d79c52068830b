"""Calibrate ``parallel_threshold``: the kernel work from which compiled kernels use threads.

    python bench/calibrate_threads.py [--threads N] [--repeats R]

For a cheap fused kernel (``a * b + 1.0``, memory bound: where threads pay off last) and an
expensive one (``exp(a) * sin(b)``, compute bound), over sizes 2**12 .. 2**23, it times the
kernel forced on the calling thread (``parallel_threshold`` above its work) and on
``--threads`` threads (threshold 0), in the same run, and prints the ratio.  A kernel's work
is its ``Kernel.cost`` (elements times the cost model's cost per element), which is what the
runtime compares with the threshold.  The suggested threshold is, of the works from which
each kernel gains 10% threaded (at two sizes in a row), the smallest under which no kernel
threaded from it would be slower (ratio at least 0.97); set it with
``LAZYNP_PARALLEL_THRESHOLD`` (the default in ``lazynp/_config.py`` comes from this script on
the 2-core development machine, rounded).  Kernels of at most one block (65536 elements)
always run on the calling thread, so sizes up to that show no difference.
Results also go to ``bench/results/calibrate_threads.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy  # noqa: E402
from _common import format_seconds, machine_info, median_time, write_json  # noqa: E402

import lazynp  # noqa: E402

KERNELS = {
    "a*b+1 (memory bound)": lambda a, b: a * b + 1.0,
    "exp(a)*sin(b) (compute bound)": lambda a, b: lazynp.exp(a) * lazynp.sin(b),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    rng = numpy.random.default_rng(0)
    rows = []
    print(f"threads={args.threads}; ratio = one thread / threaded (above 1: threads pay off)")
    print(f"{'kernel':32s} {'elements':>9s} {'work':>10s} {'1 thread':>12s} {'threaded':>12s} "
          f"{'ratio':>6s}")
    for name, fn in KERNELS.items():
        for p in range(12, 24):
            n = 1 << p
            with lazynp.config(eager_threshold=0):  # lazynp arrays at every size (a NumPy
                a = lazynp.array(rng.random(n))      # array would be computed by NumPy)
                b = lazynp.array(rng.random(n))
            assert type(a) is lazynp.LazyArray, type(a)
            inner = max(1, (1 << 22) // n)
            times = {}
            for label, threshold in (("single", float("inf")), ("threaded", 0)):
                with lazynp.config(backend="llvm", num_threads=args.threads,
                                   parallel_threshold=threshold, eager_threshold=0):
                    numpy.asarray(fn(a, b))  # compile / load, warm the pool
                    times[label] = median_time(lambda f=fn, x=a, y=b: numpy.asarray(f(x, y)), inner,
                                                   args.repeats)
            ratio = times["single"] / times["threaded"]
            with lazynp.config(eager_threshold=0):
                work = lazynp._engine.plan_of(fn(a, b)._node).kernels[-1].cost
            rows.append({"kernel": name, "elements": n, "work": work,
                         "single_s": times["single"], "threaded_s": times["threaded"],
                         "ratio": ratio})
            print(f"{name:32s} {n:9d} {work:10.3g} {format_seconds(times['single']):>12s} "
                  f"{format_seconds(times['threaded']):>12s} {ratio:6.2f}")
    # per kernel, the first size from which threads pay (10% at it and at the next size:
    # one noisy size, a page-fault storm in one run, does not decide); the suggestion is the
    # smallest such work under which no kernel that would then be threaded loses
    first = {}
    for name in KERNELS:
        mine = [r for r in rows if r["kernel"] == name]
        for r, nxt in zip(mine, mine[1:]):
            if r["ratio"] >= 1.1 and nxt["ratio"] >= 0.97:
                first[name] = r["work"]
                break
    suggested = None
    for w in sorted(first.values()):
        if all(r["ratio"] >= 0.97 for r in rows
               if w <= r["work"] < first.get(r["kernel"], float("inf"))):
            suggested = w
            break
    print(f"suggested parallel_threshold: {suggested} "
          f"(current: {lazynp.config.parallel_threshold})")
    path = write_json("calibrate_threads.json", {"machine": machine_info(),
                                                 "threads": args.threads, "rows": rows,
                                                 "suggested": suggested})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
