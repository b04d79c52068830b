"""Memory-mapped arrays in the lazy tier (``lazynp/_memmap.py``): what a NumPy user expects of
a memmap (attributes, ``flush``, writes reaching the file, views, ``isinstance``), small
mappings staying NumPy's, ``asarray`` of NumPy's memmaps, ``save`` of a pending array, and
writes into mappings (``m[...] = expr``, ``out=``, random draws) equal to NumPy's values.

Every test runs with ``eager_threshold=1000`` so that files of a few hundred kilobytes are
of the lazy tier; the tests of memory use at scale are in ``test_out_of_core.py``.
"""

from __future__ import annotations

import gc
import io

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array
from tests.helpers import assert_raises_like, assert_same

N = 40_000


@pytest.fixture(autouse=True)
def lazy_tier():
    with lnp.config(eager_threshold=1000):
        yield


def _file(tmp_path, name="a.npy", n=N, seed=0):
    """A .npy file of ``n`` float64 values written by NumPy; the values."""
    values = np.random.default_rng(seed).random(n)
    path = tmp_path / name
    np.save(path, values)
    return path, values


def test_memmap_is_lazy_and_numpy_memmap(tmp_path):
    path = tmp_path / "m.dat"
    m = lnp.memmap(path, dtype=np.float32, mode="w+", shape=(N,))
    ref = np.memmap(tmp_path / "r.dat", dtype=np.float32, mode="w+", shape=(N,))
    assert type(m) is lnp.LazyArray
    assert isinstance(m, lnp.memmap) and isinstance(m, np.memmap)
    assert isinstance(m, lnp.ndarray) and isinstance(ref, lnp.memmap)
    assert issubclass(np.memmap, lnp.memmap) and m.__class__ is lnp.memmap
    assert m[10:].__class__ is lnp.memmap and m.T.__class__ is lnp.memmap
    same = np.memmap(path, dtype=np.float32, mode="r+", shape=(N,))
    assert m.filename == same.filename and (m.offset, m.mode) == (ref.offset, ref.mode)
    assert (m.shape, m.dtype) == (ref.shape, ref.dtype)
    r = m * 2
    assert not isinstance(r, np.memmap) and not hasattr(r, "flush")
    assert not hasattr(lnp.ones(N), "filename")


def test_small_mapping_is_numpys(tmp_path):
    path, values = _file(tmp_path)
    small = lnp.memmap(path, dtype=np.float64, mode="r", offset=128, shape=(10,))
    # NumPy's memmap (of lazynp's class, whose results are NumPy's as for numpy.memmap)
    assert type(small) is lnp.memmap and issubclass(lnp.memmap, np.memmap)
    ref = np.memmap(path, dtype=np.float64, mode="r", offset=128, shape=(10,))
    for got, want in ((small[2:], ref[2:]), (small[[1, 2]], ref[[1, 2]]), (small * 2, ref * 2),
                      (small.sum(), ref.sum()), (np.add(small, 1), np.add(ref, 1))):
        assert isinstance(got, np.memmap) == isinstance(want, np.memmap)
        assert type(got) in (type(want), lnp.memmap)
        assert_same(got, want)
    np.save(tmp_path / "small.npy", values[:10])
    assert type(lnp.load(tmp_path / "small.npy", mmap_mode="r")) is np.memmap
    assert_same(np.asarray(small), values[:10])


def test_writes_reach_the_file_and_flush(tmp_path):
    path, values = _file(tmp_path)
    m = lnp.load(path, mmap_mode="r+")
    assert type(m) is lnp.LazyArray and m.mode == "r+"
    m[:100] = np.arange(100.0)
    m[...] = m * 2.0 + 1.0  # a pending value written into the mapping in place
    m.flush()
    want = values.copy()
    want[:100] = np.arange(100.0)
    want = want * 2.0 + 1.0
    assert_same(np.load(path), want)
    assert lnp.stats()["forces"] >= 1


def test_views_keep_the_mapping(tmp_path):
    path, values = _file(tmp_path)
    m = lnp.load(path, mmap_mode="r+")
    v = m[5000:]
    assert isinstance(v, np.memmap) and v.filename == m.filename
    assert isinstance(m[:10], np.ndarray)
    del m
    gc.collect()
    v[...] = v + 1.0  # written through the view, the mapping alive
    v.flush()
    want = values.copy()
    want[5000:] += 1.0
    assert_same(np.load(path), want)
    assert float(v.sum()) == float(want[5000:].sum())


def test_read_only_mapping(tmp_path):
    path, values = _file(tmp_path)
    ro = lnp.load(path, mmap_mode="r")
    ref = np.load(path, mmap_mode="r")
    assert type(ro) is lnp.LazyArray and ro.mode == "r"

    def write(a):
        a[0] = 1.0
    assert_raises_like(lambda: write(ref), lambda: write(ro))
    assert int(((ro * ro) < 0.25).sum()) == int(((ref * ref) < 0.25).sum())
    assert float(ro.sum()) == float(ref.sum())  # NumPy's pairwise order
    assert float((ro * 3.0).mean()) == float((ref * 3.0).mean())


def test_small_views_of_read_only_memory_are_not_snapshots(tmp_path):
    path, _ = _file(tmp_path)
    ro = lnp.load(path, mmap_mode="r")
    row = ro[:5]  # a NumPy view handed to user code: it cannot write read-only memory
    assert not row.flags.writeable
    leaf = _array.node_of(ro)
    assert np.shares_memory(leaf.value, np.asarray(row))  # no copy of the file's data
    rw = lnp.load(path, mmap_mode="r+")
    keep = rw[:5]  # a writeable one can: nodes recorded while it lives read a copy
    assert not np.shares_memory(_array.node_of(rw).value, keep)


def test_asarray_of_numpy_memmaps(tmp_path):
    path, values = _file(tmp_path)
    ro = np.load(path, mmap_mode="r")
    a = lnp.asarray(ro)
    assert type(a) is lnp.LazyArray and isinstance(a, np.memmap)
    assert np.shares_memory(np.asarray(a), ro)
    assert lnp.is_lazy(a * 2.0)
    assert_same(np.asarray(a * 2.0), values * 2.0)
    rw = np.load(path, mmap_mode="r+")  # writeable NumPy memory stays NumPy's
    b = lnp.asarray(rw)
    assert type(b) is np.ndarray and np.shares_memory(b, rw)


def test_open_memmap(tmp_path):
    path = tmp_path / "o.npy"
    m = lnp.lib.format.open_memmap(path, mode="w+", dtype=np.int32, shape=(200, 300))
    assert type(m) is lnp.LazyArray and isinstance(m, np.memmap)
    x = lnp.arange(60_000, dtype=np.int32).reshape(200, 300)
    m[...] = x * 3 - 7
    m.flush()
    assert_same(np.load(path), np.arange(60_000, dtype=np.int32).reshape(200, 300) * 3 - 7)
    small = lnp.lib.format.open_memmap(tmp_path / "s.npy", mode="w+", dtype=np.int8,
                                       shape=(4,))
    assert type(small) is np.memmap


def test_out_into_a_mapping(tmp_path):
    px, vx = _file(tmp_path, "x.npy", seed=1)
    py, vy = _file(tmp_path, "y.npy", seed=2)
    x = lnp.load(px, mmap_mode="r")
    y = lnp.load(py, mmap_mode="r")
    z = lnp.lib.format.open_memmap(tmp_path / "z.npy", mode="w+", dtype=np.float64,
                                   shape=(N,))
    assert lnp.multiply(x * 2.0, y - 1.0, out=z) is z
    assert_same(np.load(tmp_path / "z.npy"), np.multiply(vx * 2.0, vy - 1.0))
    z[:] = lnp.sqrt(x * x + y * y) / 2.0
    assert_same(np.asarray(z), np.sqrt(vx * vx + vy * vy) / 2.0)


def test_sources_written_into_a_mapping(tmp_path):
    m = lnp.lib.format.open_memmap(tmp_path / "r.npy", mode="w+", dtype=np.float64,
                                   shape=(N,))
    m[...] = lnp.random.default_rng(7).random(N)
    assert_same(np.asarray(m), np.random.default_rng(7).random(N))
    m[...] = lnp.full(N, 2.5)
    assert_same(np.asarray(m), np.full(N, 2.5))


def test_two_mappings_of_one_file(tmp_path):
    path, values = _file(tmp_path)
    a = lnp.load(path, mmap_mode="r+")
    b = lnp.load(path, mmap_mode="r")
    c = b * 2.0  # pending: reads the file's values as they are now
    a[...] = 0.0
    assert_same(np.asarray(c), values * 2.0)
    d = b + 1.0
    a[...] = a + 7.0
    assert_same(np.asarray(d), np.ones(N))
    assert_same(np.asarray(b), np.full(N, 7.0))


def test_save_of_a_pending_array(tmp_path):
    px, vx = _file(tmp_path, "x.npy", seed=3)
    x = lnp.load(px, mmap_mode="r")
    pending = x * 2.0 + 1.0
    lnp.save(tmp_path / "out", pending)  # (".npy" appended, as NumPy's)
    np.save(tmp_path / "ref.npy", vx * 2.0 + 1.0)
    assert (tmp_path / "out.npy").read_bytes() == (tmp_path / "ref.npy").read_bytes()
    assert lnp.is_lazy(pending)  # streamed: no value was kept
    assert_same(np.asarray(pending), vx * 2.0 + 1.0)
    f = io.BytesIO()
    lnp.save(f, x - 1.0)  # a file object: NumPy's save of the value
    g = io.BytesIO()
    np.save(g, vx - 1.0)
    assert f.getvalue() == g.getvalue()
    t = lnp.arange(N * 2.0).reshape(2, N).T  # a Fortran-ordered result, saved as NumPy's
    lnp.save(tmp_path / "t.npy", t * 1.0)
    np.save(tmp_path / "tref.npy", np.arange(N * 2.0).reshape(2, N).T * 1.0)
    assert (tmp_path / "t.npy").read_bytes() == (tmp_path / "tref.npy").read_bytes()


def test_save_over_its_own_input(tmp_path):
    path, values = _file(tmp_path)
    x = lnp.load(path, mmap_mode="r")
    lnp.save(path, x * 3.0)  # the kernel must not read the file it is writing
    assert_same(np.load(path), values * 3.0)


def test_assignment_casts_as_numpy(tmp_path):
    px, vx = _file(tmp_path, "x.npy", seed=4)
    x = lnp.load(px, mmap_mode="r")
    m = lnp.lib.format.open_memmap(tmp_path / "i.npy", mode="w+", dtype=np.int16,
                                   shape=(N,))
    m[...] = x * 1000.0 - 300.0  # cast in the kernel that writes the mapping
    want = np.zeros(N, np.int16)
    want[...] = vx * 1000.0 - 300.0
    assert_same(np.asarray(m), want)


@pytest.mark.parametrize("dtype", ["f8", "i4", "u1", "?", "c16"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (None, True), (0, False), (1, True)])
def test_count_nonzero_fused(tmp_path, dtype, axis, keepdims):
    # (a count over a mapping: ``a != 0`` summed in one kernel, no boolean temporary)
    v = (np.random.default_rng(0).random((300, 200)) * 3).astype(dtype)
    v.flat[::7] = 0
    if dtype == "f8":
        v.flat[::11] = np.nan
        v.flat[::13] = -0.0
    np.save(tmp_path / "c.npy", v)
    a = lnp.load(tmp_path / "c.npy", mmap_mode="r")
    for got, want in ((np.count_nonzero(a, axis=axis, keepdims=keepdims),
                       np.count_nonzero(v, axis=axis, keepdims=keepdims)),
                      (np.count_nonzero(a > 1, axis=axis, keepdims=keepdims),
                       np.count_nonzero(v > 1, axis=axis, keepdims=keepdims))):
        assert type(got) is type(want) or lnp.is_lazy(got)
        assert_same(got, want)


def test_user_subclass_of_memmap(tmp_path):
    path, values = _file(tmp_path)

    class Mine(lnp.memmap):
        pass
    m = Mine(path, dtype=np.float64, mode="r", offset=128, shape=(N,))
    assert type(m) is Mine and isinstance(m, Mine) and isinstance(m, np.memmap)
    assert not isinstance(lnp.load(path, mmap_mode="r"), Mine)
    assert issubclass(Mine, lnp.memmap) and not issubclass(np.memmap, Mine)
    assert_same(np.asarray(m), values)


def test_views_of_read_only_mappings_leave_pending_work(tmp_path):
    path, values = _file(tmp_path)
    x = lnp.load(path, mmap_mode="r")
    r = x * 2.0 + 1.0
    forces = lnp.stats()["forces"]
    head = x[:5]  # a NumPy view that cannot write: the pending ``r`` need not be computed
    assert lnp.stats()["forces"] == forces
    assert_same(head, values[:5])
    assert_same(np.asarray(r), values * 2.0 + 1.0)


def test_asarray_of_a_view_of_a_memmap_shares_the_file(tmp_path):
    path, values = _file(tmp_path)
    a = lnp.load(path, mmap_mode="r+")
    b = lnp.asarray(np.load(path, mmap_mode="r")[100:])
    assert type(b) is lnp.LazyArray
    c = b * 2.0  # pending when the file is written through ``a``
    a[...] = 0.0
    assert_same(np.asarray(c), values[100:] * 2.0)
