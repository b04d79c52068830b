"""The legacy RandomState's distribution methods, and the wrapper that makes its methods public.

``install(RandomState)`` puts on the class the distributions of ``legacy-distributions.c``
(compiled, ``_dists_legacy.py``) and the others with their own argument handling (binomial,
hypergeometric, triangular, bytes, dirichlet, multinomial, multivariate_normal, tomaxint,
random_integers).  ``_public`` wraps a method working on numpy arrays (lazynp arrays in and
out; NumPy's own RandomState for the calls it serves, see ``_legacy``).
"""

from __future__ import annotations

import functools
import operator
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from lazynp.random._args import (
    _INT_TABLE,
    _PLAIN,
    CONS_BOUNDED_0_1,
    CONS_BOUNDED_GT_0_1,
    CONS_BOUNDED_LT_0_1,
    CONS_GT_1,
    CONS_GTE_1,
    CONS_NON_NEGATIVE,
    CONS_NONE,
    CONS_POISSON,
    CONS_POSITIVE,
    _check_array_constraint,
    _check_constraint,
    _kahan_sum,
    _numpy_ok,
    _wrap_big,
    mvn_shape,
)
from lazynp.random._wrap import (
    unwrap_args,
    wrap_result,
)

if TYPE_CHECKING:
    from lazynp.random._legacy import RandomState

# Methods whose large requests can use lazynp's lazy sources / parallel fill (on a bit generator
# that can jump: PCG64, PCG64DXSM): they stay on lazynp's kernels when large.  Every other call
# on a NumPy-backed RandomState runs NumPy's RandomState method on the same NumPy bit generator
# object, which also holds the legacy Gaussian cache (has_gauss, gauss) then.
_LAZY_CAPABLE = {"random_sample": "size", "random": "size", "uniform": "size",
                 "randint": "size", "bytes": "length", "tomaxint": "size"}


def _numpy_rs(self: RandomState, name: str, args: tuple, kwargs: dict) -> Any:
    """The NumPy RandomState to serve this call, or None for lazynp's kernels."""
    d = self._np_delegate
    if d is not None:
        return d
    d = self._nprs
    if d is not None and self._lazy_ok and name in _LAZY_CAPABLE:
        import inspect

        pos = _SIZE_POS.get(name)
        if pos is None:
            params = list(inspect.signature(getattr(np.random.RandomState, name)).parameters)
            pos = _SIZE_POS[name] = params.index(_LAZY_CAPABLE[name])
        if not _numpy_ok(args, kwargs, pos, None):
            return None
    return d


_SIZE_POS: dict[str, int] = {}


def _call_numpy(d: Any, name: str, args: tuple, kwargs: dict) -> Any:
    for a in args:
        if type(a) not in _PLAIN:
            break
    else:
        for a in kwargs.values():
            if type(a) not in _PLAIN:
                break
        else:
            return _wrap_big(getattr(d, name)(*args, **kwargs))
    args, kwargs = unwrap_args(args, kwargs)
    return wrap_result(getattr(d, name)(*args, **kwargs))


def _public(fn: Any) -> Any:
    """lazynp arrays in, lazynp arrays out, around a method working on numpy arrays."""
    name = fn.__name__

    @functools.wraps(fn)
    def method(self: RandomState, *args: Any, **kwargs: Any) -> Any:
        d = _numpy_rs(self, name, args, kwargs)
        if d is not None:
            return _call_numpy(d, name, args, kwargs)
        args, kwargs = unwrap_args(args, kwargs)
        return wrap_result(fn(self, *args, **kwargs))

    method.__doc__ = getattr(np.random.RandomState, fn.__name__).__doc__
    return method


# ---- distributions of legacy-distributions.c (compiled, ``_dists.py``) ----------------------
# method -> (kernel, parameter names and constraints, discrete, uses the Gaussian cache)
_N, _NN, _P = CONS_NONE, CONS_NON_NEGATIVE, CONS_POSITIVE
_LEGACY_SIMPLE: dict[str, tuple[str, list[tuple[str, Any, int]], bool, bool]] = {
    "standard_exponential": ("legacy_std_exp", [], False, False),
    "exponential": ("legacy_exponential", [("scale", 1.0, _NN)], False, False),
    "standard_gamma": ("legacy_std_gamma", [("shape", None, _NN)], False, True),
    "gamma": ("legacy_gamma", [("shape", None, _NN), ("scale", 1.0, _NN)], False, True),
    "beta": ("legacy_beta", [("a", None, _P), ("b", None, _P)], False, True),
    "f": ("legacy_f", [("dfnum", None, _P), ("dfden", None, _P)], False, True),
    "noncentral_f": ("legacy_noncentral_f", [("dfnum", None, _P), ("dfden", None, _P),
                                             ("nonc", None, _NN)], False, True),
    "chisquare": ("legacy_chisquare", [("df", None, _P)], False, True),
    "noncentral_chisquare": ("legacy_noncentral_chisquare", [("df", None, _P),
                                                             ("nonc", None, _NN)], False, True),
    "standard_cauchy": ("legacy_std_cauchy", [], False, True),
    "standard_t": ("legacy_std_t", [("df", None, _P)], False, True),
    "vonmises": ("legacy_vonmises", [("mu", None, _N), ("kappa", None, _NN)], False, False),
    "pareto": ("legacy_pareto", [("a", None, _P)], False, False),
    "weibull": ("legacy_weibull", [("a", None, _NN)], False, False),
    "power": ("legacy_power", [("a", None, _P)], False, False),
    "laplace": ("laplace", [("loc", 0.0, _N), ("scale", 1.0, _NN)], False, False),
    "gumbel": ("gumbel", [("loc", 0.0, _N), ("scale", 1.0, _NN)], False, False),
    "logistic": ("logistic", [("loc", 0.0, _N), ("scale", 1.0, _NN)], False, False),
    "lognormal": ("legacy_lognormal", [("mean", 0.0, _N), ("sigma", 1.0, _NN)], False, True),
    "rayleigh": ("legacy_rayleigh", [("scale", 1.0, _NN)], False, False),
    "wald": ("legacy_wald", [("mean", None, _P), ("scale", None, _P)], False, True),
    "negative_binomial": ("legacy_negative_binomial", [("n", None, _P),
                                                       ("p", None, CONS_BOUNDED_0_1)],
                          True, True),
    "poisson": ("poisson", [("lam", 1.0, CONS_POISSON)], True, False),
    "zipf": ("zipf", [("a", None, CONS_GT_1)], True, False),
    "geometric": ("legacy_geometric", [("p", None, CONS_BOUNDED_GT_0_1)], True, False),
    "logseries": ("legacy_logseries", [("p", None, CONS_BOUNDED_LT_0_1)], True, False),
}
_REQUIRED = object()


def _legacy_simple(name: str) -> Any:
    kernel, pspec, discrete, gauss = _LEGACY_SIMPLE[name]
    np_method = getattr(np.random.RandomState, name)

    def method(self: RandomState, *args: Any, **kwargs: Any) -> Any:
        d = self._np_delegate or self._nprs
        if d is not None:
            return _call_numpy(d, name, args, kwargs)
        args, kwargs = unwrap_args(args, kwargs)
        names = [p[0] for p in pspec] + ["size"]
        if len(args) > len(names):
            raise TypeError(f"{name}() takes at most {len(names)} positional arguments "
                            f"({len(args)} given)")
        vals = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names or k in vals:
                raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")
            vals[k] = v
        params = []
        for pname, default, cons in pspec:
            v = vals.get(pname, default)
            if v is None:
                need = sum(1 for p in pspec if p[1] is None)
                raise TypeError(f"{name}() takes at least {need} positional argument"
                                f"{'s' if need != 1 else ''} ({len(args)} given)")
            params.append((v, pname, cons))
        out_dtype = np.int64 if discrete else np.float64
        aux = self._aug if gauss else None
        return wrap_result(self._gen._cont(kernel, vals.get("size"), params,
                                           out_dtype=out_dtype, aux=aux))

    method.__name__ = name
    method.__qualname__ = "RandomState." + name
    method.__doc__ = np_method.__doc__
    return method




def _rs_binomial(self: RandomState, n: Any, p: Any, size: Any = None) -> Any:
    return self._gen._cont("legacy_binomial", size, [(p, "p", CONS_BOUNDED_0_1),
                                                     (n, "n", CONS_NON_NEGATIVE)],
                           dtypes=[np.float64, np.int64], out_dtype=np.int64,
                           aux=self._gen._binom)


def _rs_hypergeometric(self: RandomState, ngood: Any, nbad: Any, nsample: Any,
                       size: Any = None) -> Any:
    og = np.asarray(ngood).astype(np.int64)
    ob = np.asarray(nbad).astype(np.int64)
    os_ = np.asarray(nsample).astype(np.int64)
    if og.ndim == ob.ndim == os_.ndim == 0:
        if int(og) + int(ob) < int(os_):
            raise ValueError("ngood + nbad < nsample")
    elif np.any(np.less(np.add(og, ob), os_)):
        raise ValueError("ngood + nbad < nsample")
    return self._gen._cont("legacy_hypergeometric", size,
                           [(og, "ngood", CONS_NON_NEGATIVE), (ob, "nbad", CONS_NON_NEGATIVE),
                            (os_, "nsample", CONS_GTE_1)],
                           dtypes=[np.int64] * 3, out_dtype=np.int64)


def _rs_triangular(self: RandomState, left: Any, mode: Any, right: Any, size: Any = None) -> Any:
    return self._gen._triangular(left, mode, right, size)


def _rs_bytes(self: RandomState, length: Any) -> bytes:
    length = operator.index(length)
    # C division (cdivision): length 0 still draws one uint32, as NumPy does
    t = length - 1
    n_uint32 = (abs(t) // 4) * (1 if t >= 0 else -1) + 1
    return self._gen._rand_int(_INT_TABLE[np.dtype(np.uint32)], np.dtype(np.uint32), 0,
                               4294967296, n_uint32, False, masked=True
                               ).astype("<u4").tobytes()[:length]


def _rs_dirichlet(self: RandomState, alpha: Any, size: Any = None) -> Any:
    k = len(alpha)
    alpha_arr = np.ascontiguousarray(np.asarray(alpha, dtype=np.float64))
    if alpha_arr.ndim != 1:
        raise ValueError("object too deep for desired array" if alpha_arr.ndim > 1
                         else "object of too small depth for desired array")
    if np.any(np.less_equal(alpha_arr, 0)):
        raise ValueError("alpha <= 0")
    if size is None:
        shape = (k,)
    else:
        try:
            shape = (operator.index(size), k)
        except TypeError:
            shape = tuple(size) + (k,)
    diric = np.zeros(shape, np.float64)
    if diric.size:
        self._gen._call("legacy_dirichlet", self._aug, alpha_arr, k, diric.size, diric)
    return diric


def _rs_multinomial(self: RandomState, n: Any, pvals: Any, size: Any = None) -> Any:
    if np.ndim(n) != 0:
        return self._run_twin("multinomial", (n, pvals), {"size": size})
    d = len(pvals)
    parr = np.ascontiguousarray(np.asarray(pvals, dtype=np.float64))
    if parr.ndim != 1:
        raise ValueError("object too deep for desired array" if parr.ndim > 1
                         else "object of too small depth for desired array")
    _check_array_constraint(parr, "pvals", CONS_BOUNDED_0_1)
    if d and _kahan_sum(parr, d - 1) > (1.0 + 1e-12):
        if (isinstance(pvals, np.ndarray) and np.issubdtype(pvals.dtype, np.floating)
                and pvals.dtype != float and pvals.sum() < 1.0001):
            msg = ("sum(pvals[:-1].astype(np.float64)) > 1.0. The pvals array is cast to "
                   "64-bit floating point prior to checking the sum. Precision changes when "
                   "casting may cause problems even if the sum of the original pvals is "
                   "valid.")
        else:
            msg = "sum(pvals[:-1]) > 1.0"
        raise ValueError(msg)
    if size is None:
        shape = (d,)
    else:
        try:
            shape = (operator.index(size), d)
        except TypeError:
            shape = tuple(size) + (d,)
    multin = np.zeros(shape, dtype=int)
    ni = operator.index(n) if not isinstance(n, float) else int(n)
    _check_constraint(float(ni), "n", CONS_NON_NEGATIVE)
    if d:
        self._gen._call("multinomial", self._gen._binom, np.array([ni], np.int64), 0, parr,
                        np.zeros(1, np.int64), 0, d, multin.size // d, multin)
    return multin


def _rs_multivariate_normal(self: RandomState, mean: Any, cov: Any, size: Any = None,
                            check_valid: str = "warn", tol: float = 1e-8) -> Any:
    # NumPy's (mtrand) Python code over the legacy standard_normal
    from numpy.linalg import svd

    mean = np.array(mean)
    cov = np.array(cov)
    final_shape = mvn_shape(mean, cov, size)
    x = self._gen._cont("legacy_gauss", final_shape, [], aux=self._aug)
    x = x.reshape(-1, mean.shape[0])
    cov = cov.astype(np.double)
    (_u, s, v) = svd(cov)
    if check_valid != "ignore":
        if check_valid != "warn" and check_valid != "raise":
            raise ValueError("check_valid must equal 'warn', 'raise', or 'ignore'")
        psd = np.allclose(np.dot(v.T * s, v), cov, rtol=tol, atol=tol)
        if not psd:
            if check_valid == "warn":
                warnings.warn("covariance is not symmetric positive-semidefinite.",
                              RuntimeWarning, stacklevel=3)
            else:
                raise ValueError("covariance is not symmetric positive-semidefinite.")
    x = np.dot(x, np.sqrt(s)[:, None] * v)
    x += mean
    x.shape = tuple(final_shape)
    return x


def _rs_tomaxint(self: RandomState, size: Any = None) -> Any:
    if size is None:
        return int(self._gen._cont("positive_int", None, [], out_dtype=np.int64))
    return self._gen._cont("positive_int", size, [], out_dtype=np.int64)


def _rs_random_integers(self: RandomState, low: Any, high: Any = None, size: Any = None) -> Any:
    if high is None:
        warnings.warn(("This function is deprecated. Please call "
                       "randint(1, {low} + 1) instead".format(low=low)),
                      DeprecationWarning, stacklevel=3)
        high = low
        low = 1
    else:
        warnings.warn(("This function is deprecated. Please call "
                       "randint({low}, {high} + 1) "
                       "instead".format(low=low, high=high)),
                      DeprecationWarning, stacklevel=3)
    return self.randint.__wrapped__(self, low, int(high) + 1, size=size, dtype="l")


def install(cls: type) -> None:
    """Put the distribution methods on ``cls`` (the RandomState)."""
    for name in _LEGACY_SIMPLE:
        setattr(cls, name, _legacy_simple(name))
    for name, fn in [("binomial", _rs_binomial), ("hypergeometric", _rs_hypergeometric),
                     ("triangular", _rs_triangular), ("bytes", _rs_bytes),
                     ("dirichlet", _rs_dirichlet), ("multinomial", _rs_multinomial),
                     ("multivariate_normal", _rs_multivariate_normal),
                     ("tomaxint", _rs_tomaxint), ("random_integers", _rs_random_integers)]:
        fn.__name__ = name
        fn.__qualname__ = "RandomState." + name
        setattr(cls, name, _public(fn))
