"""Row loops of the strided entry (``loops._fast_row``): broadcasts along rows, row
reductions, min/max in vector lanes -- compared with NumPy (bit for bit where NumPy's own
values are promised)."""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_cpu import reduce, runtime


def _bits_equal(got, want) -> bool:
    got = np.asarray(got)
    want = np.asarray(want)
    if got.dtype != want.dtype or got.shape != want.shape:
        return False
    if want.dtype.kind != "f":
        return np.array_equal(got, want)
    nan = np.isnan(want)
    if not np.array_equal(np.isnan(got), nan):
        return False
    u = f"u{want.itemsize}"
    return np.array_equal(got[~nan].view(u), want[~nan].view(u))


@pytest.fixture
def lazy():
    with lnp.config(eager_threshold=0):
        yield


SHAPES = [(7, 5), (40, 33), (9, 256), (3, 4, 1000), (2, 3, 17, 64), (1, 300), (6, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int16, np.uint8])
def test_broadcast_rows_elementwise(lazy, shape, dtype):
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    col = x[..., :1] + 1
    row = x[(0,) * (x.ndim - 1)] * 2
    want = (x - col) * row
    lx = lnp.array(x)
    got = (lx - (lx[..., :1] + 1)) * (lx[(0,) * (x.ndim - 1)] * 2)
    assert _bits_equal(got, want)


@pytest.mark.parametrize("shape", [(40, 33), (300, 1000), (3, 5, 257)])
def test_softmax_rows(lazy, shape):
    x = np.random.default_rng(1).standard_normal(shape) * 4
    e = np.exp(x - x.max(-1, keepdims=True))
    want = e / e.sum(-1, keepdims=True)
    lx = lnp.array(x)
    le = lnp.exp(lx - lx.max(-1, keepdims=True))
    got = np.asarray(le / le.sum(-1, keepdims=True))
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_in_place_broadcast(lazy):
    x = np.random.default_rng(2).standard_normal((50, 70))
    want = x.copy()
    want -= want.max(1, keepdims=True)
    lx = lnp.array(x)
    lx -= lx.max(1, keepdims=True)
    assert _bits_equal(lx, want)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8])
@pytest.mark.parametrize("op", ["max", "min"])
def test_minmax_rows_match_numpy(lazy, shape, dtype, op):
    rng = np.random.default_rng(shape[-1])
    if np.dtype(dtype).kind == "f":
        x = (rng.standard_normal(shape) * 10).astype(dtype)
    else:
        x = rng.integers(0, 100, shape).astype(dtype)
    for axis in [-1, (-2, -1)] if x.ndim > 1 else [-1]:
        for keep in (False, True):
            want = getattr(np, op)(x + 1, axis=axis, keepdims=keep)
            got = getattr(lnp, op)(lnp.array(x) + 1, axis=axis, keepdims=keep)
            assert _bits_equal(got, want), (axis, keep)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("op", ["max", "min"])
def test_minmax_rows_signed_zeros_and_nan(lazy, dtype, op):
    """Rows whose result is a zero or NaN (where NumPy's combine order shows) are NumPy's."""
    rng = np.random.default_rng(3)
    vals = np.array([0.0, -0.0, -1.0, 1.0, np.nan], dtype=dtype)
    sign = 1 if op == "max" else -1
    for n in (1, 5, 16, 33, 200, 1000):
        z = rng.choice(vals, size=(64, n), p=[0.4, 0.4, 0.17, 0.0, 0.03]) * sign
        want = getattr(np, op)(z * 1, axis=-1)
        got = getattr(lnp, op)(lnp.array(z) * 1, axis=-1)
        assert _bits_equal(got, want), n


def test_minmax_rows_run_compiled(lazy):
    x = np.random.default_rng(4).standard_normal((64, 500))
    runtime.reset()
    got = np.asarray((lnp.array(x) * 2).max(axis=1))
    assert _bits_equal(got, (x * 2).max(axis=1))
    assert runtime.stats["runs"] == 1 and not runtime.stats["fallbacks"]


def test_minmax_other_axes_left_to_reference(lazy):
    x = np.random.default_rng(5).standard_normal((30, 40, 50))
    for axis in (0, 1, (0, 2)):
        got = (lnp.array(x) + 1).max(axis=axis)
        assert _bits_equal(got, (x + 1).max(axis=axis))


@pytest.mark.parametrize("n", [3, 64, 255])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_short_row_sums(lazy, n, op):
    x = np.random.default_rng(n).standard_normal((500, n))
    want = getattr(np, op)(np.exp(x - 1), axis=1)
    got = getattr(lnp, op)(lnp.exp(lnp.array(x) - 1), axis=1)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-13)


@pytest.mark.parametrize("shape", [(50, 256), (40, 1000), (2, 3, 5, 300), (7, 4099)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_pairwise_sum_with_row_broadcast_is_numpys(lazy, shape, dtype):
    """sum(exp(x - m), -1) with m = x.max(-1, keepdims=True) read once per row: NumPy's
    pairwise digits of the same exp values (as a NumPy sum of the stored exp)."""
    x = (np.random.default_rng(shape[-1]).standard_normal(shape) * 3).astype(dtype)
    lx = lnp.array(x)
    m = lx.max(-1, keepdims=True)
    stored = np.asarray(lnp.exp(lx - m))
    for op in ("sum", "mean"):
        runtime.reset()
        got = getattr(lnp.exp(lx - m), op)(-1)
        assert _bits_equal(got, getattr(stored, op)(-1)), op
        assert not runtime.stats["fallbacks"]
    # a per-row value that is not one element per row in order: still right
    mt = np.ascontiguousarray(np.asarray(m).swapaxes(0, -1)).swapaxes(0, -1)
    got = lnp.exp(lx - mt).sum(-1)
    assert _bits_equal(got, stored.sum(-1)) or np.allclose(np.asarray(got), stored.sum(-1),
                                                           rtol=1e-6)


@pytest.mark.parametrize("shape", [(40, 1000), (3, 7, 300), (9, 128), (700, 50)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_full_pairwise_sum_with_row_broadcast(lazy, shape, dtype):
    """A full sum over exp(x - m) (m one value per row) is NumPy's pairwise sum of the same
    values; a broadcast scalar is read at its own element in every leaf."""
    x = (np.random.default_rng(shape[0]).standard_normal(shape) * 3).astype(dtype)
    lx = lnp.array(x)
    m = lx.max(-1, keepdims=True)
    stored = np.asarray(lnp.exp(lx - m))
    got = lnp.exp(lx - m).sum()
    if shape[-1] >= reduce.ROW_RUN_MIN:
        assert _bits_equal(got, stored.sum())
    else:  # (runs shorter than a leaf: the reference executor, NumPy's exp)
        np.testing.assert_allclose(got, stored.sum(), rtol=1e-5)
    c = lx.mean(keepdims=True)
    got = ((lx - c) * (lx - c)).sum()
    xc = x - np.asarray(c)
    assert _bits_equal(got, (xc * xc).sum())
