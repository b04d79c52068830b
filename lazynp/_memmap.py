"""Memory-mapped arrays in the lazy tier: data larger than memory streamed through kernels.

``lazynp.memmap(...)``, ``lazynp.load(path, mmap_mode=...)`` and
``lazynp.lib.format.open_memmap(...)`` make NumPy's ``numpy.memmap``; a mapping of at least
the eager threshold is handed out as a concrete ``lazynp.LazyArray`` whose buffer *is* the
mapping (a plain NumPy view of the ``numpy.memmap``, no copy), so expressions on it are
recorded and forced through the fused kernels, which read the file's pages where they lie
(the OS's page cache, not the process's private memory).  A smaller mapping stays NumPy's
own memmap (the small tier, docs/tiers.md): ``numpy.memmap`` from ``load`` and
``open_memmap``, an instance of its subclass ``lazynp.memmap`` (NumPy's memmap behaviour, for
this class) from ``lazynp.memmap(...)``.  ``lazynp.asarray`` of a large
read-only ``numpy.memmap`` is such an array too (nobody can write that memory behind
lazynp's back); a writeable one stays NumPy's (docs/design.md: lazynp never takes over
memory it does not own).

What a NumPy user expects of a memmap holds for the lazy one: writes go to the file,
``flush()``, ``filename``, ``offset`` and ``mode`` are the ``numpy.memmap``'s, views keep
the mapping alive (their NumPy base chain reaches it), and ``isinstance(m, lazynp.memmap)``
and ``isinstance(m, numpy.memmap)`` hold for every array whose memory is a mapping
(``LazyArray.__class__`` reports ``lazynp.memmap`` for them, ``_array.mapping_of``).

Outputs stream too (``_engine.assign`` writes a value's last kernel straight into its
target): ``m[...] = expr``, ``out=m``, and ``lazynp.save(path, pending)``, which writes the
pending value through a fresh ``open_memmap`` of ``path`` (the array stays pending: reading
it again recomputes it, no full-size buffer is ever made).
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from . import _array, _engine
from ._array import mapping_of, ndarray, wrap
from ._config import EAGER_LIMIT
from ._fallback import OVERRIDES
from .graph.node import pending_subgraph

_np_memmap = np.memmap
_np_open_memmap = np.lib.format.open_memmap


def mapped(mm: Any) -> Any:
    """``mm`` (a ``numpy.memmap``) as handed out: NumPy's own when small or 0-d, else a
    concrete lazynp array whose buffer is the mapping."""
    if not isinstance(mm, _np_memmap) or mm.size < EAGER_LIMIT[0] or not mm.ndim:
        return mm
    # Note: differs from NumPy: a pending expression reads the file when it is forced (a
    # change by another process or through NumPy's own mapping of the file is seen)
    return _lazy_mapping(mm)


def _lazy_mapping(mm: Any) -> ndarray:
    obj = wrap(mm.view(np.ndarray))
    obj._base = mm.base  # (NumPy's ``m.base``: the ``mmap.mmap`` object, or the viewed memmap)
    _array._BASES[id(obj._data)] = obj  # (``m.view().base is m``, as NumPy's)
    mapping = mm.base
    while isinstance(mapping, np.ndarray):
        mapping = mapping.base
    # every lazy mapping of one file is one memory for the write registry: a write through
    # one forces the pending readers of the others first (design rule 4, docs/design.md)
    key = _file_key(mm.filename)
    if key is not None and mapping is not None:
        _engine.alias_root(mapping, _FILES.setdefault(key, -1 - len(_FILES)))
    return obj


# (st_dev, st_ino) of a mapped file -> its identity in the write registry
_FILES: dict[tuple, int] = {}


def _file_key(filename: Any) -> tuple | None:
    try:
        st = os.stat(filename)
    except (OSError, TypeError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


class _MemmapType(type):
    """``isinstance(x, lazynp.memmap)``: NumPy's memmaps and lazynp arrays of mapped memory
    (both report ``numpy.memmap`` as their class)."""

    def __instancecheck__(cls, obj: Any) -> bool:
        if cls is memmap:
            return isinstance(obj, _np_memmap)
        return type.__instancecheck__(cls, obj)  # (a user's subclass: its own instances)

    def __subclasscheck__(cls, sub: Any) -> bool:
        if cls is memmap:
            return issubclass(sub, _np_memmap)
        return type.__subclasscheck__(cls, sub)


class memmap(_np_memmap, metaclass=_MemmapType):
    __doc__ = _np_memmap.__doc__

    def __new__(cls, filename: Any, dtype: Any = np.uint8, mode: str = "r+", offset: int = 0,
                shape: Any = None, order: str = "C") -> Any:
        # (a small one, or a user's subclass of ``np.memmap``: NumPy's memmap of this class)
        mm = _np_memmap.__new__(cls, filename, dtype, mode, offset, shape, order)
        return mapped(mm) if cls is memmap else mm

    # NumPy's memmap methods, for this class (NumPy's keep a subclass's results as they are):
    # computed results are ndarrays, fancy indexing gives an ndarray, views stay memmaps
    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        arr = np.ndarray.__array_wrap__(self, arr, context)
        if self is arr or type(self) is not memmap:
            return arr
        if return_scalar:
            return arr[()]
        return arr.view(np.ndarray)

    def __getitem__(self, index: Any) -> Any:
        res = np.ndarray.__getitem__(self, index)
        if type(res) is memmap and res._mmap is None:
            return res.view(type=np.ndarray)
        return res


_array.MAPPED_CLASS[0] = memmap


def load(file: Any, *args: Any, **kwargs: Any) -> Any:
    res = np.load(file, *args, **kwargs)
    return mapped(res) if type(res) is _np_memmap else res


load.__doc__ = np.load.__doc__


def open_memmap(*args: Any, **kwargs: Any) -> Any:
    return mapped(_np_open_memmap(*args, **kwargs))


open_memmap.__doc__ = _np_open_memmap.__doc__
OVERRIDES["lib.format.open_memmap"] = open_memmap


def asarray_mapped(a: Any) -> Any:
    """``lazynp.asarray(a)`` of a ``numpy.memmap`` ``a``: a large read-only one as a lazynp
    array of the same mapping (no copy), else None (NumPy's ``asarray``)."""
    if a.flags.writeable or a.size < EAGER_LIMIT[0] or not a.ndim:
        return None
    return _lazy_mapping(a)


def save(file: Any, arr: Any, *args: Any, **kwargs: Any) -> None:
    """NumPy's ``save``; a pending lazynp array saved to a path is streamed into the file:
    its last kernel writes into a fresh ``open_memmap`` of the path, block by block."""
    if type(arr) is not ndarray:
        return np.save(file, arr, *args, **kwargs)
    node = arr._node if arr._data is None else None
    if (node is None or node.value is not None or hasattr(file, "write")
            or arr.dtype.hasobject or arr.ndim == 0):
        return np.save(file, arr._value(), *args, **kwargs)
    np.save(io.BytesIO(), np.empty(0, arr.dtype), *args, **kwargs)  # (NumPy's errors)
    path = os.fspath(file)
    if not path.endswith(".npy"):
        path += ".npy"
    fortran = _fortran_order(node)
    if fortran is None or _reads_file(node, path):
        return np.save(file, arr._value(), *args, **kwargs)
    mm = _np_open_memmap(path, mode="w+", dtype=arr.dtype, shape=arr.shape,
                         fortran_order=fortran)
    try:
        _engine.assign(mm.view(np.ndarray), node, held_root=True)
        mm.flush()
    finally:
        del mm
    return None


def _fortran_order(node: Any) -> bool | None:
    """How NumPy's ``save`` would lay out ``node``'s forced value: False (C order), True
    (Fortran order: the planned result is Fortran-contiguous), or None (a plan whose result
    is not written by a kernel: saved the usual way)."""
    plan = _engine.plan_of(node)
    last = plan.steps[-1] if plan.steps else None
    if not isinstance(last, _engine.Kernel) or last.reduction is not None:
        return None if node.op not in _engine._FILLS else False
    perm = last.outputs[0].perm
    nd = len(node.shape)
    return perm is not None and nd > 1 and tuple(perm) == tuple(range(nd - 1, -1, -1))


def _reads_file(node: Any, path: str) -> bool:
    """Whether the computation of ``node`` reads a mapping of the file at ``path`` (which
    writing it in place would change under the kernel)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    for n in pending_subgraph(node):
        for i in n.inputs:
            mm = mapping_of(i.value) if i.value is not None else None
            if mm is not None and mm.filename is not None:
                try:
                    if os.path.samestat(st, os.stat(mm.filename)):
                        return True
                except OSError:
                    continue
    return False


def _mapped_attribute(name: str) -> property:
    def get(self: ndarray) -> Any:
        mm = mapping_of(self._data) if self._data is not None else None
        if mm is None:
            raise AttributeError(f"'numpy.ndarray' object has no attribute '{name}'")
        return getattr(mm, name)
    get.__name__ = name
    return property(get, doc=f"The ``numpy.memmap``'s ``{name}`` (mapped memory only).")


def install(cls: type) -> None:
    """``flush``, ``filename``, ``offset``, ``mode`` (and ``_mmap``) of a lazynp array of
    mapped memory (the ``numpy.memmap``'s); an ``AttributeError`` for other arrays."""
    for name in ("flush", "filename", "offset", "mode", "_mmap"):
        setattr(cls, name, _mapped_attribute(name))
