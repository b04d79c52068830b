"""BLAS-backed calls made through lazynp share lazynp's thread budget (threadpoolctl)."""

from __future__ import annotations

import contextlib
import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import lazynp as lnp
from lazynp import _api, _blas, _fallback


def _blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


@pytest.mark.skipif(not _blas_threads() or (os.cpu_count() or 1) < 2,
                    reason="needs a BLAS threadpoolctl can see and 2+ CPUs")
def test_blas_limited_to_num_threads_inside_the_call() -> None:
    before = _blas_threads()
    with lnp.config(num_threads=1):
        with _blas.blas_threads("matmul"):
            assert set(_blas_threads()) == {1}
        with _blas.blas_threads("linalg.solve"):
            assert set(_blas_threads()) == {1}
        with _blas.blas_threads("sort"):  # not a BLAS call: untouched
            assert _blas_threads() == before
    assert _blas_threads() == before
    with _blas.blas_threads("matmul"):  # default: every CPU, nothing changed
        assert _blas_threads() == before


@pytest.mark.parametrize("call", ["matmul", "dot", "solve"])
def test_blas_calls_go_through_the_limit(monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    seen: list[str] = []

    def spy(name: str):
        seen.append(name)
        return contextlib.nullcontext()

    monkeypatch.setattr(_fallback, "blas_threads", spy)
    monkeypatch.setattr(_api.ufuncs, "blas_threads", spy)
    a = np.random.default_rng(0).random((50, 50)) + 50 * np.eye(50)
    b = np.ones(50)
    with lnp.config(eager_threshold=0):  # lazynp arrays (NumPy's own ones are NumPy's call)
        la, lb = lnp.array(a), lnp.array(b)
    if call == "matmul":
        got, want = la @ lb, a @ b
    elif call == "dot":
        got, want = lnp.dot(la, lb), np.dot(a, b)
    else:
        got, want = lnp.linalg.solve(la, lb), np.linalg.solve(a, b)
    np.testing.assert_allclose(np.asarray(got), want)
    assert any(call in s for s in seen), seen
