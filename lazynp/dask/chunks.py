"""lazynp arrays as the chunks of a ``dask.array`` (docs/scale.md, "Dask").

A ``dask.array.Array`` may hold lazynp arrays as its chunks: Dask's blockwise machinery calls
NumPy's functions and operators on each chunk, and a lazynp chunk hands them to lazynp
(NEP 13 / NEP 18), which records them.  Dask's blockwise optimisation
(``dask.array.optimization``: ``optimize_blockwise`` and ``fuse``) gives each chunk of an
elementwise chain one task that runs the whole chain, so the chain is recorded as one pending
lazynp graph per chunk and fused into one kernel when the chunk is forced:

* on ``distributed``, right after the task, in the worker thread that ran it (the worker asks
  the result's size, ``sizeof``, which forces a lazynp array), and in any case before it is
  pickled for another process (``LazyArray.__reduce__`` forces);
* on Dask's local schedulers (threads, sync), a task's result is handed to the next task as it
  is, pending: the chunks' graphs grow across tasks and are forced together when the result is
  used (one force for the whole computation, each kernel run on lazynp's own worker pool),
  unless ``force_blocks`` makes every task force its chunk.

The tier rule applies to chunks as to any array: a chunk is lazy (recorded, fused) only when
lazynp hands it out as a ``LazyArray``, that is, at least ``config.eager_threshold`` elements
(2,097,152 by default; ``LAZYNP_EAGER_THRESHOLD`` / ``lazynp.config(eager_threshold=...)`` lower
it, in each worker process).  Smaller chunks are NumPy's own arrays and run as NumPy runs them.

Dask's ``meta`` of such an array is a concrete 0-size ``LazyArray``: a 0-size array made
from a lazynp array is one (docs/tiers.md, the tier rule's exception), so it stays one through
Dask's meta computations (ufuncs, operators, ``where``, ``astype``, reductions with
``keepdims``, ``concatenate``...), and ``da.ones(shape, meta=x._meta)`` (``ones_like`` of the
meta, broadcast) makes lazynp chunks.  Dask dispatches on the meta's type (``concatenate``,
``tensordot``...) to NumPy's functions, which are lazynp's and hand lazynp chunks over to it.

Nothing here is imported by ``import lazynp``; Dask is imported on the first call.
"""

from __future__ import annotations

from typing import Any

from .._api.creation import array as _lazynp_array
from .._array import ndarray as LazyArray
from .._array import to_numpy
from .._engine import stats

__all__ = ["force_blocks", "from_array", "kernels_per_block"]


def from_array(x: Any, chunks: Any = "auto", **kwargs: Any) -> Any:
    """A ``dask.array`` whose chunks are lazynp arrays, cut from ``x``.

    A lazynp array is sliced lazily (``dask.array.from_array(x, chunks, asarray=False)``: a
    chunk is a view of ``x``'s memory, or a view node of a pending ``x``).  Anything else
    (a NumPy array, a memory map, an ``h5py`` dataset...) is read a chunk at a time and copied
    into lazynp memory in the task that reads it (``lazynp.array``; lazynp never takes over
    memory it did not allocate), so the chunk is lazy-tier when it is large enough.
    ``kwargs`` go to ``dask.array.from_array`` (``name``, ``lock``, ``inline_array``...).
    """
    import dask.array as da

    if type(x) is LazyArray:
        return da.from_array(x, chunks=chunks, asarray=False, **kwargs)
    arr = da.from_array(x, chunks=chunks, asarray=False, **kwargs)
    return arr.map_blocks(_copy_in, dtype=arr.dtype, meta=arr._meta)


def _copy_in(block: Any) -> Any:
    return _lazynp_array(to_numpy(block))


def force_blocks(x: Any) -> Any:
    """``x`` (a ``dask.array``) with each chunk forced by the task that computes it.

    Blockwise: Dask's optimisation fuses it into the task of the chain before it, so the task
    records the chain on its chunk, forces it (one fused kernel per chunk where the chain is
    elementwise) and hands on a concrete array.  On the local threaded scheduler this makes
    Dask's threads compute the chunks in parallel, instead of one force at the end."""
    return x.map_blocks(_force, dtype=x.dtype, meta=x._meta)


def _force(block: Any) -> Any:
    if type(block) is LazyArray:
        block.force()
    return block


def kernels_per_block(x: Any) -> Any:
    """A ``dask.array`` of the number of fused kernels each chunk of ``x`` took: one entry per
    chunk, with ``x``'s block structure (each axis of length its number of blocks).

    Each task records ``x``'s chain on its chunk, forces it and reports how much
    ``lazynp.stats()["kernels"]`` grew meanwhile (the counter is per process: exact where one
    thread runs tasks, as on a worker with one thread or on the ``sync`` scheduler).  This is
    how the tests check that Dask hands a task the whole chain: one kernel per chunk."""
    import numpy as np

    def count(block: Any) -> Any:
        before = stats()["kernels"]
        if type(block) is LazyArray:
            block.force()
        return np.full((1,) * ndim, stats()["kernels"] - before)

    ndim = x.ndim
    return x.map_blocks(count, dtype=np.int64, chunks=tuple((1,) * len(c) for c in x.chunks),
                        meta=np.empty((0,) * ndim, np.int64))
