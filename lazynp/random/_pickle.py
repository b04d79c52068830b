"""Pickling helpers of lazynp.random, as ``numpy.random._pickle``.

The ``__reduce__`` of lazynp's bit generators, Generator and RandomState name these functions,
so a pickle rebuilds lazynp objects.  They take the same arguments as NumPy's: a bit generator
class or instance, or (pickles of NumPy < 2.0 style) a bit generator *name*.  A script run
with ``python -m lazynp run`` that imports ``numpy.random._pickle`` gets this module.
"""

from __future__ import annotations

# (each constructor is defined with the class it makes, whose ``__reduce__`` names it; its
# ``__module__`` is this module, so pickles name it here, as NumPy's name
# ``numpy.random._pickle``)
from lazynp.random._bitgen import BitGenerators, __bit_generator_ctor, bit_generator_ctor
from lazynp.random._generator import __generator_ctor, generator_ctor
from lazynp.random._legacy import __randomstate_ctor, randomstate_ctor

__all__ = ["BitGenerators", "__bit_generator_ctor", "__generator_ctor", "__randomstate_ctor",
           "bit_generator_ctor", "generator_ctor", "randomstate_ctor"]
