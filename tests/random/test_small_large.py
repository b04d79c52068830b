"""Small requests (NumPy's own methods on the NumPy object holding the state) and large ones
(lazynp's kernels: lazy sources, parallel fill) interleaved on one generator give NumPy's
exact stream and state; state get/set, spawn, jumped, pickling across both paths."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazynp as lnp
import lazynp.random as lr

from .helpers import same

N = 300_001  # large: at least config.eager_threshold elements


def _interleaved(g):
    return [
        g.random(5), g.random(N), g.random(dtype=np.float32),  # leaves a buffered half
        g.integers(0, 2**32, N, dtype=np.uint32),  # large, starting on the buffered half
        g.random(), g.standard_normal(7), g.standard_normal(N), g.integers(0, 10, 3),
        g.integers(-5, 5, size=N, dtype=np.int8), g.uniform(1, 2, N), g.uniform(1, 2, 4),
        g.normal(3, 2, N), g.normal(3.0, 2.0), g.exponential(size=9), g.choice(50, 6),
        g.choice(np.arange(20.0), 4, replace=False), g.permutation(12),
        g.bytes(11), g.bytes(4 * N + 1), g.random(N, dtype=np.float32),
        g.integers(0, 2**64, N, dtype=np.uint64), g.integers(7), g.bit_generator.random_raw(3),
        g.bit_generator.random_raw(N), g.binomial(10, 0.3, 5), g.binomial(10, 0.3, N),
    ]


def _check_interleaved(a, b):
    for ra, rb in zip(_interleaved(a), _interleaved(b)):
        assert same(ra, rb), (ra, rb)
        assert a.bit_generator.state == b.bit_generator.state


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_interleaved_small_and_large_draws(name, threads):
    with lnp.config(num_threads=threads):
        a = np.random.Generator(getattr(np.random, name)(17))
        b = lr.Generator(getattr(lr, name)(17))
        _check_interleaved(a, b)


def test_interleaved_on_wrapped_numpy_generator():
    ref = np.random.default_rng(23)
    npg = np.random.default_rng(23)
    g = lr.default_rng(npg)
    _check_interleaved(ref, g)
    assert same(ref.random(4), npg.random(4))  # the NumPy object moved along


def test_interleaved_mt19937_generator():
    a = np.random.Generator(np.random.MT19937(5))
    b = lr.Generator(lr.MT19937(5))
    for f in (lambda g: g.random(3), lambda g: g.random(N), lambda g: g.standard_normal(N),
              lambda g: g.integers(0, 9, 5), lambda g: g.random(dtype=np.float32),
              lambda g: g.integers(0, 2**16, N, dtype=np.uint16)):
        assert same(f(a), f(b))
        assert same(a.bit_generator.state["state"]["key"],
                    b.bit_generator.state["state"]["key"])


def test_pending_lazy_draws_and_small_draws():
    a, b = np.random.default_rng(4), lr.default_rng(4)
    xa, xb = a.random(N), b.random(N)
    assert lnp.is_lazy(xb)
    assert same(a.random(3), b.random(3))  # NumPy's method right after the pending draws
    ia, ib = a.integers(0, 2**32, N, dtype=np.uint32), b.integers(0, 2**32, N, dtype=np.uint32)
    assert same(a.random(2, dtype=np.float32), b.random(2, dtype=np.float32))
    np.testing.assert_array_equal(np.asarray(xb), xa)
    np.testing.assert_array_equal(np.asarray(ib), ia)
    assert a.bit_generator.state == b.bit_generator.state


def test_state_round_trips_across_paths():
    a, b = np.random.default_rng(8), lr.default_rng(99)
    a.random(dtype=np.float32)
    b.bit_generator.state = a.bit_generator.state
    assert same(a.integers(0, 2**32, N, dtype=np.uint32), b.integers(0, 2**32, N, dtype=np.uint32))
    b.random(dtype=np.float32)
    a.bit_generator.state = b.bit_generator.state  # a buffered half
    assert same(a.random(5), b.random(5))
    b.random(N)
    st = b.bit_generator.state
    a.bit_generator.state = st
    assert same(a.random(N), b.random(N))
    b.bit_generator.state = st
    c = np.random.default_rng()
    c.bit_generator.state = st
    assert same(c.random(7), b.random(7))


def test_spawn_jumped_advance_pickle_after_large_draws():
    a, b = np.random.default_rng(31), lr.default_rng(31)
    a.random(N), b.random(N)
    for ca, cb in zip(a.spawn(2), b.spawn(2)):
        assert type(cb) is lr.Generator and type(cb.bit_generator) is lr.PCG64
        assert same(ca.random(N), cb.random(N))
        assert same(ca.random(3), cb.random(3))
    ja, jb = a.bit_generator.jumped(3), b.bit_generator.jumped(3)
    assert type(jb) is lr.PCG64 and ja.state == jb.state
    a.bit_generator.advance(2**70 + 3), b.bit_generator.advance(2**70 + 3)
    assert same(a.random(5), b.random(5))
    a.random(dtype=np.float32), b.random(dtype=np.float32)
    h = pickle.loads(pickle.dumps(b))
    assert h.bit_generator.state == a.bit_generator.state
    assert same(a.random(N), h.random(N))
    assert same(a.random(2), h.random(2))
    bg = pickle.loads(pickle.dumps(lr.MT19937(3)))
    assert bg.state["state"]["pos"] == np.random.MT19937(3).state["state"]["pos"]


def test_types_and_repr_kept():
    g = lr.default_rng(0)
    assert type(g) is lr.Generator and type(g.bit_generator) is lr.PCG64
    assert isinstance(g.bit_generator, lr.BitGenerator)
    assert not isinstance(g.bit_generator, np.random.BitGenerator)
    assert str(g) == "Generator(PCG64)"
    ss = g.bit_generator.seed_seq
    assert type(ss) is lr.SeedSequence and isinstance(ss, np.random.SeedSequence)
    assert repr(ss) == repr(np.random.SeedSequence(0))
    assert all(type(c) is lr.SeedSequence for c in ss.spawn(2))


def test_duck_typed_seed_sequence():
    class Seq:
        def __init__(self):
            self.inner = np.random.SeedSequence(77)

        def generate_state(self, n, dtype=np.uint32):
            return self.inner.generate_state(n, dtype)

        def spawn(self, n):
            return self.inner.spawn(n)

    b = lr.PCG64(Seq())
    assert b.state == np.random.PCG64(77).state
    assert same(np.random.Generator(np.random.PCG64(77)).random(N), lr.Generator(b).random(N))


def test_legacy_global_interleaved():
    np.random.seed(12)
    lr.seed(12)
    for f in (lambda m: m.rand(3), lambda m: m.randn(5), lambda m: m.rand(N),
              lambda m: m.randn(N), lambda m: m.randn(), lambda m: m.randint(0, 10, 4),
              lambda m: m.randint(0, 10, N), lambda m: m.random(), lambda m: m.random(N),
              lambda m: m.normal(size=3), lambda m: m.uniform(1, 2, N), lambda m: m.choice(9, 3),
              lambda m: m.permutation(6), lambda m: m.standard_normal(3)):
        assert same(f(np.random), f(lr))
    sa, sb = np.random.get_state(), lr.get_state()
    assert sa[0] == sb[0] and np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:]
    lr.set_state(sa)
    assert same(np.random.randn(3), lr.randn(3))
    np.random.seed(3)
    lr.seed(3)
    assert lr.get_bit_generator().seed_seq is None
    assert same(np.random.randn(N), lr.randn(N))


@pytest.mark.parametrize("name", ["PCG64", "MT19937"])
def test_randomstate_interleaved(name):
    a = np.random.RandomState(getattr(np.random, name)(6))
    b = lr.RandomState(getattr(lr, name)(6))
    for f in (lambda r: r.random_sample(3), lambda r: r.random_sample(N),
              lambda r: r.randn(3), lambda r: r.randint(0, 2**32, N, dtype=np.uint32),
              lambda r: r.randint(0, 7, 5), lambda r: r.uniform(0, 3, N), lambda r: r.randn(),
              lambda r: r.standard_normal(N), lambda r: r.bytes(9),
              lambda r: r.normal([1.0, 2.0], 3.0), lambda r: r.tomaxint(4)):
        assert same(f(a), f(b))
        sa, sb = a.get_state(legacy=False), b.get_state(legacy=False)
        assert sa["has_gauss"] == sb["has_gauss"] and sa["gauss"] == sb["gauss"]
        assert str(sa["state"]) == str(sb["state"])
