"""Argument checks that run before anything is forced (design rule 3, docs/design.md).

Calls that run eagerly (``out=`` writes, gufuncs such as ``matmul``, slice assignment) force
their inputs.  An error that shapes and dtypes alone decide must not wait for that: these
checks raise NumPy's exception, with NumPy's message, from metadata and zero-size or
zero-stride stand-ins, so a bad call costs nothing and leaves lazy inputs pending.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# ``check_setitem`` and ``writeable`` live with the array type (``_array`` checks its own
# assignments, and this module imports ``_array``), ``index_without_arrays`` with the view logic
from .._array import _is_array, ndarray, writeable
from .._array import check_setitem as check_setitem  # (re-exported)
from ..graph.dtypes import broadcast_shapes, empty_of, shape_text, zero_stride_dummy
from ..graph.views import index_without_arrays as index_without_arrays  # (re-exported)


def _stand_in(x: Any, shape: bool = False) -> Any:
    if type(x) is ndarray or isinstance(x, (np.ndarray, np.generic)):
        if shape:
            return zero_stride_dummy(x.shape, x.dtype)
        return empty_of(x.dtype)
    if isinstance(x, (list, tuple)):
        return _stand_in(np.asarray(x), shape)
    return x


def _matmul_stand_ins(args: tuple) -> list:
    # core dimensions n and m shrink to 1, so the check costs O(batch * k), not the product
    a, b = (np.asarray(x) if not _is_array(x) else x for x in args)
    sa = a.shape[:-2] + (1, a.shape[-1]) if a.ndim >= 2 else a.shape
    sb = b.shape[:-2] + (b.shape[-2], 1) if b.ndim >= 2 else b.shape
    return [zero_stride_dummy(sa, a.dtype), zero_stride_dummy(sb, b.dtype)]


def _call_stand_in(x: Any) -> Any:
    s = _stand_in(x)
    if s is not x and isinstance(s, np.ndarray) and not s.flags.writeable and writeable(x):
        # (a ufunc may write an input, ``op_flags`` readwrite: NumPy refuses read-only ones)
        return np.empty((0,), s.dtype)
    return s


# keys of calls whose check passed (``_check_key``): a loop repeats the same call, whose
# check (a NumPy call on stand-ins) would otherwise cost more than a small kernel
_PASSED: set = set()


# NumPy's own scalar types (not subclasses defined elsewhere)
_NUMPY_SCALAR_TYPES = frozenset(np.sctypeDict.values()) | {np.record}


def _arg_key(x: Any) -> Any:
    """What NumPy's checks of a ufunc call can depend on, for one argument or keyword value
    (None: not cached).  Arrays: dtype, shape, writeability; Python ints by value (NumPy
    refuses one out of an integer dtype's range); other scalars by type."""
    t = type(x)
    if t is ndarray or t is np.ndarray:
        return (x.dtype, x.shape, writeable(x))
    if t is float or t is complex or t is bool or t is str or x is None:
        return t if t is not str else x
    if t is int:
        return (int, x)
    if t is np.dtype or isinstance(x, (np.dtype, type)):
        return x
    if t in _NUMPY_SCALAR_TYPES:
        return (t, x.dtype)
    if t is tuple:
        parts = tuple(_arg_key(v) for v in x)
        return None if None in parts else (tuple, parts)
    return None


def _check_key(uf: np.ufunc, args: tuple, kwargs: dict) -> Any:
    parts = [uf]
    for a in args:
        k = _arg_key(a)
        if k is None:
            return None
        parts.append(k)
    for name, v in kwargs.items():
        k = _arg_key(v)
        if k is None and v is not None:
            return None
        parts.append((name, k))
    return tuple(parts)


def check_ufunc_call(uf: np.ufunc, args: tuple, kwargs: dict) -> None:
    """Raise what ``uf(*args, **kwargs)`` would raise for its shapes/dtypes/arguments."""
    key = _check_key(uf, args, kwargs)
    if key is not None and key in _PASSED:
        return
    _check_ufunc_call(uf, args, kwargs)
    if key is not None:
        if len(_PASSED) >= 4096:
            _PASSED.clear()
        _PASSED.add(key)


def _check_ufunc_call(uf: np.ufunc, args: tuple, kwargs: dict) -> None:
    out = kwargs.get("out")
    outs = out if isinstance(out, tuple) else (out,) if out is not None else ()
    outs = tuple(o for o in outs if o is not None)
    for o in outs:
        if _is_array(o) and not writeable(o):
            raise ValueError("output array is read-only")
    if uf.signature is None:
        stand_ins = [_call_stand_in(a) for a in args]
    elif uf is np.matmul and len(args) == 2 and not outs and not kwargs.keys() & {"axes", "axis"}:
        stand_ins = _matmul_stand_ins(args)
    else:
        return
    # dtypes and arguments first (NumPy resolves the loop before it broadcasts)
    kw = {k: v for k, v in kwargs.items() if k not in ("out", "where")}
    if outs and uf.signature is None:
        kw["out"] = tuple(np.empty((0,), o.dtype) if _is_array(o) else o for o in outs)
    with np.errstate(all="ignore"):
        uf(*stand_ins, **kw)
    if len(args) == uf.nin and uf.signature is None:
        shapes = [np.shape(a) if not _is_array(a) else a.shape for a in args
                  if not isinstance(a, (int, float, complex))]
        if shapes:
            in_shape = broadcast_shapes(*shapes)
            for o in outs:
                if _is_array(o):
                    both = broadcast_shapes(in_shape, o.shape)
                    if both != o.shape:
                        raise ValueError(
                            f"non-broadcastable output operand with shape {shape_text(o.shape)}"
                            f" doesn't match the broadcast shape {shape_text(both)}")
