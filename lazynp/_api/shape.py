"""View ops, joins and the other elementwise functions (where, clip, astype, copy).

On a concrete array a view op is done by NumPy at once (O(1), aliasing exactly NumPy's); on
a lazy array it records a movement node, whose forced value is a NumPy view of its input's
forced buffer, so writes through it are seen by the base as in NumPy.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .. import _engine
from .._array import (
    _view,
    asnumpy,
    eager_size,
    from_numpy,
    lazy,
    ndarray,
    node_of,
    to_numpy,
    wrap,
)
from ..graph.dtypes import broadcast_shapes, call_result_dtype
from ..graph.node import Node
from ..graph.ops import Op
from ..graph.semantics import ARG
from ..graph.views import (
    broadcast_to_shape,
    moveaxis_perm,
    reshape_shape,
    swapaxes_perm,
    transpose_axes,
)

_NoValue = np._NoValue


def as_lazynp(a: Any) -> ndarray:
    """``a`` as a lazynp array; anything else (a NumPy array, which its owner may still
    write, a list) is copied into memory lazynp owns."""
    if type(a) is ndarray:
        return a
    return wrap(np.array(to_numpy(a)))


def _concrete_view(res: Any, parent: ndarray) -> Any:
    if type(res) is np.ndarray:
        return _view(res, parent)
    return res


def _record(op: Op, inputs: tuple, params: dict | None, shape: tuple, dtype: np.dtype) -> ndarray:
    return lazy(_engine.record(Node(op, inputs, params, shape, dtype)))


# ------------------------------------------------- metadata (never forces)
def shape(a):
    return a.shape if type(a) is ndarray else np.shape(to_numpy(a))


def ndim(a):
    return a.ndim if type(a) is ndarray else np.ndim(to_numpy(a))


def size(a, axis=None):
    if type(a) is ndarray:
        if axis is None:
            return a.size
        return a.shape[normalize_axis_index(operator.index(axis), a.ndim)]
    return np.size(to_numpy(a), axis)


# --------------------------------------------------------------- view ops
def reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    if newshape is not None:
        if shape is not None:
            raise TypeError("You cannot specify 'newshape' and 'shape' arguments at the same "
                            "time.")
        shape = newshape
    if shape is None:
        raise TypeError("reshape() missing 1 required positional argument: 'shape'")
    a = as_lazynp(a)
    if a._data is not None or order not in ("C", "A") or copy is not None:
        if a._data is None:
            a._value()
        return _concrete_view(np.reshape(a._data, shape, order=order, copy=copy), a)
    new = reshape_shape(a.size, shape, a.shape)
    return _record(Op.RESHAPE, (node_of(a),), None, new, a.dtype)


def ravel(a, order="C"):
    a = as_lazynp(a)
    if a._data is not None or order not in ("C", "A"):
        return _concrete_view(np.ravel(a._value(), order=order), a)
    return _record(Op.RESHAPE, (node_of(a),), None, (a.size,), a.dtype)


def transpose(a, axes=None):
    a = as_lazynp(a)
    if a._data is not None:
        return _concrete_view(np.transpose(a._data, axes), a)
    perm = transpose_axes(a.ndim, None if axes is None else tuple(axes)
                          if not isinstance(axes, (int, np.integer)) else (axes,))
    shape = tuple(a.shape[p] for p in perm)
    return _record(Op.TRANSPOSE, (node_of(a),), {"axes": perm}, shape, a.dtype)


def _permute(a: ndarray, perm: tuple) -> ndarray:
    shape = tuple(a.shape[p] for p in perm)
    return _record(Op.TRANSPOSE, (node_of(a),), {"axes": perm}, shape, a.dtype)


def swapaxes(a, axis1, axis2):
    a = as_lazynp(a)
    if a._data is not None:
        return _concrete_view(np.swapaxes(a._data, axis1, axis2), a)
    return _permute(a, swapaxes_perm(a.ndim, axis1, axis2))


def moveaxis(a, source, destination):
    a = as_lazynp(a)
    if a._data is not None:
        return _concrete_view(np.moveaxis(a._data, source, destination), a)
    return _permute(a, moveaxis_perm(a.ndim, source, destination))


def expand_dims(a, axis):
    a = as_lazynp(a)
    if a._data is not None:
        return _concrete_view(np.expand_dims(a._data, axis), a)
    if not isinstance(axis, (tuple, list)):
        axis = (axis,)
    out_ndim = len(axis) + a.ndim
    axes = normalize_axis_tuple(axis, out_ndim)
    it = iter(a.shape)
    shape = tuple(1 if i in axes else next(it) for i in range(out_ndim))
    return _record(Op.RESHAPE, (node_of(a),), None, shape, a.dtype)


def squeeze(a, axis=None):
    a = as_lazynp(a)
    if a._data is not None:
        return _concrete_view(np.squeeze(a._data, axis), a)
    if axis is None:
        shape = tuple(s for s in a.shape if s != 1)
    else:
        axes = normalize_axis_tuple(axis, a.ndim)
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not "
                                 "equal to one")
        shape = tuple(s for i, s in enumerate(a.shape) if i not in axes)
    return _record(Op.RESHAPE, (node_of(a),), None, shape, a.dtype)


def broadcast_to(array, shape, subok=False):
    a = as_lazynp(array)
    if a._data is not None:
        return _concrete_view(np.broadcast_to(a._data, shape), a)
    new = broadcast_to_shape(a.shape, shape)
    return _record(Op.BROADCAST_TO, (node_of(a),), None, new, a.dtype)


def atleast_1d(*arys):
    res = [a if a.ndim >= 1 else reshape(a, (1,)) for a in map(as_lazynp, arys)]
    return res[0] if len(res) == 1 else tuple(res)


def atleast_2d(*arys):
    res = []
    for a in map(as_lazynp, arys):
        if a.ndim == 0:
            a = reshape(a, (1, 1))
        elif a.ndim == 1:
            a = expand_dims(a, 0)
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


# -------------------------------------------------------------------- joins
_INTC_MAX = int(np.iinfo(np.intc).max)


def concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    if isinstance(arrays, ndarray):
        arrays = list(arrays)  # NumPy iterates an array argument along its first axis
    if hasattr(arrays, "__len__") and len(arrays) > _INTC_MAX:
        raise ValueError(f"concatenate() only supports up to {_INTC_MAX} arrays but got "
                         f"{len(arrays)}.")  # (NumPy's check, before any per-array work)
    arrays = [as_lazynp(a) for a in arrays]
    if (out is not None or dtype is not None or casting != "same_kind" or not arrays
            or any(a.dtype.kind not in "biufc" for a in arrays)):
        kwargs = {"axis": axis, "dtype": dtype, "casting": casting}
        if out is not None:
            target = out._value() if type(out) is ndarray else out
            _engine.before_write(target)
            kwargs["out"] = target
        res = np.concatenate([a._value() for a in arrays], **kwargs)
        return out if out is not None and type(out) is ndarray else from_numpy(res)
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    ndim = arrays[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    for i, a in enumerate(arrays):
        if a.ndim != ndim:
            raise ValueError(
                "all the input arrays must have same number of dimensions, but the array at "
                f"index 0 has {ndim} dimension(s) and the array at index {i} has {a.ndim} "
                "dimension(s)")
    axis = normalize_axis_index(operator.index(axis), ndim)
    first = arrays[0].shape
    for i, a in enumerate(arrays[1:], 1):
        for d in range(ndim):
            if d != axis and a.shape[d] != first[d]:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {d}, the array at index 0 has size "
                    f"{first[d]} and the array at index {i} has size {a.shape[d]}")
    res_dtype = np.concatenate([np.empty((0,) * ndim, dtype=a.dtype) for a in arrays],
                               axis=axis, dtype=dtype, casting=casting).dtype
    shape = list(first)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    shape = tuple(shape)
    size = math.prod(shape)
    if all(a._data is not None for a in arrays) and eager_size(size):
        return from_numpy(np.concatenate([a._data for a in arrays], axis=axis, dtype=dtype,
                                         casting=casting))
    kwargs = {"axis": axis, "dtype": res_dtype, "casting": "unsafe"}
    return _record(Op.CONCATENATE, tuple(node_of(a) for a in arrays), {"kwargs": kwargs},
                   shape, res_dtype)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    arrays = [as_lazynp(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape")
    result_ndim = arrays[0].ndim + 1
    axis = normalize_axis_index(operator.index(axis), result_ndim)
    expanded = [expand_dims(a, axis) for a in arrays]
    return concatenate(expanded, axis=axis, out=out, dtype=dtype, casting=casting)


def hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = atleast_1d(*tup)
    if not isinstance(arrs, tuple):
        arrs = (arrs,)
    if arrs and arrs[0].ndim == 1:
        return concatenate(arrs, 0, dtype=dtype, casting=casting)
    return concatenate(arrs, 1, dtype=dtype, casting=casting)


def vstack(tup, *, dtype=None, casting="same_kind"):
    arrs = atleast_2d(*tup)
    if not isinstance(arrs, tuple):
        arrs = (arrs,)
    return concatenate(arrs, 0, dtype=dtype, casting=casting)


# --------------------------------------------------- other elementwise ops
def _elementwise(op: Op, np_fn: Any, operands: tuple, kwargs: dict | None = None) -> Any:
    """Record an elementwise non-ufunc op whose dtype NumPy resolves on stand-ins."""
    ops = tuple(o if type(o) is ndarray or o is None or isinstance(o, (int, float, complex))
                else as_lazynp(o) for o in operands)
    if op is Op.CLIP and ops[1] is None and ops[2] is None:
        return from_numpy(np_fn(asnumpy(ops[0]), None, None, **(kwargs or {})))
    arrays = [o for o in ops if type(o) is ndarray]
    dtype = call_result_dtype(np_fn, ops, kwargs or {})
    shape = broadcast_shapes(*(o.shape for o in arrays)) if arrays else ()
    size = math.prod(shape)
    if (not shape or dtype.kind not in "biufc"
            or any(o.dtype.kind not in "biufc" for o in arrays)
            or (all(o._data is not None for o in arrays) and eager_size(size))):
        return from_numpy(np_fn(*(asnumpy(o) if type(o) is ndarray else o for o in ops),
                                **(kwargs or {})))
    params: dict[str, Any] = {"args": tuple(ARG if type(o) is ndarray else o for o in ops)}
    if kwargs:
        params["kwargs"] = kwargs
    return _record(op, tuple(node_of(o) for o in arrays), params, shape, dtype)


def where(condition, x=_NoValue, y=_NoValue, /):
    if x is _NoValue and y is _NoValue:
        _engine.count_fallback("where (one argument)")
        return from_numpy(np.where(asnumpy(condition)))
    if x is _NoValue or y is _NoValue:
        raise ValueError("either both or neither of x and y should be given")
    return _elementwise(Op.WHERE, np.where, (condition, x, y))


def clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue,
         **kwargs):
    # (NumPy's argument rules and messages, ``numpy.clip``)
    if a_min is _NoValue and a_max is _NoValue:
        a_min = None if min is _NoValue else min
        a_max = None if max is _NoValue else max
    elif a_min is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_min'")
    elif a_max is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_max'")
    elif min is not _NoValue or max is not _NoValue:
        raise ValueError("Passing `min` or `max` keyword argument when `a_min` and `a_max` "
                         "are provided is forbidden.")
    if out is not None or kwargs:
        _engine.count_fallback("clip")
        target = out._value() if type(out) is ndarray else out
        if target is not None:
            _engine.before_write(target)
            kwargs["out"] = target
        res = np.clip(asnumpy(a), to_numpy(a_min), to_numpy(a_max), **to_numpy(kwargs))
        return out if type(out) is ndarray and res is target else from_numpy(res)
    return _elementwise(Op.CLIP, np.clip, (as_lazynp(a), a_min, a_max))


def astype(a: ndarray, dtype: Any, order: str = "K", casting: str = "unsafe",
           subok: bool = True, copy: bool = True) -> ndarray:
    dtype = np.dtype(dtype)
    if not np.can_cast(a.dtype, dtype, casting):
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to {dtype!r} according "
                        f"to the rule '{casting}'")
    if not copy and dtype == a.dtype:
        return a
    if a.dtype.kind == "c" and dtype.kind not in "bcOV":
        # NumPy warns when the cast is set up: at the call, not when the value is computed
        # (not for bool: nonzero-ness uses both parts)
        warnings.warn("Casting complex values to real discards the imaginary part",
                      np.exceptions.ComplexWarning, stacklevel=3)
    if (dtype.kind not in "biufc" or a.dtype.kind not in "biufc"
            or (a._data is not None and (eager_size(a.size) or order not in ("K", "A", "C")))):
        with warnings.catch_warnings():  # (warned above)
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return from_numpy(a._value().astype(dtype, order=order, casting=casting,
                                                copy=True))
    if dtype == a.dtype:
        return copy_array(a, order)
    return _record(Op.CAST, (node_of(a),), None, a.shape, dtype)


def copy_array(a: ndarray, order: str = "K") -> ndarray:
    if order not in ("K", "A", "C"):  # (a Fortran-ordered copy: NumPy's, of the values)
        return from_numpy(np.array(a._value(), copy=True, order=order))
    if a._data is not None and eager_size(a.size):
        return from_numpy(np.array(a._data, copy=True, order=order))
    return _record(Op.COPY, (node_of(a),), {"order": order}, a.shape, a.dtype)


def copy(a, order="K", subok=False):
    return copy_array(as_lazynp(a), order)
