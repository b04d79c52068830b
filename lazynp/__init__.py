"""lazynp: a lazy, fusing drop-in replacement for NumPy.

``import lazynp as np`` in an existing script: array operations record a DAG that is forced
when a value is needed.  Names lazynp implements lazily are defined here; every other name of
NumPy's namespace is looked up in NumPy on first use (module ``__getattr__``): ufuncs become
lazy ufuncs, functions eager fallbacks (counted in ``stats()``), types and constants are
NumPy's own objects.
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from . import _engine
from ._api import methods as _methods
from ._api.ufuncs import ufunc, ufunc_call
from ._array import install_numpy_fallbacks as _install_numpy_fallbacks
from ._array import is_lazy, ndarray
from ._config import config
from ._fallback import wrap_attribute
from .graph.ops import OP_OF_UFUNC

__version__ = "0.1.0"

# ---------------------------------------------------------------- lazy API
from ._api.creation import (  # noqa: E402
    arange,
    array,
    asanyarray,
    asarray,
    ascontiguousarray,
    empty,
    empty_like,
    eye,
    fromfunction,
    full,
    full_like,
    identity,
    linspace,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from ._api.reductions import (  # noqa: E402
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    max,
    mean,
    min,
    prod,
    ptp,
    std,
    sum,
    var,
)
from ._api.shape import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    broadcast_to,
    clip,
    concatenate,
    copy,
    expand_dims,
    hstack,
    moveaxis,
    ndim,
    ravel,
    reshape,
    shape,
    size,
    squeeze,
    stack,
    swapaxes,
    transpose,
    vstack,
    where,
)

# every NumPy ufunc (aliases included) as a lazy ufunc
# (read NumPy's module dict: getattr would import f2py, testing... through NumPy's __getattr__)
for _name, _obj in list(vars(_np).items()):
    if isinstance(_obj, _np.ufunc):
        globals()[_name] = ufunc(_obj)
del _name, _obj


def force(x: Any) -> Any:
    """Compute ``x`` now if it is a lazy array; returns ``x``."""
    if type(x) is ndarray:
        x._value()
    return x


def explain(x: Any, format: str = "text", file: Any = None) -> str | None:
    """Print the fusion plan that forcing ``x`` would run (``format="dot"``: return DOT).

    The text shows the expression tree (op, dtype, shape, cost per element of each node),
    the concrete inputs and views read, each kernel (name, members, inputs, outputs, body,
    bytes read and written, reasons for cuts) and totals against NumPy's op-by-op execution.
    Nothing is computed.  A concrete ``x`` is described as a buffer.
    """
    from .graph.node import buffer_node
    from .graph.printing import format_dag, format_dot
    if format not in ("text", "dot"):
        raise ValueError(f"unknown explain format {format!r}; use 'text' or 'dot'")
    if type(x) is ndarray:
        node = x._node if x._data is None else buffer_node(x._data)
    else:
        node = buffer_node(_np.asarray(x))
    if node.value is not None:
        if format == "dot":
            return format_dot(node)
        print(format_dag(node), file=file)
        return None
    from .fusion.explain import format_plan, format_plan_dot
    plan = _engine.plan_of(node, cached=False)
    if format == "dot":
        return format_plan_dot(plan)
    print(format_plan(plan), file=file)
    return None


stats = _engine.stats
reset_stats = _engine.reset_stats

# NumPy functions that dispatch to lazynp implementations through __array_function__
_LAZY_NAMES = (
    "arange", "array", "asarray", "asanyarray", "ascontiguousarray", "empty", "empty_like",
    "eye", "fromfunction", "full", "full_like", "identity", "linspace", "ones", "ones_like",
    "zeros", "zeros_like", "all", "amax", "amin", "any", "argmax", "argmin", "max", "mean",
    "min", "prod", "ptp", "std", "sum", "var", "atleast_1d", "atleast_2d", "broadcast_to",
    "clip", "concatenate", "copy", "expand_dims", "hstack", "moveaxis", "ravel", "reshape",
    "squeeze", "stack", "swapaxes", "transpose", "vstack", "where", "shape", "ndim", "size",
)
_LAZY_FUNCTIONS = {getattr(_np, n): globals()[n] for n in _LAZY_NAMES}


def _array_function(self: ndarray, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    impl = _LAZY_FUNCTIONS.get(func)
    if impl is not None:
        return impl(*args, **kwargs)
    from ._fallback import call_numpy
    return call_numpy(func.__name__, func, args, kwargs)


def _array_ufunc(self: ndarray, uf: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__" and uf in OP_OF_UFUNC:
        return ufunc_call(uf, inputs, kwargs)
    from ._api.ufuncs import eager_ufunc
    _engine.count_fallback(uf.__name__ if method == "__call__" else f"{uf.__name__}.{method}")
    return eager_ufunc(uf, method, inputs, kwargs)


_methods.install(ndarray)
_install_numpy_fallbacks(ndarray)
ndarray.__array_function__ = _array_function
ndarray.__array_ufunc__ = _array_ufunc


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
