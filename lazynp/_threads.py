"""lazynp's one thread pool: compiled kernels and random fills split over worker threads.

``run_parallel(calls)`` runs ``calls[0]`` on the calling thread and each other call on a worker
thread of its own, and returns their results in order (the first exception raised, if any, is
raised after every call ended).  The calls are expected to spend their time in ctypes calls of
compiled code, which release the GIL.

Workers are plain threads that sleep on a lock of their own; handing one a call is a lock
release and waiting for it a lock acquire (measured on the 2-core development VM: about 14 µs
for a round trip, against 25-45 µs for ``concurrent.futures.ThreadPoolExecutor``'s futures).
One dispatch runs at a time: a second Python thread that asks while the workers are busy runs
its calls one after the other itself, so user threads never wait for each other here.  The
pool grows to the largest number of workers asked for; after ``os.fork`` the child starts with
none (the parent's threads do not exist there).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

__all__ = ["run_parallel"]


class _Worker:
    __slots__ = ("go", "done", "call", "result", "error")

    def __init__(self) -> None:
        self.go = threading.Lock()
        self.go.acquire()
        self.done = threading.Lock()
        self.done.acquire()
        self.call: Callable[[], Any] | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        threading.Thread(target=self._loop, name="lazynp-worker", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.go.acquire()
            call = self.call
            self.call = None
            try:
                self.result = call()
            except BaseException as e:  # (handed to the dispatching thread)
                self.error = e
            call = None  # (an idle worker must not keep the call's arrays alive)
            self.done.release()


_workers: list[_Worker] = []
_dispatch = threading.Lock()


def _reset_after_fork() -> None:
    global _dispatch
    _workers.clear()
    _dispatch = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def run_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """The results of ``calls``, the first run on this thread, each other on a worker."""
    if len(calls) <= 1 or not _dispatch.acquire(blocking=False):
        return [c() for c in calls]
    try:
        while len(_workers) < len(calls) - 1:
            _workers.append(_Worker())
        used = _workers[:len(calls) - 1]
        for w, c in zip(used, calls[1:]):
            w.call = c
            w.go.release()
        results = [None] * len(calls)
        error = None
        try:
            results[0] = calls[0]()
        except BaseException as e:
            error = e
        for i, w in enumerate(used, 1):
            w.done.acquire()
            results[i] = w.result
            w.result = None
            if w.error is not None and error is None:
                error = w.error
            w.error = None
        if error is not None:
            raise error
        return results
    finally:
        _dispatch.release()
