"""A lazynp view of a NumPy bit generator, so ``default_rng(np_generator)`` stays in step.

For bit generator types lazynp compiles (PCG64, PCG64DXSM) the wrapper is NumPy-backed like
lazynp's own PCG64: it shares the NumPy object's lock, small requests run NumPy's methods on it,
and kernels copy its state memory in before each call and back after it, so both objects
continue one stream.  Other types have no native kernels: a Generator
around them delegates every method to ``numpy.random.Generator`` on the same NumPy object.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lazynp.random._bitgen import BitGenerator
from lazynp.random._ir_bitgen import DXSM_MULT, PCG_MULT
from lazynp.random._wrap import wrap_result

_NATIVE = {"PCG64": ("pcg64", PCG_MULT), "PCG64DXSM": ("pcg64dxsm", DXSM_MULT)}


class ForeignBitGenerator(BitGenerator):
    """Wraps a ``numpy.random.BitGenerator``; its state stays the NumPy object's state."""

    def __init__(self, foreign: np.random.BitGenerator) -> None:  # noqa: D107
        self._foreign = foreign
        self.lock = foreign.lock
        self._seed_seq = getattr(foreign, "seed_seq", None)
        name = type(foreign).__name__
        self._name = name
        self._native = name in _NATIVE
        if self._native:
            self._kind, self._mult = _NATIVE[name]
            self._np = foreign  # NumPy-backed: kernels sync with its state memory

    @property
    def state(self) -> dict:
        return self._foreign.state

    @state.setter
    def state(self, value: dict) -> None:
        self._foreign.state = value

    def advance(self, delta: int) -> ForeignBitGenerator:
        self._foreign.advance(delta)
        return self

    def jumped(self, jumps: int = 1) -> ForeignBitGenerator:
        return ForeignBitGenerator(self._foreign.jumped(jumps))

    def spawn(self, n_children: int) -> list:
        return [ForeignBitGenerator(g) for g in self._foreign.spawn(n_children)]

    def random_raw(self, size: Any = None, output: bool = True) -> Any:
        if not self._native:
            return wrap_result(self._foreign.random_raw(size, output))
        return super().random_raw(size, output)

    def _numpy_twin(self) -> np.random.Generator:
        return np.random.Generator(self._foreign)

    @property
    def numpy(self) -> np.random.BitGenerator:
        """The wrapped NumPy bit generator."""
        return self._foreign

    def __repr__(self) -> str:
        return f"<lazynp view of {self._foreign!r}>"
