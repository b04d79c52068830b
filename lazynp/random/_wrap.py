"""Conversions between lazynp arrays and numpy arrays for lazynp.random.

``lazynp._array`` provides ``wrap(numpy_array)`` (a concrete lazynp array around the buffer)
and ``asnumpy(x)`` (force anything to a numpy array).  While the core is not importable (or
lacks them) results stay numpy arrays and inputs go through ``numpy.asarray``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_helpers: list = []


def _load() -> tuple:
    if not _helpers:
        try:
            from lazynp._array import asnumpy as _asnumpy
            from lazynp._array import from_numpy as _wrapfn
        except Exception:
            return (None, None)
        _helpers.extend([_wrapfn, _asnumpy])
    return _helpers[0], _helpers[1]


def is_lazynp(x: Any) -> bool:
    """True for lazynp's array type (anything array-like defined in lazynp outside random)."""
    mod = type(x).__module__
    return (mod.startswith("lazynp") and not mod.startswith("lazynp.random")
            and hasattr(x, "shape") and not issubclass(type(x), (np.ndarray, np.generic)))


def wrap(a: Any) -> Any:
    """A NumPy array result as handed out (``lazynp._array.from_numpy``: NumPy's own array
    when small, a lazynp.ndarray when large); other objects unchanged."""
    if type(a) is not np.ndarray:
        return a
    w, _ = _load()
    return a if w is None else w(a)


def asnumpy(x: Any) -> Any:
    """A lazynp array becomes a numpy array; anything else is returned unchanged."""
    if not is_lazynp(x):
        return x
    _, f = _load()
    return np.asarray(x) if f is None else f(x)


def unwrap_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    return (tuple(asnumpy(a) for a in args), {k: asnumpy(v) for k, v in kwargs.items()})


def wrap_result(r: Any) -> Any:
    if type(r) is np.ndarray:
        return wrap(r)
    if isinstance(r, tuple):
        return tuple(wrap_result(v) for v in r)
    if isinstance(r, list):
        return [wrap_result(v) for v in r]
    return r


def user_stacklevel() -> int:
    """``stacklevel`` for a ``warnings.warn`` made by the caller of this function that points
    at the first frame outside lazynp (NumPy's compiled methods warn at their Python caller)."""
    import sys

    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("lazynp."):
        frame = frame.f_back
        level += 1
    return level
