"""lazynp graphs as Dask graphs (``lazynp.to_dask``, ``config.scheduler="dask"``): values
against NumPy's, random draws against NumPy's serial stream bit for bit, reductions combined
in a fixed order (the same bits on every run and scheduler), explain, the force setting.

Dask's threaded scheduler runs in this process; ``client`` (conftest.py) is a 2-process
``LocalCluster`` on loopback."""

from __future__ import annotations

import io

import numpy
import pytest

import lazynp as np
from lazynp._array import wrap
from lazynp.dask import graph as dgraph
from lazynp.graph.node import pending_subgraph
from lazynp.graph.ops import Op
from tests.helpers import assert_close

N = 3_000_000


def _threads(d):
    return d.compute(scheduler="threads")


def _data(seed=0, n=N):
    r = numpy.random.default_rng(seed)
    return r.random(n), r.random(n)


@pytest.mark.parametrize("chunks", [1_000_000, 700_001, (N,)])
def test_elementwise_chain_matches_numpy(chunks):
    a, b = _data()
    la, lb = np.array(a), np.array(b)
    expr = (la * 2.5 - lb) / (lb + 1.0) + la * la
    d = np.to_dask(expr, chunks=chunks)
    assert d.npartitions == -(-N // (chunks if type(chunks) is int else N))
    assert_close(_threads(d), (a * 2.5 - b) / (b + 1.0) + a * a, exact=True)


def test_deep_chain_with_transcendentals():
    a, b = _data(1)
    la, lb = np.array(a), np.array(b)
    e = la
    for k in range(12):
        e = e * 0.5 + lb * k
    expr = np.exp(e) * np.sin(lb) - np.sqrt(la)
    want = a
    for k in range(12):
        want = want * 0.5 + b * k
    want = numpy.exp(want) * numpy.sin(b) - numpy.sqrt(a)
    got = _threads(np.to_dask(expr, chunks=500_000))
    assert_close(got, numpy.asarray(np.force(expr)), exact=True)  # lazynp's own kernel
    assert_close(got, want, atol=1e-12 * float(numpy.abs(want).max()))  # (numerics.md)


def test_broadcasting_views_and_sources_2d():
    r = numpy.random.default_rng(2)
    a = r.random((3000, 1000))
    row = r.random(1000)
    col = r.random((3000, 1))
    la = np.array(a)
    expr = (la - np.array(row)) * np.array(col) + np.arange(1000, dtype=np.float64)
    expr = expr.T[::2, 3:-1] + np.ones((500, 2996))
    want = ((a - row) * col + numpy.arange(1000.0)).T[::2, 3:-1] + numpy.ones((500, 2996))
    for chunks in [(100, 700), (500, 2996), (37, 1000)]:
        assert_close(_threads(np.to_dask(expr, chunks=chunks)), want, exact=True)


def test_negative_steps_and_integer_indices():
    a = numpy.random.default_rng(3).random((40, 60000))
    la = np.array(a)
    expr = (la[::-3, 7, None] * la[5, ::-2] + 1.0)  # (14, 30000)
    want = a[::-3, 7, None] * a[5, ::-2] + 1.0
    assert_close(_threads(np.to_dask(expr, chunks=(5, 7000))), want, exact=True)


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int64, numpy.int32])
@pytest.mark.parametrize("start,step", [(0, 1), (-3.5, 0.1), (7, -3), (1e6, 1 / 3)])
def test_arange_chunks_are_numpys_values(dtype, start, step):
    n = 3_000_000
    if numpy.dtype(dtype).kind == "i":
        start, step = int(start) % 100, int(step) or 1
    stop = start + n * step
    want = numpy.arange(start, stop, step, dtype=dtype)
    got = _threads(np.to_dask(np.arange(start, stop, step, dtype=dtype) * 1, chunks=999_983))
    assert_close(got, want * 1, exact=True)


@pytest.mark.parametrize("kw", [dict(start=0.0, stop=1.0), dict(start=-2, stop=7.5,
                                endpoint=False), dict(start=3, stop=-11, dtype=numpy.int64),
                                dict(start=1, stop=1.0)])
def test_linspace_chunks_are_numpys_values(kw):
    n = 2_500_001
    want = numpy.linspace(num=n, **kw)
    got = _threads(np.to_dask(np.linspace(num=n, **kw) + 0, chunks=600_000))
    assert_close(got, want + 0, exact=True)


def test_full_and_eye_sources():
    got = _threads(np.to_dask(np.full((2000, 1500), 3.25) * np.eye(2000, 1500, k=3),
                              chunks=(300, 400)))
    assert_close(got, numpy.full((2000, 1500), 3.25) * numpy.eye(2000, 1500, k=3),
                   exact=True)


# ------------------------------------------------------------------ random streams


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("chunks", [1_000_000, 999_999, 2_345_677])
def test_random_stream_bit_for_bit(dtype, chunks):
    n = 10_000_000
    x = np.random.default_rng(42).random(n, dtype=dtype)
    want = numpy.random.default_rng(42).random(n, dtype=dtype)
    got = _threads(np.to_dask(x, chunks=chunks))
    assert got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)


def test_random_stream_2d_column_chunks_and_later_draws():
    r = np.random.default_rng(5)
    r.random(3, dtype=numpy.float32)  # a buffered 32-bit half
    x = r.random((2000, 1500), dtype=numpy.float32)
    y = r.random((2000, 1500))
    ref = numpy.random.default_rng(5)
    ref.random(3, dtype=numpy.float32)
    wx = ref.random((2000, 1500), dtype=numpy.float32)
    wy = ref.random((2000, 1500))
    got = _threads(np.to_dask(x * 2 + y, chunks=(700, 600)))
    assert_close(got, wx * 2 + wy, exact=True)
    buf = io.StringIO()  # (planned on stand-ins of the draws: nothing generated)
    np.dask.explain(x * 2 + y + np.arange(1500.0), chunks=(700, 600), file=buf)
    assert "9 chunk(s) of up to (700, 600) elements x 1 kernel(s) per chunk" in buf.getvalue()


def test_pi_count_exact_threads():
    n = 10_000_000
    rng = np.random.default_rng(7)
    x, y = rng.random(n), rng.random(n)
    d = np.to_dask(((x * x + y * y) < 1.0), chunks=1_500_000).sum()
    ref = numpy.random.default_rng(7)
    wx, wy = ref.random(n), ref.random(n)
    assert int(_threads(d)) == int(((wx * wx + wy * wy) < 1.0).sum())


# ------------------------------------------------------------------ reductions


@pytest.mark.parametrize("op", ["sum", "prod", "min", "max", "any", "all"])
def test_integer_and_bool_reductions_exact(op):
    v = numpy.random.default_rng(4).integers(-50, 50, size=(1200, 2500))
    lv = np.array(v)
    for axis in [None, 0, 1, (0, 1)]:
        e = (lv * 3 - 1) if op not in ("any", "all") else (lv > -49)
        w = (v * 3 - 1) if op not in ("any", "all") else (v > -49)
        with np.config(scheduler="dask", dask_chunks=400_000):
            import dask
            with dask.config.set(scheduler="threads"):
                got = getattr(np, op)(e, axis=axis)
                got = numpy.asarray(got)
        want = getattr(numpy, op)(w, axis=axis)
        assert_close(got, numpy.asarray(want), exact=True)


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_float_reductions_close_and_deterministic(op, axis, keepdims):
    a = numpy.random.default_rng(8).random((1500, 3000))
    la = np.array(a)
    import dask
    results = []
    for _ in range(2):
        with np.config(scheduler="dask", dask_chunks=300_000), \
                dask.config.set(scheduler="threads"):
            results.append(numpy.asarray(getattr(np, op)(la * 2.0 + 1.0, axis=axis,
                                                         keepdims=keepdims)))
    want = getattr(numpy, op)(a * 2.0 + 1.0, axis=axis, keepdims=keepdims)
    assert_close(numpy.asarray(results[0]), numpy.asarray(want))
    assert results[0].tobytes() == results[1].tobytes()


def test_to_dask_of_axis_reductions_with_output_chunks():
    a = numpy.random.default_rng(14).random((1200, 2600))
    v = numpy.random.default_rng(14).integers(0, 1000, size=(1200, 2600))
    la, lv = np.array(a), np.array(v)
    d = np.to_dask(np.sum(lv * 3 + 1, axis=1, keepdims=True), chunks=(500, 1))
    assert d.chunks == ((500, 500, 200), (1,))
    assert_close(_threads(d), (v * 3 + 1).sum(axis=1, keepdims=True), exact=True)
    m = np.to_dask(np.mean(la * 2.0, axis=0), chunks=1000)
    assert m.chunks == ((1000, 1000, 600),)
    assert_close(_threads(m), (a * 2.0).mean(axis=0))
    full = np.to_dask(np.max(la - 0.5, keepdims=True))  # (a full reduction with keepdims
    assert_close(_threads(full), (a - 0.5).max(keepdims=True), exact=True)  # stays pending)
    mn = np.to_dask(np.min(lv - 7, axis=(0, 1), keepdims=True), chunks=(1, 1))
    assert_close(_threads(mn), (v - 7).min(axis=(0, 1), keepdims=True), exact=True)


def test_mean_of_integers_and_sum_dtype_initial():
    v = numpy.arange(5_000_000, dtype=numpy.int32) % 1000
    lv = np.array(v)
    import dask
    with np.config(scheduler="dask", dask_chunks=700_000), dask.config.set(scheduler="threads"):
        m = np.mean(lv + 1)
        s = np.sum(lv * 2, dtype=numpy.int8, initial=5)
        mx = np.max(lv - 3, initial=10**6)
    assert type(m) is numpy.float64 and m == numpy.mean(v + 1)
    assert s == numpy.sum(v * 2, dtype=numpy.int8, initial=5) and s.dtype == numpy.int8
    assert mx == numpy.max(v - 3, initial=10**6)


def test_reduction_inside_graph_is_a_dask_tree_of_its_own():
    a = numpy.random.default_rng(9).random((2000, 1500))
    la = np.array(a)
    expr = (la * 2) - (la * 2).mean(axis=0)
    inner = expr._node.inputs[1]
    buf = io.StringIO()
    with np.config(dask_chunks=500_000):
        np.dask.explain(expr, file=buf)
        d = np.to_dask(expr)
    assert inner.value is None  # (nothing computed by to_dask)
    assert "stage: " in buf.getvalue() and "Dask tree reduction" in buf.getvalue()
    assert "kernel per chunk: k_" in buf.getvalue()
    assert_close(_threads(d), a * 2 - (a * 2).mean(axis=0), atol=1e-14)
    # a reduction at the root over an expression with a reduction inside, and a nested one
    e2 = np.sum(la / np.sum(la * la, axis=1, keepdims=True) - (la - la.max(axis=0)).min(
        axis=1, keepdims=True), axis=1)
    want = numpy.sum(a / (a * a).sum(axis=1, keepdims=True) - (a - a.max(axis=0)).min(
        axis=1, keepdims=True), axis=1)
    with np.config(dask_chunks=400_000):
        got = _threads(np.to_dask(e2, chunks=700))
    assert_close(got, want)


def test_unsplittable_node_forced_locally_and_explained():
    a = numpy.random.default_rng(10).random(3_000_000)
    expr = np.array(a).reshape(1000, 3000) * 2.0 + 1.0
    buf = io.StringIO()
    np.dask.explain(expr, chunks=(250, 3000), file=buf)
    text = buf.getvalue()
    d = np.to_dask(expr, chunks=(250, 3000))
    assert_close(_threads(d), a.reshape(1000, 3000) * 2.0 + 1.0, exact=True)
    assert "4 chunk(s)" in text and "kernel per chunk: k_" in text
    pending = np.array(a) * 1.0
    e2 = np.concatenate([pending, pending]) + 1.0
    buf = io.StringIO()
    np.dask.explain(e2, chunks=2_000_000, file=buf)
    assert "forced locally" in buf.getvalue()
    assert_close(_threads(np.to_dask(e2, chunks=2_000_000)),
                   numpy.concatenate([a, a]) + 1.0, exact=True)


def test_explain_shows_chunks_times_kernels_and_tree():
    n = 20_000_000
    rng = np.random.default_rng(1)
    x, y = rng.random(n), rng.random(n)
    buf = io.StringIO()
    with np.config(scheduler="dask", dask_chunks=4_000_000):
        plan = dgraph.DaskPlan(dgraph.node_of((x * x + y * y) < 1.0), None, 8, dry=True)
        np.explain(x * x + y * y, file=buf)
    text = buf.getvalue()
    assert "5 chunk(s) of up to (4000000,) elements x 1 kernel(s) per chunk" in text
    assert "tasks: 5" in text
    assert plan.text().count("kernel per chunk") == 1


def test_force_setting_returns_lazynp_arrays_and_counts():
    import dask
    n = 5_000_000
    before = dict(dgraph.STATS)
    with np.config(scheduler="dask", dask_chunks=1_000_000), \
            dask.config.set(scheduler="threads"):
        x = np.random.default_rng(3).random(n)
        y = numpy.sqrt(x) + 1.0  # recorded: NumPy's ufunc hands it to lazynp
        assert np.is_lazy(y)
        np.force(y)
        s = float(x.sum())
    assert type(y) is np.LazyArray and not np.is_lazy(y)
    w = numpy.random.default_rng(3).random(n)
    assert_close(numpy.asarray(y), numpy.sqrt(w) + 1.0, exact=True)
    assert s == pytest.approx(float(w.sum()), rel=1e-12)
    assert dgraph.STATS["dask_forces"] >= before["dask_forces"] + 2
    assert dgraph.STATS["tasks"] >= before["tasks"] + 5
    y[0] = 5.0  # writeable


def test_small_graphs_stay_local():
    with np.config(scheduler="dask", dask_chunks=1 << 24):
        before = dgraph.STATS["dask_forces"]
        x = np.ones(3_000_000) * 2
        buf = io.StringIO()
        np.explain(x, file=buf)
        assert "kernel" in buf.getvalue() and "Dask graph" not in buf.getvalue()
        np.force(x)
        assert dgraph.STATS["dask_forces"] == before


def test_empty_and_concrete_arrays():
    e = np.zeros((0, 3_000_000)) + 1.0
    d = np.to_dask(e, chunks=(1, 1_000_000))
    assert_close(_threads(d), numpy.zeros((0, 3_000_000)) + 1.0, exact=True)
    c = np.array(numpy.arange(3_000_000.0))
    assert_close(_threads(np.to_dask(c, chunks=1_000_000)), numpy.arange(3_000_000.0),
                 exact=True)


def test_scheduler_setting_is_checked():
    with pytest.raises(ValueError):
        np.config.set(scheduler="ray")


# ------------------------------------------------------------------ on the cluster


def test_cluster_random_stream_and_pi(client):
    n = 10_000_000
    rng = np.random.default_rng(11)
    x, y = rng.random(n), rng.random(n)
    ref = numpy.random.default_rng(11)
    wx, wy = ref.random(n), ref.random(n)
    for chunks in (1_000_000, 3_333_333):
        numpy.testing.assert_array_equal(np.to_dask(y, chunks=chunks).compute(), wy)
    with np.config(scheduler="dask", dask_chunks=2_000_000):
        count = int(((x * x + y * y) < 1.0).sum())
    assert count == int(((wx * wx + wy * wy) < 1.0).sum())


def test_cluster_and_threads_give_the_same_bits(client):
    a = numpy.random.default_rng(12).random((2500, 2000))
    la = np.array(a)
    expr = np.exp(la) * 0.25 + la
    d = np.to_dask(expr, chunks=(300, 2000))
    on_cluster = d.compute()
    on_threads = d.compute(scheduler="threads")
    assert on_cluster.tobytes() == on_threads.tobytes()
    assert_close(on_cluster, numpy.exp(a) * 0.25 + a)
    with np.config(scheduler="dask", dask_chunks=700_000):
        s1 = np.sum(expr * 1.0)
        s2 = np.sum(expr * 1.0, axis=0)
    import dask
    with np.config(scheduler="dask", dask_chunks=700_000), dask.config.set(scheduler="threads"):
        t1 = np.sum(expr * 1.0)
        t2 = np.sum(expr * 1.0, axis=0)
    assert numpy.asarray(s1).tobytes() == numpy.asarray(t1).tobytes()
    assert numpy.asarray(s2).tobytes() == numpy.asarray(t2).tobytes()
    assert_close(numpy.asarray(s2), (numpy.exp(a) * 0.25 + a).sum(axis=0))
    centered = np.to_dask(expr - np.mean(expr, axis=1, keepdims=True), chunks=(300, 700))
    want = numpy.exp(a) * 0.25 + a
    assert_close(centered.compute(), want - want.mean(axis=1, keepdims=True), atol=1e-14)


def test_cluster_memmap_input(client, tmp_path):
    path = tmp_path / "a.npy"
    a = numpy.random.default_rng(13).random((3000, 1000))
    numpy.save(path, a)
    m = numpy.load(path, mmap_mode="r")
    la = wrap(m.view(numpy.ndarray))  # (a lazynp array over the mapped file)
    expr = la[:, 1:] * 2.0 - 1.0
    prog, leaves = dgraph.DaskPlan(dgraph.node_of(expr), (1000, 999), 8).chunk_program(
        ((0, 1000), (0, 999)))
    assert any(type(v).__name__ == "MapSlice" for v in leaves)
    buf = io.StringIO()
    np.dask.explain(expr, chunks=(1000, 999), file=buf)
    assert "3 chunk(s)" in buf.getvalue() and "kernel per chunk: k_" in buf.getvalue()
    assert_close(np.to_dask(expr, chunks=(1000, 999)).compute(), a[:, 1:] * 2.0 - 1.0,
                 exact=True)
    rows = la[100:2900] * 3.0  # contiguous chunks: read from the file, not mapped
    _, leaves = dgraph.DaskPlan(dgraph.node_of(rows), (700, 1000), 8).chunk_program(
        ((700, 1400), (0, 1000)))
    assert leaves[0].array().flags.writeable  # (a mapping would be read-only)
    with np.config(scheduler="dask", dask_chunks=500_000):
        total = np.sum(rows, axis=1)
    assert_close(numpy.asarray(total), (a[100:2900] * 3.0).sum(axis=1))


_VIEW_CASES = [
    lambda A, B, C: (A[::2, 5:-3:3] * B[5:-3:3]).transpose(2, 0, 1) + 1.0,
    lambda A, B, C: A[..., ::-7][:, None, 3] - C[::-7],
    lambda A, B, C: (A[7] + B).T[::-1, ::2] * 2,
    lambda A, B, C: (A - C).swapaxes(0, 2)[100:700:5, :, -1],
]


@pytest.mark.parametrize("case", range(len(_VIEW_CASES)))
def test_views_of_pending_expressions_under_random_chunkings(case):

    r = numpy.random.default_rng(case)
    a, b, c = r.random((60, 70, 800)), r.random((70, 1)), r.random(800)
    f = _VIEW_CASES[case]
    want = f(a, b, c)
    with np.config(eager_threshold=1000):
        lz = f(np.array(a) * 1.0, np.array(b) * 1.0, np.array(c) * 1.0)
        assert Op.SLICE in {n.op for n in pending_subgraph(lz._node)}
        for _ in range(3):
            chunks = tuple(tuple(numpy.diff(numpy.unique(numpy.r_[
                0, r.integers(1, n, size=min(n - 1, 3)) if n > 1 else [], n])).tolist())
                for n in want.shape)
            got = np.to_dask(lz, chunks=chunks).compute(scheduler="sync")
            assert_close(got, want, exact=True)


def test_callers_value_settings_travel_to_the_workers(client):
    a = numpy.random.default_rng(15).random(3_000_000)
    expr = np.exp(np.array(a)) + 1.0
    want = numpy.exp(a) + 1.0  # NumPy's exp: the reference executor's values
    with np.config(backend="reference"):
        got = np.to_dask(expr, chunks=1_000_000).compute()
    assert_close(got, want, exact=True)


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("dtype,axis,kw", [
    (numpy.float64, None, {}), (numpy.float32, 0, {"ddof": 1}), (numpy.int64, 1, {}),
    (numpy.float32, (0, 1), {"dtype": numpy.float64, "keepdims": True})])
def test_var_std_as_trees(op, dtype, axis, kw):
    import dask
    v = (numpy.random.default_rng(16).random((1500, 2200)) * 100).astype(dtype)
    lv = np.array(v)
    with np.config(scheduler="dask", dask_chunks=400_000), dask.config.set(scheduler="threads"):
        before = dgraph.STATS["tasks"]
        got = numpy.asarray(getattr(np, op)(lv + 1, axis=axis, **kw))
        assert dgraph.STATS["tasks"] > before + 9  # (a tree, not one local force)
    assert_close(got, numpy.asarray(getattr(numpy, op)(v + 1, axis=axis, **kw)))
