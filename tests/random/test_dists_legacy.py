"""Compiled Generator distributions, MT19937 and the legacy RandomState against NumPy."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import lazynp.random as lr
from lazynp.random._wrap import asnumpy

from .helpers import check_same, same

N = 1500
DSEEDS = [0, 1, 2**32, [1, 2, 3]]

CONT = [
    ("standard_gamma", (0.5,)), ("standard_gamma", (1.0,)), ("standard_gamma", (3.0,)),
    ("standard_gamma", (0.0,)), ("gamma", ([0.3, 2.0, 7.0], 2.0)), ("beta", (0.5, 0.7)),
    ("beta", (2.0, 3.0)), ("chisquare", (3.0,)), ("f", (3.0, 5.0)), ("standard_t", (4.0,)),
    ("standard_cauchy", ()), ("noncentral_chisquare", (3.0, 2.0)),
    ("noncentral_chisquare", (0.5, 2.0)), ("noncentral_f", (3.0, 4.0, 2.0)),
    ("lognormal", (1.0, 2.0)), ("logistic", (1.0, 2.0)), ("laplace", (1.0, 2.0)),
    ("gumbel", (1.0, 2.0)), ("pareto", (2.5,)), ("power", (2.5,)), ("rayleigh", (2.5,)),
    ("weibull", (2.5,)), ("weibull", (0.0,)), ("wald", (1.5, 2.0)),
    ("triangular", (0.0, 1.0, 3.0)), ("triangular", ([0.0, 1.0], 1.0, 3.0)),
    ("vonmises", (0.5, 3.0)), ("vonmises", (0.5, 1e-6)), ("vonmises", (0.5, 1e7)),
    ("vonmises", (0.5, 1e-9)),
]
DISC = [
    ("geometric", (0.5,)), ("geometric", (0.01,)), ("poisson", (3.0,)), ("poisson", (50.0,)),
    ("poisson", ([0.0, 1.0, 20.0, 1000.0],)), ("zipf", (2.0,)), ("zipf", (1.1,)),
    ("logseries", (0.5,)), ("logseries", (0.99,)), ("negative_binomial", (5, 0.3)),
    ("negative_binomial", (0.5, 0.9)), ("binomial", (10, 0.3)), ("binomial", (1000, 0.3)),
    ("binomial", (1000, 0.8)), ("binomial", ([5, 100, 10000], [0.1, 0.5, 0.9])),
    ("hypergeometric", (10, 5, 8)), ("hypergeometric", (100, 200, 50)),
    ("hypergeometric", (1000, 2000, 1500)), ("hypergeometric", ([5, 500], 600, [9, 100])),
]


@pytest.mark.parametrize("name,args", CONT + DISC)
def test_generator_distribution(name, args):
    shape = (N // 4, 4) if any(isinstance(a, list) and len(a) == 4 for a in args) else None
    if any(isinstance(a, list) for a in args) and shape is None:
        n = max(len(a) for a in args if isinstance(a, list))
        shape = (N // n, n)
    check_same(lambda g: getattr(g, name)(*args, size=shape or N), seeds=DSEEDS)
    # scalar request: Python float / int, state continues
    if not any(isinstance(a, list) for a in args):
        check_same(lambda g: [getattr(g, name)(*args) for _ in range(3)], seeds=[7])


def test_standard_gamma_float32_and_out():
    for shape in (0.5, 1.0, 3.0, [0.2, 5.0]):
        size = (N, 2) if isinstance(shape, list) else N
        check_same(lambda g, s=shape, z=size: g.standard_gamma(s, size=z, dtype=np.float32),
                   seeds=DSEEDS)
    check_same(lambda g: g.standard_gamma(2.0, dtype=np.float32), seeds=[3])

    def with_out(g):
        out = np.empty(10)
        g.standard_gamma(2.0, out=out)
        return out

    check_same(with_out, seeds=[5])


def test_binomial_cache_interleaved():
    def run(g):
        return [g.binomial(100, 0.4, size=5), g.binomial(7, 0.2, size=5), g.binomial(100, 0.4),
                g.binomial(100, 0.6, size=5)]

    check_same(run, seeds=DSEEDS)


@pytest.mark.parametrize("call", [
    lambda g: g.gamma(-1.0), lambda g: g.beta(0.0, 1.0), lambda g: g.poisson(-1.0),
    lambda g: g.poisson(1e19), lambda g: g.geometric(0.0), lambda g: g.zipf(1.0),
    lambda g: g.logseries(1.0), lambda g: g.binomial(5, 1.5), lambda g: g.binomial(-1, 0.5),
    lambda g: g.negative_binomial(0, 0.5), lambda g: g.hypergeometric(5, 5, 11),
    lambda g: g.hypergeometric(10**9, 5, 1), lambda g: g.triangular(2.0, 1.0, 3.0),
    lambda g: g.triangular(1.0, 1.0, 1.0), lambda g: g.wald([1.0, -1.0], 1.0),
    lambda g: g.vonmises(0.0, [1.0, -2.0]), lambda g: g.gamma([1.0, 2.0], size=3),
])
def test_generator_errors(call):
    with pytest.raises(Exception) as e_np:
        call(np.random.default_rng(0))
    with pytest.raises(type(e_np.value)) as e_lz:
        call(lr.default_rng(0))
    assert str(e_lz.value) == str(e_np.value)


# ---- MT19937 --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2**32, [1, 2, 3], 2**64 + 5])
def test_mt19937_stream_and_state(seed):
    a = np.random.MT19937(seed)
    b = lr.MT19937(seed)
    assert a.state["state"]["pos"] == b.state["state"]["pos"]
    assert np.array_equal(a.random_raw(700), asnumpy(b.random_raw(700)))
    assert a.random_raw() == b.random_raw()
    ga, gb = np.random.Generator(a), lr.Generator(b)
    for fn in (lambda g: g.random(1001), lambda g: g.random(5, dtype=np.float32),
               lambda g: g.integers(0, 2**64, size=9, dtype=np.uint64),
               lambda g: g.integers(0, 1000, size=9), lambda g: g.standard_normal(300),
               lambda g: g.standard_exponential(300), lambda g: g.gamma(0.5, size=50),
               lambda g: g.binomial(50, 0.5, size=9), lambda g: g.dirichlet([1.0, 2.0])):
        assert same(fn(ga), fn(gb))
    sa, sb = a.state, b.state
    assert sa["state"]["pos"] == sb["state"]["pos"]
    assert np.array_equal(sa["state"]["key"], sb["state"]["key"])
    # state interchange both ways
    c = np.random.MT19937(0)
    c.state = b.state
    assert c.random_raw() == b.random_raw()
    b.state = a.state
    assert a.random_raw() == b.random_raw()


def test_mt19937_jumped_and_legacy_seeding():
    a, b = np.random.MT19937(3), lr.MT19937(3)
    ja, jb = a.jumped(2), b.jumped(2)
    assert np.array_equal(ja.state["state"]["key"], jb.state["state"]["key"])
    assert ja.random_raw() == jb.random_raw()
    for s in (0, 7, 2**32 - 1, [5], [1, 2, 3], np.arange(700)):
        a._legacy_seeding(s)
        b._legacy_seeding(s)
        assert np.array_equal(a.random_raw(5), asnumpy(b.random_raw(5)))
    for bad in (-1, 2**32, [], [[1, 2]], [-1]):
        with pytest.raises(ValueError):
            lr.MT19937(0)._legacy_seeding(bad)
    with pytest.raises(AttributeError):
        lr.MT19937(0).advance(5)


# ---- RandomState ----------------------------------------------------------------------------

RS_SEEDS = [0, 1, 12345, 2**32 - 1, [1, 2, 3]]


def _rs_state_equal(a, b):
    sa, sb = a.get_state(), b.get_state()
    return sa[0] == sb[0] and np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:]


def _rs_check(fn, seeds=RS_SEEDS):
    for seed in seeds:
        a, b = np.random.RandomState(seed), lr.RandomState(seed)
        for _ in range(2):
            ra, rb = fn(a), fn(b)
            assert same(ra, rb), (seed, ra, rb)
            assert _rs_state_equal(a, b), seed


INT_DTYPES = [int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16,
              np.uint8]


@pytest.mark.parametrize("call", [
    lambda r: r.random_sample(), lambda r: r.random_sample(7), lambda r: r.random((2, 3)),
    lambda r: r.rand(), lambda r: r.rand(3, 2), lambda r: r.randn(), lambda r: r.randn(5),
    lambda r: r.standard_normal((3, 3)), lambda r: r.normal(1.0, 2.0, size=5),
    lambda r: r.normal([1.0, 2.0], 2.0), lambda r: r.normal(),
    lambda r: r.uniform(-1, 3, size=7), lambda r: r.uniform(3, -1, size=7),
    lambda r: r.uniform([0, 1], [2, 5]), lambda r: r.uniform(),
    lambda r: r.randint(10), lambda r: r.randint(-10, 2**40, size=20),
    lambda r: r.randint(0, 2, size=40, dtype=bool), lambda r: r.randint(2, dtype=bool),
    lambda r: r.choice(10), lambda r: r.choice(10, size=5), lambda r: r.choice([1, 2, 3], (2, 2)),
    lambda r: r.choice(10, 5, replace=False), lambda r: r.choice(10, 5, p=[0.1] * 10),
    lambda r: r.choice(10, 3, replace=False, p=[0.1] * 10), lambda r: r.choice(5, size=()),
    lambda r: r.permutation(10), lambda r: r.permutation(np.arange(12).reshape(4, 3)),
    lambda r: r.permutation([1, 2, 3]), lambda r: r.bytes(10),
    lambda r: r.exponential(2.0, size=5), lambda r: r.binomial(10, 0.5, size=5),
    lambda r: r.poisson(3, size=4), lambda r: r.gamma(2.0, size=3),
])
def test_randomstate_methods(call):
    _rs_check(call)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_randomstate_randint_dtypes(dtype):
    info = np.iinfo(dtype)
    _rs_check(lambda r: r.randint(0, 100, size=50, dtype=dtype), seeds=[0, 5])
    _rs_check(lambda r: r.randint(100, dtype=dtype), seeds=[0])
    _rs_check(lambda r: r.randint(info.min, int(info.max) + 1, size=20, dtype=dtype), seeds=[1])
    _rs_check(lambda r: r.randint(0, [3, 50, int(info.max)], size=(4, 3), dtype=dtype),
              seeds=[2])


def test_randomstate_gauss_cache_and_state_forms():
    a, b = np.random.RandomState(3), lr.RandomState(3)
    assert a.randn() == b.randn()
    assert a.get_state()[3:] == b.get_state()[3:]
    assert a.get_state()[3] == 1
    a.gamma(2.0, size=3)  # twin method in between keeps the cached Gaussian
    b.gamma(2.0, size=3)
    assert same(a.randn(3), b.randn(3))
    st = b.get_state(legacy=False)
    a.set_state(st)
    assert a.randn() == b.randn()
    b.set_state(a.get_state())
    assert a.standard_normal() == b.standard_normal()
    b.set_state(a.get_state()[:3])  # three-item tuple: no cached Gaussian
    a.set_state(a.get_state()[:3])
    assert a.randn() == b.randn()
    c = pickle.loads(pickle.dumps(lr.RandomState(5)))
    assert c.rand() == np.random.RandomState(5).rand()


def test_randomstate_shuffle():
    a, b = np.random.RandomState(3), lr.RandomState(3)
    for x in (np.arange(20), np.arange(20).reshape(5, 4), list(range(10))):
        y = x.copy()
        a.shuffle(x)
        b.shuffle(y)
        assert np.array_equal(x, y)
    assert _rs_state_equal(a, b)


def test_module_level_functions():
    np.random.seed(42)
    lr.seed(42)
    assert np.random.rand() == lr.rand()
    assert np.random.randint(10) == lr.randint(10)
    assert same(np.random.randn(5), lr.randn(5))
    assert np.random.binomial(5, 0.5) == lr.binomial(5, 0.5)
    assert same(np.random.choice(10, 4), lr.choice(10, 4))
    assert same(np.random.permutation(6), lr.permutation(6))
    np.random.seed([1, 2])
    lr.seed([1, 2])
    assert np.random.random() == lr.random()
    lr.set_state(np.random.get_state())
    assert np.random.ranf() == lr.ranf()
    assert np.random.sample() == lr.sample()
    np.random.set_state(lr.get_state())
    assert np.random.standard_normal() == lr.standard_normal()
    assert isinstance(lr.get_bit_generator(), lr.MT19937)


@pytest.mark.parametrize("seed", [0, 1, 2**64 + 5, [1, 2]])
def test_sfc64(seed):
    a, b = np.random.SFC64(seed), lr.SFC64(seed)
    assert np.array_equal(a.random_raw(100), asnumpy(b.random_raw(100)))
    ga, gb = np.random.Generator(a), lr.Generator(b)
    for fn in (lambda g: g.random(7, dtype=np.float32), lambda g: g.integers(0, 10, size=101),
               lambda g: g.gamma(0.7, size=100), lambda g: g.standard_normal(100),
               lambda g: g.dirichlet([1.0, 2.0])):
        assert same(fn(ga), fn(gb))
    sa, sb = a.state, b.state
    assert (sa["has_uint32"], sa["uinteger"]) == (sb["has_uint32"], sb["uinteger"])
    assert np.array_equal(sa["state"]["state"], sb["state"]["state"])
    c = np.random.SFC64(0)
    c.state = b.state
    assert c.random_raw() == b.random_raw()
    with pytest.raises(AttributeError):
        b.advance(1)
