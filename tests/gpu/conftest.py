"""The ``gpu`` fixture: the real CuPy and a CUDA device, else the test is skipped (these tests
run on a GPU machine: ``bench/gpu_check.sh``).  The GPU runtime's and the placement layer's
state is forgotten before and after each test.

``LAZYNP_GPU_CHECK_FAKE=1`` runs them on the fake CuPy instead (``tests/codegen_gpu/
fake_cupy.py``, slow: one C++ compile per kernel), to check the tests themselves without a
GPU; tests marked ``real_only`` (sizes the CPU shim cannot run) are skipped then."""

from __future__ import annotations

import importlib.util
import os
from typing import Iterator

import pytest

from lazynp import _placement
from lazynp.codegen_gpu import runtime
from tests.codegen_gpu.conftest import fake_cupy  # noqa: F401 (the fake's fixture)


def _forget() -> None:
    runtime.reset()
    _placement.forget()


FAKE = os.environ.get("LAZYNP_GPU_CHECK_FAKE") == "1"


@pytest.fixture
def gpu(request: pytest.FixtureRequest) -> Iterator[object]:
    if FAKE:
        if request.node.get_closest_marker("real_only"):
            pytest.skip("too large for the fake CuPy")
        yield request.getfixturevalue("fake_cupy")
        return
    if importlib.util.find_spec("cupy") is None:
        pytest.skip("CuPy is not installed")
    _forget()
    why = runtime.available()
    if why is not None:
        pytest.skip(why)
    try:
        yield runtime.cupy()
    finally:
        _forget()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_only: needs a real device (sizes the fake "
                                       "CuPy cannot run)")
