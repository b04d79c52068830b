"""Keeping freed memory for reuse: page faults are the lazy tier's hidden cost.

The lazy tier keeps more large arrays alive at once than NumPy's statement-by-statement
evaluation (the inputs of a fused kernel, the results of eager fallbacks it reads), and
frees them together.  glibc's allocator then hands the memory back to the system (a freed
chunk at the top of the heap above ``M_TRIM_THRESHOLD``, or an ``mmap``-ed chunk of at least
``M_MMAP_THRESHOLD``), so the next iteration of the user's loop faults every page in again:
on the 2-core development VM a fresh 1 MB array costs about 0.25 ms of page faults, more
than the kernel that fills it (``bench/programs/game_of_life.py``, medium, lazy tier: 0.52 s
as glibc's defaults leave it, 0.22 s with the memory kept; NumPy 0.15 s).

``retain(nbytes)`` asks glibc (``mallopt``) to keep up to ``nbytes`` of freed heap memory
and to serve arrays under 32 MB from the heap (larger ones stay ``mmap``-ed and go back to
the system when freed).  The engine calls it once, when the lazy tier first runs
(``config.malloc_retain``; 0 leaves the allocator alone).  Elsewhere than glibc it does
nothing.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["retain"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_LIMIT = 32 << 20  # glibc's own upper bound for its dynamic mmap threshold (64-bit)
_done: list[int] = []


def retain(nbytes: int) -> bool:
    """Keep up to ``nbytes`` of freed heap memory for reuse (once per process); whether the
    allocator took the settings."""
    if _done or nbytes <= 0 or not sys.platform.startswith("linux"):
        return bool(_done)
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return False
    # (glibc only: musl has no such tunables)
    if not (hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt")):
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    limit = min(int(nbytes), 2**31 - 1)
    ok = bool(mallopt(_M_MMAP_THRESHOLD, min(_MMAP_LIMIT, limit))) and bool(
        mallopt(_M_TRIM_THRESHOLD, limit))
    if ok:
        _done.append(limit)
    return ok
