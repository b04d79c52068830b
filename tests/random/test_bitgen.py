"""SeedSequence, PCG64 and PCG64DXSM against NumPy: seeding, raw stream, state, jumps."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazynp.random as lr

from .helpers import SEEDS, same

ENTROPIES = [0, 1, 2**32, 2**64 + 5, 2**128 + 12345, [1, 2, 3], [2**40, 7], (5,), range(4),
             np.array([1, 2], dtype=np.int64), np.array([7, 8], dtype=np.uint32), [],
             ["0x1f", "123"], True, np.uint64(99)]


@pytest.mark.parametrize("entropy", ENTROPIES, ids=repr)
def test_seedsequence_pool_and_state(entropy):
    a = np.random.SeedSequence(entropy)
    b = lr.SeedSequence(entropy)
    assert np.array_equal(a.pool, b.pool)
    for dt in (np.uint32, np.uint64):
        ga, gb = a.generate_state(7, dt), b.generate_state(7, dt)
        assert ga.dtype == gb.dtype and np.array_equal(ga, gb)


def test_seedsequence_known_answer():
    s = lr.SeedSequence(0)
    assert [hex(v) for v in s.pool] == ["0xfe40eb07", "0x4f363a36", "0x4eb2009d", "0xc89a7aa7"]
    assert [int(v) for v in s.generate_state(4, np.uint64)] == [
        0xdb2cd7e7b0f478be, 0xabf4641a2c71ba49, 0x20c6ed6d9d7b8d41, 0x2c4099de223c39d4]


def test_seedsequence_spawn_and_errors():
    a = np.random.SeedSequence(42, spawn_key=(3,), pool_size=8)
    b = lr.SeedSequence(42, spawn_key=(3,), pool_size=8)
    assert np.array_equal(a.pool, b.pool)
    for ca, cb in zip(a.spawn(3) + a.spawn(2), b.spawn(3) + b.spawn(2)):
        assert ca.spawn_key == cb.spawn_key
        assert np.array_equal(ca.generate_state(4), cb.generate_state(4))
    assert a.n_children_spawned == b.n_children_spawned == 5
    for bad, exc in [(-1, ValueError), (1.5, TypeError), ("12", TypeError),
                     ([1.5], TypeError), ([-3], ValueError)]:
        with pytest.raises(exc):
            np.random.SeedSequence(bad)
        with pytest.raises(exc):
            lr.SeedSequence(bad)
    with pytest.raises(ValueError):
        lr.SeedSequence(0).generate_state(2, np.int32)


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
@pytest.mark.parametrize("seed", SEEDS, ids=repr)
def test_seeding_and_raw(name, seed):
    a = getattr(np.random, name)(seed)
    b = getattr(lr, name)(seed)
    assert a.state == b.state
    assert same(a.random_raw(1000), b.random_raw(1000))
    assert a.random_raw() == b.random_raw()
    assert a.state == b.state


def test_known_answers():
    g = lr.PCG64(0)
    st = g.state["state"]
    assert st["state"] == 0x1aa1b5345996452d09585eb7a69561e3
    assert st["inc"] == 0x418ddadb3af71a82588133bc447873a9
    assert [int(v) for v in np.asarray(g.random_raw(3))] == [
        0xa30febcfd9c2825f, 0x4510bdf882d9d721, 0x0a7d3da94ecde8b8]
    d = lr.PCG64DXSM(0)
    assert [int(v) for v in np.asarray(d.random_raw(2))] == [
        15672045205194312304, 10230625629676741203]


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_seed_sequence_objects(name):
    for ss_np, ss_lz in [(np.random.SeedSequence(7), lr.SeedSequence(7)),
                         (np.random.SeedSequence(7), np.random.SeedSequence(7))]:
        a = getattr(np.random, name)(ss_np)
        b = getattr(lr, name)(ss_lz)
        assert a.state == b.state


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
@pytest.mark.parametrize("delta", [0, 1, 5, 2**64 + 3, -1, -(2**70), 2**130 + 9])
def test_advance(name, delta):
    a = getattr(np.random, name)(11)
    b = getattr(lr, name)(11)
    np.random.Generator(a).random(dtype=np.float32)  # buffered half: advance clears it
    lr.Generator(b).random(dtype=np.float32)
    assert a.advance(delta) is a
    assert b.advance(delta) is b
    assert a.state == b.state
    assert same(a.random_raw(4), b.random_raw(4))


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_jumped(name):
    a = getattr(np.random, name)(3)
    b = getattr(lr, name)(3)
    for j in (1, 2, 2**65):
        assert a.jumped(j).state == b.jumped(j).state
    assert type(b.jumped()) is type(b)
    assert a.state == b.state


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_state_roundtrip_both_ways(name):
    a = np.random.Generator(getattr(np.random, name)(5))
    b = lr.Generator(getattr(lr, name)(99))
    a.integers(0, 10, 3, dtype=np.int32)  # leaves a buffered upper half
    b.bit_generator.state = a.bit_generator.state
    assert same(a.integers(0, 10, 5, dtype=np.int32), b.integers(0, 10, 5, dtype=np.int32))
    b.random(7)
    a.bit_generator.state = b.bit_generator.state
    assert same(a.random(9, dtype=np.float32), b.random(9, dtype=np.float32))
    assert a.bit_generator.state == b.bit_generator.state


def test_state_errors():
    b = lr.PCG64(0)
    with pytest.raises(TypeError):
        b.state = [1, 2]
    with pytest.raises(ValueError):
        b.state = np.random.PCG64DXSM(0).state
    with pytest.raises(ValueError):
        np.random.PCG64(0).state = np.random.PCG64DXSM(0).state


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_spawn(name):
    a = getattr(np.random, name)(8)
    b = getattr(lr, name)(8)
    for ca, cb in zip(a.spawn(3), b.spawn(3)):
        assert ca.state == cb.state
    ga, gb = np.random.default_rng(8), lr.default_rng(8)
    for ca, cb in zip(ga.spawn(2), gb.spawn(2)):
        assert same(ca.random(3), cb.random(3))


def test_random_raw_output_false():
    a, b = np.random.PCG64(4), lr.PCG64(4)
    assert a.random_raw(10, output=False) is None
    assert b.random_raw(10, output=False) is None
    assert a.state == b.state


def test_pickle_roundtrip():
    g = lr.default_rng(12)
    g.random(3)
    h = pickle.loads(pickle.dumps(g))
    assert same(np.asarray(g.random(5)), np.asarray(h.random(5)))
