"""``python -m lazynp run --compare``: the script under NumPy and under lazynp, side by side.

Runs the script twice in subprocesses (plain ``python script.py`` and ``python -m lazynp run
script.py``), prints both wall times, the speed-up and whether the two standard outputs are
identical.  A module of its own so that a plain ``run`` does not import ``subprocess`` and
``difflib`` (start-up time).
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _package_parent() -> str:
    return str(Path(__file__).resolve().parents[1])


def _timed_run(cmd: list[str], env: dict[str, str] | None) -> tuple[int, float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    return proc.returncode, elapsed, proc.stdout.decode(errors="replace")


def _short_diff(left: str, right: str, limit: int = 40) -> list[str]:
    lines = list(
        difflib.unified_diff(
            left.splitlines(), right.splitlines(), "numpy stdout", "lazynp stdout", lineterm=""
        )
    )
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return lines


def _echo(text: str, limit: int = 20) -> None:
    """Show the script's own output (its first ``limit`` lines) above the comparison."""
    lines = text.splitlines()
    for line in lines[:limit]:
        print(line)
    if len(lines) > limit:
        print(f"... ({len(lines) - limit} more lines)")


def compare(script: str, args: Sequence[str] = (), explain: bool = False, repeat: int = 1) -> int:
    """Run ``script`` under NumPy and under lazynp in subprocesses and report both.

    Exit status: 0 when both runs succeed with identical stdout, 1 when either run fails,
    3 when both succeed but their stdout differs.  With ``repeat > 1`` the best time of each
    side is reported (stdout of the last run is compared).
    """
    if not os.path.isfile(script):
        print(f"lazynp run: can't open file {script!r}", file=sys.stderr)
        return 2
    numpy_cmd = [sys.executable, script, *args]
    lazy_cmd = [sys.executable, "-m", "lazynp", "run"]
    if explain:
        lazy_cmd.append("--explain")
    lazy_cmd += [script, *args]
    lazy_env = dict(os.environ)
    extra = lazy_env.get("PYTHONPATH")
    lazy_env["PYTHONPATH"] = _package_parent() + (os.pathsep + extra if extra else "")

    results = {}
    for label, cmd, env in (("numpy", numpy_cmd, None), ("lazynp", lazy_cmd, lazy_env)):
        best = float("inf")
        for _ in range(max(1, repeat)):
            rc, elapsed, out = _timed_run(cmd, env)
            best = min(best, elapsed)
            if rc != 0:
                break
        results[label] = (rc, best, out)

    (np_rc, np_time, np_out), (lz_rc, lz_time, lz_out) = results["numpy"], results["lazynp"]
    _echo(lz_out if lz_rc == 0 else np_out)
    print(f"script : {' '.join([script, *args])}")
    print(f"numpy  : {np_time:9.3f} s" + ("" if np_rc == 0 else f"   FAILED (exit {np_rc})"))
    print(f"lazynp : {lz_time:9.3f} s" + ("" if lz_rc == 0 else f"   FAILED (exit {lz_rc})"))
    if np_rc != 0 or lz_rc != 0:
        return 1
    print(f"speedup: {np_time / lz_time:9.2f}x  (numpy time / lazynp time)")
    if np_out == lz_out:
        print("stdout : identical")
        return 0
    print("stdout : DIFFERENT")
    for line in _short_diff(np_out, lz_out):
        print("  " + line)
    return 3
