"""Large ``random`` requests are pending source nodes, fused into their consumers.

The generator's state moves past the draws at the call (later calls see NumPy's state); a
consuming kernel generates the values block by block from a snapshot, bit-identical to
NumPy's stream, without a full-size array.
"""

import tracemalloc

import numpy as np
import pytest

import lazynp as lnp

N = 300_000


def pair(seed=0, bitgen=None):
    if bitgen is None:
        return lnp.random.default_rng(seed), np.random.default_rng(seed)
    return (lnp.random.Generator(getattr(lnp.random, bitgen)(seed)),
            np.random.Generator(getattr(np.random, bitgen)(seed)))


@pytest.mark.parametrize("bitgen", [None, "PCG64DXSM"])
def test_lazy_draws_are_numpys_stream_and_state(bitgen):
    r, rn = pair(3, bitgen)
    x = r.random(N)
    assert lnp.is_lazy(x) and x.shape == (N,) and x.dtype == np.float64
    xn = rn.random(N)
    assert r.bit_generator.state == rn.bit_generator.state
    y, yn = r.random((600, 700)), rn.random((600, 700))
    z, zn = r.random(5), rn.random(5)  # small: eager, right after the pending draws
    np.testing.assert_array_equal(z, zn)
    # consumed in any order, fused or materialized, partially or whole
    assert ((y < 0.25).sum()) == (yn < 0.25).sum()
    assert float((x * 2 - 1).sum()) == float((xn * 2 - 1).sum())
    np.testing.assert_array_equal(np.asarray(x[::-3]), xn[::-3])
    np.testing.assert_array_equal(np.asarray(y.T[5]), yn.T[5])
    np.testing.assert_array_equal(np.asarray(x), xn)
    np.testing.assert_array_equal(np.asarray(y), yn)


def test_fused_consumer_allocates_no_array_of_draws():
    r, rn = pair(7)
    r.random(10)  # warm the kernels
    n = 4_000_000
    tracemalloc.start()
    try:
        count = (r.random(n) < 0.5).sum()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rn.random(10)
    assert count == (rn.random(n) < 0.5).sum()
    assert peak < n * 8 // 10  # block-sized buffers only, far below the 32 MB of draws


def test_small_requests_and_other_generators_stay_eager():
    r, _ = pair(1)
    assert not lnp.is_lazy(r.random(100))
    m, mn = pair(1, "MT19937")
    a = m.random(N)
    assert not lnp.is_lazy(a)
    np.testing.assert_array_equal(np.asarray(a), mn.random(N))
    with lnp.config(eager=True):
        assert not lnp.is_lazy(r.random(N))


def test_lazy_draws_under_fusion_off():
    r, rn = pair(11)
    with lnp.config(fusion=False):
        x = r.random(N)
        assert float(np.asarray(x).sum()) == float(rn.random(N).sum())


@pytest.mark.parametrize("seed", [0, 1, 2**64 + 5])
def test_uniform_full_range_integers_and_raw_are_lazy_and_exact(seed):
    r, rn = pair(seed)
    got = [r.uniform(-2.5, 7, N), r.integers(-2**63, 2**63 - 1, N, dtype=np.int64, endpoint=True),
           r.integers(0, 2**64, (300, 1000), dtype=np.uint64), r.bit_generator.random_raw(N)]
    want = [rn.uniform(-2.5, 7, N),
            rn.integers(-2**63, 2**63 - 1, N, dtype=np.int64, endpoint=True),
            rn.integers(0, 2**64, (300, 1000), dtype=np.uint64), rn.bit_generator.random_raw(N)]
    assert all(lnp.is_lazy(g) for g in got)
    assert r.bit_generator.state == rn.bit_generator.state
    assert ((got[0] > 0).sum()) == (want[0] > 0).sum()
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(np.asarray(g), w)
    np.testing.assert_array_equal(r.integers(0, 10, 7), rn.integers(0, 10, 7))


U32_CASES = [
    lambda r: r.random(N, dtype=np.float32),
    lambda r: r.integers(0, 2**32, N, dtype=np.uint32),
    lambda r: r.integers(-128, 128, N, dtype=np.int8),
    lambda r: r.integers(0, 2**16, (301, 999), dtype=np.uint16),
    lambda r: r.integers(0, 2, N, dtype=bool),
]


@pytest.mark.parametrize("buffered", [False, True])
@pytest.mark.parametrize("block", [999, 65536])
def test_draws_from_32_bit_halves_are_lazy_and_exact(buffered, block):
    r, rn = pair(17)
    if buffered:  # leave a buffered 32-bit half in the state
        assert r.random(dtype=np.float32) == rn.random(dtype=np.float32)
    got = [c(r) for c in U32_CASES]
    want = [c(rn) for c in U32_CASES]
    assert all(lnp.is_lazy(g) for g in got)
    assert r.bit_generator.state == rn.bit_generator.state
    with lnp.config(fusion_block_size=block):  # blocks that start inside a 32-bit half
        for g, w in zip(got[::-1], want[::-1]):
            assert (g == w).all()
    assert r.random(dtype=np.float32) == rn.random(dtype=np.float32)
