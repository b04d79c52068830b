"""lazynp.random: NumPy's random API, bit-identical, on compiled (llvmlite) generation loops.

Implemented natively: SeedSequence, PCG64, PCG64DXSM, MT19937, SFC64, Philox, Generator /
default_rng (every method: random, uniform, integers, bytes, standard_normal, normal,
exponentials, shuffle, permutation, permuted, choice, spawn, the distributions compiled from
NumPy's C in ``_dists.py``, multinomial, multivariate_hypergeometric, dirichlet and
multivariate_normal), the legacy RandomState (seeding, state, and every sampling method through
the legacy algorithms of NumPy's ``legacy-distributions.c``) and the module-level functions on
a global RandomState.  Only a Generator around a *NumPy* bit generator object that lazynp has
no kernels for (NumPy's MT19937, SFC64, Philox instances) runs NumPy's own code on it.  Every
other ``numpy.random`` name falls back to NumPy through the module ``__getattr__``: functions
get lazynp arrays converted to NumPy on the way in and NumPy arrays wrapped on the way out.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as _np

from lazynp.random import _legacy, _pickle, mtrand  # noqa: F401  (modules, as NumPy's)
from lazynp.random._bitgen import (
    MT19937,
    PCG64,
    PCG64DXSM,
    SFC64,
    BitGenerator,
    Philox,
    SeedSequence,
)
from lazynp.random._generator import Generator, default_rng
from lazynp.random._wrap import unwrap_args, wrap_result

# the legacy namespace (RandomState, seed, the module functions...) is mtrand's, as in NumPy
globals().update({name: getattr(mtrand, name) for name in mtrand.__all__})

__all__ = ["BitGenerator", "Generator", "MT19937", "PCG64", "PCG64DXSM", "Philox",
           "SFC64", "SeedSequence", "default_rng", *mtrand.__all__]


def _wrap_function(fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = unwrap_args(args, kwargs)
        return wrap_result(fn(*args, **kwargs))

    return wrapper


def _wrap_class(cls: type) -> type:
    """Subclass of a NumPy class whose public methods return lazynp arrays."""
    def make(name: str, meth: Any) -> Any:
        @functools.wraps(meth)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            args, kwargs = unwrap_args(args, kwargs)
            return wrap_result(meth(self, *args, **kwargs))

        return method

    ns: dict[str, Any] = {"__module__": __name__, "__doc__": cls.__doc__}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = getattr(cls, name)
        if callable(attr) and not isinstance(attr, type):
            ns[name] = make(name, attr)
    return type(cls.__name__, (cls,), ns)


_fallback_cache: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return _fallback_cache[name]
    except KeyError:
        pass
    try:
        attr = getattr(_np.random, name)
    except AttributeError:
        raise AttributeError(f"module 'lazynp.random' has no attribute {name!r}") from None
    if isinstance(attr, type):
        try:
            result = _wrap_class(attr)
        except TypeError:  # final classes cannot be subclassed
            result = attr
    elif callable(attr):
        result = _wrap_function(attr)
    else:
        result = attr
    _fallback_cache[name] = result
    return result
