"""Array creation: array asarray zeros ones empty full *_like arange linspace eye identity
fromfunction.

This is where an array's tier is decided (``eager_size``): a small result is made by NumPy
at once and handed out as NumPy's own array; a large one records a source node (no memory is
touched until forced, and a consumer may later compute the values inside its own kernel) or
wraps memory NumPy just allocated for it.  An array made from a NumPy array without a copy
(``asarray(x)``) is NumPy's ``x`` itself: lazynp never takes over memory it does not own.
Arguments are validated at the call through NumPy itself.
"""

from __future__ import annotations

import math
import operator
from math import prod as _prod
from typing import Any

import numpy as np

from .. import _engine
from .._array import eager_size, from_numpy, lazy, ndarray, to_numpy
from .._config import EAGER_LIMIT
from ..graph.node import Node
from ..graph.ops import Op
from .shape import as_lazynp, astype, broadcast_to, copy_array, reshape

_NoValue = np._NoValue


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(operator.index(s) for s in shape)
    for s in shape:
        if s < 0:
            raise ValueError("negative dimensions are not allowed")
    return shape


# Each creation function starts with a fast path for small results: NumPy's own call with the
# user's arguments (errors included), after one test of the requested size.
_np_ndarray = np.ndarray
_np_array = np.array
_np_asarray = np.asarray
_np_arange = np.arange
_PLAIN = (int, float)  # (linspace's bounds taken as they are)


def _small_shape(shape: Any) -> bool:
    """Whether ``shape`` has fewer elements than the eager threshold (NumPy's call then checks
    it: negative or non-integer sizes raise there)."""
    try:
        return (shape if type(shape) is int else _prod(shape)) < EAGER_LIMIT[0]
    except TypeError:
        return False


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _owned(res: np.ndarray, src: Any) -> Any:
    """``res``, made by NumPy from ``src``, as handed out: ``from_numpy`` when it is memory
    NumPy just allocated, NumPy's object as is when it may be ``src``'s (or another
    object's) memory."""
    if res is src or res.base is not None:
        return res
    return from_numpy(res)


def _source(op: Op, params: dict, shape: tuple, dtype: np.dtype) -> ndarray:
    return lazy(_engine.record(Node(op, (), params, shape, dtype)))


def _filled(shape: Any, fill: Any, dtype: Any, order: str, np_fn: Any, args: tuple) -> ndarray:
    shape_t = _shape_tuple(shape)
    dt = np.dtype(dtype)
    if (eager_size(_size(shape_t)) or order not in ("C", "K", "A")
            or dt.kind not in "biufc"):
        return from_numpy(np_fn(shape, *args, order=order))
    return _source(Op.FULL, {"fill": fill}, shape_t, dt)


def _filler(np_fn: Any, fill: int, default_dtype: Any) -> Any:
    """``zeros``, ``ones`` or ``empty``: NumPy's ``np_fn`` for a small result, else
    ``_filled``."""
    def create(shape, dtype=default_dtype, order="C", *, device=None, like=None):
        if ((shape < EAGER_LIMIT[0] if type(shape) is int else _small_shape(shape))
                and device is None and like is None):  # (an int shape tested inline)
            return np_fn(shape, dtype, order)
        return _filled(shape, fill, dtype, order, np_fn, (dtype,))
    create.__name__ = create.__qualname__ = np_fn.__name__
    create.__doc__ = np_fn.__doc__
    return create


zeros = _filler(np.zeros, 0, float)
ones = _filler(np.ones, 1, None)
# Note: differs from NumPy: a large lazily created `empty` array reads as zeros.
empty = _filler(np.empty, 0, float)


def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    if _small_shape(shape) and device is None and like is None:
        return np.full(shape, fill_value, dtype, order)
    fill_value = to_numpy(fill_value)
    if isinstance(fill_value, np.ndarray) and fill_value.ndim > 0:
        return from_numpy(np.full(shape, fill_value, dtype, order=order))
    if dtype is None:
        dtype = np.array(fill_value).dtype
    dt = np.dtype(dtype)
    if dt.kind in "biufc":
        np.array(fill_value).astype(dt)  # NumPy's errors for unconvertible fill values
    return _filled(shape, fill_value, dt, order, np.full, (fill_value, dt))


def _like(a: Any, dtype: Any, shape: Any) -> tuple[Any, Any]:
    if type(a) is not ndarray:
        a = np.asarray(to_numpy(a))
    return (a.dtype if dtype is None else dtype), (a.shape if shape is None else shape)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    dtype, shape = _like(a, dtype, shape)
    return zeros(shape, dtype)


def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    dtype, shape = _like(a, dtype, shape)
    return ones(shape, dtype)


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    dtype, shape = _like(prototype, dtype, shape)
    return empty(shape, dtype)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    dtype, shape = _like(a, dtype, shape)
    return full(shape, fill_value, dtype)


def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=0,
          like=None):
    if type(object) is not ndarray and not ndmax and like is None:
        # (lazynp arrays inside lists are read through their __array__)
        if copy is True and order == "K" and not subok and not ndmin:
            res = _np_array(object, dtype)
        else:
            res = _np_array(object, dtype, copy=copy, order=order, subok=subok, ndmin=ndmin)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        return _owned(res, object)
    if type(object) is ndarray and order in ("K", "A", "C") and not ndmax:
        a = object
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            a = astype(a, dtype)
        elif copy:
            a = copy_array(a, order)
        if ndmin > a.ndim:
            a = reshape(a, (1,) * (ndmin - a.ndim) + a.shape)
        return a
    kwargs = {"ndmax": ndmax} if ndmax else {}
    return _owned(np.array(to_numpy(object), dtype, copy=copy, order=order, subok=False,
                           ndmin=ndmin, **kwargs), object)


def asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    if type(a) is not ndarray and device is None and like is None:
        res = _np_asarray(a, dtype, order, copy=copy)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        return _owned(res, a)
    if type(a) is ndarray:
        if (dtype is None or np.dtype(dtype) == a.dtype) and not copy:
            return a
        return array(a, dtype, copy=True if copy is None else copy,
                     order="K" if order is None else order)
    return _owned(np.asarray(to_numpy(a), dtype, order, copy=copy), a)


def asanyarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    if type(a) is not ndarray:  # (subclasses such as masked arrays stay what they are)
        res = np.asanyarray(a, dtype, order, copy=copy)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        return _owned(res, a)
    return asarray(a, dtype, order, copy=copy)


def ascontiguousarray(a, dtype=None, *, like=None):
    if type(a) is ndarray and a._data is None:
        return a if dtype is None else asarray(a, dtype)
    return _owned(np.ascontiguousarray(to_numpy(a), dtype), a)


def _arange_dtype(start: Any, stop: Any, step: Any, dtype: Any) -> np.dtype:
    # An empty range with operands of the same types gives NumPy's dtype for free.
    return np.arange(start, type(stop)(start), step, dtype=dtype).dtype


def arange(start_or_stop=_NoValue, /, stop=_NoValue, step=_NoValue, dtype=None, *,
           device=None, like=None, start=_NoValue):
    if (type(start_or_stop) is int and stop is _NoValue and step is _NoValue
            and start is _NoValue and device is None and like is None
            and start_or_stop < EAGER_LIMIT[0]):
        return _np_arange(start_or_stop) if dtype is None else _np_arange(start_or_stop,
                                                                          dtype=dtype)
    args = [a for a in (start_or_stop, stop, step) if a is not _NoValue]
    if start is not _NoValue:
        args = [start] + args
    args = [to_numpy(a) for a in args]
    if not args:
        raise TypeError("arange() requires stop to be specified.")
    if len(args) == 1:
        a_start, a_stop, a_step = 0, args[0], 1
    elif len(args) == 2:
        a_start, a_stop, a_step = args[0], args[1], 1
    else:
        a_start, a_stop, a_step = args[0], args[1], args[2]
    scalars = all(isinstance(v, (int, float, np.integer, np.floating))
                  and not isinstance(v, (bool, np.bool_)) for v in (a_start, a_stop, a_step))
    if not scalars or a_step is None or a_step == 0 or a_stop is None:
        return from_numpy(np.arange(*args, dtype=dtype))
    if all(isinstance(v, (int, np.integer)) for v in (a_start, a_stop, a_step)):
        length = len(range(int(a_start), int(a_stop), int(a_step)))
    else:
        length = max(0, math.ceil((a_stop - a_start) / a_step))
    if eager_size(length):
        return from_numpy(np.arange(*args, dtype=dtype))
    try:
        dt = _arange_dtype(a_start if len(args) > 1 else type(a_stop)(0), a_stop,
                           a_step if len(args) == 3 else None, dtype)
    except (TypeError, ValueError, OverflowError):
        return from_numpy(np.arange(*args, dtype=dtype))
    if dt.kind not in "biuf":
        return from_numpy(np.arange(*args, dtype=dtype))
    params = {"start": a_start, "stop": a_stop, "step": a_step}
    return _source(Op.ARANGE, params, (length,), dt)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    if (type(num) is int and num < EAGER_LIMIT[0] and type(start) in _PLAIN
            and type(stop) in _PLAIN and device is None):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    start, stop = to_numpy(start), to_numpy(stop)
    num = operator.index(num)
    if (retstep or np.ndim(start) or np.ndim(stop) or num < 0 or eager_size(num)):
        res = np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
        if retstep:
            return from_numpy(res[0]), res[1]
        return from_numpy(res)
    dt = np.linspace(start, stop, 2, endpoint, dtype=dtype).dtype
    if dt.kind not in "biufc":
        return from_numpy(np.linspace(start, stop, num, endpoint, dtype=dtype))
    kwargs = {"start": start, "stop": stop, "num": num, "endpoint": endpoint, "dtype": dtype}
    return _source(Op.LINSPACE, {"kwargs": kwargs}, (num,), dt)



def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, like=None):
    if (type(N) is int and (M is None or type(M) is int) and device is None and like is None
            and 0 <= N * (N if M is None else M) < EAGER_LIMIT[0]):
        return np.eye(N, M, k, dtype, order)
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    dt = np.dtype(dtype)
    if eager_size(max(N, 0) * max(M, 0)) or order != "C" or dt.kind not in "biufc" or N < 0 \
            or M < 0:
        return from_numpy(np.eye(N, M, k, dtype, order))
    return _source(Op.EYE, {"N": N, "M": M, "k": k}, (N, M), dt)


def identity(n, dtype=None, *, like=None):
    if type(n) is int and like is None and n * n < EAGER_LIMIT[0]:
        return np.identity(n, dtype)
    return eye(n, dtype=dtype)


def fromfunction(function, shape, *, dtype=float, like=None, **kwargs):
    shape = _shape_tuple(shape)
    if eager_size(_size(shape)):
        return np.fromfunction(function, shape, dtype=dtype, **kwargs)
    grids = []
    for i, n in enumerate(shape):
        grid = as_lazynp(np.arange(n, dtype=dtype))
        grid = reshape(grid, tuple(n if j == i else 1 for j in range(len(shape))))
        grids.append(copy_array(broadcast_to(grid, shape), "C"))
    return function(*grids, **kwargs)
