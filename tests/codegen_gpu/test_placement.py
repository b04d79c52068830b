"""Placement and residency (lazynp/_placement.py) end to end through lazynp, on the fake CuPy
(``fake_cupy.py``, whose device memory is separate from the host's and whose copies are
counted): where kernels run, that values stay on the device until Python reads them, the
array API's ``device`` / ``to_device`` / ``asarray(device=)``, ``device=auto``'s decisions,
``explain``'s placement lines, and results equal to NumPy's."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _placement
from lazynp.codegen_gpu import runtime
from tests.helpers import assert_close, assert_same

N = 10_000
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(N), rng.uniform(0.5, 2.0, N)


def _moves(fake) -> tuple[int, int]:
    return fake.TRANSFERS["h2d"], fake.TRANSFERS["d2h"]


def test_chain_stays_on_the_device(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = lnp.asarray(b, device="cuda")
    assert _moves(fake_cupy) == (2, 0)
    z = (x * 2.5 + y) * x
    z.force()
    w = lnp.sqrt(y) - z[::-1]
    w.force()
    v = lnp.where(w > 0, w, -w) / y
    lnp.force(v)
    assert runtime.stats["runs"] == 3
    assert _moves(fake_cupy) == (2, 0)  # no copy while nothing is read on the host
    got = np.asarray(v)
    assert _moves(fake_cupy) == (2, 1)
    zz = (a * 2.5 + b) * a
    ww = np.sqrt(b) - zz[::-1]
    assert_same(got, np.where(ww > 0, ww, -ww) / b)
    np.asarray(v)  # the host copy is valid now: no second copy
    assert _moves(fake_cupy) == (2, 1)


def test_reading_a_value_brings_it_back(fake_cupy, capsys):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    z = x * 3.0 + 1.0
    z.force()
    print(z)
    assert capsys.readouterr().out.strip() == str(a * 3.0 + 1.0)
    assert _moves(fake_cupy) == (1, 1)
    w = x - 2.0
    assert float(w[5]) == a[5] - 2.0
    assert bool((x > 100).any()) is False  # a full reduction: its input read on the host
    assert_same(np.sort(x * 1.0), np.sort(a * 1.0))  # a NumPy fallback
    assert x.sum() == a.sum()


def test_device_attribute_and_to_device(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    assert x.device == "cuda:0"
    assert x.to_device("cuda") is x
    assert (x + 1).device == "cuda:0"  # pending: computed where its inputs live
    h = x.to_device("cpu")
    assert h.device == "cpu" and x.device == "cuda:0"
    assert_same(np.asarray(h), a)
    c = lnp.array(b)
    assert c.device == "cpu"
    g = c.to_device("cuda")
    assert g.device == "cuda:0" and c.device == "cpu"
    assert_same(np.asarray(g + x), b + a)
    small = lnp.asarray([1.0, 2.0, 3.0], device="cuda")  # a lazynp array, even small
    assert small.device == "cuda:0"
    assert_same(np.asarray(small * 2), np.array([2.0, 4.0, 6.0]))
    assert lnp.asarray(a, device="cpu") is a
    assert lnp.asarray(a, device="cuda:0").device == "cuda:0"
    with pytest.raises(ValueError, match="lazynp uses one GPU, cuda:0"):
        x.to_device("cuda:1")


def test_mixed_devices_run_on_the_device(fake_cupy, capsys):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = lnp.array(b)  # on the host
    with lnp.config(debug=2):
        z = (x + y).force()
    assert "on cuda (inputs live on the device)" in capsys.readouterr().err
    assert _moves(fake_cupy) == (2, 0)  # y copied once ...
    (x * y).force()
    assert _moves(fake_cupy) == (2, 0)  # ... and its device copy kept
    assert_same(np.asarray(z), a + b)


def test_host_writes_reach_the_device(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = lnp.array(b)
    (x + y).force()
    y[3] = 100.0  # a host write: y's device copy is dropped
    x[4] = -7.0   # a write into a device value: made on the host copy
    got = np.asarray(x + y)
    want = a + b
    want[3] = a[3] + 100.0
    want[4] = -7.0 + b[4]
    assert_same(got, want)
    assert x.device == "cuda:0"


def test_exported_memory_is_read_from_the_host(fake_cupy):
    a, _ = _data()
    x = lnp.asarray(a, device="cuda")
    view = np.asarray(x)  # user code may write through it
    view[0] = 42.0
    assert_same(np.asarray(x * 2.0)[:2], np.array([84.0, a[1] * 2.0]))


def test_views_and_boundaries_of_device_values(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    z = (x * 2.0).force()
    w = z.reshape(100, 100).T[::2] + 1.0
    assert_same(np.asarray(w), (a * 2.0).reshape(100, 100).T[::2] + 1.0)
    c = lnp.concatenate([z, x]) - 1.0  # a boundary step reads z on the host
    assert_same(np.asarray(c), np.concatenate([a * 2.0, a]) - 1.0)
    m = (x.reshape(100, 100) * 3.0).sum(axis=1)  # a reduction: on the CPU today
    assert_close(np.asarray(m), (a.reshape(100, 100) * 3.0).sum(axis=1))


def test_device_gpu_places_every_rendered_kernel(fake_cupy, capsys):
    a, b = _data()
    with lnp.config(device="gpu", debug=2):
        x, y = lnp.array(a), lnp.array(b)
        z = (x - y) * 0.5
        z.force()
        assert z.device == "cuda:0"
        t = lnp.degrees(z)  # not rendered on the GPU: the CPU, z copied back first
        got = np.asarray(t)
    err = capsys.readouterr().err
    assert "k_sub_mul_f64: on cuda (device=gpu)" in err
    assert "k_degrees_f64: on cpu (not on the GPU: not rendered: op degrees" in err
    assert_same(got, np.degrees((a - b) * 0.5))


def test_errstate_that_raises_stays_on_the_cpu(fake_cupy):
    a, _ = _data()
    x = lnp.asarray(a, device="cuda")
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            (x / 0.0).force()


def test_auto_decides_by_cost(fake_cupy, monkeypatch):
    a, b = _data()
    with lnp.config(device="auto"):
        x, y = lnp.array(a), lnp.array(b)
        expr = x * 2.0 + y
        monkeypatch.setattr(_placement, "LINK_BW", 1e6)  # a slow link: the copies dominate
        k = lnp._engine.plan_of(lnp._array.node_of(expr), cached=False).kernels[0]
        d = _placement.decide(k)
        assert d.device == "cpu" and d.reason.startswith("auto: GPU")
        monkeypatch.setattr(_placement, "LINK_BW", 1e15)
        monkeypatch.setattr(_placement, "LAUNCH_S", 0.0)
        assert _placement.decide(k).device == "cuda"
        got = np.asarray(expr)
    assert runtime.stats["runs"] == 1
    assert_same(got, a * 2.0 + b)


def test_auto_without_a_device_means_cpu(fake_cupy):
    fake_cupy.DEVICES[0] = 0
    a, b = _data()
    with lnp.config(device="auto"):
        got = np.asarray(lnp.array(a) + lnp.array(b))
    assert_same(got, a + b)
    assert runtime.stats["runs"] == 0 and not _placement.active()
    with pytest.raises(ValueError, match="device='gpu' is not available: no usable CUDA"):
        lnp.config.set(device="gpu")
    assert lnp.config.device == "cpu"


def test_explain_shows_each_kernels_device(fake_cupy, capsys):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    lnp.explain(lnp.degrees(x * 2.0) + lnp.array(b))
    out = capsys.readouterr().out
    assert "placement (config.device=cpu):" in out
    assert "on cpu: not on the GPU: not rendered: op degrees" in out
    with lnp.config(device="gpu"):
        lnp.explain(lnp.array(b) * 2.0)
    assert "k_mul_f64 on cuda: device=gpu" in capsys.readouterr().out
    del x  # nothing lives on the device any more: no placement lines under device=cpu
    gc.collect()
    assert _placement.HOMES[0] == 0 and not _placement.active()
    lnp.explain(lnp.array(b) * 2.0)
    assert "placement" not in capsys.readouterr().out


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=REPO, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full, cwd=REPO, timeout=120)


def test_import_never_imports_cupy():
    code = ("import sys, numpy as np, lazynp as lnp\n"
            "x = lnp.array(np.ones(3_000_000)); float((x * 2).sum())\n"
            "assert 'cupy' not in sys.modules and 'lazynp.codegen_gpu' not in sys.modules\n"
            "print('ok')")
    res = _run(code, LAZYNP_DEVICE="cpu")
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr
    res = _run("import sys, lazynp; assert 'cupy' not in sys.modules; print('ok')",
               LAZYNP_DEVICE="gpu")
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_env_variable():
    res = _run("import lazynp", LAZYNP_DEVICE="tpu")
    assert res.returncode != 0 and "LAZYNP_DEVICE must be cpu, gpu or auto" in res.stderr
    code = ("import lazynp as lnp\nprint(lnp.config.device)\n"
            "from lazynp.codegen_gpu import runtime\n"
            "if runtime.available() is None:\n    print('gpu here')\nelse:\n"
            "    import numpy as np\n"
            "    try:\n        (lnp.array(np.ones(3_000_000)) + 1).force()\n"
            "    except RuntimeError as e:\n        print(e)\n")
    res = _run(code, LAZYNP_DEVICE="gpu")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "gpu"
    assert lines[1] == "gpu here" or lines[1].startswith(
        "LAZYNP_DEVICE=gpu: the GPU is not available: ")


def test_out_of_device_memory_drops_device_copies(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = lnp.array(b)
    (x + y).force()  # y gets a device copy (its host copy stays valid)
    fake_cupy.FAIL["alloc"] = 1  # the next allocation fails once
    z = (x * y).force()
    assert _placement.counts["evicted"] >= 1
    assert_same(np.asarray(z), a * b)  # y copied again: still right
    fake_cupy.FAIL["alloc"] = 2  # fails again after eviction: CuPy's error surfaces
    with pytest.raises(fake_cupy.OutOfMemoryError):
        (x - y).force()


def test_in_place_operators_and_slice_assignment(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = (x * 2.0).force()
    x += 1.0  # written on the host copy (in place: the CPU), x stays a device array
    np.multiply(y, 3.0, out=y)
    z = x + y
    assert_same(np.asarray(z), (a + 1.0) + a * 2.0 * 3.0)
    assert x.device == y.device == z.device == "cuda:0"
    w = lnp.asarray(b, device="cuda")
    w[::2] = w[1::2] * 5.0
    want = b.copy()
    want[::2] = b[1::2] * 5.0
    assert_same(np.asarray(w - 1.0), want - 1.0)


def test_unfused_path_reads_device_values_on_the_host(fake_cupy):
    a, b = _data()
    x = lnp.asarray(a, device="cuda")
    y = (x * 2.0).force()
    with lnp.config(fusion=False):
        z = y + lnp.asarray(b, device="cuda")
        assert_same(np.asarray(z), a * 2.0 + b)


def test_pi_draws_generated_in_the_device_reduction(fake_cupy, capsys):
    """The π count over lazy draws is one reduction kernel on the device, generating its
    draws (no array of draws exists on either side; only the count comes back), equal to
    NumPy's count; a cast mean (NumPy's buffered order) likewise; explain says so."""
    n = 3_000_000  # (the lazy tier at the default threshold)
    g, gn = lnp.random.default_rng(7), np.random.default_rng(7)
    with lnp.config(device="gpu", debug=2):
        x, y = g.random(n), g.random(n)
        assert lnp.is_lazy(x) and lnp.is_lazy(y)
        got = int(((x - 1) ** 2 + (y - 1) ** 2 < 1).sum())
        err = capsys.readouterr().err
        assert "k_sub_sq_add_lt_sum_f64: on cuda (device=gpu)" in err
        assert "random %" not in err and "not rendered" not in err
        assert runtime.stats["runs"] == 1
        assert _moves(fake_cupy) == (0, 1) and fake_cupy.TRANSFERS["d2h_bytes"] == 8
        xn, yn = gn.random(n), gn.random(n)
        assert got == int(((xn - 1) ** 2 + (yn - 1) ** 2 < 1).sum())
        pi = 4 * lnp.mean(g.random(n) * g.random(n) < 0.25)
        assert "on cuda (device=gpu)" in capsys.readouterr().err
        assert runtime.stats["runs"] == 2
        assert pi == 4 * np.mean(gn.random(n) * gn.random(n) < 0.25)
    with lnp.config(device="gpu"):
        rows = (g.random((3, n // 3)) ** 2).sum(axis=1)  # lazy: explain shows its placement
        lnp.explain(rows)
        assert "k_sq_sum_f64 on cuda: device=gpu" in capsys.readouterr().out
        assert_same(np.asarray(rows), (gn.random((3, n // 3)) ** 2).sum(axis=1))


def test_reduction_program_serves_other_sizes(fake_cupy):
    """One compiled reduction runs kernels of its key at other sizes with their own geometry
    (the launches are planned for the kernel being run, not the one compiled first)."""
    for rows in (3000, 4000, 2500):  # (a larger one first: wrong values, not a crash)
        a = np.linspace(-1.0, 2.0, rows * 1000).reshape(rows, 1000)
        x = lnp.asarray(a, device="cuda")
        assert_same(np.asarray((x * 2.0).sum(axis=1)), (a * 2.0).sum(axis=1))
    assert runtime.stats["runs"] == 3 and runtime.stats["compiled"] == 3  # (3 entries, once)
