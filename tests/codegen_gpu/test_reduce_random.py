"""Reductions reading generated (random) inputs (lazynp/codegen_gpu/reduce.py with
lazynp/codegen_gpu/random.py), checked without a GPU.

* Lazy PCG64 / PCG64DXSM requests (``random`` float64 and float32, the latter with a buffered
  32-bit half, ``uniform``, full-range ``integers`` of several widths, ``random_raw``) read
  by one fused reduction kernel each: counts (the π expression), float sums and means in
  NumPy's pairwise order (NumPy's buffered order for a cast mean), integer sums, ``min`` /
  ``max``, a float product, along every axis of 2-d requests and mixed with a memory input.
  Every kernel runs on the CPU through ``shim.h`` under several launch configurations and
  partitions (pairwise subtree size, chunk size): each work item jumps its generators to its
  first element and steps forward, so all give the same bits, NumPy's (the generator pair
  made in the same test from the same seed).
* Every source compiles with ``nvcc --ptx -arch=sm_90 -fmad=false``, without ``fma``.

Tests needing a compiler skip when it is missing.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple
from unittest import mock

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.codegen_gpu import reduce as RD
from lazynp.codegen_gpu import render as R
from tests.codegen_gpu.shimlib import CXX, NVCC, build, launcher, ptx_entries
from tests.codegen_gpu.test_reduce import _same

N = 5003
BIG = 20011  # a cast mean over more than NumPy's 8192-element buffer
# (grid, block, leaf, chunk): work items several per thread, one per thread, subtrees of
# several sizes, chunks from a few elements to the whole
CONFIGS = [(1, 1, None, None), (3, 5, 300, 7), (2, 64, RD.CAP, 64), (64, 32, 300, 1000)]


def _none(g: Any) -> None:
    return None


def _f32_odd(g: Any) -> None:  # leaves a buffered 32-bit half
    g.random(3, dtype=np.float32)


def _skip7(g: Any) -> None:
    g.random(7)


class Case(NamedTuple):
    """``expr(xp, *values)`` over requests ``reqs`` made in order on one generator (after
    ``pre``), plus concrete inputs ``extra``."""

    name: str
    bitgen: str
    pre: Callable[[Any], Any]
    reqs: list[Callable[[Any], Any]]
    expr: Callable[..., Any]
    extra: tuple = ()


def _pi(xp: Any, x: Any, y: Any) -> Any:
    return ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum()


_M = np.linspace(-2.0, 3.0, 40 * 300).reshape(40, 300)

CASES = [
    Case("pi", "PCG64", _none, [lambda g: g.random(N), lambda g: g.random(N)], _pi),
    Case("pi_dxsm", "PCG64DXSM", _skip7, [lambda g: g.random(N), lambda g: g.random(N)], _pi),
    Case("pi_mean", "PCG64", _none, [lambda g: g.random(BIG), lambda g: g.random(BIG)],
         lambda xp, x, y: xp.mean(x * x + y * y < 1)),
    Case("sum_f64", "PCG64", _skip7, [lambda g: g.random(N)], lambda xp, x: (x - 0.5).sum()),
    Case("mean_f64_dxsm", "PCG64DXSM", _none, [lambda g: g.random(N)],
         lambda xp, x: (x * x).mean()),
    Case("sum_f32_buffered", "PCG64", _f32_odd, [lambda g: g.random(N, dtype=np.float32)],
         lambda xp, x: (x * np.float32(3.0) - np.float32(1.5)).sum()),
    Case("mean_f32_dxsm_buffered", "PCG64DXSM", _f32_odd,
         [lambda g: g.random(BIG, dtype=np.float32)], lambda xp, x: x.mean(dtype=np.float64)),
    Case("uniform_max", "PCG64", _none, [lambda g: g.uniform(-2.0, 3.0, N)],
         lambda xp, u: (u * 1.5).max()),
    Case("uniform_min_dxsm", "PCG64DXSM", _skip7, [lambda g: g.uniform(1e-3, 7.25, N)],
         lambda xp, u: (u - 1.0).min()),
    Case("int64_sum", "PCG64", _none, [lambda g: g.integers(-2**63, 2**63, N)],
         lambda xp, a: (a ^ 5).sum()),
    Case("int64_u32_max", "PCG64DXSM", _f32_odd, [lambda g: g.integers(5, 5 + 2**32, N)],
         lambda xp, a: (a - 7).max()),
    Case("int8_sum", "PCG64", _f32_odd,
         [lambda g: g.integers(-128, 127, N, dtype=np.int8, endpoint=True)],
         lambda xp, a: (a * np.int8(3)).sum()),
    Case("uint16_min_dxsm", "PCG64DXSM", _none,
         [lambda g: g.integers(0, 2**16, N, dtype=np.uint16)], lambda xp, a: (a + 1).min()),
    Case("bool_count", "PCG64", _skip7, [lambda g: g.integers(0, 2, N, dtype=bool)],
         lambda xp, b: (b & True).sum()),
    Case("raw_sum_dxsm", "PCG64DXSM", _f32_odd, [lambda g: g.bit_generator.random_raw(N)],
         lambda xp, r: (r >> np.uint64(3)).sum()),
    Case("prod_f64", "PCG64", _none, [lambda g: g.random(N)],
         lambda xp, x: (1.0 + x * 1e-3).prod()),
    Case("rows_f64", "PCG64", _none, [lambda g: g.random((40, 300))],
         lambda xp, x: (x * 2.0).sum(axis=1)),
    Case("cols_f32_dxsm_buffered", "PCG64DXSM", _f32_odd,
         [lambda g: g.random((300, 7), dtype=np.float32)], lambda xp, x: x.sum(axis=0)),
    Case("cols_mixed", "PCG64", _skip7, [lambda g: g.random((40, 300))],
         lambda xp, x, m: (x * m).sum(axis=0), (_M,)),
    Case("rows_pi_dxsm", "PCG64DXSM", _none,
         [lambda g: g.random((30, 700)), lambda g: g.random((30, 700))],
         lambda xp, x, y: (x * x + y * y < 1).sum(axis=1)),
    Case("middle_int16", "PCG64", _f32_odd,
         [lambda g: g.integers(-2**15, 2**15, (5, 40, 6), dtype=np.int16)],
         lambda xp, a: a.sum(axis=1)),
    Case("outer_inner_f64", "PCG64DXSM", _none, [lambda g: g.random((5, 40, 6))],
         lambda xp, x: x.sum(axis=(0, 2))),
    Case("rows_uint32_max", "PCG64", _f32_odd,
         [lambda g: g.integers(0, 2**32, (9, 301), dtype=np.uint32)],
         lambda xp, a: a.max(axis=1)),
]


class _Forced(Exception):
    pass


def _pair(bitgen: str, seed: int) -> tuple[Any, Any]:
    return (lnp.random.Generator(getattr(lnp.random, bitgen)(seed)),
            np.random.Generator(getattr(np.random, bitgen)(seed)))


def kernel_and_want(case: Case, seed: int = 3) -> tuple[Any, np.ndarray]:
    """(the one kernel of ``case``'s lazy expression, NumPy's value).  A full reduction is
    forced at the call: ``_engine.force`` is stopped there and the node planned instead."""
    g, gn = _pair(case.bitgen, seed)
    case.pre(g), case.pre(gn)
    seen = []

    def stop(node: Any) -> None:
        seen.append(node)
        raise _Forced

    with lnp.config(eager_threshold=16):
        vals = [fn(g) for fn in case.reqs]
        assert all(lnp.is_lazy(v) for v in vals)
        with mock.patch.object(_engine, "force", stop):
            try:
                node = _array.node_of(case.expr(lnp, *vals, *map(lnp.array, case.extra)))
            except _Forced:
                (node,) = seen
        ks = _engine.plan_of(node, cached=False).kernels
    assert len(ks) == 1 and ks[0].reduction is not None, case.name
    assert sum(i.source is not None for i in ks[0].inputs) == len(case.reqs), case.name
    want = np.asarray(case.expr(np, *[fn(gn) for fn in case.reqs], *case.extra))
    return ks[0], want


class Built:
    def __init__(self) -> None:
        self.items: list[tuple[Case, Any, np.ndarray, Any, str, dict[str, str]]] = []
        for n, case in enumerate(CASES):
            k, want = kernel_and_want(case)
            code = RD.render_reduction(k)
            src = code.source
            assert isinstance(code, RD.ReduceCode)
            base = R.entry_name(k)
            uniq = f"{base}_r{n}"
            names = {e: uniq + e[len(base):] for e in code.params}
            self.items.append((case, k, want, code, src.replace(base + "_", uniq + "_"),
                               names))


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def shimlib(built: Built, tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    if CXX is None:
        pytest.skip("no C++ compiler")
    parts = []
    for _case, _k, _want, code, src, names in built.items:
        parts.append(src)
        parts += [launcher(ps, names[entry]) for entry, ps in code.params.items()]
    return build(parts, tmp_path_factory.mktemp("shim_reduce_random"), "reduce_random")


_CTYPES = {"double": ctypes.c_double, "unsigned long long": ctypes.c_ulonglong,
           "long long": ctypes.c_longlong}


def run_shim(lib: ctypes.CDLL, k: Any, code: Any, names: dict[str, str], grid: int,
             block: int, leaf: int | None, chunk: int | None) -> np.ndarray:
    """Run the launches of ``code`` for kernel ``k`` as a runtime would."""
    arrays = [inp.array(k.shape) for inp in k.inputs]
    out = k.outputs[0].allocate()
    bufs_spec, launches = code.launches(arrays, out, leaf=leaf, chunk=chunk, kernel=k)
    bufs = [np.full(n, np.nan if np.dtype(dt).kind == "f" else 7, dtype=dt)
            for n, dt in bufs_spec]
    for la in launches:
        args: list = []
        for (ctype, _name), a in zip(code.params[la.entry], la.args, strict=True):
            if type(a) is not tuple:
                args.append(_CTYPES[ctype](a))
            elif a[0] == "out":
                args.append(ctypes.c_void_p(out.ctypes.data))
            elif a[0] == "in":
                assert k.inputs[a[1]].source is None  # (generated inputs have no pointer)
                args.append(ctypes.c_void_p(arrays[a[1]].ctypes.data))
            else:
                assert a[0] == "buf"
                args.append(ctypes.c_void_p(bufs[a[1]].ctypes.data))
        getattr(lib, f"run_{names[la.entry]}")(ctypes.c_uint(grid), ctypes.c_uint(block),
                                                *args)
    return out


def test_matches_numpy(built: Built, shimlib: ctypes.CDLL) -> None:
    for case, k, want, code, _src, names in built.items:
        for cfg in CONFIGS:
            got = run_shim(shimlib, k, code, names, *cfg)
            try:
                _same(got, want)
            except AssertionError as e:
                raise AssertionError(f"{case.name}, launch/partition {cfg}:\n{e}") from e


def test_paths_covered(built: Built) -> None:
    """The configurations exercise every path: pairwise subtrees with combine passes, NumPy's
    buffers of a cast mean, chunks combined in passes, runs of one element per outer index,
    and an ordered product."""
    def kinds(name: str, leaf: int | None, chunk: int | None) -> list[str]:
        _case, k, _want, code, _src, _names = next(i for i in built.items
                                                   if i[0].name == name)
        arrays = [inp.array(k.shape) for inp in k.inputs]
        _b, launches = code.launches(arrays, k.outputs[0].allocate(), leaf, chunk, kernel=k)
        return [la.entry.rsplit("_", 1)[1] for la in launches]

    assert kinds("sum_f64", 300, None) == ["part", "comb", "fin"]
    assert kinds("pi_mean", None, None) == ["part", "fin"]
    assert kinds("pi", None, 7) == ["part", "comb", "fin"]
    assert kinds("uniform_max", None, 64) == ["part", "comb", "fin"]
    assert kinds("cols_f32_dxsm_buffered", None, None) == ["fin"]
    assert kinds("prod_f64", None, 7) == ["fin"]


def test_other_requests_same_source(built: Built, shimlib: ctypes.CDLL) -> None:
    """The source depends on the kernel's key only: another seed, another size, the same
    compiled entries, NumPy's values (the snapshot and sizes are launch arguments)."""
    for name, size in [("pi", 7777), ("sum_f32_buffered", 4097), ("int64_u32_max", 999)]:
        case, k, _want, code, _src, names = next(i for i in built.items if i[0].name == name)
        other = case._replace(reqs=[
            (lambda g, fn=fn, size=size: fn(_Sized(g, size))) for fn in case.reqs])
        k2, want2 = kernel_and_want(other, seed=99)
        assert k2.key == k.key and k2.shape != k.shape
        for cfg in CONFIGS[:2]:
            _same(run_shim(shimlib, k2, code, names, *cfg), want2)


class _Sized:
    """A generator whose requests of ``N`` elements are made with ``size`` instead."""

    def __init__(self, g: Any, size: int) -> None:
        self.g, self.size = g, size

    def __getattr__(self, attr: str) -> Any:
        fn = getattr(self.g, attr)

        def call(*args: Any, **kw: Any) -> Any:
            args = tuple(self.size if a == N and type(a) is int else a for a in args)
            return fn(*args, **kw)
        return call


def test_nvcc_ptx(built: Built, tmp_path: Path) -> None:
    if NVCC is None:
        pytest.skip("no nvcc")
    by_name = ptx_entries([src for *_, src, _names in built.items], tmp_path, "reduce_random")
    for *_, names in built.items:
        for entry in names.values():
            assert entry in by_name, entry
            assert "fma." not in by_name[entry], entry


def test_generator_order_in_source(built: Built) -> None:
    """Generated reads stay in increasing order: the pairwise levels compute their left half
    first (C++ leaves the order of a call's arguments open), each work item starts its
    generators afresh, and integer folds read runs (no interleaved chunks)."""
    for _case, _k, _want, code, src, _names in built.items:
        assert "lz_pcg_init(&A.g0" in src
        if code.pairwise:
            assert re.search(r"const \w+ left = \w+_pw\d\(A, a, h\);", src)
        assert "j += P" not in src
