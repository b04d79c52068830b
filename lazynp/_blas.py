"""One thread budget for lazynp's kernels and the BLAS/LAPACK library behind NumPy.

Compiled kernels run on ``config.num_threads`` threads (``LAZYNP_NUM_THREADS``).  NumPy's
BLAS (OpenBLAS, MKL, ...) keeps its own pool, sized to the machine.  When the user gives
lazynp fewer threads than the machine has, BLAS-backed calls made through lazynp
(``matmul``/``@``, ``dot``, ``vdot``, ``inner``, ``tensordot``, ``einsum``, ``lazynp.linalg``)
run with BLAS limited to the same number (threadpoolctl), so neither pool oversubscribes
the cores the user meant to give.  With the default (every CPU) nothing is changed and
nothing is paid.  Kernels and BLAS calls never run at the same time (both are synchronous
on the calling thread), so the two pools never compete with each other.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np

from ._config import config

__all__ = ["blas_threads", "BLAS_FUNCTIONS", "BLAS_UFUNCS"]

BLAS_FUNCTIONS = frozenset({"matmul", "dot", "vdot", "inner", "tensordot", "einsum",
                            "vecdot", "matvec", "vecmat", "linalg"})
#: the ufuncs among them (gufuncs backed by BLAS)
BLAS_UFUNCS = frozenset(getattr(np, n) for n in ("matmul", "vecdot", "matvec", "vecmat")
                        if hasattr(np, n))
_CPUS = os.cpu_count() or 1
_state: dict[str, Any] = {}


def _controller() -> Any:
    ctrl = _state.get("ctrl")
    if ctrl is None:
        from threadpoolctl import ThreadpoolController

        ctrl = _state["ctrl"] = ThreadpoolController()
    return ctrl


def blas_threads(name: str) -> Any:
    """Context for a NumPy call named ``name`` (``"linalg.solve"``, ``"matmul"``...): BLAS
    limited to ``config.num_threads`` when that is below the CPU count, else a no-op."""
    n = int(config.num_threads)
    if n >= _CPUS or name.split(".", 1)[0] not in BLAS_FUNCTIONS:
        return contextlib.nullcontext()
    return _controller().limit(limits=max(n, 1), user_api="blas")
