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

import numpy as np

from .. import _placement
from .._array import asnumpy, from_numpy, lazy, ndarray
from ..graph.node import buffer_node
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


def to_device(x: Any, device: Any) -> Any:
    """``x`` on ``device``: "cpu", or the GPU ("cuda", "cuda:N", "gpu": a new lazynp array
    whose value lives on the device, copied there once; docs/gpu.md).  An array already there
    is returned as it is; one moved to the host is a copy."""
    on_cpu = type(x) is not ndarray or x.device == "cpu"
    if _placement.is_cuda(device):
        if not on_cpu:
            return x
        return lazy(buffer_node(_placement.place(asnumpy(x))))
    return x if on_cpu else from_numpy(x._value().copy())


def to_device_method(self: Any, device: Any, /, *, stream: Any = None) -> Any:
    """``x.to_device(device, /, *, stream=None)`` of a lazynp array."""
    if not _placement.is_cuda(device):
        np.empty(0).to_device(device, stream=stream)  # NumPy's argument checks
    return to_device(self, device)

