"""LLVM IR text -> native functions callable through ctypes (shared llvmlite machinery).

This is the one place in lazynp that talks to llvmlite's compiler.  Both the CPU code generator
(``codegen_cpu/render.py`` renders IR for fused kernels) and ``lazynp.random`` (hand-written
generation loops) hand IR *text* to :func:`compile_ir` and get back a :class:`Library` whose
symbols are plain C-ABI function addresses.

Contract
--------
* LLVM is initialised lazily, on the first compile, never at ``import lazynp``.
* IR is compiled for the host: ``cpu = get_host_cpu_name()``, the host feature string, ``opt=3``;
  the module triple and data layout are set here, so renderers may leave them out.
* Optimisation uses the new pass builder (O3, loop and SLP vectorisation).  No fast-math and no
  FMA contraction is ever requested: LLVM only contracts ``a*b+c`` when the IR carries
  ``contract``/``fast`` flags or calls ``llvm.fmuladd``, so renderers control this exactly
  (lazynp.random relies on two roundings for bit-identity with NumPy's C).
* C library math (``exp``, ``log1p``, ``expf``, ``log1pf`` ...) may be declared in the IR
  (``declare double @log1p(double)``); the C math library is loaded permanently before linking.
* Exported functions are those with external linkage; get them with :meth:`Library.address` or
  :meth:`Library.cfunc`.  A ctypes ``CFUNCTYPE`` call releases the GIL, so several Python
  threads can run one compiled function on separate blocks at once.

Caching
-------
* In memory: one :class:`Library` per sha256 of the IR text (per process, thread safe).
* On disk (directory ``cache_dir``/``llvm``, the caller's: lazynp's ``config.cache_dir`` when
  ``config.cache``, through ``RunSettings`` or ``settings_of``): the object file emitted
  by the target machine, keyed by sha256 of (IR, cpu name, cpu features, llvmlite version,
  lazynp version, format version).  A new process loads the object with
  ``ExecutionEngine.add_object_file`` and skips optimisation and code generation.
  Entries are written to a temporary file in the same directory and moved into place with
  ``os.replace`` (atomic on POSIX), so two processes compiling the same IR at once both end up
  with a complete entry.  Each entry starts with a header (magic, payload length, sha256 of the
  payload); an entry whose header does not check out (truncated, corrupted, foreign) is never
  loaded: it is rebuilt and overwritten.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
import sys
import threading
import time
from typing import Any

from .._version import __version__

__all__ = [
    "Library",
    "compile_ir",
    "host_info",
    "cache_path_for",
    "clear_memory_cache",
    "stats",
]

_FORMAT_VERSION = b"1"
_MAGIC = b"LZNPOBJ1"
_HEADER = struct.Struct("<8sQ32s")  # magic, payload length, sha256(payload)

_lock = threading.RLock()
_state: dict[str, Any] = {}
_memory: dict[str, Library] = {}
# Counters for tests and debug output: compiled (optimised + codegen), disk hits, memory hits,
# rejected disk entries.
stats = {"compiled": 0, "disk_hits": 0, "memory_hits": 0, "rejected": 0}


def _llvm():
    """Initialise LLVM once (native target, asm printer, C math library) and return binding."""
    llvm = _state.get("llvm")
    if llvm is not None:
        return llvm
    with _lock:
        if "llvm" in _state:
            return _state["llvm"]
        import llvmlite.binding as binding

        binding.initialize_native_target()
        binding.initialize_native_asmprinter()
        # The C math library and the C library.  On Linux their glibc sonames (what
        # find_library returns there) are tried first: ctypes.util costs start-up time (it
        # imports subprocess, shutil... and find_library runs ldconfig).  find_library is
        # the way for the others, and on Linux for a library whose soname does not load.
        missing = ["m", "c"]
        if sys.platform.startswith("linux"):
            for name, soname in (("m", "libm.so.6"), ("c", "libc.so.6")):
                try:
                    binding.load_library_permanently(soname)
                    missing.remove(name)
                except RuntimeError:
                    pass
        if missing:
            import ctypes.util

            for name in missing:
                path = ctypes.util.find_library(name)
                if path:
                    try:
                        binding.load_library_permanently(path)
                    except RuntimeError:
                        pass
        target = binding.Target.from_default_triple()
        cpu = binding.get_host_cpu_name()
        features = binding.get_host_cpu_features().flatten()
        tm = target.create_target_machine(cpu=cpu, features=features, opt=3,
                                          reloc="default", codemodel="jitdefault")
        _state["target_machine"] = tm
        _state["cpu"] = cpu
        _state["features"] = features
        _state["triple"] = binding.get_process_triple()
        _state["llvm"] = binding
        return binding


def host_info() -> dict[str, str]:
    """CPU name, feature string and triple the compiler targets (initialises LLVM)."""
    _llvm()
    return {"cpu": _state["cpu"], "features": _state["features"], "triple": _state["triple"]}


def _lazynp_version() -> str:
    # lazynp/_version.py rather than importlib.metadata: importing the latter costs ~0.1 s,
    # paid on the first kernel of every process
    return __version__


def _disk_key(ir: str) -> str:
    import llvmlite

    info = host_info()
    h = hashlib.sha256()
    for part in (ir, info["cpu"], info["features"], info["triple"], llvmlite.__version__,
                 _lazynp_version()):
        h.update(part.encode())
        h.update(b"\0")
    h.update(_FORMAT_VERSION)
    return h.hexdigest()


def cache_path_for(ir: str, cache_dir: str) -> str:
    """Path of the on-disk cache entry under ``cache_dir`` that would hold the object code
    for ``ir``."""
    return os.path.join(cache_dir, "llvm", _disk_key(ir) + ".o")


class Library:
    """A compiled module: an MCJIT engine holding native code, with symbol lookup.

    Keep the Library alive as long as any address taken from it is in use (the in-memory cache
    keeps every Library for the life of the process).
    """

    def __init__(self, engine: Any, name: str, source: str) -> None:
        self._engine = engine
        self.name = name
        self.source = source  # "compiled" or "disk"
        self._cfuncs: dict[tuple, Any] = {}

    def address(self, symbol: str) -> int:
        addr = self._engine.get_function_address(symbol)
        if not addr:
            raise KeyError(f"symbol {symbol!r} not found in compiled module {self.name!r}")
        return addr

    def cfunc(self, symbol: str, restype: Any, *argtypes: Any) -> Any:
        """The function as a ctypes callable (``CFUNCTYPE(restype, *argtypes)``), memoised."""
        key = (symbol, restype, argtypes)
        fn = self._cfuncs.get(key)
        if fn is None:
            fn = ctypes.CFUNCTYPE(restype, *argtypes)(self.address(symbol))
            self._cfuncs[key] = fn
        return fn


def _read_entry(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if len(blob) < _HEADER.size:
        return None
    magic, length, digest = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size:]
    if magic != _MAGIC or length != len(payload) or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def _write_entry(path: str, payload: bytes) -> None:
    import tempfile  # (on a cache miss only: start-up time)

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".o", dir=directory)
    except OSError:
        return  # an unwritable cache is not an error: we just do not cache
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_HEADER.pack(_MAGIC, len(payload), hashlib.sha256(payload).digest()))
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _engine_from_object(obj: bytes) -> Any:
    llvm = _llvm()
    empty = llvm.parse_assembly("")
    empty.triple = _state["triple"]
    engine = llvm.create_mcjit_compiler(empty, _state["target_machine"])
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    return engine


def _optimize(module: Any) -> None:
    llvm = _llvm()
    pto = llvm.create_pipeline_tuning_options(3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(_state["target_machine"], pto)
    pm = pb.getModulePassManager()
    pm.run(module, pb)


def _build_object(ir: str, name: str) -> bytes:
    llvm = _llvm()
    module = llvm.parse_assembly(ir)
    module.name = name
    module.triple = _state["triple"]
    module.data_layout = str(_state["target_machine"].target_data)
    module.verify()
    _optimize(module)
    return _state["target_machine"].emit_object(module)


def _debug(debug: int, level: int, msg: str) -> None:
    if debug >= level:
        print(f"[lazynp.compiler] {msg}", file=sys.stderr)


def compile_ir(ir: str, name: str = "module", cache_dir: str | None = None,
               debug: int = 0) -> Library:
    """Compile LLVM IR text for the host and return the loaded :class:`Library`.

    The settings come from the caller (``settings_of(config)`` gives lazynp's): ``cache_dir``
    is the on-disk cache's directory (None: no disk cache; the in-memory cache is always
    used), ``debug`` the debug level (1 rejected cache entries, 2 compile times, 4 the IR).
    Raises ``RuntimeError`` (from llvmlite) if the IR does not parse or verify.
    """
    mem_key = hashlib.sha256(ir.encode()).hexdigest()
    lib = _memory.get(mem_key)
    if lib is not None:
        stats["memory_hits"] += 1
        return lib
    with _lock:
        lib = _memory.get(mem_key)
        if lib is not None:
            stats["memory_hits"] += 1
            return lib
        _llvm()
        _debug(debug, 4, f"LLVM IR for {name}:\n{ir}")  # (also when the object comes from disk)
        path = cache_path_for(ir, cache_dir) if cache_dir is not None else None
        obj = None
        if path is not None and os.path.exists(path):
            obj = _read_entry(path)
            if obj is None:
                stats["rejected"] += 1
                _debug(debug, 1, f"rejected corrupt cache entry {path}")
        t0 = time.perf_counter()
        source = "disk"
        if obj is not None:
            try:
                engine = _engine_from_object(obj)
                stats["disk_hits"] += 1
            except Exception:
                stats["rejected"] += 1
                obj = None
        if obj is None:
            source = "compiled"
            obj = _build_object(ir, name)
            stats["compiled"] += 1
            if path is not None:
                _write_entry(path, obj)
            engine = _engine_from_object(obj)
        _debug(debug, 2, f"{name}: {source} in {1e3 * (time.perf_counter() - t0):.1f} ms")
        lib = Library(engine, name, source)
        _memory[mem_key] = lib
        return lib


def clear_memory_cache() -> None:
    """Forget in-memory Libraries (for tests; addresses taken earlier stay valid)."""
    with _lock:
        _keep_alive.extend(_memory.values())
        _memory.clear()


# Libraries dropped from the memory cache are kept alive: callers may still hold addresses.
_keep_alive: list[Library] = []


def settings_of(config: object) -> dict:
    """``compile_ir``'s keyword arguments from lazynp's settings (``config.cache``,
    ``config.cache_dir``, ``config.debug``): for callers that read the settings module."""
    return {"cache_dir": config.cache_dir if config.cache else None,
            "debug": int(config.debug)}
