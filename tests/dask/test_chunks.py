"""lazynp arrays as the chunks of a ``dask.array`` (``lazynp.dask.chunks``, docs/scale.md).

Every result is compared with the same Dask expression on NumPy chunks (what NumPy computes
chunk by chunk): integer and bool results exactly, IEEE-exact float operations exactly,
others within the documented tolerance (``tests/helpers.py``).  The fusion claim is checked
per task: ``kernels_per_block`` forces each chunk inside its task and reports the kernels it
took (one per chunk: Dask handed the task the whole chain), and Dask's optimised graph holds
one task per chunk.  Local tests run on Dask's threaded and synchronous schedulers (the
tests' eager threshold, 4096 elements, makes 5000-element chunks lazy-tier); cluster tests
on the 2-process ``LocalCluster`` of ``conftest.py``, whose workers keep lazynp's default
threshold, so their chunks have 2**21 elements (made on the workers).
"""

from __future__ import annotations

import pickle

import dask
import dask.array as da
import dask.threaded
import distributed
import numpy as np
import pytest

import lazynp as lnp
from lazynp.dask.chunks import force_blocks, from_array, kernels_per_block
from tests.helpers import assert_close

SCHEDULERS = ["threads", "sync"]
SHAPE, CHUNKS = (200, 100), (50, 100)  # 4 chunks of 5000 elements


def _data():
    rng = np.random.default_rng(7)
    return rng.random(SHAPE), rng.random(SHAPE), rng.integers(-50, 50, SHAPE, dtype=np.int32)


def _pair(a):
    """The same Dask array with lazynp chunks and with NumPy chunks."""
    return from_array(lnp.array(a), CHUNKS), da.from_array(a, CHUNKS)


# name -> (expression on dask arrays x, y, i (int32), whether float results are IEEE-exact)
EXPRESSIONS = {
    "disk": (lambda x, y, i: (x * x + y * y < 1).sum(), True),
    "exp_chain": (lambda x, y, i: da.exp(x) * 2 - y, False),
    "where": (lambda x, y, i: da.where(x > 0.5, x, -y) / 3, True),
    "int_chain": (lambda x, y, i: (i * 3 + 1) % 7 - (i >> 1), True),
    "int_sum_axis": (lambda x, y, i: (i * i - 5).sum(axis=1), True),
    "astype": (lambda x, y, i: (x * 100).astype(np.int32) + i, True),
    "sum": (lambda x, y, i: (x * y + 1).sum(), False),
    "mean_axis0": (lambda x, y, i: (x - y).mean(axis=0), False),
    "std": (lambda x, y, i: (x * 2).std(), False),
    "max_axis0": (lambda x, y, i: (x - y).max(axis=0), True),
    "min": (lambda x, y, i: da.sqrt(x + y).min(), True),
    "any_all": (lambda x, y, i: da.stack([(x > 0.999).any(), (y < 2).all()]), True),
    "argmax": (lambda x, y, i: (x * y).argmax(axis=0), True),
    "transposed": (lambda x, y, i: (x.T * 2 + y.T).sum(axis=0), False),
    "sliced": (lambda x, y, i: x[::2, 1:] * 3 + y[1::2, :-1], True),
    "map_blocks": (lambda x, y, i: x.map_blocks(lambda b: np.sin(b) + b * b, dtype=float),
                   False),
    "concatenate": (lambda x, y, i: da.concatenate([x, y]) * 2, True),
}


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_expressions_match_numpy_chunks(name, scheduler):
    f, exact = EXPRESSIONS[name]
    xs, ys, js = _data()
    (x, nx), (y, ny), (i, ni) = _pair(xs), _pair(ys), _pair(js)
    lnp.reset_stats()
    got = f(x, y, i).compute(scheduler=scheduler)
    fallbacks = lnp.stats()["fallbacks"]
    want = f(nx, ny, ni).compute(scheduler="sync")
    assert_close(got, want, exact=exact)
    assert not fallbacks  # (every chunk call above runs in lazynp)


def test_chunks_are_lazynp_arrays_and_meta_is_lazynp():
    xs, ys, _ = _data()
    x = from_array(lnp.array(xs), CHUNKS)
    e = da.exp(x) * 2
    # a 0-size array made from a lazynp one is a lazynp array: Dask's meta (docs/scale.md)
    assert type(x._meta) is lnp.LazyArray and type(e._meta) is lnp.LazyArray
    block = e.blocks[1, 0].compute(scheduler="sync")
    assert type(block) is lnp.LazyArray and lnp.is_lazy(block)
    assert_close(block, np.exp(xs[50:100]) * 2)
    # anything else than a lazynp array is copied into lazynp chunks in the reading task
    z = from_array(ys, CHUNKS)
    b = z.blocks[2, 0].compute(scheduler="sync")
    assert type(b) is lnp.LazyArray
    assert not np.shares_memory(np.asarray(b), ys)
    assert_close(b, ys[100:150], exact=True)


@pytest.mark.parametrize("name", ["disk", "exp_chain", "where", "int_chain", "astype",
                                  "map_blocks"])
def test_one_kernel_per_chunk(name):
    f, _ = EXPRESSIONS[name]
    xs, ys, js = _data()
    x, y, i = (from_array(lnp.array(a), CHUNKS) for a in (xs, ys, js))
    expr = f(x, y, i)
    if name == "disk":  # (the chain before the reduction)
        expr = x * x + y * y < 1
    counts = kernels_per_block(expr).compute(scheduler="sync")
    assert counts.shape == tuple(len(c) for c in expr.chunks)
    assert (counts == 1).all(), counts
    # Dask's optimised graph: one task per chunk runs the whole chain (and the data)
    (opt,) = dask.optimize(expr)
    graph = dict(opt.__dask_graph__())
    tasks = [k for k, v in graph.items() if isinstance(k, tuple)]
    assert len(tasks) == expr.npartitions
    assert all(k[0] == expr.name for k in tasks)


def test_slices_are_tasks_of_their_own():
    xs, ys, _ = _data()
    x, y = from_array(lnp.array(xs), CHUNKS), from_array(lnp.array(ys), CHUNKS)
    expr = (x * 2)[:, 1:] * 3 + y[:, :-1]  # (chunks of 50 x 99: still lazy-tier)
    # Dask's slicing is not blockwise: the slices are tasks of their own, apart from the
    # chain's task; on a local scheduler the pending chunk crosses them and still fuses
    (opt,) = dask.optimize(expr)
    names = {k[0] for k in dict(opt.__dask_graph__()) if isinstance(k, tuple)}
    assert any(n.startswith("getitem") for n in names) and expr.name in names
    counts = kernels_per_block(expr).compute(scheduler="sync")
    assert (counts == 1).all(), counts
    assert_close(expr.compute(scheduler="threads"), (xs * 2)[:, 1:] * 3 + ys[:, :-1],
                 exact=True)
    # a slice that makes chunks smaller than the eager threshold gives NumPy's small tier
    small = (x[::2] * 3).blocks[0, 0].compute(scheduler="sync")
    assert type(small) is np.ndarray and small.size < 4096


def test_reduction_chain_is_one_kernel_per_chunk():
    xs, ys, _ = _data()
    x, y = from_array(lnp.array(xs), CHUNKS), from_array(lnp.array(ys), CHUNKS)
    # the chunk step of a reduction (``sum(keepdims=True)``) fuses with the chain: the task's
    # partial sum is one kernel (the chain and the reduction in one loop)
    counts = kernels_per_block((x * x + y * y < 1).map_blocks(
        lambda b: b.sum(axis=1, keepdims=True), chunks=(CHUNKS[0], 1))).compute(
        scheduler="sync")
    assert (counts == 1).all(), counts
    # Dask's own reduction: the chain and the chunk step of ``sum`` are one task per chunk
    # (named ``sum``); apart from it only the readers of the chunks and the combining steps
    e = (x * x + y * y < 1).sum()
    (opt,) = dask.optimize(e)
    names = [k[0] if isinstance(k, tuple) else k for k in dict(opt.__dask_graph__())]
    groups = {n.rsplit("-", 1)[0] for n in names}
    assert groups <= {"array", "original-array", "sum", "sum-partial", "sum-aggregate"}, groups
    assert sum(n.rsplit("-", 1)[0] == "sum" for n in names) == x.npartitions


def test_force_blocks_on_threads():
    xs, ys, _ = _data()
    x, y = from_array(lnp.array(xs), CHUNKS), from_array(lnp.array(ys), CHUNKS)
    e = force_blocks(da.exp(x) * 2 - y)
    keys = [k for row in e.__dask_keys__() for k in row]
    graph = e.__dask_optimize__(e.__dask_graph__(), keys)
    lnp.reset_stats()
    parts = dask.threaded.get(graph, keys)  # (the tasks' own results, as the threads made them)
    assert lnp.stats()["kernels"] == 4  # one fused kernel per chunk, each in its task
    for k, p in enumerate(parts):
        assert type(p) is lnp.LazyArray and not lnp.is_lazy(p)
        assert_close(p, np.exp(xs[50 * k:50 * (k + 1)]) * 2 - ys[50 * k:50 * (k + 1)])


def test_pending_source_forced_by_parallel_tasks():
    xs, _, _ = _data()
    for _ in range(3):
        p = lnp.array(xs) * 3 + 1  # every chunk is a view of this pending array
        assert lnp.is_lazy(p)
        d = from_array(p, CHUNKS)
        got = force_blocks(d * d - 2).compute(scheduler="threads")
        want = (xs * 3 + 1) * (xs * 3 + 1) - 2
        assert_close(got, want, exact=True)
        assert_close(p, xs * 3 + 1, exact=True)


def test_fallbacks_are_counted_per_chunk():
    xs, _, _ = _data()
    x, nx = _pair(xs)
    e = (x * 2).cumsum(axis=0)  # (Dask's meta: one call on the 0-size meta, counted too)
    lnp.reset_stats()
    got = e.compute(scheduler="sync")
    # np.cumsum is not run lazily: each chunk's call forces the chunk and runs in NumPy
    assert lnp.stats()["fallbacks"]["cumsum"] == x.npartitions
    assert_close(got, (nx * 2).cumsum(axis=0).compute(scheduler="sync"), exact=True)


# name -> expression on dask arrays x, y, i (int32) whose ``_meta`` Dask computes on metas
META = {
    "from_array": lambda x, y, i: x,
    "disk": lambda x, y, i: x * x + y * y < 1,
    "exp": lambda x, y, i: da.exp(x),
    "int_chain": lambda x, y, i: (i * 3 + 1) % 7 - (i >> 1),
    "sum_axis0": lambda x, y, i: x.sum(axis=0),
    "mean_axis1": lambda x, y, i: (x - y).mean(axis=1),
    "max_axis0": lambda x, y, i: x.max(axis=0),
    "prod_axis1": lambda x, y, i: i.prod(axis=1),
    "where": lambda x, y, i: da.where(x > 0.5, x, -y),
    "astype": lambda x, y, i: x.astype(np.int32),
    "clip": lambda x, y, i: da.clip(x, 0.2, 0.8),
    "concatenate": lambda x, y, i: da.concatenate([x, y]),
    "stack": lambda x, y, i: da.stack([x, y]),
    "map_blocks": lambda x, y, i: x.map_blocks(lambda b: np.sin(b) + b * b, dtype=float),
    "transpose": lambda x, y, i: x.T,
    "slice": lambda x, y, i: x[::2, 1:],
    "rechunk": lambda x, y, i: x.rechunk((100, 50)),
    "cumsum": lambda x, y, i: x.cumsum(axis=0),
}


@pytest.mark.parametrize("name", list(META))
def test_meta_is_a_lazynp_array(name):
    f = META[name]
    xs, ys, js = _data()
    (x, nx), (y, ny), (i, ni) = _pair(xs), _pair(ys), _pair(js)
    got, want = f(x, y, i), f(nx, ny, ni)
    m = got._meta
    assert type(want._meta) is np.ndarray  # (NumPy chunks: NumPy's meta)
    assert type(m) is lnp.LazyArray and not lnp.is_lazy(m), type(m)
    assert m.shape == want._meta.shape and m.dtype == want._meta.dtype == want.dtype
    exact = name not in ("exp", "sum_axis0", "mean_axis1", "map_blocks")  # (IEEE-exact ops)
    assert_close(got.compute(scheduler="sync"), want.compute(scheduler="sync"), exact=exact)


def test_meta_of_other_constructions():
    xs, _, _ = _data()
    a = lnp.array(xs)
    # Dask's own from_array of a lazynp array, and a meta handed to map_blocks
    for d in (da.from_array(a, CHUNKS), da.map_blocks(lambda b: b * 2, from_array(a, CHUNKS),
                                                      meta=a[:0, :0])):
        assert type(d._meta) is lnp.LazyArray
    # a scalar result (a full reduction) has a 0-d meta: NumPy's, as Dask makes it of scalars
    x, nx = _pair(xs)
    assert type(x.sum()._meta) is type(nx.sum()._meta) is np.ndarray


@pytest.mark.parametrize("fn", ["ones", "zeros", "full", "empty"])
def test_creation_with_lazynp_meta_makes_lazynp_chunks(fn):
    xs, _, _ = _data()
    x, nx = _pair(xs)
    args = (2.5,) if fn == "full" else ()
    made = getattr(da, fn)(SHAPE, *args, chunks=CHUNKS, meta=x._meta)
    ref = getattr(da, fn)(SHAPE, *args, chunks=CHUNKS)
    assert type(made._meta) is lnp.LazyArray and made.dtype == ref.dtype
    block = made.blocks[1, 0].compute(scheduler="sync")
    assert type(block) is lnp.LazyArray  # (5000 elements: the lazy tier)
    expr = made * x + 1  # (the chunk's creation and the chain: one kernel per chunk)
    counts = kernels_per_block(expr).compute(scheduler="sync")
    assert (counts == 1).all(), counts
    if fn != "empty":
        assert_close(block, ref.blocks[1, 0].compute(scheduler="sync"), exact=True)
        assert_close(expr.compute(scheduler="threads"), (ref * nx + 1).compute(), exact=True)
    # chunks under the eager threshold are NumPy's own (the tier rule per chunk)
    small = getattr(da, fn)((40, 10), *args, chunks=(20, 10), meta=x._meta)
    assert type(small.blocks[0, 0].compute(scheduler="sync")) is np.ndarray


def test_operators_with_dask_arrays_defer_to_dask():
    xs, ys, _ = _data()
    a = lnp.array(xs)
    d = da.from_array(ys, CHUNKS)
    for got, want in ((a + d, xs + d), (a * d, xs * d), (d - a, d - xs), (a < d, xs < d),
                      (np.add(a, d), np.add(xs, d))):
        assert type(got) is type(want) is da.Array
        assert_close(got.compute(scheduler="sync"), want.compute(scheduler="sync"), exact=True)
    with pytest.raises(NotImplementedError):  # (Dask refuses a NumPy ``out=``, as for NumPy)
        a += d


# ------------------------------------------------------------------ the cluster
N = 1 << 21  # lazynp's default eager threshold: lazy-tier chunks on the workers


def _rand_chunk(seed0, block_info=None):
    import lazynp

    k = block_info[None]["chunk-location"][0]
    return lazynp.random.default_rng(seed0 + k).random(N)


def _rand(seed0):
    return da.map_blocks(_rand_chunk, seed0, chunks=((N, N),), dtype=np.float64,
                         meta=np.empty((0,)))


def _numpy_rand(seed0):
    return da.from_array(np.concatenate([np.random.default_rng(seed0 + k).random(N)
                                         for k in range(2)]), chunks=N)


def test_cluster_chains_fuse_per_task(client):
    x, y = _rand(0), _rand(100)
    nx, ny = _numpy_rand(0), _numpy_rand(100)
    counts = kernels_per_block(x * x + y * y < 1).compute()
    assert counts.tolist() == [1, 1]  # the random draws, the chain: one kernel per chunk
    got = (x * x + y * y < 1).sum().compute()
    assert got == (nx * nx + ny * ny < 1).sum().compute(scheduler="sync")
    got = (da.exp(x) * 2 - y).mean().compute()
    assert_close(got, (da.exp(nx) * 2 - ny).mean().compute(scheduler="sync"))


def test_cluster_tasks_force_their_chunks(client):
    e = _rand(0) * 2 + 1
    p = e.persist()
    distributed.wait(p)

    def held(dask_worker, name=p.name):
        import lazynp

        return [(type(v) is lazynp.LazyArray, lazynp.is_lazy(v))
                for k, v in dask_worker.data.items() if isinstance(k, tuple) and k[0] == name]

    found = [s for states in client.run(held).values() for s in states]
    # each task's result was forced in the task (the worker measures it: ``sizeof``)
    assert found == [(True, False)] * 2
    del p


def test_cluster_pickle_round_trip(client):
    xs = np.arange(6000, dtype=np.float64)
    pending = lnp.array(xs) * 0.5 - 3
    assert lnp.is_lazy(pending)
    long = np.arange(18000, dtype=np.float64)
    views = {"pending": pending, "view": lnp.array(long)[::-3],
             "fortran": lnp.asfortranarray(lnp.array(xs.reshape(60, 100)) + 1)}
    refs = {"pending": xs * 0.5 - 3, "view": long[::-3], "fortran": np.asfortranarray(
        xs.reshape(60, 100) + 1)}

    def on_worker(a):
        import lazynp

        assert type(a) is lazynp.LazyArray and not lazynp.is_lazy(a)
        return a, a * 2, pickle.dumps(a, protocol=5)

    for name, a in views.items():
        back, twice, data = client.submit(on_worker, a, pure=False).result()
        ref = refs[name]
        assert type(back) is lnp.LazyArray
        assert_close(back, ref, exact=True)
        ref_back = pickle.loads(pickle.dumps(ref, protocol=5))  # (NumPy's, as sent)
        assert np.asarray(back).flags.f_contiguous == ref_back.flags.f_contiguous
        assert_close(twice, ref * 2, exact=True)
        assert_close(pickle.loads(data), pickle.loads(pickle.dumps(ref, protocol=5)),
                     exact=True)
