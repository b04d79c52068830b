"""``Generator`` and ``default_rng``: NumPy's Generator API on compiled, bit-identical kernels.

Every method follows NumPy's ``_generator.pyx`` / ``_common.pyx`` argument handling (scalar
versus broadcast paths, constraint checks and their messages, ``size``/``out`` rules) and runs
one compiled kernel call per request (see ``_kernels.py`` for the ABI).  Results are numpy
arrays internally; the public methods return them as lazynp arrays (``_wrap.wrap``) and accept
lazynp arrays as parameters.  On a NumPy-backed bit generator a small request (fewer than
``config.eager_threshold`` elements, no lazynp array arguments) skips all of this: the public
method calls NumPy's own Generator method on the NumPy object holding the state (see
``NUMPY_SMALL``), so it costs what NumPy's call costs.

Parallel fill: for requests whose draws per element are fixed (``random``, ``uniform``,
``integers`` over a full power-of-two range, ``bytes``, ``random_raw``), a large output is split
into blocks; each block is generated on its own thread (the calling thread takes the first)
from a copy of the state advanced to the block's offset (PCG: 128-bit LCG jump; Philox: counter
arithmetic, blocks aligned to its 4-word output blocks), and the generator ends in the state of
the last block, so the result and the final state are exactly those of the serial stream.  The
output is allocated with ``np.empty`` (no first touch), so its pages are faulted in by the
threads that write them.
"""

from __future__ import annotations

import ctypes
import functools
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from lazynp.random._bitgen import _SMALL_LIMIT, PCG64, BitGenerator, bit_generator_ctor
from lazynp.random._fill import _lazy_draws, _ptr, _run
from lazynp.random._foreign import ForeignBitGenerator
from lazynp.random._wrap import (
    asnumpy,
    is_lazynp,
    unwrap_args,
    user_stacklevel,
    wrap,
    wrap_result,
)

__all__ = ["Generator", "default_rng"]

# Small requests on a NumPy-backed bit generator (PCG64, PCG64DXSM, MT19937 and NumPy's own
# PCG64 / PCG64DXSM objects) run NumPy's own Generator / RandomState method on the same NumPy
# object: NumPy's bits and NumPy's cost.  Large ones (``size`` or ``out`` of at least
# ``config.eager_threshold`` elements) and calls with lazynp array arguments run lazynp's
# kernels (lazy sources, parallel fill), which copy the NumPy object's state memory in and out.
# Tests set ``NUMPY_SMALL[0] = False`` to build generators that always run the kernels.
NUMPY_SMALL = [True]


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


# ---------------------------------------------------------------------------------------------


class RandomStateBase:
    """Base of lazynp's legacy ``RandomState`` (``_legacy``, which builds on this module):
    ``default_rng(random_state)`` makes a Generator on its bit generator, as NumPy's does."""

    __slots__ = ()


class Generator:
    """Generator(bit_generator): NumPy's Generator on lazynp's compiled bit generators."""

    def __init__(self, bit_generator: Any) -> None:
        if type(bit_generator) is not PCG64:
            bit_generator = asnumpy(bit_generator)
            if isinstance(bit_generator, np.random.BitGenerator):
                bit_generator = ForeignBitGenerator(bit_generator)
            if not isinstance(bit_generator, BitGenerator):
                raise ValueError("Invalid bit generator. The bit generator must be "
                                 "instantiated.")
        self._bit_generator = bit_generator
        self.lock = bit_generator.lock
        npbg = bit_generator._np
        # NumPy's Generator on the NumPy object holding the state: small requests (see
        # NUMPY_SMALL); None where the state is lazynp's own (Philox, SFC64).
        self._npg = np.random.Generator(npbg) if npbg is not None and NUMPY_SMALL[0] else None
        # Bit generators without compiled kernels (NumPy's MT19937, Philox, SFC64 wrapped by
        # ForeignBitGenerator) run every method through NumPy's Generator on the same object.
        self._np_delegate = None
        if not getattr(bit_generator, "_native", True):
            self._np_delegate = self._npg = np.random.Generator(bit_generator.numpy)

    @functools.cached_property
    def _binom(self) -> np.ndarray:
        """NumPy's per-Generator binomial_t (setup cache of random_binomial), 17 slots."""
        return np.zeros(17, np.float64)

    def __repr__(self) -> str:
        return self.__str__() + " at 0x{:X}".format(id(self))

    def __str__(self) -> str:
        return f"{type(self).__name__}({type(self.bit_generator).__name__})"

    def __getstate__(self):
        return None

    def __setstate__(self, bit_gen) -> None:
        if isinstance(bit_gen, dict):
            self.bit_generator.state = bit_gen

    def __reduce__(self):
        return (generator_ctor, (self._bit_generator,), None)

    @property
    def bit_generator(self) -> Any:
        return self._bit_generator

    @property
    def _poisson_lam_max(self) -> float:
        """The largest ``lam`` poisson accepts (NumPy's ``POISSON_LAM_MAX``)."""
        return POISSON_LAM_MAX

    def spawn(self, n_children: int) -> list:
        return [type(self)(g) for g in self._bit_generator.spawn(n_children)]

    # ---- fills -------------------------------------------------------------------------------
    def _fill(self, name: str, size: Any, out: Any, dtype: Any, cons: tuple | None = None):
        dtype = np.dtype(dtype)
        if size is None and out is None:
            buf = np.empty(1, dtype)
            _run(self._bit_generator, name, _ptr(buf), 1, [], dtype.itemsize)
            return float(buf[0])
        if out is not None:
            target = asnumpy(out)
            _check_output(target, dtype, size, False)
        else:
            if cons is not None:
                pending = _lazy_draws(self._bit_generator, name, size, dtype, cons=cons)
                if pending is not None:
                    return pending
            target = np.empty(size, dtype)
        _run(self._bit_generator, name, _ptr(target), target.size, [], dtype.itemsize, cons)
        return out if out is not None else target

    def _cont(self, name: str, size: Any, params: list[tuple], out: Any = None,
              cons: tuple | None = None, dtypes: list | None = None,
              out_dtype: Any = np.float64, aux: np.ndarray | None = None):
        """NumPy's ``cont`` / ``disc``: one kernel over scalar or broadcast parameters.

        ``params`` are ``(value, name, constraint)``; ``dtypes`` the kernel's parameter dtypes
        (float64 unless given; int64 parameters are converted with NumPy's 'safe' rule and
        checked as doubles, as ``disc`` does).  Results are ``out_dtype``; a scalar request
        (no size, no out, scalar parameters) returns a Python float or int.
        """
        narg = len(params)
        dtypes = dtypes or [np.float64] * narg
        out_dtype = np.dtype(out_dtype)
        target = asnumpy(out) if out is not None else None
        _check_output(target, out_dtype, size, narg > 0)
        arrs = [_as_double_array(v) if dt is np.float64 else _as_array(v, dt)
                for (v, _n, _c), dt in zip(params, dtypes)]
        is_scalar = all(a.ndim == 0 for a in arrs)
        bg = self._bit_generator
        isz = out_dtype.itemsize
        if not is_scalar:
            for a, (_v, pname, c) in zip(arrs, params):
                if c != CONS_NONE:
                    _check_array_constraint(a, pname, c)
            if narg == 1 and target is not None:
                randoms = target
            elif size is not None:
                randoms = np.empty(size, out_dtype)
            else:
                randoms = np.empty(np.broadcast(*arrs).shape, out_dtype)
            it_shape = np.broadcast(randoms, *arrs).shape
            if it_shape != randoms.shape:
                raise ValueError(f"Output size {randoms.shape} is not compatible with broadcast "
                                 f"dimensions of inputs {it_shape}.")
            flat = [np.ascontiguousarray(np.broadcast_to(a, randoms.shape)).reshape(-1)
                    if a.size != 1 else a.reshape(1) for a in arrs]
            _run(bg, name, _ptr(randoms), randoms.size, flat, isz, aux=aux)
            return out if (out is not None and narg == 1) else randoms
        vals = []
        for (v, pname, c), a, dt in zip(params, arrs, dtypes):
            if dt is np.float64:
                x = np.array([float(a)])
                cv = float(x[0])
            else:
                x = np.array([int(asnumpy(v))], dtype=dt)
                cv = float(x[0])
            if c != CONS_NONE:
                _check_constraint(cv, pname, c)
            vals.append(x)
        if size is None and out is None:
            buf = np.empty(1, out_dtype)
            _run(bg, name, _ptr(buf), 1, vals, isz, aux=aux)
            return buf[0].item()
        if target is None and cons == ("u64",):
            pending = _lazy_draws(bg, name, size, out_dtype, vals, aux)
            if pending is not None:
                return pending
        randoms = target if target is not None else np.empty(size, out_dtype)
        _run(bg, name, _ptr(randoms), randoms.size, vals, isz, cons, aux=aux)
        return out if out is not None else randoms

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


def _write_back(target: Any, values: np.ndarray) -> None:
    target[...] = values


# ---- public methods: lazynp in, lazynp out ---------------------------------------------------

_PUBLIC = ["random", "uniform", "integers", "bytes", "standard_normal", "normal",
           "standard_exponential", "exponential", "shuffle", "permutation", "permuted",
           "choice", "standard_gamma", "gamma", "beta", "chisquare", "f",
           "noncentral_chisquare", "noncentral_f", "standard_t", "standard_cauchy",
           "lognormal", "logistic", "laplace", "gumbel", "pareto", "power", "rayleigh",
           "weibull", "wald", "vonmises", "triangular", "geometric", "poisson", "zipf",
           "logseries", "negative_binomial", "binomial", "hypergeometric", "multinomial",
           "multivariate_hypergeometric", "dirichlet", "multivariate_normal"]


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


def _arg_pos(fn: Any, arg: str) -> int | None:
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    code = fn.__code__  # (its parameter names, without inspect.signature's cost at import)
    names = list(code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount])  # no self
    return names.index(arg) if arg in names else None


def _make_public(name: str):
    impl = getattr(Generator, "_" + name)
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


for _name in _PUBLIC:
    setattr(Generator, _name, _make_public(_name))

# Hand-written fast paths of the everyday methods: NumPy's method at once for a small request
# with plain arguments, else the general method above (same signature as NumPy's).
_general = {name: getattr(Generator, name) for name in _PUBLIC}


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


def _generated_fast_method(name: str) -> Any:
    """The fast path of another method with a ``size`` parameter, generated from its
    signature (NumPy's): NumPy's method for a small ``size``, or for no ``size`` with scalar
    (Python int/float) distribution parameters; else the general method."""
    import inspect

    params = list(inspect.signature(getattr(Generator, "_" + name)).parameters.values())[1:]
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


def _install_fast(name: str, fn: Any) -> Any:
    fn.__name__ = name
    fn.__qualname__ = "Generator." + name
    fn.__doc__ = getattr(np.random.Generator, name).__doc__
    setattr(Generator, name, fn)
    return fn


class _FastOnFirstUse:
    """A generated fast path, made (source built and compiled) the first time the method is
    looked up, then installed on the class in its place: generating all of them at import
    cost about 8 ms of ``import lazynp.random``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        fn = _generated_fast_method(self.name) or _general[self.name]
        return _install_fast(self.name, fn).__get__(obj, cls)


for _name, _fn in _fast_methods().items():
    _install_fast(_name, _fn)
for _name in _PUBLIC:
    if _name not in Generator.__dict__ or Generator.__dict__[_name] is _general[_name]:
        setattr(Generator, _name, _FastOnFirstUse(_name))


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


for _name in dir(np.random.Generator):
    # (looked up in the class dicts: a lookup would make every _FastOnFirstUse path now)
    if _name.startswith("_") or any(_name in vars(c) for c in Generator.__mro__):
        continue
    if callable(getattr(np.random.Generator, _name)):
        setattr(Generator, _name, _fallback_method(_name))


_new_generator = object.__new__
_np_generator = np.random.Generator


def default_rng(seed: Any = None) -> Generator:
    """Construct a Generator with the default BitGenerator (PCG64), as numpy.random.default_rng.

    ``seed`` may be None, an int, a sequence of ints, a SeedSequence (lazynp or NumPy), a
    BitGenerator or a Generator (lazynp or NumPy; NumPy ones are wrapped so both stay in step).
    """
    if seed is None or type(seed) is int or type(seed) is list:
        bg = PCG64(seed)
        g = _new_generator(Generator)
        g._bit_generator = bg
        g.lock = bg.lock
        g._npg = _np_generator(bg._np) if NUMPY_SMALL[0] else None
        g._np_delegate = None
        return g
    seed = asnumpy(seed)
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, BitGenerator):
        return Generator(seed)
    if isinstance(seed, np.random.Generator):
        # Note: differs from NumPy: NumPy returns the Generator itself; lazynp wraps it in a
        # lazynp Generator that shares (and keeps in step) its bit generator.
        return Generator(seed.bit_generator)
    if isinstance(seed, np.random.BitGenerator):
        return Generator(seed)
    if isinstance(seed, (RandomStateBase, np.random.RandomState)):
        # NumPy: a RandomState's bit generator, shared
        return Generator(seed._bit_generator)
    return Generator(PCG64(seed))


del ctypes


# ---- pickling ---------------------------------------------------------------------------------
# (pickles name this constructor as ``lazynp.random._pickle.__generator_ctor``, which re-exports it, as
# NumPy's name ``numpy.random._pickle``; it is defined with the class it makes, which uses it in
# ``__reduce__``)


def __generator_ctor(bit_generator_name: Any = "MT19937",
                     bit_generator_ctor: Any = bit_generator_ctor) -> Any:
    """A Generator on the given bit generator, or on a new one of the given name."""
    if isinstance(bit_generator_name, (BitGenerator, np.random.BitGenerator)):
        return Generator(bit_generator_name)
    return Generator(bit_generator_ctor(bit_generator_name))


__generator_ctor.__module__ = "lazynp.random._pickle"
generator_ctor = __generator_ctor  # (the name for class bodies: no name mangling)
