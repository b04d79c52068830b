"""Shared helpers for lazynp benchmarks: timing with medians, machine info, JSON output.

Timing claims live here, never in pass/fail tests (docs/design.md: testing habits).  Every benchmark
times NumPy in the same run as lazynp and reports ratios, so figures from different machines
are comparable.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def median_time(fn: Callable[[], Any], inner: int, repeats: int) -> float:
    """Median over ``repeats`` batches of the time of one call of ``fn`` (seconds).

    Each batch calls ``fn`` ``inner`` times back to back; the garbage collector is paused
    inside a batch so that one batch does not pay for another's garbage.
    """
    samples = []
    for _ in range(repeats):
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            elapsed = time.perf_counter() - start
        finally:
            if gc_was_enabled:
                gc.enable()
        samples.append(elapsed / inner)
    return statistics.median(samples)


def machine_info() -> dict[str, Any]:
    import numpy

    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "numpy": numpy.__version__,
    }
    try:
        import lazynp

        info["lazynp"] = getattr(lazynp, "__version__", "unknown")
    except Exception as exc:  # pragma: no cover - reported, not fatal
        info["lazynp"] = f"import failed: {exc!r}"
    return info


def write_json(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path


def format_seconds(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:8.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "
