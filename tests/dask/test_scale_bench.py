"""``bench/scale.py --quick`` runs (its own 2-worker LocalCluster on loopback) and its
results are right: the pi count equals NumPy's count of the same stream, the Black-Scholes
means match NumPy's block by block, lazynp needs fewer tasks than dask.array."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("dask.array")
pytest.importorskip("distributed")

SCALE = Path(__file__).resolve().parents[2] / "bench" / "scale.py"


def test_scale_bench_quick():
    spec = importlib.util.spec_from_file_location("scale_bench", SCALE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(["--quick", "--json", ""])
    pi, bs = out["pi"], out["blackscholes"]
    assert pi["lazynp_dask"]["equal_to_numpy"]
    assert pi["numpy"]["n"] == pi["n"]
    assert 3.13 < pi["lazynp_dask"]["pi"] < 3.15
    assert pi["lazynp_dask"]["tasks"] < pi["dask_array_numpy_chunks"]["tasks"]
    assert bs["lazynp_dask"]["rel_diff_vs_numpy"] < 1e-12
    assert bs["dask_array_numpy_chunks"]["rel_diff_vs_numpy"] < 1e-12
    assert bs["lazynp_dask"]["tasks"] < bs["dask_array_numpy_chunks"]["tasks"]
