"""The GPU backend on a real CUDA device (skipped without CuPy and a device): every
elementwise corpus kernel (``tests/codegen_gpu/corpus.py``) against NumPy (bit for bit;
CUDA's libm within ``LIBM_ULP``), 64-bit indexing past 2**31 elements, residency (values stay
on the device until Python reads them), the array API's device calls, ``device=auto``,
reductions (those reading lazy random draws generate them in the reduction kernel) and
errors naming the kernel."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _placement
from lazynp.codegen_gpu import render as R
from lazynp.codegen_gpu import runtime
from lazynp.fusion.plan import RunSettings
from tests.codegen_gpu.corpus import CASES, expected, kernels_of
from tests.codegen_gpu.test_reduce import _same  # (bit for bit, NaNs at the same places)
from tests.helpers import assert_same

LIBM_ULP = 4
SETTINGS = RunSettings(65536, 1, 1e9, False, None, 0)
N = 5_000_000


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_on_the_device(gpu, case):
    (k,) = kernels_of(case)
    got = runtime.run_kernel(k, SETTINGS)
    assert got is not None, runtime.declined()
    want = expected(case)
    if case.libm:
        np.testing.assert_array_max_ulp(got[0], want, maxulp=LIBM_ULP)
    else:
        _same(got[0], want)


@pytest.mark.real_only
def test_64_bit_indices(gpu):
    n = (1 << 31) + 7
    a = np.arange(n, dtype=np.uint8)
    x = lnp.asarray(a, device="cuda")
    y = x[::-1] + np.uint8(3)
    k = lnp._engine.plan_of(lnp._array.node_of(y), cached=False).kernels[0]
    assert R.index_bits(k) == 64
    got = np.asarray(y)
    assert got[0] == np.uint8(a[-1] + 3) and got[-1] == np.uint8(a[0] + 3)
    assert np.array_equal(got[-1000:], a[999::-1] + np.uint8(3))


def test_chain_stays_on_the_device(gpu):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(N), rng.uniform(0.5, 2.0, N)
    x = lnp.asarray(a, device="cuda")
    y = lnp.asarray(b, device="cuda")
    z = (x * 2.5 + y) * x
    z.force()
    w = lnp.sqrt(y) - z[::-1]
    w.force()
    v = lnp.where(w > 0, w, -w) / y
    lnp.force(v)
    assert (_placement.counts["h2d"], _placement.counts["d2h"]) == (2, 0)
    assert runtime.stats["runs"] == 3
    got = np.asarray(v)
    assert (_placement.counts["h2d"], _placement.counts["d2h"]) == (2, 1)
    zz = (a * 2.5 + b) * a
    ww = np.sqrt(b) - zz[::-1]
    assert_same(got, np.where(ww > 0, ww, -ww) / b)


def test_device_api(gpu):
    a = np.linspace(-3, 3, N)
    x = lnp.asarray(a, device="cuda")
    assert x.device == "cuda:0" and (x + 1).device == "cuda:0"
    h = (x * 2).to_device("cpu")
    assert h.device == "cpu"
    assert_same(np.asarray(h), a * 2)
    g = lnp.array(a).to_device("cuda")
    assert g.device == "cuda:0"
    assert_same(np.asarray(g - x), a - a)


def test_auto_offloads_expensive_kernels_on_resident_data(gpu):
    a = np.linspace(0.1, 3, N)
    x = lnp.asarray(a, device="cuda")
    with lnp.config(device="auto"):
        e = lnp.exp(lnp.sin(x) * lnp.cos(x)) / (x + 1.0)
        k = lnp._engine.plan_of(lnp._array.node_of(e), cached=False).kernels[0]
        assert _placement.decide(k).device == "cuda"
        np.testing.assert_array_max_ulp(np.asarray(e), np.exp(np.sin(a) * np.cos(a)) / (a + 1),
                                        maxulp=8)


def test_compile_errors_name_the_kernel(gpu, monkeypatch):
    def broken(k, bits=None):
        return 'extern "C" __global__ void lzg_broken(int n) { not C }', "lzg_broken"
    monkeypatch.setattr(runtime.R, "render", broken)
    with lnp.config(backend="cuda"):
        z = lnp.array(np.ones(N)) - lnp.array(np.ones(N))
        with pytest.raises(runtime.CudaError, match="could not compile kernel k_sub_f64"):
            z.force()


def _ran_on_device(name_part: str) -> bool:
    return any(name_part in name and device == "cuda" for name, device, _ in _placement.LOG)


def test_reductions(gpu):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((1000, 1000))
    x = lnp.asarray(a, device="cuda")
    _placement.LOG.clear()
    assert float((x * 2.0).sum()) == float((a * 2.0).sum())  # NumPy's pairwise order
    assert_same(np.asarray((x * 2.0).max(axis=1)), (a * 2.0).max(axis=1))
    assert_same(np.asarray((x > 0).sum(axis=0)), (a > 0).sum(axis=0))
    sm = lnp.exp(x - x.max(axis=1, keepdims=True))
    got = np.asarray(sm / sm.sum(axis=1, keepdims=True))
    e = np.exp(a - a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    if importlib.util.find_spec("lazynp.codegen_gpu.reduce") is not None:
        assert _ran_on_device("_sum_"), list(_placement.LOG)


def test_random_draws(gpu):
    with lnp.config(device="gpu"):
        _placement.LOG.clear()
        y = lnp.random.default_rng(5).random(N) * 2.0 + 1.0
        got = np.asarray(y)
        z = np.asarray(lnp.random.default_rng(6).random(N).force())
    assert_same(got, np.random.default_rng(5).random(N) * 2.0 + 1.0)
    assert_same(z, np.random.default_rng(6).random(N))
    if importlib.util.find_spec("lazynp.codegen_gpu.random") is not None:
        assert _ran_on_device("k_mul_add") and _ran_on_device("random %"), list(_placement.LOG)


def test_reductions_of_device_draws(gpu):
    """Reductions reading lazy draws generate them in the reduction kernel (no random fill
    step), with NumPy's values: the π count and mean, float64 / float32 (buffered half) sums,
    a uniform max, a full-range integer sum, rows of a 2-d request."""
    def both(seed: int, pre: Any = None) -> tuple[Any, Any]:
        g, gn = lnp.random.default_rng(seed), np.random.default_rng(seed)
        if pre is not None:
            pre(g), pre(gn)
        return g, gn

    def f32_odd(g: Any) -> None:
        g.random(3, dtype=np.float32)

    def pi(xp: Any, g: Any) -> Any:
        x, y = g.random(N), g.random(N)
        return ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum()

    cases = [
        (pi, None),
        (lambda xp, g: 4 * (g.random(N) ** 2 + g.random(N) ** 2 < 1).mean(), None),
        (lambda xp, g: (g.random(N) - 0.5).sum(), None),
        (lambda xp, g: (g.random(N, dtype=np.float32) * np.float32(2)).sum(), f32_odd),
        (lambda xp, g: g.uniform(-2.0, 3.0, N).max(), None),
        (lambda xp, g: (g.integers(-2**63, 2**63, N) >> 3).sum(), f32_odd),
        (lambda xp, g: (g.random((50, N // 50)) * 3.0).sum(axis=1), None),
    ]
    with lnp.config(device="gpu"):
        for seed, (fn, pre) in enumerate(cases):
            _placement.LOG.clear()
            g, gn = both(seed, pre)
            got = np.asarray(fn(lnp, g))
            assert_same(got, np.asarray(fn(np, gn)))
            assert [d for _, d, _ in _placement.LOG] == ["cuda"], list(_placement.LOG)
            assert not _ran_on_device("random %"), list(_placement.LOG)
