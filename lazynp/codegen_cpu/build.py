"""The CPU runtime's compile side and shared state: kernels compiled once per structural key
(``render.render`` -> ``compiler.compile_ir``, memory + disk cache), the vector-math library
linked in, the constant blocks, the in-place driver, data addresses, and the counters and
decline reasons the runtime reports (``stats``, ``declined``)."""

from __future__ import annotations

import ctypes
import threading
from collections import Counter
from typing import Any

import numpy as np
from numpy._core import _ufunc_config

from ..fusion.plan import Const, Kernel, RunSettings
from . import compiler, vmath
from .body import pack_consts, reversed_view
from .llvm_text import Unsupported
from .loops import inner_pattern
from .render import IN_PLACE_DRIVER, render

_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                       ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)


_extobj = _ufunc_config._extobj_contextvar


_default_errstate = _extobj.get()


stats: dict[str, Any] = {"compiled": 0, "runs": 0, "fallbacks": Counter()}


_lock = threading.Lock()


_kernels: dict[tuple, Any] = {}


_vmath_linked: dict[str, Any] = {}  # vmath symbol -> the library defining it (kept alive)


_state: dict[str, Any] = {}


class _Compiled:
    def __init__(self, lib: Any, entries: tuple[str, ...]) -> None:
        self.lib = lib
        self.fns = {e.rsplit("_", 1)[1]: _FN(lib.address(e)) for e in entries}


def reset() -> None:
    """Forget compiled kernels and counters (tests)."""
    with _lock:
        _kernels.clear()
    stats["compiled"] = 0
    stats["runs"] = 0
    stats["fallbacks"].clear()


_declined = threading.local()


def _fallback(reason: str) -> None:
    """Decline the kernel being run (``run_kernel`` returns None): counted, and kept for
    ``declined``."""
    stats["fallbacks"][reason] += 1
    _declined.reason = reason
    return None


def declined() -> str:
    """Why the last ``run_kernel`` of this thread declined its kernel (the backend seam:
    ``lazynp/_backends.py``)."""
    return getattr(_declined, "reason", "")


def _compiled(k: Kernel, pairwise: bool, s: RunSettings) -> Any:
    fast = bool(s.fastmath)
    c = k.memo.get((pairwise, fast))
    if c is None:
        c = k.memo[(pairwise, fast)] = _compile(k, pairwise, s)
    return c


def _compile(k: Kernel, pairwise: bool, s: RunSettings) -> Any:
    fastmath = bool(s.fastmath)
    red = k.reduction
    rkey = None if red is None else (red.op, red.axes, str(red.acc_dtype), str(red.dtype))
    key = (k.key, pairwise, fastmath, rkey, str(k.outputs[0].dtype), len(k.shape),
           tuple((i.layout, reversed_view(i)) for i in k.inputs), inner_pattern(k))
    c = _kernels.get(key)
    if c is not None:
        return c
    with _lock:
        c = _kernels.get(key)
        if c is not None:
            return c
        try:
            r = render(k, pairwise, *_vector_abi(), fastmath=fastmath)
            _link_vmath(r.vmath, s)
            lib = compiler.compile_ir(r.ir, k.name or "kernel", s.cache_dir, s.debug)
            c = _Compiled(lib, r.entries)
            stats["compiled"] += 1
        except Unsupported as e:
            c = e
        _kernels[key] = c
        return c


def _link_vmath(defs: tuple, s: RunSettings) -> None:
    """Make the vmath functions ``defs`` resolvable by name for kernels about to be loaded:
    those not linked yet are compiled together into one library (memory and disk cached
    like a kernel) and their addresses registered with LLVM's symbol table (called with
    ``_lock`` held)."""
    todo = [d for d in defs if d.name not in _vmath_linked]
    if not todo:
        return
    import llvmlite.binding as llvm

    lib = compiler.compile_ir(vmath.library(todo), "lazynp_vmath", s.cache_dir, s.debug)
    for d in todo:
        name = d.name.lstrip("@")
        llvm.add_symbol(name, lib.address(name))
        _vmath_linked[d.name] = lib


def _vector_abi() -> tuple[tuple | None, bool]:
    """The host's vector registers in the x86 vector-function ABI's terms (``render``'s
    ``vector_abi``; None off x86-64) and whether glibc's libmvec loaded (tried once)."""
    if "abi" not in _state:
        abi = None
        libmvec = False
        try:
            info = compiler.host_info()
            feats = info["features"]
            if info["triple"].startswith(("x86_64", "amd64")):
                if "+avx512f" in feats:
                    abi = ("e", 8, 16)
                elif "+avx2" in feats:
                    abi = ("d", 4, 8)
                else:
                    abi = ("b", 2, 4)
            import llvmlite.binding as llvm

            llvm.load_library_permanently("libmvec.so.1")
            libmvec = abi is not None
        except Exception:
            pass
        _state["abi"] = (abi, libmvec)
    return _state["abi"]


def _consts(k: Kernel) -> np.ndarray:
    """The kernel's constant block (kept in ``memo``, which the plan cache's instances share,
    unless this instance has constants of its own)."""
    buf = None if k.own_consts else k.memo.get("consts")
    if buf is None:
        buf = pack_consts([a for ins in k.body for a in ins.args
                           if type(a) is Const and a.value is not None])
        if not k.own_consts:
            k.memo["consts"] = buf
    return buf


# id(array) -> (weak reference to it, its aligned data address): the buffers a loop's
# statements read again and again (reading an address costs about 1 us; an array's memory
# never moves while anything references it)
_addrs: dict[int, tuple] = {}


def _addr(a: np.ndarray) -> int:
    return a.ctypes.data


def _elem_strides(a: np.ndarray) -> list[int] | None:
    size = a.itemsize
    out = []
    for s in a.strides:
        if s % size:
            return None
        out.append(s // size)
    return out


def _usable(a: np.ndarray) -> bool:
    return a.dtype.isnative and a.flags.aligned


def _driver(s: RunSettings) -> Any:
    """The compiled in-place driver (render.IN_PLACE_DRIVER), compiled once."""
    fn = _state.get("in_place")
    if fn is None:
        with _lock:
            fn = _state.get("in_place")
            if fn is None:
                lib = compiler.compile_ir(IN_PLACE_DRIVER, "lazynp_in_place", s.cache_dir,
                                          s.debug)
                p, i64 = ctypes.c_void_p, ctypes.c_int64
                fn = lib.cfunc("lz_in_place", ctypes.c_int32, p, p, i64, p, p, p, p, i64, i64,
                               p, p, i64, p)
                _state["in_place"] = fn
    return fn
