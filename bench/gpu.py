"""GPU benchmarks: lazynp on the device against NumPy on the host and CuPy op by op.

    python3 bench/gpu.py [--case NAME ...] [--jsonl FILE] [--dry-run]
    python3 bench/gpu.py --report FILE        # the table of the rows in FILE

Cases (issue 12, point 7), each on the same data for the three columns:

copy        the device's copy bandwidth (CuPy ``a.copy()`` of 2 GB: read + write bytes / time)
pi          ``4 * mean(x*x + y*y < 1)`` at 5*10^8: (a) draws generated on the device
            (``lazynp.random`` requests, lazy: generated inside the kernel when
            ``codegen_gpu/random.py`` is there), (b) materialized inputs already on the
            device: its bandwidth (bytes read / time) against ``copy``'s
bs          the Black-Scholes chain (call price, A&S normal CDF: exp, log, sqrt, where) at 10^8
softmax     softmax over the rows of a 16384 x 16384 float32 matrix
mandelbrot  vectorized Mandelbrot, 4096^2 points x 100 steps (float64, escape counts)
rng         ``random(10**9)`` materialized (float64)

Every row gives median times (lazynp and CuPy: median of ``--repeat`` runs after a warm-up
run; NumPy: one run at these sizes), the speed-ups lazynp/NumPy and lazynp/CuPy, the *path*
lazynp took (which kernels ran on the device, and why others did not: a reduction or random
renderer not merged yet runs that kernel on the CPU) and a check of lazynp's result against
NumPy's on the same data (``exact`` or the max error in ULP / relative).  Rows go to stdout
and, with ``--jsonl``, one JSON object per line (``bench/gpu_check.sh`` runs one process per
case and prints the table with ``--report``).

``--dry-run`` (or ``LAZYNP_GPU_CHECK_FAKE=1``) runs every case at tiny sizes on the fake CuPy
of the tests (``tests/codegen_gpu/fake_cupy.py``: kernels compiled for the CPU), so the code
paths are checked without a GPU; its times mean nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FULL = {"copy": 1 << 28, "pi": 500_000_000, "bs": 100_000_000, "softmax": 16384,
        "mandelbrot": (4096, 100), "rng": 1_000_000_000}
DRY = {"copy": 1 << 16, "pi": 300_000, "bs": 200_000, "softmax": 256,
       "mandelbrot": (128, 6), "rng": 300_000}
CASES = tuple(FULL)


def _install_fake() -> None:
    from tests.codegen_gpu import fake_cupy
    sys.modules["cupy"] = fake_cupy


class Env:
    """The modules and settings of one run."""

    def __init__(self, dry: bool, repeat: int) -> None:
        if dry:
            _install_fake()
        import cupy

        import lazynp as lnp
        from lazynp import _placement
        from lazynp.codegen_gpu import runtime
        self.cp, self.lnp, self.rt, self.placement = cupy, lnp, runtime, _placement
        self.dry = dry
        self.sizes = DRY if dry else FULL
        self.repeat = repeat
        if dry:
            lnp.config.set(eager_threshold=1000)
        why = runtime.available()
        if why is not None:
            raise SystemExit(f"no GPU: {why}")
        self.device = runtime.device_info().name

    def sync(self) -> None:
        self.cp.cuda.Device().synchronize()

    def time(self, fn: Callable[[], Any], repeat: int | None = None) -> float:
        fn()  # warm: compile / load
        ts = []
        for _ in range(repeat or self.repeat):
            self.sync()
            t = time.perf_counter()
            fn()
            self.sync()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts)

    def once(self, fn: Callable[[], Any]) -> tuple[float, Any]:
        t = time.perf_counter()
        out = fn()
        return time.perf_counter() - t, out

    def mark(self) -> None:
        self.placement.LOG.clear()

    def path(self) -> str:
        """Where the kernels since ``mark()`` ran: device kernels by name, CPU ones with why."""
        on: dict[str, list] = {"cuda": [], "cpu": []}
        for name, device, reason in self.placement.LOG:
            item = name if device == "cuda" else f"{name} ({reason})"
            if item not in on[device]:
                on[device].append(item)
        parts = [f"GPU: {', '.join(on['cuda'])}" if on["cuda"] else "GPU: none"]
        if on["cpu"]:
            parts.append(f"CPU: {'; '.join(on['cpu'])}")
        return " / ".join(parts)


def _check(got: np.ndarray, want: np.ndarray) -> str:
    """``exact``, or the largest difference relative to the largest value (a chain's
    results: the per-op ULP bounds are checked by tests/gpu)."""
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype != want.dtype or got.shape != want.shape:
        return f"DIFFERS ({got.dtype}{got.shape} vs {want.dtype}{want.shape})"
    if got.dtype.kind in "biu":
        return "exact" if np.array_equal(got, want) else "DIFFERS"
    nan = np.isnan(want)
    if not np.array_equal(np.isnan(got), nan):
        return "NaN positions differ"
    g, w = got[~nan].astype(np.float64), want[~nan].astype(np.float64)
    if np.array_equal(g, w):
        return "exact"
    return f"max err {float(np.max(np.abs(g - w)) / max(float(np.max(np.abs(w))), 1e-300)):.1e}"


def _rel(got: float, want: float) -> str:
    return "exact" if got == want else f"rel {abs(got - want) / abs(want):.1e}"


def _row(env: Env, case: str, t_np: float | None, t_lz: float, t_cp: float | None,
         check: str, path: str, **extra: Any) -> dict:
    row = {"case": case, "numpy_s": t_np, "lazynp_s": t_lz, "cupy_s": t_cp,
           "vs_numpy": None if t_np is None else t_np / t_lz,
           "vs_cupy": None if t_cp is None else t_cp / t_lz, "check": check, "path": path,
           "device": env.device, "dry_run": env.dry}
    row.update(extra)
    return row


# ----------------------------------------------------------------------------- cases
def case_copy(env: Env) -> list[dict]:
    n = env.sizes["copy"]
    a = env.cp.empty((n,), np.float64)
    a.set(np.ones(n))  # (the values do not matter: the memory is touched once)
    t = env.time(lambda: a.copy())
    bw = 2 * a.nbytes / t
    return [_row(env, "copy", None, t, None, "-", "CuPy a.copy()", bandwidth_GBs=bw / 1e9,
                 bytes=2 * a.nbytes)]


def pi_expr(xp: Any, x: Any, y: Any) -> Any:
    # (the method: lazynp fuses the comparison into the mean, one kernel generating the
    # draws; ``xp.mean(temp)`` holds ``temp`` during the call, so lazynp stores it first)
    if not hasattr(xp.ndarray, "mean"):  # (the fake CuPy of --dry-run has the function)
        return 4 * xp.mean(x * x + y * y < 1)
    return 4 * (x * x + y * y < 1).mean()


def case_pi(env: Env, copy_bw: float | None) -> list[dict]:
    lnp, cp, n = env.lnp, env.cp, env.sizes["pi"]
    rows = []
    # (a) draws generated on the device, lazily, inside the kernel that reads them
    t_np, want = env.once(lambda: pi_expr(np, *_np_draws(n)))

    def lazy_draws() -> Any:
        g = lnp.random.default_rng(7)
        return float(pi_expr(lnp, g.random(n), g.random(n)))

    env.mark()
    with lnp.config(device="gpu"):
        got = lazy_draws()
        path = env.path()
        t_lz = env.time(lazy_draws)
    g = cp.random.default_rng(7)  # (CuPy's own generator: another stream, same work)
    t_cp = env.time(lambda: float(pi_expr(cp, g.random(n), g.random(n))))
    rows.append(_row(env, "pi (device draws)", t_np, t_lz, t_cp, _rel(got, float(want)), path,
                     n=n))
    # (b) materialized inputs already on the device: bandwidth against the copy's
    xh, yh = _np_draws(n)
    t_np, want = env.once(lambda: pi_expr(np, xh, yh))
    x, y = lnp.asarray(xh, device="cuda"), lnp.asarray(yh, device="cuda")
    xc, yc = cp.asarray(xh), cp.asarray(yh)
    env.mark()
    got = float(pi_expr(lnp, x, y))
    path = env.path()
    t_lz = env.time(lambda: float(pi_expr(lnp, x, y)))
    t_cp = env.time(lambda: float(pi_expr(cp, xc, yc)))
    bw = (xh.nbytes + yh.nbytes) / t_lz
    extra = {"bandwidth_GBs": bw / 1e9, "n": n}
    if copy_bw:
        extra["of_copy_bandwidth"] = bw / copy_bw
    rows.append(_row(env, "pi (materialized)", t_np, t_lz, t_cp, _rel(got, float(want)), path,
                     **extra))
    return rows


def _np_draws(n: int) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(7)
    return g.random(n), g.random(n)


def cnd(xp: Any, d: Any) -> Any:
    k = 1.0 / (1.0 + 0.2316419 * xp.abs(d))
    w = k * (0.31938153 + k * (-0.356563782 + k * (1.781477937 + k * (-1.821255978
                                                                       + k * 1.330274429))))
    w = 1.0 - 0.3989422804014327 * xp.exp(-0.5 * d * d) * w
    return xp.where(d < 0, 1.0 - w, w)


def black_scholes(xp: Any, s: Any, k: Any, t: Any) -> Any:
    r, v = 0.02, 0.3
    sq = xp.sqrt(t)
    d1 = (xp.log(s / k) + (r + 0.5 * v * v) * t) / (v * sq)
    d2 = d1 - v * sq
    return s * cnd(xp, d1) - k * xp.exp(-r * t) * cnd(xp, d2)


def case_bs(env: Env) -> list[dict]:
    lnp, cp, n = env.lnp, env.cp, env.sizes["bs"]
    g = np.random.default_rng(3)
    host = (g.uniform(10, 100, n), g.uniform(10, 100, n), g.uniform(0.1, 2.0, n))
    t_np, want = env.once(lambda: black_scholes(np, *host))
    lz = [lnp.asarray(a, device="cuda") for a in host]
    dev = [cp.asarray(a) for a in host]
    env.mark()
    got = black_scholes(lnp, *lz)
    got.force()
    path = env.path()
    t_lz = env.time(lambda: black_scholes(lnp, *lz).force())
    t_cp = env.time(lambda: black_scholes(cp, *dev))
    return [_row(env, "black-scholes", t_np, t_lz, t_cp, _check(np.asarray(got), want), path,
                 n=n)]


def softmax(xp: Any, x: Any) -> Any:
    e = xp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def case_softmax(env: Env) -> list[dict]:
    lnp, cp, m = env.lnp, env.cp, env.sizes["softmax"]
    host = np.random.default_rng(5).standard_normal((m, m), dtype=np.float32)
    t_np, want = env.once(lambda: softmax(np, host))
    x = lnp.asarray(host, device="cuda")
    xc = cp.asarray(host)
    env.mark()
    got = softmax(lnp, x)
    got.force()
    path = env.path()
    t_lz = env.time(lambda: softmax(lnp, x).force())
    t_cp = env.time(lambda: softmax(cp, xc))
    return [_row(env, "softmax rows", t_np, t_lz, t_cp, _check(np.asarray(got), want), path,
                 shape=[m, m])]


def mandelbrot(xp: Any, cr: Any, ci: Any, steps: int, force: Callable[[Any], Any]) -> Any:
    zr = cr * 0.0
    zi = ci * 0.0
    count = (cr * 0.0).astype(np.int32)
    for _ in range(steps):
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        count = count + (zr * zr + zi * zi < 4.0)
        zr = xp.minimum(xp.maximum(zr, -4.0), 4.0)  # (bounded: no overflow warnings)
        zi = xp.minimum(xp.maximum(zi, -4.0), 4.0)
        force(zr)
        force(zi)
        force(count)
    return count


def case_mandelbrot(env: Env) -> list[dict]:
    lnp, cp = env.lnp, env.cp
    m, steps = env.sizes["mandelbrot"]
    re = np.linspace(-2.0, 0.6, m)
    im = np.linspace(-1.2, 1.2, m)
    crh, cih = np.meshgrid(re, im)
    t_np, want = env.once(lambda: mandelbrot(np, crh, cih, steps, _nothing))
    cr, ci = lnp.asarray(crh, device="cuda"), lnp.asarray(cih, device="cuda")
    crc, cic = cp.asarray(crh), cp.asarray(cih)
    env.mark()
    got = mandelbrot(lnp, cr, ci, steps, lnp.force)
    path = env.path()
    t_lz = env.time(lambda: mandelbrot(lnp, cr, ci, steps, lnp.force), repeat=1)
    t_cp = env.time(lambda: mandelbrot(cp, crc, cic, steps, _nothing), repeat=1)
    return [_row(env, "mandelbrot", t_np, t_lz, t_cp, _check(np.asarray(got), want), path,
                 shape=[m, m], steps=steps)]


def _nothing(x: Any) -> Any:
    return x


def case_rng(env: Env) -> list[dict]:
    lnp, cp, n = env.lnp, env.cp, env.sizes["rng"]
    t_np, want = env.once(lambda: np.random.default_rng(11).random(n))

    def fill() -> Any:
        return lnp.random.default_rng(11).random(n).force()

    env.mark()
    with lnp.config(device="gpu"):
        got = fill()
        path = env.path()
        t_lz = env.time(fill)
    if got.device == "cpu":
        path += "; generated on the host"
    g = cp.random.default_rng(11)
    t_cp = env.time(lambda: g.random(n))
    head = np.asarray(got[:1000]) if n > 1000 else np.asarray(got)
    check = "exact (first 1000)" if np.array_equal(head, want[:1000]) else "DIFFERS"
    del want
    return [_row(env, "rng fill", t_np, t_lz, t_cp, check, path, n=n)]


# ----------------------------------------------------------------------------- report
def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}{unit}"
    return str(v)


def report(rows: list[dict], out: Any = sys.stdout) -> None:
    dev = next((r["device"] for r in rows if r.get("device")), "?")
    print(f"lazynp GPU benchmarks, {datetime.date.today().isoformat()}, {dev}", file=out)
    print("| case | NumPy s | lazynp s | CuPy s | vs NumPy | vs CuPy | check | extra | path |",
          file=out)
    print("|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        if "error" in r:
            print(f"| {r['case']} | - | - | - | - | - | FAILED | - | {r['error']} |", file=out)
            continue
        extra = ", ".join(f"{k} {_fmt(r[k])}" for k in ("bandwidth_GBs", "of_copy_bandwidth")
                          if k in r)
        print(f"| {r['case']} | {_fmt(r['numpy_s'])} | {_fmt(r['lazynp_s'])} | "
              f"{_fmt(r['cupy_s'])} | {_fmt(r['vs_numpy'], 'x')} | {_fmt(r['vs_cupy'], 'x')} | "
              f"{r['check']} | {extra or '-'} | {r['path']} |", file=out)


def run(cases: list[str], dry: bool, repeat: int, jsonl: str | None) -> list[dict]:
    env = Env(dry, repeat)
    rows: list[dict] = []
    copy_bw = None
    if jsonl and os.path.exists(jsonl):  # (the copy row of an earlier process of this run)
        for line in Path(jsonl).read_text().splitlines():
            r = json.loads(line)
            if r.get("case") == "copy" and "bandwidth_GBs" in r:
                copy_bw = r["bandwidth_GBs"] * 1e9
    for case in cases:
        try:
            got = case_pi(env, copy_bw) if case == "pi" else globals()[f"case_{case}"](env)
        except BaseException as e:  # (one failure does not stop the other cases)
            if isinstance(e, KeyboardInterrupt):
                raise
            traceback.print_exc()
            got = [{"case": case, "error": f"{type(e).__name__}: {e}"[:300], "dry_run": dry}]
        for r in got:
            if r.get("case") == "copy" and "bandwidth_GBs" in r:
                copy_bw = r["bandwidth_GBs"] * 1e9
            rows.append(r)
            if jsonl:
                with open(jsonl, "a") as f:
                    f.write(json.dumps(r) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--case", action="append", choices=CASES)
    p.add_argument("--jsonl")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--report")
    args = p.parse_args(argv)
    if args.report:
        rows = [json.loads(line) for line in Path(args.report).read_text().splitlines()]
        report(rows)
        return 0 if rows and all("error" not in r for r in rows) else 1
    dry = args.dry_run or os.environ.get("LAZYNP_GPU_CHECK_FAKE") == "1"
    rows = run(args.case or list(CASES), dry, args.repeat, args.jsonl)
    report(rows)
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
