"""The random kernels: their table, one LLVM module per kernel, compiled and cached on first use.

Modules
-------
One LLVM module per (bit generator kind, kernel): ``render_kernel(kind, name)`` = the kind's
prelude (state layout, ``next64``/``next32``/``next_double``/``next_float``: ``_ir_bitgen``),
the shared primitives (ziggurat, bounded integers: ``_ir_common``), and the one kernel (a map
kernel, a lane or chunked fill of ``_ir_lanes``, or a DSL kernel with only the DSL functions
it reaches).  ``KernelSet.fn[name]`` compiles, or loads from the disk cache, on first use, so a
process pays only for the kernels it calls (``default_rng().random(n)`` is one ~40 ms module
cold, ~1 ms from the disk cache).

Kernel ABI
----------
Map kernels are ``void k(ptr st, ptr out, i64 n, ...)`` with C linkage:

* ``st`` points to the bit generator's state block, little-endian uint64 words:
  ``[state_lo, state_hi, inc_lo, inc_hi, has_uint32, uinteger]`` (PCG64, PCG64DXSM; SFC64 the
  same shape with its four words), thirteen words for Philox (``_philox.py``), 624 + 2 uint32
  for MT19937.  The kernel loads it into registers, generates ``n`` values in memory order into
  ``out`` and stores the advanced state back.  Passing a *copy* of the state advanced to a
  block's offset generates that block ``[start, stop)`` of the stream into any buffer: this is
  how the parallel fill works, and what a lazy source node will use to compute draws inside a
  consumer kernel.
* Per-element parameters are passed as ``(ptr p, i64 stride)`` pairs, stride counted in
  elements; a scalar parameter is a one-element buffer with stride 0.
* Integer kernels receive ``rng`` and ``off`` as uint64 buffers and store ``off + value``
  truncated to the output width (NumPy's ``random_bounded_*`` / ``random_buffered_bounded_*``).
  The small-type buffers of the 16-bit, 8-bit and bool kernels live for one call, as NumPy's
  per-call ``bcnt``/``buf``.
* DSL map kernels (``_dists.py``, ``k_<name>``) take one more pointer, ``aux``, after ``n``.
  DSL whole-call kernels (``x_<name>``: multinomial, dirichlet, multivariate hypergeometric)
  are ``void lz_<name>(ptr st, args...)`` with the DSL function's own parameters.

For PCG64/PCG64DXSM the fixed-consumption kernels (``random``, ``raw``, scalar ``uniform``,
full-range ``integers``) run LANES interleaved LCG chains (see ``_lane_fill``).

Floating point follows NumPy's C exactly: no fast-math flags, no ``contract``, separate
``fmul``/``fadd`` (two roundings), and the C library's ``exp``/``log1p``/``expf``/``log1pf``.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

from lazynp._config import config
from lazynp.codegen_cpu import llvm_text
from lazynp.random import _philox
from lazynp.random._ir_bitgen import (
    _BG64,
    _INTERFACE,
    _NEXT64,
    _tables,
    derived_draws,
)
from lazynp.random._ir_common import (
    _ALIGN,
    _SHUFFLE,
    _common,
    _map_kernel,
)
from lazynp.random._ir_lanes import (
    _LANE_MULT,
    _LANE_SPECS,
    _MT_CONV,
    _lane_fill,
    _mt_chunked,
)

# Loaded on the first kernel build, not at ``import lazynp.random`` (start-up: small requests run
# NumPy's own methods and never build a kernel): the DSL translator and its source (``_dsl``,
# ``_dists``) and the LLVM compiler (``lazynp.codegen_cpu.compiler``).  None of them imports
# this module.

# kernel name -> (out type, draw function, parameter types, per-call small buffer)
KERNELS: dict[str, tuple[str, str, list[str], bool]] = {
    "raw": ("i64", "draw_raw", [], False),
    "random_f64": ("double", "next_double", [], False),
    "random_f32": ("float", "next_float", [], False),
    "uniform": ("double", "draw_uniform", ["double", "double"], False),
    "std_normal_f64": ("double", "draw_normal", [], False),
    "std_normal_f32": ("float", "draw_normal_f", [], False),
    "normal": ("double", "draw_normal_ls", ["double", "double"], False),
    "std_exp_f64": ("double", "draw_exp", [], False),
    "std_exp_f32": ("float", "draw_exp_f", [], False),
    "exponential": ("double", "draw_exp_s", ["double"], False),
    "std_exp_inv_f64": ("double", "draw_exp_inv", [], False),
    "std_exp_inv_f32": ("float", "draw_exp_inv_f", [], False),
    "int64": ("i64", "bnd64", ["i64", "i64"], False),
    "int32": ("i32", "bnd32", ["i64", "i64"], False),
    "int16": ("i16", "bnd16", ["i64", "i64"], True),
    "int8": ("i8", "bnd8", ["i64", "i64"], True),
    "bool": ("i8", "bndbool", ["i64", "i64"], True),
}


@functools.lru_cache(maxsize=None)
def _dsl_translated() -> dict:
    """The DSL source translated to IR, with the kernel signatures.

    Translation takes ~30 ms of Python, and a warm process needs the IR text only to find its
    compiled objects in the disk cache; so the result is kept on disk too, keyed by the hash
    of the DSL source and of the translator (``_dists.FILES``, ``_dsl.py`` and the emitter
    core it writes through, ``codegen_cpu/llvm_text.py``).
    """
    import hashlib
    import json
    import os

    from lazynp.random import _dists, _dsl  # (lazy: see the imports at the top)

    h = hashlib.sha256()
    for file in (*_dists.FILES, _dsl.__file__, llvm_text.__file__):
        with open(file, "rb") as f:
            h.update(f.read())
    path = None
    try:
        if config.cache:
            path = os.path.join(config.cache_dir, "llvm", f"dsl-{h.hexdigest()}.json")
            with open(path) as f:
                return json.load(f)
    except (OSError, ValueError):
        pass
    ir, funcs = _dsl.compile_source(_dists.SOURCE, tables=_dists.TABLES)
    kern = {}
    calls = {}
    for name, fn in funcs.items():
        if name.startswith("k_"):
            elem = fn.params[1:]
            has_aux = bool(elem) and elem[0][0] == "aux"
            kern[name[2:]] = (fn.ret, fn.params, has_aux, len(elem) - int(has_aux))
        elif name.startswith("x_"):
            calls[name[2:]] = fn.params[1:]
    data = {"ir": ir, "kern": kern, "calls": calls}
    if path is not None:
        try:
            import tempfile

            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(data, f)
            os.replace(tmp, path)
        except OSError:
            pass
    return json.loads(json.dumps(data))  # the same (list) shapes as when read back


def _dsl_parts() -> tuple[str, dict]:
    """IR of the DSL source and its map kernels {name: (ret, params, has_aux, n_params)}."""
    d = _dsl_translated()
    return d["ir"], d["kern"]


def _dsl_calls() -> dict[str, list]:
    """Whole-call kernels of the DSL source (``x_<name>``): {name: parameters after bg}."""
    return _dsl_translated()["calls"]


@functools.lru_cache(maxsize=None)
def _dsl_chunks() -> tuple[dict[str, str], dict[str, set[str]], str]:
    """The DSL IR split into functions {name: text}, their callees, and the rest."""
    import re

    ir = _dsl_parts()[0]
    chunks: dict[str, str] = {}
    rest = []
    cur: list[str] | None = None
    name = ""
    for line in ir.split("\n"):
        if cur is None:
            m = re.match(r"define (?:internal )?\S+ @([\w.]+)\(", line)
            if m:
                name = m.group(1)
                cur = [line]
            else:
                rest.append(line)
        else:
            cur.append(line)
            if line == "}":
                chunks[name] = "\n".join(cur) + "\n"
                cur = None
    deps = {n: set(re.findall(r"@([\w.]+)\(", t)) & set(chunks) - {n}
            for n, t in chunks.items()}
    return chunks, deps, "\n".join(rest)


def _dsl_ir_for(root: str) -> str:
    """Only the DSL functions reachable from ``root`` (smaller modules compile faster)."""
    chunks, deps, rest = _dsl_chunks()
    seen = set()
    todo = [root]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(deps[n])
    return "".join(chunks[n] for n in sorted(seen)) + rest + "\n"


def _prelude(kind: str) -> str:
    if kind in _NEXT64:
        return _BG64 + _NEXT64[kind]
    if kind == "mt19937":
        from lazynp.random import _dists  # (lazy: see the imports at the top)
        from lazynp.random._dsl import compile_source

        return _dists.MT19937_STATE + compile_source(_dists.MT19937)[0]
    if kind == "philox":
        return _philox.PRELUDE + derived_draws(f"i64, ptr %bg, i64 {_philox.HAS}",
                                               f"i64, ptr %bg, i64 {_philox.UINT}")
    raise ValueError(f"no kernels for bit generator kind {kind!r}")


def _dedupe_declares(text: str) -> str:
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        if line.startswith("declare "):
            if line in seen:
                continue
            seen.add(line)
        lines.append(line)
    return "\n".join(lines)


_SPECIAL = {"shuffle_interval", "shuffle_lemire"}

def render_kernel(kind: str, name: str) -> str:
    """The LLVM module holding kernel ``lz_<name>`` for bit generator ``kind``.

    One module per kernel, so a process compiles (or loads from the disk cache) only the
    kernels it calls: ``default_rng().random(n)`` costs one small module, not every
    distribution.
    """
    from lazynp.random import _dsl  # (lazy: see the imports at the top)

    parts = [_prelude(kind), _common(), _tables()]
    if name == "interface":
        parts.append(_INTERFACE)
    elif name in KERNELS:
        ty, fn, params, small = KERNELS[name]
        if kind in _LANE_MULT and name in _LANE_SPECS:
            parts.append(_lane_fill(kind, name, ty, fn, params))
        elif kind == "mt19937" and name in _MT_CONV:
            parts.append(_mt_chunked(name))
        else:
            parts.append(_map_kernel("lz_" + name, ty, fn, params, small, _ALIGN[ty]))
    elif name in _SPECIAL:
        parts.append(_SHUFFLE)
    elif name in _dsl_calls():
        parts += [_dsl_ir_for("x_" + name), _dsl.call_kernel(name, _dsl_calls()[name])]
    else:
        ret, params, _aux, _np = _dsl_parts()[1][name]
        parts += [_dsl_ir_for("k_" + name), _dsl.map_kernel("k_" + name, ret, params)]
    return _dedupe_declares("".join(parts))


def render(kind: str) -> str:
    """Every kernel of bit generator ``kind`` in one module (for inspection and tests)."""
    from lazynp.random import _dsl  # (lazy: see the imports at the top)

    parts = [_prelude(kind), _common(), _tables(), _SHUFFLE]
    dsl_ir, dsl_kernels = _dsl_parts()
    parts.append(dsl_ir)
    for name, (ty, fn, params, small) in KERNELS.items():
        if kind in _LANE_MULT and name in _LANE_SPECS:
            parts.append(_lane_fill(kind, name, ty, fn, params))
        elif kind == "mt19937" and name in _MT_CONV:
            parts.append(_mt_chunked(name))
        else:
            parts.append(_map_kernel("lz_" + name, ty, fn, params, small, _ALIGN[ty]))
    for name, (ret, params, _aux, _np) in dsl_kernels.items():
        parts.append(_dsl.map_kernel("k_" + name, ret, params))
    for name, params in _dsl_calls().items():
        parts.append(_dsl.call_kernel(name, params))
    return _dedupe_declares("".join(parts))


class _LazyFns(dict):
    """name -> ctypes callable, compiled (or loaded from the disk cache) on first lookup."""

    def __init__(self, owner: KernelSet) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, name: str) -> Any:
        with _sets_lock:
            if dict.__contains__(self, name):
                return dict.__getitem__(self, name)
            fn = self._owner._load(name)
            self[name] = fn
            return fn


class KernelSet:
    """ctypes callables of one bit generator kind's kernels (``fn[name]``), compiled lazily."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.fn = _LazyFns(self)
        self.libs: dict[str, Any] = {}

    @staticmethod
    def is_dsl(name: str) -> bool:
        """True for map kernels transcribed through the DSL (they take the ``aux`` pointer)."""
        return name not in KERNELS and name not in _SPECIAL

    def interface_lib(self) -> Any:
        """The compiled ``lz_next_uint64``/``lz_next_uint32``/``lz_next_double`` (C ABI,
        ``(ptr st)``) of the ``ctypes`` interface, compiled on first use."""
        from lazynp.codegen_cpu.compiler import compile_ir, settings_of  # (lazy: see the top)

        with _sets_lock:
            lib = self.libs.get("interface")
            if lib is None:
                lib = self.libs["interface"] = compile_ir(
                    render_kernel(self.kind, "interface"),
                    name=f"lazynp_random_{self.kind}_interface", **settings_of(config))
            return lib

    def _load(self, name: str) -> Any:
        from lazynp.codegen_cpu.compiler import compile_ir, settings_of  # (lazy: see the top)

        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        if name in KERNELS:
            argtypes = [vp, vp, i64] + [vp, i64] * len(KERNELS[name][2])
        elif name in _SPECIAL:
            argtypes = [vp, vp, i64, i64]
        elif name in _dsl_calls():
            argtypes = [vp] + [vp if t.startswith("p_") else i64 for _n, t in _dsl_calls()[name]]
        elif name in _dsl_parts()[1]:
            argtypes = [vp, vp, i64, vp] + [vp, i64] * _dsl_parts()[1][name][3]
        else:
            raise KeyError(name)
        lib = compile_ir(render_kernel(self.kind, name), name=f"lazynp_random_{self.kind}_{name}",
                         **settings_of(config))
        self.libs[name] = lib
        return lib.cfunc("lz_" + name, None, *argtypes)


_sets: dict[str, KernelSet] = {}
_sets_lock = threading.RLock()


def kernels(kind: str) -> KernelSet:
    ks = _sets.get(kind)
    if ks is None:
        with _sets_lock:
            ks = _sets.get(kind)
            if ks is None:
                ks = KernelSet(kind)
                _sets[kind] = ks
    return ks
