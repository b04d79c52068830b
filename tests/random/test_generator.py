"""Generator methods bit-identical to NumPy: values, dtypes, shapes and final state."""

from __future__ import annotations

import numpy as np
import pytest

import lazynp.random as lr
from lazynp._config import config

from .helpers import SEEDS, check_same, same, to_np

INT_DTYPES = [np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16,
              np.uint8]


def test_reference_values():
    g = lr.default_rng(0)
    assert np.allclose(to_np(g.random(3)), [0.63696169, 0.26978671, 0.04097352])
    g = lr.default_rng(0)
    assert to_np(g.integers(0, 10, 10)).tolist() == [8, 6, 5, 2, 3, 0, 0, 0, 1, 8]
    g = lr.default_rng(0)
    assert np.allclose(to_np(g.standard_normal(3)), [0.12573022, -0.13210486, 0.64042265])


@pytest.mark.parametrize("call", [
    lambda g: g.random(1000),
    lambda g: g.random((3, 4)),
    lambda g: [g.random() for _ in range(3)],
    lambda g: g.random(1001, dtype=np.float32),
    lambda g: [g.random(dtype=np.float32) for _ in range(3)],
    lambda g: g.random(size=()),
    lambda g: g.uniform(-2, 3, 100),
    lambda g: g.uniform(),
    lambda g: g.uniform(5, 5, 3),
    lambda g: g.uniform([0, 1, 2], [[3], [4]]),
    lambda g: g.uniform([0, 1], 2, size=(3, 2)),
    lambda g: g.standard_normal(20000),
    lambda g: g.standard_normal(20001, dtype=np.float32),
    lambda g: [g.standard_normal(), g.standard_normal(dtype="f4")],
    lambda g: g.normal(3, 2, 1000),
    lambda g: g.normal(-1.5, 0.0, 3),
    lambda g: g.normal([1, 2], [[3], [4], [0]]),
    lambda g: g.normal(),
    lambda g: g.standard_exponential(20000),
    lambda g: g.standard_exponential(20001, dtype=np.float32),
    lambda g: g.standard_exponential(1000, method="inv"),
    lambda g: g.standard_exponential(1001, dtype=np.float32, method="inv"),
    lambda g: g.exponential(2.5, 1000),
    lambda g: g.exponential([1.0, 2.0, 0.5]),
    lambda g: g.exponential(),
], ids=lambda f: "")
def test_float_methods(call):
    check_same(call)


def test_ziggurat_slow_paths_many_draws():
    # 10^6 normals / exponentials hit tail and wedge paths thousands of times.
    check_same(lambda g: [g.standard_normal(10**6), g.standard_exponential(10**6)], seeds=[3])
    check_same(lambda g: [g.standard_normal(10**6, dtype=np.float32),
                          g.standard_exponential(10**6, dtype=np.float32)], seeds=[4])


def test_out_argument():
    for dt in (np.float64, np.float32):
        for order in "CF":
            a = np.empty((4, 5), dtype=dt, order=order)
            b = np.empty((4, 5), dtype=dt, order=order)
            ga, gb = np.random.default_rng(1), lr.default_rng(1)
            ra = ga.random(out=a, dtype=dt)
            rb = gb.random(out=b, dtype=dt)
            assert ra is a and rb is b and np.array_equal(a, b)
            ga.standard_normal(size=(4, 5), out=a, dtype=dt)
            gb.standard_normal(size=(4, 5), out=b, dtype=dt)
            assert np.array_equal(a, b)
            ga.standard_exponential(out=a, dtype=dt)
            gb.standard_exponential(out=b, dtype=dt)
            assert np.array_equal(a, b)


@pytest.mark.parametrize("dt", INT_DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_integers_dtypes(dt):
    if dt is np.bool_:
        check_same(lambda g: [g.integers(0, 2, 77, dtype=dt), g.integers(1, 2, 5, dtype=dt),
                              g.integers(0, 1, 3, dtype=dt, endpoint=True), g.integers(2, dtype=dt)])
        return
    info = np.iinfo(dt)
    check_same(lambda g: [
        g.integers(0, 2, 37, dtype=dt),
        g.integers(info.min, info.max, 500, dtype=dt, endpoint=True),
        g.integers(info.min // 3, info.max // 2 + 1, 500, dtype=dt),
        g.integers(7, 8, 3, dtype=dt),
        g.integers(5, 5, 3, dtype=dt, endpoint=True),
        g.integers([0, 1, 3], [[5], [info.max]], dtype=dt),
        g.integers(0, [3, 4, 100], size=(2, 3), dtype=dt, endpoint=True),
        [g.integers(0, 100, dtype=dt) for _ in range(3)],
        g.integers(10, dtype=dt, size=(2, 2)),
    ])


def test_integers_64bit_paths_and_python_types():
    check_same(lambda g: [
        g.integers(0, 2**40, 300), g.integers(0, 2**32, 301), g.integers(0, 2**32 - 1, 7),
        g.integers(-(2**63), 2**63, 50), g.integers(0, 2**64, 5, dtype=np.uint64),
        g.integers(0, np.array([2**64], dtype=object), dtype=np.uint64),
        g.integers(5, dtype=int), g.integers(2, dtype=bool), g.integers(10),
        g.integers([1], [9], size=3), g.integers(0, 10, size=0),
    ])


def test_interleaved_buffered_half():
    check_same(lambda g: [
        g.integers(0, 10, 3, dtype=np.int32), g.random(2), g.random(3, dtype=np.float32),
        g.integers(0, 5, 3, dtype=np.int8), g.integers(0, 10, 5), g.standard_normal(3, "f4"),
        g.bytes(5), g.integers(0, 1000, 3, dtype=np.int16), g.standard_exponential(5, "f4"),
    ])


def test_bytes():
    check_same(lambda g: [g.bytes(0), g.bytes(1), g.bytes(13), g.bytes(4000)])


def test_permutations_and_shuffle():
    def shuffles(g):
        x = np.arange(50)
        g.shuffle(x)
        lst = list(range(20))
        g.shuffle(lst)
        y = np.arange(30).reshape(5, 6)
        g.shuffle(y, axis=1)
        z = np.arange(12.0).reshape(4, 3)
        g.shuffle(z)
        o = np.array(["a", "bb", "c", None], dtype=object)
        g.shuffle(o)
        return [x, np.array(lst), y, z, o]

    check_same(shuffles)
    check_same(lambda g: [g.permutation(1000), g.permutation(np.arange(20).reshape(4, 5), 1),
                          g.permutation([1.5, 2.5, 3.5]), g.permutation(np.int64(7)),
                          g.permutation(np.arange(24).reshape(2, 3, 4), axis=-1)])
    check_same(lambda g: [g.permuted(np.arange(60).reshape(3, 4, 5), axis=1),
                          g.permuted(np.arange(60).reshape(3, 4, 5)),
                          g.permuted(np.arange(60).reshape(3, 4, 5)[:, ::2]),
                          g.permuted(np.asfortranarray(np.arange(12).reshape(3, 4))),
                          g.permuted(np.arange(10), axis=0)])


def test_permuted_out():
    ga, gb = np.random.default_rng(2), lr.default_rng(2)
    xa = np.arange(24).reshape(4, 6)
    xb = xa.copy()
    ra = ga.permuted(xa, axis=1, out=xa)
    rb = gb.permuted(xb, axis=1, out=xb)
    assert ra is xa and rb is xb and np.array_equal(xa, xb)


@pytest.mark.parametrize("call", [
    lambda g: g.choice(100, 50),
    lambda g: g.choice(5, 50, p=[0.1, 0.2, 0.3, 0.2, 0.2]),
    lambda g: g.choice(100, 50, replace=False),
    lambda g: g.choice(20000, 5000, replace=False),
    lambda g: g.choice(20000, 5000, replace=False, shuffle=False),
    lambda g: g.choice(20000, 50, replace=False),
    lambda g: g.choice(200, 50, replace=False, shuffle=False),
    lambda g: g.choice(5, 3, replace=False, p=[0.1, 0.2, 0.3, 0.2, 0.2]),
    lambda g: g.choice(10, (2, 3), replace=False, p=np.full(10, 0.1)),
    lambda g: [g.choice(10), g.choice([1, 2, 3]), g.choice(5, p=[0, 0, 1, 0, 0])],
    lambda g: g.choice(np.arange(20).reshape(4, 5), 3, axis=1),
    lambda g: g.choice(["a", "b", "c"], size=(2, 2)),
    lambda g: g.choice(5, size=()),
    lambda g: g.choice(3, 0, replace=False),
    lambda g: g.choice(2**40, 5, replace=False),
], ids=lambda f: "")
def test_choice(call):
    check_same(call)


@pytest.mark.parametrize("call", [
    lambda g: g.gamma(2.0, 1.5, 50),
    lambda g: g.beta(0.5, 0.7, 20),
    lambda g: g.binomial(10, 0.3, 20),
    lambda g: g.poisson(3.0, 20),
    lambda g: g.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], 4),
], ids=lambda f: "")
def test_numpy_backed_methods_keep_stream(call):
    check_same(lambda g: [g.random(3, dtype=np.float32), call(g), g.random(2)])


@pytest.mark.parametrize("call,exc", [
    (lambda g: g.uniform(0, np.inf), OverflowError),
    (lambda g: g.uniform([0, 1], [np.inf, 2]), OverflowError),
    (lambda g: g.uniform(1, 0), ValueError),
    (lambda g: g.uniform(0, -0.0), ValueError),
    (lambda g: g.normal(0, -1), ValueError),
    (lambda g: g.normal(0, [1, -1]), ValueError),
    (lambda g: g.normal([0, 0], [1, 1], size=3), ValueError),
    (lambda g: g.exponential(-1.0), ValueError),
    (lambda g: g.random(dtype=np.int32), TypeError),
    (lambda g: g.standard_normal(dtype=np.float16), TypeError),
    (lambda g: g.standard_exponential(dtype=np.int8), TypeError),
    (lambda g: g.random(out=np.empty(3, np.float32)), TypeError),
    (lambda g: g.random(size=4, out=np.empty(3)), ValueError),
    (lambda g: g.random(out=np.empty((4, 4))[:, ::2]), ValueError),
    (lambda g: g.integers(5, 5), ValueError),
    (lambda g: g.integers(0), ValueError),
    (lambda g: g.integers(-1, 5, dtype=np.uint8), ValueError),
    (lambda g: g.integers(0, 300, dtype=np.uint8), ValueError),
    (lambda g: g.integers(0, 2**64 + 1, dtype=np.uint64), ValueError),
    (lambda g: g.integers([5, 6], [5, 7]), ValueError),
    (lambda g: g.integers([0, 0], [0, 1]), ValueError),
    (lambda g: g.integers(0, [10, 300], dtype=np.uint8), ValueError),
    (lambda g: g.integers(0, 10, dtype=np.float64), TypeError),
    (lambda g: g.integers(0, 10, dtype=">i8"), ValueError),
    (lambda g: g.choice(0, 3), ValueError),
    (lambda g: g.choice(-2), ValueError),
    (lambda g: g.choice([], 2), ValueError),
    (lambda g: g.choice(5, 6, replace=False), ValueError),
    (lambda g: g.choice(3, p=[0.5, 0.5]), ValueError),
    (lambda g: g.choice(2, p=[0.5, 0.6]), ValueError),
    (lambda g: g.choice(2, p=[1.5, -0.5]), ValueError),
    (lambda g: g.choice(2, p=[[0.5, 0.5]]), ValueError),
    (lambda g: g.choice(3, 3, replace=False, p=[0.5, 0.5, 0.0]), ValueError),
    (lambda g: g.choice(1.5), ValueError),
    (lambda g: g.permutation("abc"), np.exceptions.AxisError),
    (lambda g: g.shuffle(np.arange(3), axis=1), np.exceptions.AxisError),
    (lambda g: g.shuffle([1, 2], axis=1), NotImplementedError),
], ids=lambda v: "")
def test_errors_match(call, exc):
    with pytest.raises(exc) as ea:
        call(np.random.default_rng(0))
    with pytest.raises(exc) as eb:
        call(lr.default_rng(0))
    assert str(ea.value) == str(eb.value)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_parallel_fill_identical(threads):
    n = 300_001
    with config(num_threads=threads):
        check_same(lambda g: [
            g.random(dtype=np.float32),  # leave a buffered half
            g.random(n), g.random(n, dtype=np.float32), g.uniform(1, 2, n),
            g.integers(0, 2**32, n, dtype=np.uint32), g.integers(-128, 128, n, dtype=np.int8),
            g.integers(0, 2**16, n, dtype=np.uint16), g.integers(0, 2, n, dtype=bool),
            g.integers(0, 2**64, n, dtype=np.uint64), g.integers(0, 2**32, n),
            np.frombuffer(g.bytes(4 * n + 3), np.uint8), g.bit_generator.random_raw(n),
        ], seeds=[0, 2**64 + 5])


def test_seed_forms_and_generators():
    for seed in SEEDS + [np.random.SeedSequence(5), np.int64(5)]:
        assert np.random.default_rng(seed).bit_generator.state == \
            lr.default_rng(seed).bit_generator.state
    g = lr.default_rng(1)
    assert lr.default_rng(g) is g
    assert lr.default_rng(g.bit_generator).bit_generator is g.bit_generator
    ss = lr.SeedSequence(9)
    assert lr.default_rng(ss).bit_generator.state == np.random.default_rng(9).bit_generator.state


def test_numpy_generator_as_seed_stays_in_step():
    npg = np.random.default_rng(7)
    ref = np.random.default_rng(7)
    g = lr.default_rng(npg)
    assert same(ref.random(5), g.random(5))
    assert same(ref.random(3), npg.random(3))  # the NumPy object advanced too
    assert same(ref.integers(0, 9, 4, dtype=np.int32), g.integers(0, 9, 4, dtype=np.int32))
    assert ref.bit_generator.state == g.bit_generator.state
    m = lr.default_rng(np.random.MT19937(3))  # no native kernels: NumPy does the work
    assert same(np.random.Generator(np.random.MT19937(3)).random(4), m.random(4))


def test_pcg64dxsm_generator():
    check_same(lambda g: [g.random(100), g.standard_normal(100), g.integers(0, 7, 50)],
               gen_np=lambda s: np.random.Generator(np.random.PCG64DXSM(s)),
               gen_lz=lambda s: lr.Generator(lr.PCG64DXSM(s)))


def test_thread_safety_lock():
    import threading

    g = lr.default_rng(0)
    outs = []

    def work():
        outs.append(to_np(g.random(10000)))

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ref = np.random.default_rng(0).random(40000)
    got = np.sort(np.concatenate(outs))
    assert np.array_equal(np.sort(ref), got)


def test_module_fallback():
    assert lr.Generator is not None
    x = lr.beta(1.0, 2.0, size=3)  # numpy.random.beta via the module __getattr__
    assert to_np(x).shape == (3,)
    rs = lr.RandomState(5)
    assert np.array_equal(to_np(rs.randint(0, 10, 5)), np.random.RandomState(5).randint(0, 10, 5))
