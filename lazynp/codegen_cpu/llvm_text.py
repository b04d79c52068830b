"""The LLVM text vocabulary of lazynp's CPU code: how constants are written (the CPU
renderer, the vector-math library and the random module's kernels all format floats through
here), the LLVM type of each NumPy dtype, the x86 ``<fenv.h>`` flag bits kernels return, and
``Unsupported`` (what the renderer raises for a dtype or op it does not handle).

LLVM writes a ``double`` or ``float`` constant as the 64-bit pattern of the double with the
same value (exact for a float32 value), a ``half`` one as ``0xH`` and its 16 bits, an ``i64``
one as a signed decimal (``iconst64``: an unsigned 64-bit value above 2**63 is negative).

``ModuleText`` and ``FnText`` are the emitter core every LLVM-text writer of lazynp builds
on (the CPU renderer's ``ir_module._Fn``/``_Module``, ``vmath._Builder``, the random
module's DSL translator ``_dsl.FuncGen``/``Compiler``): a function's lines, its fresh SSA
names and labels, and the module's declarations, collected once however often they are
asked for.
"""

from __future__ import annotations

import numpy as np

from ..fusion.plan import Unsupported  # (backend-neutral: re-exported for the renderer)

__all__ = ["FE_DIVBYZERO", "FE_INVALID", "FE_MASK", "FE_OVERFLOW", "FE_REDO", "FE_UNDERFLOW",
           "FnText", "ModuleText", "Unsupported", "const_array", "f64_bits", "fconst",
           "iconst64", "supported_dtype"]


_LL = {"b": "i1", "f2": "half", "f4": "float", "f8": "double", "i1": "i8", "i2": "i16",
       "i4": "i32", "i8": "i64", "u1": "i8", "u2": "i16", "u4": "i32", "u8": "i64",
       "c8": "{ float, float }", "c16": "{ double, double }"}
_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)

# x86 fenv bits
FE_INVALID = 1
FE_DIVBYZERO = 4
FE_OVERFLOW = 8
FE_UNDERFLOW = 16
FE_MASK = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW
# software flag of a min/max row reduction whose result (a zero or NaN) may depend on the
# combine order (``minmax_rows``): the runtime leaves the kernel to the reference executor
FE_REDO = 256


def _code(dt: np.dtype) -> str:
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "b"
    return f"{dt.kind}{dt.itemsize}"


def supported_dtype(dt: np.dtype) -> bool:
    dt = np.dtype(dt)
    return dt.isnative and _code(dt) in _LL


def _ty(dt: np.dtype) -> str:
    """SSA type of a value: ``i1`` for bool, ``half`` for float16, a struct of two floats for
    complex (real, imaginary)."""
    dt = np.dtype(dt)
    if not supported_dtype(dt):
        raise Unsupported(f"dtype {dt}")
    return _LL[_code(dt)]


def _mem_ty(dt: np.dtype) -> str:
    """In-memory type (bool is a byte)."""
    t = _ty(dt)
    return "i8" if t == "i1" else t


def _is_float(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "f"


def _is_complex(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "c"


def _part(dt: np.dtype) -> np.dtype:
    """dtype of each part of a complex dtype."""
    return np.dtype(np.float32 if np.dtype(dt).itemsize == 8 else np.float64)


def _signed(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "i"


def _bits(dt: np.dtype) -> int:
    return np.dtype(dt).itemsize * 8

_FLOAT32 = ("float", "f32")


def fconst(x: float, ty: str = "double") -> str:
    """The LLVM literal of ``x`` as a constant of type ``ty`` (``double``/``f64``,
    ``float``/``f32`` rounded to float32 first, ``half`` rounded to float16)."""
    if ty == "half":
        return "0xH%04X" % np.array(x, dtype=np.float16).view(np.uint16)
    if ty in _FLOAT32:
        x = float(np.float32(x))
    return "0x%016X" % np.array(float(x), dtype=np.float64).view(np.uint64)


def f64_bits(values: np.ndarray) -> list[str]:
    """``fconst`` of every element of a float64 array, as one conversion."""
    bits = np.asarray(values, dtype=np.float64).view(np.uint64)
    return ["0x%016X" % b for b in bits.tolist()]


def iconst64(v: int) -> int:
    """The ``i64`` literal of ``v`` taken mod 2**64, as LLVM writes it: signed decimal."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def const_array(name: str, ty: str, lits: list, linkage: str = "private unnamed_addr",
                align: int | None = 16) -> str:
    """The global ``@name``: a constant array of ``ty`` holding the literals ``lits``."""
    body = ", ".join(f"{ty} {v}" for v in lits)
    tail = "" if align is None else f", align {align}"
    return f"@{name} = {linkage} constant [{len(lits)} x {ty}] [{body}]{tail}"


class ModuleText:
    """Module-level lines of one LLVM module: declarations and globals, each kept once."""

    def __init__(self) -> None:
        self.decls: set[str] = set()

    def declare(self, text: str) -> None:
        self.decls.add(text)

    def declarations(self) -> list[str]:
        """The declarations in a stable order (sorted)."""
        return sorted(self.decls)


class FnText:
    """Lines of one function: fresh SSA names and labels (one counter, ``prefix`` + number),
    instructions, labels; its declarations go to ``mod`` (a module of its own if none)."""

    def __init__(self, mod: ModuleText | None = None, prefix: str = "t") -> None:
        self.mod = ModuleText() if mod is None else mod
        self.lines: list[str] = []
        self.n = 0
        self.prefix = prefix

    def fresh(self, prefix: str | None = None) -> str:
        """A fresh name (no sigil): a label, or the suffix of a value's name."""
        self.n += 1
        return f"{self.prefix if prefix is None else prefix}{self.n}"

    def tmp(self, prefix: str | None = None) -> str:
        """A fresh SSA value name (``%t7``)."""
        return "%" + self.fresh(prefix)

    def emit(self, text: str) -> str:
        """The instruction ``text`` assigned to a fresh value; returns the value's name."""
        r = self.tmp()
        self.lines.append(f"  {r} = {text}")
        return r

    def instr(self, text: str) -> None:
        """An instruction line (its result, if any, named in ``text``)."""
        self.lines.append("  " + text)

    def raw(self, text: str) -> None:
        self.lines.append(text)

    def place(self, label: str) -> None:
        """Start the block ``label``."""
        self.lines.append(f"{label}:")

    def declare(self, text: str) -> None:
        self.mod.declare(text)

    def text(self, head: str, *tail: str) -> str:
        """The function: ``head`` (its ``define`` line), the lines, ``tail``."""
        return "\n".join([head, *self.lines, *tail])
