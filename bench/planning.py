"""Time of the fusion planner on a plan-cache miss, for representative pending graphs.

    python bench/planning.py [--quick] [--profile NAME]

What is timed
-------------
``lazynp.fusion.partition.make_plan(root, recompute_limit, max_cost)`` (the engine's limits),
called again and again on the same pending graph: the work of a plan-cache miss
(``fusion/plancache.py`` calls it when no template matches), without the cache lookup, the
code generation or the kernels' runs.  The graphs are recorded with
``lazynp.config(eager_threshold=0)`` (every array is lazy) and are never forced:

chain10        a 10-op elementwise chain on a 1-D array of 100,000 float64
               (``y = y * 1.0001 + 0.5``, five times)
stencil        ``0.25*(u[:-2,1:-1]+u[2:,1:-1]+u[1:-1,:-2]+u[1:-1,2:])`` on a realized
               300x300 ``u`` (its slices are realized views: 4 pending nodes)
stencil_lazy   the same statement on a pending ``u * 1.0`` (the slices fold into the kernel)
chain_sum      a 13-op chain ending in a full reduction (``(z * z).sum(keepdims=True)``)
softmax        ``e = exp(a - a.max(1, keepdims=True)); e / e.sum(1, keepdims=True)`` on a
               pending 500x200 ``a`` (row reductions: several kernels)
shared         ``b = x * 3.0 + 1.0; sqrt(b) + b * b``: ``b`` read by two consumers
held_shared    ``b = exp(x) + 1.0`` kept in a variable, then ``b.sum(keepdims=True) + b``:
               a live, expensive node read by two kernels (stored once)

Columns: pending nodes, kernels and other steps of the plan; microseconds per ``make_plan``
(median of batches, ``_common.median_time``); microseconds per whole plan-cache miss
(``plancache.clear()`` then ``plancache.cached_plan``: the graph's signature, ``make_plan``
and storing the template); for scale only, the time NumPy takes to evaluate the same
statement eagerly on the same data and the ratio miss / NumPy (above 1: a plan-cache miss
costs more than NumPy's whole evaluation).

Target (issue "Never slower than NumPy"): planning on a miss <= 200 us for the 10-op graph.
No pass/fail: the figures are printed and written to ``bench/results/planning.json``.

``--profile NAME`` prints a cProfile of ``make_plan`` on one graph instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy  # noqa: E402
from _common import machine_info, median_time, write_json  # noqa: E402

TARGET_US = {"chain10": 200.0}


def _chain10(xp: Any, d: dict) -> Any:
    y = d["x"]
    for _ in range(5):
        y = y * 1.0001 + 0.5
    return y


def _stencil(xp: Any, d: dict) -> Any:
    u = d["u"]
    return 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])


def _stencil_lazy(xp: Any, d: dict) -> Any:
    u = d["u"] * 1.0
    return 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])


def _chain_sum(xp: Any, d: dict) -> Any:
    z = d["x"]
    for _ in range(6):
        z = z * 2.0 + 1.0
    return (z * z).sum(keepdims=True)


def _softmax(xp: Any, d: dict) -> Any:
    a = d["a"] * 1.5
    e = xp.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _shared(xp: Any, d: dict) -> Any:
    b = d["x"] * 3.0 + 1.0
    return xp.sqrt(b) + b * b


def _held_shared(xp: Any, d: dict) -> Any:
    b = xp.exp(d["x"]) + 1.0
    d["keep"] = b  # a live array: the planner stores an expensive node it holds
    return b.sum(keepdims=True) + b


GRAPHS: list[tuple[str, Callable[[Any, dict], Any]]] = [
    ("chain10", _chain10), ("stencil", _stencil), ("stencil_lazy", _stencil_lazy),
    ("chain_sum", _chain_sum), ("softmax", _softmax), ("shared", _shared),
    ("held_shared", _held_shared),
]


def _data(xp: Any) -> dict:
    rng = numpy.random.default_rng(0)
    return {"x": xp.array(numpy.linspace(0.0, 1.0, 100_000)),
            "u": xp.array(rng.random((300, 300))),
            "a": xp.array(rng.random((500, 200)))}


def build(lnp: Any) -> list[tuple[str, Any, dict]]:
    """(name, pending root node, data kept alive) for each graph."""
    from lazynp._array import node_of

    out = []
    with lnp.config(eager_threshold=0):
        for name, fn in GRAPHS:
            d = _data(lnp)
            root = node_of(fn(lnp, d))
            if root.value is not None:
                raise RuntimeError(f"{name}: the graph was forced while recording")
            out.append((name, root, d))
    return out


def _time(fn: Callable[[], Any], batch_s: float, repeats: int) -> float:
    """Median seconds per call of ``fn``, in batches of about ``batch_s``."""
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - t
        if elapsed >= batch_s / 4:
            break
        n *= 2
    return median_time(fn, max(1, int(n * batch_s / elapsed)), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter batches, fewer repeats")
    parser.add_argument("--profile", metavar="NAME", help="cProfile make_plan on one graph")
    args = parser.parse_args()

    import lazynp as lnp
    from lazynp._config import config as cfg
    from lazynp.fusion import plancache
    from lazynp.fusion.partition import make_plan

    limit, max_cost = cfg.fusion_recompute_limit, cfg.fusion_max_cost
    graphs = build(lnp)
    if args.profile:
        root = next(r for name, r, _ in graphs if name == args.profile)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(500):
            make_plan(root, limit, max_cost)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return

    batch_s, repeats = (4e-3, 9) if args.quick else (20e-3, 25)
    rows = []
    print(f"make_plan on a plan-cache miss (recompute_limit {limit:g}, max_cost {max_cost:g})")
    print(f"{'graph':14s}{'nodes':>6s}{'kern':>5s}{'other':>6s}{'plan us':>10s}"
          f"{'miss us':>10s}{'NumPy us':>10s}{'miss/NumPy':>11s}  target (plan)")
    for name, root, _ in graphs:
        plan = make_plan(root, limit, max_cost)
        t = _time(partial(make_plan, root, limit, max_cost), batch_s, repeats)

        def miss(root: Any = root) -> None:
            plancache.clear()
            plancache.cached_plan(root, limit, max_cost)

        t_miss = _time(miss, batch_s, repeats)
        plancache.clear()
        t_np = _time(partial(dict(GRAPHS)[name], numpy, _data(numpy)), batch_s, repeats)
        nk = len(plan.kernels)
        target = TARGET_US.get(name)
        mark = "" if target is None else (
            f"<= {target:g} us: {'ok' if t * 1e6 <= target else 'MISS'}")
        print(f"{name:14s}{len(plan.nodes):6d}{nk:5d}{len(plan.steps) - nk:6d}"
              f"{t * 1e6:10.1f}{t_miss * 1e6:10.1f}{t_np * 1e6:10.1f}{t_miss / t_np:11.2f}"
              f"  {mark}")
        rows.append({"graph": name, "nodes": len(plan.nodes), "kernels": nk,
                     "other_steps": len(plan.steps) - nk, "plan_us": t * 1e6,
                     "miss_us": t_miss * 1e6, "numpy_us": t_np * 1e6,
                     "miss_over_numpy": t_miss / t_np, "target_us": target})
    path = write_json("planning.json", {"rows": rows, "machine": machine_info(),
                                        "quick": args.quick})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
