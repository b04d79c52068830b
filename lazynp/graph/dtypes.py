"""Record-time dtype and shape inference (design rule 3, docs/design.md).

Dtypes are resolved by NumPy itself, on zero-size stand-ins: a ufunc called on empty arrays of
the operands' dtypes (Python scalars passed as themselves, so NEP 50 weak-scalar promotion,
``dtype=``, ``casting=`` and out-of-range Python integers behave exactly as in NumPy and raise
NumPy's exceptions).  Results are cached by a structural key; a Python int is keyed by its sign
and bit length, which is all that decides whether it fits a dtype.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

_EMPTY: dict[np.dtype, np.ndarray] = {}


def empty_of(dtype: np.dtype) -> np.ndarray:
    arr = _EMPTY.get(dtype)
    if arr is None:
        arr = _EMPTY[dtype] = np.empty((0,), dtype=dtype)
        arr.flags.writeable = False
    return arr


def operand_key(x: Any) -> Any:
    """Structural key of an operand for the dtype caches: a dtype, or a weak-scalar class."""
    t = type(x)
    if t is int:
        return (int, x < 0, x.bit_length())
    if x is None:
        return None
    if t is float or t is complex or t is bool:
        return t
    return x.dtype


def stand_in(x: Any) -> Any:
    if x is None or (isinstance(x, (int, float, complex)) and not isinstance(x, np.generic)):
        return x
    return empty_of(x.dtype)


def _cached(cache: dict, key: tuple, compute: Callable[[], Any]) -> Any:
    """``cache[key]``, computed (with NumPy's warnings silenced) on a miss.  Keys holding an
    unhashable keyword value are computed every time."""
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:
        key = None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = compute()
    if key is not None:
        cache[key] = value
    return value


def _kwargs_key(kwargs: dict) -> tuple:
    return tuple(sorted(kwargs.items(), key=str)) if kwargs else ()


_UFUNC_CACHE: dict[tuple, tuple[np.dtype, ...]] = {}


def ufunc_result_dtypes(ufunc: np.ufunc, operands: Any, kwargs: dict,
                        keys: tuple | None = None) -> tuple[np.dtype, ...]:
    """Output dtypes of ``ufunc(*operands, **kwargs)``; raises what NumPy raises.

    ``keys`` may pass the operands' ``operand_key``s when the caller already has them; the
    cache key is ``(ufunc, keys, _kwargs_key(kwargs))``, which callers may look up directly.
    """
    if keys is None:
        keys = tuple(map(operand_key, operands))

    def compute() -> tuple[np.dtype, ...]:
        res = ufunc(*map(stand_in, operands), **kwargs)
        return tuple(r.dtype for r in res) if isinstance(res, tuple) else (res.dtype,)
    return _cached(_UFUNC_CACHE, (ufunc, keys, _kwargs_key(kwargs)), compute)


_CALL_CACHE: dict[tuple, np.dtype] = {}


def call_result_dtype(fn: Callable, operands: tuple, kwargs: dict) -> np.dtype:
    """Result dtype of a NumPy function of elementwise operands (``where``, ``clip``)."""
    key = (fn, tuple(map(operand_key, operands)), _kwargs_key(kwargs))
    return _cached(_CALL_CACHE, key,
                   lambda: np.asarray(fn(*map(stand_in, operands), **kwargs)).dtype)


_BCAST_CACHE: dict[tuple, tuple[int, ...]] = {}


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy's broadcasting of ``shapes``; ValueError with NumPy's ufunc wording on mismatch."""
    try:
        return _BCAST_CACHE[shapes]
    except KeyError:
        pass
    ndim = max(len(s) for s in shapes)
    out = [1] * ndim
    for s in shapes:
        off = ndim - len(s)
        for i, d in enumerate(s):
            cur = out[off + i]
            if d != cur:
                if cur == 1:
                    out[off + i] = d
                elif d != 1:
                    text = " ".join(shape_text(x) for x in shapes)
                    raise ValueError(
                        f"operands could not be broadcast together with shapes {text} ")
    result = tuple(out)
    if len(_BCAST_CACHE) < 4096:
        _BCAST_CACHE[shapes] = result
    return result


def zero_stride_dummy(shape: tuple[int, ...], dtype: np.dtype = np.dtype(np.uint8)) -> np.ndarray:
    """An array of ``shape`` that costs one element: for record-time indexing checks."""
    return np.lib.stride_tricks.as_strided(empty_of(dtype)[:0] if 0 in shape else
                                           np.zeros(1, dtype=dtype), shape=shape,
                                           strides=(0,) * len(shape))


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as NumPy's error messages write it: ``(3,)``, ``(2,3)``."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ",".join(map(str, shape)) + ")"


_REDUCE_CACHE: dict[tuple, np.dtype] = {}


def reduce_result_dtype(fn: Callable, dtype: np.dtype, ndim: int, kwargs: dict) -> np.dtype:
    """Result dtype of reducer ``fn`` on an array of ``dtype``: NumPy run on a 1-element array."""
    key = (fn, dtype, ndim, _kwargs_key(kwargs))
    return _cached(_REDUCE_CACHE, key,
                   lambda: np.asarray(fn(np.zeros((1,) * ndim, dtype=dtype), **kwargs)).dtype)
