"""``lazynp.broadcast``: NumPy's broadcast object, or one over forced lazynp arrays whose
``iters`` are flat iterators based on those arrays (a class of its own because NumPy's
``broadcast`` cannot be subclassed; ``isinstance`` answers for NumPy's objects too)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ._array import flatiter, ndarray

__all__ = ["broadcast"]


class _BroadcastType(type):
    """``isinstance(b, lazynp.broadcast)`` holds for NumPy's broadcast objects too."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, np.broadcast)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, np.broadcast) or type.__subclasscheck__(cls, sub)


class broadcast(metaclass=_BroadcastType):
    """NumPy's ``broadcast``: NumPy's own object unless a lazynp array is among the
    arguments; then the arguments are forced and its ``iters`` are flat iterators whose
    ``base`` is the argument, as NumPy's (``isinstance(b, numpy.broadcast)``)."""

    __slots__ = ("_b", "_args")

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        for a in args:
            if type(a) is ndarray or type(a) is broadcast:
                return object.__new__(cls)
        return np.broadcast(*args, **kwargs)  # (the small tier: NumPy's object)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        originals: list = []
        np_args = []
        for a in args:
            t = type(a)
            if t is broadcast:
                originals.extend(a._args)
                np_args.append(a._b)
            elif t is np.broadcast:
                originals.extend([None] * a.numiter)
                np_args.append(a)
            else:
                originals.append(a)
                np_args.append(a._value() if t is ndarray else a)
        self._b = np.broadcast(*np_args, **kwargs)
        self._args = tuple(originals)

    @property
    def __class__(self) -> type:  # type: ignore[override]
        return np.broadcast

    @property
    def iters(self) -> tuple:
        return tuple(flatiter(a, it) if type(a) is ndarray else it
                     for a, it in zip(self._args, self._b.iters))

    shape = property(lambda self: self._b.shape)
    ndim = property(lambda self: self._b.ndim)
    nd = property(lambda self: self._b.nd)
    numiter = property(lambda self: self._b.numiter)
    size = property(lambda self: self._b.size)
    index = property(lambda self: self._b.index)

    def reset(self, /) -> None:
        self._b.reset()

    def __iter__(self) -> broadcast:
        return self

    def __next__(self) -> tuple:
        return next(self._b)


broadcast.__doc__ = np.broadcast.__doc__
broadcast.__signature__ = inspect.signature(np.broadcast)  # (*arrays), NumPy's
