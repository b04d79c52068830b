"""Pickling helpers of lazynp.random, as ``numpy.random._pickle``.

The ``__reduce__`` of lazynp's bit generators, Generator and RandomState name these functions,
so a pickle rebuilds lazynp objects.  They take the same arguments as NumPy's: a bit generator
class or instance, or (pickles of NumPy < 2.0 style) a bit generator *name*.  A script run
with ``python -m lazynp run`` that imports ``numpy.random._pickle`` gets this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lazynp.random._bitgen import MT19937, PCG64, PCG64DXSM, SFC64, BitGenerator, Philox

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


def __generator_ctor(bit_generator_name: Any = "MT19937",
                     bit_generator_ctor: Any = __bit_generator_ctor) -> Any:
    """A Generator on the given bit generator, or on a new one of the given name."""
    from lazynp.random._generator import Generator

    if isinstance(bit_generator_name, (BitGenerator, np.random.BitGenerator)):
        return Generator(bit_generator_name)
    return Generator(bit_generator_ctor(bit_generator_name))


def __randomstate_ctor(bit_generator_name: Any = "MT19937",
                       bit_generator_ctor: Any = __bit_generator_ctor) -> Any:
    """A RandomState on the given bit generator, or on a new one of the given name."""
    from lazynp.random._legacy import RandomState

    if isinstance(bit_generator_name, (BitGenerator, np.random.BitGenerator)):
        return RandomState(bit_generator_name)
    return RandomState(bit_generator_ctor(bit_generator_name))


# Names without the leading double underscore, for use inside class bodies (where
# ``_pickle.__generator_ctor`` would be name-mangled).
bit_generator_ctor = __bit_generator_ctor
generator_ctor = __generator_ctor
randomstate_ctor = __randomstate_ctor
