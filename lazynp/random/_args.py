"""NumPy's argument handling shared by ``Generator`` and the legacy ``RandomState``.

Constraint checks and their messages (``_common.pyx``), ``out`` checks, parameter conversion,
the integer dtype table (``_bounded_integers.pyx``), ``choice``'s and ``multivariate_normal``'s
shared helpers, and the small-request test that sends a call to NumPy's own method.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from lazynp.random._bitgen import _SMALL_LIMIT
from lazynp.random._wrap import asnumpy, is_lazynp, wrap


# ---------------------------------------------------------------------------------------------
# argument helpers shared with the legacy RandomState
def weighted_sample_without_replacement(draw: Any, p: np.ndarray, size: int,
                                       shape: Any) -> np.ndarray:
    """choice(replace=False, p=...): NumPy's loop (mtrand.pyx and _generator.pyx share it).
    ``draw(n)`` gives ``n`` uniform doubles from the generator."""
    if np.count_nonzero(p > 0) < size:
        raise ValueError("Fewer non-zero entries in p than size")
    n_uniq = 0
    p = p.copy()
    found = np.zeros(shape, dtype=np.int64)
    flat_found = found.ravel()
    while n_uniq < size:
        x = draw(size - n_uniq)
        if n_uniq > 0:
            p[flat_found[0:n_uniq]] = 0
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        new = cdf.searchsorted(x, side="right")
        _, unique_indices = np.unique(new, return_index=True)
        unique_indices.sort()
        new = new.take(unique_indices)
        flat_found[n_uniq:n_uniq + new.size] = new
        n_uniq += new.size
    return found


def mvn_shape(mean: np.ndarray, cov: np.ndarray, size: Any) -> list:
    """multivariate_normal's argument checks (NumPy's order and messages) and draw shape."""
    if size is None:
        shape = []
    elif isinstance(size, (int, np.integer)):
        shape = [size]
    else:
        shape = size
    if len(mean.shape) != 1:
        raise ValueError("mean must be 1 dimensional")
    if (len(cov.shape) != 2) or (cov.shape[0] != cov.shape[1]):
        raise ValueError("cov must be 2 dimensional and square")
    if mean.shape[0] != cov.shape[0]:
        raise ValueError("mean and cov must have same length")
    return list(shape[:]) + [mean.shape[0]]


# ---------------------------------------------------------------------------------------------
# NumPy's argument handling (_common.pyx)

CONS_NONE = 0
CONS_NON_NEGATIVE = 1
CONS_POSITIVE = 2
CONS_BOUNDED_0_1 = 3
CONS_BOUNDED_GT_0_1 = 4
CONS_BOUNDED_LT_0_1 = 5
CONS_GT_1 = 6
CONS_GTE_1 = 7
CONS_POISSON = 8
CONS_POSITIVE_NOT_NAN = 9

POISSON_LAM_MAX = float(np.iinfo("int64").max) - np.sqrt(np.iinfo("int64").max) * 10


def _check_constraint(val: float, name: str, cons: int) -> None:
    if cons == CONS_NON_NEGATIVE:
        if not np.isnan(val) and np.signbit(val):
            raise ValueError(name + " < 0")
    elif cons in (CONS_POSITIVE, CONS_POSITIVE_NOT_NAN):
        if cons == CONS_POSITIVE_NOT_NAN and np.isnan(val):
            raise ValueError(name + " must not be NaN")
        elif val <= 0:
            raise ValueError(name + " <= 0")
    elif cons == CONS_BOUNDED_0_1:
        if not (val >= 0) or not (val <= 1):
            raise ValueError("{0} < 0, {0} > 1 or {0} is NaN".format(name))
    elif cons == CONS_BOUNDED_GT_0_1:
        if not val > 0 or not val <= 1:
            raise ValueError("{0} <= 0, {0} > 1 or {0} contains NaNs".format(name))
    elif cons == CONS_BOUNDED_LT_0_1:
        if not (val >= 0) or not (val < 1):
            raise ValueError("{0} < 0, {0} >= 1 or {0} is NaN".format(name))
    elif cons == CONS_GT_1:
        if not (val > 1):
            raise ValueError("{0} <= 1 or {0} is NaN".format(name))
    elif cons == CONS_GTE_1:
        if not (val >= 1):
            raise ValueError("{0} < 1 or {0} is NaN".format(name))
    elif cons == CONS_POISSON:
        if not (val >= 0):
            raise ValueError("{0} < 0 or {0} is NaN".format(name))
        elif not (val <= POISSON_LAM_MAX):
            raise ValueError(name + " value too large")


def _check_array_constraint(val: np.ndarray, name: str, cons: int) -> None:
    if cons == CONS_NON_NEGATIVE:
        if np.any(np.logical_and(np.logical_not(np.isnan(val)), np.signbit(val))):
            raise ValueError(name + " < 0")
    elif cons in (CONS_POSITIVE, CONS_POSITIVE_NOT_NAN):
        if cons == CONS_POSITIVE_NOT_NAN and np.any(np.isnan(val)):
            raise ValueError(name + " must not be NaN")
        elif np.any(np.less_equal(val, 0)):
            raise ValueError(name + " <= 0")
    elif cons == CONS_BOUNDED_0_1:
        if not np.all(np.greater_equal(val, 0)) or not np.all(np.less_equal(val, 1)):
            raise ValueError(f"{name} < 0, {name} > 1 or {name} contains NaNs")
    elif cons == CONS_BOUNDED_GT_0_1:
        if not np.all(np.greater(val, 0)) or not np.all(np.less_equal(val, 1)):
            raise ValueError("{0} <= 0, {0} > 1 or {0} contains NaNs".format(name))
    elif cons == CONS_BOUNDED_LT_0_1:
        if not np.all(np.greater_equal(val, 0)) or not np.all(np.less(val, 1)):
            raise ValueError("{0} < 0, {0} >= 1 or {0} contains NaNs".format(name))
    elif cons == CONS_GT_1:
        if not np.all(np.greater(val, 1)):
            raise ValueError("{0} <= 1 or {0} contains NaNs".format(name))
    elif cons == CONS_GTE_1:
        if not np.all(np.greater_equal(val, 1)):
            raise ValueError("{0} < 1 or {0} contains NaNs".format(name))
    elif cons == CONS_POISSON:
        if not np.all(np.less_equal(val, POISSON_LAM_MAX)):
            raise ValueError("{0} value too large".format(name))
        elif not np.all(np.greater_equal(val, 0.0)):
            raise ValueError("{0} < 0 or {0} contains NaNs".format(name))


def _check_output(out: Any, dtype: Any, size: Any, require_c_array: bool) -> None:
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"Cannot convert {type(out).__name__} to numpy.ndarray")
    f = out.flags
    behaved = f.aligned and f.writeable and out.dtype.isnative
    if not (behaved and (f.c_contiguous or (f.f_contiguous and not require_c_array))):
        req = "C-" if require_c_array else ""
        raise ValueError(f"Supplied output array must be {req}contiguous, writable, "
                         f"aligned, and in machine byte-order.")
    if out.dtype != dtype:
        raise TypeError("Supplied output array has the wrong type. "
                        "Expected {0}, got {1}".format(np.dtype(dtype), out.dtype))
    if size is not None:
        try:
            tup_size = tuple(size)
        except TypeError:
            tup_size = tuple([size])
        if tup_size != out.shape:
            raise ValueError("size must match out.shape when used together")


def _as_double_array(v: Any) -> np.ndarray:
    v = asnumpy(v)
    if isinstance(v, np.ndarray) and not np.can_cast(v.dtype, np.float64):
        raise TypeError(f"Cannot cast array data from {v.dtype!r} to dtype('float64') "
                        f"according to the rule 'safe'")
    return np.asarray(v, dtype=np.float64)


def _as_array(v: Any, dtype: Any) -> np.ndarray:
    return np.asarray(asnumpy(v)).astype(dtype)


def _prod(size: Any) -> int:
    return int(np.prod(size))


# ---------------------------------------------------------------------------------------------
# integers helpers (_bounded_integers.pyx)

_INT_TABLE = {
    np.dtype(np.int64): ("int64", 64, -(2**63), 2**63 - 1),
    np.dtype(np.int32): ("int32", 32, -(2**31), 2**31 - 1),
    np.dtype(np.int16): ("int16", 16, -(2**15), 2**15 - 1),
    np.dtype(np.int8): ("int8", 8, -(2**7), 2**7 - 1),
    np.dtype(np.uint64): ("uint64", 64, 0, 2**64 - 1),
    np.dtype(np.uint32): ("uint32", 32, 0, 2**32 - 1),
    np.dtype(np.uint16): ("uint16", 16, 0, 2**16 - 1),
    np.dtype(np.uint8): ("uint8", 8, 0, 2**8 - 1),
    np.dtype(np.bool_): ("bool", 1, 0, 1),
}

def _kahan_sum(darr: np.ndarray, n: int) -> float:
    if n <= 0:
        return 0.0
    vals = darr.tolist()
    s = vals[0]
    c = 0.0
    for i in range(1, n):
        y = vals[i] - c
        t = s + y
        c = (t - s) - y
        s = t
    return s


_PLAIN = frozenset([int, float, bool, complex, str, bytes, type(None), list, tuple, np.ndarray,
                    np.float64, np.float32, np.int64, np.int32, np.uint64, np.uint32, np.bool_,
                    np.dtype, type])


def _count(size: Any) -> int:
    """Elements of a ``size`` argument (0 where it is malformed: NumPy will say why)."""
    if type(size) is int:
        return size
    if type(size) is not tuple:
        try:
            return operator.index(size)
        except TypeError:
            pass
    try:
        n = 1
        for d in size:
            n *= operator.index(d)
        return n
    except TypeError:
        return 0


def _numpy_ok(args: tuple, kwargs: dict, size_pos: int | None, out_pos: int | None) -> bool:
    """True when NumPy's own method can serve the call: no lazynp array arguments, and the
    ``size`` / ``out`` request (if any) below the eager threshold."""
    for a in args:
        if type(a) not in _PLAIN and is_lazynp(a):
            return False
    for a in kwargs.values():
        if type(a) not in _PLAIN and is_lazynp(a):
            return False
    limit = _SMALL_LIMIT[0]
    size = args[size_pos] if size_pos is not None and len(args) > size_pos else \
        kwargs.get("size")
    if size is not None and _count(size) >= limit:
        return False
    out = args[out_pos] if out_pos is not None and len(args) > out_pos else kwargs.get("out")
    return not (type(out) is np.ndarray and out.size >= limit)


def _wrap_big(r: Any) -> Any:
    """A NumPy result as handed out: large arrays become lazynp arrays."""
    if type(r) is np.ndarray and r.size >= _SMALL_LIMIT[0]:
        return wrap(r)
    return r
