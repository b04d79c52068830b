"""Eager fallback to NumPy for everything lazynp does not run lazily.

``fallback_function(name, fn)`` returns a wrapper that forces lazynp-array arguments (also
inside lists, tuples and dicts), calls NumPy, wraps array results, and counts the call in
``lazynp.stats()["fallbacks"]``.  Because a NumPy function may write into any array it is
given, the wrapper first forces pending readers of every argument buffer (design rule 4,
docs/design.md).

``FallbackModule`` is a module whose attributes are NumPy's submodule's, with functions
wrapped the same way (``lazynp.fft``, ``lazynp.lib``...).
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any, Callable

import numpy as np

from . import _engine
from ._array import _contains_lazynp, hand_out, ndarray, to_numpy
from ._blas import blas_threads


def _protect(obj: Any) -> None:
    t = type(obj)
    if t is ndarray:
        _engine.before_write(obj._value())
    elif t is list or t is tuple:
        for o in obj:
            _protect(o)
    elif t is dict:
        for o in obj.values():
            _protect(o)


def call_numpy(name: str, fn: Callable, args: tuple, kwargs: dict) -> Any:
    _engine.count_fallback(name)
    np_args = to_numpy(args)
    np_kwargs = to_numpy(kwargs)
    if _engine._registry:
        _protect(args)
        _protect(kwargs)
    with blas_threads(name):
        res = fn(*np_args, **np_kwargs)
    out = kwargs.get("out")
    if type(out) is ndarray and res is out._data:
        return out
    if type(res) is np.ndarray:
        # an argument returned as it is (``require``, ``asanyarray``...): the lazynp array
        for a, n in zip(args, np_args):
            if res is n and type(a) is ndarray:
                return a
        for k, a in kwargs.items():
            if type(a) is ndarray and res is np_kwargs[k]:
                return a
    return hand_out(res)


def fallback_function(name: str, fn: Callable) -> Callable:
    """``fn`` for a NumPy function that does not hand lazynp arrays over by itself (no
    ``__array_function__`` dispatch): lazynp arrays among the arguments are forced first and
    the call is counted; without any, it is NumPy's call as is."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _contains_lazynp(args) or (kwargs and _contains_lazynp(kwargs.values())):
            return call_numpy(name, fn, args, kwargs)
        return fn(*args, **kwargs)
    wrapper.__lazynp_fallback__ = True
    # (a builtin's signature as text: NumPy's own docs and signature introspection read it)
    text_signature = getattr(fn, "__text_signature__", None)
    if text_signature is not None:
        wrapper.__text_signature__ = text_signature
    return wrapper


_DISPATCHER = type(np.sum)  # NumPy's array-function dispatcher type (``__array_function__``)


def dispatches(obj: Any) -> bool:
    """Whether NumPy hands calls of ``obj`` with lazynp arrays to lazynp by itself (ufuncs
    through ``__array_ufunc__``, array functions through ``__array_function__``)."""
    return isinstance(obj, np.ufunc) or type(obj) is _DISPATCHER


def wrap_attribute(qualname: str, obj: Any) -> Any:
    """lazynp's version of NumPy attribute ``obj``: NumPy's own object where NumPy dispatches
    lazynp arrays to lazynp (and for types and constants); submodules and other functions
    wrapped."""
    if dispatches(obj):
        return obj
    if isinstance(obj, types.ModuleType):
        return fallback_module(qualname, obj)
    if callable(obj) and not isinstance(obj, type) and not hasattr(obj, "__lazynp_fallback__"):
        return fallback_function(qualname, obj)
    return obj


# submodules that hold no array functions: handed out unchanged
_PLAIN_MODULES = frozenset({"exceptions", "dtypes", "typing", "version", "ctypeslib", "f2py",
                            "_typing", "_utils", "_core", "core", "compat"})


# lazynp's own versions of submodule functions ("lib.format.open_memmap"), registered by the
# modules that define them
OVERRIDES: dict[str, Any] = {}


class FallbackModule(types.ModuleType):
    """A lazynp view of a NumPy submodule: every function falls back eagerly."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        self._target = target

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        obj = getattr(self._target, attr)
        short = self.__name__.split(".", 1)[1] if "." in self.__name__ else self.__name__
        wrapped = OVERRIDES.get(f"{short}.{attr}") or wrap_attribute(f"{short}.{attr}", obj)
        setattr(self, attr, wrapped)
        return wrapped

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._target)) | set(self.__dict__))


def fallback_module(qualname: str, target: types.ModuleType) -> types.ModuleType:
    if qualname.split(".")[-1] in _PLAIN_MODULES:
        return target
    full = "lazynp." + qualname
    mod = sys.modules.get(full)
    if mod is None:
        mod = FallbackModule(full, target)
        sys.modules[full] = mod
    return mod
