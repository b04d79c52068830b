"""A test double of CuPy: the subset ``lazynp/codegen_gpu/runtime.py`` uses, run on the CPU.

Installed as ``sys.modules["cupy"]`` by the ``fake_cupy`` fixture (``conftest.py``), which
restores the previous module afterwards.

* Device memory is NumPy memory of its own (``Memory``), never the host arrays lazynp
  holds, so a value that did not come back to the host is visibly stale there.  Every copy
  between host and device is counted in ``TRANSFERS`` (``h2d``, ``d2h``: calls and bytes).
* ``RawKernel(code, name, options)`` compiles ``code`` with the system C++ compiler through
  ``shim.h`` (``__global__``, ``threadIdx`` ... on the CPU) plus a launcher generated from the
  entry's C signature; ``compile()`` raises ``CompileException`` with the compiler's
  message; a call checks each argument against the entry's parameter types (a device array
  for a pointer, ``numpy.int32`` for ``int``, ``numpy.int64`` for ``long long``: CuPy passes a
  scalar's bytes as they are) and runs every thread of the grid one after the other.
  ``FAIL["launch"]`` set to a message makes the next launch raise ``CUDADriverError``;
  ``FAIL["alloc"] = n`` makes the next ``n`` allocations raise ``OutOfMemoryError``.
* ``Device().attributes`` describe a small device (2 multiprocessors of 64 threads), so the
  runtime's grid-stride loops take several turns.
* For the benchmark's dry run (``bench/gpu.py --dry-run``), NumPy's functions are reachable
  as ``cupy.<name>`` on device arrays (op by op, results on the device, no transfer), and
  ``cupy.random.default_rng(seed).random(n)``.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import tempfile
import types
from pathlib import Path
from typing import Any

import numpy as np

from tests.codegen_gpu import shimlib

CXX = shimlib.CXX
TRANSFERS = {"h2d": 0, "d2h": 0, "h2d_bytes": 0, "d2h_bytes": 0}
FAIL: dict[str, Any] = {"launch": None, "alloc": 0}
DEVICES = [1]
_BUILD = Path(tempfile.gettempdir()) / f"lazynp_fake_cupy_{os.getuid()}"
_LIBS: dict[str, Any] = {}


def reset_counts() -> None:
    for k in TRANSFERS:
        TRANSFERS[k] = 0


# ------------------------------------------------------------------------------ errors
class CompileException(Exception):
    pass


class CUDADriverError(RuntimeError):
    pass


class CUDARuntimeError(RuntimeError):
    pass


class OutOfMemoryError(MemoryError):
    pass


# ------------------------------------------------------------------------------ memory
class Memory:
    def __init__(self, nbytes: int) -> None:
        if FAIL["alloc"]:
            FAIL["alloc"] -= 1
            raise OutOfMemoryError(f"Out of memory allocating {nbytes:,} bytes")
        self.buf = np.zeros(max(nbytes, 1), np.uint8)
        self.ptr = self.buf.ctypes.data


class MemoryPointer:
    def __init__(self, mem: Memory, offset: int) -> None:
        self.mem = mem
        self.offset = offset

    @property
    def ptr(self) -> int:
        return self.mem.ptr + self.offset

    def __add__(self, n: int) -> MemoryPointer:
        return MemoryPointer(self.mem, self.offset + int(n))


class ndarray:
    """A device array: a strided view of a ``Memory`` block."""

    def __init__(self, shape: Any, dtype: Any = float, memptr: MemoryPointer | None = None,
                 strides: Any = None) -> None:
        shape = (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)
        dtype = np.dtype(dtype)
        if memptr is None:
            memptr = MemoryPointer(Memory(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize),
                                   0)
        self.data = memptr
        self._np = np.ndarray(shape, dtype, buffer=memptr.mem.buf, offset=memptr.offset,
                              strides=strides)

    shape = property(lambda self: self._np.shape)
    dtype = property(lambda self: self._np.dtype)
    strides = property(lambda self: self._np.strides)
    itemsize = property(lambda self: self._np.itemsize)
    ndim = property(lambda self: self._np.ndim)
    size = property(lambda self: self._np.size)
    nbytes = property(lambda self: self._np.nbytes)

    def set(self, arr: np.ndarray) -> None:
        arr = np.asarray(arr)
        if arr.shape != self.shape:
            raise ValueError("Shape mismatch")
        TRANSFERS["h2d"] += 1
        TRANSFERS["h2d_bytes"] += arr.nbytes
        self._np[...] = arr

    def get(self, out: np.ndarray | None = None) -> np.ndarray:
        TRANSFERS["d2h"] += 1
        TRANSFERS["d2h_bytes"] += self.nbytes
        if out is None:
            return self._np.copy()
        if out.shape != self.shape or out.dtype != self.dtype:
            raise ValueError("Shape or dtype mismatch")
        out[...] = self._np
        return out

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __len__(self) -> int:
        return len(self._np)

    def __float__(self) -> float:
        TRANSFERS["d2h"] += 1
        return float(self._np)

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._np[key])

    def _binary(name: str) -> Any:  # noqa: N805 (a method factory)
        def op(self: ndarray, other: Any) -> Any:
            return _wrap(getattr(self._np, name)(_unwrap(other)))
        return op

    for _n in ("add", "sub", "mul", "truediv", "lt", "le", "gt", "ge", "pow", "and", "or",
               "radd", "rsub", "rmul", "rtruediv"):
        locals()[f"__{_n}__"] = _binary(f"__{_n}__")
    del _n

    def __neg__(self) -> Any:
        return _wrap(-self._np)

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._np.sum(*args, **kwargs)))

    def max(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._np.max(*args, **kwargs)))

    def astype(self, dtype: Any) -> Any:
        return _wrap(self._np.astype(dtype))

    def copy(self) -> Any:
        return _wrap(self._np)


def _wrap(a: Any) -> Any:
    a = np.asarray(a)
    out = ndarray(a.shape, a.dtype)
    out._np[...] = a
    return out


def _unwrap(a: Any) -> Any:
    return a._np if isinstance(a, ndarray) else a


def empty(shape: Any, dtype: Any = float) -> ndarray:
    return ndarray(shape, dtype)


def asarray(a: Any, dtype: Any = None) -> ndarray:
    if isinstance(a, ndarray):
        return a
    host = np.asarray(a, dtype)
    out = ndarray(host.shape, host.dtype)
    out.set(host)
    return out


def asnumpy(a: Any) -> np.ndarray:
    return a.get() if isinstance(a, ndarray) else np.asarray(a)


def __getattr__(name: str) -> Any:
    """NumPy's function ``name`` on device arrays (the benchmark's op-by-op column)."""
    fn = getattr(np, name, None)
    if not callable(fn):
        raise AttributeError(name)

    def call(*args: Any, **kwargs: Any) -> Any:
        res = fn(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()})
        if isinstance(res, tuple):
            return tuple(_wrap(r) for r in res)
        return _wrap(res)
    return call


class _Generator:
    def __init__(self, seed: Any) -> None:
        self._g = np.random.default_rng(seed)

    def random(self, size: Any, dtype: Any = np.float64) -> ndarray:
        return _wrap(self._g.random(size, dtype=dtype))


random = types.SimpleNamespace(default_rng=_Generator)


# ------------------------------------------------------------------------------ kernels
_SIG = re.compile(r'extern "C" __global__ void (\w+)\(([^)]*)\)')


def _param_types(code: str, name: str) -> list[str]:
    for m in _SIG.finditer(code):
        if m.group(1) == name:
            return [p.strip().rsplit(" ", 1)[0].strip() for p in m.group(2).split(",")
                    if p.strip()]
    raise CompileException(f"name expression {name} not found in the source")


# C type -> (the NumPy scalar type CuPy must be given, the ctypes type of the launcher)
_CTYPES = {"int": (np.int32, ctypes.c_int), "long long": (np.int64, ctypes.c_longlong),
           "unsigned int": (np.uint32, ctypes.c_uint),
           "unsigned long long": (np.uint64, ctypes.c_ulonglong),
           "double": (np.float64, ctypes.c_double), "float": (np.float32, ctypes.c_float),
           "bool": (np.bool_, ctypes.c_bool)}


class RawKernel:
    def __init__(self, code: str, name: str, options: tuple = (), **kwargs: Any) -> None:
        self.code, self.name, self.options = code, name, tuple(options)
        self._fn: Any = None

    def compile(self, log_stream: Any = None) -> None:
        if self._fn is not None:
            return
        if "-fmad=false" not in self.options:
            raise CompileException("the fake expects -fmad=false (lazynp's numerics)")
        types_ = _param_types(self.code, self.name)
        self._types = types_
        ps = [(t, f"p{i}") for i, t in enumerate(types_)]
        src = f"{shimlib.INCLUDE}{self.code}\n{shimlib.launcher(ps, self.name, 'lz')}"
        digest = hashlib.sha256(src.encode()).hexdigest()[:24]
        lib = _LIBS.get(digest)
        if lib is None:
            _BUILD.mkdir(exist_ok=True)
            so = _BUILD / f"k_{digest}.so"
            if not so.exists():
                tmp = _BUILD / f"k_{digest}.{os.getpid()}.so"
                try:
                    shimlib.compile_shared(src, tmp, _BUILD / f"k_{digest}.cpp")
                except AssertionError as e:
                    raise CompileException(str(e)) from None
                os.replace(tmp, so)
            lib = _LIBS[digest] = ctypes.CDLL(str(so))
        self._fn = lib.run_lz

    def __call__(self, grid: tuple, block: tuple, args: tuple, shared_mem: int = 0) -> None:
        self.compile()
        if FAIL["launch"]:
            msg, FAIL["launch"] = FAIL["launch"], None
            raise CUDADriverError(msg)
        if len(args) != len(self._types):
            raise CUDADriverError(f"CUDA_ERROR_INVALID_VALUE: {len(args)} arguments for "
                                  f"{len(self._types)} parameters")
        cargs: list = []
        for t, a in zip(self._types, args):
            if t.endswith("*"):
                if type(a) is np.uint64 and a == 0:  # a null pointer
                    cargs.append(ctypes.c_void_p(0))
                    continue
                if not isinstance(a, ndarray):
                    raise TypeError(f"{t} parameter given {type(a).__name__}")
                cargs.append(ctypes.c_void_p(a.data.ptr))
                continue
            if t not in _CTYPES:
                raise TypeError(f"parameter type {t} unknown to the fake")
            want, ctype = _CTYPES[t]
            if type(a) is not want:
                raise TypeError(f"{t} parameter given {type(a).__name__}")
            cargs.append(ctype(a.item()))
        self._fn(ctypes.c_uint(grid[0]), ctypes.c_uint(block[0]), *cargs)


# ------------------------------------------------------------------------------ cuda
class Device:
    def __init__(self, device: int = 0) -> None:
        self.id = device
        self.attributes = {"MultiProcessorCount": 2, "MaxThreadsPerBlock": 1024,
                           "MaxThreadsPerMultiProcessor": 64}

    def synchronize(self) -> None:
        pass


def _get_device_count() -> int:
    if not DEVICES[0]:
        raise CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    return DEVICES[0]


def _properties(device: int) -> dict:
    return {"name": b"Fake CUDA device (CPU shim)", "totalGlobalMem": 1 << 30}


cuda = types.SimpleNamespace(
    Device=Device,
    compiler=types.SimpleNamespace(CompileException=CompileException),
    driver=types.SimpleNamespace(CUDADriverError=CUDADriverError),
    memory=types.SimpleNamespace(OutOfMemoryError=OutOfMemoryError),
    runtime=types.SimpleNamespace(CUDARuntimeError=CUDARuntimeError,
                                  getDeviceCount=_get_device_count,
                                  getDeviceProperties=_properties),
)
__version__ = "0.0-fake"
