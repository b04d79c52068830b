"""SeedSequence and the bit generators (PCG64, PCG64DXSM, MT19937, SFC64, Philox), bit-identical
to NumPy.

``SeedSequence`` is a subclass of NumPy's own class.  PCG64, PCG64DXSM and MT19937 are
NumPy-backed: their state lives in a NumPy bit generator object (``self._np``), whose own
Generator / RandomState methods serve small requests directly; the compiled kernels of
``_kernels.py`` work on ``self._st``, a numpy array in lazynp's layout (PCG: six uint64 words
``[state_lo, state_hi, inc_lo, inc_hi, has_uint32, uinteger]``; MT19937: 624 + 2 uint32), which
``_sync_in`` fills from the NumPy object's C state memory before a kernel runs and ``_sync_out``
writes back after it.  SFC64 and Philox keep their state in ``self._st`` only.  Every operation
on the state holds ``self.lock`` (the NumPy object's lock where there is one).  A Generator drives
the kernels through :meth:`BitGenerator._kernels` and :meth:`BitGenerator._jump_copy` (a state
copy advanced by a number of 64-bit draws, for block-parallel and lazy generation).
"""

from __future__ import annotations

import ctypes
import operator
import threading
from typing import Any

import numpy as np

from lazynp._config import config as _config
from lazynp._config import on_change as _on_change
from lazynp.random import _philox
from lazynp.random._fill import _fill_raw
from lazynp.random._ir_bitgen import DXSM_MULT, MASK64, MASK128, PCG_MULT
from lazynp.random._kernels import kernels
from lazynp.random._seeding import (
    _M32,
    _MT_N,
    _coerce_to_uint32_array,
    _int_to_array,
    _lcg_jump,
    _mt_init_by_array,
    _mt_seed,
)
from lazynp.random._wrap import asnumpy

__all__ = ["SeedSequence", "SeedlessSeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "MT19937",
           "SFC64", "Philox"]

_JUMP = 0x9E3779B97F4A7C15F39CC0605CEDC835


def _asnumpy_maybe(x: Any) -> Any:
    """lazynp arrays passed as seeds or parameters become numpy arrays."""
    return asnumpy(x)


class ISeedSequence:
    """Abstract base of seed sequences (mirrors numpy.random.bit_generator.ISeedSequence)."""

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        raise NotImplementedError


class ISpawnableSeedSequence(ISeedSequence):
    def spawn(self, n_children: int) -> list:
        raise NotImplementedError


class SeedlessSeedSequence(ISpawnableSeedSequence):
    """A seed sequence for bit generators with no seeding (errors on use)."""

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        raise NotImplementedError("seedless SeedSequences cannot generate state")

    def spawn(self, n_children: int) -> list:
        return [self] * n_children


class SeedSequence(np.random.SeedSequence, ISpawnableSeedSequence):
    """NumPy's SeedSequence: mixes entropy into a 4-word pool, spawns independent children.

    A subclass of NumPy's own (compiled) class: the mixing, ``generate_state``, ``spawn``
    (children of this type), ``repr`` and pickling are NumPy's, at NumPy's cost.
    """

    def get_assembled_entropy(self) -> np.ndarray:
        run_entropy = _coerce_to_uint32_array(self.entropy)
        spawn_entropy = _coerce_to_uint32_array(self.spawn_key)
        if len(spawn_entropy) > 0 and len(run_entropy) < self.pool_size:
            diff = self.pool_size - len(run_entropy)
            run_entropy = np.concatenate([run_entropy, np.zeros(diff, dtype=np.uint32)])
        return np.concatenate([run_entropy, spawn_entropy])


def _seed_seq_from(seed: Any) -> Any:
    if seed is None or type(seed) is int:
        return SeedSequence(seed)
    seed = _asnumpy_maybe(seed)
    if isinstance(seed, (ISeedSequence, np.random.bit_generator.ISeedSequence)):
        return seed
    if hasattr(seed, "generate_state") and hasattr(seed, "spawn"):
        return seed
    return SeedSequence(seed)


_NP_ISEEDSEQ = np.random.bit_generator.ISeedSequence

# ``[config.eager_threshold]``, kept current: requests for fewer elements are small (NumPy's
# own methods serve them on NumPy-backed bit generators), larger ones run lazynp's kernels.
_SMALL_LIMIT: list = [1 << 62]


def _update_limit() -> None:
    _SMALL_LIMIT[0] = int(_config.eager_threshold)


_on_change(_update_limit)


def _state_views(npbg: Any, kind: str) -> list | None:
    """Views of a NumPy bit generator's C state laid out as lazynp's state block, or None
    when the memory does not hold what ``npbg.state`` says (an unexpected layout)."""
    try:
        addr = npbg.ctypes.state_address
        st = npbg.state
        if kind in ("pcg64", "pcg64dxsm"):
            # pcg64_state {pcg64_random_t *pcg_state; int has_uint32; uint32_t uinteger;}
            # pcg64_random_t {pcg128_t state; pcg128_t inc;} (uint128: low word first)
            words = np.ctypeslib.as_array(
                (ctypes.c_uint64 * 4).from_address(ctypes.c_void_p.from_address(addr).value))
            aux = np.ctypeslib.as_array((ctypes.c_uint32 * 2).from_address(addr + 8))
            s, inc = st["state"]["state"], st["state"]["inc"]
            ok = ([int(v) for v in words] == [s & MASK64, s >> 64, inc & MASK64, inc >> 64]
                  and [int(v) for v in aux] == [st["has_uint32"], st["uinteger"]])
            return [(words, 0, 4), (aux, 4, 6)] if ok else None
        if kind == "mt19937":
            # mt19937_state {uint32_t key[624]; int pos;}
            mem = np.ctypeslib.as_array((ctypes.c_uint32 * (_MT_N + 1)).from_address(addr))
            ok = (np.array_equal(mem[:_MT_N], st["state"]["key"])
                  and int(mem[_MT_N]) == st["state"]["pos"] & _M32)
            return [(mem, 0, _MT_N + 1)] if ok else None
    except Exception:
        return None
    return None


class _LazyStateBlock:
    """``_st`` of a NumPy-backed bit generator: made on first use, then an instance attribute
    (a non-data descriptor, so the instance's own ``_st`` wins once set)."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        st = obj.__dict__["_st"] = obj._new_st()
        return st


class BitGenerator:
    """Base class: lock, seed sequence, state buffer, random_raw and spawning."""

    _kind = ""
    _name = ""
    _mult = 0
    _HAS_UINT32 = 4  # index of has_uint32 in the state block

    # NumPy-backed types (PCG64, PCG64DXSM, MT19937): the state lives in ``_np``, a NumPy bit
    # generator object of class ``_np_cls``; ``_st`` is the kernels' copy of it, filled by
    # ``_sync_in`` and written back by ``_sync_out`` around every kernel call.
    _np: Any = None
    _np_cls: Any = None
    _native = True  # lazynp has kernels for it (False: ForeignBitGenerator of other types)
    _st = _LazyStateBlock()  # NumPy-backed: the kernels' state block, made on first use

    def __init__(self, seed: Any = None) -> None:
        if seed is None or type(seed) is int or type(seed) is list:
            self._seed_seq = seed_seq = SeedSequence(seed)
        else:
            self._seed_seq = seed_seq = _seed_seq_from(seed)
        np_cls = self._np_cls
        if np_cls is not None:
            if type(seed_seq) is SeedSequence or isinstance(seed_seq, _NP_ISEEDSEQ):
                self._np = npbg = np_cls(seed_seq)
                self.lock = npbg.lock
            else:  # a duck-typed seed sequence: lazynp's seeding, then into the NumPy object
                self._np = npbg = np_cls(0)
                self.lock = npbg.lock
                self._seed(seed_seq)
                self._sync_out()
            return
        self.lock = threading.Lock()
        self._st = self._new_st()
        self._seed(seed_seq)

    def _new_st(self) -> np.ndarray:
        return np.zeros(6, dtype=np.uint64)

    # ---- the NumPy object's state memory (NumPy-backed types) ----
    def _views(self) -> list | None:
        """``[(view, lo, hi)]``: numpy views of the NumPy object's C state that correspond to
        ``_st[lo:hi]`` (NumPy's ``pcg64_state`` / ``mt19937_state``), checked against its
        ``state``; None where the layout is not the expected one (then the state dicts are
        copied instead)."""
        views = self.__dict__.get("_mem")
        if views is None:
            views = self.__dict__["_mem"] = _state_views(self._np, self._kind) or []
        return views or None

    def _sync_in(self) -> None:
        """Before a kernel runs: the kernels' state block from the NumPy object."""
        if self._np is None:
            return
        views = self._views()
        if views is None:
            self._set_state_unlocked(self._np.state)
            return
        st = self._st
        for mem, lo, hi in views:
            st[lo:hi] = mem

    def _sync_out(self) -> None:
        """After a kernel ran: the kernels' state block back into the NumPy object."""
        if self._np is None:
            return
        views = self._views()
        if views is None:
            self._np.state = self._state_unlocked()
            return
        st = self._st
        for mem, lo, hi in views:
            mem[...] = st[lo:hi]

    # ---- seeding and state ----
    def _seed(self, seed_seq: Any) -> None:
        w = [int(v) for v in seed_seq.generate_state(4, np.uint64)]
        initstate = (w[0] << 64) | w[1]
        initseq = (w[2] << 64) | w[3]
        inc = ((initseq << 1) | 1) & MASK128
        # NumPy's pcg64_set_seed, the same for PCG64DXSM (always the 128-bit multiplier).
        state = (inc + initstate) & MASK128
        state = (state * PCG_MULT + inc) & MASK128
        self._set_words(state, inc, 0, 0)

    def _set_words(self, state: int, inc: int, has: int, uinteger: int) -> None:
        self._st[:] = [state & MASK64, state >> 64, inc & MASK64, inc >> 64, has, uinteger]

    def _words(self) -> tuple[int, int, int, int]:
        s = [int(v) for v in self._st]
        return (s[1] << 64) | s[0], (s[3] << 64) | s[2], s[4], s[5]

    @property
    def seed_seq(self) -> Any:
        return self._seed_seq

    def _state_unlocked(self) -> dict:
        state, inc, has, uinteger = self._words()
        return {"bit_generator": self._name,
                "state": {"state": state, "inc": inc},
                "has_uint32": has,
                "uinteger": uinteger}

    def _set_state_unlocked(self, value: dict) -> None:
        if not isinstance(value, dict):
            raise TypeError("state must be a dict")
        bitgen = value.get("bit_generator", "")
        if bitgen != self._name:
            raise ValueError(f"state must be for a {self._name} RNG")
        st = value["state"]
        self._set_words(int(st["state"]) & MASK128, int(st["inc"]) & MASK128,
                        int(value["has_uint32"]) & 0xFFFFFFFF,
                        int(value["uinteger"]) & 0xFFFFFFFF)

    @property
    def state(self) -> dict:
        npbg = self._np
        if npbg is not None:
            return npbg.state
        with self.lock:
            return self._state_unlocked()

    @state.setter
    def state(self, value: dict) -> None:
        npbg = self._np
        if npbg is not None:
            npbg.state = value
            return
        with self.lock:
            self._set_state_unlocked(value)

    def _numpy_twin(self) -> np.random.Generator:
        """A NumPy Generator of the same bit generator type, used to run methods lazynp has
        not compiled: its state is synchronised from and back to this one around each call."""
        twin = self.__dict__.get("_twin")
        if twin is None:
            twin = np.random.Generator(getattr(np.random, self._name)(0))
            self.__dict__["_twin"] = twin
        return twin

    # ---- kernels for Generator ----
    def _kernels(self):
        return kernels(self._kind)

    def _jump_copy(self, st: np.ndarray, draws: int) -> np.ndarray:
        """Copy of state block ``st`` advanced by ``draws`` 64-bit draws (buffer untouched)."""
        s = [int(v) for v in st]
        state = _lcg_jump((s[1] << 64) | s[0], self._mult, (s[3] << 64) | s[2], draws)
        out = st.copy()
        out[0] = state & MASK64
        out[1] = state >> 64
        return out

    def _draw_align(self, st: np.ndarray) -> tuple[int, int]:
        """(lead, unit): block offsets of a parallel fill must be 0, at most ``lead``, or
        ``lead`` plus a multiple of ``unit`` 64-bit draws (Philox jumps whole blocks)."""
        return 0, 1

    # ---- public API ----
    def advance(self, delta: int) -> BitGenerator:
        delta = operator.index(delta)
        if self._np is not None:
            self._np.advance(delta)
            return self
        with self.lock:
            state, inc, _has, _u = self._words()
            state = _lcg_jump(state, self._mult, inc, delta)
            self._set_words(state, inc, 0, 0)
        return self

    def jumped(self, jumps: int = 1) -> BitGenerator:
        jumps = operator.index(jumps)
        bit_generator = type(self)(seed=None)
        bit_generator.state = self.state
        bit_generator.advance(_JUMP * jumps)
        return bit_generator

    def random_raw(self, size: Any = None, output: bool = True) -> Any:
        npbg = self._np
        if npbg is not None and (size is None or (type(size) is int
                                                  and size < _SMALL_LIMIT[0])):
            return npbg.random_raw(size, output)
        return _fill_raw(self, size, output)

    def spawn(self, n_children: int) -> list:
        if not isinstance(self._seed_seq, (ISpawnableSeedSequence,
                                           np.random.bit_generator.ISpawnableSeedSequence)):
            raise TypeError("The underlying SeedSequence does not implement spawning.")
        return [type(self)(seed=s) for s in self._seed_seq.spawn(n_children)]

    # ---- pickling (NumPy's protocol: the bit generator's class, then (state, seed_seq)) ----
    def __getstate__(self) -> tuple:
        return self.state, self._seed_seq

    def __setstate__(self, state_seed_seq: Any) -> None:
        if "lock" not in self.__dict__:  # made by __new__ (pickles of earlier lazynp versions)
            self._init_blank()
        if isinstance(state_seed_seq, dict):
            if "seed_seq" in state_seed_seq and "state" in state_seed_seq:
                # earlier lazynp versions: {"state": ..., "seed_seq": ...}
                self._seed_seq = state_seed_seq["seed_seq"]
                self.state = state_seed_seq["state"]
            else:  # NumPy < 2.0 pickles hold the state only
                self.state = state_seed_seq
        else:
            self._seed_seq = state_seed_seq[1]
            self.state = state_seed_seq[0]

    def _init_blank(self) -> None:
        """Lock and state storage of an instance made without __init__."""
        self._seed_seq = None
        if self._np_cls is not None:
            self._np = self._np_cls(0)
            self.lock = self._np.lock
        else:
            self.lock = threading.Lock()
            self._st = self._new_st()

    def __reduce__(self):
        return (bit_generator_ctor, (type(self),), self.__getstate__())

    # ---- NumPy's low-level interfaces ----
    def _benchmark(self, cnt: int, method: str = "uint64") -> None:
        """NumPy's ``_benchmark``: ``cnt`` draws of ``next_uint64`` or ``next_double``."""
        cnt = operator.index(cnt)
        npbg = self._np
        if npbg is not None:
            npbg._benchmark(cnt, method)
            return
        if method not in ("uint64", "double"):
            raise ValueError("Unknown method")
        # next_double consumes one 64-bit draw, as next_uint64 does
        self.random_raw(cnt, output=False)

    @property
    def ctypes(self) -> Any:
        """NumPy's ``ctypes`` interface (``numpy.random._common.interface``): the state
        address and C functions ``next_uint64``/``next_uint32``/``next_double`` on it."""
        npbg = self._np
        if npbg is not None:
            return npbg.ctypes
        iface = self.__dict__.get("_ctypes")
        if iface is None:
            iface = self.__dict__["_ctypes"] = _ctypes_interface(self)
        return iface

    @property
    def cffi(self) -> Any:
        """NumPy's ``cffi`` interface (NumPy-backed bit generators; needs cffi)."""
        npbg = self._np
        if npbg is not None:
            return npbg.cffi
        try:
            import cffi  # noqa: F401
        except ImportError as exc:
            raise ImportError("cffi cannot be imported.") from exc
        raise NotImplementedError(f"lazynp's {type(self).__name__} has no cffi interface; "
                                  "use its ctypes interface")


class _Bitgen(ctypes.Structure):
    """NumPy's ``bitgen_t``: the state pointer and the draw functions."""

    _fields_ = [("state", ctypes.c_void_p),
                ("next_uint64", ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)),
                ("next_uint32", ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)),
                ("next_double", ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)),
                ("next_raw", ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p))]


def _ctypes_interface(bg: BitGenerator) -> Any:
    """The ``ctypes`` interface of a bit generator whose state is lazynp's ``_st`` block:
    compiled ``next_*`` functions that advance the block in place (as NumPy's do its C
    state)."""
    from numpy.random._common import interface

    lib = bg._kernels().interface_lib()
    st = bg._st
    addr = st.ctypes.data
    u64 = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(lib.address("lz_next_uint64"))
    u32 = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)(lib.address("lz_next_uint32"))
    dbl = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)(lib.address("lz_next_double"))
    raw = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(lib.address("lz_next_uint64"))
    bitgen = _Bitgen(addr, u64, u32, dbl, raw)
    bg.__dict__["_bitgen_t"] = (bitgen, lib, st)  # kept alive with the bit generator
    return interface(addr, ctypes.c_void_p(addr), u64, u32, dbl,
                     ctypes.c_void_p(ctypes.addressof(bitgen)))


class PCG64(BitGenerator):
    """PCG XSL-RR 128/64, NumPy's default bit generator."""

    _kind = "pcg64"
    _name = "PCG64"
    _mult = PCG_MULT
    _np_cls = np.random.PCG64


class PCG64DXSM(BitGenerator):
    """PCG64 with the DXSM output function and the cheap 64-bit multiplier."""

    _kind = "pcg64dxsm"
    _name = "PCG64DXSM"
    _mult = DXSM_MULT
    _np_cls = np.random.PCG64DXSM


class _Missing:
    """A class attribute that NumPy's class lacks (``MT19937.advance``): AttributeError."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type) -> Any:
        raise AttributeError(f"'{cls.__name__}' object has no attribute '{self.name}'")


class MT19937(BitGenerator):
    """The Mersenne Twister, NumPy's ``MT19937`` (state: 624 uint32 words and a position).

    ``self._st`` is a uint32 array ``[key[0..623], pos, pad]`` read and written in place by
    the compiled kernels (``_dists.MT19937``).
    """

    _kind = "mt19937"
    _name = "MT19937"
    _parallel = False
    _np_cls = np.random.MT19937
    advance = _Missing()

    def _new_st(self) -> np.ndarray:
        return np.zeros(_MT_N + 2, dtype=np.uint32)

    def _seed(self, seed_seq: Any) -> None:
        val = seed_seq.generate_state(_MT_N, np.uint32)
        self._st[0] = 0x80000000
        self._st[1:_MT_N] = val[1:]
        self._st[_MT_N] = _MT_N - 1  # NumPy leaves pos at the loop's last index

    def _legacy_seeding(self, seed: Any) -> None:
        seed = _asnumpy_maybe(seed)
        if self._np is not None:  # NumPy's own seeding of the NumPy object
            self._np._legacy_seeding(seed)
            self._seed_seq = None
            return
        with self.lock:
            try:
                if seed is None:
                    val = SeedSequence().generate_state(_MT_N)
                    self._st[0] = 0x80000000
                    self._st[1:_MT_N] = val[1:]
                else:
                    if hasattr(seed, "squeeze"):
                        seed = seed.squeeze()
                    idx = operator.index(seed)
                    if idx > int(2**32 - 1) or idx < 0:
                        raise ValueError("Seed must be between 0 and 2**32 - 1")
                    self._st[:_MT_N] = _mt_seed(idx)
                    self._st[_MT_N] = _MT_N
            except TypeError:
                obj = np.asarray(seed)
                if obj.size == 0:
                    raise ValueError("Seed must be non-empty") from None
                obj = obj.astype(np.int64, casting="safe")
                if obj.ndim != 1:
                    raise ValueError("Seed array must be 1-d") from None
                if ((obj > int(2**32 - 1)) | (obj < 0)).any():
                    raise ValueError("Seed must be between 0 and 2**32 - 1") from None
                self._st[:_MT_N] = _mt_init_by_array([int(v) for v in obj])
                self._st[_MT_N] = _MT_N
        self._seed_seq = None

    def _state_unlocked(self) -> dict:
        return {"bit_generator": "MT19937",
                "state": {"key": self._st[:_MT_N].copy(), "pos": int(self._st[_MT_N])}}

    def _set_state_unlocked(self, value: Any) -> None:
        if isinstance(value, tuple):
            if value[0] != "MT19937" or len(value) not in (3, 5):
                raise ValueError("state is not a legacy MT19937 state")
            value = {"bit_generator": "MT19937", "state": {"key": value[1], "pos": value[2]}}
        if not isinstance(value, dict):
            raise TypeError("state must be a dict")
        if value.get("bit_generator", "") != "MT19937":
            raise ValueError("state must be for a MT19937 PRNG")
        key = value["state"]["key"]
        self._st[:_MT_N] = [int(key[i]) & _M32 for i in range(_MT_N)]
        self._st[_MT_N] = np.uint32(np.int32(int(value["state"]["pos"])).view(np.uint32))

    def _numpy_twin(self) -> np.random.Generator:
        twin = self.__dict__.get("_twin")
        if twin is None:
            twin = np.random.Generator(np.random.MT19937(0))
            self.__dict__["_twin"] = twin
        return twin

    def _jump_copy(self, st: np.ndarray, draws: int) -> np.ndarray:
        raise NotImplementedError("MT19937 has no cheap advance")

    def jumped(self, jumps: int = 1) -> MT19937:
        # Note: the 2**128-step polynomial jump runs on NumPy's MT19937 (state in, state out).
        jumps = operator.index(jumps)
        tmp = self._np
        if tmp is None:
            tmp = np.random.MT19937(0)
            tmp.state = self.state
        bit_generator = type(self)(seed=None)
        bit_generator.state = tmp.jumped(jumps).state
        return bit_generator


class SFC64(BitGenerator):
    """Chris Doty-Humphrey's Small Fast Chaotic PRNG, NumPy's ``SFC64``.

    ``self._st`` holds ``[s0, s1, s2, s3, has_uint32, uinteger]`` (uint64), the layout the
    kernels of ``_ir_bitgen._NEXT64['sfc64']`` read.
    """

    _kind = "sfc64"
    _name = "SFC64"
    _parallel = False
    advance = _Missing()
    jumped = _Missing()

    def _seed(self, seed_seq: Any) -> None:
        s = [int(v) for v in seed_seq.generate_state(3, np.uint64)] + [1]
        for _ in range(12):  # NumPy's sfc64_set_seed discards 12 outputs
            tmp = (s[0] + s[1] + s[3]) & MASK64
            s[3] = (s[3] + 1) & MASK64
            s[0] = s[1] ^ (s[1] >> 11)
            s[1] = (s[2] + (s[2] << 3)) & MASK64
            s[2] = ((((s[2] << 24) | (s[2] >> 40)) & MASK64) + tmp) & MASK64
        self._st[:] = s + [0, 0]

    def _state_unlocked(self) -> dict:
        return {"bit_generator": "SFC64", "state": {"state": self._st[:4].copy()},
                "has_uint32": int(self._st[4]), "uinteger": int(self._st[5])}

    def _set_state_unlocked(self, value: dict) -> None:
        if not isinstance(value, dict):
            raise TypeError("state must be a dict")
        if value.get("bit_generator", "") != "SFC64":
            raise ValueError("state must be for a SFC64 RNG")
        st = np.asarray(value["state"]["state"]).astype(np.uint64)
        self._st[:4] = st
        self._st[4] = int(value["has_uint32"]) & 0xFFFFFFFF
        self._st[5] = int(value["uinteger"]) & 0xFFFFFFFF

    def _jump_copy(self, st: np.ndarray, draws: int) -> np.ndarray:
        raise NotImplementedError("SFC64 has no advance")


class Philox(BitGenerator):
    """Philox4x64-10, NumPy's counter-based ``Philox`` (seed, or counter and key).

    ``self._st`` holds thirteen uint64 words (counter, key, buffer, buffer_pos, has_uint32,
    uinteger; see ``_philox.py``).  The parallel fill moves copies of the state by counter
    arithmetic, block-aligned.
    """

    _kind = "philox"
    _name = "Philox"
    _HAS_UINT32 = _philox.HAS

    def __init__(self, seed: Any = None, counter: Any = None, key: Any = None) -> None:
        if seed is not None and key is not None:
            raise ValueError("seed and key cannot be both used")
        self.lock = threading.Lock()
        self._st = self._new_st()
        self._seed_seq = _seed_seq_from(seed)
        if key is not None:
            self._st[4:6] = _int_to_array(key, "key", 128, 64)
            self._seed_seq = None
        else:
            self._st[4:6] = self._seed_seq.generate_state(2, np.uint64)
        counter = 0 if counter is None else counter
        self._st[0:4] = _int_to_array(counter, "counter", 256, 64)
        self._reset()

    def _new_st(self) -> np.ndarray:
        return np.zeros(_philox.NWORDS, dtype=np.uint64)

    def _seed(self, seed_seq: Any) -> None:
        self._st[4:6] = seed_seq.generate_state(2, np.uint64)
        self._st[0:4] = 0
        self._reset()

    def _reset(self) -> None:
        self._st[6:10] = 0
        self._st[_philox.POS] = _philox.BUFFER_SIZE
        self._st[_philox.HAS] = 0
        self._st[_philox.UINT] = 0

    def _state_unlocked(self) -> dict:
        st = self._st
        return {"bit_generator": "Philox",
                "state": {"counter": st[0:4].copy(), "key": st[4:6].copy()},
                "buffer": st[6:10].copy(),
                "buffer_pos": int(st[_philox.POS]),
                "has_uint32": int(st[_philox.HAS]),
                "uinteger": int(st[_philox.UINT])}

    def _set_state_unlocked(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise TypeError("state must be a dict")
        if value.get("bit_generator", "") != "Philox":
            raise ValueError("state must be for a Philox PRNG")
        st = self._st
        for i in range(4):
            st[i] = int(value["state"]["counter"][i]) & MASK64
            if i < 2:
                st[4 + i] = int(value["state"]["key"][i]) & MASK64
            st[6 + i] = int(value["buffer"][i]) & MASK64
        st[_philox.HAS] = int(value["has_uint32"]) & 0xFFFFFFFF
        st[_philox.UINT] = int(value["uinteger"]) & 0xFFFFFFFF
        st[_philox.POS] = int(value["buffer_pos"]) & MASK64

    def advance(self, delta: int) -> Philox:
        delta = delta & ~(~int(0) << 256)
        step = [int(v) for v in _int_to_array(delta, "step", 256, 64)]
        with self.lock:
            _philox.advance(self._st, step)
            self._reset()
        return self

    def jumped(self, jumps: int = 1) -> Philox:
        bit_generator = type(self)()
        bit_generator.state = self.state
        bit_generator.advance(jumps * int(2 ** 128))
        return bit_generator

    def _jump_copy(self, st: np.ndarray, draws: int) -> np.ndarray:
        return _philox.jump_words(st, draws)

    def _draw_align(self, st: np.ndarray) -> tuple[int, int]:
        return _philox.lead(st), _philox.BUFFER_SIZE


# ---- pickling ---------------------------------------------------------------------------------
# (pickles name this constructor as ``lazynp.random._pickle.__bit_generator_ctor``, which re-exports it, as
# NumPy's name ``numpy.random._pickle``; it is defined with the class it makes, which uses it in
# ``__reduce__``)

BitGenerators = {"MT19937": MT19937,
                 "PCG64": PCG64,
                 "PCG64DXSM": PCG64DXSM,
                 "Philox": Philox,
                 "SFC64": SFC64,
                 }


def __bit_generator_ctor(bit_generator: Any = "MT19937") -> Any:
    """A new bit generator of the given class or name (its state is set by unpickling)."""
    if isinstance(bit_generator, type):
        bit_gen_class = bit_generator
    elif bit_generator in BitGenerators:
        bit_gen_class = BitGenerators[bit_generator]
    else:
        raise ValueError(str(bit_generator) + " is not a known BitGenerator module.")
    return bit_gen_class()


__bit_generator_ctor.__module__ = "lazynp.random._pickle"
# (the name without the leading double underscore, for class bodies: no name mangling)
bit_generator_ctor = __bit_generator_ctor
