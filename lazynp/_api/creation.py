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

import functools
import math
import operator
import os
from math import prod as _prod
from typing import Any

import numpy as np

from .. import _engine, _placement
from .._array import created, eager_size, from_numpy, lazy, ndarray, to_numpy, wrap
from .._config import EAGER_LIMIT
from .._memmap import asarray_mapped
from ..graph.node import Node
from ..graph.ops import Op
from .array_api import to_device
from .shape import as_lazynp, astype, broadcast_to, copy_array, reshape

_NoValue = np._NoValue


def check_device(device: Any) -> None:
    """NumPy's check of a creation function's ``device=`` (None or "cpu"; ValueError with
    NumPy's message otherwise)."""
    _np_empty(0, device=device)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    try:
        shape = (operator.index(shape),)  # (an int, a NumPy integer, a 0-d integer array)
    except TypeError:
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
_np_empty = np.empty
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
    """``res``, made by NumPy from ``src``, as handed out: ``created`` when it is memory
    NumPy just allocated, NumPy's object as is when it may be ``src``'s (or another
    object's) memory."""
    if res is src or res.base is not None:
        return res
    return created(res)


@functools.cache
def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def _source(op: Op, params: dict, shape: tuple, dtype: np.dtype) -> ndarray:
    if _size(shape) * dtype.itemsize > _physical_memory():
        # NumPy's errors at the call: "array is too big", "Maximum allowed dimension
        # exceeded", MemoryError "Unable to allocate ..." (an allocation that succeeds is
        # untouched memory, returned at once)
        np.empty(shape, dtype)
    return lazy(_engine.record(Node(op, (), params, shape, dtype)))


def _filled(shape: Any, fill: Any, dtype: Any, order: str, np_fn: Any, args: tuple) -> ndarray:
    shape_t = _shape_tuple(shape)
    dt = np.dtype(dtype)
    if (eager_size(_size(shape_t)) or order not in ("C", "K", "A")
            or dt.kind not in "biufc"):
        return created(np_fn(shape, *args, order=order))
    return _source(Op.FULL, {"fill": fill}, shape_t, dt)


def _filler(np_fn: Any, fill: int, default_dtype: Any) -> Any:
    """``zeros``, ``ones`` or ``empty``: NumPy's ``np_fn`` for a small result, else
    ``_filled``."""
    def create(shape, dtype=default_dtype, order="C", *, device=None, like=None):
        if ((shape < EAGER_LIMIT[0] if type(shape) is int else _small_shape(shape))
                and device is None and like is None):  # (an int shape tested inline)
            return np_fn(shape, dtype, order)
        if device is not None:
            check_device(device)
        return _filled(shape, fill, dtype, order, np_fn, (dtype,))
    create.__name__ = create.__qualname__ = np_fn.__name__
    create.__doc__ = np_fn.__doc__
    return create


zeros = _filler(np.zeros, 0, None)
ones = _filler(np.ones, 1, None)
# Note: differs from NumPy: a large lazily created `empty` array reads as zeros.
empty = _filler(np.empty, 0, None)


def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    if _small_shape(shape) and device is None and like is None:
        return np.full(shape, fill_value, dtype, order)
    if device is not None:
        check_device(device)
    fill_value = to_numpy(fill_value)
    if isinstance(fill_value, np.ndarray) and fill_value.ndim > 0:
        return created(np.full(shape, fill_value, dtype, order=order))
    if dtype is None:
        dtype = np.array(fill_value).dtype
    dt = _np_empty(0, dtype).dtype  # (NumPy's dtype of a DType class: StrDType is <U1)
    if dt.kind in "biufc":
        # NumPy's errors for unconvertible fill values (``full`` is ``copyto`` unsafe:
        # OverflowError for a Python int out of the dtype's range)
        np.copyto(_np_empty(np.shape(fill_value), dt), fill_value, casting="unsafe")
    return _filled(shape, fill_value, dt, order, np.full, (fill_value, dt))


def _like(a: Any, dtype: Any, order: str, subok: Any, shape: Any, device: Any, np_like: Any,
          fill: tuple, lazy_fn: Any) -> Any:
    """``np_like(a, *fill, dtype=, order=, shape=)`` (NumPy's ``*_like``): lazily when the
    result is C-ordered (NumPy's rules for ``order``: "K" keeps the prototype's layout, "A"
    is "F" for a Fortran-ordered prototype), else NumPy's call on a prototype of ``a``'s
    layout.  As NumPy's ``*_like`` keep the prototype's type (``subok=True``), a lazynp
    prototype gives a lazynp array at any size (Dask makes chunks of ``da.ones(shape,
    meta=m)`` as ``ones_like(m, shape=1)`` broadcast: docs/tiers.md)."""
    if device is not None:
        check_device(device)
    keep = subok and type(a) is ndarray
    if type(a) is not ndarray:
        a = np.asarray(to_numpy(a))
    dt = a.dtype if dtype is None else dtype
    new_shape = a.shape if shape is None else _shape_tuple(shape)
    if order == "A":
        fortran = a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous
        order = "F" if fortran else "C"
    elif order == "K" and (len(new_shape) != a.ndim or a.flags.c_contiguous):
        order = "C"
    if order == "C":
        res = lazy_fn(new_shape, *fill, dt)
    else:
        # (a NumPy array with ``a``'s strides, of one element's memory: NumPy's ``*_like``
        # reads only its layout)
        proto = np.lib.stride_tricks.as_strided(_np_empty(1, a.dtype), a.shape, a.strides)
        res = created(np_like(proto, *fill, dtype=dt, order=order, shape=shape))
    return wrap(res) if keep and type(res) is _np_ndarray else res


def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like(a, dtype, order, subok, shape, device, np.zeros_like, (), zeros)


def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like(a, dtype, order, subok, shape, device, np.ones_like, (), ones)


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like(prototype, dtype, order, subok, shape, device, np.empty_like, (), empty)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like(a, dtype, order, subok, shape, device, np.full_like, (fill_value,), full)


def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=_NoValue,
          like=None):
    # (ndmax: NumPy tells an explicit 0, "a 0-d array of the objects", from no value)
    if type(object) is not ndarray and ndmax is _NoValue and like is None:
        # (lazynp arrays inside lists are read through their __array__)
        if copy is True and order == "K" and not subok and not ndmin:
            res = _np_array(object, dtype)
        else:
            res = _np_array(object, dtype, copy=copy, order=order, subok=subok, ndmin=ndmin)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        return _owned(res, object)
    if type(object) is ndarray and ndmax is _NoValue:
        a = object
        # (NumPy's copy modes: True/ALWAYS, None/IF_NEEDED, False/NEVER)
        if copy is None or copy is np._CopyMode.IF_NEEDED:
            copy = None
        elif copy is False or copy is np._CopyMode.NEVER:
            copy = False
        else:
            copy = bool(copy)
        cast = dtype is not None and np.dtype(dtype) != a.dtype
        # (the layout is read only where it decides: it forces a pending array)
        if copy or cast or order not in ("C", "F"):
            relayout = False
        elif order == "C":
            relayout = not a.flags.c_contiguous
        else:
            relayout = not a.flags.f_contiguous
        if copy is False and (cast or relayout):
            _np_array(_np_empty((2, 2)).T, copy=False, order="C")  # (NumPy's ValueError)
        if order not in ("K", "A", "C") and (cast or relayout or copy):
            a = from_numpy(np.array(a._value(), dtype, copy=True, order=order))
        elif cast:
            a = astype(a, dtype, order)
        elif copy or relayout:
            a = copy_array(a, order)
        if ndmin > a.ndim:
            a = reshape(a, (1,) * (ndmin - a.ndim) + a.shape)
        return a
    kwargs = {} if ndmax is _NoValue else {"ndmax": ndmax}
    return _owned(np.array(to_numpy(object), dtype, copy=copy, order=order, subok=False,
                           ndmin=ndmin, **kwargs), object)


def asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    if type(a) is not ndarray and device is None and like is None:
        res = _np_asarray(a, dtype, order, copy=copy)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        if type(a) is np.memmap and res.base is a:  # (a read-only mapping: lazy, no copy)
            mapped = asarray_mapped(a)
            if mapped is not None:
                return mapped
        return _owned(res, a)
    if device is not None:
        if _placement.is_cuda(device):  # (the array on the GPU: docs/gpu.md)
            return to_device(asarray(a, dtype, order, copy=copy), device)
        check_device(device)
    if type(a) is ndarray:
        return array(a, dtype, copy=copy, order="K" if order is None else order)
    return _owned(np.asarray(to_numpy(a), dtype, order, copy=copy), a)


def asanyarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    if type(a) is not ndarray:  # (subclasses such as masked arrays stay what they are)
        res = np.asanyarray(a, dtype, order, device=device, copy=copy)
        if type(res) is not _np_ndarray or res.size < EAGER_LIMIT[0]:
            return res
        return _owned(res, a)
    return asarray(a, dtype, order, device=device, copy=copy)


def ascontiguousarray(a, dtype=None, *, like=None):
    if type(a) is ndarray and a._data is None:
        return a if dtype is None else asarray(a, dtype)
    return _owned(np.ascontiguousarray(to_numpy(a), dtype), a)


def _arange_dtype(start: Any, stop: Any, step: Any, dtype: Any) -> np.dtype:
    # An empty range with operands of the same types gives NumPy's dtype for free.
    return np.arange(start, type(stop)(start), step, dtype=dtype).dtype


_ARANGE_PARAMS = ("start", "stop", "step", "dtype")
_ARANGE_KEYWORDS = frozenset(_ARANGE_PARAMS + ("device", "like"))
_NUMBER = (int, float, np.integer, np.floating)


def _arange_args(args: tuple, kwargs: dict) -> Any:
    """``arange``'s arguments bound as NumPy binds them (``start stop step dtype``, each
    positional or by name, ``device`` and ``like`` by name; one value alone is the stop):
    ``(start, stop, step, dtype, device)`` with start _NoValue for the implicit 0 and step
    None for the implicit 1; None where NumPy's own call must run (and raise, if it does)."""
    if len(args) > 4 or not kwargs.keys() <= _ARANGE_KEYWORDS:
        return None
    bound = dict(zip(_ARANGE_PARAMS, args))
    for k, v in kwargs.items():
        if k in bound:  # (given by name and position)
            return None
        bound[k] = v
    first, stop = bound.get("start", _NoValue), bound.get("stop", _NoValue)
    if first is _NoValue:
        if stop is _NoValue:
            return None  # (arange() requires stop)
        first, stop = stop, None
    elif stop is _NoValue:
        if not args:
            return None  # (a start by name alone: arange() requires stop)
        stop = None
    step = bound.get("step")
    start = _NoValue
    if stop is not None:
        start = first
    else:
        stop = first
    return start, stop, step, bound.get("dtype"), bound.get("device")


def arange(*args, **kwargs):
    # (fast paths: Python ints for a small range, no keyword but dtype)
    n = len(args)
    if n == 1 and type(args[0]) is int and args[0] < EAGER_LIMIT[0]:
        if not kwargs:
            return _np_arange(args[0])
        if len(kwargs) == 1 and "dtype" in kwargs:
            return _np_arange(args[0], dtype=kwargs["dtype"])
    elif ((n == 2 and type(args[0]) is int and type(args[1]) is int)
          or (n == 3 and type(args[0]) is int and type(args[1]) is int
              and type(args[2]) is int and args[2])) and (
            not kwargs or (len(kwargs) == 1 and "dtype" in kwargs)):
        try:
            small = len(range(*args)) < EAGER_LIMIT[0]
        except OverflowError:  # (a length beyond intp: NumPy's error below)
            small = False
        if small:
            return _np_arange(*args, **kwargs)
    kwargs.pop("like", None)
    bound = _arange_args(args, kwargs)
    if bound is None:
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    a_start, a_stop, a_step, dtype, device = bound
    if device is not None:
        check_device(device)
    a_start, a_stop, a_step = to_numpy((a_start, a_stop, a_step))
    values = (a_stop,) + (() if a_start is _NoValue else (a_start,)) + (
        () if a_step is None else (a_step,))
    if not all(isinstance(v, _NUMBER) and not isinstance(v, (bool, np.bool_))
               for v in values) or a_step == 0:
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    start = 0 if a_start is _NoValue else a_start
    step = 1 if a_step is None else a_step
    try:
        if all(isinstance(v, (int, np.integer)) for v in values):
            length = len(range(int(start), int(a_stop), int(step)))
        else:
            length = max(0, math.ceil((a_stop - start) / step))
    except (OverflowError, ValueError):  # (infinite or NaN bounds, a length beyond intp)
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    if eager_size(length):
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    try:
        dt = _arange_dtype(type(a_stop)(0) if a_start is _NoValue else a_start, a_stop, a_step,
                           dtype)
    except (TypeError, ValueError, OverflowError):
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    if dt.kind not in "iuf":  # (NumPy's bool range: its values, its TypeError past 2)
        return created(np.arange(*to_numpy(args), **to_numpy(kwargs)))
    params = {"start": start, "stop": a_stop, "step": step}
    return _source(Op.ARANGE, params, (length,), dt)


# NumPy's signature for introspection (``inspect.signature``, ``help``): lazynp's arange binds
# its arguments exactly as NumPy's does (``_arange_args``)
arange.__text_signature__ = _np_arange.__text_signature__
arange.__wrapped__ = _np_arange
arange.__doc__ = _np_arange.__doc__


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    if (type(num) is int and num < EAGER_LIMIT[0] and type(start) in _PLAIN
            and type(stop) in _PLAIN and device is None):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    if device is not None:
        check_device(device)
    start, stop = to_numpy(start), to_numpy(stop)
    num = operator.index(num)
    if (retstep or np.ndim(start) or np.ndim(stop) or num < 0 or eager_size(num)):
        res = np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
        if retstep:
            return created(res[0]), res[1]
        return created(res)
    dt = np.linspace(start, stop, 2, endpoint, dtype=dtype).dtype
    if dt.kind not in "biufc":
        return created(np.linspace(start, stop, num, endpoint, dtype=dtype))
    kwargs = {"start": start, "stop": stop, "num": num, "endpoint": endpoint, "dtype": dtype}
    return _source(Op.LINSPACE, {"kwargs": kwargs}, (num,), dt)



def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, like=None):
    if (type(N) is int and (M is None or type(M) is int) and device is None and like is None
            and 0 <= N * (N if M is None else M) < EAGER_LIMIT[0]):
        return np.eye(N, M, k, dtype, order)
    if device is not None:
        check_device(device)
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    dt = np.dtype(dtype)
    if eager_size(max(N, 0) * max(M, 0)) or order != "C" or dt.kind not in "biufc" or N < 0 \
            or M < 0:
        return created(np.eye(N, M, k, dtype, order))
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
