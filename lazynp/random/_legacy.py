"""Legacy ``RandomState`` and numpy.random's module-level functions, bit-identical to NumPy.

Native (compiled kernels on lazynp's bit generators): seeding (``_legacy_seeding``), state
get/set in tuple and dict form, ``random_sample``/``random``/``rand``, ``standard_normal``/
``randn``/``normal`` (the legacy polar Gaussian, whose cached second value lives in ``_aug``
= ``[has_gauss, gauss]`` and in the state), ``uniform``, ``randint`` (the masked rejection
sampler of ``_bounded_integers``), ``choice``, ``shuffle``, ``permutation``, ``bytes``, and the
distributions: those whose legacy algorithm differs from Generator's (``legacy-distributions.c``:
exponential via ``-log(1-U)``, gamma/beta/chisquare/f/t/wald/lognormal/cauchy on the legacy
Gaussian, the inversion geometric, the HYP/HRUA hypergeometric, binomial without the n == 0 /
p == 0 shortcut, vonmises without the large-kappa normal branch, logseries with log/exp) run
the transcriptions in ``_dists_legacy.py`` (``k_legacy_*``; the methods: ``_legacy_dists.py``);
the others (poisson, zipf, laplace, gumbel, logistic, triangular, multinomial) share
Generator's kernels.  ``multivariate_normal``
is NumPy's Python code over the legacy Gaussian.  A RandomState around a NumPy bit generator
object that lazynp has no kernels for delegates to NumPy; the twin (``_run_twin``: NumPy's
RandomState with the state copied in and back) remains only for array-valued ``n`` in
``multinomial``.

On a NumPy-backed bit generator (MT19937, PCG64, PCG64DXSM) a RandomState holds NumPy's own
RandomState on the same NumPy object (``_nprs``): it serves every call (and holds the Gaussian
cache) except large requests of the methods that can be lazy or filled in parallel on a bit
generator that can jump (``_LAZY_CAPABLE``).  The module functions of the everyday calls go
straight to the global RandomState's ``_nprs`` for small requests.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from lazynp.random import _generator, _legacy_dists
from lazynp.random._args import (
    _INT_TABLE,
    CONS_NON_NEGATIVE,
    CONS_NONE,
    POISSON_LAM_MAX,
    _as_double_array,
    _kahan_sum,
    weighted_sample_without_replacement,
)
from lazynp.random._bitgen import _SMALL_LIMIT, MT19937, BitGenerator, bit_generator_ctor
from lazynp.random._foreign import ForeignBitGenerator
from lazynp.random._generator import Generator, RandomStateBase
from lazynp.random._legacy_dists import _LAZY_CAPABLE, _call_numpy, _public
from lazynp.random._wrap import asnumpy, is_lazynp, unwrap_args, user_stacklevel, wrap_result

__all__ = ["RandomState"]


class RandomState(RandomStateBase):
    """RandomState(seed=None): NumPy's legacy generator on lazynp's compiled MT19937."""

    def __init__(self, seed: Any = None) -> None:
        self._np_delegate = None
        seed = asnumpy(seed)
        if seed is None:
            bit_generator = MT19937()
        elif isinstance(seed, BitGenerator):
            bit_generator = seed
        elif isinstance(seed, np.random.BitGenerator):
            bit_generator = ForeignBitGenerator(seed)
            if not bit_generator._native:
                self._np_delegate = np.random.RandomState(seed)
        elif hasattr(seed, "capsule") or (isinstance(seed, type)
                                          and issubclass(seed, BitGenerator)):
            # NumPy: a bit generator *class* (its ``capsule`` is an unbound descriptor)
            raise ValueError("Invalid bit generator. The bit generator must be instantized.")
        else:
            bit_generator = MT19937()
            bit_generator._legacy_seeding(seed)
        self._bit_generator = bit_generator
        self._gen = Generator(bit_generator)
        self._aug = np.zeros(2, np.float64)  # [has_gauss, gauss] of NumPy's aug_bitgen_t
        self.lock = bit_generator.lock
        self._twin: np.random.RandomState | None = None
        # NumPy's RandomState on the NumPy object holding the state (NumPy-backed bit
        # generators): it serves every call but large ones of the _LAZY_CAPABLE methods on a
        # bit generator that can jump, and it holds the Gaussian cache (``_aug`` unused then).
        self._nprs = None
        npbg = bit_generator._np
        if npbg is not None and self._np_delegate is None and _generator.NUMPY_SMALL[0]:
            self._nprs = np.random.RandomState(npbg)
        self._lazy_ok = bit_generator._kind != "mt19937"

    def __repr__(self) -> str:
        return f"{self} at 0x{id(self):X}"

    def __str__(self) -> str:
        return f"{type(self).__name__}({type(self._bit_generator).__name__})"

    def __getstate__(self) -> dict:
        return self.get_state(legacy=False)

    def __setstate__(self, state: dict) -> None:
        self.set_state(state)

    def __reduce__(self):
        return (randomstate_ctor, (self._bit_generator,), self.get_state(legacy=False))

    @property
    def _poisson_lam_max(self) -> float:
        """The largest ``lam`` poisson accepts (NumPy's ``POISSON_LAM_MAX``)."""
        return POISSON_LAM_MAX

    @property
    def _bitgen_state(self) -> Any:
        return self._bit_generator

    def _reset_gauss(self) -> None:
        self._aug[:] = 0.0

    # ---- seeding and state -------------------------------------------------------------------
    def seed(self, seed: Any = None) -> None:
        if self._np_delegate is not None:
            return self._np_delegate.seed(asnumpy(seed))
        if self._nprs is not None:
            self._nprs.seed(asnumpy(seed))
            self._bit_generator._seed_seq = None
            return None
        if not isinstance(self._bit_generator, MT19937):
            raise TypeError("can only re-seed a MT19937 BitGenerator")
        self._bit_generator._legacy_seeding(asnumpy(seed))
        self._reset_gauss()
        return None

    def get_state(self, legacy: bool = True) -> Any:
        d = self._np_delegate or self._nprs
        if d is not None:
            return d.get_state(legacy=legacy)
        st = self._bit_generator.state
        if st["bit_generator"] != "MT19937" and legacy:
            warnings.warn("get_state and legacy can only be used with the MT19937 "
                          "BitGenerator. To silence this warning, set `legacy` to False.",
                          RuntimeWarning, stacklevel=2)
            legacy = False
        st["has_gauss"] = int(self._aug[0])
        st["gauss"] = float(self._aug[1])
        if legacy and not isinstance(self._bit_generator, MT19937):
            raise ValueError("legacy can only be True when the underlying bitgenerator is an "
                             "instance of MT19937.")
        if legacy:
            return (st["bit_generator"], st["state"]["key"], st["state"]["pos"],
                    st["has_gauss"], st["gauss"])
        return st

    def set_state(self, state: Any) -> None:
        d = self._np_delegate or self._nprs
        if d is not None:
            return d.set_state(state)
        if isinstance(state, dict):
            if "bit_generator" not in state or "state" not in state:
                raise ValueError("state dictionary is not valid.")
            st = state
        else:
            if not isinstance(state, (tuple, list)):
                raise TypeError("state must be a dict or a tuple.")
            if state[0] != "MT19937":
                raise ValueError("set_state can only be used with legacy MT19937 state "
                                 "instances.")
            st = {"bit_generator": state[0], "state": {"key": state[1], "pos": state[2]}}
            if len(state) > 3:
                st["has_gauss"] = state[3]
                st["gauss"] = state[4]
        gauss = float(st.get("gauss", 0.0))
        has_gauss = int(st.get("has_gauss", 0))
        self._bit_generator.state = st
        self._aug[0] = float(np.int32(has_gauss))
        self._aug[1] = gauss
        return None

    # ---- NumPy twin for methods not compiled -------------------------------------------------
    def _run_twin(self, name: str, args: tuple, kwargs: dict) -> Any:
        bg = self._bit_generator
        twin = self._twin
        if twin is None:
            kind = bg.state["bit_generator"]
            twin = np.random.RandomState(getattr(np.random, kind)())
            self._twin = twin
        with bg.lock:
            bg._sync_in()
            try:
                st = bg._state_unlocked()
                st["has_gauss"] = int(self._aug[0])
                st["gauss"] = float(self._aug[1])
                twin.set_state(st)
                try:
                    return getattr(twin, name)(*args, **kwargs)
                finally:
                    back = twin.get_state(legacy=False)
                    bg._set_state_unlocked(back)
                    self._aug[0] = float(back["has_gauss"])
                    self._aug[1] = float(back["gauss"])
            finally:
                bg._sync_out()

    # ---- native methods ----------------------------------------------------------------------
    @_public
    def random_sample(self, size=None):
        return self._gen._fill("random_f64", size, None, np.float64, ("u64",))

    @_public
    def random(self, size=None):
        return self._gen._fill("random_f64", size, None, np.float64, ("u64",))

    def rand(self, *args):
        if len(args) == 0:
            return self.random_sample()
        return self.random_sample(size=args)

    def randn(self, *args):
        if len(args) == 0:
            return self.standard_normal()
        return self.standard_normal(size=args)

    @_public
    def standard_normal(self, size=None):
        return self._gen._cont("legacy_gauss", size, [], aux=self._aug)

    @_public
    def normal(self, loc=0.0, scale=1.0, size=None):
        return self._gen._cont("legacy_normal", size, [(loc, "", CONS_NONE),
                                                       (scale, "scale", CONS_NON_NEGATIVE)],
                               aux=self._aug)

    @_public
    def uniform(self, low=0.0, high=1.0, size=None):
        alow = _as_double_array(low)
        ahigh = _as_double_array(high)
        if alow.ndim == 0 and ahigh.ndim == 0:
            _low = float(alow)
            _high = float(ahigh)
            with np.errstate(over="ignore", invalid="ignore"):
                rng = _high - _low
            if not np.isfinite(rng):
                raise OverflowError("Range exceeds valid bounds")
            return self._gen._cont("uniform", size, [(_low, "", CONS_NONE),
                                                     (rng, "", CONS_NONE)], cons=("u64",))
        with np.errstate(over="ignore", invalid="ignore"):
            arange = np.asarray(np.subtract(ahigh, alow))
        if not np.all(np.isfinite(arange)):
            raise OverflowError("Range exceeds valid bounds")
        return self._gen._cont("uniform", size, [(alow, "", CONS_NONE),
                                                 (arange, "", CONS_NONE)])

    @_public
    def randint(self, low, high=None, size=None, dtype=int):
        if high is None:
            high = low
            low = 0
        _dtype = np.dtype(dtype)
        if not _dtype.isnative:
            raise ValueError("Providing a dtype with a non-native byteorder is not supported. "
                             "If you require platform-independent byteorder, call byteswap "
                             "when required.")
        info = _INT_TABLE.get(_dtype)
        if info is None:
            raise TypeError("Unsupported dtype %r for randint" % _dtype)
        ret = self._gen._rand_int(info, _dtype, low, high, size, False, masked=True)
        if size is None and dtype in (bool, int):
            if np.array(ret).shape == ():
                return dtype(ret)
        return ret

    def shuffle(self, x):
        if is_lazynp(x):
            # Shuffle a copy, then write through lazynp's __setitem__ (pending readers of the
            # old buffer are forced first), as Generator.shuffle does.
            tmp = np.array(asnumpy(x))
            self.shuffle(tmp)
            x[...] = tmp
            return None
        d = self._np_delegate or self._nprs
        if d is not None and (isinstance(x, (np.ndarray, Sequence)) or self._np_delegate):
            return d.shuffle(x)
        # (lazynp's code for the untyped path of a non-Sequence too: its warning then points
        # at the caller, as NumPy's does)
        if isinstance(x, np.ndarray):
            if x.ndim == 0:
                raise TypeError("len() of unsized object")
            if (type(x) is not np.ndarray and x.ndim == 1 and x.size
                    and x.dtype.type is np.object_):
                warnings.warn("Shuffling a one dimensional array subclass containing objects "
                              "gives incorrect results with most array subclasses.  Please us "
                              "the new random number API instead: "
                              "https://numpy.org/doc/stable/reference/random/index.html\n"
                              "The new API fixes this issue. This version will not be fixed "
                              "due to stability concerns.", UserWarning,
                              stacklevel=user_stacklevel())
        self._gen._shuffle(x)
        return None

    @_public
    def permutation(self, x):
        if isinstance(x, (int, np.integer)):
            arr = np.arange(x)
            self._gen._shuffle(arr)
            return arr
        arr = np.asarray(x)
        if arr.ndim < 1:
            raise IndexError("x must be an integer or at least 1-dimensional")
        if arr.ndim == 1:
            if np.may_share_memory(arr, x):
                arr = np.array(arr)
            self._gen._shuffle(arr)
            return arr
        idx = np.arange(arr.shape[0], dtype=np.intp)
        self._gen._shuffle(idx)
        return arr[idx]

    @_public
    def choice(self, a, size=None, replace=True, p=None):
        a = np.asarray(a)
        if a.ndim == 0:
            try:
                pop_size = operator.index(a.item())
            except TypeError as exc:
                raise ValueError("a must be 1-dimensional or an integer") from exc
            if pop_size <= 0 and np.prod(size) != 0:
                raise ValueError("a must be greater than 0 unless no samples are taken")
        elif a.ndim != 1:
            raise ValueError("a must be 1-dimensional")
        else:
            pop_size = a.shape[0]
            if pop_size == 0 and np.prod(size) != 0:
                raise ValueError("'a' cannot be empty unless no samples are taken")
        if p is not None:
            d = len(p)
            atol = np.sqrt(np.finfo(np.float64).eps)
            if isinstance(p, np.ndarray):
                if np.issubdtype(p.dtype, np.floating):
                    atol = max(atol, np.sqrt(np.finfo(p.dtype).eps))
            p = np.ascontiguousarray(np.asarray(p, dtype=np.float64))
            if p.ndim != 1:
                raise ValueError("'p' must be 1-dimensional")
            if p.size != pop_size:
                raise ValueError("'a' and 'p' must have same size")
            p_sum = _kahan_sum(p, d)
            if np.isnan(p_sum):
                raise ValueError("probabilities contain NaN")
            if np.logical_or.reduce(p < 0):
                raise ValueError("probabilities are not non-negative")
            if abs(p_sum - 1.) > atol:
                raise ValueError("probabilities do not sum to 1")
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
                uniform_samples = self._gen._fill("random_f64", shape, None, np.float64)
                idx = cdf.searchsorted(uniform_samples, side="right")
                idx = np.asarray(idx).astype(np.long, casting="unsafe")
            else:
                idx = self.randint.__wrapped__(self, 0, pop_size, size=shape)
        else:
            if size > pop_size:
                raise ValueError("Cannot take a larger sample than population when "
                                 "'replace=False'")
            elif size < 0:
                raise ValueError("negative dimensions are not allowed")
            if p is not None:
                idx = weighted_sample_without_replacement(
                    lambda n: self._gen._fill("random_f64", (n,), None, np.float64), p, size,
                    shape)
            else:
                idx = self.permutation.__wrapped__(self, pop_size)[:size]
                idx.shape = shape
        if is_scalar and isinstance(idx, np.ndarray):
            idx = idx.item(0)
        if a.ndim == 0:
            return idx
        if not is_scalar and idx.ndim == 0:
            res = np.empty((), dtype=a.dtype)
            res[()] = a[idx]
            return res
        return a[idx]


_legacy_dists.install(RandomState)


def _rs_fast_methods() -> dict:
    """Fast paths of RandomState's everyday methods: NumPy's method at once for a small
    request with plain arguments, else the general method (same signatures as NumPy's)."""
    general = {n: getattr(RandomState, n) for n in (
        "random_sample", "random", "randint", "standard_normal", "normal", "uniform")}
    limit = _SMALL_LIMIT

    def random_sample(self, size=None):
        nprs = self._nprs
        if nprs is not None and (type(size) is int and size < limit[0] or size is None):
            return nprs.random_sample(size)
        return general["random_sample"](self, size)

    def random(self, size=None):
        nprs = self._nprs
        if nprs is not None and (type(size) is int and size < limit[0] or size is None):
            return nprs.random_sample(size)
        return general["random"](self, size)

    def rand(self, *args):
        nprs = self._nprs
        if nprs is not None:
            if not args:
                return nprs.random_sample()
            if len(args) == 1 and type(args[0]) is int and args[0] < limit[0]:
                return nprs.random_sample(args[0])
        return general["random_sample"](self, size=args) if args else \
            general["random_sample"](self)

    def randn(self, *args):
        nprs = self._nprs
        if nprs is not None:
            if not args:
                return nprs.standard_normal()
            if len(args) == 1 and type(args[0]) is int and args[0] < limit[0]:
                return nprs.standard_normal(args[0])
        return general["standard_normal"](self, size=args) if args else \
            general["standard_normal"](self)

    def standard_normal(self, size=None):
        nprs = self._nprs
        if nprs is not None and (type(size) is int and size < limit[0] or size is None):
            return nprs.standard_normal(size)
        return general["standard_normal"](self, size)

    def randint(self, low, high=None, size=None, dtype=int):
        nprs = self._nprs
        if nprs is not None:
            if type(size) is int:
                if size < limit[0]:
                    return nprs.randint(low, high, size, dtype)
            elif size is None and type(low) is int and (high is None or type(high) is int):
                return nprs.randint(low, high, None, dtype)
        return general["randint"](self, low, high, size, dtype)

    def normal(self, loc=0.0, scale=1.0, size=None):
        nprs = self._nprs
        if nprs is not None:
            if type(size) is int:
                if size < limit[0]:
                    return nprs.normal(loc, scale, size)
            elif size is None and (type(loc) is float or type(loc) is int) and (
                    type(scale) is float or type(scale) is int):
                return nprs.normal(loc, scale)
        return general["normal"](self, loc, scale, size)

    def uniform(self, low=0.0, high=1.0, size=None):
        nprs = self._nprs
        if nprs is not None:
            if type(size) is int:
                if size < limit[0]:
                    return nprs.uniform(low, high, size)
            elif size is None and (type(low) is float or type(low) is int) and (
                    type(high) is float or type(high) is int):
                return nprs.uniform(low, high)
        return general["uniform"](self, low, high, size)

    return {f.__name__: f for f in (random_sample, random, rand, randn, standard_normal,
                                    randint, normal, uniform)}


for _name, _fn in _rs_fast_methods().items():
    _fn.__qualname__ = "RandomState." + _name
    _fn.__doc__ = getattr(np.random.RandomState, _name).__doc__
    _inner = getattr(getattr(RandomState, _name), "__wrapped__", None)
    if _inner is not None:  # the numpy-arrays implementation, called internally
        _fn.__wrapped__ = _inner
    setattr(RandomState, _name, _fn)


def _twin_method(name: str) -> Any:
    np_method = getattr(np.random.RandomState, name)

    def method(self: RandomState, *args: Any, **kwargs: Any) -> Any:
        d = self._np_delegate or self._nprs
        if d is not None:
            return _call_numpy(d, name, args, kwargs)
        args, kwargs = unwrap_args(args, kwargs)
        return wrap_result(self._run_twin(name, args, kwargs))

    method.__name__ = name
    method.__qualname__ = "RandomState." + name
    method.__doc__ = np_method.__doc__
    return method


for _name in dir(np.random.RandomState):
    if _name.startswith("_") or hasattr(RandomState, _name):
        continue
    if callable(getattr(np.random.RandomState, _name)):
        setattr(RandomState, _name, _twin_method(_name))


# ---- module-level functions on a global RandomState (numpy.random's mtrand._rand) ----------

_global: list[RandomState] = []
# The global RandomState's NumPy RandomState when it serves small calls (NumPy-backed bit
# generator), and the same only when that bit generator is MT19937 (seed's fast path).
_NPRS: Any = None
_NPRS_MT: Any = None


def _set_global(rs: RandomState) -> None:
    global _NPRS, _NPRS_MT
    _global[:] = [rs]
    _NPRS = rs._nprs
    _NPRS_MT = rs._nprs if isinstance(rs._bit_generator, MT19937) else None


def _rand() -> RandomState:
    if not _global:
        _set_global(RandomState())
    return _global[0]


def seed(seed: Any = None) -> None:
    nprs = _NPRS_MT
    if nprs is not None and (seed is None or type(seed) is int):
        nprs.seed(seed)
        _global[0]._bit_generator._seed_seq = None
        return None
    rs = _rand()
    if isinstance(rs._bit_generator, MT19937):
        return rs.seed(seed)
    bg_type = type(rs._bit_generator)
    rs._bit_generator.state = bg_type(seed).state
    return None


def get_bit_generator() -> Any:
    return _rand()._bit_generator


def set_bit_generator(bitgen: Any) -> None:
    _set_global(RandomState(bitgen))


# Module functions of the everyday calls: NumPy's method of the global NumPy RandomState at once
# for a small request with plain arguments, else the global lazynp RandomState's method.

def random_sample(size: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None and (type(size) is int and size < _SMALL_LIMIT[0] or size is None):
        return nprs.random_sample(size)
    return _rand().random_sample(size)


def random(size: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None and (type(size) is int and size < _SMALL_LIMIT[0] or size is None):
        return nprs.random_sample(size)
    return _rand().random_sample(size)


def sample(size: Any = None) -> Any:
    return random_sample(size)


def ranf(size: Any = None) -> Any:
    return random_sample(size)


def rand(*args: Any) -> Any:
    nprs = _NPRS
    if nprs is not None:
        if not args:
            return nprs.random_sample()
        if len(args) == 1 and type(args[0]) is int and args[0] < _SMALL_LIMIT[0]:
            return nprs.random_sample(args[0])  # NumPy's rand(n) is random_sample((n,))
    return _rand().rand(*args)


def randn(*args: Any) -> Any:
    nprs = _NPRS
    if nprs is not None:
        if not args:
            return nprs.standard_normal()
        if len(args) == 1 and type(args[0]) is int and args[0] < _SMALL_LIMIT[0]:
            return nprs.standard_normal(args[0])  # NumPy's randn(n) is standard_normal((n,))
    return _rand().randn(*args)


def randint(low: Any, high: Any = None, size: Any = None, dtype: Any = int) -> Any:
    nprs = _NPRS
    if nprs is not None:
        if type(size) is int:
            if size < _SMALL_LIMIT[0]:
                return nprs.randint(low, high, size, dtype)
        elif size is None and type(low) is int and (high is None or type(high) is int):
            return nprs.randint(low, high, None, dtype)
    return _rand().randint(low, high, size, dtype)


def standard_normal(size: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None and (type(size) is int and size < _SMALL_LIMIT[0] or size is None):
        return nprs.standard_normal(size)
    return _rand().standard_normal(size)


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None:
        if type(size) is int:
            if size < _SMALL_LIMIT[0]:
                return nprs.normal(loc, scale, size)
        elif size is None and (type(loc) is float or type(loc) is int) and (
                type(scale) is float or type(scale) is int):
            return nprs.normal(loc, scale)
    return _rand().normal(loc, scale, size)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None:
        if type(size) is int:
            if size < _SMALL_LIMIT[0]:
                return nprs.uniform(low, high, size)
        elif size is None and (type(low) is float or type(low) is int) and (
                type(high) is float or type(high) is int):
            return nprs.uniform(low, high)
    return _rand().uniform(low, high, size)


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Any:
    nprs = _NPRS
    if nprs is not None and (type(a) is int or (type(a) is np.ndarray and a.ndim == 1)) and (
            p is None or type(p) is np.ndarray) and (
            type(size) is int and size < _SMALL_LIMIT[0] or size is None):
        return nprs.choice(a, size, replace, p)
    return _rand().choice(a, size, replace, p)


def shuffle(x: Any) -> None:
    nprs = _NPRS
    if nprs is not None and (type(x) is np.ndarray or type(x) is list):
        return nprs.shuffle(x)
    return _rand().shuffle(x)


def permutation(x: Any) -> Any:
    nprs = _NPRS
    if nprs is not None and ((type(x) is int and x < _SMALL_LIMIT[0])
                             or (type(x) is np.ndarray and x.size < _SMALL_LIMIT[0])):
        return nprs.permutation(x)
    return _rand().permutation(x)


_FAST_FUNCTIONS = {f.__name__: f for f in (
    random_sample, random, rand, randn, randint, standard_normal, normal, uniform, choice,
    shuffle, permutation)}
for _f in (*_FAST_FUNCTIONS.values(), sample, ranf, seed):
    _f.__doc__ = getattr(np.random, _f.__name__).__doc__


MODULE_FUNCTIONS = [
    "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "exponential", "f",
    "gamma", "geometric", "get_state", "gumbel", "hypergeometric", "laplace", "logistic",
    "lognormal", "logseries", "multinomial", "multivariate_normal", "negative_binomial",
    "noncentral_chisquare", "noncentral_f", "normal", "pareto", "permutation", "poisson",
    "power", "rand", "randint", "randn", "random", "random_integers", "random_sample",
    "rayleigh", "set_state", "shuffle", "standard_cauchy", "standard_exponential",
    "standard_gamma", "standard_normal", "standard_t", "triangular", "uniform", "vonmises",
    "wald", "weibull", "zipf",
]


def _module_function(name: str) -> Any:
    lazy_capable = name in _LAZY_CAPABLE

    def fn(*args: Any, **kwargs: Any) -> Any:
        nprs = _NPRS
        if nprs is not None and not lazy_capable:  # what the global RandomState would do
            return _call_numpy(nprs, name, args, kwargs)
        return getattr(_rand(), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = getattr(np.random, name).__doc__
    return fn


FUNCTIONS = {name: _FAST_FUNCTIONS.get(name) or _module_function(name)
             for name in MODULE_FUNCTIONS}


# ---- pickling ---------------------------------------------------------------------------------
# (pickles name this constructor as ``lazynp.random._pickle.__randomstate_ctor``, which re-exports it, as
# NumPy's name ``numpy.random._pickle``; it is defined with the class it makes, which uses it in
# ``__reduce__``)


def __randomstate_ctor(bit_generator_name: Any = "MT19937",
                       bit_generator_ctor: Any = bit_generator_ctor) -> Any:
    """A RandomState on the given bit generator, or on a new one of the given name."""
    if isinstance(bit_generator_name, (BitGenerator, np.random.BitGenerator)):
        return RandomState(bit_generator_name)
    return RandomState(bit_generator_ctor(bit_generator_name))


__randomstate_ctor.__module__ = "lazynp.random._pickle"
randomstate_ctor = __randomstate_ctor  # (the name for class bodies: no name mangling)
