"""Benchmark suite: NumPy-style scripts under NumPy and lazynp (reference and llvm), one run.

    python bench/suite.py [--quick] [--case NAME ...] [--repeats N] [--threads N]

Cases live in ``bench/cases/`` (one small script function each, written once for ``xp``):
the pi example in both forms and the streaming read of its inputs, a Black-Scholes-like
chain, softmax over rows, a 2-D Jacobi stencil loop, vectorized Mandelbrot, axis reductions
and the small-array loop.  ``--quick`` uses small sizes (a smoke run, well under a minute).

Every (case, mode) runs in its own subprocess, so that its peak memory (``ru_maxrss``) is
its own; modes are ``numpy``, ``reference`` and ``llvm`` (lazynp's ``backend`` setting), and
``numexpr`` / ``numba`` (parallel=True) for the cases that give those expressions, when the
libraries are importable.  In the child the inputs are made with NumPy (same seed in every
mode) and handed over to lazynp (a large input becomes a lazynp array on the same memory, a
small one stays NumPy's own); the script then runs once as a
warm-up (compiles or loads kernels, not timed) and ``--repeats`` times more; the figure is
the median.  Every run forces its result.  The result of each mode is saved and compared
with NumPy's in the parent (same shape and dtype, ``allclose`` with the case's tolerance);
a mismatch or a crash marks the case failed.

Memory (MB): ``peak`` is the child's ``ru_maxrss`` (interpreter, imports, inputs, warm-up
and compiling included); ``run +MB`` is the high-water mark during the timed runs minus the
resident size just before them (Linux ``/proc/self/clear_refs``): the working memory one run
of the script needs beyond its inputs, i.e. its temporaries.  The JSON also has the resident
size after the imports (``rss_start_mb``), with the inputs (``rss_inputs_mb``), after the
warm-up (``rss_warm_mb``) and the inputs' own size (``input_mb``).

The table gives seconds per mode and the ratios NumPy / mode (higher is better); the JSON,
with every figure, goes to ``bench/results/suite.json``.  The issue's targets (pi >= 8x
NumPy and within 1.25x of the streaming read, pi peak <= inputs + 5%, Black-Scholes >= 3x
NumPy, no case slower than NumPy) are checked and printed at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import numpy  # noqa: E402
from _common import machine_info, median_time, write_json  # noqa: E402
from cases import Case, all_cases  # noqa: E402

LAZY_MODES = ("reference", "llvm")
BASE_MODES = ("numpy",) + LAZY_MODES
EXTRA_MODES = ("numexpr", "numba")
MB = 1 << 20
SHORT = {"reference": "ref", "numexpr": "ne"}


# ---------------------------------------------------------------------------------------
# child: one case in one mode


def _rss_bytes() -> int:
    """Resident set size now (Linux ``/proc``; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return _peak_bytes()


def _peak_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _reset_peak() -> bool:
    """Restart the kernel's high-water mark of RSS (Linux >= 4.0); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _hwm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM")


def _force(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(numpy.asarray(v) for v in value)
    return numpy.asarray(value)


def _runner(case: Case, mode: str, inputs: dict[str, Any]):
    """A zero-argument callable running ``case`` in ``mode`` and forcing its result."""
    if mode == "numpy":
        return lambda: _force(case.run(numpy, inputs))
    if mode in LAZY_MODES:
        import lazynp

        lazynp.config.set(backend=mode)
        from lazynp._array import from_numpy

        # The harness hands its input arrays over to lazynp (it keeps no other reference), as
        # if lazynp had made them: a large one becomes a lazynp array on the same memory, a
        # small one stays NumPy's own (``lazynp.asarray(x)`` would be ``x`` itself, and
        # ``lazynp.array`` a copy that would count twice in the memory figures).
        for k, v in list(inputs.items()):
            if type(v) is numpy.ndarray:
                inputs[k] = from_numpy(v)
        return lambda: _force(case.run(lazynp, inputs))
    if mode == "numexpr":
        import numexpr

        return lambda: _force(case.numexpr(numexpr, inputs))
    if mode == "numba":
        import numba

        compiled = case.numba(numba, inputs)
        return lambda: _force(compiled())
    raise SystemExit(f"unknown mode {mode!r}")


def _import_mode(mode: str) -> None:
    # imports before the baseline RSS, so that they do not count as the script's memory
    if mode in LAZY_MODES:
        import lazynp  # noqa: F401
        from lazynp.codegen_cpu import runtime  # noqa: F401
    elif mode in EXTRA_MODES:
        importlib.import_module(mode)


def child(name: str, mode: str, quick: bool, repeats: int, out: Path) -> None:
    case = all_cases()[name]
    _import_mode(mode)
    rss_start = _rss_bytes()
    inputs = case.setup(quick)
    input_bytes = sum(v.nbytes for v in inputs.values() if isinstance(v, numpy.ndarray))
    rss_inputs = _rss_bytes()
    fn = _runner(case, mode, inputs)
    start = time.perf_counter()
    result = fn()
    warm_s = time.perf_counter() - start
    arrays = result if isinstance(result, tuple) else (result,)
    numpy.savez(f"{out}.npz", *arrays)
    del result, arrays
    peak = _peak_bytes()  # the whole child so far: inputs, warm-up, compiling
    rss_warm = _rss_bytes()
    reset = _reset_peak()
    seconds = median_time(fn, 1, repeats)
    peak = max(peak, _peak_bytes())
    run_extra = _hwm_bytes() - rss_warm if reset else None
    record: dict[str, Any] = {
        "seconds": seconds, "warm_s": warm_s, "repeats": repeats,
        "peak_mb": peak / MB, "rss_start_mb": rss_start / MB, "rss_inputs_mb": rss_inputs / MB,
        "extra_mb": (peak - rss_inputs) / MB, "input_mb": input_bytes / MB,
        "rss_warm_mb": rss_warm / MB,
        "run_extra_mb": None if run_extra is None else run_extra / MB,
    }
    if mode in LAZY_MODES:
        import lazynp
        from lazynp.codegen_cpu import runtime

        record["threads"] = lazynp.config.num_threads
        record["kernel_runs"] = runtime.stats["runs"]
        record["fallbacks"] = dict(runtime.stats["fallbacks"])
    Path(f"{out}.json").write_text(json.dumps(record))


# ---------------------------------------------------------------------------------------
# parent: run the children, compare, report


def _modes(case: Case) -> list[str]:
    modes = list(case.modes)
    for extra in EXTRA_MODES:
        if getattr(case, extra) is not None and importlib.util.find_spec(extra) is not None:
            modes.append(extra)
    return modes


def _spawn(name: str, mode: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{name}.{mode}"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, mode,
           "--out", str(out), "--repeats", str(args.repeats)]
    if args.quick:
        cmd.append("--quick")
    env = dict(os.environ)
    if args.threads:
        for var in ("LAZYNP_NUM_THREADS", "NUMBA_NUM_THREADS", "NUMEXPR_MAX_THREADS"):
            env[var] = str(args.threads)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(Path(f"{out}.json").read_text())


def _compare(case: Case, tmp: Path, mode: str) -> str | None:
    """None when ``mode``'s result agrees with NumPy's, else why not."""
    with numpy.load(tmp / f"{case.name}.numpy.npz") as ref, \
            numpy.load(tmp / f"{case.name}.{mode}.npz") as got:
        if len(ref.files) != len(got.files):
            return f"{len(got.files)} results, NumPy has {len(ref.files)}"
        for key in ref.files:
            a = ref[key]
            b = got[key]
            if a.shape != b.shape or a.dtype != b.dtype:
                return f"result {key}: {b.dtype}{b.shape}, NumPy {a.dtype}{a.shape}"
            if not numpy.allclose(b, a, rtol=case.rtol, atol=case.atol, equal_nan=True):
                with numpy.errstate(all="ignore"):
                    err = numpy.max(numpy.abs(b.astype(complex) - a) / (numpy.abs(a) + 1e-300))
                return f"result {key}: differs from NumPy (max rel err {err:.2e})"
    return None


def run_case(case: Case, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"case": case.name, "doc": case.doc, "group": case.group,
                           "modes": {}, "failed": []}
    for mode in _modes(case):
        rec = _spawn(case.name, mode, args, tmp)
        row["modes"][mode] = rec
        if "error" in rec:
            row["failed"].append(f"{mode}: {rec['error']}")
        elif mode != "numpy" and "error" not in row["modes"]["numpy"]:
            why = _compare(case, tmp, mode)
            if why:
                rec["mismatch"] = why
                row["failed"].append(f"{mode}: {why}")
    numpy_s = row["modes"]["numpy"].get("seconds")
    for rec in row["modes"].values():
        if numpy_s and "seconds" in rec:
            rec["speedup"] = numpy_s / rec["seconds"]
    return row


def _cell(rec: dict[str, Any], key: str, fmt: str, width: int) -> str:
    if "error" in rec or key not in rec:
        return f"{'fail' if 'error' in rec else '-':>{width}}"
    return f"{rec[key]:{width}{fmt}}"


def print_table(rows: list[dict[str, Any]], extras: list[str]) -> None:
    modes = list(BASE_MODES) + extras
    head = f"{'case':16}" + "".join(f" {m + ' s':>11}" for m in modes)
    head += "".join(f" {'np/' + SHORT.get(m, m):>9}" for m in modes[1:])
    head += "   peak MB np/ref/llvm  run +MB np/ref/llvm  ok"
    print(head)
    for row in rows:
        recs = [row["modes"].get(m, {}) for m in modes]
        line = f"{row['case']:16}" + "".join(" " + _cell(r, "seconds", ".4f", 11) for r in recs)
        line += "".join(" " + _cell(r, "speedup", ".2f", 9) for r in recs[1:])
        line += "  " + "".join(" " + _cell(r, "peak_mb", ".0f", 6) for r in recs[:3])
        line += "  " + "".join(" " + _cell(r, "run_extra_mb", ".0f", 6) for r in recs[:3])
        line += "  " + ("FAIL" if row["failed"] else "ok")
        print(line)


def _seconds(rows: dict[str, dict[str, Any]], case: str, mode: str) -> float | None:
    return rows.get(case, {}).get("modes", {}).get(mode, {}).get("seconds")


def check_targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets that this run measured, each with its figure and verdict."""
    by_name = {r["case"]: r for r in rows}
    checks: list[dict[str, Any]] = []

    def add(what: str, value: float, ok: bool, unit: str = "x") -> None:
        checks.append({"target": what, "value": value, "met": ok, "unit": unit})

    streams = [s for c in ("stream_read", "stream_read_mt") for m in BASE_MODES
               if (s := _seconds(by_name, c, m))]
    for name in ("pi_oneline", "pi_statements"):
        llvm = by_name.get(name, {}).get("modes", {}).get("llvm", {})
        if "speedup" in llvm:
            add(f"{name}: llvm >= 8x NumPy", llvm["speedup"], llvm["speedup"] >= 8)
        if "seconds" in llvm and streams:
            ratio = llvm["seconds"] / min(streams)
            add(f"{name}: llvm <= 1.25x fastest streaming read", ratio, ratio <= 1.25)
        if "peak_mb" in llvm and llvm["input_mb"]:
            # everything the case allocated (inputs, compiling, running), not the interpreter
            frac = (llvm["peak_mb"] - llvm["rss_start_mb"]) / llvm["input_mb"] - 1
            add(f"{name}: llvm peak over imports <= inputs + 5%", frac, frac <= 0.05, "%")
    bs = by_name.get("black_scholes", {}).get("modes", {})
    if "speedup" in bs.get("llvm", {}):
        add("black_scholes: llvm >= 3x NumPy", bs["llvm"]["speedup"], bs["llvm"]["speedup"] >= 3)
    for extra in EXTRA_MODES:
        if "seconds" in bs.get(extra, {}) and "seconds" in bs.get("llvm", {}):
            ratio = bs[extra]["seconds"] / bs["llvm"]["seconds"]
            add(f"black_scholes: llvm faster than {extra}", ratio, ratio > 1)
    for row in rows:
        if row["case"].startswith("stream_read"):
            continue  # the floor for pi, not a script
        rec = row["modes"].get("llvm", {})
        if "speedup" in rec:
            add(f"{row['case']}: llvm not slower than NumPy", rec["speedup"],
                rec["speedup"] >= 1)
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--case", action="append", metavar="NAME",
                        help="run only this case (repeatable); see --list")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed runs after the warm-up (default 5; 3 with --quick)")
    parser.add_argument("--threads", type=int, default=None,
                        help="LAZYNP_NUM_THREADS (and numba/numexpr threads) for the children")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per child")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.child:
        child(args.child[0], args.child[1], args.quick, args.repeats, args.out)
        return
    cases = all_cases()
    if args.list:
        for case in cases.values():
            print(f"{case.name:16} {case.doc}")
        return
    names = args.case or list(cases)
    unknown = [n for n in names if n not in cases]
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; known: {', '.join(cases)}")
    extras = [m for m in EXTRA_MODES if importlib.util.find_spec(m) is not None]
    for m in EXTRA_MODES:
        print(f"{m}: {'installed' if m in extras else 'not installed'}", flush=True)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lazynp-suite-") as tmp:
        for name in names:
            print(f"  running {name} ...", file=sys.stderr, flush=True)
            rows.append(run_case(cases[name], args, Path(tmp)))
    elapsed = time.perf_counter() - started
    threads = args.threads or os.environ.get("LAZYNP_NUM_THREADS") or os.cpu_count()
    print(f"{'quick' if args.quick else 'full'} run, threads={threads}, median of "
          f"{args.repeats} after a warm-up, {elapsed:.0f} s in all; the machine may be shared "
          "with other work, so figures are indicative")
    print_table(rows, extras)
    for row in rows:
        for why in row["failed"]:
            print(f"FAILED {row['case']}: {why}")
        for mode in LAZY_MODES:
            fallbacks = row["modes"].get(mode, {}).get("fallbacks")
            if mode == "llvm" and fallbacks:
                print(f"note {row['case']}: llvm left kernels to the reference: {fallbacks}")
    checks = check_targets(rows)
    if checks:
        print("targets (issue 4)" + (", set for the full sizes, not --quick:" if args.quick else ":"))
        for c in checks:
            value = f"{c['value']:+.1%}" if c["unit"] == "%" else f"{c['value']:.3g}x"
            print(f"  {'met ' if c['met'] else 'MISS'}  {c['target']}: {value}")
    path = write_json("suite.json", {
        "machine": machine_info(), "quick": args.quick, "repeats": args.repeats,
        "threads": threads, "elapsed_s": elapsed, "rows": rows, "targets": checks,
        "not_installed": [m for m in EXTRA_MODES if m not in extras]})
    print(f"wrote {path}")
    if any(row["failed"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
