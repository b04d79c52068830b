"""Conversions between lazynp arrays and numpy arrays for lazynp.random.

``lazynp._array`` provides ``created(numpy_array)`` (the array as handed out: NumPy's own
when small, a concrete lazynp array around the buffer when large) and ``asnumpy(x)`` (force
anything to a numpy array).  ``lazynp.random`` is a subpackage: the core is loaded before it.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from lazynp._array import asnumpy as _asnumpy
from lazynp._array import created as _from_numpy
from lazynp._array import ndarray as _LazyArray


def is_lazynp(x: Any) -> bool:
    """True for lazynp's array type (``lazynp.LazyArray``; ``lazynp.ndarray`` is NumPy's)."""
    return type(x) is _LazyArray


def wrap(a: Any) -> Any:
    """A NumPy array result as handed out (``lazynp._array.created``: NumPy's own array
    when small, a ``LazyArray`` when large); other objects unchanged."""
    if type(a) is not np.ndarray:
        return a
    return _from_numpy(a)


def asnumpy(x: Any) -> Any:
    """A lazynp array becomes a numpy array; anything else is returned unchanged."""
    if type(x) is not _LazyArray:
        return x
    return _asnumpy(x)


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
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("lazynp."):
        frame = frame.f_back
        level += 1
    return level
