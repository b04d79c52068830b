"""Per-statement overhead of lazynp on everyday small-array NumPy code, as ratios to NumPy.

    python bench/overhead.py [--quick] [--only SUBSTRING ...] [--list] [--no-legacy]

Patterns
--------
Each pattern is one statement of ordinary NumPy code on small arrays (``a``, ``b``: 100
float64 elements unless the pattern says otherwise), written once as a function of a module
``xp``, so that the same code runs with ``xp = numpy`` and ``xp = lazynp``.  Its inputs are
made by ``xp`` itself in the pattern's setup (``xp.linspace``, ``xp.arange``, ``xp.ones``,
``xp.random.default_rng``...), so under lazynp they are whatever lazynp's creation functions
return.  The setup runs once per module; the statement is then a closure over its inputs.

Check: before timing, the statement runs once under each module and the results (or, for a
statement that assigns into an array, that array) are compared: same shape and dtype and
``allclose`` (values are not compared for ``xp.empty``).  A crash under lazynp makes the row
``error: <message>``, a different result ``MISMATCH``; neither is timed.  A different Python
type of the result (e.g. a 0-d array where NumPy gives a scalar) is noted, as is a lazy
(unforced) lazynp result, whose row then times recording only.

Timing: the statement is called ``inner`` times back to back per batch with the garbage
collector paused (``_common.median_time``), ``inner`` chosen so that one batch takes about
15 ms (4 ms with ``--quick``); NumPy and lazynp batches alternate, with the order swapped
every repeat, to share any drift; the figure is the median batch's time per call (31
batches per module, 9 with ``--quick``).  Both columns include the same cost of calling a
Python closure (printed in the header).

Target per statement: lazynp / NumPy <= 1.15, or lazynp at most 0.15 us slower than NumPy
("ok").  The summary gives the geometric mean of the ratios, the worst ratio and the number
of statements off target (errors and mismatches counted apart).

Legacy figures (after the table unless ``--only`` or ``--no-legacy`` is given)
--------------------------------------------------------------------------------
record   time to record one elementwise op (``y = x + 1.0``) on a lazy operand ``x`` of
         2**22 elements (the lazy tier).  The result is discarded, so no graph grows and nothing is computed.
         Target: <= 2 us per op.  The NumPy column is the time to compute the same op eagerly,
         for scale only (the ratio says how many recorded ops cost one NumPy evaluation).
chain    the same, recording a chain ``y = y * 1.0001 + 1.0`` of 32 ops from ``x`` and
         discarding it; the time is per recorded op.
small    the loop body ``c = a * b + 1.0; float(c[3])`` on 100-element float64 arrays
         (below the eager threshold, so it runs eagerly through NumPy).  Target: <= 1.5x NumPy.
small_sum  ``float((a * b).sum())`` on the same arrays.

Columns: NumPy and lazynp time per statement (us), lazynp / NumPy, lazynp - NumPy (us),
``ok`` or ``MISS`` against the target, and notes.

Flags: ``--quick`` (shorter batches and fewer of them: seconds instead of about a minute),
``--only SUBSTRING`` (run the patterns whose statement contains SUBSTRING; repeatable),
``--list`` (print the pattern names and exit), ``--no-legacy`` (skip the legacy figures).
Results go to stdout as tables and to ``bench/results/overhead.json`` (every row, the
summary, the legacy figures and the machine).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy  # noqa: E402
from _common import format_seconds, machine_info, median_time, write_json  # noqa: E402

TARGET_RATIO = 1.15
TARGET_DIFF_S = 0.15e-6

# ------------------------------------------------------------------------------ patterns
#
# A setup takes the module ``xp``, makes the inputs with it and returns the statement as a
# closure, or ``(statement, state)`` where ``state()`` gives what to compare after the
# statement ran (for statements that assign into an array).

PATTERNS: list[tuple[str, Callable[[Any], Any], dict[str, Any]]] = []


def pattern(name: str, **opts: Any) -> Callable:
    def register(setup: Callable[[Any], Any]) -> Callable[[Any], Any]:
        PATTERNS.append((name, setup, opts))
        return setup

    return register


def _ab(xp):
    """``a``, ``b``: 100 float64 each; ``a < b`` for about 80 % of the elements."""
    return xp.linspace(0.0, 1.0, 100), xp.linspace(1.5, 0.25, 100)


def _mat(xp, n, m=None):
    m = n if m is None else m
    return xp.arange(float(n * m)).reshape(n, m) / (n * m)


@pattern("xp.exp(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.exp(a)


@pattern("xp.maximum(a, b)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.maximum(a, b)


@pattern("xp.sqrt(2.0) * 3.0")
def _(xp):
    return lambda: xp.sqrt(2.0) * 3.0


@pattern("A.reshape(30, 120).T  (A: 3600)")
def _(xp):
    A = xp.arange(3600.0)
    return lambda: A.reshape(30, 120).T


@pattern("a.astype(xp.float32)")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.astype(xp.float32)


@pattern("xp.zeros(100)")
def _(xp):
    return lambda: xp.zeros(100)


@pattern("xp.arange(100)")
def _(xp):
    return lambda: xp.arange(100)


@pattern("C[:, 5] = 0.3*C[:, 4] + 0.2*C[:, 3]  (C: 300x200)")
def _(xp):
    C = _mat(xp, 300, 200)

    def stmt():
        C[:, 5] = 0.3 * C[:, 4] + 0.2 * C[:, 3]

    return stmt, lambda: C


@pattern("A[1:-1, 1:-1] += 0.01*B[1:-1, 1:-1]  (60x60)")
def _(xp):
    A, B = _mat(xp, 60), _mat(xp, 60).T + 1.0

    def stmt():
        A[1:-1, 1:-1] += 0.01 * B[1:-1, 1:-1]

    return stmt, lambda: A


@pattern("A[3, :20] @ A[:20, 7]  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: A[3, :20] @ A[:20, 7]


@pattern("xp.concatenate([a, b])")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.concatenate([a, b])


@pattern("T[3, 4, 5] = 12  (T: 10x10x10)")
def _(xp):
    T = xp.zeros((10, 10, 10))

    def stmt():
        T[3, 4, 5] = 12

    return stmt, lambda: T


@pattern("c = a*b + 1.0")
def _(xp):
    a, b = _ab(xp)

    def stmt():
        c = a * b + 1.0
        return c

    return stmt


@pattern("c = a*b + 1.0; float(c[3])")
def _(xp):
    a, b = _ab(xp)

    def stmt():
        c = a * b + 1.0
        return float(c[3])

    return stmt


# operators


@pattern("a + b")
def _(xp):
    a, b = _ab(xp)
    return lambda: a + b


@pattern("a * 2.0")
def _(xp):
    a, b = _ab(xp)
    return lambda: a * 2.0


@pattern("-a")
def _(xp):
    a, b = _ab(xp)
    return lambda: -a


@pattern("a < b")
def _(xp):
    a, b = _ab(xp)
    return lambda: a < b


@pattern("a += 1.0")
def _(xp):
    a, b = _ab(xp)

    def stmt():
        nonlocal a
        a += 1.0

    return stmt, lambda: a


@pattern("a / b")
def _(xp):
    a, b = _ab(xp)
    return lambda: a / b


@pattern("a ** 2")
def _(xp):
    a, b = _ab(xp)
    return lambda: a**2


@pattern("a // 3")
def _(xp):
    a, b = _ab(xp)
    return lambda: a // 3


# ufuncs on Python and NumPy scalars


@pattern("xp.sin(0.5)")
def _(xp):
    return lambda: xp.sin(0.5)


@pattern("xp.exp(1.0) + xp.log(2.0)")
def _(xp):
    return lambda: xp.exp(1.0) + xp.log(2.0)


@pattern("xp.float64(2.0) * 3")
def _(xp):
    return lambda: xp.float64(2.0) * 3


# scalar access


@pattern("x = a[7]")
def _(xp):
    a, b = _ab(xp)

    def stmt():
        x = a[7]
        return x

    return stmt


@pattern("a[7] = 1.0")
def _(xp):
    a, b = _ab(xp)

    def stmt():
        a[7] = 1.0

    return stmt, lambda: a


@pattern("A[3, 4]  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: A[3, 4]


# rows and columns


@pattern("B[3, :] = A[2, :] * 2.0  (60x60)")
def _(xp):
    A, B = _mat(xp, 60), xp.zeros((60, 60))

    def stmt():
        B[3, :] = A[2, :] * 2.0

    return stmt, lambda: B


@pattern("s = A[:, 3].sum()  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)

    def stmt():
        s = A[:, 3].sum()
        return s

    return stmt


@pattern("a[10:20]")
def _(xp):
    a, b = _ab(xp)
    return lambda: a[10:20]


@pattern("A[2]  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: A[2]


# reductions


@pattern("a.sum()")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.sum()


@pattern("xp.sum(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.sum(a)


@pattern("A.sum(axis=0)  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: A.sum(axis=0)


@pattern("A.max(axis=1)  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: A.max(axis=1)


@pattern("a.mean()")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.mean()


@pattern("xp.std(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.std(a)


@pattern("float(a.sum())")
def _(xp):
    a, b = _ab(xp)
    return lambda: float(a.sum())


@pattern("xp.mean(A, axis=1)  (A: 60x60)")
def _(xp):
    A = _mat(xp, 60)
    return lambda: xp.mean(A, axis=1)


# products


@pattern("xp.dot(a, b)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.dot(a, b)


@pattern("A @ A  (A: 20x20)")
def _(xp):
    A = _mat(xp, 20)
    return lambda: A @ A


@pattern("M @ v  (M: 50x50, v: 50)")
def _(xp):
    M, v = _mat(xp, 50), xp.linspace(-1.0, 1.0, 50)
    return lambda: M @ v


# selection, indexing, shape


@pattern("xp.where(a > 0.5, a, 0.0)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.where(a > 0.5, a, 0.0)


@pattern("a[a > 0.5]")
def _(xp):
    a, b = _ab(xp)
    return lambda: a[a > 0.5]


@pattern("a[idx]  (idx: 10 ints)")
def _(xp):
    a, b = _ab(xp)
    idx = xp.arange(0, 100, 10)
    return lambda: a[idx]


@pattern("xp.flip(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.flip(a)


@pattern("xp.add.outer(a[:10], b[:10])")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.add.outer(a[:10], b[:10])


@pattern("xp.sort(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.sort(a)


@pattern("xp.cumsum(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.cumsum(a)


@pattern("xp.linalg.norm(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.linalg.norm(a)


@pattern("xp.abs(a).max()")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.abs(a).max()


@pattern("xp.clip(a, 0.2, 0.8)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.clip(a, 0.2, 0.8)


@pattern("xp.isnan(a).any()")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.isnan(a).any()


@pattern("xp.hypot(a, b)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.hypot(a, b)


@pattern("xp.stack([a, b])")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.stack([a, b])


@pattern("a.reshape(10, 10)")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.reshape(10, 10)


@pattern("len(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: len(a)


@pattern("a.shape")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.shape


@pattern("a.T")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.T


@pattern("a.copy()")
def _(xp):
    a, b = _ab(xp)
    return lambda: a.copy()


# creation


@pattern("xp.ones((10, 10))")
def _(xp):
    return lambda: xp.ones((10, 10))


@pattern("xp.empty(100)", values=False)
def _(xp):
    return lambda: xp.empty(100)


@pattern("xp.array([1.0, 2.0, 3.0])")
def _(xp):
    return lambda: xp.array([1.0, 2.0, 3.0])


@pattern("xp.linspace(0, 1, 100)")
def _(xp):
    return lambda: xp.linspace(0, 1, 100)


@pattern("xp.zeros_like(a)")
def _(xp):
    a, b = _ab(xp)
    return lambda: xp.zeros_like(a)


# random


@pattern("xp.random.default_rng(0).random(100)")
def _(xp):
    return lambda: xp.random.default_rng(0).random(100)


@pattern("rng.random(100)  (rng made in setup)")
def _(xp):
    rng = xp.random.default_rng(0)
    return lambda: rng.random(100)


# ------------------------------------------------------------------------------ checking


def _prepare(setup: Callable[[Any], Any], xp: Any) -> tuple[Callable[[], Any], Any]:
    made = setup(xp)
    if isinstance(made, tuple):
        return made
    return made, None


def _run_once(stmt: Callable[[], Any], state: Any) -> Any:
    out = stmt()
    return state() if state is not None else out


def _short(exc: BaseException, width: int = 70) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def _compare(ref: Any, got: Any, values: bool) -> str | None:
    """None when ``got`` matches NumPy's ``ref``, else what differs."""
    r, g = numpy.asarray(ref), numpy.asarray(got)
    if r.shape != g.shape:
        return f"shape {g.shape} != {r.shape}"
    if r.dtype != g.dtype:
        return f"dtype {g.dtype} != {r.dtype}"
    if not values:
        return None
    if r.dtype.kind in "biufcm" and r.dtype.kind == g.dtype.kind:
        same = numpy.allclose(r, g, rtol=1e-12, atol=0.0, equal_nan=True)
    else:
        same = bool(numpy.all(r == g))
    return None if same else "values differ"


# ------------------------------------------------------------------------------ timing


def _calibrate(fn: Callable[[], Any], batch_s: float) -> int:
    """Calls per batch so that a batch takes about ``batch_s`` (also warms ``fn`` up)."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= 2e-3 or n >= 1 << 20:
            break
        n *= 4
    return max(10, min(1 << 20, int(batch_s * n / max(elapsed, 1e-9))))


def _time_pair(
    fn_np: Callable[[], Any], fn_lz: Callable[[], Any], batch_s: float, repeats: int
) -> tuple[float, float, int, int]:
    inner_np = _calibrate(fn_np, batch_s)
    inner_lz = _calibrate(fn_lz, batch_s)
    s_np, s_lz = [], []
    for r in range(repeats):
        if r % 2 == 0:
            s_np.append(median_time(fn_np, inner_np, 1))
            s_lz.append(median_time(fn_lz, inner_lz, 1))
        else:
            s_lz.append(median_time(fn_lz, inner_lz, 1))
            s_np.append(median_time(fn_np, inner_np, 1))
    return statistics.median(s_np), statistics.median(s_lz), inner_np, inner_lz


def run_pattern(name, setup, opts, lnp, batch_s: float, repeats: int) -> dict[str, Any]:
    row: dict[str, Any] = {"pattern": name, "status": "ok", "note": ""}
    try:
        stmt_np, state_np = _prepare(setup, numpy)
        ref = _run_once(stmt_np, state_np)
    except Exception as exc:  # a bad pattern: report it, keep going
        row.update(status="numpy error", note=_short(exc))
        return row
    try:
        stmt_lz, state_lz = _prepare(setup, lnp)
        got = _run_once(stmt_lz, state_lz)
        differs = _compare(ref, got, opts.get("values", True))
    except Exception as exc:
        row.update(status="error", note=_short(exc))
        return row
    if differs is not None:
        row.update(status="mismatch", note=differs)
        return row
    try:
        return _time_checked(row, stmt_np, stmt_lz, state_lz, lnp, batch_s, repeats)
    except Exception as exc:  # a crash on a later call
        row.update(status="error", note=_short(exc))
        return row


def _time_checked(row, stmt_np, stmt_lz, state_lz, lnp, batch_s, repeats) -> dict[str, Any]:
    notes = []
    if state_lz is None:
        out = stmt_lz()
        if lnp.is_lazy(out):
            notes.append("lazy result (records only)")
        out_np = stmt_np()
        if type(out) is not type(out_np) and not (
            isinstance(out_np, numpy.ndarray) and isinstance(out, lnp.ndarray)
        ):
            notes.append(f"type {type(out).__name__} (numpy: {type(out_np).__name__})")
    t_np, t_lz, inner_np, inner_lz = _time_pair(stmt_np, stmt_lz, batch_s, repeats)
    ratio = t_lz / t_np
    diff = t_lz - t_np
    row.update(
        numpy_s=t_np,
        lazynp_s=t_lz,
        ratio=ratio,
        diff_s=diff,
        ok=ratio <= TARGET_RATIO or diff <= TARGET_DIFF_S,
        inner_numpy=inner_np,
        inner_lazynp=inner_lz,
        note="; ".join(notes),
    )
    return row


def _closure_cost(batch_s: float, repeats: int) -> float:
    def empty():
        return None

    return median_time(empty, _calibrate(empty, batch_s), repeats)


# ------------------------------------------------------------------------------ legacy figures

BIG = 1 << 22  # above the default eager threshold (2**21): a lazy-tier array
SMALL = 100
CHAIN = 32


def _lazy_operand(lnp):
    x = lnp.ones(BIG) * 0.5
    if not lnp.is_lazy(x):
        raise RuntimeError(f"lnp.ones({BIG}) * 0.5 is not lazy; nothing to time")
    return x


def bench_record(lnp, inner: int, repeats: int) -> dict[str, float]:
    x = _lazy_operand(lnp)

    def record_one():
        return x + 1.0

    xn = numpy.ones(BIG) * 0.5

    def numpy_one():
        return xn + 1.0

    return {
        "lazynp": median_time(record_one, inner, repeats),
        "numpy": median_time(numpy_one, max(1, inner // 100), repeats),
        "target_s": 2e-6,
    }


def bench_chain(lnp, inner: int, repeats: int) -> dict[str, float]:
    x = _lazy_operand(lnp)

    def record_chain():
        y = x
        for _ in range(CHAIN // 2):
            y = y * 1.0001 + 1.0
        return y

    xn = numpy.ones(BIG) * 0.5

    def numpy_chain():
        y = xn
        for _ in range(CHAIN // 2):
            y = y * 1.0001 + 1.0
        return y

    with lnp.config(max_depth=4 * CHAIN, max_nodes=8 * CHAIN):
        lazy = median_time(record_chain, max(1, inner // CHAIN), repeats) / CHAIN
    eager = median_time(numpy_chain, 1, max(3, repeats // 4)) / CHAIN
    return {"lazynp": lazy, "numpy": eager, "target_s": 2e-6}


def bench_small(lnp, inner: int, repeats: int) -> dict[str, float]:
    base = numpy.linspace(0.0, 1.0, SMALL)
    an, bn = base.copy(), base[::-1].copy()
    al, bl = lnp.asarray(an), lnp.asarray(bn)

    def loop_numpy():
        c = an * bn + 1.0
        return float(c[3])

    def loop_lazynp():
        c = al * bl + 1.0
        return float(c[3])

    assert loop_numpy() == loop_lazynp()
    return {
        "lazynp": median_time(loop_lazynp, inner, repeats),
        "numpy": median_time(loop_numpy, inner, repeats),
        "target_ratio": 1.5,
    }


def bench_small_sum(lnp, inner: int, repeats: int) -> dict[str, float]:
    base = numpy.linspace(0.0, 1.0, SMALL)
    an, bn = base.copy(), base[::-1].copy()
    al, bl = lnp.asarray(an), lnp.asarray(bn)

    def sum_numpy():
        return float((an * bn).sum())

    def sum_lazynp():
        return float((al * bl).sum())

    return {  # informational: no target for this figure
        "lazynp": median_time(sum_lazynp, inner, repeats),
        "numpy": median_time(sum_numpy, inner, repeats),
    }


FIGURES = (
    ("record", "record x + 1.0 (lazy x, 1e6 el.)", bench_record),
    ("chain", "record 32-op chain, per op", bench_chain),
    ("small", "c = a*b + 1.0; float(c[3]), n=100", bench_small),
    ("small_sum", "float((a*b).sum()), n=100", bench_small_sum),
)


def _verdict(fig: dict[str, float]) -> str:
    if "target_s" in fig:
        ok = fig["lazynp"] <= fig["target_s"]
        return f"{'ok' if ok else 'MISS'} (<= {fig['target_s'] * 1e6:.0f} us)"
    if "target_ratio" not in fig:
        return "-"
    ok = fig["ratio"] <= fig["target_ratio"]
    return f"{'ok' if ok else 'MISS'} (<= {fig['target_ratio']}x)"


def run_legacy(lnp, quick: bool) -> dict[str, Any]:
    inner, repeats = (200, 5) if quick else (2000, 15)
    results: dict[str, Any] = {}
    print(f"\n{'legacy figure':<36} {'lazynp':>11} {'numpy':>11} {'lazynp/numpy':>13}  target")
    for key, title, fn in FIGURES:
        try:
            fig = fn(lnp, inner, repeats)
        except Exception as exc:
            results[key] = {"error": _short(exc)}
            print(f"{title:<36} error: {_short(exc)}")
            continue
        fig["ratio"] = fig["lazynp"] / fig["numpy"]
        results[key] = fig
        print(
            f"{title:<36} {format_seconds(fig['lazynp'])} {format_seconds(fig['numpy'])} "
            f"{fig['ratio']:12.3f}x  {_verdict(fig)}"
        )
    return {"inner": inner, "repeats": repeats, "figures": results}


# ------------------------------------------------------------------------------ main

NAME_W = 48


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:9.3f}"


def _print_row(row: dict[str, Any]) -> None:
    name = row["pattern"]
    if "ratio" not in row:
        label = "error: " if row["status"] in ("error", "numpy error") else "MISMATCH: "
        prefix = "numpy " if row["status"] == "numpy error" else ""
        print(f"{name:<{NAME_W}} {prefix}{label}{row['note']}")
        return
    verdict = "ok" if row["ok"] else "MISS"
    note = f"  {row['note']}" if row["note"] else ""
    print(
        f"{name:<{NAME_W}} {_us(row['numpy_s'])} {_us(row['lazynp_s'])} {row['ratio']:7.2f}x "
        f"{row['diff_s'] * 1e6:+9.3f}  {verdict}{note}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter batches, fewer repeats")
    parser.add_argument(
        "--only",
        action="append",
        metavar="SUBSTRING",
        help="run only the patterns whose statement contains SUBSTRING (repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="list the patterns and exit")
    parser.add_argument("--no-legacy", action="store_true", help="skip the legacy figures")
    args = parser.parse_args(argv)

    patterns = PATTERNS
    if args.only:
        patterns = [p for p in PATTERNS if any(s in p[0] for s in args.only)]
    if args.list:
        for name, _, _ in patterns:
            print(name)
        return 0
    if not patterns:
        print(f"no pattern matches {args.only}", file=sys.stderr)
        return 2

    import lazynp as lnp

    batch_s, repeats = (4e-3, 9) if args.quick else (15e-3, 31)
    start = time.perf_counter()
    call_s = _closure_cost(batch_s, repeats)
    print(
        f"{len(patterns)} statements; batches of ~{batch_s * 1e3:.0f} ms, median of {repeats}; "
        f"target: lazynp/numpy <= {TARGET_RATIO} or lazynp - numpy <= "
        f"{TARGET_DIFF_S * 1e6:.2f} us;\ncalling an empty closure costs "
        f"{call_s * 1e9:.0f} ns (in both columns)\n"
    )
    print(f"{'statement':<{NAME_W}} {'numpy us':>9} {'lazynp us':>9} {'ratio':>8} "
          f"{'diff us':>9}  target")
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, setup, opts in patterns:
            row = run_pattern(name, setup, opts, lnp, batch_s, repeats)
            rows.append(row)
            _print_row(row)

    timed = [r for r in rows if "ratio" in r]
    errors = [r for r in rows if r["status"] in ("error", "numpy error")]
    mismatches = [r for r in rows if r["status"] == "mismatch"]
    not_ok = [r for r in timed if not r["ok"]]
    summary: dict[str, Any] = {
        "timed": len(timed),
        "not_ok": len(not_ok),
        "errors": len(errors),
        "mismatches": len(mismatches),
    }
    print()
    if timed:
        geomean = math.exp(statistics.fmean(math.log(r["ratio"]) for r in timed))
        worst = max(timed, key=lambda r: r["ratio"])
        worst_diff = max(timed, key=lambda r: r["diff_s"])
        summary.update(
            geomean_ratio=geomean,
            worst_ratio=worst["ratio"],
            worst_pattern=worst["pattern"],
            worst_diff_s=worst_diff["diff_s"],
            worst_diff_pattern=worst_diff["pattern"],
        )
        print(f"geometric mean lazynp/numpy over {len(timed)} statements: {geomean:.3f}x")
        print(f"worst ratio: {worst['ratio']:.2f}x  ({worst['pattern']})")
        print(
            f"worst difference: {worst_diff['diff_s'] * 1e6:+.3f} us  "
            f"({worst_diff['pattern']})"
        )
    print(
        f"not ok: {len(not_ok)} of {len(timed)} timed; errors: {len(errors)}; "
        f"mismatches: {len(mismatches)}"
    )
    print(f"patterns took {time.perf_counter() - start:.1f} s")

    payload: dict[str, Any] = {
        "machine": machine_info(),
        "batch_s": batch_s,
        "repeats": repeats,
        "closure_call_s": call_s,
        "target": {"ratio": TARGET_RATIO, "diff_s": TARGET_DIFF_S},
        "patterns": rows,
        "summary": summary,
    }
    if not (args.only or args.no_legacy):
        payload["legacy"] = run_legacy(lnp, args.quick)
    path = write_json("overhead.json", payload)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
