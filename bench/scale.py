"""lazynp graphs on a Dask cluster against NumPy and against ``dask.array`` with NumPy chunks.

    python bench/scale.py [--quick] [--workers 2] [--json PATH]

Two programs, each run three ways on a ``distributed.LocalCluster`` of ``--workers`` worker
processes (one Dask thread each) on the loopback interface:

* pi: ``((x*x + y*y) < 1).sum()`` over ``x, y = rng.random(N)`` (N = 10**9; ``--quick``
  2*10**7).  lazynp under ``config.scheduler="dask"`` (one fused kernel per chunk, the draws
  generated on the workers from NumPy's serial stream); ``dask.array`` with NumPy chunks
  (``da.random``: one task per op and chunk); NumPy itself in a subprocess (at N when it fits
  in the memory available, else at N/10, said so).  The lazynp count is checked against
  NumPy's count of the same stream, computed block by block (exactly equal).
* Black-Scholes: the mean call price over a 4 GiB memory-mapped file of spot prices
  (``--quick``: 64 MiB), written to a temporary directory and deleted at the end.  lazynp
  (``lazynp.load(..., mmap_mode="r")``, or a lazynp array over NumPy's memmap where that is
  a NumPy memmap); ``dask.array`` whose chunks are read from the file by the workers;
  NumPy on an eighth of the file (its temporaries of the whole would not fit).  Values are
  checked against NumPy's block by block.

Reported: wall time, each process's resident memory before the run and its peak over the run
(VmHWM, reset before each run through ``/proc/self/clear_refs``), the growth in MiB and in
chunks (memory freed by an earlier run and kept by the allocator is reused without growth),
and the number of Dask tasks.  Kernels are compiled on the workers by a small
warm-up run first.  Results go to stdout and ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lazynp  # noqa: E402
from lazynp._array import wrap  # noqa: E402
from lazynp.dask import graph as dgraph  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 12345
K, T, R, V = 20.0, 0.75, 0.02, 0.3
A1, A2, A3, A4, A5 = 0.31938153, -0.356563782, 1.781477937, -1.821255978, 1.330274429
INV_SQRT_2PI = 0.3989422804014327


# ------------------------------------------------------------------ memory


def reset_peak() -> int:
    """Reset this process's peak resident size; returns the current one (bytes)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status("VmRSS")


def peak() -> int:
    return _status("VmHWM")


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def measured(client, fn):
    """(seconds, result, {process: (resident bytes at the start, peak resident bytes)})."""
    base = client.run(reset_peak)
    base["client"] = reset_peak()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    peaks = client.run(peak)
    peaks["client"] = peak()
    return seconds, result, {k: (base[k], peaks[k]) for k in peaks}


def mem_text(mem: dict, chunk_bytes: int) -> dict:
    """Per process: resident MiB at the start, the peak, and the growth in MiB and chunks."""
    out = {}
    workers = sorted(k for k in mem if k != "client")
    for k in ["client"] + workers:
        start, top = mem[k]
        name = "client" if k == "client" else f"worker{workers.index(k) + 1}"
        out[name] = {"start_MiB": round(start / 2**20, 1), "peak_MiB": round(top / 2**20, 1),
                     "growth_MiB": round((top - start) / 2**20, 1),
                     "growth_chunks": round((top - start) / chunk_bytes, 2)}
    return out


# ------------------------------------------------------------------ programs


def cnd(xp, d):
    ad = xp.abs(d)
    k = 1.0 / (1.0 + 0.2316419 * ad)
    poly = k * (A1 + k * (A2 + k * (A3 + k * (A4 + k * A5))))
    w = 1.0 - INV_SQRT_2PI * xp.exp(-0.5 * ad * ad) * poly
    return xp.where(d < 0, 1.0 - w, w)


def call_price(xp, s):
    sqrt_t = numpy.sqrt(T)
    d1 = (xp.log(s / K) + (R + 0.5 * V * V) * T) / (V * sqrt_t)
    d2 = d1 - V * sqrt_t
    return s * cnd(xp, d1) - K * numpy.exp(-R * T) * cnd(xp, d2)


def numpy_pi_count(n: int, block: int = 10_000_000) -> int:
    """NumPy's count of the serial stream (x: draws 0..n, y: draws n..2n), block by block."""
    gx = numpy.random.Generator(numpy.random.PCG64(SEED))
    by = numpy.random.PCG64(SEED)
    by.advance(n)
    gy = numpy.random.Generator(by)
    count = 0
    for lo in range(0, n, block):
        m = min(block, n - lo)
        x, y = gx.random(m), gy.random(m)
        count += int(((x * x + y * y) < 1.0).sum())
    return count


NUMPY_PI = """
import resource, sys, time, numpy
n = int(sys.argv[1])
t0 = time.perf_counter()
rng = numpy.random.default_rng({seed})
x = rng.random(n); y = rng.random(n)
c = int(((x * x + y * y) < 1.0).sum())
t = time.perf_counter() - t0
print(t, c, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""

NUMPY_BS = """
import resource, sys, time, numpy
sys.path.insert(0, {bench!r})
from scale import call_price
path, count = sys.argv[1], int(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
s = numpy.load(path, mmap_mode="r")[:count]
t0 = time.perf_counter()
m = float(call_price(numpy, s).mean())
t = time.perf_counter() - t0
print(t, m, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base)
"""


def run_numpy(code: str, *args) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True,
                         capture_output=True, text=True).stdout.split()
    return [float(v) for v in out]


def available_memory() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


# ------------------------------------------------------------------ the benchmarks


def bench_pi(client, n: int, chunk: int) -> dict:
    import dask.array as da

    def lazynp_pi():
        with lazynp.config(scheduler="dask", dask_chunks=chunk):
            rng = lazynp.random.default_rng(SEED)
            x, y = rng.random(n), rng.random(n)
            return int(((x * x + y * y) < 1.0).sum())

    with lazynp.config(scheduler="dask", dask_chunks=1 << 20):  # (compile on the workers)
        rng = lazynp.random.default_rng(1)
        x, y = rng.random(4 << 20), rng.random(4 << 20)
        int(((x * x + y * y) < 1.0).sum())
    tasks0 = dgraph.STATS["tasks"]
    t_l, count, mem_l = measured(client, lazynp_pi)
    tasks_l = dgraph.STATS["tasks"] - tasks0

    rng = da.random.default_rng(SEED)
    x, y = rng.random(n, chunks=chunk), rng.random(n, chunks=chunk)
    total = ((x * x + y * y) < 1.0).sum()
    tasks_d = len(total.__dask_graph__())
    t_d, count_d, mem_d = measured(client, lambda: int(total.compute()))

    fits = 4 * 8 * n * 1.2 < available_memory()
    n_np = n if fits else n // 10
    t_np, count_np, rss_np = run_numpy(NUMPY_PI.format(seed=SEED), n_np)
    want = int(count_np) if n_np == n else numpy_pi_count(n)
    chunk_bytes = 8 * chunk
    return {
        "n": n, "chunk_elements": chunk,
        "lazynp_dask": {"seconds": round(t_l, 3), "tasks": tasks_l, "count": count,
                        "equal_to_numpy": count == want, "pi": 4 * count / n,
                        "peak": mem_text(mem_l, chunk_bytes)},
        "dask_array_numpy_chunks": {"seconds": round(t_d, 3), "tasks": tasks_d,
                                    "pi": 4 * count_d / n, "peak": mem_text(mem_d, chunk_bytes),
                                    "note": "da.random's streams are not NumPy's"},
        "numpy": {"n": n_np, "seconds": round(t_np, 3), "peak_MiB": round(rss_np / 2**20, 1),
                  "note": "" if fits else f"N={n} does not fit in memory: measured at N/10"},
        "speedup_vs_dask_array": round(t_d / t_l, 2),
    }


def write_input(path: str, n: int) -> None:
    out = numpy.lib.format.open_memmap(path, mode="w+", dtype=numpy.float64, shape=(n,))
    rng = numpy.random.default_rng(SEED)
    block = 1 << 24
    for lo in range(0, n, block):
        out[lo:lo + block] = rng.uniform(5.0, 40.0, min(block, n - lo))
    out.flush()
    del out


def lazynp_input(path: str):
    s = lazynp.load(path, mmap_mode="r")
    if type(s) is not lazynp.LazyArray:  # NumPy's memmap: a lazynp array over its memory
        s = wrap(numpy.asarray(s).view(numpy.ndarray))
    return s


def bench_blackscholes(client, nbytes: int, chunk: int, tmp: str) -> dict:
    import dask.array as da

    n = nbytes // 8
    path = os.path.join(tmp, "spot.npy")
    t0 = time.perf_counter()
    write_input(path, n)
    t_write = time.perf_counter() - t0
    offset = numpy.load(path, mmap_mode="r").offset

    def lazynp_bs():
        with lazynp.config(scheduler="dask", dask_chunks=chunk):
            return float(call_price(lazynp, lazynp_input(path)).mean())

    with lazynp.config(scheduler="dask", dask_chunks=1 << 20):
        float(call_price(lazynp, lazynp_input(path)[:4 << 20]).mean())  # (compile on workers)
    tasks0 = dgraph.STATS["tasks"]
    t_l, mean_l, mem_l = measured(client, lazynp_bs)
    tasks_l = dgraph.STATS["tasks"] - tasks0

    def block(block_info=None):
        lo, hi = block_info[None]["array-location"][0]
        return numpy.fromfile(path, numpy.float64, hi - lo, offset=offset + 8 * lo)

    s = da.map_blocks(block, chunks=(da.core.normalize_chunks(chunk, (n,))[0],),
                      dtype=numpy.float64, meta=numpy.empty(0))
    total = call_price(da, s).mean()
    tasks_d = len(total.__dask_graph__())
    t_d, mean_d, mem_d = measured(client, lambda: float(total.compute()))

    part = n // 8
    t_np, mean_np_part, rss_np = run_numpy(
        NUMPY_BS.format(bench=str(Path(__file__).resolve().parent)), path, part)
    m = numpy.load(path, mmap_mode="r")
    acc = 0.0
    for lo in range(0, n, 1 << 24):
        acc += float(call_price(numpy, numpy.asarray(m[lo:lo + (1 << 24)])).sum())
    want = acc / n
    chunk_bytes = 8 * chunk
    return {
        "input_GiB": round(nbytes / 2**30, 3), "chunk_elements": chunk,
        "write_seconds": round(t_write, 2),
        "lazynp_dask": {"seconds": round(t_l, 3), "tasks": tasks_l, "mean": mean_l,
                        "rel_diff_vs_numpy": abs(mean_l - want) / abs(want),
                        "peak": mem_text(mem_l, chunk_bytes)},
        "dask_array_numpy_chunks": {"seconds": round(t_d, 3), "tasks": tasks_d, "mean": mean_d,
                                    "rel_diff_vs_numpy": abs(mean_d - want) / abs(want),
                                    "peak": mem_text(mem_d, chunk_bytes)},
        "numpy_on_one_eighth": {"seconds": round(t_np, 3), "peak_MiB": round(rss_np / 2**20, 1),
                                "mean_of_that_part": mean_np_part},
        "speedup_vs_dask_array": round(t_d / t_l, 2),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a test runs this)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", default=str(RESULTS / "scale.json"))
    args = ap.parse_args(argv)
    import distributed

    if args.quick:
        n_pi, bs_bytes, chunk = 20_000_000, 64 << 20, 1 << 22
    else:
        n_pi, bs_bytes, chunk = 10**9, 4 << 30, 1 << 24
    tmp = tempfile.mkdtemp(prefix="lazynp-scale-")
    try:
        with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                      processes=True, host="127.0.0.1", dashboard_address=None,
                                      silence_logs=40) as cluster, \
                distributed.Client(cluster) as client:
            out = {"workers": args.workers, "quick": args.quick,
                   "pi": bench_pi(client, n_pi, chunk),
                   "blackscholes": bench_blackscholes(client, bs_bytes, chunk, tmp)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
