"""Out of core on one machine: data larger than what a run may allocate streams through the
fused kernels with bounded private memory (issue 13, point 1; docs/scale.md).

Each case runs in a subprocess (``probe.run_child``) that samples ``RssAnon`` (the process's
private pages; a mapped file's pages are the OS's page cache, ``RssFile``) from
``/proc/self/status`` every 5 ms in a thread and reports, per measured step, the peak above
its baseline after the imports and a warm-up.  Values are compared with NumPy in the same
child, chunk by chunk (NumPy computing the same expressions on the same chunks).
"""

from __future__ import annotations

import sys

import pytest

from tests.scale.probe import run_child

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RssAnon is read from /proc/self/status")



@pytest.fixture()
def scratch(tmp_path):
    """``tmp_path``, emptied of the gigabytes of ``.npy`` files after the test, passed or
    failed (pytest keeps the last temporary directories)."""
    yield tmp_path
    for f in tmp_path.glob("*.npy"):
        f.unlink()

# the test: a 4 GiB .npy pair (2 x 2^28 float64), a pi-style reduction, float sums
# and an elementwise chain written to a third memmap
PAIR = r"""
import os
import numpy
import lazynp as lnp
n, chunk = N, 1 << 22
paths = [os.path.join(DIR, f) for f in ("x.npy", "y.npy", "z.npy")]
for i, p in enumerate(paths[:2]):  # written streaming, chunk by chunk, by NumPy
    m = numpy.lib.format.open_memmap(p, mode="w+", dtype=numpy.float64, shape=(n,))
    g = numpy.random.default_rng(i)
    for s in range(0, n, chunk):
        m[s:s + chunk] = g.random(min(chunk, n - s))
    m.flush()
    del m
# warm-up: the same kernels compiled on a small mapping of the same dtype
x = lnp.load(paths[0], mmap_mode="r")[:WARM]
y = lnp.load(paths[1], mmap_mode="r")[:WARM]
int(((x * x + y * y) < 1.0).sum()), float((x * y).sum()), float(x.mean())
w = lnp.lib.format.open_memmap(os.path.join(DIR, "w.npy"), mode="w+", dtype="f8",
                               shape=(WARM,))
w[...] = numpy.sqrt(x * x + y * y) * 0.5 - y
del x, y, w
baseline()

x = lnp.load(paths[0], mmap_mode="r")
y = lnp.load(paths[1], mmap_mode="r")
measure("pi", lambda: int(((x * x + y * y) < 1.0).sum()))
measure("dot", lambda: float((x * y).sum()).hex())
measure("mean", lambda: float(x.mean()).hex())
z = lnp.lib.format.open_memmap(paths[2], mode="w+", dtype=numpy.float64, shape=(n,))
def chain():
    z[...] = numpy.sqrt(x * x + y * y) * 0.5 - y
    z.flush()
measure("chain", chain)
del x, y, z

# NumPy on the same chunks: the count, NumPy's pairwise sums (for 2^k elements NumPy's sum is
# the pairwise tree of its 2^22-element chunks' sums: checked on 2^24 elements here first)
xm, ym, zm = (numpy.load(p, mmap_mode="r") for p in paths)
probe = xm[:1 << 24] * ym[:1 << 24]
def tree(parts):
    while len(parts) > 1:
        parts = [parts[i] + parts[i + 1] for i in range(0, len(parts), 2)]
    return parts[0]
assert tree([probe[s:s + chunk].sum() for s in range(0, 1 << 24, chunk)]) == probe.sum()
count, dots, sums, wrong = 0, [], [], 0
for s in range(0, n, chunk):
    a, b = xm[s:s + chunk], ym[s:s + chunk]
    count += int(((a * a + b * b) < 1.0).sum())
    dots.append((a * b).sum())
    sums.append(a.sum())
    wrong += int((zm[s:s + chunk] != numpy.sqrt(a * a + b * b) * 0.5 - b).sum())
RESULTS["numpy"] = {"pi": count, "dot": float(tree(dots)).hex(),
                    "mean": float(tree(sums) / n).hex(), "chain_mismatches": wrong}
del xm, ym, zm
for p in paths:
    os.remove(p)
"""


def test_four_gib_pair_streams(scratch):
    n = 1 << 28  # float64: 2 GiB per file
    data = 2 * n * 8
    res = run_child(PAIR, scratch, {"N": n, "WARM": 1 << 22}, timeout=900)
    want = res["numpy"]
    assert res["pi"]["value"] == want["pi"]
    assert res["dot"]["value"] == want["dot"]  # NumPy's pairwise order: bit for bit
    assert res["mean"]["value"] == want["mean"]
    assert want["chain_mismatches"] == 0
    for step in ("pi", "dot", "mean", "chain"):
        assert res[step]["peak"] <= 0.05 * data, (step, res[step])


# lazy random sources of any length: generated block by block inside the consuming kernel
RANDOM = r"""
import os
import numpy
import lazynp as lnp
n, chunk = N, 1 << 22
path = os.path.join(DIR, "r.npy")
rng = lnp.random.default_rng(5)
int(((rng.random(WARM) ** 2 + rng.random(WARM) ** 2) < 1).sum())  # warm-up
w = lnp.lib.format.open_memmap(os.path.join(DIR, "w.npy"), mode="w+", dtype="f8",
                               shape=(WARM,))
w[...] = rng.random(WARM)
del w
baseline()

rng = lnp.random.default_rng(5)
measure("pi", lambda: int(((rng.random(n) ** 2 + rng.random(n) ** 2) < 1).sum()))
m = lnp.lib.format.open_memmap(path, mode="w+", dtype=numpy.float64, shape=(n // 2,))
def fill():
    m[...] = rng.random(n // 2)
    m.flush()
measure("fill", fill)
del m

g1, g2, g3 = (numpy.random.default_rng(5) for _ in range(3))
g2.bit_generator.advance(n)  # one double per draw: the second array's draws
g3.bit_generator.advance(2 * n)
count = 0
for s in range(0, n, chunk):
    k = min(chunk, n - s)
    count += int(((g1.random(k) ** 2 + g2.random(k) ** 2) < 1).sum())
mm = numpy.load(path, mmap_mode="r")
wrong = 0
for s in range(0, n // 2, chunk):
    k = min(chunk, n // 2 - s)
    wrong += int((mm[s:s + k] != g3.random(k)).sum())
RESULTS["numpy"] = {"pi": count, "fill_mismatches": wrong}
del mm
os.remove(path)
"""


def test_random_sources_stream(scratch):
    n = 2 * 10**8
    res = run_child(RANDOM, scratch, {"N": n, "WARM": 1 << 22}, timeout=600)
    assert res["pi"]["value"] == res["numpy"]["pi"]
    assert res["numpy"]["fill_mismatches"] == 0
    for step in ("pi", "fill"):  # 1.6 GB of draws per array
        assert res[step]["peak"] <= 0.05 * n * 8, (step, res[step])


# the other ways of streaming, on 2 x 256 MiB: out= with temporaries among the arguments,
# an in-place operator, save of a pending array, count_nonzero, std (two passes)
WRITES = r"""
import os
import numpy
import lazynp as lnp
n, chunk = N, 1 << 22
px, py, pz, ps = (os.path.join(DIR, f) for f in ("x.npy", "y.npy", "z.npy", "s.npy"))
for i, p in enumerate((px, py)):
    m = numpy.lib.format.open_memmap(p, mode="w+", dtype=numpy.float64, shape=(n,))
    m[...] = numpy.random.default_rng(i).random(n)
    m.flush()
    del m
def steps(x, y, z, save_path):
    yield "out", lambda: lnp.multiply(x * 2.0, y - 1.0, out=z) is z
    yield "iadd", lambda: z.__iadd__(x * y) is z
    yield "save", lambda: lnp.save(save_path, numpy.sqrt(x * x + y * y) - z)
    yield "count", lambda: int(lnp.count_nonzero(x * x + y * y < 1.0))
    yield "std", lambda: float(y.std()).hex()
def run(k, save_path, record):
    x = lnp.load(px, mmap_mode="r")[:k]
    y = lnp.load(py, mmap_mode="r")[:k]
    z = lnp.lib.format.open_memmap(pz, mode="w+", dtype=numpy.float64, shape=(n,))[:k]
    for name, fn in steps(x, y, z, save_path):
        record(name, fn)
run(WARM, os.path.join(DIR, "w.npy"), lambda name, fn: fn())  # warm-up
baseline()
run(n, ps, measure)

xm, ym, zm, sm = (numpy.load(p, mmap_mode="r") for p in (px, py, pz, ps))
wrong_z = wrong_s = count = 0
for s in range(0, n, chunk):
    a, b = xm[s:s + chunk], ym[s:s + chunk]
    z = numpy.multiply(a * 2.0, b - 1.0)
    z += a * b
    wrong_z += int((zm[s:s + chunk] != z).sum())
    wrong_s += int((sm[s:s + chunk] != numpy.sqrt(a * a + b * b) - z).sum())
    count += int(numpy.count_nonzero(a * a + b * b < 1.0))
RESULTS["numpy"] = {"z": wrong_z, "s": wrong_s, "count": count,
                    "std": float(numpy.asarray(ym).std()).hex()}
del xm, ym, zm, sm
for p in (px, py, pz, ps):
    os.remove(p)
"""


def test_writes_and_counts_stream(scratch):
    n = 1 << 25  # float64: 256 MiB per input
    res = run_child(WRITES, scratch, {"N": n, "WARM": 1 << 22}, timeout=600)
    want = res["numpy"]
    assert res["out"]["value"] is True and res["iadd"]["value"] is True
    assert want["z"] == 0 and want["s"] == 0
    assert res["count"]["value"] == want["count"]
    # (std: NumPy's two passes, its pairwise sums: within docs/numerics.md's tolerance)
    assert abs(float.fromhex(res["std"]["value"]) / float.fromhex(want["std"]) - 1) < 1e-12
    for step in ("out", "iadd", "save", "count", "std"):
        assert res[step]["peak"] <= 0.05 * 2 * n * 8, (step, res[step])
