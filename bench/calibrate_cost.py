"""Calibrate the fusion cost table (``lazynp/fusion/cost.py``) on this machine.

For each ufunc the script times NumPy on a float64 array that fits in L2 cache (so the
number reflects work, not memory traffic) and reports ns/element and the ratio to ``add``;
it also times a streaming ``add`` on a large array to derive the cost of one byte of
memory traffic (``BYTE_COST``, in add-units per byte).  Results are printed as a Markdown
table and written to ``bench/results/calibrate_cost.json``; the rounded numbers are quoted
in ``docs/fusion.md``.

    python bench/calibrate_cost.py [--n 32768] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

UNARY = ["negative", "absolute", "square", "sqrt", "exp", "log", "expm1", "log1p", "tanh",
         "sin", "cos", "tan", "arctan", "floor", "rint", "reciprocal", "cbrt"]
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "less", "hypot",
          "arctan2", "fmod", "floor_divide", "remainder", "logaddexp"]
TABLE = {  # the starting table (cost.py), for comparison
    "negative": 1, "absolute": 1, "square": 1, "sqrt": 2, "exp": 5, "log": 5, "expm1": 5,
    "log1p": 5, "tanh": 5, "sin": 10, "cos": 10, "tan": 10, "arctan": 10, "floor": 2,
    "rint": 2, "reciprocal": 8, "cbrt": 2, "add": 1, "subtract": 1, "multiply": 1,
    "divide": 8, "power": 8, "maximum": 1, "less": 1, "hypot": 2, "arctan2": 10, "fmod": 2,
    "floor_divide": 8, "remainder": 8, "logaddexp": 2,
}


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=32768)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random(args.n) + 0.5
    y = rng.random(args.n) + 0.5
    out = np.empty_like(x)
    ns: dict[str, float] = {}
    for name in UNARY:
        uf = getattr(np, name)
        ns[name] = best(lambda uf=uf: uf(x, out=out), args.repeat) / args.n * 1e9
    for name in BINARY:
        uf = getattr(np, name)
        o = np.empty(args.n, dtype=uf(x[:1], y[:1]).dtype)
        ns[name] = best(lambda uf=uf, o=o: uf(x, y, out=o), args.repeat) / args.n * 1e9
    unit = ns["add"]
    big = 1 << 24
    bx = rng.random(big)
    by = rng.random(big)
    bo = np.empty_like(bx)
    stream = best(lambda: np.add(bx, by, out=bo), 5) / big * 1e9  # ns per element, 24 B
    byte_cost = max(stream - unit, 0.0) / 24 / unit
    rows = [(k, v, v / unit) for k, v in ns.items()]
    print(f"| op | ns/element | measured (add = 1) | table |  (n={args.n}, float64)")
    print("|---|---|---|---|")
    for name, v, r in sorted(rows, key=lambda t: t[2]):
        print(f"| {name} | {v:.2f} | {r:.1f} | {TABLE.get(name, '')} |")
    print(f"\nstreaming add, {big} elements: {stream:.2f} ns/element (24 B moved); "
          f"BYTE_COST ~ {byte_cost:.3f} add-units per byte (table: 0.125)")
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    path = os.path.join(os.path.dirname(__file__), "results", "calibrate_cost.json")
    with open(path, "w") as f:
        json.dump({"ns_per_element": ns, "add_unit_ns": unit, "stream_add_ns": stream,
                   "byte_cost": byte_cost, "n": args.n}, f, indent=1)
    print(f"written {path}")


if __name__ == "__main__":
    main()
