"""The one way lazynp writes LLVM text constants (the CPU renderer, the vector-math library and
the random module's kernels all format floats through here).

LLVM writes a ``double`` or ``float`` constant as the 64-bit pattern of the double with the
same value (exact for a float32 value), a ``half`` one as ``0xH`` and its 16 bits, an ``i64``
one as a signed decimal (``iconst64``: an unsigned 64-bit value above 2**63 is negative).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fconst", "f64_bits", "iconst64"]

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
