"""lazynp: a lazy, fusing drop-in replacement for NumPy.

``import lazynp as np`` in an existing script.  Two tiers:

* Small work is NumPy's own.  lazynp's ufuncs and array functions *are* NumPy's objects
  (``lazynp.exp is numpy.exp``, ``lazynp.sum is numpy.sum``), and small arrays are NumPy
  arrays, so statements on them cost exactly what they cost in NumPy.
* Creation functions (``zeros``, ``arange``, ``array``, ``random`` draws...) are thin
  wrappers: a result under the eager threshold is NumPy's array, a larger one is a
  ``lazynp.LazyArray`` (a pending source node or a buffer lazynp owns).  NumPy hands every call
  that involves one over to lazynp (``__array_ufunc__``, ``__array_function__``), which
  records it in the graph, and the graph is fused and compiled when a value is needed.
  NumPy functions lazynp does not run lazily force their lazynp arguments and run in NumPy
  (counted in ``stats()["fallbacks"]``).
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from . import _engine
from . import _memmap as _mapped
from ._api import array_api as _array_api
from ._api import creation as _creation
from ._api import methods as _methods
from ._api import reductions as _reductions
from ._api import shape as _shape
from ._api.creation import (
    arange,
    array,
    asanyarray,
    asarray,
    ascontiguousarray,
    empty,
    eye,
    fromfunction,
    full,
    identity,
    linspace,
    ones,
    zeros,
)
from ._api.ufuncs import eager_ufunc as _eager_ufunc
from ._api.ufuncs import ufunc_call
from ._array import install_numpy_fallbacks as _install_numpy_fallbacks
from ._array import is_lazy
from ._array import ndarray as LazyArray
from ._array import wrap as _wrap
from ._broadcast import broadcast
from ._config import config
from ._fallback import call_numpy as _call_numpy
from ._fallback import dispatches as _dispatches
from ._fallback import wrap_attribute
from ._memmap import load, memmap
from ._version import __version__
from .graph.node import buffer_node as _buffer_node
from .graph.ops import OP_OF_UFUNC

# Everything else in NumPy's namespace is NumPy's own object: ufuncs, types, constants and
# array functions (which hand lazynp arrays over through ``__array_function__``).  Read
# NumPy's module dict: getattr would import f2py, testing... through NumPy's __getattr__.
for _name, _obj in list(vars(_np).items()):
    if _dispatches(_obj):
        globals().setdefault(_name, _obj)
del _name, _obj
ufunc = _np.ufunc
# NumPy's own array type: small arrays are NumPy's, subclasses users define are NumPy
# subclasses, ``type(x) is np.ndarray`` holds for them; large and lazy arrays are
# ``LazyArray``, which ``isinstance(x, np.ndarray)`` accepts too
ndarray = _np.ndarray


def force(x: Any) -> Any:
    """Compute ``x`` now if it is a lazy array; returns ``x``."""
    if type(x) is LazyArray:
        x.force()
    return x


def explain(x: Any, format: str = "text", file: Any = None) -> str | None:
    """Print the fusion plan that forcing ``x`` would run (``format="dot"``: return DOT).

    The text shows the expression tree (op, dtype, shape, cost per element of each node),
    the concrete inputs and views read, each kernel (name, members, inputs, outputs, body,
    bytes read and written, reasons for cuts) and totals against NumPy's op-by-op execution.
    Nothing is computed.  A concrete ``x`` is described as a buffer.
    """
    # (the printers and the planner's explain: loaded on the first explain, not at start-up)
    from .graph.printing import format_dag, format_dot
    if format not in ("text", "dot"):
        raise ValueError(f"unknown explain format {format!r}; use 'text' or 'dot'")
    if type(x) is LazyArray:
        node = x._node if x._data is None else _buffer_node(x._data)
    else:
        node = _buffer_node(_np.asarray(x))
    if node.value is not None:
        if format == "dot":
            return format_dot(node)
        print(format_dag(node), file=file)
        return None
    from .fusion.explain import format_plan, format_plan_dot
    plan = _engine.plan_of(node, cached=False)
    if format == "dot":
        return format_plan_dot(plan)
    text = format_plan(plan)
    placement = _engine.placement_lines(plan)
    print(text if not placement else text + "\n\n" + "\n".join(placement), file=file)
    if config.scheduler == "dask":  # (forced through Dask: chunks x kernels)
        from .dask.graph import explain as _dask_explain
        _dask_explain(x, file=file, when_forced=True)
    return None


def to_dask(x: Any, chunks: Any = None, split_every: int = 8) -> Any:
    """``x`` as a ``dask.array.Array``: one task per chunk, each the chunk's sub-expression
    as one fused lazynp kernel; reductions as tree reductions in a fixed combine order;
    random draws NumPy's serial stream, bit for bit (``lazynp.dask``, docs/scale.md)."""
    from .dask.graph import to_dask as _to_dask  # (Dask: loaded on call, not at start-up)
    return _to_dask(x, chunks, split_every)


stats = _engine.stats
reset_stats = _engine.reset_stats

# NumPy functions that lazynp runs lazily when NumPy hands them over (__array_function__)
_LAZY_IMPLS = {
    _array_api: ("astype", "matrix_transpose"),
    _creation: ("arange", "array", "asarray", "asanyarray", "ascontiguousarray", "empty",
                "empty_like", "eye", "fromfunction", "full", "full_like", "identity",
                "linspace", "ones", "ones_like", "zeros", "zeros_like"),
    _reductions: ("all", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "max",
                  "mean", "min", "prod", "ptp", "std", "sum", "var"),
    _shape: ("atleast_1d", "atleast_2d", "broadcast_to", "clip", "concatenate", "copy",
             "expand_dims", "hstack", "moveaxis", "ravel", "reshape", "squeeze", "stack",
             "swapaxes", "transpose", "vstack", "where", "shape", "ndim", "size"),
}
_LAZY_FUNCTIONS = {getattr(_np, n): getattr(mod, n)
                   for mod, names in _LAZY_IMPLS.items() for n in names}
_LAZY_FUNCTIONS[_np.linalg.matrix_transpose] = _array_api.matrix_transpose
_LAZY_FUNCTIONS[_np.save] = _mapped.save  # (a pending array streamed into the file)


def _made_like(func: Any, impl: Any) -> Any:
    """NumPy hands a creation function called with ``like=`` a lazynp array (NEP 35; NumPy
    drops ``like``) to lazynp: its result is a lazynp array, at any size, where it is memory
    the call allocated (Dask makes its ``meta`` arrays this way: docs/tiers.md)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        res = impl(*args, **kwargs) if impl is not None else _call_numpy(
            func.__name__, func, args, kwargs)
        if type(res) is not _np.ndarray:
            return res
        owner = _owner(res)  # (not memory of an argument: lazynp never takes that over)
        if type(owner) is not _np.ndarray:
            return res
        for a in (*args, *kwargs.values()):  # (``any`` is NumPy's in this namespace)
            if _owner(a) is owner:
                return res
        return _wrap(res)
    return call


def _owner(a: Any) -> Any:
    while isinstance(a, _np.ndarray) and a.base is not None:
        a = a.base
    return a


for _name in ("array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
              "require", "empty", "zeros", "ones", "full", "arange", "identity", "eye", "tri",
              "fromfunction", "frombuffer", "fromfile", "fromiter", "fromstring", "loadtxt",
              "genfromtxt"):
    _f = getattr(_np, _name)
    _LAZY_FUNCTIONS[_f] = _made_like(_f, _LAZY_FUNCTIONS.get(_f))
del _name, _f


def _array_function(self: LazyArray, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    impl = _LAZY_FUNCTIONS.get(func)
    if impl is not None:
        return impl(*args, **kwargs)
    return _call_numpy(func.__name__, func, args, kwargs)


_DEFAULT_ARRAY_UFUNC = _np.ndarray.__array_ufunc__


def _defers_to(x: Any) -> bool:
    """NumPy's ``ndarray.__array_ufunc__`` rule: an operand (input, ``out=``, ``where=``) that
    is not an array and overrides ``__array_ufunc__`` (or sets it to None) makes it return
    NotImplemented.  (NumPy subclasses with their own ``__array_ufunc__`` are still served:
    NumPy's C code would decline the lazynp array they hand to ``super()``.)"""
    t = type(x)
    if t is LazyArray or t is _np.ndarray or t is float or t is int or t is bool:
        return False
    f = getattr(t, "__array_ufunc__", _DEFAULT_ARRAY_UFUNC)
    return (f is not _DEFAULT_ARRAY_UFUNC and f is not _array_ufunc
            and not isinstance(x, _np.ndarray))


def _array_ufunc(self: LazyArray, uf: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    for x in inputs:
        if _defers_to(x):
            return NotImplemented
    if kwargs:
        out = kwargs.get("out")
        for x in out if type(out) is tuple else (out,):
            if x is not None and _defers_to(x):
                return NotImplemented
        if _defers_to(kwargs.get("where")):
            return NotImplemented
    if method == "__call__" and uf in OP_OF_UFUNC:
        return ufunc_call(uf, inputs, kwargs)
    _engine.count_fallback(uf.__name__ if method == "__call__" else f"{uf.__name__}.{method}")
    return _eager_ufunc(uf, method, inputs, kwargs)


_methods.install(LazyArray)
_mapped.install(LazyArray)
_install_numpy_fallbacks(LazyArray)
LazyArray.__array_function__ = _array_function
LazyArray.__array_ufunc__ = _array_ufunc


# submodules imported on first use (np.random, np.linalg), not at ``import lazynp``
_SUBMODULES = frozenset({"linalg", "random"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    try:
        obj = getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'lazynp' has no attribute '{name}'") from None
    wrapped = wrap_attribute(name, obj)
    globals()[name] = wrapped
    return wrapped


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_np)))


__all__ = [n for n in dir(_np) if not n.startswith("_")]
