"""The Generator's uniform, continuous and discrete distribution methods (``_generator.pyx``).

``DistributionMethods`` is a base of ``Generator``: each ``_name`` method checks its arguments
as NumPy does and runs one compiled kernel through the Generator's ``_fill`` / ``_cont``; the
public methods wrapping them are installed by ``_gen_public``.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from lazynp.random._args import (
    _INT_TABLE,
    CONS_BOUNDED_0_1,
    CONS_BOUNDED_GT_0_1,
    CONS_BOUNDED_LT_0_1,
    CONS_GT_1,
    CONS_NON_NEGATIVE,
    CONS_NONE,
    CONS_POISSON,
    CONS_POSITIVE,
    CONS_POSITIVE_NOT_NAN,
    POISSON_LAM_MAX,
    _as_array,
    _as_double_array,
    _check_array_constraint,
    _check_constraint,
    _check_output,
    _prod,
)
from lazynp.random._fill import _lazy_draws, _ptr, _run
from lazynp.random._wrap import asnumpy

# ---------------------------------------------------------------------------------------------
# integers helpers (_bounded_integers.pyx)

_INT_KERNEL = {64: "int64", 32: "int32", 16: "int16", 8: "int8", 1: "bool"}
_MASKED_KERNEL = {64: "masked64", 32: "masked32", 16: "masked16", 8: "masked8", 1: "bool"}


def _format_bounds_error(closed: bool, low: Any) -> str:
    # NumPy special-cases low == 0 (the one-argument form) for a clearer message.
    if not closed:
        if not np.any(low):
            return "high <= 0"
        return "low >= high"
    if not np.any(low):
        return "high < 0"
    return "low > high"


def _int_cons(width: int, rng: int) -> tuple | None:
    """Raw draws per element for a full-range request (parallel fill), else None."""
    if width == 64 and rng == 2**64 - 1:
        return ("u64",)
    if width in (64, 32) and rng == 0xFFFFFFFF:
        return ("u32", 1)
    if width == 16 and rng == 0xFFFF:
        return ("u32", 2)
    if width == 8 and rng == 0xFF:
        return ("u32", 4)
    if width == 1 and rng == 1:
        return ("u32", 32)
    return None




class DistributionMethods:
    """The distribution methods of ``Generator`` (a base class of it)."""

    # ---- uniform-type methods ----------------------------------------------------------------
    def _random(self, size=None, dtype=np.float64, out=None):
        _dtype = np.dtype(dtype)
        if _dtype == np.float64:
            return self._fill("random_f64", size, out, np.float64, ("u64",))
        elif _dtype == np.float32:
            return self._fill("random_f32", size, out, np.float32, ("u32", 1))
        raise TypeError("Unsupported dtype %r for random" % _dtype)

    def _uniform(self, low=0.0, high=1.0, size=None):
        alow = _as_double_array(low)
        ahigh = _as_double_array(high)
        if alow.ndim == 0 and ahigh.ndim == 0:
            _low = float(alow)
            _high = float(ahigh)
            with np.errstate(over="ignore", invalid="ignore"):
                rng = _high - _low
            if not np.isfinite(rng):
                raise OverflowError("high - low range exceeds valid bounds")
            return self._cont("uniform", size, [(_low, "", CONS_NONE),
                                                (rng, "high - low", CONS_NON_NEGATIVE)],
                              cons=("u64",))
        with np.errstate(over="ignore", invalid="ignore"):
            arange = np.asarray(np.subtract(ahigh, alow))
        if not np.all(np.isfinite(arange)):
            raise OverflowError("Range exceeds valid bounds")
        return self._cont("uniform", size, [(alow, "", CONS_NONE),
                                            (arange, "high - low", CONS_NON_NEGATIVE)])

    def _integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        if high is None:
            high = low
            low = 0
        low = asnumpy(low)
        high = asnumpy(high)
        _dtype = np.dtype(dtype)
        info = _INT_TABLE.get(_dtype) if _dtype.isnative else None
        if info is None:
            if not _dtype.isnative:
                raise ValueError("Providing a dtype with a non-native byteorder is not "
                                 "supported. If you require platform-independent byteorder, "
                                 "call byteswap when required.")
            raise TypeError("Unsupported dtype %r for integers" % _dtype)
        ret = self._rand_int(info, _dtype, low, high, size, bool(endpoint))
        if size is None and (dtype is bool or dtype is int):
            if np.array(ret).shape == ():
                return dtype(ret)
        return ret

    def _rand_int(self, info: tuple, dt: np.dtype, low: Any, high: Any, size: Any,
                  closed: bool, masked: bool = False):
        tname, width, lb, ub = info
        if size is not None and _prod(size) == 0:
            return np.empty(size, dtype=dt)
        low_arr = np.asarray(low)
        high_arr = np.asarray(high)
        ln, hn = low_arr.ndim, high_arr.ndim
        kernel = (_MASKED_KERNEL if masked else _INT_KERNEL)[width]
        # masked (legacy RandomState) small-type samplers keep their per-call buffer in aux
        aux = np.zeros(2, np.uint32) if masked else None
        bg = self._bit_generator
        if ((ln == 0 or (ln == 1 and low_arr.size == 1 and size is not None))
                and (hn == 0 or (hn == 1 and high_arr.size == 1 and size is not None))):
            lo = int(low_arr.reshape(()) if ln else low_arr)
            hi = int(high_arr.reshape(()) if hn else high_arr)
            if not closed:
                hi -= 1
            if lo < lb:
                raise ValueError(f"low is out of bounds for {tname}")
            if hi > ub:
                raise ValueError(f"high is out of bounds for {tname}")
            if lo > hi:
                raise ValueError(_format_bounds_error(closed, lo))
            mask = (1 << max(width, 8)) - 1 if width != 1 else 1
            rng = (hi - lo) & mask
            off = lo & ((1 << 64) - 1)
            params = [np.array([rng], np.uint64), np.array([off], np.uint64)]
            if size is None:
                buf = np.empty(1, dt)
                _run(bg, kernel, _ptr(buf), 1, params, dt.itemsize, aux=aux)
                return buf[0]
            pending = _lazy_draws(bg, kernel, size, dt, params, aux, _int_cons(width, rng))
            if pending is not None:
                return pending
            out = np.empty(size, dt)
            _run(bg, kernel, _ptr(out), out.size, params, dt.itemsize, _int_cons(width, rng),
                 aux=aux)
            return out
        # broadcast path (NumPy's _rand_<type>_broadcast)
        is_open = 0 if closed else 1
        if np.any(np.less(low_arr, lb)):
            raise ValueError(f"low is out of bounds for {tname}")
        wide = np.uint64 if lb == 0 else np.int64
        if width == 64:
            hdt = high_arr.dtype
            if closed or np.issubdtype(hdt, np.integer):
                high_lower_comp = np.less if closed else np.less_equal
                if np.any(high_lower_comp(high_arr, lb)):
                    raise ValueError(_format_bounds_error(closed, low_arr))
                high_m1 = high_arr if closed else high_arr - hdt.type(1)
                if np.any(np.greater(high_m1, ub)):
                    raise ValueError(f"high is out of bounds for {tname}")
                hi_c = np.asarray(high_m1).astype(dt, casting="unsafe")
            else:
                flat = [int(v) - 1 for v in high_arr.flat]
                for cu in flat:
                    if cu > ub:
                        raise ValueError(f"high is out of bounds for {tname}")
                    if cu < lb:
                        raise ValueError(_format_bounds_error(closed, low_arr))
                hi_c = np.array(flat, dtype=dt).reshape(high_arr.shape)
            if np.any(np.greater(low_arr, hi_c)):
                raise ValueError(_format_bounds_error(closed, low_arr))
            lo_c = np.asarray(low_arr).astype(dt, casting="unsafe")
        else:
            ub_excl = ub + 1
            if closed:
                high_comp, low_high_comp = np.greater_equal, np.greater
            else:
                high_comp, low_high_comp = np.greater, np.greater_equal
            if np.any(high_comp(high_arr, ub_excl)):
                raise ValueError(f"high is out of bounds for {tname}")
            if np.any(low_high_comp(low_arr, high_arr)):
                raise ValueError(_format_bounds_error(closed, low_arr))
            lo_c = np.asarray(low_arr).astype(wide, casting="unsafe")
            hi_c = np.asarray(high_arr).astype(wide, casting="unsafe") - wide(is_open)
        if size is not None:
            out = np.empty(size, dt)
        else:
            out = np.empty(np.broadcast(lo_c, hi_c).shape, dt)
        np.broadcast(lo_c, hi_c, out)  # raises NumPy's shape-mismatch ValueError
        lo_u = np.ascontiguousarray(np.broadcast_to(lo_c, out.shape)).reshape(-1)
        hi_u = np.ascontiguousarray(np.broadcast_to(hi_c, out.shape)).reshape(-1)
        lo_u = lo_u.astype(np.uint64)
        with np.errstate(over="ignore"):
            rng = (hi_u.astype(np.uint64) - lo_u).astype(np.uint64)
        if width < 64:
            rng &= np.uint64((1 << width) - 1 if width > 1 else 1)
        _run(bg, kernel, _ptr(out), out.size, [rng, lo_u], dt.itemsize, aux=aux)
        return out

    def _bytes(self, length):
        length = operator.index(length)
        # Cython's cdivision: C integer division truncates toward zero, so length 0 still
        # draws one uint32 (as NumPy does).
        t = length - 1
        n_uint32 = (abs(t) // 4) * (1 if t >= 0 else -1) + 1
        return self._integers(0, 4294967296, size=n_uint32,
                              dtype=np.uint32).astype("<u4").tobytes()[:length]

    # ---- normal / exponential ----------------------------------------------------------------
    def _standard_normal(self, size=None, dtype=np.float64, out=None):
        _dtype = np.dtype(dtype)
        if _dtype == np.float64:
            return self._fill("std_normal_f64", size, out, np.float64)
        elif _dtype == np.float32:
            return self._fill("std_normal_f32", size, out, np.float32)
        raise TypeError("Unsupported dtype %r for standard_normal" % _dtype)

    def _normal(self, loc=0.0, scale=1.0, size=None):
        return self._cont("normal", size, [(loc, "", CONS_NONE),
                                           (scale, "scale", CONS_NON_NEGATIVE)])

    def _standard_exponential(self, size=None, dtype=np.float64, method="zig", out=None):
        _dtype = np.dtype(dtype)
        if _dtype == np.float64:
            name = "std_exp_f64" if method == "zig" else "std_exp_inv_f64"
            return self._fill(name, size, out, np.float64)
        elif _dtype == np.float32:
            name = "std_exp_f32" if method == "zig" else "std_exp_inv_f32"
            return self._fill(name, size, out, np.float32)
        raise TypeError("Unsupported dtype %r for standard_exponential" % _dtype)

    def _exponential(self, scale=1.0, size=None):
        return self._cont("exponential", size, [(scale, "scale", CONS_NON_NEGATIVE)])

    # ---- distributions compiled from NumPy's C (_dists.py) ----------------------------------
    def _standard_gamma(self, shape, size=None, dtype=np.float64, out=None):
        _dtype = np.dtype(dtype)
        if _dtype == np.float64:
            return self._cont("std_gamma", size, [(shape, "shape", CONS_NON_NEGATIVE)], out)
        if _dtype != np.float32:
            raise TypeError("Unsupported dtype %r for standard_gamma" % _dtype)
        target = asnumpy(out) if out is not None else None
        _check_output(target, np.float32, size, True)
        a = np.asarray(asnumpy(shape)).astype(np.float32)
        if a.ndim != 0:
            _check_array_constraint(a, "shape", CONS_NON_NEGATIVE)
            randoms = target if target is not None else np.empty(
                size if size is not None else a.shape, np.float32)
            it_shape = np.broadcast(randoms, a).shape
            if it_shape != randoms.shape:
                raise ValueError(f"Output size {randoms.shape} is not compatible with broadcast "
                                 f"dimensions of inputs {it_shape}.")
            flat = np.ascontiguousarray(np.broadcast_to(a, randoms.shape)).reshape(-1)
            _run(self._bit_generator, "std_gamma_f", _ptr(randoms), randoms.size, [flat], 4)
            return out if out is not None else randoms
        sval = np.array([float(asnumpy(shape))], np.float32)
        _check_constraint(float(sval[0]), "shape", CONS_NON_NEGATIVE)
        if size is None and out is None:
            buf = np.empty(1, np.float32)
            _run(self._bit_generator, "std_gamma_f", _ptr(buf), 1, [sval], 4)
            return float(buf[0])
        randoms = target if target is not None else np.empty(size, np.float32)
        _run(self._bit_generator, "std_gamma_f", _ptr(randoms), randoms.size, [sval], 4)
        return out if out is not None else randoms

    def _gamma(self, shape, scale=1.0, size=None):
        return self._cont("gamma", size, [(shape, "shape", CONS_NON_NEGATIVE),
                                          (scale, "scale", CONS_NON_NEGATIVE)])

    def _beta(self, a, b, size=None):
        return self._cont("beta", size, [(a, "a", CONS_POSITIVE), (b, "b", CONS_POSITIVE)])

    def _chisquare(self, df, size=None):
        return self._cont("chisquare", size, [(df, "df", CONS_POSITIVE)])

    def _f(self, dfnum, dfden, size=None):
        return self._cont("f", size, [(dfnum, "dfnum", CONS_POSITIVE),
                                      (dfden, "dfden", CONS_POSITIVE)])

    def _noncentral_chisquare(self, df, nonc, size=None):
        return self._cont("noncentral_chisquare", size, [(df, "df", CONS_POSITIVE),
                                                         (nonc, "nonc", CONS_NON_NEGATIVE)])

    def _noncentral_f(self, dfnum, dfden, nonc, size=None):
        return self._cont("noncentral_f", size, [(dfnum, "dfnum", CONS_POSITIVE),
                                                 (dfden, "dfden", CONS_POSITIVE),
                                                 (nonc, "nonc", CONS_NON_NEGATIVE)])

    def _standard_t(self, df, size=None):
        return self._cont("std_t", size, [(df, "df", CONS_POSITIVE)])

    def _standard_cauchy(self, size=None):
        return self._cont("std_cauchy", size, [])

    def _lognormal(self, mean=0.0, sigma=1.0, size=None):
        return self._cont("lognormal", size, [(mean, "mean", CONS_NONE),
                                              (sigma, "sigma", CONS_NON_NEGATIVE)])

    def _logistic(self, loc=0.0, scale=1.0, size=None):
        return self._cont("logistic", size, [(loc, "loc", CONS_NONE),
                                             (scale, "scale", CONS_NON_NEGATIVE)])

    def _laplace(self, loc=0.0, scale=1.0, size=None):
        return self._cont("laplace", size, [(loc, "loc", CONS_NONE),
                                            (scale, "scale", CONS_NON_NEGATIVE)])

    def _gumbel(self, loc=0.0, scale=1.0, size=None):
        return self._cont("gumbel", size, [(loc, "loc", CONS_NONE),
                                           (scale, "scale", CONS_NON_NEGATIVE)])

    def _pareto(self, a, size=None):
        return self._cont("pareto", size, [(a, "a", CONS_POSITIVE)])

    def _power(self, a, size=None):
        return self._cont("power", size, [(a, "a", CONS_POSITIVE)])

    def _rayleigh(self, scale=1.0, size=None):
        return self._cont("rayleigh", size, [(scale, "scale", CONS_NON_NEGATIVE)])

    def _weibull(self, a, size=None):
        return self._cont("weibull", size, [(a, "a", CONS_NON_NEGATIVE)])

    def _wald(self, mean, scale, size=None):
        return self._cont("wald", size, [(mean, "mean", CONS_POSITIVE),
                                         (scale, "scale", CONS_POSITIVE)])

    def _vonmises(self, mu, kappa, size=None):
        return self._cont("vonmises", size, [(mu, "mu", CONS_NONE),
                                             (kappa, "kappa", CONS_NON_NEGATIVE)])

    def _triangular(self, left, mode, right, size=None):
        oleft = _as_double_array(left)
        omode = _as_double_array(mode)
        oright = _as_double_array(right)
        if oleft.ndim == omode.ndim == oright.ndim == 0:
            fleft, fmode, fright = float(oleft), float(omode), float(oright)
            if fleft > fmode:
                raise ValueError("left > mode")
            if fmode > fright:
                raise ValueError("mode > right")
            if fleft == fright:
                raise ValueError("left == right")
            return self._cont("triangular", size, [(fleft, "left", CONS_NONE),
                                                   (fmode, "mode", CONS_NONE),
                                                   (fright, "right", CONS_NONE)])
        if np.any(np.greater(oleft, omode)):
            raise ValueError("left > mode")
        if np.any(np.greater(omode, oright)):
            raise ValueError("mode > right")
        if np.any(np.equal(oleft, oright)):
            raise ValueError("left == right")
        return self._cont("triangular", size, [(oleft, "left", CONS_NONE),
                                               (omode, "mode", CONS_NONE),
                                               (oright, "right", CONS_NONE)])

    def _disc(self, name, size, params, dtypes=None):
        return self._cont(name, size, params, dtypes=dtypes, out_dtype=np.int64)

    def _geometric(self, p, size=None):
        return self._disc("geometric", size, [(p, "p", CONS_BOUNDED_GT_0_1)])

    def _poisson(self, lam=1.0, size=None):
        return self._disc("poisson", size, [(lam, "lam", CONS_POISSON)])

    def _zipf(self, a, size=None):
        return self._disc("zipf", size, [(a, "a", CONS_GT_1)])

    def _logseries(self, p, size=None):
        return self._disc("logseries", size, [(p, "p", CONS_BOUNDED_LT_0_1)])

    def _negative_binomial(self, n, p, size=None):
        p_arr = _as_double_array(p)
        n_arr = _as_double_array(n)
        if p_arr.ndim != 0 or n_arr.ndim != 0:
            _check_array_constraint(n_arr, "n", CONS_POSITIVE_NOT_NAN)
            _check_array_constraint(p_arr, "p", CONS_BOUNDED_GT_0_1)
            with np.errstate(all="ignore"):
                max_lam = (1 - p_arr) / p_arr * (n_arr + 10 * np.sqrt(n_arr))
            if np.any(np.greater(max_lam, POISSON_LAM_MAX)):
                raise ValueError("n too large or p too small, see Generator.negative_binomial "
                                 "Notes")
        else:
            dn, dp = float(n_arr), float(p_arr)
            _check_constraint(dn, "n", CONS_POSITIVE_NOT_NAN)
            _check_constraint(dp, "p", CONS_BOUNDED_GT_0_1)
            with np.errstate(all="ignore"):
                max_lam = (1 - dp) / dp * (dn + 10 * np.sqrt(dn))
            if max_lam > POISSON_LAM_MAX:
                raise ValueError("n too large or p too small, see Generator.negative_binomial "
                                 "Notes")
        return self._disc("negative_binomial", size, [(n_arr, "n", CONS_NONE),
                                                      (p_arr, "p", CONS_NONE)])

    def _binomial(self, n, p, size=None):
        return self._cont("binomial", size, [(p, "p", CONS_BOUNDED_0_1),
                                             (n, "n", CONS_NON_NEGATIVE)],
                          dtypes=[np.float64, np.int64], out_dtype=np.int64, aux=self._binom)

    def _hypergeometric(self, ngood, nbad, nsample, size=None):
        hmax = 10**9
        og = _as_array(ngood, np.int64)
        ob = _as_array(nbad, np.int64)
        os_ = _as_array(nsample, np.int64)
        params = [(og, "ngood", CONS_NON_NEGATIVE), (ob, "nbad", CONS_NON_NEGATIVE),
                  (os_, "nsample", CONS_NON_NEGATIVE)]
        if og.ndim == ob.ndim == os_.ndim == 0:
            lg, lb, ls = int(og), int(ob), int(os_)
            if lg >= hmax or lb >= hmax:
                raise ValueError("both ngood and nbad must be less than %d" % hmax)
            if lg + lb < ls:
                raise ValueError("ngood + nbad < nsample")
        else:
            if np.any(og >= hmax) or np.any(ob >= hmax):
                raise ValueError("both ngood and nbad must be less than %d" % hmax)
            if np.any(np.less(np.add(og, ob), os_)):
                raise ValueError("ngood + nbad < nsample")
        return self._disc("hypergeometric", size, params, dtypes=[np.int64] * 3)
