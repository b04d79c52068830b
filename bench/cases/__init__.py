"""Cases of ``bench/suite.py``: small NumPy-style scripts, one function per case.

Every case is a :class:`Case`.  ``setup(quick)`` makes the inputs with NumPy (the same seed
in every process, outside the timings); ``run(xp, inputs)`` is the script, written once for
``xp = numpy`` and ``xp = lazynp`` (a case limited to ``modes=("numpy",)`` is a floor, not
a script).  Its return value (an array, a scalar or a tuple of them)
is forced by the suite and compared with NumPy's.  ``numexpr`` and ``numba`` optionally give
the same expression for those libraries: ``numexpr(ne, inputs)`` computes the result,
``numba(numba_module, inputs)`` returns a zero-argument callable that does (compiled on the
warm-up call).  Each module of this package defines ``CASES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Inputs = dict[str, Any]

MODULES = ("pi", "stream", "blackscholes", "softmax", "stencil", "mandelbrot", "reductions",
           "small_loop")


@dataclass(frozen=True)
class Case:
    name: str
    doc: str
    setup: Callable[[bool], Inputs]
    run: Callable[[Any, Inputs], Any]
    rtol: float = 1e-9
    atol: float = 0.0
    numexpr: Callable[[Any, Inputs], Any] | None = None
    numba: Callable[[Any, Inputs], Callable[[], Any]] | None = None
    # a figure the suite reports next to this case (the pi cases vs the streaming read)
    group: str = ""
    # the modes this case runs in (a NumPy-only floor has no lazynp form)
    modes: tuple[str, ...] = ("numpy", "reference", "llvm")


def all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for module in MODULES:
        for case in importlib.import_module(f"cases.{module}").CASES:
            cases[case.name] = case
    return cases
