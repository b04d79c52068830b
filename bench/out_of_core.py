"""Out of core on one machine: memory-mapped inputs and outputs, NumPy vs lazynp.

Usage: python bench/out_of_core.py [--log2n 26] [--dir DIR]

Writes two ``.npy`` files of 2**log2n float64 each (default 2 x 512 MiB) under ``--dir`` (a
temporary directory by default, removed at the end), then runs each case once per module in
a fresh process: the same statements with ``np`` NumPy or lazynp, on arrays from
``np.load(path, mmap_mode="r")``.  Reported per case: wall time of the statement, peak
private memory above the baseline (``RssAnon`` sampled every 5 ms: a mapping's file pages
are the page cache's, not the process's), and NumPy time / lazynp time.  lazynp compiles
its kernels on a small slice first (warm-up, not timed).  The files stay in the page cache
between the runs, so both modules read memory, not disk.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CASES = {
    "pi: ((x*x + y*y) < 1).sum()": "r = int(((x * x + y * y) < 1.0).sum())",
    "float sum: (x*y).sum()": "r = float((x * y).sum())",
    "chain into a memmap": "z[...] = np.sqrt(x * x + y * y) * 0.5 - y",
    "save(path, pending)": "np.save(out, np.sqrt(x * x + y * y))",
    "random pi, 2 x n draws": ("rng = np.random.default_rng(5)\n"
                               "r = int(((rng.random(n) ** 2 + rng.random(n) ** 2) < 1).sum())"),
}

CHILD = r'''
import json, os, sys, threading, time
import numpy
if MODULE == "lazynp":
    import lazynp as np
else:
    np = numpy
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
x = np.load(os.path.join(DIR, "x.npy"), mmap_mode="r")
y = np.load(os.path.join(DIR, "y.npy"), mmap_mode="r")
n = x.shape[0]
z = np.lib.format.open_memmap(os.path.join(DIR, "z.npy"), mode="w+", dtype="f8", shape=(n,))
out = os.path.join(DIR, "out.npy")
if MODULE == "lazynp":  # compile the kernels on a small slice (not timed)
    k = 1 << 22
    x, y, z, n0 = x[:k], y[:k], z[:k], n
    n = k
    exec(STATEMENT)
    x = np.load(os.path.join(DIR, "x.npy"), mmap_mode="r")
    y = np.load(os.path.join(DIR, "y.npy"), mmap_mode="r")
    z = np.lib.format.open_memmap(os.path.join(DIR, "z.npy"), mode="r+")
    n = n0
base = rss()
peak = [base]
stop = threading.Event()
def sample():
    while not stop.wait(0.005):
        peak[0] = max(peak[0], rss())
t = threading.Thread(target=sample, daemon=True)
t.start()
t0 = time.perf_counter()
exec(STATEMENT)
seconds = time.perf_counter() - t0
stop.set()
t.join()
peak[0] = max(peak[0], rss())
print(json.dumps({"seconds": seconds, "peak": peak[0] - base}))
'''


def run(module: str, statement: str, directory: str) -> dict:
    code = (f"MODULE = {module!r}\nDIR = {directory!r}\nSTATEMENT = {statement!r}\n"
            + CHILD)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_inputs(directory: str, n: int) -> None:
    import numpy

    for i, name in enumerate(("x.npy", "y.npy")):
        m = numpy.lib.format.open_memmap(os.path.join(directory, name), mode="w+",
                                         dtype=numpy.float64, shape=(n,))
        g = numpy.random.default_rng(i)
        for s in range(0, n, 1 << 22):
            m[s:s + (1 << 22)] = g.random(min(1 << 22, n - s))
        m.flush()
        del m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log2n", type=int, default=26)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    n = 1 << args.log2n
    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        write_inputs(directory, n)
        data = 2 * n * 8
        print(f"inputs: 2 x {n} float64 = {data / 2**30:.2f} GiB mapped; peak RssAnon in MB "
              f"(and as % of the inputs)")
        print(f"{'case':30s} {'numpy s':>8s} {'lazynp s':>9s} {'ratio':>6s} "
              f"{'numpy MB':>14s} {'lazynp MB':>14s}")
        for name, statement in CASES.items():
            a = run("numpy", statement, directory)
            b = run("lazynp", statement, directory)
            print(f"{name:30s} {a['seconds']:8.2f} {b['seconds']:9.2f} "
                  f"{a['seconds'] / b['seconds']:6.2f} "
                  f"{a['peak'] / 1e6:8.0f} ({100 * a['peak'] / data:3.0f}%) "
                  f"{b['peak'] / 1e6:8.1f} ({100 * b['peak'] / data:3.1f}%)", flush=True)


if __name__ == "__main__":
    main()
