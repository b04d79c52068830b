"""The CUDA reductions (lazynp/codegen_gpu/reduce.py) checked without a GPU.

* A corpus of reduction plans (full, along the first / last / middle axes and several,
  keepdims, strided, transposed and broadcast inputs, a fused elementwise prologue, every
  dtype the renderer takes, sum / prod / min / max / any / all / mean, ``initial=`` and
  ``dtype=``) renders; every kernel runs on the CPU through ``shim.h`` (the entries are
  grid-stride loops without shared memory, so the shim's one-thread-after-another launch is
  a valid schedule), with three launch configurations (grid x block) and three partitions
  of the data (pairwise subtree size ``leaf``, chunk size of the order-free reductions):
  all give the same bits.
* Those bits equal NumPy's (NaNs and signed zeros included) for the cases marked
  ``exact``: every float sum / mean over C-contiguous data, reduced over any axes, and the
  float products (NumPy's order reproduced); the others (inputs NumPy walks in another
  order: a transposed or 2-d strided input) are within ``RTOL``.
* Every rendered source compiles with ``nvcc --ptx -arch=sm_90 -fmad=false``, without
  ``fma`` in the PTX.

Tests needing a compiler skip when it is missing.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any, Callable, NamedTuple
from unittest import mock

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.codegen_gpu import reduce as RD
from lazynp.codegen_gpu import render as R
from lazynp.fusion.plan import Unsupported, pairwise_tree
from tests.codegen_gpu.shimlib import CXX, NVCC, build, launcher, ptx_entries

_RNG = np.random.default_rng(4321)
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
RTOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-5}
# (grid, block, leaf, chunk): every one gives the same bits
CONFIGS = [(1, 1, None, None), (3, 5, 300, 7), (2, 64, RD.CAP, 64)]


class RCase(NamedTuple):
    name: str
    fn: Callable[..., Any]
    inputs: tuple
    exact: bool = True      # NumPy's bits (else within RTOL)


def _f(shape: tuple, dt: str = "float64", nan: bool = False) -> np.ndarray:
    a = (_RNG.standard_normal(shape) * 10).astype(dt)
    if nan:
        flat = a.reshape(-1)
        flat[:: max(1, flat.size // 5)] = np.nan
    return a


def _i(dt: str, shape: tuple) -> np.ndarray:
    info = np.iinfo(dt)
    return _RNG.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)


def _cases() -> list[RCase]:
    x = _f((5000,))
    x32 = _f((5000,), "float32")
    m = _f((6, 700))
    c3 = _f((5, 40, 6))
    zeros = np.tile([0.0, -0.0, -0.0, 0.0, -0.0, 0.0, 0.0, -0.0], (4, 3))
    zeros[1] = -0.0
    zeros[2, ::2] = np.nan
    cases = [
        RCase("sum_f64", lambda xp, a: a.sum(), (x,)),
        RCase("sum_f64_big", lambda xp, a: (a * a).sum(), (_f((40000,)),)),
        RCase("sum_f32", lambda xp, a: a.sum(), (x32,)),
        RCase("mean_f64", lambda xp, a: a.mean(), (x,)),
        RCase("mean_f32", lambda xp, a: (a * np.float32(0.5)).mean(), (x32,)),
        RCase("sum_2d_full", lambda xp, a: a.sum(), (_f((50, 100)),)),
        RCase("sum_rows", lambda xp, a: (a * 2.0).sum(axis=1), (m,)),
        RCase("mean_rows_f32", lambda xp, a: a.mean(axis=-1), (m.astype(np.float32),)),
        RCase("sum_short_rows", lambda xp, a: a.sum(axis=1), (_f((40, 37)),)),
        RCase("sum_axis0", lambda xp, a: a.sum(axis=0), (_f((300, 7)),)),
        RCase("sum_middle", lambda xp, a: a.sum(axis=1), (c3,)),
        RCase("sum_middle_keep", lambda xp, a: a.sum(axis=1, keepdims=True), (c3,)),
        RCase("sum_outer_inner", lambda xp, a: a.sum(axis=(0, 2)), (c3,)),
        RCase("sum_last_two", lambda xp, a: a.sum(axis=(1, 2)), (_f((4, 30, 50)),)),
        RCase("sum_axes_unsorted", lambda xp, a: a.sum(axis=(2, 0)), (c3,)),
        RCase("sum_unit_dims", lambda xp, a: a.sum(axis=1), (_f((1, 700, 1)),)),
        RCase("sum_unit_kept_last", lambda xp, a: a.sum(axis=0), (_f((700, 1)),)),
        RCase("sum_unit_between", lambda xp, a: a.sum(axis=(0, 2)), (_f((50, 1, 60)),)),
        RCase("sum_bcast_reduced", lambda xp, a, b: (a[:, None] * b).sum(axis=1),
              (_f((30,)), _f((30, 500)))),
        RCase("max_bcast_reduced", lambda xp, a, b: xp.maximum(a[:, None], b).max(axis=0),
              (_f((300,)), _f((300, 9)))),
        RCase("sum_strided_1d", lambda xp, a: a[::3].sum(), (x,)),
        RCase("sum_strided_2d", lambda xp, a: a[:, ::2].sum(), (_f((100, 300)),)),
        RCase("sum_strided_rows", lambda xp, a: a[:, ::-3].sum(axis=1), (_f((30, 1001)),)),
        RCase("sum_bcast_axis0", lambda xp, a, b: (a + b).sum(axis=0), (_f((300, 7)),
                                                                         _f((7,)))),
        RCase("sum_bcast_rows", lambda xp, a, b: (a * b).sum(axis=1), (m, _f((6, 1)))),
        RCase("sum_initial", lambda xp, a: a.sum(initial=5.5), (x,)),
        RCase("sum_rows_initial", lambda xp, a: a.sum(axis=1, initial=-1.0), (m,)),
        RCase("sum_dtype_f32", lambda xp, a: a.sum(dtype=np.float32), (x,)),
        RCase("sum_dtype_f32_big", lambda xp, a: a.sum(dtype=np.float32), (_f((40000,)),)),
        RCase("mean_int64_big", lambda xp, a: a.mean(), (_i("int64", (40, 900)),)),
        RCase("mean_int64_long_rows", lambda xp, a: a.mean(axis=-1),
              (_i("int64", (2, 3, 10000)),)),
        RCase("mean_uint32_long_rows", lambda xp, a: a.mean(axis=1), (_i("uint32", (3, 9000)),)),
        RCase("mean_f32_big_dtype_f64", lambda xp, a: a.mean(dtype=np.float64),
              (_f((30000,), "float32"),)),
        RCase("mean_f32_dtype_f64", lambda xp, a: a.mean(axis=1, dtype=np.float64),
              (m.astype(np.float32),)),
        RCase("sum_keepdims_full", lambda xp, a: a.sum(keepdims=True), (m,)),
        RCase("sum_full_input", lambda xp, a: (xp.full((6, 700), 2.5) * a).sum(axis=1), (m,)),
        RCase("sum_transposed_3d", lambda xp, a: a.transpose(2, 0, 1).sum(axis=1), (c3,)),
        RCase("sum_int8_dtype_int8", lambda xp, a: a.sum(axis=1, dtype=np.int8),
              (_i("int8", (6, 700)),)),
        RCase("sum_uint8_dtype_u16", lambda xp, a: a.sum(dtype=np.uint16),
              (_i("uint8", (6, 700)),)),
        RCase("max_initial_int", lambda xp, a: a.max(axis=1, initial=5), (_i("int16", (6, 9)),)),
        RCase("min_initial_f64", lambda xp, a: a.min(axis=0, initial=-3.0), (m,)),
        RCase("sum_neg_zeros", lambda xp, a: (a * 0.0).sum(axis=1), (-np.abs(m),)),
        RCase("sum_nan_rows", lambda xp, a: a.sum(axis=1), (_f((8, 300), nan=True),)),
        RCase("prod_f64", lambda xp, a: (1.0 + a * 1e-3).prod(), (x,)),
        RCase("prod_rows_f32", lambda xp, a: (np.float32(1) + a * np.float32(1e-3)).prod(axis=1),
              (m.astype(np.float32),)),
        RCase("circle", lambda xp, a, b: ((a * a + b * b) < 100).sum(), (x, x[::-1].copy())),
        RCase("bool_sum_axis0", lambda xp, a: (a > 0).sum(axis=0), (m,)),
        RCase("max_rows_nan", lambda xp, a: a.max(axis=1), (_f((8, 300), nan=True),)),
        RCase("min_axis0_nan", lambda xp, a: a.min(axis=0), (_f((300, 8), nan=True),)),
        RCase("max_full_f32", lambda xp, a: a.max(), (x32,)),
        RCase("min_full_nan", lambda xp, a: xp.min(a), (_f((3000,), nan=True),)),
        RCase("max_zeros", lambda xp, a: a.max(axis=1), (zeros,)),
        RCase("min_zeros", lambda xp, a: a.min(axis=0), (zeros,)),
        RCase("any_rows", lambda xp, a: (a > 25).any(axis=1), (m,)),
        RCase("bool_max_rows", lambda xp, a: (a > 25).max(axis=1), (m,)),
        RCase("bool_min_full", lambda xp, a: (a > -45).min(), (x,)),
        RCase("prod_initial_f64", lambda xp, a: (1.0 + a * 1e-3).prod(axis=1, initial=0.75), (m,)),
        RCase("all_full", lambda xp, a: (a > -45).all(), (x,)),
        RCase("any_float", lambda xp, a: xp.any(a * 0.0, axis=0), (m,)),
        RCase("all_int", lambda xp, a: a.all(axis=1), (_i("int8", (6, 700)),)),
        RCase("any_axes01", lambda xp, a: (a > 29).any(axis=(0, 1)), (c3,)),
        RCase("sum_int32_axes02", lambda xp, a: a.sum(axis=(0, 2)), (_i("int32", (5, 40, 6)),)),
        RCase("max_f64_axes02", lambda xp, a: a.max(axis=(0, 2)), (c3,)),
        # bodies calling device helpers (cuda_helpers.py): the source carries them
        RCase("fdiv_rows_int64", lambda xp, a: (a // 7).sum(axis=1), (_i("int64", (6, 700)),)),
        RCase("remainder_f64", lambda xp, a: (a % 0.75).sum(), (x,)),
        RCase("ipow_max_int32", lambda xp, a: (a ** 3).max(axis=0), (_i("int32", (30, 7)),)),
    ]
    # not NumPy's order: NumPy walks a transposed input in memory order, and a large 2-d
    # strided one in buffers of whole rows (8192 // row elements, pairwise each, added in
    # turn); their own data, with which they do differ from NumPy's bits
    own = np.random.default_rng(99)
    cases += [
        RCase("sum_transposed", lambda xp, a: a.T.sum(axis=1),
              (own.standard_normal((300, 40)) * 10,), False),
        RCase("sum_strided_2d_big", lambda xp, a: a[:, ::2].sum(),
              (own.standard_normal((300, 1001)) * 10,), False),
    ]
    x4 = _f((4, 5, 6, 37))
    for mask in range(1, 16):  # every set of axes of a 4-d array
        ax = tuple(d for d in range(4) if mask >> d & 1)
        cases.append(RCase(f"sum_4d_axes{''.join(map(str, ax))}",
                           lambda xp, a, ax=ax: a.sum(axis=ax), (x4,)))
    for dt in INTS:
        a = _i(dt, (40, 300))
        cases += [
            RCase(f"sum_{dt}", lambda xp, a: a.sum(), (a,)),
            RCase(f"sum_axis0_{dt}", lambda xp, a: a.sum(axis=0), (a,)),
            RCase(f"prod_rows_{dt}", lambda xp, a: a.prod(axis=1), (a,)),
            RCase(f"max_rows_{dt}", lambda xp, a: a.max(axis=1), (a,)),
            RCase(f"min_{dt}", lambda xp, a: a.min(), (a,)),
            RCase(f"mean_{dt}", lambda xp, a: a.mean(axis=1), (a,)),
        ]
    return cases


CASES = _cases()


class _Forced(Exception):
    pass


def _kernel(case: RCase) -> Any:
    """The one kernel of ``case``'s plan.  The first input goes through ``positive`` (a copy fused
    into the kernel) so the reduction reads a pending node and is recorded, not run by
    NumPy; a full reduction is forced at the call, so ``_engine.force`` is stopped there."""
    seen = []

    def stop(node: Any) -> None:
        seen.append(node)
        raise _Forced

    with lnp.config(eager_threshold=0), mock.patch.object(_engine, "force", stop):
        try:
            args = [lnp.array(a.copy()) for a in case.inputs]
            args[0] = lnp.positive(args[0])
            node = _array.node_of(case.fn(lnp, *args))
        except _Forced:
            (node,) = seen
        ks = _engine.plan_of(node, cached=False).kernels
    assert len(ks) == 1 and ks[0].reduction is not None, case.name
    return ks[0]


def _expected(case: RCase) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(case.fn(np, *case.inputs))


class Built:
    """Every corpus kernel rendered, its names made unique (``_c{n}``)."""

    def __init__(self) -> None:
        self.items: list[tuple[RCase, Any, Any, str, dict[str, str]]] = []
        for n, case in enumerate(CASES):
            k = _kernel(case)
            code = RD.render_reduction(k)
            src = code.source
            assert isinstance(code, RD.ReduceCode)
            base = R.entry_name(k)
            uniq = f"{base}_c{n}"
            src = src.replace(base + "_", uniq + "_")
            names = {e: uniq + e[len(base):] for e in code.params}
            self.items.append((case, k, code, src, names))


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def shimlib(built: Built, tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    if CXX is None:
        pytest.skip("no C++ compiler")
    parts = []
    for _case, _k, code, src, names in built.items:
        parts.append(src)
        parts += [launcher(ps, names[entry]) for entry, ps in code.params.items()]
    return build(parts, tmp_path_factory.mktemp("shim_reduce"), "reduce")


def run_shim(lib: ctypes.CDLL, k: Any, code: Any, names: dict[str, str], grid: int,
             block: int, leaf: int | None, chunk: int | None) -> np.ndarray:
    """Run the launches of ``code`` as a runtime would (buffers, then launches in order)."""
    arrays = [inp.array(k.shape) for inp in k.inputs]
    out = k.outputs[0].allocate()
    bufs_spec, launches = code.launches(arrays, out, leaf=leaf, chunk=chunk, kernel=k)
    bufs = [np.full(n, np.nan if np.dtype(dt).kind == "f" else 7, dtype=dt)
            for n, dt in bufs_spec]
    for la in launches:
        args: list = []
        for a in la.args:
            if isinstance(a, int):
                args.append(ctypes.c_longlong(a))
            elif a[0] == "out":
                args.append(ctypes.c_void_p(out.ctypes.data))
            elif a[0] == "in":
                args.append(ctypes.c_void_p(arrays[a[1]].ctypes.data))
            else:
                assert a[0] == "buf"
                args.append(ctypes.c_void_p(bufs[a[1]].ctypes.data))
        assert len(args) == len(code.params[la.entry])
        getattr(lib, f"run_{names[la.entry]}")(ctypes.c_uint(grid), ctypes.c_uint(block),
                                                *args)
    return out


def _same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    if got.dtype.kind == "f":
        nan = np.isnan(want)
        np.testing.assert_array_equal(np.isnan(got), nan)
        np.testing.assert_array_equal(got[~nan], want[~nan])
        np.testing.assert_array_equal(np.signbit(got[~nan]), np.signbit(want[~nan]))
    else:
        np.testing.assert_array_equal(got, want)


def _close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=RTOL[got.dtype], atol=0)


def test_shim_matches_numpy(built: Built, shimlib: ctypes.CDLL) -> None:
    inexact = []
    for case, k, code, src, names in built.items:
        runs = [run_shim(shimlib, k, code, names, *cfg) for cfg in CONFIGS]
        want = _expected(case)
        try:
            for got in runs[1:]:
                _same(got, runs[0])  # the launch configuration and partition: same bits
            (_same if case.exact else _close)(runs[0], want)
        except AssertionError as e:
            raise AssertionError(f"{case.name}:\n{src}\n{e}") from e
        if not case.exact:
            inexact.append(case.name)
    assert inexact == ["sum_transposed", "sum_strided_2d_big"]


def test_not_exact_cases_differ(built: Built, shimlib: ctypes.CDLL) -> None:
    """The cases marked inexact do differ from NumPy in the last bits (so the marks say
    something: NumPy's order is another one there)."""
    for case, k, code, _src, names in built.items:
        if not case.exact:
            got = run_shim(shimlib, k, code, names, *CONFIGS[0])
            assert not np.array_equal(got, _expected(case)), case.name


def test_partitions_used(built: Built) -> None:
    """The configurations do exercise several launches: subtrees at depth T > 6 (two
    combine passes) and chunked order-free reductions with several combine passes."""
    def kinds(name: str, leaf: int | None, chunk: int | None) -> list[str]:
        case, k, code, _src, _names = next(i for i in built.items if i[0].name == name)
        arrays = [inp.array(k.shape) for inp in k.inputs]
        _b, launches = code.launches(arrays, k.outputs[0].allocate(), leaf, chunk)
        return [la.entry.rsplit("_", 1)[1] for la in launches]

    assert kinds("sum_f64_big", 300, None) == ["part", "comb", "comb", "fin"]
    assert kinds("sum_f64", None, None) == ["part", "comb", "fin"]
    assert kinds("sum_short_rows", None, None) == ["fin"]
    assert kinds("sum_int64", None, 2) == ["part", "comb", "comb", "fin"]
    assert kinds("prod_f64", None, 7) == ["fin"]  # a float product is never cut
    assert kinds("mean_int64_big", 300, None) == ["part", "fin"]  # NumPy's buffers


@pytest.mark.parametrize("name, shape", [("sum_rows", (9, 1500)), ("sum_axis0", (1000, 3)),
                                         ("sum_middle", (2, 900, 3)), ("sum_f64", (20001,)),
                                         ("sum_int64", (7, 5000))])
def test_same_key_other_shape(built: Built, shimlib: ctypes.CDLL, name: str,
                              shape: tuple) -> None:
    """The source depends on the kernel's key only: compiled for one shape, it runs a
    kernel of another (sizes are launch arguments), with NumPy's bits."""
    case, k, code, _src, names = next(i for i in built.items if i[0].name == name)
    dt = case.inputs[0].dtype
    data = _f(shape) if dt.kind == "f" else _i(str(dt), shape)
    other = case._replace(inputs=(data,))
    k2 = _kernel(other)
    assert k2.key == k.key and k2.shape != k.shape
    for cfg in CONFIGS:
        _same(run_shim(shimlib, k2, code, names, *cfg), _expected(other))


def _descend(n: int, t: int, c: int) -> tuple[int, int]:
    """The device code's walk to node ``c`` at depth ``t`` (``{name}_part``)."""
    a = 0
    for b in range(t - 1, -1, -1):
        h = n // 2
        h -= h % 8
        if (c >> b) & 1:
            a, n = a + h, n - h
        else:
            n = h
    return a, n


def _nodes(tree: Any, out: set) -> tuple[int, int]:
    """Adds every node of ``tree`` to ``out`` as (start, stop); returns the root's."""
    if type(tree[0]) is int:
        node = tree
    else:
        node = (_nodes(tree[0], out)[0], _nodes(tree[1], out)[1])
    out.add(node)
    return node


@pytest.mark.parametrize("n", [129, 300, 1000, 1824, 5000, 40000, 123457])
@pytest.mark.parametrize("leaf", [300, RD.LEAF, RD.CAP])
def test_subtrees_are_numpys(n: int, leaf: int) -> None:
    """The ``2**T`` subtrees are nodes of NumPy's pairwise tree (``plan.pairwise_tree``
    down to NumPy's blocks of 128), cover the run in order, and fit a thread's unrolled
    levels."""
    t = RD.tree_depth(n, leaf)
    numpy_nodes: set = set()
    _nodes(pairwise_tree(0, n, 128), numpy_nodes)
    ranges = [_descend(n, t, c) for c in range(1 << t)]
    pos = 0
    for a, size in ranges:
        assert a == pos and (a, a + size) in numpy_nodes and size <= RD.CAP
        pos += size
    assert pos == n


def test_nvcc_ptx(built: Built, tmp_path: Path) -> None:
    if NVCC is None:
        pytest.skip("no nvcc")
    by_name = ptx_entries([src for *_, src, _names in built.items], tmp_path, "reduce")
    for *_, names in built.items:
        for entry in names.values():
            assert entry in by_name, entry
            assert "fma." not in by_name[entry], entry


def test_render_reduction_entries() -> None:
    case = next(c for c in CASES if c.name == "sum_rows")
    k = _kernel(case)
    code = RD.render_reduction(k)
    src = code.source
    assert code.pairwise
    with pytest.raises(Unsupported, match="reduction"):  # (the elementwise renderer's)
        R.render(k)
    for kind in ("part", "comb", "fin"):
        assert f'extern "C" __global__ void lzg_{k.name}_{kind}(' in src
    assert "__dadd_rn" in src and "-(double)0" in src


@pytest.mark.parametrize("what", ["float16", "complex"])
def test_unsupported(what: str) -> None:
    a = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    a = a.astype(np.float16 if what == "float16" else np.complex128)
    with lnp.config(eager_threshold=0):
        expr = (lnp.array(a) * 2).sum(axis=1)
        ks = _engine.plan_of(_array.node_of(expr), cached=False).kernels
    assert ks and ks[-1].reduction is not None
    with pytest.raises(Unsupported):
        RD.render_reduction(ks[-1])
