"""View and in-place semantics: writes through views, snapshots of lazy readers, identity.

Each scenario is a function of the module ``xp``; it runs on NumPy and on lazynp and every
array it returns is compared exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_same, run_both, to_numpy


def arange_like(xp, n=6, dtype=float):
    return xp.array(np.arange(n, dtype=dtype))


def s_slice_sees_inplace_update(xp):
    a = arange_like(xp)
    b = a[::2]
    a += 1
    return a, b


def s_view_write_changes_base(xp):
    a = arange_like(xp)
    v = a[1:3]
    v[:] = 0
    return a, v


def s_reader_recorded_before_write(xp):
    a = arange_like(xp)
    c = a + 1
    a[0] = 100
    return c, a


def s_reader_of_view_recorded_before_write(xp):
    a = arange_like(xp)
    v = a[::-1]
    c = v * 2
    a[:] = -1
    d = v * 2
    return c, d, v


def s_writes_into_lazy_intermediate(xp):
    a = arange_like(xp)
    t = a + 1
    u = t * 2
    t[0] = 5
    return t, u


def s_inplace_on_lazy_then_reader(xp):
    a = arange_like(xp)
    t = a * 3
    u = t + 1
    t += 10
    w = t + 1
    return t, u, w


def s_overlap_shift_right(xp):
    a = arange_like(xp)
    a[1:] = a[:-1]
    return a


def s_overlap_shift_left(xp):
    a = arange_like(xp)
    a[:-1] = a[1:]
    return a


def s_overlap_reverse(xp):
    a = arange_like(xp)
    a[...] = a[::-1]
    return a


def s_overlap_2d(xp):
    a = xp.array(np.arange(12.0).reshape(3, 4))
    a[1:, :] = a[:-1, :]
    a[:, 1:] += a[:, :-1]
    return a


def s_overlap_inplace_reverse(xp):
    a = arange_like(xp)
    a += a[::-1]
    return a


def s_overlap_inplace_shift(xp):
    a = arange_like(xp, dtype=np.int64)
    a[1:] += a[:-1]
    return a


def s_transpose_is_view(xp):
    a = xp.array(np.arange(6.0).reshape(2, 3))
    t = a.T
    t[0, 1] = 50
    a[1, 2] = 70
    return a, t


def s_view_of_view(xp):
    a = arange_like(xp, 10)
    w = a[1:][::2]
    w += 10
    w2 = w[::-1]
    w2[0] = -5
    return a, w, w2


def s_view_of_lazy_base(xp):
    a = arange_like(xp) * 1.0
    v = a[::2]
    v[0] = 99
    b = a + 0
    return a, v, b


def s_reshape_view_vs_copy(xp):
    a = xp.array(np.arange(6.0))
    r = a.reshape(2, 3)
    r[0, 0] = 7
    m = a.reshape(2, 3).T
    c = m.reshape(-1)  # non-contiguous -> copy
    c[0] = -7
    return a, r, m, c


def s_ravel_view_vs_copy(xp):
    a = xp.array(np.arange(6.0).reshape(2, 3))
    r = a.ravel()
    r[1] = 11
    c = a.T.ravel()
    c[1] = -11
    return a, r, c


def s_real_imag_views(xp):
    z = xp.array(np.array([1 + 2j, 3 - 4j, -5j]))
    re = z.real
    im = z.imag
    im[:] = 0
    re += 1
    return z, re, im


def s_setitem_with_lazy_value(xp):
    a = arange_like(xp)
    b = xp.array(np.ones(6)) * 3
    a[::2] = b[:3] + a[1::2]
    return a


def s_setitem_broadcast_scalar_and_row(xp):
    a = xp.array(np.zeros((3, 4)))
    a[1] = 5
    a[:, 2] = xp.array(np.arange(3.0))
    a[..., -1] = a[:, 0] + 1
    a[None, 0] = 9
    return a


def s_bool_mask_setitem(xp):
    a = arange_like(xp)
    v = a[1:]
    a[a > 2] = 0
    return a, v


def s_fancy_setitem(xp):
    a = arange_like(xp)
    v = a[::2]
    a[[0, 3, 5]] = xp.array(np.array([10.0, 30.0, 50.0]))
    return a, v


def s_ufunc_out_into_view(xp):
    a = xp.array(np.zeros((2, 3)))
    b = a[1]
    xp.add(xp.array(np.arange(3.0)), 1, out=b)
    return a, b


def s_swapaxes_moveaxis_views(xp):
    a = xp.array(np.arange(24.0).reshape(2, 3, 4))
    s = a.swapaxes(0, 2)
    m = xp.moveaxis(a, 0, -1)
    e = xp.expand_dims(a, 1)
    q = e.squeeze()
    s[0, 0, 0] = -1
    m[1, 1, 1] = -2
    q[1, 2, 3] = -3
    return a, s, m, e, q


def s_multiple_consumers_and_mutation(xp):
    a = arange_like(xp)
    b = a * 2
    c = b + a
    d = b - a
    a[:3] = 0
    b[3:] = 1
    e = c * d
    return a, b, c, d, e


def s_inplace_chain(xp):
    a = arange_like(xp, 8)
    for k in range(10):
        a *= 1.5
        a += k
        a[k % 8] = -a[(k + 3) % 8]
    return a


def s_astype_copy_flags(xp):
    a = arange_like(xp)
    same = a.astype(a.dtype, copy=False)
    other = a.astype(a.dtype)
    same[0] = 42
    other[1] = 43
    return a, same, other


VIEW_SCENARIOS = [v for k, v in sorted(globals().items()) if k.startswith("s_")]


@pytest.mark.parametrize("scenario", VIEW_SCENARIOS, ids=lambda f: f.__name__[2:])
def test_view_scenarios(lazy_mode, scenario):
    run_both(scenario, exact=True)


def test_inplace_ops_keep_identity(lazy_mode):
    for src in ["a += 1", "a -= b", "a *= 2", "a /= 3", "a **= 2", "a //= 2", "a %= 3",
                "a[...] = b", "a[:] = 0", "a[1] = 7", "xp.add(a, b, out=a)", "a.fill(3)",
                "a.sort()", "xp.copyto(a, b)", "a.clip(0, 2, out=a)"]:
        def fn(xp, src=src):
            a = xp.array(np.arange(6.0))
            b = xp.array(np.ones(6)) * 2
            ident = id(a)
            exec(src, {"xp": xp, "a": a, "b": b})
            assert id(a) == ident
            return a

        run_both(fn, exact=True)


VIEW_CONSTRUCTIONS = {
    "slice step": "a[::2]",
    "negative step": "a[::-1, 1:]",
    "int index": "a[:, 1]",
    "ellipsis": "a[..., ::-2]",
    "newaxis": "a[None, :, None]",
    "T": "a.T",
    "transpose": "a.transpose(1, 0, 2)",
    "swapaxes": "xp.swapaxes(a, 0, 1)",
    "moveaxis": "xp.moveaxis(a, 0, -1)",
    "reshape contiguous": "a.reshape(6, 4)",
    "reshape non-contiguous": "a.T.reshape(-1)",
    "ravel": "a.ravel()",
    "ravel T": "a.T.ravel()",
    "expand_dims": "xp.expand_dims(a, 0)",
    "squeeze": "a[:1].squeeze()",
    "broadcast_to": "xp.broadcast_to(a[0, 0], (5, 4))",
    "copy": "a.copy()",
    "astype": "a.astype(np.float32)",
    "ascontiguousarray T": "xp.ascontiguousarray(a.T)",
    "elementwise": "a + 1",
    "elementwise of T": "a.T * 2",
    "reduction": "a.sum(axis=1)",
    "real of complex": "(a * 1j).real",
    "imag of complex view": "c.imag",
    "fortran zeros": "xp.zeros((3, 4), order='F')",
    "asfortranarray": "xp.asfortranarray(a)",
    "empty slice": "a[:, 5:]",
    "0-d": "a[0, 0, ...]",
}


@pytest.mark.parametrize("name", list(VIEW_CONSTRUCTIONS))
def test_view_metadata_matches_numpy(lazy_mode, name):
    """shares_memory, .base, flags and strides agree with NumPy for forced arrays."""
    src = VIEW_CONSTRUCTIONS[name]

    def build(xp):
        a = xp.array(np.arange(24.0).reshape(2, 3, 4))
        c = xp.array(np.arange(4) * (1 + 1j))
        return a, c, eval(src, {"xp": xp, "np": np, "a": a, "c": c})

    a0, c0, x0 = build(np)
    a1, c1, x1 = build(lnp)
    assert_same(x1, x0, exact=True)
    lnp.force(x1)
    assert x1.strides == x0.strides, (x1.strides, x0.strides)
    for flag in ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "OWNDATA"):
        assert x1.flags[flag] == x0.flags[flag], (flag, x1.flags[flag], x0.flags[flag])
    assert (x1.base is None) == (x0.base is None)
    base0, base1 = (c0, c1) if src.startswith("c.") else (a0, a1)
    assert lnp.shares_memory(x1, base1) == np.shares_memory(x0, base0)
    assert lnp.may_share_memory(x1, base1) == np.may_share_memory(x0, base0)


def test_shares_memory_of_forced_views_via_numpy(lazy_mode):
    a = lnp.array(np.arange(10.0)) * 1.0
    v = a[2:7:2]
    lnp.force(v)
    lnp.force(a)
    av = to_numpy(a)
    vv = to_numpy(v)
    assert np.shares_memory(av, vv)
    vv_copy = vv.copy()
    a[2] = -1
    assert float(v[0]) == -1.0
    assert vv_copy[0] == 2.0


def test_broadcast_to_is_read_only(lazy_mode):
    def fn(xp):
        b = xp.broadcast_to(xp.array(np.arange(3.0)), (2, 3))
        b[0, 0] = 1

    with pytest.raises(ValueError):
        fn(np)
    with pytest.raises(ValueError):
        fn(lnp)


def test_writeable_flag_false_is_respected(lazy_mode):
    def fn(xp):
        a = xp.array(np.arange(3.0))
        a.flags.writeable = False
        a += 1

    with pytest.raises(ValueError):
        fn(np)
    with pytest.raises(ValueError):
        fn(lnp)


def test_asarray_of_numpy_array_shares_its_buffer(lazy_mode):
    """numpy.asarray(x) is x, and so is lazynp.asarray(x): later writes are seen both ways."""
    x = np.arange(5.0)
    a = lnp.asarray(x)
    assert a is x
    x[0] = 100
    assert float(a[0]) == 100.0
    a[1] = 200
    assert x[1] == 200.0
    y = np.arange(5.0)
    b = lnp.array(y)
    y[0] = 100
    assert float(b[0]) == 0.0


# --------------------------------------------------- .real / .imag of pending arrays
def _cplx(n: int = 6000) -> np.ndarray:
    g = np.random.default_rng(8)
    return g.random(n) + 1j * g.random(n)


@pytest.mark.parametrize("backend", ["reference", "llvm"])
def test_real_imag_of_pending_complex_are_lazy_views(backend: str) -> None:
    z0 = _cplx()
    with lnp.config(backend=backend):
        z = lnp.array(z0) * (1 - 2j)
        re, im = z.real, z.imag
        assert lnp.is_lazy(re) and lnp.is_lazy(im) and re.dtype == np.float64
        got = np.asarray(re * re + im * im <= 1.0)
        zz = z0 * (1 - 2j)
        np.testing.assert_array_equal(got, zz.real * zz.real + zz.imag * zz.imag <= 1.0)
        # forced alone: a view of the realized complex buffer, as NumPy's
        assert np.shares_memory(np.asarray(z.real), np.asarray(z))
        np.testing.assert_array_equal(np.asarray(im), zz.imag)


@pytest.mark.parametrize("backend", ["reference", "llvm"])
def test_real_view_write_goes_to_the_complex_array(backend: str) -> None:
    z0 = _cplx()
    with lnp.config(backend=backend):
        z = lnp.array(z0.copy()) * 2
        r = z.real
        r[...] = 7.0
        z.imag[:10] = -1.0
        want = z0 * 2
        want.real[...] = 7.0
        want.imag[:10] = -1.0
        np.testing.assert_array_equal(np.asarray(z), want)


@pytest.mark.parametrize("backend", ["reference", "llvm"])
def test_mandelbrot_loop_with_lazy_parts_matches_numpy(backend: str) -> None:
    c0 = np.linspace(-2, 0.6, 90)[None, :] + 1j * np.linspace(-1.2, 1.2, 70)[:, None]

    def mandel(xp: object, c: object) -> tuple:
        z = xp.zeros_like(c)
        counts = xp.zeros(c.shape, dtype=xp.int64)
        for _ in range(12):
            inside = z.real * z.real + z.imag * z.imag <= 4.0
            z = xp.where(inside, z * z + c, z)
            counts = counts + inside
        return counts, z

    want = mandel(np, c0)
    with lnp.config(backend=backend, eager_threshold=0):
        got = mandel(lnp, lnp.array(c0))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(np.asarray(g), w)
