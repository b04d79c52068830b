"""The ``fake_cupy`` fixture: ``tests/codegen_gpu/fake_cupy.py`` installed as
``sys.modules["cupy"]`` for one test (the previous module, if any, is put back), with the GPU
runtime's and the placement layer's state forgotten before and after (nothing made with the
fake outlives the test).  Skips without a C++ compiler."""

from __future__ import annotations

import sys
from typing import Iterator

import pytest

from lazynp import _placement
from lazynp.codegen_gpu import runtime
from tests.codegen_gpu import fake_cupy as fake

_MISSING = object()


def _forget() -> None:
    runtime.reset()
    _placement.forget()
    fake.reset_counts()
    fake.FAIL["launch"] = None
    fake.FAIL["alloc"] = 0
    fake.DEVICES[0] = 1


@pytest.fixture
def fake_cupy() -> Iterator[object]:
    if fake.CXX is None:
        pytest.skip("no C++ compiler for the fake CuPy")
    old = sys.modules.get("cupy", _MISSING)
    sys.modules["cupy"] = fake
    _forget()
    try:
        yield fake
    finally:
        _forget()
        if old is _MISSING:
            del sys.modules["cupy"]
        else:
            sys.modules["cupy"] = old
