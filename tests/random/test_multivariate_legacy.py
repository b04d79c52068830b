"""Multivariate Generator methods, the compiled legacy distributions and the lane kernels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazynp.random as lr
from lazynp._config import config
from lazynp.random import _kernels
from lazynp.random._wrap import asnumpy

from .helpers import check_same, same

SEEDS = [0, 1, 2**32, [1, 2, 3]]


@pytest.mark.parametrize("call", [
    lambda g: g.multinomial(20, [1 / 6.] * 6, size=50),
    lambda g: g.multinomial(20, [1 / 6.] * 6),
    lambda g: g.multinomial(1000, [0.1, 0.2, 0.3, 0.4], size=(5, 3)),
    lambda g: g.multinomial([[10], [20]], [1 / 6.] * 6, size=(2, 2)),
    lambda g: g.multinomial([10, 20], [[1 / 4] * 4 + [0] * 2, [1 / 6] * 6]),
    lambda g: g.multinomial(1, [[.1, .5, .4], [.3, .7, .0]], size=(4, 2)),
    lambda g: g.multinomial(0, [0.5, 0.5], size=3),
    lambda g: g.multinomial(100, [0.0, 1.0], size=3),
    lambda g: g.dirichlet([10, 5, 3], 20),
    lambda g: g.dirichlet([0.05, 0.02, 0.01], 200),
    lambda g: g.dirichlet([0.0, 0.0], 3),
    lambda g: g.dirichlet([0.5], (2, 3)),
    lambda g: g.dirichlet([], 3),
    lambda g: g.multivariate_hypergeometric([16, 8, 4], 6, size=30),
    lambda g: g.multivariate_hypergeometric([16, 8, 4], 20, size=30),
    lambda g: g.multivariate_hypergeometric([16, 8, 4], 6, size=30, method="count"),
    lambda g: g.multivariate_hypergeometric([16, 8, 4], 20, size=(3, 4), method="count"),
    lambda g: g.multivariate_hypergeometric([1000, 500, 2000, 30], 700, size=30),
    lambda g: g.multivariate_hypergeometric([5, 0, 3], 8),
    lambda g: g.multivariate_hypergeometric([5, 0, 3], 0, 4),
    lambda g: g.multivariate_hypergeometric([], 0, 4),
    lambda g: g.multivariate_normal([1, 2], [[2, 0.5], [0.5, 1]], size=(5, 3)),
    lambda g: g.multivariate_normal([1, 2], [[2, 0.5], [0.5, 1]], method="cholesky"),
    lambda g: g.multivariate_normal([1, 2], [[2, 0.5], [0.5, 1]], 4, method="eigh"),
])
def test_generator_multivariate(call):
    check_same(call, seeds=SEEDS)


@pytest.mark.parametrize("call", [
    lambda g: g.multinomial(-1, [0.5, 0.5]), lambda g: g.multinomial(5, [0.7, 0.7, 0.1]),
    lambda g: g.multinomial(5, []), lambda g: g.multinomial(5, [1.5, -0.5]),
    lambda g: g.multinomial([1, 2], [0.5, 0.5], size=3), lambda g: g.dirichlet([-1, 2]),
    lambda g: g.multivariate_hypergeometric([1, 2], 5),
    lambda g: g.multivariate_hypergeometric([1, -2], 1),
    lambda g: g.multivariate_hypergeometric([1, 2], 1, method="x"),
    lambda g: g.multivariate_hypergeometric([1, 2], 1.5),
    lambda g: g.multivariate_hypergeometric([10**9, 1], 1),
    lambda g: g.multivariate_normal([1, 2], [[1, 0], [0, 1]], method="x"),
    lambda g: g.multivariate_normal([1, 2], [[1, 2], [2, 1]], check_valid="raise"),
])
def test_generator_multivariate_errors(call):
    with pytest.raises(Exception) as e_np:
        call(np.random.default_rng(0))
    with pytest.raises(type(e_np.value)) as e_lz:
        call(lr.default_rng(0))
    assert str(e_lz.value) == str(e_np.value)


# ---- RandomState: legacy-distributions.c -----------------------------------------------------

LEGACY = [
    ("standard_exponential", ()), ("exponential", (2.0,)), ("standard_gamma", (0.5,)),
    ("standard_gamma", (1.0,)), ("standard_gamma", (3.0,)), ("gamma", ([0.3, 2.0], 2.0)),
    ("beta", (0.5, 0.7)), ("beta", (2.0, 3.0)), ("f", (3.0, 5.0)),
    ("noncentral_f", (3.0, 4.0, 2.0)), ("chisquare", (3.0,)),
    ("noncentral_chisquare", (3.0, 2.0)), ("noncentral_chisquare", (0.5, 2.0)),
    ("noncentral_chisquare", (3.0, 0.0)), ("standard_cauchy", ()), ("standard_t", (4.0,)),
    ("vonmises", (0.5, 3.0)), ("vonmises", (0.5, 1e7)), ("vonmises", (0.5, 1e-6)),
    ("pareto", (2.5,)), ("weibull", (2.5,)), ("weibull", (0.0,)), ("power", (2.5,)),
    ("laplace", (1.0, 2.0)), ("gumbel", (1.0, 2.0)), ("logistic", (1.0, 2.0)),
    ("lognormal", (1.0, 2.0)), ("rayleigh", (2.5,)), ("wald", (1.5, 2.0)),
    ("negative_binomial", (5, 0.3)), ("negative_binomial", (0.5, 0.9)), ("poisson", (3.0,)),
    ("poisson", (50.0,)), ("poisson", ([0.0, 1.0, 20.0],)), ("zipf", (2.0,)),
    ("geometric", (0.5,)), ("geometric", (0.01,)), ("logseries", (0.5,)),
    ("logseries", (0.99,)), ("binomial", (10, 0.3)), ("binomial", (1000, 0.3)),
    ("binomial", (1000, 0.8)), ("binomial", (0, 0.3)), ("binomial", (10, 0.0)),
    ("binomial", ([5, 100, 0], [0.1, 0.5, 0.0])), ("hypergeometric", (10, 5, 8)),
    ("hypergeometric", (100, 200, 50)), ("hypergeometric", (1000, 2000, 1500)),
    ("hypergeometric", ([5, 500], 600, [9, 100])), ("triangular", (0.0, 1.0, 3.0)),
]


def _rs_same(a, b):
    sa, sb = a.get_state(), b.get_state()
    return sa[0] == sb[0] and np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:]


@pytest.mark.parametrize("name,args", LEGACY)
def test_randomstate_legacy_distributions(name, args):
    arr = any(isinstance(x, list) for x in args)
    size = (300, max(len(x) for x in args if isinstance(x, list))) if arr else 900
    for seed in (0, 1, 2**31):
        a, b = np.random.RandomState(seed), lr.RandomState(seed)
        assert a.randn() == b.randn()  # a cached Gaussian is pending
        assert same(getattr(a, name)(*args, size=size), getattr(b, name)(*args, size=size))
        if not arr:
            assert same([getattr(a, name)(*args) for _ in range(3)],
                        [getattr(b, name)(*args) for _ in range(3)])
        assert _rs_same(a, b)


@pytest.mark.parametrize("call", [
    lambda r: r.dirichlet([10, 5, 3], 20), lambda r: r.dirichlet([0.5, 0.2], (2, 3)),
    lambda r: r.multinomial(20, [1 / 6.] * 6, size=30), lambda r: r.multinomial(20, [0.5] * 2),
    lambda r: r.multinomial(0, [0.5, 0.5], 3), lambda r: r.bytes(13), lambda r: r.bytes(0),
    lambda r: r.tomaxint(5), lambda r: r.tomaxint(),
    lambda r: r.random_integers(5, size=7), lambda r: r.random_integers(3, 9),
    lambda r: r.multivariate_normal([1, 2], [[2, 0.5], [0.5, 1]], size=(5, 3)),
])
def test_randomstate_other_native(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for seed in (0, 3):
            a, b = np.random.RandomState(seed), lr.RandomState(seed)
            a.randn()
            b.randn()
            assert same(call(a), call(b))
            assert _rs_same(a, b)


@pytest.mark.parametrize("name,args", [
    ("gamma", (-1.0,)), ("beta", (0.0, 1.0)), ("poisson", (-1.0,)), ("poisson", (1e19,)),
    ("poisson", (float("nan"),)), ("poisson", ([1.0, -1.0],)), ("geometric", (0.0,)),
    ("zipf", (1.0,)), ("logseries", (1.0,)), ("binomial", (5, 1.5)), ("binomial", (-1, 0.5)),
    ("negative_binomial", (0, 0.5)), ("negative_binomial", (5, 1.5)),
    ("hypergeometric", (1, 2, 5)), ("hypergeometric", (1, 2, 0)),
    ("hypergeometric", (-1, 2, 1)), ("hypergeometric", ([1, 2], 2, [0, 1])),
    ("wald", (0.0, 1.0)), ("vonmises", (0.0, -1.0)), ("dirichlet", ([0.0, 1.0],)),
    ("multinomial", (5, [0.7, 0.7, 0.1])), ("exponential", (-1.0,)), ("rayleigh", (-1.0,)),
    ("triangular", (1.0, 0.0, 2.0)), ("noncentral_chisquare", (0.0, 1.0)),
    ("standard_t", (0.0,)),
])
def test_randomstate_errors(name, args):
    with pytest.raises(Exception) as e_np:
        getattr(np.random.RandomState(0), name)(*args)
    with pytest.raises(type(e_np.value)) as e_lz:
        getattr(lr.RandomState(0), name)(*args)
    assert str(e_lz.value) == str(e_np.value)


def test_randomstate_common_methods_are_native():
    """The legacy methods scripts use run compiled kernels, not NumPy's code on a twin."""
    calls = {"binomial": (10, 0.5), "poisson": (2.0,), "exponential": (), "gamma": (2.0,),
             "beta": (1.0, 2.0), "geometric": (0.2,), "standard_gamma": (0.5,),
             "standard_exponential": (), "negative_binomial": (3, 0.5), "chisquare": (2.0,),
             "hypergeometric": (5, 5, 3), "lognormal": (), "laplace": (), "logseries": (0.5,),
             "zipf": (2.0,), "standard_t": (3.0,), "weibull": (2.0,), "vonmises": (0.0, 1.0)}
    rs = lr.RandomState(0)

    def boom(*_a, **_k):
        raise AssertionError("NumPy twin used")

    rs._run_twin = boom
    for name, args in calls.items():
        getattr(rs, name)(*args, size=3)
    rs.multinomial(5, [0.5, 0.5])
    rs.dirichlet([1.0, 2.0])
    rs.multivariate_normal([0.0], [[1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rs.random_integers(5)


# ---- interleaved-lane kernels (PCG64 / PCG64DXSM) --------------------------------------------

LANE_SIZES = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 1001]


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
@pytest.mark.parametrize("buffered", [False, True])
def test_lane_kernels_match_serial_stream(name, buffered):
    def run(g):
        out = []
        for n in LANE_SIZES:
            if buffered:
                out.append(g.integers(0, 10, dtype=np.int32))  # leaves a 32-bit half
            out += [g.random(n), g.random(n, dtype=np.float32), g.uniform(2, 5, n),
                    g.integers(0, 2**64, n, dtype=np.uint64),
                    g.integers(0, 2**32, n, dtype=np.uint32),
                    g.integers(-2**31, 2**31, n, dtype=np.int32),
                    g.integers(5, 2**32 + 5, n), g.uniform([1.0, 2.0], 3.0),
                    g.integers(0, 10, n), g.integers(-3, 1000, n, dtype=np.int32),
                    g.integers(0, 2**31 + 1, n, dtype=np.uint32), g.integers(7, 8, n)]
        out.append(asnumpy(g.bit_generator.random_raw(37)))
        return out

    check_same(run, seeds=[0, 2**64 + 5],
               gen_np=lambda s: np.random.Generator(getattr(np.random, name)(s)),
               gen_lz=lambda s: lr.Generator(getattr(lr, name)(s)))


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM"])
def test_lane_lemire_rejections(name):
    """Lemire lanes abandon a block that would reject; a rejected buffered half (prefix) too."""
    def run(g):
        out = []
        for n in (50, 201, 1000):  # ~0.5% of draws rejected: blocks are abandoned mid-stream
            out += [g.integers(0, 4273492991, n), g.integers(0, 4273492991, n, dtype=np.uint32),
                    g.integers(0, 4273492991, n, dtype=np.int64),
                    g.integers(-2**31, 2**31 - 3, n, dtype=np.int32)]
        return out

    check_same(run, seeds=range(40),
               gen_np=lambda s: np.random.Generator(getattr(np.random, name)(s)),
               gen_lz=lambda s: lr.Generator(getattr(lr, name)(s)))


def test_kernels_compile_per_module():
    """Each kernel is its own module: the random() module holds no distribution code."""
    ir = _kernels.render_kernel("pcg64", "random_f64")
    assert "lz_random_f64" in ir and "std_gamma" not in ir and "lz_int64" not in ir
    ir = _kernels.render_kernel("pcg64", "gamma")
    assert "lz_gamma" in ir and "binomial_btpe" not in ir


# ---- Philox ----------------------------------------------------------------------------------

def _state_equal(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_state_equal(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("seed", [0, 1, 2**40, [1, 2], 2**128 + 7])
def test_philox_seeding_raw_and_state(seed):
    a, b = np.random.Philox(seed), lr.Philox(seed)
    assert _state_equal(a.state, b.state)
    assert np.array_equal(a.random_raw(6), asnumpy(b.random_raw(6)))
    assert a.random_raw() == b.random_raw()
    assert _state_equal(a.state, b.state)
    c = np.random.Philox(5)
    c.state = b.state
    assert np.array_equal(c.random_raw(9), asnumpy(b.random_raw(9)))
    b.state = a.state
    assert np.array_equal(a.random_raw(9), asnumpy(b.random_raw(9)))


@pytest.mark.parametrize("kw", [dict(counter=5, key=7), dict(key=2**100 + 3, counter=2**255),
                                dict(counter=[1, 2, 3, 4], key=[5, 6]),
                                dict(counter=2**256 - 2, key=1)])
def test_philox_counter_key(kw):
    a, b = np.random.Philox(**kw), lr.Philox(**kw)
    assert _state_equal(a.state, b.state)
    assert np.array_equal(a.random_raw(13), asnumpy(b.random_raw(13)))


@pytest.mark.parametrize("delta", [1, 3, 4, 5, 2**64, 2**64 - 1, -1, 2**200 + 7])
def test_philox_advance_and_jumped(delta):
    a, b = np.random.Philox(3), lr.Philox(3)
    a.random_raw(3)
    b.random_raw(3)
    a.advance(delta)
    b.advance(delta)
    assert _state_equal(a.state, b.state)
    assert np.array_equal(a.random_raw(9), asnumpy(b.random_raw(9)))
    ja, jb = a.jumped(3), b.jumped(3)
    assert _state_equal(ja.state, jb.state)


def test_philox_errors_and_spawn():
    for kw in (dict(seed=1, key=2), dict(key=-1), dict(counter=2**256), dict(key=[1, 2, 3])):
        with pytest.raises(ValueError) as e_np:
            np.random.Philox(**kw)
        with pytest.raises(ValueError) as e_lz:
            lr.Philox(**kw)
        assert str(e_np.value) == str(e_lz.value)
    sa = [g.random_raw(3) for g in np.random.Philox(4).spawn(2)]
    sb = [asnumpy(g.random_raw(3)) for g in lr.Philox(4).spawn(2)]
    assert all(np.array_equal(x, y) for x, y in zip(sa, sb))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_philox_generator_and_parallel_fill(threads):
    n = 300001
    for seed in (0, 9):
        a = np.random.Generator(np.random.Philox(seed))
        b = lr.Generator(lr.Philox(seed))
        with config(num_threads=threads):
            for fn in (lambda g: g.integers(0, 10, 3, dtype=np.int32), lambda g: g.random(1),
                       lambda g: g.random(n), lambda g: g.random(n, dtype=np.float32),
                       lambda g: asnumpy(g.bit_generator.random_raw(n)),
                       lambda g: g.integers(0, 2**32, n, dtype=np.uint32),
                       lambda g: g.standard_normal(999), lambda g: g.gamma(2.0, size=99),
                       lambda g: g.integers(0, 10, 999)):
                assert same(fn(a), fn(b))
                assert _state_equal(a.bit_generator.state, b.bit_generator.state)


def test_mt19937_chunked_fills_cross_regeneration():
    """rand/uniform on MT19937 draw words in chunks: sizes around the 624-word refill."""
    for seed in (0, 2**31):
        a, b = np.random.RandomState(seed), lr.RandomState(seed)
        for n in (1, 311, 312, 313, 623, 624, 625, 1023, 1024, 1025, 5000):
            assert same(a.rand(n), b.rand(n))
            assert same(a.uniform(2, 5, n), b.uniform(2, 5, n))
            assert same(a.uniform([1.0, 2.0], [3.0, 4.0], (n, 2)),
                        b.uniform([1.0, 2.0], [3.0, 4.0], (n, 2)))
            assert a.randint(0, 10) == b.randint(0, 10)
        assert _rs_same(a, b)
        g = np.random.Generator(np.random.MT19937(seed))
        h = lr.Generator(lr.MT19937(seed))
        assert same(g.random(3001), h.random(3001))
        assert same(g.uniform(1, 2, 77), h.uniform(1, 2, 77))
