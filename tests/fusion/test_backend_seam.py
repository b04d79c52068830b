"""The backend seam (lazynp/_backends.py): a backend is a module and one registry line; the
engine runs each kernel on it first and on the reference executor when it declines."""

import sys
import types

import numpy as np

import lazynp as lnp
from lazynp import _backends


def _fake(monkeypatch, run_kernel):
    mod = types.ModuleType("lazynp_fake_backend")
    mod.run_kernel = run_kernel
    mod.declined = lambda: "the fake declines everything"
    monkeypatch.setitem(sys.modules, "lazynp_fake_backend", mod)
    monkeypatch.setitem(_backends.REGISTRY, "fake", "lazynp_fake_backend")
    monkeypatch.setattr(_backends, "_loaded", {})


def test_a_declined_kernel_runs_on_the_reference_with_its_reason(monkeypatch, capsys):
    seen = []

    def run_kernel(k, settings):
        seen.append(k.name)
        return None

    _fake(monkeypatch, run_kernel)
    x = np.linspace(0.0, 1.0, 5000)
    with lnp.config(backend="fake", eager_threshold=0, debug=2):
        got = np.asarray(lnp.exp(lnp.array(x)) * 2.0 + 1.0)
    np.testing.assert_array_equal(got, np.exp(x) * 2.0 + 1.0)  # (the reference is NumPy)
    assert seen == ["k_exp_mul_add_f64"]
    assert "declined by fake (the fake declines everything)" in capsys.readouterr().err


def test_a_registered_backend_computes_the_kernels(monkeypatch):
    from lazynp.fusion.reference import run_kernel_reported

    ran = []

    def run_kernel(k, settings):  # a "backend" that computes with the reference's loops
        ran.append(k.name)
        return run_kernel_reported(k, settings.block_size, set())

    _fake(monkeypatch, run_kernel)
    x = np.linspace(0.0, 1.0, 5000)
    with lnp.config(backend="fake", eager_threshold=0):
        got = np.asarray((lnp.array(x) * 3.0).sum(keepdims=True) + lnp.array(x))
    np.testing.assert_array_equal(got, (x * 3.0).sum(keepdims=True) + x)
    assert len(ran) == 2
