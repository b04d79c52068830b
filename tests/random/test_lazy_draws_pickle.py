"""A pending RANDOM source's draws (``Draws``) pickle, and any range regenerated from the
pickled copy (as a worker process would) is NumPy's serial stream."""

import pickle

import numpy
import pytest

import lazynp as np
from lazynp.random._fill import Draws


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("bitgen", ["PCG64", "PCG64DXSM"])
@pytest.mark.parametrize("start,count", [(0, 10), (12345, 777), (2_999_000, 1_000)])
def test_draws_regenerate_any_range_after_pickling(bitgen, dtype, start, count):
    n = 3_000_000
    r = np.random.Generator(getattr(np.random, bitgen)(7))
    r.random(5, dtype=dtype)  # a buffered 32-bit half for float32
    x = r.random(n, dtype=dtype)
    draws = x._node.params["generate"]
    assert isinstance(draws, Draws) and draws.kind == bitgen.lower()
    copy = pickle.loads(pickle.dumps(draws))
    out = numpy.empty(count, dtype)
    copy(out, start, count)
    ref = numpy.random.Generator(getattr(numpy.random, bitgen)(7))
    ref.random(5, dtype=dtype)
    expect = ref.random(n, dtype=dtype)[start:start + count]
    numpy.testing.assert_array_equal(out, expect)
