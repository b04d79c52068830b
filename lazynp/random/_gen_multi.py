"""The Generator's permutation, choice and multivariate methods (``_generator.pyx``).

``SamplingMethods`` is a base of ``Generator``: ``shuffle``, ``permutation``, ``permuted``,
``choice``, ``multinomial``, ``multivariate_hypergeometric``, ``dirichlet`` and
``multivariate_normal``, and the whole-call kernels they run (``_call``).
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from lazynp.random._args import (
    CONS_BOUNDED_0_1,
    CONS_NON_NEGATIVE,
    _as_double_array,
    _check_array_constraint,
    _check_constraint,
    _kahan_sum,
    mvn_shape,
    weighted_sample_without_replacement,
)
from lazynp.random._bitgen import BitGenerator
from lazynp.random._fill import _ptr, _run
from lazynp.random._wrap import asnumpy, is_lazynp, user_stacklevel


class SamplingMethods:
    """The permutation, choice and multivariate methods of ``Generator`` (a base class of it)."""

    # ---- permutations ------------------------------------------------------------------------
    def _interval_perm(self, n: int, rows: int = 1) -> np.ndarray:
        """``rows`` permutations of arange(n), each made by NumPy's shuffle (random_interval)."""
        perm = np.tile(np.arange(n, dtype=np.int64), rows)
        if n > 1 and rows > 0:
            bg = self._bit_generator
            fn = bg._kernels().fn["shuffle_interval"]
            with bg.lock:
                bg._sync_in()
                try:
                    fn(_ptr(bg._st), _ptr(perm), n, rows)
                finally:
                    bg._sync_out()
        return perm.reshape(rows, n) if rows != 1 else perm

    def _lemire_shuffle(self, data: np.ndarray, hi: int, lo: int) -> None:
        if hi < lo:
            return
        bg = self._bit_generator
        fn = bg._kernels().fn["shuffle_lemire"]
        with bg.lock:
            bg._sync_in()
            try:
                fn(_ptr(bg._st), _ptr(data), hi, lo)
            finally:
                bg._sync_out()

    def _shuffle(self, x, axis=0):
        orig = x
        x = asnumpy(x)
        if isinstance(x, np.ndarray):
            if not x.flags.writeable:
                raise ValueError("array is read-only")
            axis = np.lib.array_utils.normalize_axis_index(axis, np.ndim(x))
            if x.size == 0:
                return None
            n = x.shape[axis]
            perm = self._interval_perm(n)
            xs = np.swapaxes(x, 0, axis)
            xs[...] = xs[perm]
            if x is not orig and is_lazynp(orig):
                _write_back(orig, x)
            return None
        if not isinstance(x, Sequence):
            warnings.warn(f"you are shuffling a '{type(x).__name__}' object which is not a "
                          "subclass of 'Sequence'; `shuffle` is not guaranteed to behave "
                          "correctly. E.g., non-numpy array/tensor objects with view semantics "
                          "may contain duplicates after shuffling.", UserWarning,
                          stacklevel=user_stacklevel())
        if axis != 0:
            raise NotImplementedError("Axis argument is only supported on ndarray objects")
        n = len(x)
        if n <= 1:
            return None
        bg = self._bit_generator
        fn = bg._kernels().fn["shuffle_interval"]
        # Run Fisher-Yates on an index array, then apply the permutation through x's own
        # item protocol (x may be any mutable sequence).
        idx = np.arange(n, dtype=np.int64)
        with bg.lock:
            bg._sync_in()
            try:
                fn(_ptr(bg._st), _ptr(idx), n, 1)
            finally:
                bg._sync_out()
        old = [x[int(i)] for i in range(n)]
        for i in range(n):
            x[i] = old[int(idx[i])]
        return None

    def _permutation(self, x, axis=0):
        x = asnumpy(x)
        if isinstance(x, (int, np.integer)):
            arr = np.arange(x)
            self._shuffle(arr)
            return arr
        arr = np.asarray(x)
        axis = np.lib.array_utils.normalize_axis_index(axis, arr.ndim)
        if arr.ndim == 1:
            if np.may_share_memory(arr, x):
                arr = np.array(arr)
            self._shuffle(arr)
            return arr
        idx = np.arange(arr.shape[axis], dtype=np.intp)
        self._shuffle(idx)
        slices = [slice(None)] * arr.ndim
        slices[axis] = idx
        return arr[tuple(slices)]

    def _permuted(self, x, axis=None, out=None):
        x = np.asarray(asnumpy(x))
        orig_out = out
        if out is None:
            out = x.copy(order="K")
        else:
            out = asnumpy(out)
            if type(out) is not np.ndarray:
                raise TypeError("out must be a numpy array")
            if not out.flags.writeable:
                raise ValueError("output array is read-only")
            if out.shape != x.shape:
                raise ValueError("out must have the same shape as x")
            np.copyto(out, x, casting="safe")
        if axis is None:
            if x.ndim > 1:
                if not (out.flags.c_contiguous or out.flags.f_contiguous):
                    tmp = np.ascontiguousarray(out)
                    flat = tmp.reshape(-1)
                    self._shuffle(flat)
                    out[...] = tmp
                else:
                    self._shuffle(out.ravel(order="A"))
            else:
                self._shuffle(out)
            return orig_out if orig_out is not None else out
        ax = np.lib.array_utils.normalize_axis_index(axis, np.ndim(out))
        axlen = out.shape[ax]
        moved = np.moveaxis(out, ax, -1)
        lanes = int(np.prod(moved.shape[:-1]))
        if axlen > 0 and lanes > 0:
            perms = self._interval_perm(axlen, lanes).reshape(moved.shape)
            moved[...] = np.take_along_axis(moved, perms, axis=-1)
        return orig_out if orig_out is not None else out

    # ---- choice ------------------------------------------------------------------------------
    def _choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        a_original = a
        a = np.asarray(asnumpy(a))
        p = asnumpy(p)
        if a.ndim == 0:
            try:
                pop_size = operator.index(a.item())
            except TypeError as exc:
                raise ValueError("a must be a sequence or an integer, "
                                 f"not {type(a_original)}") from exc
            if pop_size <= 0 and np.prod(size) != 0:
                raise ValueError("a must be a positive integer unless no samples are taken")
        else:
            pop_size = a.shape[axis]
            if pop_size == 0 and np.prod(size) != 0:
                raise ValueError("a cannot be empty unless no samples are taken")

        if p is not None:
            d = len(p)
            atol = np.sqrt(np.finfo(np.float64).eps)
            if isinstance(p, np.ndarray):
                if np.issubdtype(p.dtype, np.floating):
                    atol = max(atol, np.sqrt(np.finfo(p.dtype).eps))
            p = np.ascontiguousarray(_as_double_array(p))
            if p.ndim != 1:
                raise ValueError("p must be 1-dimensional")
            if p.size != pop_size:
                raise ValueError("a and p must have same size")
            p_sum = _kahan_sum(p, d)
            if np.isnan(p_sum):
                raise ValueError("Probabilities contain NaN")
            if np.logical_or.reduce(p < 0):
                raise ValueError("Probabilities are not non-negative")
            if abs(p_sum - 1.0) > atol:
                raise ValueError("Probabilities do not sum to 1. See Notes section of "
                                 "docstring for more information.")

        is_scalar = size is None
        if not is_scalar:
            shape = size
            size = np.prod(shape, dtype=np.intp)
        else:
            shape = ()
            size = 1

        if replace:
            if p is not None:
                cdf = p.cumsum()
                cdf /= cdf[-1]
                uniform_samples = self._random(shape)
                idx = cdf.searchsorted(uniform_samples, side="right")
                idx = np.asarray(idx, dtype=np.int64)
            else:
                idx = self._integers(0, pop_size, size=shape, dtype=np.int64)
        else:
            if size > pop_size:
                raise ValueError("Cannot take a larger sample than population when "
                                 "replace is False")
            elif size < 0:
                raise ValueError("negative dimensions are not allowed")
            if p is not None:
                idx = weighted_sample_without_replacement(
                    lambda n: np.asarray(self._random((n,))), p, size, shape)
            else:
                size_i = int(size)
                pop_size_i = int(pop_size)
                cutoff = 50 if shuffle else 20
                if pop_size_i > 10000 and (size_i > (pop_size_i // cutoff)):
                    idx = np.arange(pop_size_i, dtype=np.int64)
                    self._lemire_shuffle(idx, pop_size_i - 1, max(pop_size_i - size_i, 1))
                    idx = idx[(pop_size_i - size_i):].copy()
                else:
                    idx = self._floyd(pop_size_i, size_i)
                    if shuffle:
                        self._lemire_shuffle(idx, size_i - 1, 1)
                idx.shape = shape

        if is_scalar and isinstance(idx, np.ndarray):
            idx = idx.item(0)
        if a.ndim == 0:
            return idx
        if not is_scalar and idx.ndim == 0 and a.ndim == 1:
            res = np.empty((), dtype=a.dtype)
            res[()] = a[idx]
            return res
        return a.take(np.asarray(idx, dtype=np.intp), axis=axis)

    # ---- multivariate ------------------------------------------------------------------------
    def _multinomial(self, n, pvals, size=None):
        on = np.asarray(asnumpy(n))
        if not isinstance(n, (int, np.integer)):
            on = on.astype(np.int64, casting="same_kind")
        on = np.asarray(on, dtype=np.int64, order="C")
        pv = asnumpy(pvals)
        parr = np.ascontiguousarray(np.asarray(pv, dtype=np.float64))
        ndim = parr.ndim
        d = parr.shape[ndim - 1] if ndim >= 1 else 0
        if d == 0:
            raise ValueError("pvals must have at least 1 dimension and the last dimension "
                             "of pvals must be greater than 0.")
        _check_array_constraint(parr, "pvals", CONS_BOUNDED_0_1)
        flatp = parr.reshape(-1)
        for offset in range(0, flatp.size, d):
            if _kahan_sum(flatp[offset:offset + d - 1], d - 1) > (1.0 + 1e-12):
                slice_repr = "[:-1]" if ndim == 1 else "[...,:-1]"
                if (isinstance(pv, np.ndarray) and np.issubdtype(pv.dtype, np.floating)
                        and pv.dtype != float and pv.sum() < 1.0001):
                    msg = (f"sum(pvals{slice_repr}.astype(np.float64)) > 1.0. The pvals "
                           "array is cast to 64-bit floating point prior to checking the "
                           "sum. Precision changes when casting may cause problems even if "
                           "the sum of the original pvals is valid.")
                else:
                    msg = f"sum(pvals{slice_repr}) > 1.0"
                raise ValueError(msg)
        if on.ndim != 0 or ndim > 1:
            _check_array_constraint(on, "n", CONS_NON_NEGATIVE)
            offsets = np.arange(0, parr.size, d, dtype=np.intp).reshape(parr.shape[:ndim - 1])
            if size is None:
                bshape = np.broadcast(on, offsets).shape
            else:
                temp = np.empty(size, dtype=np.int8)
                bshape = np.broadcast(on, offsets, temp).shape
                try:
                    size = (operator.index(size),)
                except TypeError:
                    size = tuple(size)
                if bshape != size:
                    raise ValueError(f"Output size {size} is not compatible with broadcast "
                                     f"dimensions of inputs {bshape}.")
            multin = np.zeros(bshape + (d,), dtype=np.int64)
            ns = np.ascontiguousarray(np.broadcast_to(on, bshape), dtype=np.int64).reshape(-1)
            offs = np.ascontiguousarray(np.broadcast_to(offsets, bshape),
                                        dtype=np.int64).reshape(-1)
            count = multin.size // d
            self._call("multinomial", self._binom, ns, 1, flatp, offs, 1, d, count, multin)
            return multin
        if size is None:
            shape = (d,)
        else:
            try:
                shape = (operator.index(size), d)
            except TypeError:
                shape = tuple(size) + (d,)
        multin = np.zeros(shape, dtype=np.int64)
        ni = int(on)
        _check_constraint(float(ni), "n", CONS_NON_NEGATIVE)
        count = multin.size // d
        self._call("multinomial", self._binom, np.array([ni], np.int64), 0, flatp,
                   np.zeros(1, np.int64), 0, d, count, multin)
        return multin

    def _multivariate_hypergeometric(self, colors, nsample, size=None, method="marginals"):
        int64_max = 2**63 - 1
        if method not in ["count", "marginals"]:
            raise ValueError('method must be "count" or "marginals".')
        try:
            operator.index(nsample)
        except TypeError:
            raise ValueError("nsample must be an integer") from None
        if nsample < 0:
            raise ValueError("nsample must be nonnegative.")
        if nsample > int64_max:
            raise ValueError("nsample must not exceed %d" % int64_max)
        nsamp = int(nsample)
        invalid_colors = False
        try:
            colors = np.asarray(asnumpy(colors))
            if colors.ndim != 1:
                invalid_colors = True
            elif colors.size > 0 and not np.issubdtype(colors.dtype, np.integer):
                invalid_colors = True
            elif np.any((colors < 0) | (colors > int64_max)):
                invalid_colors = True
        except ValueError:
            invalid_colors = True
        if invalid_colors:
            raise ValueError("colors must be a one-dimensional sequence of nonnegative "
                             "integers not exceeding %d." % int64_max)
        colors = np.ascontiguousarray(colors, dtype=np.int64)
        num_colors = colors.size
        total = 0
        for c in colors.tolist():
            if c > int64_max - total:
                raise ValueError("sum(colors) must not exceed the maximum value of a 64 bit "
                                 "signed integer (%d)" % int64_max)
            total += c
        if method == "marginals" and total >= 1000000000:
            raise ValueError('When method is "marginals", sum(colors) must be less than '
                             '1000000000.')
        max_index = int64_max // 8
        if method == "count" and total > max_index:
            raise ValueError("When method is 'count', sum(colors) must not exceed %d"
                             % max_index)
        if nsamp > total:
            raise ValueError("nsample > sum(colors)")
        if size is None:
            shape = (num_colors,)
        elif np.isscalar(size):
            shape = (size, num_colors)
        else:
            shape = tuple(size) + (num_colors,)
        variates = np.zeros(shape, dtype=np.int64)
        if num_colors == 0:
            return variates
        num_variates = variates.size // num_colors
        if method == "count":
            if total == 0 or nsamp == 0 or num_variates == 0:
                return variates
            try:
                choices = np.empty(total, np.int64)
            except MemoryError:
                raise MemoryError("Insufficient memory for multivariate_hypergeometric with "
                                  "method='count' and sum(colors)=%d" % total) from None
            self._call("mvhg_count", total, num_colors, colors, nsamp, num_variates, variates,
                       choices)
        else:
            self._call("mvhg_marginals", total, num_colors, colors, nsamp, num_variates,
                       variates)
        return variates

    def _dirichlet(self, alpha, size=None):
        alpha = asnumpy(alpha)
        k = len(alpha)
        alpha_arr = np.asarray(alpha, dtype=np.float64)
        if alpha_arr.ndim != 1:
            raise ValueError("object of too small depth for desired array"
                             if alpha_arr.ndim < 1 else "object too deep for desired array")
        alpha_arr = np.ascontiguousarray(alpha_arr)
        if np.any(np.less(alpha_arr, 0)):
            raise ValueError("alpha < 0")
        if size is None:
            shape = (k,)
        else:
            try:
                shape = (operator.index(size), k)
            except TypeError:
                shape = tuple(size) + (k,)
        diric = np.zeros(shape, np.float64)
        totsize = diric.size
        if k > 0 and alpha_arr.max() < 0.1:
            csum_arr = np.empty_like(alpha_arr)
            csum = 0.0
            for j in range(k - 1, -1, -1):
                csum += float(alpha_arr[j])
                csum_arr[j] = csum
            if csum > 0:
                self._call("dirichlet", alpha_arr, csum_arr, k, totsize, 1, diric)
        elif totsize > 0:
            self._call("dirichlet", alpha_arr, alpha_arr, k, totsize, 0, diric)
        return diric

    def _multivariate_normal(self, mean, cov, size=None, check_valid="warn", tol=1e-8, *,
                             method="svd"):
        # NumPy's Python code over standard_normal (same LAPACK, same results)
        if method not in {"eigh", "svd", "cholesky"}:
            raise ValueError("method must be one of {'eigh', 'svd', 'cholesky'}")
        mean = np.array(asnumpy(mean))
        cov = np.array(asnumpy(cov))
        if (np.issubdtype(mean.dtype, np.complexfloating)
                or np.issubdtype(cov.dtype, np.complexfloating)):
            raise TypeError("mean and cov must not be complex")
        final_shape = mvn_shape(mean, cov, size)
        x = self._standard_normal(final_shape).reshape(-1, mean.shape[0])
        cov = cov.astype(np.double)
        if method == "svd":
            from numpy.linalg import svd

            (u, s, vh) = svd(cov)
        elif method == "eigh":
            from numpy.linalg import eigh

            (s, u) = eigh(cov)
        else:
            from numpy.linalg import cholesky

            lower = cholesky(cov)
        if check_valid != "ignore" and method != "cholesky":
            if check_valid != "warn" and check_valid != "raise":
                raise ValueError("check_valid must equal 'warn', 'raise', or 'ignore'")
            if method == "svd":
                psd = np.allclose(np.dot(vh.T * s, vh), cov, rtol=tol, atol=tol)
            else:
                psd = not np.any(s < -tol)
            if not psd:
                if check_valid == "warn":
                    warnings.warn("covariance is not symmetric positive-semidefinite.",
                                  RuntimeWarning, stacklevel=3)
                else:
                    raise ValueError("covariance is not symmetric positive-semidefinite.")
        if method == "cholesky":
            _factor = lower
        elif method == "eigh":
            _factor = u * np.sqrt(abs(s))
        else:
            _factor = u * np.sqrt(s)
        x = mean + x @ _factor.T
        x.shape = tuple(final_shape)
        return x

    def _call(self, name: str, *args: Any) -> None:
        """Run whole-call kernel ``name`` (arrays passed by pointer) under the lock."""
        _call_kernel(self._bit_generator, name, args)

    def _floyd(self, pop: int, size: int) -> np.ndarray:
        """Floyd's sampling as NumPy's choice: draw B(j) for j = pop-size .. pop-1, dedupe."""
        if size == 0:
            return np.empty(0, np.int64)
        js = np.arange(pop - size, pop, dtype=np.uint64)
        vals = np.empty(size, np.int64)
        _run(self._bit_generator, "int64", _ptr(vals), size, [js, np.zeros(1, np.uint64)], 8)
        # A drawn value already chosen is replaced by j, which is new (larger than all so far).
        seen: set[int] = set()
        out = vals.tolist()
        jl = range(pop - size, pop)
        for k in range(size):
            v = out[k]
            if v in seen:
                v = jl[k]
                out[k] = v
            seen.add(v)
        return np.array(out, dtype=np.int64)


def _call_kernel(bg: BitGenerator, name: str, args: tuple) -> None:
    fn = bg._kernels().fn[name]
    cargs = [_ptr(a) if isinstance(a, np.ndarray) else int(a) for a in args]
    with bg.lock:
        bg._sync_in()
        try:
            fn(_ptr(bg._st), *cargs)
        finally:
            bg._sync_out()


def _write_back(target: Any, values: np.ndarray) -> None:
    target[...] = values
