"""NumPy's bit generator / Generator / RandomState protocols that NumPy's own test suite uses:
pickling (``numpy.random._pickle`` ctors, ``(state, seed_seq)``), ``_benchmark``, the
``ctypes`` interface, ``_poisson_lam_max``, ``mtrand._rand``, warnings' locations, and the
binomial of NumPy >= 2.4 for extremely small ``p`` -- each checked against NumPy."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import lazynp.random as lr
from lazynp.random._wrap import asnumpy

BITGENS = ["PCG64", "PCG64DXSM", "MT19937", "SFC64", "Philox"]


def pair(name, seed=1234):
    return getattr(np.random, name)(seed), getattr(lr, name)(seed)


@pytest.mark.parametrize("name", BITGENS)
def test_getstate_is_state_and_seed_seq(name):
    a, b = pair(name)
    sa, sb = a.__getstate__(), b.__getstate__()
    assert isinstance(sa, tuple) and isinstance(sb, tuple) and len(sa) == len(sb) == 2
    assert repr(sa[0]) == repr(sb[0])
    assert np.array_equal(sa[1].state, sb[1].state) and sa[1].entropy == sb[1].entropy


@pytest.mark.parametrize("name", BITGENS)
def test_pickle_round_trip_continues_stream(name):
    a, b = pair(name)
    a.random_raw(3)
    b.random_raw(3)
    c = pickle.loads(pickle.dumps(b))
    assert type(c) is type(b)
    assert c.seed_seq.entropy == b.seed_seq.entropy
    assert np.array_equal(a.random_raw(5), c.random_raw(5))


@pytest.mark.parametrize("name", BITGENS)
def test_reduce_and_legacy_setstate(name):
    a, b = pair(name)
    ctor_a, args_a, state_a = a.__reduce__()
    ctor_b, args_b, state_b = b.__reduce__()
    assert args_b == (type(b),) and args_a == (type(a),)
    # the ctors take a bit generator name too (pickles of NumPy < 2.0)
    fresh_a, fresh_b = ctor_a(name), ctor_b(name)
    assert type(fresh_b) is type(b)
    # a state dict alone (old pickles) sets the state and keeps the seed sequence
    fresh_a.__setstate__(a.state)
    fresh_b.__setstate__(b.state)
    assert np.array_equal(fresh_a.random_raw(4), fresh_b.random_raw(4))
    with pytest.raises(ValueError, match="not a known BitGenerator"):
        ctor_b("NoSuchBitGenerator")


def test_generator_and_randomstate_ctors_old_style():
    for np_obj, lz_obj, ctor_arg in [
            (np.random.Generator(np.random.PCG64DXSM(0)), lr.Generator(lr.PCG64DXSM(0)),
             "PCG64DXSM"),
            (np.random.RandomState(np.random.MT19937(0)), lr.RandomState(lr.MT19937(0)),
             "MT19937")]:
        ctor_a, (bg_a,), _ = np_obj.__reduce__()[:3]
        ctor_b, (bg_b,), _ = lz_obj.__reduce__()[:3]
        assert type(bg_b).__name__ == type(bg_a).__name__
        made_a, made_b = ctor_a(ctor_arg), ctor_b(ctor_arg)
        assert type(made_b) is type(lz_obj)
        assert type(made_a).__name__ == type(made_b).__name__
        assert type(made_b.bit_generator if hasattr(made_b, "bit_generator")
                    else made_b._bit_generator) is type(bg_b)
        # pickling round trip keeps the stream
        lz_copy = pickle.loads(pickle.dumps(lz_obj))
        assert type(lz_copy) is type(lz_obj)
        assert np.array_equal(np_obj.random(5), lz_copy.random(5))


@pytest.mark.parametrize("name", BITGENS)
def test_benchmark_advances_like_numpy(name):
    a, b = pair(name)
    a._benchmark(7)
    b._benchmark(7)
    a._benchmark(5, "double")
    b._benchmark(5, "double")
    assert np.array_equal(a.random_raw(3), b.random_raw(3))
    with pytest.raises(ValueError):
        a._benchmark(1, "int32")
    with pytest.raises(ValueError):
        b._benchmark(1, "int32")


@pytest.mark.parametrize("name", BITGENS)
def test_ctypes_interface_draws_like_numpy(name):
    from numpy.random._common import interface

    a, b = pair(name)
    ia, ib = a.ctypes, b.ctypes
    assert isinstance(ib, interface) and b.ctypes is ib
    draws_a = [ia.next_uint64(ia.state), ia.next_uint32(ia.state), ia.next_uint32(ia.state),
               ia.next_uint32(ia.state), ia.next_double(ia.state)]
    draws_b = [ib.next_uint64(ib.state), ib.next_uint32(ib.state), ib.next_uint32(ib.state),
               ib.next_uint32(ib.state), ib.next_double(ib.state)]
    assert draws_a == draws_b
    # the interface works on the bit generator's own state
    assert np.array_equal(a.random_raw(3), b.random_raw(3))


def test_poisson_lam_max():
    assert lr.default_rng()._poisson_lam_max == np.random.default_rng()._poisson_lam_max
    assert lr.RandomState()._poisson_lam_max == np.random.RandomState()._poisson_lam_max


def test_randomstate_of_a_class_is_an_error():
    with pytest.raises(ValueError, match="must be instantized") as exc_np:
        np.random.RandomState(np.random.MT19937)
    with pytest.raises(ValueError) as exc_lz:
        lr.RandomState(lr.MT19937)
    assert str(exc_np.value) == str(exc_lz.value)


def test_default_rng_of_randomstate_and_mtrand_rand():
    rs = lr.RandomState(1234)
    assert lr.default_rng(rs).bit_generator is rs._bit_generator
    original = lr.get_bit_generator()
    try:
        bg = lr.PCG64(12342298)
        lr.set_bit_generator(bg)
        assert lr.mtrand._rand._bit_generator is bg
        assert lr.default_rng(lr.mtrand._rand).bit_generator is bg
        assert lr.get_bit_generator() is bg
    finally:
        lr.set_bit_generator(original)
    assert sorted(lr.mtrand.__all__) == sorted(np.random.mtrand.__all__)


@pytest.mark.parametrize("make", [lambda m: m, lambda m: m.RandomState(5),
                                  lambda m: m.default_rng(5),
                                  lambda m: m.RandomState(m.Philox(5))],
                         ids=["module", "RandomState", "Generator", "RandomState-Philox"])
def test_shuffle_untyped_warning_location_and_result(make):
    values_np = {i: i for i in range(7)}
    values_lz = dict(values_np)
    for mod, values in [(np.random, values_np), (lr, values_lz)]:
        rng = make(mod)
        if rng is mod:
            mod.seed(5)
        with pytest.warns(UserWarning, match="you are shuffling a 'dict' object") as rec:
            rng.shuffle(values)
        assert rec[0].filename == __file__
    assert values_np == values_lz


def test_shuffle_object_subclass_warns_like_numpy():
    class Sub(np.ndarray):
        pass

    # (NumPy's bounce buffer stores references to the buffer itself in the array, the
    # documented "incorrect results"; lazynp moves the items, a permutation)
    items = list(range(10))
    a = np.array(items, dtype=object).view(Sub)
    b = np.array(items, dtype=object).view(Sub)
    with pytest.warns(UserWarning, match="Shuffling a one dimensional array"):
        np.random.RandomState(np.random.Philox(3)).shuffle(a)
    with pytest.warns(UserWarning, match="Shuffling a one dimensional array") as rec:
        lr.RandomState(lr.Philox(3)).shuffle(b)
    assert rec[0].filename == __file__
    assert sorted(b) == items


@pytest.mark.parametrize("n, p", [(50000000000, 5e-17), (10**6, 1e-5), (100, 1 - 1e-12),
                                  (30, 0.3)])
def test_binomial_inversion_small_p(n, p):
    # NumPy >= 2.4: Generator's inversion uses exp(n * log1p(-p)); RandomState keeps log(1 - p)
    size = 2_200_000  # above the eager threshold: lazynp's compiled kernels
    a = np.random.default_rng(7).binomial(n, p, size=size)
    b = asnumpy(lr.default_rng(7).binomial(n, p, size=size))
    assert np.array_equal(a, b)
    c = np.random.RandomState(np.random.Philox(7)).binomial(n, p, size=1000)
    d = asnumpy(lr.RandomState(lr.Philox(7)).binomial(n, p, size=1000))
    assert np.array_equal(c, d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = np.random.Generator(np.random.Philox(7)).binomial(n, p, size=1000)
        f = asnumpy(lr.Generator(lr.Philox(7)).binomial(n, p, size=1000))
    assert np.array_equal(e, f)


def test_numpy_integer_size_on_the_lazy_path():
    # a size of NumPy integers (a shape computed with arrays) gives Python-int shapes, and
    # the kernels' offsets and state jumps take them (was: OverflowError in the PCG jump)
    import lazynp

    size = (np.int64(300), np.int64(50))
    with lazynp.config(eager_threshold=0):
        got = lazynp.random.default_rng(7).random(size)
        assert all(type(d) is int for d in got.shape)
        np.testing.assert_array_equal(np.asarray(got), np.random.default_rng(7).random(size))
