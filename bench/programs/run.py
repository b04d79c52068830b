"""Run the program corpus under NumPy and under lazynp and compare times and results.

    python bench/programs/run.py [--size small|medium|both] [--only NAME ...] [--repeats N]
                                 [--timeout S] [--json PATH]

Every program (`bench/programs/<name>.py`, a plain NumPy script) runs in its own subprocess,
``--repeats`` times per mode: ``python prog.py SIZE`` (NumPy) and
``python -m lazynp run prog.py SIZE`` (lazynp); a run whose wall time exceeds ``--slow-wall``
seconds (default 10) is not repeated, and one over ``--timeout`` (default 120) is killed and
recorded as a timeout. A program prints ``RESULT {"seconds": ...,
"checksum": [...]}`` as its last line; the figure is the best of the program's own seconds.
lazynp's checksums must match NumPy's (``numpy.allclose``; rtol 1e-6, atol 1e-9 unless the
program's file sets module-level ``RTOL = ...`` / ``ATOL = ...``, read from the text). A crash,
a timeout or a mismatch marks the row failed; the table and the JSON report it, and the exit
status is 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_JSON = REPO / "bench" / "results" / "programs.json"
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
SLOW = 0.95  # ratios below this count as slower than NumPy
SIZES = ("small", "medium")


def programs() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem != "run" and not p.stem.startswith("_"))


def tolerances(path: Path) -> tuple[float, float]:
    """RTOL / ATOL module constants, parsed from the file text (the program is not imported)."""
    text = path.read_text()
    tol = {"RTOL": DEFAULT_RTOL, "ATOL": DEFAULT_ATOL}
    for name in tol:
        m = re.search(rf"^{name}\s*=\s*([-+0-9.eE_]+)\s*(?:#.*)?$", text, re.MULTILINE)
        if m:
            tol[name] = float(m.group(1))
    return tol["RTOL"], tol["ATOL"]


def child_env() -> dict[str, str]:
    """The caller's environment, with the repository root first on PYTHONPATH (for lazynp)."""
    env = dict(os.environ)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(REPO) not in parts:
        parts.insert(0, str(REPO))
    env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def run_once(mode: str, name: str, size: str, timeout: float) -> dict:
    script = str(HERE / f"{name}.py")
    if mode == "numpy":
        cmd = [sys.executable, script, size]
    else:
        cmd = [sys.executable, "-m", "lazynp", "run", script, size]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=child_env(), cwd=str(REPO))
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return {"status": "timeout", "wall": time.perf_counter() - start,
                "error": f"timed out after {timeout:g} s", "stderr": stderr[-4000:]}
    wall = time.perf_counter() - start
    result = None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            break
    if proc.returncode != 0 or result is None:
        err_lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        error = err_lines[-1] if err_lines else f"exit status {proc.returncode}, no RESULT line"
        return {"status": "crash", "wall": wall, "returncode": proc.returncode, "error": error,
                "stderr": proc.stderr[-4000:]}
    return {"status": "ok", "wall": wall, "seconds": float(result["seconds"]),
            "checksum": [float(c) for c in result["checksum"]]}


def run_mode(mode: str, name: str, size: str, repeats: int, timeout: float,
             slow_wall: float) -> dict:
    runs = []
    for _ in range(repeats):
        r = run_once(mode, name, size, timeout)
        runs.append(r)
        if r["status"] != "ok":
            break  # a crash or a timeout repeats; don't spend the time again
        if r["wall"] > slow_wall:
            break  # one slow run says enough; repeating it only makes the whole run longer
    ok = [r for r in runs if r["status"] == "ok"]
    out = {"runs": [{k: v for k, v in r.items() if k != "stderr"} for r in runs]}
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        out.update(status=failed[0]["status"], error=failed[0]["error"],
                   stderr=failed[0].get("stderr", ""))
    else:
        best = min(ok, key=lambda r: r["seconds"])
        out.update(status="ok", seconds=best["seconds"], wall=min(r["wall"] for r in ok),
                   checksum=best["checksum"], checksums=[r["checksum"] for r in ok])
    return out


def compare(ref: list[float], got_all: list[list[float]], rtol: float, atol: float) -> str | None:
    for got in got_all:
        if len(got) != len(ref):
            return f"checksum length {len(got)} != {len(ref)}"
        if not numpy.allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True):
            return f"checksum mismatch: lazynp {got} vs numpy {ref} (rtol={rtol:g}, atol={atol:g})"
    return None


def run_row(name: str, size: str, repeats: int, timeout: float, slow_wall: float) -> dict:
    rtol, atol = tolerances(HERE / f"{name}.py")
    np_res = run_mode("numpy", name, size, repeats, timeout, slow_wall)
    lz_res = run_mode("lazynp", name, size, repeats, timeout, slow_wall)
    row = {"program": name, "size": size, "rtol": rtol, "atol": atol, "numpy": np_res,
           "lazynp": lz_res, "ok": False, "ratio": None, "failure": None}
    if np_res["status"] != "ok":
        row["failure"] = f"numpy {np_res['status']}: {np_res['error']}"
    elif lz_res["status"] != "ok":
        row["failure"] = f"lazynp {lz_res['status']}: {lz_res['error']}"
    else:
        mismatch = compare(np_res["checksum"], lz_res["checksums"], rtol, atol)
        if mismatch:
            row["failure"] = mismatch
        else:
            row["ok"] = True
    if np_res["status"] == "ok" and lz_res["status"] == "ok" and lz_res["seconds"] > 0:
        row["ratio"] = np_res["seconds"] / lz_res["seconds"]
    return row


def fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_row(row: dict) -> None:
    np_s = row["numpy"].get("seconds")
    lz_s = row["lazynp"].get("seconds")
    status = "ok" if row["ok"] else ("MISMATCH" if row["lazynp"]["status"] == "ok"
                                     and row["numpy"]["status"] == "ok"
                                     else "FAIL " + (row["lazynp"]["status"]
                                                     if row["numpy"]["status"] == "ok"
                                                     else "numpy"))
    np_w = row["numpy"].get("wall")
    lz_w = row["lazynp"].get("wall")
    print(f"{row['program']:<20} {row['size']:<7} {fmt(np_s, '9.4f')} {fmt(lz_s, '9.4f')} "
          f"{fmt(row['ratio'], '7.2f')}  {fmt(np_w, '8.2f')} {fmt(lz_w, '8.2f')}  {status}",
          flush=True)


def summarize(rows: list[dict], size: str) -> dict:
    mine = [r for r in rows if r["size"] == size]
    ratios = [(r["ratio"], r["program"]) for r in mine if r["ok"] and r["ratio"]]
    summary = {"size": size, "programs": len(mine), "ok": len(ratios),
               "failed": [r["program"] for r in mine if not r["ok"]]}
    if ratios:
        summary["geomean"] = math.exp(sum(math.log(x) for x, _ in ratios) / len(ratios))
        summary["below_0.95"] = sorted(p for x, p in ratios if x < SLOW)
        worst = min(ratios)
        summary["worst"] = {"program": worst[1], "ratio": worst[0]}
        summary["best"] = {"program": max(ratios)[1], "ratio": max(ratios)[0]}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["small", "medium", "both"], default="both")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these programs")
    parser.add_argument("--repeats", type=int, default=3, help="runs per mode (best is kept)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--slow-wall", type=float, default=10.0, metavar="S",
                        help="a run with a wall time above S seconds is not repeated")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="output JSON path")
    parser.add_argument("--list", action="store_true", help="list the programs and exit")
    args = parser.parse_args(argv)

    names = programs()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"unknown program(s): {', '.join(unknown)}")
        names = [n for n in names if n in args.only]
    sizes = SIZES if args.size == "both" else (args.size,)

    print(f"{'program':<20} {'size':<7} {'numpy s':>9} {'lazynp s':>9} {'np/lz':>7}  "
          f"{'np wall':>8} {'lz wall':>8}  ok", flush=True)
    rows = []
    t_start = time.perf_counter()
    for size in sizes:
        for name in names:
            row = run_row(name, size, args.repeats, args.timeout, args.slow_wall)
            rows.append(row)
            print_row(row)

    summaries = [summarize(rows, size) for size in sizes]
    print()
    for s in summaries:
        if "geomean" in s:
            print(f"{s['size']}: geomean np/lz {s['geomean']:.2f}x over {s['ok']} programs; "
                  f"{len(s['below_0.95'])} below {SLOW}x; worst {s['worst']['program']} "
                  f"{s['worst']['ratio']:.2f}x; best {s['best']['program']} "
                  f"{s['best']['ratio']:.2f}x; failed: {len(s['failed'])}")
        else:
            print(f"{s['size']}: no successful rows; failed: {len(s['failed'])}")
        if s.get("below_0.95"):
            print(f"  below {SLOW}x: {', '.join(s['below_0.95'])}")
    failures = [r for r in rows if not r["ok"]]
    if failures:
        print("\nFailures:")
        for r in failures:
            print(f"  {r['program']} {r['size']}: {r['failure']}")
            side = r["lazynp"] if r["numpy"]["status"] == "ok" else r["numpy"]
            tail = [ln for ln in side.get("stderr", "").splitlines() if ln.strip()][-6:]
            for ln in tail:
                print(f"      {ln}")
    elapsed = time.perf_counter() - t_start
    print(f"\ntotal {elapsed:.0f} s")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "python": sys.version.split()[0], "numpy": numpy.__version__,
        "machine": platform.machine(), "cpus": os.cpu_count(), "repeats": args.repeats,
        "timeout": args.timeout, "slow_wall": args.slow_wall, "elapsed": elapsed, "summaries": summaries, "rows": rows,
    }
    args.json.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
