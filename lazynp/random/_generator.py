"""``Generator`` and ``default_rng``: NumPy's Generator API on compiled, bit-identical kernels.

Every method follows NumPy's ``_generator.pyx`` / ``_common.pyx`` argument handling (scalar
versus broadcast paths, constraint checks and their messages, ``size``/``out`` rules) and runs
one compiled kernel call per request (see ``_kernels.py`` for the ABI).  Results are numpy
arrays internally; the public methods return them as lazynp arrays (``_wrap.wrap``) and accept
lazynp arrays as parameters.  On a NumPy-backed bit generator a small request (fewer than
``config.eager_threshold`` elements, no lazynp array arguments) skips all of this: the public
method calls NumPy's own Generator method on the NumPy object holding the state (see
``NUMPY_SMALL``), so it costs what NumPy's call costs.

The class holds the state and the two kernel runners (``_fill``, ``_cont``); its methods come
from ``_gen_dists`` (distributions) and ``_gen_multi`` (permutations, choice, multivariate),
its public methods from ``_gen_public``, the argument checks it shares with the legacy
RandomState from ``_args``, and the parallel fill of large requests from ``_fill``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from lazynp.random import _gen_public
from lazynp.random._args import (
    CONS_NONE,
    POISSON_LAM_MAX,
    _as_array,
    _as_double_array,
    _check_array_constraint,
    _check_constraint,
    _check_output,
)
from lazynp.random._bitgen import PCG64, BitGenerator, bit_generator_ctor
from lazynp.random._fill import _lazy_draws, _ptr, _run
from lazynp.random._foreign import ForeignBitGenerator
from lazynp.random._gen_dists import DistributionMethods
from lazynp.random._gen_multi import SamplingMethods
from lazynp.random._wrap import asnumpy

__all__ = ["Generator", "default_rng"]

# Small requests on a NumPy-backed bit generator (PCG64, PCG64DXSM, MT19937 and NumPy's own
# PCG64 / PCG64DXSM objects) run NumPy's own Generator / RandomState method on the same NumPy
# object: NumPy's bits and NumPy's cost.  Large ones (``size`` or ``out`` of at least
# ``config.eager_threshold`` elements) and calls with lazynp array arguments run lazynp's
# kernels (lazy sources, parallel fill), which copy the NumPy object's state memory in and out.
# Tests set ``NUMPY_SMALL[0] = False`` to build generators that always run the kernels.
NUMPY_SMALL = [True]


class RandomStateBase:
    """Base of lazynp's legacy ``RandomState`` (``_legacy``, which builds on this module):
    ``default_rng(random_state)`` makes a Generator on its bit generator, as NumPy's does."""

    __slots__ = ()


class Generator(DistributionMethods, SamplingMethods):
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

_gen_public.install(Generator)

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
