"""Peak private memory of a measured step, in a subprocess of its own.

``run_child(body, directory, constants)`` runs ``body`` (Python source) in a fresh
interpreter with ``constants`` and ``DIR`` (``directory``) defined and these helpers:

* ``baseline()``: the private memory now (``RssAnon`` of ``/proc/self/status``: anonymous
  pages; a mapped file's pages are the OS's page cache, ``RssFile``) is the baseline, after
  the imports and the warm-up the body did first;
* ``measure(name, fn)``: runs ``fn()`` while a thread samples ``RssAnon`` every 5 ms;
  ``RESULTS[name]`` gets ``{"value": fn(), "peak": highest sample above the baseline
  (bytes), "seconds": wall time}``;
* ``RESULTS``: a dict the body may fill; it is what ``run_child`` returns (as JSON).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

_PRELUDE = r'''
import json as _json
import threading as _threading
import time as _time

RESULTS = {}
_BASE = [0]


def _rss_anon():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def baseline():
    _BASE[0] = _rss_anon()


def measure(name, fn):
    peak = [_rss_anon()]
    stop = _threading.Event()

    def sample():
        while not stop.wait(0.005):
            v = _rss_anon()
            if v > peak[0]:
                peak[0] = v
    t = _threading.Thread(target=sample, daemon=True)
    t.start()
    t0 = _time.perf_counter()
    try:
        value = fn()
    finally:
        seconds = _time.perf_counter() - t0
        stop.set()
        t.join()
    peak[0] = max(peak[0], _rss_anon())
    RESULTS[name] = {"value": value, "peak": peak[0] - _BASE[0], "seconds": seconds}
'''


def run_child(body: str, directory: Any, constants: dict, timeout: float = 600) -> dict:
    """Run ``body`` in a subprocess (see the module docstring); its ``RESULTS``."""
    lines = [f"{k} = {v!r}" for k, v in constants.items()]
    lines.append(f"DIR = {os.fspath(directory)!r}")
    code = "\n".join([_PRELUDE, *lines, body, "print(_json.dumps(RESULTS))"])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
