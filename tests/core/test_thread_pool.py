"""lazynp._threads: the one worker pool of compiled kernels and random fills."""

import os
import threading

import pytest

from lazynp import _threads


def test_results_in_order_and_calls_on_other_threads():
    names = _threads.run_parallel([lambda i=i: (i, threading.current_thread().name)
                                   for i in range(3)])
    assert [i for i, _ in names] == [0, 1, 2]
    assert names[0][1] == threading.current_thread().name
    assert {n for _, n in names[1:]} == {"lazynp-worker"}


def test_an_exception_is_raised_after_every_call_ended():
    ended = []

    def ok():
        ended.append(1)
        return 1

    def bad():
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        _threads.run_parallel([ok, bad, ok])
    assert len(ended) == 2
    assert _threads.run_parallel([ok, ok]) == [1, 1]  # the pool still works


def test_a_second_dispatching_thread_runs_its_calls_itself():
    inside = threading.Event()
    release = threading.Event()

    def blocker():
        inside.set()
        release.wait(10)
        return "a"

    out = {}
    t = threading.Thread(target=lambda: out.setdefault("a", _threads.run_parallel(
        [lambda: "first", blocker])))
    t.start()
    assert inside.wait(10)
    here = threading.current_thread().name
    got = _threads.run_parallel([lambda: threading.current_thread().name] * 2)
    assert got == [here, here]  # the workers are busy: no waiting for them
    release.set()
    t.join(10)
    assert out["a"] == ["first", "a"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_workers():
    _threads.run_parallel([lambda: 0, lambda: 1])
    pid = os.fork()
    if pid == 0:  # the child: a pool without the parent's threads must still work
        ok = _threads.run_parallel([lambda: 0, lambda: 1]) == [0, 1]
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
