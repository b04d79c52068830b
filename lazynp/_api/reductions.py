"""Reductions: sum prod min max mean std var any all argmin argmax ptp.

Each public function has NumPy's signature.  Axes, ``keepdims``, ``dtype``, ``initial``,
``ddof`` are checked at record time (AxisError, TypeError... at the call).  A reduction
records a pending node when its input is lazy or large and its result is an array; a result
that NumPy returns as a scalar (a full reduction without keepdims) is computed at once and
returned as the same NumPy scalar type; ``out=`` writes at the call.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .. import _engine
from .._array import from_numpy, lazy, ndarray, node_of, to_numpy
from .._config import EAGER_LIMIT
from ..graph.dtypes import reduce_result_dtype
from ..graph.node import Node
from ..graph.ops import Op
from ..graph.semantics import _REDUCERS
from .shape import as_lazynp
from .ufuncs import ufunc_call

_NoValue = np._NoValue


def _eager(op: Op, a: ndarray, kwargs: dict) -> Any:
    out = kwargs.get("out")
    np_kwargs = to_numpy(kwargs)
    if out is not None:
        target = out._value() if type(out) is ndarray else out
        _engine.before_write(target)
    res = _REDUCERS[op](a._value(), **np_kwargs)
    if out is not None and type(out) is ndarray and res is out._data:
        return out
    return from_numpy(res)


# ndarray method of each reduction, for the small-array path (skips np.sum's dispatch)
_METHOD = {Op.SUM: "sum", Op.PROD: "prod", Op.MIN: "min", Op.MAX: "max", Op.ANY: "any",
           Op.ALL: "all", Op.MEAN: "mean", Op.VAR: "var", Op.STD: "std", Op.ARGMIN: "argmin",
           Op.ARGMAX: "argmax"}


def reduce(op: Op, a: Any, **kwargs: Any) -> Any:
    """Record (or run) reduction ``op`` of ``a``; kwargs are NumPy's, unset ones omitted."""
    kwargs = {k: v for k, v in kwargs.items() if v is not _NoValue}
    if (type(a) is ndarray and a._small is EAGER_LIMIT[1] and op in _METHOD
            and kwargs.get("out") is None and type(kwargs.get("where")) is not ndarray):
        return from_numpy(getattr(a._data, _METHOD[op])(**kwargs))
    a = as_lazynp(a)
    if (kwargs.get("out") is not None or a.size == 0 or a.ndim == 0
            or a.dtype.kind not in "biufc"):
        axis = kwargs.get("axis")
        if axis is not None and a._data is None:  # AxisError before forcing
            if op is Op.ARGMIN or op is Op.ARGMAX:
                normalize_axis_index(operator.index(axis), a.ndim or 1)
            else:
                normalize_axis_tuple(axis, a.ndim or 1)
        return _eager(op, a, kwargs)
    kwargs.pop("out", None)
    ndim = a.ndim
    axis = kwargs.get("axis")
    if op is Op.ARGMIN or op is Op.ARGMAX:
        if axis is not None:
            axis = normalize_axis_index(operator.index(axis), ndim)
            kwargs["axis"] = axis
        axes = tuple(range(ndim)) if axis is None else (axis,)
    else:
        axes = tuple(range(ndim)) if axis is None else normalize_axis_tuple(axis, ndim)
        if axis is not None:
            kwargs["axis"] = axes
    keepdims = bool(kwargs.get("keepdims", False))
    if (op is Op.ARGMIN or op is Op.ARGMAX) and axis is None and keepdims:
        shape = (1,) * ndim
    elif keepdims:
        shape = tuple(1 if i in axes else s for i, s in enumerate(a.shape))
    else:
        shape = tuple(s for i, s in enumerate(a.shape) if i not in axes)
    where = kwargs.pop("where", True)
    static = {k: v for k, v in kwargs.items() if k != "dtype" or v is not None}
    dtype = reduce_result_dtype(_REDUCERS[op], a.dtype, ndim, static)
    if not shape and a._data is None and where is True:
        # A full reduction of a lazy input: record it and force it at once, so it fuses with
        # the expression it reduces (no full-size temporary); the result is NumPy's scalar.
        node = _engine.record(Node(op, (node_of(a),), {"kwargs": kwargs}, shape, dtype))
        return _engine.host_value(node)[()]
    # A concrete input is reduced by NumPy at once (cost model: NumPy reads it once, as a
    # kernel would, and nothing can be fused into it); a pending one is recorded, so the
    # reduction fuses with the expression it reduces.
    if not shape or (a._data is not None and type(where) is not ndarray):
        if where is not True:
            kwargs["where"] = where
        return _eager(op, a, kwargs)
    params: dict[str, Any] = {"kwargs": kwargs}
    inputs = (node_of(a),)
    if where is not True:
        inputs += (node_of(as_lazynp(where)),)
        params["where"] = True
    return lazy(_engine.record(Node(op, inputs, params, shape, dtype)))


def sum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
        where=_NoValue):
    return reduce(Op.SUM, a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                  initial=initial, where=where)


def prod(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
         where=_NoValue):
    return reduce(Op.PROD, a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                  initial=initial, where=where)


def min(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    return reduce(Op.MIN, a, axis=axis, out=out, keepdims=keepdims, initial=initial,
                  where=where)


def max(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    return reduce(Op.MAX, a, axis=axis, out=out, keepdims=keepdims, initial=initial,
                  where=where)


def any(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    return reduce(Op.ANY, a, axis=axis, out=out, keepdims=keepdims, where=where)


def all(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    return reduce(Op.ALL, a, axis=axis, out=out, keepdims=keepdims, where=where)


def mean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    return reduce(Op.MEAN, a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)


def _spread(op: Op, a: Any, mean: Any, **kwargs: Any) -> Any:
    correction = kwargs.pop("correction")
    if correction is not _NoValue:  # (the array API's name of ddof, as numpy.std takes it)
        if kwargs["ddof"] != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        kwargs["ddof"] = correction
    # var/std with a precomputed ``mean=`` run through NumPy at once
    if mean is not _NoValue:
        return _eager(op, as_lazynp(a), dict(kwargs, mean=mean))
    if (type(a) is ndarray and a._small is None and a.ndim and a.size
            and a.dtype.kind in "biuf" and a.dtype != np.float16
            and kwargs["out"] is None and kwargs["where"] is _NoValue
            and type(kwargs["ddof"]) in (int, float)):
        got = _spread_composite(op, a, kwargs["axis"], kwargs["dtype"], kwargs["ddof"],
                                kwargs["keepdims"])
        if got is not None:
            return got
    return reduce(op, a, **kwargs)


def _spread_composite(op: Op, a: ndarray, axis: Any, dtype: Any, ddof: Any,
                      keepdims: Any) -> Any:
    """var/std as NumPy's ``_methods._var`` computes them, step for step, recorded as
    lazy operations: the mean (a sum with ``keepdims``, divided by the count as an
    ``intp``, cast back), the squared deviations and their sum, divided by the degrees of
    freedom, then ``sqrt`` for std.  Two fused kernels, no full-size temporary, NumPy's
    digits where the sums take NumPy's order.  None when NumPy would warn (ddof >= count)
    or the arguments are unusual (the caller then takes the general path)."""
    axes = tuple(range(a.ndim)) if axis is None else normalize_axis_tuple(axis, a.ndim)
    count = 1
    for d in axes:
        count *= a.shape[d]
    if ddof >= count or (dtype is not None and np.dtype(dtype).kind not in "f"):
        return None
    if dtype is None and a.dtype.kind in "biu":
        dtype = np.dtype(np.float64)
    keepdims = False if keepdims is _NoValue else bool(keepdims)
    total = reduce(Op.SUM, a, axis=axes, dtype=dtype, keepdims=True)
    mean = ufunc_call(np.true_divide, (total, np.intp(count)), {})
    if mean.dtype != total.dtype:  # (NumPy divides into the sum's own buffer, unsafe cast)
        mean = mean.astype(total.dtype)
    dev = ufunc_call(np.square, (ufunc_call(np.subtract, (a, mean), {}),), {})
    for t in (total, mean, dev):  # internal temporaries: nothing outside holds them
        if type(t) is ndarray and t._data is None:  # (a small one is NumPy's array)
            t._node.holder = None
    ret = reduce(Op.SUM, dev, axis=axes, dtype=dtype, keepdims=keepdims)
    dof = max(count - ddof, 0)
    dof = np.intp(dof) if type(dof) is int else np.float64(dof)
    if isinstance(ret, np.generic):  # a NumPy scalar (full reduction)
        ret = ret.dtype.type(ret / dof)
        return ret.dtype.type(np.sqrt(ret)) if op is Op.STD else ret
    var = ufunc_call(np.true_divide, (ret, dof), {})
    if var.dtype != ret.dtype:
        var = var.astype(ret.dtype)
    return ufunc_call(np.sqrt, (var,), {}) if op is Op.STD else var


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    return _spread(Op.VAR, a, mean, axis=axis, dtype=dtype, out=out, ddof=ddof,
                   keepdims=keepdims, where=where, correction=correction)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    return _spread(Op.STD, a, mean, axis=axis, dtype=dtype, out=out, ddof=ddof,
                   keepdims=keepdims, where=where, correction=correction)


def argmin(a, axis=None, out=None, *, keepdims=_NoValue):
    return reduce(Op.ARGMIN, a, axis=axis, out=out, keepdims=keepdims)


def argmax(a, axis=None, out=None, *, keepdims=_NoValue):
    return reduce(Op.ARGMAX, a, axis=axis, out=out, keepdims=keepdims)


def ptp(a, axis=None, out=None, keepdims=_NoValue):
    return reduce(Op.PTP, a, axis=axis, out=out, keepdims=keepdims)


amin = min
amax = max


def count_nonzero(a, axis=None, *, keepdims=False):
    """NumPy's ``count_nonzero``: ``a != 0`` summed as ``intp`` in one fused kernel for an
    array of the lazy tier (no full-size boolean temporary)."""
    if type(a) is not ndarray or a.dtype.kind not in "biufc" or a._small is not None:
        return from_numpy(np.count_nonzero(to_numpy(a), axis=axis, keepdims=keepdims))
    return reduce(Op.SUM, ufunc_call(np.not_equal, (a, 0), {}), axis=axis, dtype=np.intp,
                  keepdims=keepdims)
