"""Full float sums/means of fused kernels give NumPy's digits (its pairwise order)."""

import numpy as np
import pytest

import lazynp as lnp


@pytest.mark.parametrize("n", [1, 7, 8, 129, 1000, 4097, 65536 + 3, 300_001])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("block", [128, 1000, 65536])
def test_full_sum_matches_numpy_bit_for_bit(n, dtype, block):
    x = np.random.default_rng(n).random(n).astype(dtype) * 100 - 30
    with lnp.config(eager_threshold=0, fusion_block_size=block):
        lx = lnp.array(x)
        got = ((lx - 1) * 0.5).sum()
        got_mean = (lx * 3).mean()
        got_strided = (lnp.array(x[::-2]) + 1).sum()
        got_2d = (lnp.array(x[: n - n % 7].reshape(-1, 7)) * 2).sum() if n >= 7 else None
        got_init = (lx + 0).sum(initial=5.0)
    assert got == ((x - 1) * 0.5).sum() and type(got) is type(((x - 1) * 0.5).sum())
    assert got_mean == (x * 3).mean()
    assert got_strided == (x[::-2] + 1).sum()
    if got_2d is not None:
        assert got_2d == (x[: n - n % 7].reshape(-1, 7) * 2).sum()
    assert got_init == (x + 0).sum(initial=5.0)
