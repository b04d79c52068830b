"""``bench/gpu.py --dry-run``: every GPU benchmark case runs to completion on the fake CuPy at
tiny sizes (its code paths checked without a GPU), with lazynp's results checked against
NumPy's and the elementwise cases placed on the (fake) device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.codegen_gpu import fake_cupy

REPO = Path(__file__).resolve().parents[2]


def test_dry_run(tmp_path: Path) -> None:
    if fake_cupy.CXX is None:
        pytest.skip("no C++ compiler for the fake CuPy")
    out = tmp_path / "gpu.jsonl"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    res = subprocess.run([sys.executable, "bench/gpu.py", "--dry-run", "--repeat", "1",
                          "--jsonl", str(out)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    rows = {r["case"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"copy", "pi (device draws)", "pi (materialized)", "black-scholes",
                         "softmax rows", "rng fill", "mandelbrot"}
    for r in rows.values():
        assert r["dry_run"] and "error" not in r
        assert r["check"] in ("-", "exact", "exact (first 1000)") or (
            r["check"].startswith("max err ") and float(r["check"][8:]) < 1e-6), r
    assert rows["black-scholes"]["path"].startswith("GPU: k_")
    assert "k_mul_sub_add_lt_f64" in rows["mandelbrot"]["path"]
    # (one reduction kernel on the device generating its draws: no random fill step)
    assert rows["pi (device draws)"]["path"] == "GPU: k_mul_add_lt_mean_f64"
    assert rows["copy"]["bandwidth_GBs"] > 0
    assert "of_copy_bandwidth" in rows["pi (materialized)"]
    assert "| black-scholes |" in res.stdout
