"""Kernels that write into an existing buffer: ``a += expr``, ``a[...] = expr``, ``out=``.

The value's kernel writes straight into the target (no full-size temporary) when that is
safe; where an input overlaps the target at other positions, or a node of the computation is
still visible, the value is computed first and copied, as NumPy's semantics require.
"""

import tracemalloc
import warnings

import numpy as np
import pytest

import lazynp as lnp

N = 200_000


@pytest.fixture(autouse=True)
def _lazy():
    with lnp.config(eager_threshold=0, fusion_block_size=4096):
        yield


def _peak(fn):
    fn()  # warm: first calls import modules and fill caches
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_iadd_of_an_expression_writes_into_the_buffer():
    xn = np.linspace(0, 1, N)
    a = lnp.array(xn.copy())
    b = lnp.array(xn * 2)
    ident = id(a)
    k0 = lnp.stats()["kernels"]

    def run():
        nonlocal a
        a += lnp.sin(b) * 3 + 1

    peak = _peak(run)  # runs twice
    assert id(a) == ident and not lnp.is_lazy(a)
    assert lnp.stats()["kernels"] - k0 == 2
    assert peak < N * 8 // 4  # block-sized temporaries only, not one N-element array
    want = xn.copy()
    for _ in range(2):
        want += np.sin(xn * 2) * 3 + 1
    # sin within its documented ULP bound (docs/numerics.md; exact on the reference backend)
    np.testing.assert_allclose(np.asarray(a), want, rtol=1e-15, atol=0)


def test_slice_assignment_of_an_expression_writes_into_the_view():
    xn = np.linspace(0, 1, N)
    a = lnp.array(np.zeros(N + 10))
    x = lnp.array(xn)
    def run():
        a[5:N + 5] = lnp.exp(x) - x

    peak = _peak(run)
    assert peak < N * 8 // 4
    want = np.zeros(N + 10)
    want[5:N + 5] = np.exp(xn) - xn
    # exp within its documented ULP bound (docs/numerics.md; exact on the reference backend)
    np.testing.assert_allclose(np.asarray(a), want, rtol=1e-15, atol=0)


def test_overlapping_input_is_computed_before_the_write():
    vn = np.arange(50.0)
    v = lnp.array(vn.copy())
    v[1:] += v[:-1] * 2
    vn[1:] += vn[:-1] * 2
    np.testing.assert_array_equal(np.asarray(v), vn)
    un = np.arange(30.0).reshape(5, 6)
    u = lnp.array(un.copy())
    u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    un[1:-1, 1:-1] = 0.25 * (un[:-2, 1:-1] + un[2:, 1:-1] + un[1:-1, :-2] + un[1:-1, 2:])
    np.testing.assert_array_equal(np.asarray(u), un)


def test_a_value_still_held_keeps_its_own_values():
    xn = np.arange(10.0)
    x = lnp.array(xn.copy())
    t = x * 2            # held: must keep x's old values after the write
    x[...] = t + x
    c = lnp.array(xn.copy()) * 10
    b = lnp.array(np.zeros(10))
    b[...] = c           # c is held by a variable: computed, then copied
    b[0] = 99
    np.testing.assert_array_equal(np.asarray(x), xn * 3)
    np.testing.assert_array_equal(np.asarray(t), xn * 2)
    np.testing.assert_array_equal(np.asarray(c), xn * 10)


def test_out_argument_with_cast_and_errors():
    f = lnp.array(np.ones(6, dtype=np.float32))
    r = lnp.multiply(f, lnp.array(np.arange(6.0)) * 1.5, out=f)
    assert r is f and f.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(f), np.ones(6, np.float32) * (np.arange(6.0) * 1.5))
    ai = lnp.array(np.arange(4))
    with pytest.raises(np.exceptions.UFuncTypeError if hasattr(np.exceptions, "UFuncTypeError")
                       else TypeError):
        ai += lnp.array(np.arange(4.0)) * 1.5
    np.testing.assert_array_equal(np.asarray(ai), np.arange(4))


@pytest.mark.parametrize("backend", ["llvm", "reference"])
@pytest.mark.parametrize("threads", [1, 2])
def test_in_place_with_a_flag_in_a_middle_block(backend, threads):
    """``c += c * k`` overflowing in one block: the blocks before it are written by the
    compiled kernel, the rest by the reference executor from the unchanged inputs; values
    and warnings are NumPy's."""
    def run(xp):
        c = xp.array(np.linspace(1.0, 2.0, N))
        c[N // 2 + 17] = 1e308
        c[N - 3] = -1e308
        d = xp.array(np.linspace(0.0, 1.0, N))
        with np.errstate(over="warn"), pytest.warns(RuntimeWarning) as rec:
            c += c * 10.0 + d
        return np.asarray(c), sorted({str(w.message) for w in rec})

    with lnp.config(backend=backend, num_threads=threads, parallel_threshold=1):
        got, got_w = run(lnp)
    want, want_w = run(np)
    np.testing.assert_array_equal(got, want)
    assert got_w == want_w


@pytest.mark.parametrize("ufunc", [np.sin, np.cos, np.exp])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("stride", [-1, 1, 2, 5])
def test_out_of_concrete_operands_gives_the_values_without_out(ufunc, dtype, stride):
    # uf(x, out=o) and uf(x) take the same kernel: out= does not change the values, also when
    # the output overlaps the input (NumPy's test_sincos_overlaps)
    n = 1000
    m = n // abs(stride)
    x = np.random.default_rng(42).standard_normal(n).astype(dtype)
    expected = ufunc(x[::stride])
    a = lnp.array(x)
    y = ufunc(a[::stride])
    ufunc(a[::stride], out=a[:m])
    tol = 1e-6 if dtype == "float32" else 1e-15
    np.testing.assert_allclose(np.asarray(y), expected, rtol=tol)
    np.testing.assert_array_equal(np.asarray(a[:m]), np.asarray(y))
    np.testing.assert_array_equal(np.asarray(a[m:]), x[m:])
    b = lnp.array(x)
    o = lnp.zeros(m, dtype)
    assert ufunc(b[::stride], out=o) is o
    np.testing.assert_array_equal(np.asarray(o), np.asarray(y))


def test_out_broadcast_view_is_numpys_write():
    # a self-overlapping output (a broadcast view) is written by NumPy: its values and its
    # one warning on writing a broadcast array
    import warnings

    def run(xp, a, b):
        u, v = xp.broadcast_arrays(a, b)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            u += v
        return np.asarray(u).copy(), [str(x.message) for x in w]

    a = np.arange(2.0)
    b = np.arange(4.0).reshape(2, 2)
    expected, expected_w = run(np, a.copy(), b)
    got, got_w = run(lnp, lnp.array(a), lnp.array(b))
    np.testing.assert_array_equal(got, expected)
    assert got_w == expected_w and len(got_w) == 1


@pytest.mark.parametrize("under", ["ignore", "warn"])
@pytest.mark.parametrize("threads", [1, 2])
def test_in_place_with_an_underflow_in_some_blocks(under, threads):
    """An underflow is a flag the compiled in-place run stops at; when NumPy ignores it the
    block's values are kept and the run goes on, when NumPy warns the rest goes to the
    reference executor.  Values and warnings are NumPy's, in a loop (cached plan) too."""
    def run(xp):
        c = xp.array(np.linspace(1.0, 2.0, N))
        c[N // 3] = 1e-300
        c[N - 5] = 1e-300
        d = xp.array(np.linspace(0.0, 1.0, N))
        msgs = []
        for _ in range(3):
            with np.errstate(under=under), warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                c += c * 1e-20 + d
                np.asarray(c)
            msgs.append(sorted({str(w.message) for w in rec}))
        return np.asarray(c), msgs

    with lnp.config(num_threads=threads, parallel_threshold=1):
        got, got_w = run(lnp)
    want, want_w = run(np)
    np.testing.assert_array_equal(got, want)
    assert got_w == want_w
