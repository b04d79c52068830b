"""Pickling lazy-tier arrays, against NumPy's pickling of the same data.

``LazyArray.__reduce__`` forces: the pickle holds the computed values, written as NumPy
writes the NumPy array that holds them (C or Fortran order, a non-contiguous view copied,
protocol 5 buffers out of band), and loads as a concrete lazynp array (docs/scale.md,
"Dask").  Each case is pickled twice, as a lazynp array and as the NumPy array of the same
values, and the two loads must agree: type kind, dtype, shape, values, memory order and
writeability.  (Pickling through Dask's worker processes: tests/dask/test_chunks.py.)
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_close, assert_same

PROTOCOLS = [0, 1, 2, 3, 4, 5]
N = 6000  # above the tests' eager threshold (4096): lazy-tier arrays


def _cases():
    """(name, make): ``make(xp)`` builds the same array with ``xp`` = numpy or lazynp."""
    def concrete(xp):
        return xp.array(np.arange(N, dtype=np.float64) / 7)

    def pending(xp):
        a = xp.array(np.arange(N, dtype=np.float64))
        return (a * 3 - 1) / 7

    def pending_int(xp):
        a = xp.array(np.arange(N, dtype=np.int32))
        return (a * 5) % 11 - 3

    def pending_bool(xp):
        a = xp.array(np.arange(N, dtype=np.int64))
        return (a % 3 == 0) | (a > 5000)

    def pending_complex(xp):
        a = xp.array(np.arange(N, dtype=np.float32))
        return a * (1 - 2j) + 0.5

    def view(xp):  # a strided view of a concrete array
        return xp.array(np.arange(2 * N, dtype=np.float32))[1::2]

    def pending_view(xp):  # a strided view of a pending array
        a = xp.array(np.arange(3 * N, dtype=np.float64).reshape(3, N))
        return (a + 1)[::-1, ::3]

    def fortran(xp):
        a = xp.array(np.arange(N, dtype=np.float64).reshape(60, 100))
        return xp.asfortranarray(a * 2)

    def transposed(xp):  # an F-contiguous view of a C array
        return (xp.array(np.arange(N, dtype=np.int16).reshape(60, 100)) + 1).T

    def noncontiguous_2d(xp):
        return xp.array(np.arange(4 * N, dtype=np.float64).reshape(40, -1))[::3, 5:-7:2]

    return [concrete, pending, pending_int, pending_bool, pending_complex, view,
            pending_view, fortran, transposed, noncontiguous_2d]


CASES = _cases()


def _loaded_like_numpy(back, ref_back, src):
    """``back`` (a pickled lazynp array, loaded) agrees with ``ref_back`` (the NumPy array
    of the same values, pickled and loaded the same way)."""
    assert type(back) is lnp.LazyArray
    assert not lnp.is_lazy(back)
    assert_same(back, ref_back, exact=True)
    b = np.asarray(back)
    assert b.flags.c_contiguous == ref_back.flags.c_contiguous
    assert b.flags.f_contiguous == ref_back.flags.f_contiguous
    assert b.flags.writeable == ref_back.flags.writeable
    assert not np.shares_memory(b, np.asarray(src))


@pytest.mark.parametrize("proto", PROTOCOLS)
@pytest.mark.parametrize("make", CASES, ids=lambda f: f.__name__)
def test_pickle_like_numpy(make, proto):
    ref = make(np)
    a = make(lnp)
    assert type(a) is lnp.LazyArray
    back = pickle.loads(pickle.dumps(a, protocol=proto))
    # the pickle holds what the array computes: NumPy's result (exact here: IEEE-exact ops)
    assert_same(a, ref, exact=True)
    _loaded_like_numpy(back, pickle.loads(pickle.dumps(ref, protocol=proto)), a)


def test_pickling_forces_pending():
    a = lnp.array(np.arange(N, dtype=np.float64))
    p = lnp.exp(a / N) * 2
    assert lnp.is_lazy(p)
    data = pickle.dumps(p)
    assert not lnp.is_lazy(p)  # (the graph is not shipped: the values are)
    back = pickle.loads(data)
    # the same values as the array itself, and NumPy's within the documented tolerance
    assert_same(back, np.asarray(p), exact=True)
    assert_close(back, np.exp(np.arange(N) / N) * 2)


@pytest.mark.parametrize("received", [False, True], ids=["in_process", "received"])
@pytest.mark.parametrize("make", CASES, ids=lambda f: f.__name__)
def test_protocol_5_out_of_band(make, received):
    ref = make(np)
    a = make(lnp)
    bufs, ref_bufs = [], []
    data = pickle.dumps(a, protocol=5, buffer_callback=bufs.append)
    ref_data = pickle.dumps(ref, protocol=5, buffer_callback=ref_bufs.append)
    # NumPy sends a C- or F-contiguous array's memory out of band, copies any other view
    assert len(bufs) == len(ref_bufs)
    assert [bytes(b.raw()) for b in bufs] == [bytes(b.raw()) for b in ref_bufs]
    if received:  # as another process receives them (Dask's workers: bytes, bytearrays)
        bufs = [bytearray(b.raw()) for b in bufs]
        ref_bufs = [bytearray(b.raw()) for b in ref_bufs]
    back = pickle.loads(data, buffers=bufs)
    ref_back = pickle.loads(ref_data, buffers=ref_bufs)
    _loaded_like_numpy(back, ref_back, a)
    if bufs and received:  # loaded without a copy: the array is the received buffer
        assert np.shares_memory(np.asarray(back), np.frombuffer(bufs[0], dtype=np.uint8))
    if bufs and not received:
        # NumPy's loaded array is the pickled array's own memory; lazynp's is a copy (it
        # never takes over memory it did not allocate: docs/scale.md)
        assert np.shares_memory(ref_back, ref)


def test_read_only_buffers_load_read_only():
    a = lnp.array(np.arange(N, dtype=np.float64)) * 2
    ref = np.arange(N, dtype=np.float64) * 2
    bufs, ref_bufs = [], []
    data = pickle.dumps(a, protocol=5, buffer_callback=bufs.append)
    ref_data = pickle.dumps(ref, protocol=5, buffer_callback=ref_bufs.append)
    back = pickle.loads(data, buffers=[bytes(b.raw()) for b in bufs])
    ref_back = pickle.loads(ref_data, buffers=[bytes(b.raw()) for b in ref_bufs])
    _loaded_like_numpy(back, ref_back, a)
    assert not ref_back.flags.writeable
    with pytest.raises(ValueError):
        ref_back[0] = 1.0
    with pytest.raises(ValueError):
        back[0] = 1.0


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_zero_d(proto):
    with lnp.config(eager_threshold=1):  # (a 0-d array is lazy-tier only from a threshold of 1)
        a = (lnp.ones((1, 1)) * 2.5).reshape(())
        assert type(a) is lnp.LazyArray and lnp.is_lazy(a)
        ref = (np.ones((1, 1)) * 2.5).reshape(())
        back = pickle.loads(pickle.dumps(a, protocol=proto))
        _loaded_like_numpy(back, pickle.loads(pickle.dumps(ref, protocol=proto)), a)


def test_cloudpickle():
    cloudpickle = pytest.importorskip("cloudpickle")
    for make in CASES:
        ref = make(np)
        a = make(lnp)
        back = cloudpickle.loads(cloudpickle.dumps(a))
        _loaded_like_numpy(back, cloudpickle.loads(cloudpickle.dumps(ref)), a)


def test_loaded_arrays_are_independent_and_lazy_tier():
    a = lnp.array(np.arange(N, dtype=np.float64))
    v = a[::2]
    x, y = pickle.loads(pickle.dumps((a, v)))
    # NumPy's pickle does not keep aliasing between two arrays either
    x[0] = -1.0
    assert float(y[0]) == 0.0 and float(a[0]) == 0.0
    # a loaded array records lazily as any lazy-tier array does
    z = x * 2 + y[: N // 2].sum()
    assert lnp.is_lazy(z)
    xs = np.arange(N, dtype=np.float64)
    xs[0] = -1.0
    assert_same(z, xs * 2 + np.arange(N, dtype=np.float64)[::2].sum(), exact=True)
