"""Operators and methods of ``lazynp.LazyArray``, generated from tables.

Binary operators have a fast path for the small-array case (both operands concrete and under
``config.eager_threshold``: one NumPy call, one wrapper object), everything else goes through
``ufuncs.ufunc_call``.  In-place operators write into the existing buffer and return ``self``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .. import _engine
from .._array import (
    ZERO_SIZE,
    from_numpy,
    hand_out,
    lazy,
    ndarray,
    node_of,
    release_temporary,
    to_numpy,
    wrap,
)
from .._config import EAGER_LIMIT, on_change
from .._engine import record
from ..graph.dtypes import _UFUNC_CACHE as _DTYPES
from ..graph.dtypes import zero_stride_dummy
from ..graph.node import Node
from ..graph.ops import MULTI_OUT, OP_OF_UFUNC, Op
from ..graph.semantics import ARG
from . import reductions, shape
from .array_api import to_device_method
from .ufuncs import _MODELED, ufunc_call

_np_ndarray = np.ndarray
_NO_KWARGS: dict = {}
_TOKEN = None  # EAGER_LIMIT[1], as a module global for the fast path


def _refresh_token() -> None:
    global _TOKEN
    _TOKEN = EAGER_LIMIT[1]


on_change(_refresh_token)
_ARG_ARG = (ARG, ARG)

# name, ufunc, has reflected form, has in-place form
_BINARY = (
    ("add", np.add, True, True), ("sub", np.subtract, True, True),
    ("mul", np.multiply, True, True), ("truediv", np.true_divide, True, True),
    ("floordiv", np.floor_divide, True, True), ("mod", np.remainder, True, True),
    ("pow", np.power, True, True), ("lshift", np.left_shift, True, True),
    ("rshift", np.right_shift, True, True), ("and", np.bitwise_and, True, True),
    ("or", np.bitwise_or, True, True), ("xor", np.bitwise_xor, True, True),
    ("matmul", np.matmul, True, True), ("divmod", np.divmod, True, False),
    ("eq", np.equal, False, False), ("ne", np.not_equal, False, False),
    ("lt", np.less, False, False), ("le", np.less_equal, False, False),
    ("gt", np.greater, False, False), ("ge", np.greater_equal, False, False),
)
_UNARY = (("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
          ("invert", np.invert))


def _defers(other: Any) -> bool:
    """NumPy's binop rule: an operand with ``__array_ufunc__ = None`` handles the op."""
    return getattr(type(other), "__array_ufunc__", 0) is None


_NP_ARRAY_UFUNC = np.ndarray.__array_ufunc__


def _overrides(other: Any) -> bool:
    """NEP 13: an operand of a foreign type with its own ``__array_ufunc__`` (a Dask array)
    gets the call through NumPy's override dispatch, as with ``numpy.ndarray``'s operators."""
    t = type(other)
    if t is ndarray or t is _np_ndarray or t is int or t is float:
        return False
    f = getattr(t, "__array_ufunc__", _NP_ARRAY_UFUNC)
    return f is not _NP_ARRAY_UFUNC and f is not None and not isinstance(other, _np_ndarray)


def _forward(uf: np.ufunc) -> Any:
    op = OP_OF_UFUNC.get(uf)
    if op is None or op in MULTI_OUT:
        def method(self: ndarray, other: Any) -> Any:
            if _defers(other):
                return NotImplemented
            if _overrides(other):
                return uf(self, other)
            return ufunc_call(uf, (self, other), _NO_KWARGS)
        return method

    not_power = op is not Op.POWER

    # The small-array fast path is written out flat: it is the whole cost of eager code.  Two
    # small operands give a small result (an outer broadcast of two small arrays may exceed
    # the limit; it is then merely computed eagerly, which is NumPy's own behaviour).
    def method(self: ndarray, other: Any) -> Any:
        small = self._small
        if small is _TOKEN:
            # a small concrete view of a lazynp buffer: NumPy computes, the result is NumPy's
            t = type(other)
            if t is ndarray:
                if other._small is small:  # (neither is 0-d: the result is an array)
                    return uf(self._data, other._data)
            elif t is float or t is int or (t is _np_ndarray and other.size < EAGER_LIMIT[0]):
                return uf(self._data, other)
        elif small is ZERO_SIZE:
            # a 0-size concrete lazynp array (a Dask meta): NumPy computes, the result stays
            # a lazynp array (``from_numpy``; docs/tiers.md)
            t = type(other)
            if t is float or t is int:
                return from_numpy(uf(self._data, other))
            if t is ndarray and other._small is small:
                return from_numpy(uf(self._data, other._data))
        elif small is None and not_power:
            # Recording on a lazy or large operand (the lazy tier) with a Python scalar or a
            # same-shape lazy or large array: the dtype cache answers directly, without the
            # general operand analysis.  (A power of integers goes the general way: NumPy
            # refuses a negative exponent at the call.)
            node = self._node if self._data is None else node_of(self)
            t = type(other)
            if t is float or t is ndarray:
                if t is float:
                    key = (uf, (node.dtype, float), ())
                    inputs = (node,)
                    template = None
                else:
                    if other._small is not None:
                        return ufunc_call(uf, (self, other), _NO_KWARGS)
                    o = other._node if other._data is None else node_of(other)
                    if o.shape != node.shape:
                        return ufunc_call(uf, (self, other), _NO_KWARGS)
                    key = (uf, (node.dtype, o.dtype), ())
                    inputs = (node, o)
                    template = _ARG_ARG
                dtypes = _DTYPES.get(key)
                # (operands of kinds the graph does not model, e.g. timedelta64 compared
                # into bool, go the general way: NumPy computes them)
                if (dtypes is not None and dtypes[0].kind in _MODELED and node.shape
                        and node.dtype.kind in _MODELED
                        and (template is None or inputs[1].dtype.kind in _MODELED)):
                    params = {"args": template if t is ndarray else (ARG, other)}
                    return lazy(record(Node(op, inputs, params, node.shape, dtypes[0])))
        if type(other) is not float:
            if _defers(other):
                return NotImplemented
            if _overrides(other):
                return uf(self, other)
        return ufunc_call(uf, (self, other), _NO_KWARGS)
    return method


def _scalar_power(self: ndarray, exponent: Any) -> np.ufunc | None:
    """NumPy's ``**`` shortcut: an inexact array to the Python ``-1`` or ``0.5`` runs
    ``reciprocal`` or ``sqrt``, a non-object array to the Python ``2`` runs ``square``,
    instead of ``power`` (visible in warnings and errors)."""
    t = type(exponent)
    if t is int:
        uf = _POWER_SHORTCUTS.get(exponent)
    elif t is float and exponent == 0.5:
        uf = np.sqrt
    else:
        return None
    if uf is np.square:  # (NumPy's square for every dtype but object: its errors name it)
        return uf if self.dtype.kind != "O" else None
    return uf if uf is not None and self.dtype.kind in "fc" else None


_POWER_SHORTCUTS = {-1: np.reciprocal, 2: np.square}


def _power(self: ndarray, other: Any) -> Any:
    uf = _scalar_power(self, other)
    if uf is not None:
        return ufunc_call(uf, (self,), _NO_KWARGS)
    return _plain_power(self, other)


def _ipower(self: ndarray, other: Any) -> Any:
    uf = _scalar_power(self, other)
    if uf is not None:
        return ufunc_call(uf, (self,), {"out": (self,)})
    return _plain_ipower(self, other)


def _reflected(uf: np.ufunc) -> Any:
    def method(self: ndarray, other: Any) -> Any:
        if _defers(other):
            return NotImplemented
        if _overrides(other):
            return uf(other, self)
        return ufunc_call(uf, (other, self), {})
    return method


def _inplace(uf: np.ufunc) -> Any:
    def method(self: ndarray, other: Any) -> Any:
        d = self._data
        if d is not None and (type(other) is float or type(other) is int):
            if _engine._registry:
                _engine.before_write(d)
            uf(d, other, out=d)
            return self
        if _defers(other):
            return NotImplemented
        if _overrides(other):
            return uf(self, other, out=(self,))
        if type(other) is ndarray:
            refcount = sys.getrefcount(other)  # (before `other` is pushed as an argument)
            release_temporary(other, refcount)
        return ufunc_call(uf, (self, other), {"out": (self,)})
    return method


_plain_imatmul = _inplace(np.matmul)


def _imatmul(self: ndarray, other: Any) -> Any:
    """``a @= b``: NumPy's in-place matmul, whose result must keep ``a``'s shape (its axes:
    a vector ``a`` times a matrix ``b`` only)."""
    if _defers(other):
        return NotImplemented
    b_ndim = other.ndim if type(other) is ndarray else np.ndim(to_numpy(other))
    if self.ndim < 1 or b_ndim < 2:
        raise ValueError("inplace matrix multiplication requires the first operand to have at "
                         "least one and the second at least two dimensions.")
    return _plain_imatmul(self, other)


_plain_power = _forward(np.power)
_plain_ipower = _inplace(np.power)


def _unary(uf: np.ufunc) -> Any:
    def method(self: ndarray) -> Any:
        return ufunc_call(uf, (self,), {})
    return method


# ------------------------------------------------------------------ methods
class _Probe:
    def method(self, *args: Any, **kwargs: Any) -> int:
        return sys.getrefcount(self)


# ``sys.getrefcount(self)`` inside a method of the shape below when ``self`` is a temporary of
# the calling statement (measured: it depends on how the Python version passes arguments)
_TEMPORARY_SELF = _Probe().method()


def _reduction_method(fn: Any) -> Any:
    name = fn.__name__
    if name in ("std", "var"):
        # NumPy's methods take no ``correction=`` (only the functions numpy.std/var do)
        def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
            if "correction" in kwargs:
                raise TypeError(f"_{name}() got an unexpected keyword argument 'correction'")
            if self._data is None and sys.getrefcount(self) <= _TEMPORARY_SELF:
                self._node.holder = None  # (a temporary: see below)
            return fn(self, *args, **kwargs)
    elif name in ("any", "all"):
        np_method = getattr(np.ndarray, name)

        # (NumPy's methods take a ``dtype`` after the axis, which the functions do not)
        def method(self: ndarray, axis: Any = None, dtype: Any = None, out: Any = None,
                   keepdims: Any = np._NoValue, *, where: Any = np._NoValue) -> Any:
            if dtype is not None:
                _engine.count_fallback(f"ndarray.{name}")
                kw = {k: to_numpy(v) for k, v in (("keepdims", keepdims), ("where", where))
                      if v is not np._NoValue}
                res = np_method(self._value(), axis, dtype, to_numpy(out), **kw)
                return out if type(out) is ndarray else hand_out(res)
            if self._data is None and sys.getrefcount(self) <= _TEMPORARY_SELF:
                self._node.holder = None  # (a temporary: see below)
            return fn(self, axis, out, keepdims, where=where)
    else:
        def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
            if self._data is None and sys.getrefcount(self) <= _TEMPORARY_SELF:
                # `(...).sum()`: only this call holds the pending array, nobody reads it
                # later, so its value need not be stored (it fuses into the reduction's
                # kernel)
                self._node.holder = None
            return fn(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Same as ``lazynp.{name}(self, ...)``."
    return method


def _shape_args(args: tuple) -> Any:
    if len(args) == 1 and (args[0] is None or isinstance(args[0], (tuple, list))):
        return args[0]
    return args


def _reshape(self: ndarray, *shape_args: Any, order: str = "C", copy: Any = None) -> ndarray:
    if not shape_args:
        raise TypeError("reshape() takes exactly 1 argument (0 given)")
    return shape.reshape(self, _shape_args(shape_args), order=order, copy=copy)


def _transpose(self: ndarray, *axes: Any) -> ndarray:
    return shape.transpose(self, _shape_args(axes) if axes else None)


def _ravel(self: ndarray, order: str = "C") -> ndarray:
    return shape.ravel(self, order)


def _flatten(self: ndarray, order: str = "C") -> ndarray:
    return shape.copy_array(shape.ravel(self, order), "C") if order in ("C", "A", "K") else \
        wrap(self._value().flatten(order))


def _squeeze(self: ndarray, axis: Any = None) -> ndarray:
    return shape.squeeze(self, axis)


def _swapaxes(self: ndarray, axis1: int, axis2: int) -> ndarray:
    return shape.swapaxes(self, axis1, axis2)


def _copy(self: ndarray, order: str = "C") -> ndarray:
    return shape.copy_array(self, order)


def _clip(self: ndarray, min: Any = None, max: Any = None, out: Any = None,
          **kwargs: Any) -> Any:
    return shape.clip(self, min, max, out, **kwargs)


def _conj(self: ndarray, out: Any = None) -> Any:
    # (NumPy's PyArray_Conjugate: the ufunc for complex and object arrays, the array itself
    # (or a copy into ``out``) for other numbers, an error for the rest)
    kind = self.dtype.kind
    if kind in "cO" or self.dtype.num >= 256:  # (complex, object, user DTypes)
        return ufunc_call(np.conjugate, (self,), {} if out is None else {"out": out})
    if kind not in "biuf":
        raise TypeError("cannot conjugate non-numeric dtype")
    if out is None:
        return self
    np.copyto(out, self)
    return out


_RESIZE_REFERENCED = (
    "cannot resize an array that references or is referenced\nby another object in this way.\n"
    "Use the np.resize function to get a new resized copy or\n set refcheck=False to disable "
    "this check")


def _resize(self: ndarray, *new_shape: Any, refcheck: bool = True) -> None:
    """``ndarray.resize`` (NumPy's, on a copy of the values, with NumPy's checks on this
    array: the caller's reference to it alone, memory of its own)."""
    refs = sys.getrefcount(self)
    d = self._value()
    # (an array of zero-sized items: NumPy's constructor keeps the dtype, copies make it
    # one byte wide)
    new = d.copy(order="K") if d.itemsize else np.ndarray(d.shape, d.dtype)
    new.resize(*new_shape, refcheck=refcheck)  # (NumPy's argument errors, zero fill)
    if new.nbytes == d.nbytes:  # (NumPy's test: no reallocation, no checks)
        # (NumPy's new dimensions on the same memory; an array of its own keeps one, as a
        # copy: pending work may still read ``d`` in its old shape)
        self._data = (new if d.base is None or new.size != d.size
                      else d.reshape(new.shape, order="A"))
    else:
        if d.base is not None or getattr(self, "_base", None) is not None:
            raise ValueError("cannot resize this array: it does not own its data")
        if refcheck and refs > _RESIZE_REFS:
            raise ValueError(_RESIZE_REFERENCED)
        self._data = new
    self._leaf = None


def _refs_of_a_method_call() -> int:
    # (the references a lone, named array has inside its method: NumPy's check is the same
    # count on the ndarray)
    class Probe:
        def method(self) -> int:
            return sys.getrefcount(self)
    p = Probe()
    return p.method()


_RESIZE_REFS = _refs_of_a_method_call()


def _fill(self: ndarray, value: Any) -> None:
    d = self._value()
    _engine.before_write(d)
    d.fill(value)


def _round(self: ndarray, ndigits: Any = None) -> Any:
    _engine.count_fallback("round")
    if ndigits is None:
        return from_numpy(np.round(self._value()))
    return from_numpy(np.round(self._value(), ndigits))


_NO_LOOP = np._core._exceptions._UFuncNoLoopError


def _void_comparison(name: str) -> Any:
    """``==`` / ``!=``: NumPy's operator for arrays of unstructured or structured voids
    (``ndarray.__eq__`` compares them itself; the ufuncs have no void loops), and for
    dtypes the ufunc has no loop for (NumPy's all-False / all-True result, of the broadcast
    shape: NumPy's operator on stand-ins of the operands' shapes and dtypes, whose values it
    does not read)."""
    fast = getattr(ndarray, f"__{name}__")
    np_op = getattr(np.ndarray, f"__{name}__")

    def method(self: ndarray, other: Any) -> Any:
        if self.dtype.kind == "V":
            _engine.count_fallback(f"ndarray.__{name}__")
            return hand_out(np_op(self._value(), to_numpy(other)))
        try:
            return fast(self, other)
        except _NO_LOOP:
            if type(other) is ndarray:
                other = zero_stride_dummy(other.shape, other.dtype)
            dummy = zero_stride_dummy(self.shape, self.dtype)
            # (a NumPy subclass operand is asked first, as Python asks it of a NumPy array)
            res = (np_op(other, dummy) if isinstance(other, np.ndarray)
                   and type(other) is not np.ndarray else np_op(dummy, other))
            return hand_out(res) if type(res) is np.ndarray else res  # (a subclass's wrap)
    return method


_METHODS = {
    "astype": shape.astype, "copy": _copy, "reshape": _reshape, "ravel": _ravel,
    "flatten": _flatten, "transpose": _transpose, "swapaxes": _swapaxes, "squeeze": _squeeze,
    "clip": _clip, "conj": _conj, "conjugate": _conj, "fill": _fill, "__round__": _round,
    "resize": _resize,
}
_REDUCTION_METHODS = ("sum", "prod", "min", "max", "mean", "std", "var", "any", "all",
                      "argmin", "argmax")


def install(cls: type) -> None:
    for name, uf, reflected, inplace in _BINARY:
        setattr(cls, f"__{name}__", _forward(uf))
        if reflected:
            setattr(cls, f"__r{name}__", _reflected(uf))
        if inplace:
            setattr(cls, f"__i{name}__", _inplace(uf))
    cls.__pow__ = _power
    cls.__ipow__ = _ipower
    cls.__imatmul__ = _imatmul
    for name in ("eq", "ne"):
        setattr(cls, f"__{name}__", _void_comparison(name))
    for name, uf in _UNARY:
        setattr(cls, f"__{name}__", _unary(uf))
    for name, fn in _METHODS.items():
        setattr(cls, name, fn)
    for name in _REDUCTION_METHODS:
        setattr(cls, name, _reduction_method(getattr(reductions, name)))
    cls.to_device = to_device_method
