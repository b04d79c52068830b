"""The backend registry: who runs fused kernels.

A compiled backend is a folder of its own (renderer + compiler + runtime) whose runtime module
offers three functions, and one line in ``REGISTRY`` below:

* ``run_kernel(kernel, settings) -> list[np.ndarray] | None``: the kernel's output values,
  or None when it declines the kernel (an op, dtype or layout it does not handle, or a
  floating-point flag NumPy must report): the engine then runs it on the reference executor.
* ``declined() -> str``: why the last ``run_kernel`` of this thread declined (shown at
  ``LAZYNP_DEBUG=2`` and counted in the backend's statistics).
* ``run_direct(kernel, nodes, settings, out=None, in_place=False)``: a plan-cache template's
  only kernel run straight on the graph's nodes (see ``codegen_cpu/runtime.py``), or None.

``settings`` is a ``fusion.plan.RunSettings`` (block size, threads, parallel threshold,
fast-math) the engine hands in: a backend imports no settings module.

``reference`` (NumPy block by block, ``fusion/reference.py``) has no module: it is the oracle
the engine falls back to.  ``config.backend`` names the backend; modules are imported on first
use (the compiled backend loads llvmlite).
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

__all__ = ["REGISTRY", "Backend", "get"]

# name -> the module of its runtime (None: the reference executor alone)
REGISTRY: dict[str, str | None] = {
    "reference": None,
    "llvm": "lazynp.codegen_cpu.runtime",
    "cuda": "lazynp.codegen_gpu.runtime",
}


class Backend(NamedTuple):
    name: str
    run_kernel: Any
    run_direct: Any
    declined: Any


_loaded: dict[str, Backend | None] = {}


def get(name: str) -> Backend | None:
    """The backend ``name`` (None for the reference executor alone)."""
    try:
        return _loaded[name]
    except KeyError:
        pass
    path = REGISTRY[name]
    backend = None
    if path is not None:
        mod = importlib.import_module(path)
        backend = Backend(name, mod.run_kernel, getattr(mod, "run_direct", None), mod.declined)
    _loaded[name] = backend
    return backend
