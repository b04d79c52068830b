"""Kernel counts on named topologies, with values checked against NumPy and fusion=False."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _engine
from lazynp.graph.node import Node
from lazynp.graph.ops import Op

from .helpers import check, close, kernels, normalized, plan

RNG = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _graph_always():
    with lnp.config(eager_threshold=0, fusion=True):
        yield


def arr(*shape, dtype=np.float64):
    return RNG.random(shape).astype(dtype)


# -------------------------------------------------------------------- chain / trees
def test_chain_is_one_kernel():
    x = arr(1000)
    lx = lnp.array(x)
    y = lnp.exp(lnp.sin(lx) * 2.0 + 1)
    ks = kernels(y)
    assert len(ks) == 1
    assert ks[0].name == "k_sin_mul_add_exp_f64"
    assert [i.node.op for i in ks[0].inputs] == [Op.BUFFER]
    close(y, np.exp(np.sin(x) * 2.0 + 1))
    check(lambda xp, a: xp.exp(xp.sin(a) * 2.0 + 1), x)


def test_diamond_is_one_kernel_and_computed_once():
    x = arr(500)
    lx = lnp.array(x)
    a = lx * 3.0
    b = lnp.sin(a) + lnp.cos(a)
    ks = kernels(b)
    assert len(ks) == 1
    body_ops = [i.op for i in ks[0].body]
    assert body_ops.count(Op.MULTIPLY) == 1, "shared node evaluated once in the body"
    check(lambda xp, v: (lambda t: xp.sin(t) + xp.cos(t))(v * 3.0), x)


def test_mixed_dtypes_get_explicit_casts():
    i = (RNG.integers(-50, 50, 300)).astype(np.int16)
    f = arr(300, dtype=np.float32)
    li, lf = lnp.array(i), lnp.array(f)
    y = (li + 1) * lf - 0.5
    (k,) = kernels(y)
    casts = [ins for ins in k.body if ins.op is Op.CAST]
    assert casts and all(ins.implicit for ins in casts)
    for ins in k.body:
        if ins.loop:
            for a, dt in zip(ins.args, ins.loop):
                assert k_dtype(k, a) == dt, "operands have exactly the loop dtypes"
    close(y, (i + 1) * f - 0.5, exact=True)
    check(lambda xp, a, b: (a + 1) * b - 0.5, i, f, exact=True)


def k_dtype(k, a):
    from lazynp.fusion.plan import In, Ref
    if isinstance(a, In):
        return k.inputs[a.index].dtype
    if isinstance(a, Ref):
        return k.body[a.index].dtype
    return a.dtype


def test_where_clip_cast_scalars_in_one_kernel():
    x = arr(64, 3) - 0.5
    lx = lnp.array(x)
    z = lnp.array(np.float64(0.25).reshape(()))
    y = lnp.where(lx > 0, lnp.clip(lx * 2, -0.3, 0.3), (lx + z).astype(np.float32)) + 1
    assert len(kernels(y)) == 1
    check(lambda xp, a, b: xp.where(a > 0, xp.clip(a * 2, -0.3, 0.3),
                                    (a + b).astype(np.float32)) + 1,
          x, np.asarray(0.25), exact=True)


# ------------------------------------------------------------------------ broadcast
def test_broadcast_is_one_kernel():
    a, b, c = arr(40, 1), arr(1, 30), arr(30)
    la, lb, lc = map(lnp.array, (a, b, c))
    y = la + lb * lc
    (k,) = kernels(y)
    assert k.shape == (40, 30)
    assert {i.layout for i in k.inputs} == {"broadcast"}
    check(lambda xp, p, q, r: p + q * r, a, b, c, exact=True)


def test_zeros_like_fill_is_not_stored():
    x = arr(100)
    lx = lnp.array(x)
    y = lnp.ones(100) * 3 + lx
    (k,) = kernels(y)
    assert any(i.fill is not None for i in k.inputs)
    close(y, np.ones(100) * 3 + x, exact=True)


# ---------------------------------------------------------------------- strided views
def test_strided_views_fold_into_indexing():
    x = arr(20, 30)
    lx = lnp.array(x)
    v = lx[::2, ::-3].T          # a concrete view: negative and non-unit strides
    y = v * 2 + 1
    (k,) = kernels(y)
    (inp,) = k.inputs
    assert inp.layout == "general"
    assert inp.strides == (-3, 60)
    check(lambda xp, a: a[::2, ::-3].T * 2 + 1, x, exact=True)


def test_view_of_lazy_value_is_pushed_to_inputs():
    x, w = arr(20, 30), arr(90, 10)
    lx, lw = lnp.array(x), lnp.array(w)
    y = (lx + 1)[1::2, ::-1].T * lw[::3]
    ks = kernels(y)
    assert len(ks) == 1
    assert all(i.node.value is not None for i in ks[0].inputs), "no temporary for the view"
    check(lambda xp, a, b: (a + 1)[1::2, ::-1].T * b[::3], x, w, exact=True)


def test_forced_view_aliases_its_base():
    x = arr(10, 4)
    lx = lnp.array(x)
    base = lx * 2
    view = base[2:5].T
    p = plan(view)
    assert len(p.kernels) == 1
    assert p.steps[-1].kind == "view"
    view[0, 0] = 99.0            # forces view (and its base) then writes through it
    assert float(base[2, 0]) == 99.0, "write through the view is seen by the base"


def test_reshape_view_and_copy():
    x = arr(6, 4)
    lx = lnp.array(x)
    y = (lx + 1).reshape(3, 8) * 2           # reshape of C-ordered values: folded
    assert len(kernels(y)) == 1
    check(lambda xp, a: (a + 1).reshape(3, 8) * 2, x, exact=True)
    z = (lx.T + 1).reshape(-1) * 2           # not a view of the transposed inputs
    p = plan(z)
    assert any("reshape" in r for r in p.reasons.values())
    check(lambda xp, a: (a.T + 1).reshape(-1) * 2, x, exact=True)


# ---------------------------------------------------------------------- reductions
def test_reduction_at_the_end_is_one_kernel():
    x = arr(10_000)
    lx = lnp.array(x)
    s = ((lx - 0.5) ** 2).sum(keepdims=True)
    (k,) = kernels(s)
    assert k.reduction is not None and k.reduction.op is Op.SUM
    assert k.bytes_written == 8
    check(lambda xp, a: ((a - 0.5) ** 2).sum(keepdims=True), x)
    assert isinstance(((lx - 0.5) ** 2).sum(), np.float64)


@pytest.mark.parametrize("axis", [0, 1, (0, 2), -1, None])
@pytest.mark.parametrize("red", ["sum", "prod", "min", "max", "mean", "any", "all"])
def test_axis_reduction_is_one_kernel(red, axis):
    x = arr(7, 9, 5) + 0.5
    lx = lnp.array(x)

    def f(xp, a):
        return getattr(a * 1.5 - 0.25, red)(axis=axis, keepdims=axis is None)

    y = f(lnp, lx)
    assert len(kernels(y)) == 1
    with lnp.config(fusion_block_size=7):    # many blocks: partial results combined
        check(f, x)
    check(f, x)


def test_integer_reductions_are_exact():
    x = RNG.integers(-100, 100, (50, 40)).astype(np.int8)
    with lnp.config(fusion_block_size=13):
        check(lambda xp, a: (a * 3).sum(axis=0), x, exact=True)
        check(lambda xp, a: (a > 3).sum(axis=1), x, exact=True)
        check(lambda xp, a: (a * 3).prod(axis=1, dtype=np.int64), x, exact=True)
        check(lambda xp, a: (a + 1).max(axis=0, initial=50), x, exact=True)
        check(lambda xp, a: (a - 1).mean(axis=1), x)


def test_float16_and_complex_mean():
    x = arr(300, 4, dtype=np.float16)
    c = arr(300, 4) + 1j * arr(300, 4)
    with lnp.config(fusion_block_size=64):
        check(lambda xp, a: (a * 2).mean(axis=0), x)
        check(lambda xp, a: (a * 2).mean(axis=1, keepdims=True), c)


def test_softmax_recomputes_the_exp():
    """The row max of a concrete array is NumPy's at once; exp(x - m) is recomputed in the
    row-sum kernel and in the division's (its recompute cost is within the limit: no
    full-size temporary), the row sums pairwise per row with m read once per row."""
    x = arr(200, 50)
    lx = lnp.array(x)
    e = lnp.exp(lx - lx.max(1, keepdims=True))
    y = e / e.sum(1, keepdims=True)
    p = plan(y)
    assert len(p.kernels) == 2
    full = [o.node for k in p.kernels for o in k.outputs if o.node.size == x.size]
    assert full == [p.root], "no full-size temporary"
    assert e._node.id not in p.reasons

    def softmax(xp, a):
        t = xp.exp(a - a.max(1, keepdims=True))
        return t / t.sum(1, keepdims=True)

    check(softmax, x)


# ------------------------------------------------------------------ multi-consumer
def test_multi_consumer_cheap_is_recomputed():
    x = arr(100, 20)
    lx = lnp.array(x)
    a = lx + 1
    y = a * 2 - a.sum(1, keepdims=True)
    p = plan(y)
    assert len(p.kernels) == 2
    assert a._node.id not in p.reasons
    assert any("recomputed in 2 kernels" in r for r in p.notes.values())
    check(lambda xp, v: (lambda t: t * 2 - t.sum(1, keepdims=True))(v + 1), x)


def test_multi_consumer_expensive_is_materialized():
    x = arr(100, 20)
    lx = lnp.array(x)
    a = lnp.sin(lnp.exp(lx)) * lnp.cos(lx)
    y = a * 2 - a.sum(1, keepdims=True)
    a_id = a._node.id
    del a  # (a node still held by a live array is stored for that reason instead)
    p = plan(y)
    assert len(p.kernels) == 3
    assert p.reasons[a_id].startswith("multi-consumer: recompute cost")
    with lnp.config(fusion_recompute_limit=100):
        assert len(plan(y).kernels) == 2
    check(lambda xp, v: (lambda t: t * 2 - t.sum(1, keepdims=True))(
        xp.sin(xp.exp(v)) * xp.cos(v)), x)


def test_expensive_node_held_by_a_variable_is_stored():
    x = arr(100, 20)
    lx = lnp.array(x)
    call = lnp.sin(lnp.exp(lx)) * lnp.cos(lx) + lnp.tanh(lx)  # held: recompute cost > 10
    total = call.sum(keepdims=True)
    p = plan(total)
    assert p.reasons[call._node.id].startswith("held by a live array: recompute cost")
    lnp.force(total)
    assert not lnp.is_lazy(call)  # stored by the force, not recomputed on next use
    cheap = (lx - 1) ** 2  # held but cheap: recomputed inside the consumer's kernel
    s = (cheap < 1).sum(keepdims=True)
    assert len(plan(s).kernels) == 1
    lnp.force(s)
    assert lnp.is_lazy(cheap)
    np.testing.assert_allclose(np.asarray(call), np.sin(np.exp(x)) * np.cos(x) + np.tanh(x))


def test_cost_threshold_splits_at_a_cut():
    x = arr(1000)
    lx = lnp.array(x)
    y = lx
    for _ in range(8):
        y = lnp.sin(y) + 0.5
    with lnp.config(fusion_max_cost=80):  # 8 x (sin 15 + add 1) = 128
        p = plan(y)
        assert len(p.kernels) == 2
        assert any(r.startswith("cost ") and "> threshold 80" in r for r in p.reasons.values())
        got = np.asarray(y)
    want = x
    for _ in range(8):
        want = np.sin(want) + 0.5
    close(got, want)


# ----------------------------------------------------------- boundaries / fallbacks
def test_opaque_node_in_the_middle_is_a_boundary():
    x = arr(300)
    lx = lnp.array(x)
    a = lx * 2 + 1
    node = Node(Op.OPAQUE, (a._node,), {"fn": np.sort}, a.shape, a.dtype)
    from lazynp._array import lazy
    s = lazy(_engine.record(node))
    y = s - 1
    p = plan(y)
    assert len(p.kernels) == 2
    assert "fallback: sort" in p.reasons.values()
    close(y, np.sort(x * 2 + 1) - 1, exact=True)


def test_numpy_fallback_in_the_middle():
    x = arr(300)
    lx = lnp.array(x)
    lnp.reset_stats()
    a = lx * 2 + 1
    u = lnp.unique(a)                     # eager fallback: forces a (one kernel)
    y = u * 3 - 1
    close(y, np.unique(x * 2 + 1) * 3 - 1, exact=True)
    s = lnp.stats()
    assert s["kernels"] == 2
    assert s["fallbacks"].get("unique") == 1


def test_arange_and_concatenate_are_steps():
    x = arr(10)
    lx = lnp.array(x)
    y = lnp.concatenate([lx * 2, lnp.arange(5.0)]) + 1
    p = plan(y)
    kinds = [getattr(s, "kind", "kernel") for s in p.steps]
    assert kinds.count("kernel") == 2 and "boundary" in kinds
    close(y, np.concatenate([x * 2, np.arange(5.0)]) + 1, exact=True)


def test_var_is_numpys_two_pass_algorithm_fused():
    """var/std record NumPy's _var steps: the mean (a sum), then the squared deviations
    summed in one kernel that reads the input once (no full-size temporary)."""
    x = arr(500, 80)
    lx = lnp.array(x)
    y = (lx * 2).var(axis=0) + 1
    p = plan(y)
    names = [k.name for k in p.kernels]
    assert names[0] == "k_mul_sum_f64", names
    assert any("sq_sum" in n for n in names), names
    assert all(k.outputs[0].shape != (500, 80) for k in p.kernels)
    check(lambda xp, a: (a * 2).var(axis=0) + 1, x)
    check(lambda xp, a: a.std(axis=1, ddof=1), x)
    check(lambda xp, a: a.var(), x)


# ----------------------------------------------------------------- in-place update
def test_inplace_update_forces_readers_first():
    x = arr(1000)
    la = lnp.array(x.copy())
    lnp.reset_stats()
    b = la * 2 + 1                     # lazy, reads la's buffer
    la += 1                            # write: b is forced first (one kernel)
    assert lnp.stats()["kernels"] == 1
    close(b, x * 2 + 1, exact=True)
    la[...] = la * 3 - b               # a fused kernel, then the write into la
    close(la, (x + 1) * 3 - (x * 2 + 1), exact=True)


# ----------------------------------------------------------------------------- pi
def _pi_one_line(x, y):
    return ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum(keepdims=True)


def _pi_statements(x, y):
    s = (x - 1) ** 2
    t = (y - 1) ** 2
    inside = s + t < 1
    return inside.sum(keepdims=True)


def test_two_pi_forms_give_identical_plans():
    x, y = arr(100_000), arr(100_000)
    lx, ly = lnp.array(x), lnp.array(y)
    p1, p2 = plan(_pi_one_line(lx, ly)), plan(_pi_statements(lx, ly))
    assert [k.name for k in p1.kernels] == ["k_sub_sq_add_lt_sum_f64"]
    assert [k.key for k in p1.kernels] == [k.key for k in p2.kernels]
    from lazynp.fusion.explain import format_plan
    assert normalized(format_plan(p1)) == normalized(format_plan(p2))


def test_pi_allocates_no_full_size_array():
    n = 4_000_000  # a full-size temporary would take at least n bytes (bool)
    x, y = arr(n), arr(n)
    lx, ly = lnp.array(x), lnp.array(y)
    inside = (lx - 1) ** 2 + (ly - 1) ** 2 < 1
    tracemalloc.start()
    try:
        count = inside.sum()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum()
    assert peak < n, f"peak {peak} bytes: a full-size temporary was allocated"


def test_same_structure_same_key_different_sizes():
    a = plan(lnp.array(arr(100)) * 2 + 1).kernels[0]
    b = plan(lnp.array(arr(5000)) * 3 + 7).kernels[0]
    assert a.key == b.key and a.name == b.name


# ---------------------------------------------------------------------- explain
def test_explain_text_and_dot():
    x, y = arr(1000), arr(1000)
    lx, ly = lnp.array(x), lnp.array(y)
    r = _pi_statements(lx, ly)
    buf = io.StringIO()
    assert lnp.explain(r, file=buf) is None
    text = buf.getvalue()
    for word in ("k_sub_sq_add_lt_sum_f64", "members", "inputs", "outputs", "read",
                 "written", "avoided", "concrete buffer float64", "cost"):
        assert word in text, word
    dot = lnp.explain(r, format="dot")
    assert dot.startswith("digraph") and "subgraph cluster_1" in dot
    assert lnp.is_lazy(r)


def test_debug_levels_print_kernels_and_groups(capsys):
    x = arr(1000)
    lx = lnp.array(x)
    with lnp.config(debug=3):
        e = lnp.exp(lx - lx.max(0, keepdims=True))
        np.asarray(e / e.sum(0, keepdims=True))
    err = capsys.readouterr().err
    assert "2 kernel(s)" in err
    assert "group" in err and "reduction boundary" in err and "GB/s" in err


def test_small_broadcast_operand_is_computed_once():
    x, v = arr(400, 300), arr(300)
    lx, lv = lnp.array(x), lnp.array(v)
    y = lx * lnp.exp(lv * 0.5)  # exp of 300 values, not of 120000
    ks = kernels(y)
    assert [k.name for k in ks] == ["k_mul_exp_f64", "k_mul_f64"], [k.name for k in ks]
    assert any("small operand" in r for r in ks[0].reasons)
    check(lambda xp, a, b: a * xp.exp(b * 0.5), x, v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.bool_])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("fn", ["var", "std"])
def test_var_std_match_numpy(fn: str, axis: object, dtype: type) -> None:
    x = (np.random.default_rng(1).random((300, 200)) * 50).astype(dtype)
    for ddof in (0, 1, 2.5):
        for keepdims in (False, True):
            want = getattr(np, fn)(x, axis=axis, ddof=ddof, keepdims=keepdims)
            got = getattr(lnp, fn)(lnp.array(x), axis=axis, ddof=ddof, keepdims=keepdims)
            if not isinstance(want, np.ndarray):
                assert type(got) is type(want)
            close(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
@pytest.mark.parametrize("acc", [np.float32, np.float64])
def test_var_std_with_dtype_match_numpy(dtype: type, acc: type) -> None:
    """var/std(dtype=...) follow NumPy's _var with the accumulator dtype it names."""
    x = (np.random.default_rng(2).random((400, 30)) * 50).astype(dtype)
    for fn in ("var", "std"):
        for axis in (None, 0, 1):
            want = getattr(np, fn)(x, axis=axis, dtype=acc, ddof=1)
            got = getattr(lnp, fn)(lnp.array(x), axis=axis, dtype=acc, ddof=1)
            if not isinstance(want, np.ndarray):
                assert type(got) is type(want)
            close(got, want)


def test_reduction_of_a_temporary_is_one_kernel():
    """``(...).sum()``: the pending operand is held by nothing but the call, so it is not
    stored; a variable holding an expression too costly to recompute keeps its value (a
    second kernel stores it)."""
    x = arr(1000)
    lx = lnp.array(x)
    want = (np.sin(x) * np.exp(x) < 1.5).sum()
    lnp.reset_stats()
    got = (lnp.sin(lx) * lnp.exp(lx) < 1.5).sum()  # (not inside `assert`: pytest's
    assert lnp.stats()["kernels"] == 1               # rewriting holds the operand)
    assert got == want
    held = lnp.sin(lx) * lnp.exp(lx) < 1.5
    lnp.reset_stats()
    assert held.sum() == want
    assert lnp.stats()["kernels"] == 2
    assert np.array_equal(np.asarray(held), np.sin(x) * np.exp(x) < 1.5)
