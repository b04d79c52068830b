"""A long loop that never forces explicitly stays bounded (auto-force) and correct."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lazynp as lnp


def test_long_loop_without_force_completes():
    x = lnp.ones(10**6)
    for _ in range(2000):
        x = x * 1.0001 + 1
    # the same elementwise recurrence on one element is NumPy's exact answer
    ref = np.ones(1)
    for _ in range(2000):
        ref = ref * 1.0001 + 1
    assert x.shape == (10**6,)
    assert x.dtype == np.float64
    first = float(x[0])
    assert abs(first - ref[0]) <= 1e-12 * abs(ref[0]), (first, ref[0])
    assert float(x[-1]) == first
    assert float(x[10**6 // 2]) == first


def test_long_loop_small_arrays_lazy():
    with lnp.config(eager_threshold=0):
        x = lnp.array(np.linspace(0, 1, 16))
        ref = np.linspace(0, 1, 16)
        for _ in range(3000):
            x = x * 0.5 + 0.25
            ref = ref * 0.5 + 0.25
        np.testing.assert_array_equal(np.asarray(x), ref)


def test_realized_nodes_release_intermediates():
    import gc
    import weakref

    with lnp.config(eager_threshold=0):
        a = lnp.array(np.arange(1000.0))
        tmp = a * 2
        try:
            ref = weakref.ref(tmp)
        except TypeError:
            return  # lazynp arrays need not support weak references
        out = tmp + 1
        del tmp
        lnp.force(out)
        gc.collect()
        assert ref() is None, "a forced result keeps its (dead) source node alive"
        np.testing.assert_array_equal(np.asarray(out), np.arange(1000.0) * 2 + 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_memory_is_kept_once_the_lazy_tier_runs():
    """``config.malloc_retain``: glibc keeps freed memory for reuse (no page faults for a
    temporary made again in a loop), set once when the lazy tier first runs; 0 leaves the
    allocator alone."""
    code = textwrap.dedent("""
        import numpy, lazynp
        from lazynp import _memory
        before = list(_memory._done)
        with lazynp.config(eager_threshold=0):
            numpy.asarray(lazynp.arange(10) * 2.0)
        print(before, _memory._done, _memory.retain(0))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()[0]
    assert out == f"[] [{256 << 20}] True"
    env = dict(os.environ, LAZYNP_MALLOC_RETAIN="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.splitlines()[0]
    assert out == "[] [] False"
