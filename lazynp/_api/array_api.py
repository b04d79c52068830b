"""Array API standard functions that NumPy 2.x defines in Python, run lazily on the lazy tier.

Most of the standard's namespace is NumPy's own objects (``concat is concatenate``,
``permute_dims is transpose``, ``pow is power``, ``bitwise_left_shift is left_shift``...),
which NumPy already hands to lazynp's lazy implementations; the functions here are the ones
NumPy implements with a body of their own, rewritten with the same checks and errors so that a
lazy argument is not forced (NumPy's body would otherwise run as a counted fallback).  They
are reached through ``__array_function__`` only, so ``x`` is a lazynp array.
"""

from __future__ import annotations

from typing import Any

from .shape import swapaxes


def matrix_transpose(x, /):
    """``numpy.matrix_transpose`` (and ``numpy.linalg.matrix_transpose``): a lazy view."""
    if x.ndim < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {x.ndim}")
    return swapaxes(x, -1, -2)


def astype(x, dtype, /, *, copy=True, device=None) -> Any:
    """``numpy.astype``: ``x.astype(dtype, copy=copy)`` after NumPy's device check."""
    if device is not None and device != "cpu":
        raise ValueError(f'Device not understood. Only "cpu" is allowed, but received: {device}')
    return x.astype(dtype, copy=copy)
