"""``numpy.random.mtrand`` of lazynp: RandomState, the module functions and ``_rand``, the
global RandomState they use (the current one: ``set_bit_generator`` replaces it)."""

from __future__ import annotations

from typing import Any

from lazynp.random import _legacy
from lazynp.random._legacy import (
    RandomState,
    get_bit_generator,
    ranf,
    sample,
    seed,
    set_bit_generator,
)

globals().update(_legacy.FUNCTIONS)

__all__ = ["RandomState", "get_bit_generator", "ranf", "sample", "seed", "set_bit_generator",
           *_legacy.MODULE_FUNCTIONS]


def __getattr__(name: str) -> Any:
    if name == "_rand":
        return _legacy._rand()
    raise AttributeError(f"module 'lazynp.random.mtrand' has no attribute {name!r}")
