"""``lazynp.linalg``: NumPy's linear algebra API.

Until the BLAS/LAPACK producers land, every function falls back to ``numpy.linalg`` eagerly
(inputs forced, results wrapped, calls counted in ``lazynp.stats()``); exception classes such
as ``LinAlgError`` are NumPy's own.
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from .._fallback import wrap_attribute


def __getattr__(name: str) -> Any:
    try:
        obj = getattr(_np.linalg, name)
    except AttributeError:
        raise AttributeError(f"module 'lazynp.linalg' has no attribute '{name}'") from None
    wrapped = wrap_attribute(f"linalg.{name}", obj)
    globals()[name] = wrapped
    return wrapped


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_np.linalg)))
