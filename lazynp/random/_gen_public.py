"""The Generator's public methods: lazynp arrays in and out, NumPy's method for small requests.

``install(Generator)`` puts on the class, for each method of ``_PUBLIC``, a wrapper of its
``_name`` implementation (lazynp arguments unwrapped, results wrapped, ``out`` written through),
the fast paths (hand-written for the everyday methods, generated from the signature on first
use for the others: NumPy's own method when the request is small), and for NumPy methods not
compiled yet a fallback that runs NumPy's on a synchronised NumPy twin.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from lazynp.random._args import _PLAIN, _count, _numpy_ok, _wrap_big
from lazynp.random._bitgen import _SMALL_LIMIT
from lazynp.random._wrap import asnumpy, is_lazynp, unwrap_args, wrap, wrap_result

# ---- public methods: lazynp in, lazynp out ---------------------------------------------------

_PUBLIC = ["random", "uniform", "integers", "bytes", "standard_normal", "normal",
           "standard_exponential", "exponential", "shuffle", "permutation", "permuted",
           "choice", "standard_gamma", "gamma", "beta", "chisquare", "f",
           "noncentral_chisquare", "noncentral_f", "standard_t", "standard_cauchy",
           "lognormal", "logistic", "laplace", "gumbel", "pareto", "power", "rayleigh",
           "weibull", "wald", "vonmises", "triangular", "geometric", "poisson", "zipf",
           "logseries", "negative_binomial", "binomial", "hypergeometric", "multinomial",
           "multivariate_hypergeometric", "dirichlet", "multivariate_normal"]


def _arg_pos(fn: Any, arg: str) -> int | None:
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    code = fn.__code__  # (its parameter names, without inspect.signature's cost at import)
    names = list(code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount])  # no self
    return names.index(arg) if arg in names else None


def _make_public(cls: type, name: str):
    impl = getattr(cls, "_" + name)
    size_pos = _arg_pos(impl, "length" if name == "bytes" else "size")
    out_pos = _arg_pos(impl, "out")

    @functools.wraps(impl)
    def method(self, *args, **kwargs):
        g = self._npg
        if g is not None and _numpy_ok(args, kwargs, size_pos, out_pos) and not (
                name == "shuffle" and args and not isinstance(args[0], (np.ndarray, Sequence))):
            # (shuffle's untyped path for a non-Sequence runs lazynp's code: its warning
            # points at the caller, as NumPy's does)
            return _wrap_big(getattr(g, name)(*args, **kwargs))
        if self._np_delegate is not None:
            args, kwargs = unwrap_args(args, kwargs)
            return wrap_result(getattr(self._np_delegate, name)(*args, **kwargs))
        if name == "shuffle" and args and is_lazynp(args[0]):
            # Shuffle a copy, then write through lazynp's __setitem__ so pending readers of
            # the old buffer are forced first (design rule 4, docs/design.md).
            target = args[0]
            tmp = np.array(asnumpy(target))
            impl(self, tmp, *args[1:], **kwargs)
            target[...] = tmp
            return None
        lazy_out = kwargs.get("out")
        if lazy_out is not None and is_lazynp(lazy_out):
            tmp = np.empty(lazy_out.shape, lazy_out.dtype)
            kwargs["out"] = tmp
        else:
            lazy_out = None
        args = tuple(asnumpy(a) if is_lazynp(a) else a for a in args)
        kwargs = {k: (asnumpy(v) if is_lazynp(v) else v) for k, v in kwargs.items()}
        result = impl(self, *args, **kwargs)
        if lazy_out is not None:
            lazy_out[...] = tmp
            return lazy_out
        if result is not None and result is kwargs.get("out"):
            return result
        return wrap(result)

    method.__name__ = name
    method.__qualname__ = "Generator." + name
    method.__doc__ = getattr(np.random.Generator, name).__doc__
    return method


# Hand-written fast paths of the everyday methods: NumPy's method at once for a small request
# with plain arguments, else the general method above (same signature as NumPy's).
_general: dict[str, Any] = {}  # (filled by install)


def _fast_methods() -> dict:
    gen_random = _general["random"]
    gen_standard_normal = _general["standard_normal"]
    gen_standard_exponential = _general["standard_exponential"]
    gen_normal = _general["normal"]
    gen_uniform = _general["uniform"]
    gen_exponential = _general["exponential"]
    gen_integers = _general["integers"]
    gen_choice = _general["choice"]
    gen_shuffle = _general["shuffle"]
    gen_permutation = _general["permutation"]
    limit = _SMALL_LIMIT
    f64 = np.float64
    ndarray = np.ndarray

    def random(self, size=None, dtype=f64, out=None):
        if out is None and (type(size) is int and size < limit[0] or size is None
                            or _count(size) < limit[0]):
            g = self._npg
            if g is not None:
                return g.random(size, dtype)
        return gen_random(self, size, dtype, out)

    def standard_normal(self, size=None, dtype=f64, out=None):
        if out is None and (type(size) is int and size < limit[0] or size is None
                            or _count(size) < limit[0]):
            g = self._npg
            if g is not None:
                return g.standard_normal(size, dtype)
        return gen_standard_normal(self, size, dtype, out)

    def standard_exponential(self, size=None, dtype=f64, method="zig", out=None):
        if out is None and (type(size) is int and size < limit[0] or size is None
                            or _count(size) < limit[0]):
            g = self._npg
            if g is not None:
                return g.standard_exponential(size, dtype, method)
        return gen_standard_exponential(self, size, dtype, method, out)

    # With a small ``size`` the result is small whatever the parameters (NumPy reads a lazynp
    # array parameter through ``__array__``); without ``size`` scalar parameters give a scalar
    # and NumPy array parameters NumPy's result (large ones handed out as lazynp arrays).
    def normal(self, loc=0.0, scale=1.0, size=None):
        g = self._npg
        if g is not None:
            if size is None:
                if (type(loc) is float or type(loc) is int) and (
                        type(scale) is float or type(scale) is int):
                    return g.normal(loc, scale)
                if (type(loc) in _PLAIN or not is_lazynp(loc)) and (
                        type(scale) in _PLAIN or not is_lazynp(scale)):
                    return _wrap_big(g.normal(loc, scale))
            elif type(size) is int and size < limit[0] or _count(size) < limit[0]:
                return g.normal(loc, scale, size)
        return gen_normal(self, loc, scale, size)

    def uniform(self, low=0.0, high=1.0, size=None):
        g = self._npg
        if g is not None:
            if size is None:
                if (type(low) is float or type(low) is int) and (
                        type(high) is float or type(high) is int):
                    return g.uniform(low, high)
                if (type(low) in _PLAIN or not is_lazynp(low)) and (
                        type(high) in _PLAIN or not is_lazynp(high)):
                    return _wrap_big(g.uniform(low, high))
            elif type(size) is int and size < limit[0] or _count(size) < limit[0]:
                return g.uniform(low, high, size)
        return gen_uniform(self, low, high, size)

    def exponential(self, scale=1.0, size=None):
        g = self._npg
        if g is not None:
            if size is None:
                if (type(scale) is float or type(scale) is int):
                    return g.exponential(scale)
                if (type(scale) in _PLAIN or not is_lazynp(scale)):
                    return _wrap_big(g.exponential(scale))
            elif type(size) is int and size < limit[0] or _count(size) < limit[0]:
                return g.exponential(scale, size)
        return gen_exponential(self, scale, size)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        g = self._npg
        if g is not None:
            if size is None:
                if type(low) is int and (high is None or type(high) is int):
                    return g.integers(low, high, None, dtype, endpoint)
                if (type(low) in _PLAIN or not is_lazynp(low)) and (
                        type(high) in _PLAIN or not is_lazynp(high)):
                    return _wrap_big(g.integers(low, high, None, dtype, endpoint))
            elif type(size) is int and size < limit[0] or _count(size) < limit[0]:
                return g.integers(low, high, size, dtype, endpoint)
        return gen_integers(self, low, high, size, dtype, endpoint)

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        g = self._npg
        if g is not None and (type(a) is int or (type(a) is ndarray and a.ndim == 1)) and (
                p is None or type(p) is ndarray) and (
                type(size) is int and size < limit[0] or size is None
                or _count(size) < limit[0]):
            return g.choice(a, size, replace, p, axis, shuffle)
        return gen_choice(self, a, size, replace, p, axis, shuffle)

    def shuffle(self, x, axis=0):
        g = self._npg
        if g is not None and type(x) is ndarray:
            return g.shuffle(x, axis)
        return gen_shuffle(self, x, axis)

    def permutation(self, x, axis=0):
        g = self._npg
        if g is not None and ((type(x) is int and x < limit[0])
                              or (type(x) is ndarray and x.size < limit[0])):
            return g.permutation(x, axis)
        return gen_permutation(self, x, axis)

    return {"random": random, "standard_normal": standard_normal,
            "standard_exponential": standard_exponential, "normal": normal,
            "uniform": uniform, "exponential": exponential, "integers": integers,
            "choice": choice, "shuffle": shuffle, "permutation": permutation}


# Not distribution parameters (no effect on the result's size).
_OPTION_PARAMS = {"size", "out", "dtype", "method", "endpoint", "check_valid", "tol",
                  "replace", "shuffle", "axis"}


def _generated_fast_method(cls: type, name: str) -> Any:
    """The fast path of another method with a ``size`` parameter, generated from its
    signature (NumPy's): NumPy's method for a small ``size``, or for no ``size`` with scalar
    (Python int/float) distribution parameters; else the general method."""
    import inspect

    params = list(inspect.signature(getattr(cls, "_" + name)).parameters.values())[1:]
    names = [p.name for p in params]
    if "size" not in names or any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                                  for p in params):
        return None
    ns: dict[str, Any] = {"general": _general[name], "limit": _SMALL_LIMIT, "_count": _count,
                          "_PLAIN": _PLAIN, "is_lazynp": is_lazynp, "_wrap_big": _wrap_big}
    sig, call = [], []
    star = False
    for i, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and not star:
            sig.append("*")
            star = True
        if p.default is p.empty:
            sig.append(p.name)
        else:
            ns[f"_d{i}"] = p.default
            sig.append(f"{p.name}=_d{i}")
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
    dist = [n for n in names if n not in _OPTION_PARAMS]
    scalar = " and ".join(f"(type({n}) is float or type({n}) is int)" for n in dist) or "True"
    plain = " and ".join(f"(type({n}) in _PLAIN or not is_lazynp({n}))" for n in dist) or "True"
    out = " and out is None" if "out" in names else ""
    args = ", ".join(call)
    src = f"""
def {name}(self, {", ".join(sig)}):
    g = self._npg
    if g is not None{out}:
        if type(size) is int:
            if size < limit[0]:
                return g.{name}({args})
        elif size is None:
            if {scalar}:
                return g.{name}({args})
            if {plain}:  # array parameters: NumPy's result, large ones as lazynp arrays
                return _wrap_big(g.{name}({args}))
        elif _count(size) < limit[0]:
            return g.{name}({args})
    return general(self, {args})
"""
    exec(src, ns)  # noqa: S102 - source built above from the method's own signature
    return ns[name]


def _install_fast(cls: type, name: str, fn: Any) -> Any:
    fn.__name__ = name
    fn.__qualname__ = "Generator." + name
    fn.__doc__ = getattr(np.random.Generator, name).__doc__
    setattr(cls, name, fn)
    return fn


class _FastOnFirstUse:
    """A generated fast path, made (source built and compiled) the first time the method is
    looked up, then installed on the class in its place: generating all of them at import
    cost about 8 ms of ``import lazynp.random``."""

    def __init__(self, owner: type, name: str) -> None:
        self.owner = owner
        self.name = name

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        fn = _generated_fast_method(self.owner, self.name) or _general[self.name]
        return _install_fast(self.owner, self.name, fn).__get__(obj, cls)


def _fallback_method(name: str):
    """Generator methods not compiled yet run NumPy's on a synchronised NumPy twin."""
    np_method = getattr(np.random.Generator, name)

    def method(self, *args, **kwargs):
        args, kwargs = unwrap_args(args, kwargs)
        g = self._np_delegate or self._npg
        if g is not None:
            return wrap_result(np_method(g, *args, **kwargs))
        bg = self._bit_generator
        twin = bg._numpy_twin()
        with bg.lock:
            bg._sync_in()
            try:
                twin.bit_generator.state = bg._state_unlocked()
                try:
                    result = np_method(twin, *args, **kwargs)
                finally:
                    bg._set_state_unlocked(twin.bit_generator.state)
            finally:
                bg._sync_out()
        return wrap_result(result)

    method.__name__ = name
    method.__qualname__ = "Generator." + name
    method.__doc__ = np_method.__doc__
    return method


def install(cls: type) -> None:
    """Put the public methods on ``cls`` (the Generator), as the module docstring says."""
    for name in _PUBLIC:
        setattr(cls, name, _make_public(cls, name))
    _general.update({name: getattr(cls, name) for name in _PUBLIC})
    for name, fn in _fast_methods().items():
        _install_fast(cls, name, fn)
    for name in _PUBLIC:
        if name not in cls.__dict__ or cls.__dict__[name] is _general[name]:
            setattr(cls, name, _FastOnFirstUse(cls, name))
    for name in dir(np.random.Generator):
        # (looked up in the class dicts: a lookup would make every _FastOnFirstUse path now)
        if name.startswith("_") or any(name in vars(c) for c in cls.__mro__):
            continue
        if callable(getattr(np.random.Generator, name)):
            setattr(cls, name, _fallback_method(name))
