"""Record-time shape logic of views: basic indexing, reshape, transpose, broadcast.

Every function here returns the result shape (and normalized parameters) of a view without
touching data, and raises NumPy's exception type for bad arguments at record time.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .dtypes import shape_text, zero_stride_dummy


def _is_basic_item(k: Any) -> bool:
    if k is None or k is Ellipsis or type(k) is slice:
        return True
    if isinstance(k, (bool, np.bool_)):
        return False
    return isinstance(k, (int, np.integer))


def is_basic_index(key: Any) -> bool:
    """True for indices NumPy treats as basic (ints, slices, None, Ellipsis) -> views."""
    if type(key) is tuple:
        return all(_is_basic_item(k) for k in key)
    return _is_basic_item(key)


def index_without_arrays(key: Any) -> bool:
    """No integer/boolean array (or list) in ``key``: a stand-in can check it for free.
    (A ``LazyArray`` is an ``np.ndarray`` to ``isinstance``: its ``__class__``.)"""
    items = key if type(key) is tuple else (key,)
    return not any(isinstance(k, (list, np.ndarray)) for k in items)


def basic_index(shape: tuple[int, ...], key: Any) -> tuple[tuple, tuple[int, ...], bool]:
    """Normalize a basic index for ``shape``: (key tuple, result shape, result is a scalar)."""
    if type(key) is not tuple:
        key = (key,)
    key = tuple(operator.index(k) if isinstance(k, np.integer) else k for k in key)
    res = zero_stride_dummy(shape)[key]
    if isinstance(res, np.generic):
        return key, (), True
    return key, res.shape, False


def reshape_shape(size: int, shape: Any, old_shape: tuple[int, ...]) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(operator.index(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    for s in shape:
        if s < -1:
            raise ValueError("negative dimensions not allowed")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape "
                             f"{_shape_text(shape, unknown[0])}")
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    elif known != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
    return shape


def _shape_text(shape: tuple, unknown: int | None = None) -> str:
    parts = ["-1" if i == unknown else str(s) for i, s in enumerate(shape)]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


def transpose_axes(ndim: int, axes: Any) -> tuple[int, ...]:
    if axes is None or axes == ():
        return tuple(range(ndim - 1, -1, -1))
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = tuple(axes[0])
    if len(axes) != ndim:
        raise ValueError("axes don't match array")
    axes = tuple(normalize_axis_index(operator.index(a), ndim) for a in axes)
    if len(set(axes)) != ndim:
        raise ValueError("repeated axis in transpose")
    return axes


def swapaxes_perm(ndim: int, a: int, b: int) -> tuple[int, ...]:
    a = normalize_axis_index(a, ndim, "axis1")
    b = normalize_axis_index(b, ndim, "axis2")
    perm = list(range(ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return tuple(perm)


def moveaxis_perm(ndim: int, source: Any, destination: Any) -> tuple[int, ...]:
    source = normalize_axis_tuple(source, ndim, "source")
    destination = normalize_axis_tuple(destination, ndim, "destination")
    if len(source) != len(destination):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         "elements")
    order = [n for n in range(ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return tuple(order)


def broadcast_to_shape(old: tuple[int, ...], shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(operator.index(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("all elements of broadcast shape must be non-negative")
    if len(shape) < len(old):
        raise ValueError("input operand has more dimensions than allowed by the axis remapping")
    off = len(shape) - len(old)
    for i, d in enumerate(old):
        if d != 1 and d != shape[off + i]:
            raise ValueError(
                f"operands could not be broadcast together with remapped shapes "
                f"[original->remapped]: {shape_text(old)}  and requested shape "
                f"{shape_text(shape)}")
    return shape


