"""Ufunc calls: record a node per elementwise ufunc, or run NumPy at once when that is right.

``ufunc_call(uf, args, kwargs)`` is the single entry point used by the ``lazynp.<ufunc>``
wrappers, the Python operators and ``__array_ufunc__``.  It

1. resolves result dtype(s) and shape at record time through NumPy itself (``graph.dtypes``),
   so promotion (NEP 50), ``dtype=``/``casting=`` errors and broadcast errors raise at the call;
2. runs NumPy directly when every operand is concrete and the result is small (or
   ``config.eager``), when the result is 0-d (NumPy returns a scalar), or when the call uses
   arguments the graph does not model (``out=`` writes happen at the call);
3. otherwise records a pending node of the ufunc's ``Op``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _engine
from .._array import asnumpy, eager_size, from_numpy, lazy, ndarray, node_of, to_numpy
from .._blas import BLAS_UFUNCS, blas_threads
from ..graph.dtypes import _UFUNC_CACHE as _DTYPES
from ..graph.dtypes import _kwargs_key, broadcast_shapes, ufunc_result_dtypes
from ..graph.node import Node, buffer_node, share_reports
from ..graph.ops import MULTI_OUT, OP_OF_UFUNC, Op
from ..graph.semantics import ARG
from .checks import check_ufunc_call

_SCALARS = (int, float, complex, bool)
_MODELED = frozenset("biufc")  # dtype kinds the graph and kernels model
_LAZY_KWARGS = frozenset({"dtype", "casting"})


def _operand(x: Any) -> Any:
    """lazynp array, NumPy array, Python scalar or NumPy scalar as is; anything else (lists,
    ``__array__`` objects) to a NumPy array."""
    t = type(x)
    if t is ndarray or t is np.ndarray or t in _SCALARS or isinstance(x, np.generic):
        return x
    return np.asarray(to_numpy(x))


def _leaf(x: Any) -> Node:
    """The graph input for operand ``x`` of a recorded node.  A NumPy array is the user's (or
    a library's) and may be written before the node is forced: the node reads a copy taken
    now (callers record only small NumPy operands; large ones make the call eager)."""
    if type(x) is ndarray:
        return node_of(x)
    return buffer_node(x.copy())


def _is_array_operand(x: Any) -> bool:
    t = type(x)
    return t is ndarray or t is np.ndarray


def _check_integer_power(exponent: Any) -> None:
    """NumPy refuses negative integer exponents at the call; decide it now where the exponent
    is known (a scalar or a concrete array).  A pending exponent raises when forced."""
    if type(exponent) is ndarray:
        if exponent._data is None:
            return
        exponent = exponent._data
    if type(exponent) is np.ndarray:  # (a concrete lazynp array's or a NumPy operand)
        if exponent.dtype.kind != "i":
            return
        negative = bool((exponent < 0).any())
    else:
        negative = exponent < 0
    if negative:
        raise ValueError("Integers to negative integer powers are not allowed.")


def _has_pending(args: tuple) -> bool:
    for a in args:
        if type(a) is ndarray and a._data is None:
            return True
    return False


def _has_foreign(args: tuple) -> bool:
    """Whether an operand is an array lazynp does not own (a NumPy array, a list...)."""
    for a in args:
        t = type(a)
        if t is not ndarray and t not in _SCALARS and not isinstance(a, np.generic):
            return True
    return False


def _self_overlapping(o: ndarray) -> bool:
    """A concrete output whose elements share memory (a broadcast view: NumPy's writes, and
    its warning on writing a broadcast array, are NumPy's own)."""
    d = o._data
    if d is None:
        return False
    for s, n in zip(d.strides, d.shape):
        if s == 0 and n > 1:
            return True
    return False


def eager_ufunc(uf: np.ufunc, method: str, args: tuple, kwargs: dict) -> Any:
    """Run a ufunc (method) through NumPy now; writes into ``out=`` keep lazynp identity."""
    if method == "__call__":
        if len(args) > uf.nin and "out" not in kwargs:  # positional outputs
            kwargs = dict(kwargs, out=tuple(args[uf.nin:]))
            args = args[:uf.nin]
        if _has_pending(args):
            check_ufunc_call(uf, args, kwargs)  # NumPy's errors before forcing anything
    out = kwargs.get("out")
    outs = out if isinstance(out, tuple) else (out,) if out is not None else ()
    np_args = to_numpy(args)
    np_kwargs = to_numpy(kwargs)
    for o in outs:
        if type(o) is ndarray:
            _engine.before_write(o._value())
        elif isinstance(o, np.ndarray):
            _engine.before_write(o)
    if method == "at" and args and type(args[0]) is ndarray:
        _engine.before_write(args[0]._value())
    fn = uf if method == "__call__" else getattr(uf, method)
    if uf in BLAS_UFUNCS:
        with blas_threads(uf.__name__):
            res = fn(*np_args, **np_kwargs)
    else:
        res = fn(*np_args, **np_kwargs)
    if outs:
        res_t = res if isinstance(res, tuple) else (res,)
        mapped = tuple(o if (type(o) is ndarray and r is o._data) or r is o else from_numpy(r)
                       for o, r in zip(outs, res_t))
        return mapped if isinstance(res, tuple) else mapped[0]
    return from_numpy(res)


def _ufunc_into(uf: np.ufunc, args: tuple, kwargs: dict) -> Any:
    """``uf(*args, out=o)`` with one lazynp ``o``: when the result is a pending node, its kernel
    writes straight into ``o``'s buffer (``a += expr`` without a temporary).  Concrete lazy-tier
    operands (lazynp arrays and scalars, a result the lazy tier would record) take the same
    kernel as ``uf(*args)``, so ``out=`` does not change the values (compiled transcendentals
    are within the ULP bounds of docs/numerics.md, not NumPy's bits)."""
    out = kwargs["out"]
    o = out[0] if type(out) is tuple and len(out) == 1 else out
    if (type(o) is not ndarray or uf.nout != 1 or "where" in kwargs
            or (not _has_pending(args) and (eager_size(o.size) or _has_foreign(args)
                                            or _self_overlapping(o)))):
        return eager_ufunc(uf, "__call__", args, kwargs)
    check_ufunc_call(uf, args, kwargs)  # NumPy's errors for this call, before any work
    res = ufunc_call(uf, args, {k: v for k, v in kwargs.items() if k != "out"})
    target = o._value()
    if type(res) is not ndarray or res._data is not None:
        value = asnumpy(res)
        _engine.before_write(target)
        target[...] = value  # (casting was checked above: an unsafe cast is NumPy's own)
        return o
    node = res._node
    del res  # the temporary is ours alone: nothing can read the result but the target
    if node.dtype != target.dtype:
        node = _engine.record(Node(Op.CAST, (node,), None, node.shape, target.dtype))
    if node.shape != target.shape:
        value = _engine.host_value(node)
        _engine.before_write(target)
        target[...] = value
    else:
        _engine.assign(target, node)
    return o


def ufunc_call(uf: np.ufunc, args: tuple, kwargs: dict) -> Any:
    op = OP_OF_UFUNC.get(uf)
    if op is None or len(args) != uf.nin:
        if op is None:
            _engine.count_fallback(uf.__name__)
        return eager_ufunc(uf, "__call__", args, kwargs)
    where = True
    if kwargs:
        if "out" in kwargs:
            out = kwargs["out"]
            if out is None or (type(out) is tuple and all(o is None for o in out)):
                kwargs = {k: v for k, v in kwargs.items() if k != "out"}
            else:
                return _ufunc_into(uf, args, kwargs)
        if "where" in kwargs:
            kwargs = dict(kwargs)
            where = kwargs.pop("where")
        if not _LAZY_KWARGS.issuperset(kwargs):
            return eager_ufunc(uf, "__call__", args, kwargs | ({} if where is True else
                                                              {"where": where}))
    operands: list = []
    key: list = []
    shapes: list = []
    any_lazy = False
    modeled = True
    foreign = 0  # largest NumPy-array operand (memory lazynp does not own)
    for a in args:
        t = type(a)
        if t is not ndarray:
            if t is int:
                key.append((int, a < 0, a.bit_length()))
                operands.append(a)
                continue
            if t is float or t is complex or t is bool:
                key.append(t)
                operands.append(a)
                continue
            if isinstance(a, np.generic):
                key.append(a.dtype)
                operands.append(a)
                modeled = modeled and a.dtype.kind in _MODELED
                continue
            if t is not np.ndarray and isinstance(a, np.ndarray):
                # a NumPy subclass: NumPy's call, whose result its __array_wrap__ makes
                return eager_ufunc(uf, "__call__", args, kwargs | ({} if where is True else
                                                                  {"where": where}))
            a = _operand(a)
        if type(a) is np.ndarray:
            d = a
            if d.size > foreign:
                foreign = d.size
        else:
            d = a._data
        if d is None:
            node = a._node
            dt = node.dtype
            shapes.append(node.shape)
            any_lazy = True
        else:
            dt = d.dtype
            shapes.append(d.shape)
        if dt.kind not in _MODELED:
            modeled = False
        key.append(dt)
        operands.append(a)
    has_where = where is not True
    if has_where:
        where = _operand(where)
        if _is_array_operand(where):
            shapes.append(where.shape)
            if type(where) is np.ndarray:
                foreign = max(foreign, where.size)
            else:
                any_lazy = any_lazy or where._data is None
    if not shapes:  # only scalars: NumPy returns a scalar
        return eager_ufunc(uf, "__call__", args, kwargs | ({"where": where} if has_where
                                                           else {}))
    dtypes = _DTYPES.get((uf, tuple(key), _kwargs_key(kwargs)))
    if dtypes is None:  # (NumPy checks dtypes before shapes)
        dtypes = ufunc_result_dtypes(uf, operands, kwargs, tuple(key))
    if len(shapes) == 1:
        shape = shapes[0]
    else:
        shape = broadcast_shapes(*shapes)
    size = math.prod(shape)
    if op is Op.POWER and dtypes[0].kind in "iu" and size:
        _check_integer_power(operands[1])  # (NumPy's loop raises; an empty one never runs)
    if (not shape or not modeled or dtypes[0].kind not in _MODELED
            or (not any_lazy and eager_size(size)) or (foreign and not eager_size(foreign))):
        np_kwargs = dict(kwargs)
        if has_where:
            np_kwargs["where"] = asnumpy(where)
        return from_numpy(uf(*[asnumpy(o) if type(o) is ndarray else o for o in operands],
                             **np_kwargs))
    template = tuple([ARG if _is_array_operand(o) else o for o in operands])
    inputs = tuple([_leaf(o) for o in operands if _is_array_operand(o)])
    params: dict[str, Any] = {"args": template}
    if kwargs:
        params["kwargs"] = kwargs
    if has_where:
        if not _is_array_operand(where):
            where = np.asarray(where, dtype=bool)
        inputs += (_leaf(where),)
        params["where"] = True
    if op in MULTI_OUT:
        # (one call: NumPy reports each floating-point flag once for both outputs)
        nodes = [Node(op, inputs, dict(params, index=i), shape, dt)
                 for i, dt in enumerate(dtypes)]
        share_reports(nodes)
        return tuple([lazy(_engine.record(n)) for n in nodes])
    return lazy(_engine.record(Node(op, inputs, params, shape, dtypes[0])))
