"""Random draws generated on the GPU (lazynp/codegen_gpu/random.py), checked without a GPU.

* Standalone fills (``render_fill``) of lazy PCG64 / PCG64DXSM requests (``random`` float64 and
  float32, ``uniform``, full-range ``integers`` of every width, ``random_raw``) and fused
  elementwise kernels reading generated inputs (``render.render``) run on the CPU through
  ``shim.h`` (g++, one library for all): for several launch configurations (the grid-stride
  loop, each thread jumping once and then leaping), chunks starting at other elements, odd
  counts and generators holding a buffered 32-bit half, the values equal NumPy's generator's,
  bit for bit.  Far offsets (up to 2**63 draws) are checked against NumPy's ``advance``.
* Every source compiles with ``nvcc --ptx -arch=sm_90 -fmad=false``, without ``fma``.
* Draws the GPU does not generate raise ``Unsupported``.

Tests needing a compiler skip when it is missing.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.codegen_gpu import random as G
from lazynp.codegen_gpu import render as R
from lazynp.fusion.plan import Unsupported
from lazynp.random import _ir_bitgen
from tests.codegen_gpu.shimlib import CXX, NVCC, build, launcher, ptx_entries
from tests.codegen_gpu.test_render import _same

N = 1001
LAUNCHES = [(1, 1), (3, 4), (2, 37), (5, 32)]
CHUNK = (333, 517)  # (first element, count) of a launch over part of a request


class Req(NamedTuple):
    """One lazy request: ``call(gen)`` on generators advanced by ``pre(gen)`` first."""

    name: str
    bitgen: str
    pre: Callable[[Any], Any]
    call: Callable[[Any], Any]


def _none(g: Any) -> None:
    return None


def _f32_odd(g: Any) -> None:  # leaves a buffered 32-bit half
    g.random(3, dtype=np.float32)


def _skip7(g: Any) -> None:
    g.random(7)


REQS = [
    Req("f64", "PCG64", _none, lambda g: g.random(N)),
    Req("f64_dxsm", "PCG64DXSM", _skip7, lambda g: g.random(N)),
    Req("f32_buffered", "PCG64", _f32_odd, lambda g: g.random(N, dtype=np.float32)),
    Req("f32_dxsm", "PCG64DXSM", _none, lambda g: g.random(N - 1, dtype=np.float32)),
    Req("f32_dxsm_buffered", "PCG64DXSM", _f32_odd, lambda g: g.random(N, dtype=np.float32)),
    Req("uniform", "PCG64", _skip7, lambda g: g.uniform(-2.0, 3.0, N)),
    Req("uniform_dxsm", "PCG64DXSM", _none, lambda g: g.uniform(1e-3, 7.25, N)),
    Req("int64", "PCG64", _none, lambda g: g.integers(-2**63, 2**63, N, dtype=np.int64,
                                                      endpoint=False)),
    Req("uint64_dxsm", "PCG64DXSM", _skip7, lambda g: g.integers(0, 2**64, N, dtype=np.uint64)),
    Req("int64_u32", "PCG64", _f32_odd, lambda g: g.integers(5, 5 + 2**32, N)),
    Req("int32", "PCG64", _none, lambda g: g.integers(-2**31, 2**31, N, dtype=np.int32)),
    Req("uint32_dxsm", "PCG64DXSM", _f32_odd,
        lambda g: g.integers(0, 2**32, N, dtype=np.uint32)),
    Req("int16", "PCG64", _f32_odd, lambda g: g.integers(-2**15, 2**15, N, dtype=np.int16)),
    Req("uint16_dxsm", "PCG64DXSM", _none, lambda g: g.integers(0, 2**16, N, dtype=np.uint16)),
    Req("int8_buffered", "PCG64", _f32_odd,
        lambda g: g.integers(-128, 127, N, dtype=np.int8, endpoint=True)),
    Req("uint8_dxsm", "PCG64DXSM", _skip7, lambda g: g.integers(0, 256, N, dtype=np.uint8)),
    Req("bool", "PCG64", _none, lambda g: g.integers(0, 2, N, dtype=bool)),
    Req("bool_dxsm_buffered", "PCG64DXSM", _f32_odd,
        lambda g: g.integers(0, 1, N, dtype=bool, endpoint=True)),
    Req("raw", "PCG64", _f32_odd, lambda g: g.bit_generator.random_raw(N)),
    Req("raw_dxsm", "PCG64DXSM", _none, lambda g: g.bit_generator.random_raw(N)),
]


def _pair(bitgen: str, seed: int) -> tuple[Any, Any]:
    return (lnp.random.Generator(getattr(lnp.random, bitgen)(seed)),
            np.random.Generator(getattr(np.random, bitgen)(seed)))


def _lazy(fn: Callable[[Any], Any], g: Any) -> Any:
    with lnp.config(eager_threshold=16):
        x = fn(g)
    assert lnp.is_lazy(x)
    return x


def _source(x: Any) -> Any:
    node = _array.node_of(x)
    assert node.op.value == "random"
    return node.params["generate"]


# ------------------------------------------------------------------------------ fused plans
class Fused(NamedTuple):
    """``expr(xp, *values)`` over lazy requests ``reqs`` (made in order on one generator)."""

    name: str
    bitgen: str
    reqs: list[Callable[[Any], Any]]
    expr: Callable[..., Any]
    extra: tuple = ()  # concrete NumPy inputs, after the requests


_M = np.arange(37 * 29, dtype=np.float64).reshape(29, 37) * 0.25

FUSED = [
    Fused("disk", "PCG64", [lambda g: g.random(N), lambda g: g.random(N)],
          lambda xp, x, y: x * x + y * y < 1.0),
    Fused("disk_dxsm", "PCG64DXSM", [lambda g: g.random(N), lambda g: g.random(N)],
          lambda xp, x, y: x * x + y * y < 1.0),
    Fused("uniform_scale", "PCG64", [lambda g: g.uniform(-3.0, 5.0, N), lambda g: g.random(N)],
          lambda xp, u, x: u * 2.5 - x),
    Fused("f32_buffered", "PCG64", [_f32_odd, lambda g: g.random(N, dtype=np.float32)],
          lambda xp, _p, x: x * np.float32(3.0) + np.float32(1.0)),
    Fused("ints", "PCG64DXSM", [lambda g: g.integers(0, 256, N, dtype=np.uint8),
                                lambda g: g.integers(-2**15, 2**15, N, dtype=np.int16),
                                lambda g: g.integers(-2**63, 2**63, N)],
          lambda xp, a, b, c: (a.astype(np.int64) * 3 - b) ^ c),
    Fused("bool_where", "PCG64", [lambda g: g.integers(0, 2, N, dtype=bool),
                                  lambda g: g.random(N)],
          lambda xp, b, x: xp.where(b, x, -x)),
    Fused("strided_2d", "PCG64", [lambda g: g.random((37, 29)),
                                  lambda g: g.random((37, 29), dtype=np.float32)],
          lambda xp, x, y, m: (x - m.T) * y, (_M,)),
    Fused("raw_mix", "PCG64DXSM", [lambda g: g.bit_generator.random_raw(N),
                                   lambda g: g.integers(0, 2**32, N, dtype=np.uint32)],
          lambda xp, r, u: (r & np.uint64(0xFFFFFFFF00FF)) ^ u),
]


def _fused_case(case: Fused) -> tuple[Any, np.ndarray]:
    """(the one kernel of the lazy expression, NumPy's values)."""
    g, gn = _pair(case.bitgen, 11)
    vals, want = [], []
    for fn in case.reqs:
        if fn is _f32_odd:
            fn(g), fn(gn)
            vals.append(None), want.append(None)
            continue
        vals.append(_lazy(fn, g))
        want.append(fn(gn))
    want = [w for w in want if w is not None] + list(case.extra)
    args = ([None] if case.reqs[0] is _f32_odd else [])
    with lnp.config(eager_threshold=16):
        vals = [v for v in vals if v is not None] + [lnp.array(a) for a in case.extra]
        expr = case.expr(lnp, *args, *vals)
        plan = _engine.plan_of(_array.node_of(expr), cached=False)
    (k,) = plan.kernels
    assert sum(inp.source is not None for inp in k.inputs) == len(vals) - len(case.extra)
    return k, np.asarray(case.expr(np, *args, *want))


# ------------------------------------------------------------------------------ building
class Built:
    def __init__(self) -> None:
        self.fills: list[tuple[Req, Any, np.ndarray, int, str, str]] = []
        for n, req in enumerate(REQS):
            g, gn = _pair(req.bitgen, 5 + n)
            req.pre(g), req.pre(gn)
            x = _lazy(req.call, g)
            want = np.asarray(req.call(gn))
            assert g.bit_generator.state == gn.bit_generator.state
            for bits in (32, 64):
                src, entry = G.render_fill(_source(x), x.dtype, bits)
                name = f"{entry}_{n}"
                self.fills.append((req, _source(x), want, bits,
                                   src.replace(entry + "(", name + "("), name))
        self.fused: list[tuple[Fused, Any, np.ndarray, int, str, str]] = []
        for n, case in enumerate(FUSED):
            k, want = _fused_case(case)
            for bits in (32, 64):
                src, entry = R.render(k, bits)
                name = f"{entry}_{n}_{bits}"
                self.fused.append((case, k, want, bits, src.replace(entry + "(", name + "("),
                                   name))


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def lib(built: Built, tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    if CXX is None:
        pytest.skip("no C++ compiler")
    parts = []
    for _req, src_obj, want, bits, src, name in built.fills:
        parts += [src, launcher(G.fill_params(src_obj, want.dtype, bits), name)]
    for _case, k, _want, bits, src, name in built.fused:
        parts += [src, launcher(R.params(k, bits), name)]
    return build(parts, tmp_path_factory.mktemp("shim_random"), "random")


def _cargs(ps: list[tuple[str, str]], vals: dict[str, Any], ptrs: dict[str, int]) -> list:
    args: list = []
    for t, n in ps:
        if n in ptrs:
            args.append(ctypes.c_void_p(ptrs[n]))
        elif t == "double":
            args.append(ctypes.c_double(vals[n]))
        elif t == "unsigned long long":
            args.append(ctypes.c_ulonglong(vals[n]))
        elif t == "long long":
            args.append(ctypes.c_longlong(vals[n]))
        else:
            assert t == "int", t
            args.append(ctypes.c_int(vals[n]))
    return args


def _fill(lib: ctypes.CDLL, src_obj: Any, dtype: np.dtype, bits: int, name: str, at: int,
          count: int, launch: tuple[int, int]) -> np.ndarray:
    out = np.empty(count, dtype)
    out.view(np.uint8)[:] = 0x5A  # (an element left unwritten shows)
    vals = G.launch_values(0, src_obj, dtype, at)
    vals["n"] = count
    args = _cargs(G.fill_params(src_obj, dtype, bits), vals, {"out": out.ctypes.data})
    getattr(lib, f"run_{name}")(ctypes.c_uint(launch[0]), ctypes.c_uint(launch[1]), *args)
    return out


# ------------------------------------------------------------------------------ tests
def test_fill_matches_numpy(built: Built, lib: ctypes.CDLL) -> None:
    for req, src_obj, want, bits, _src, name in built.fills:
        for launch in LAUNCHES:
            got = _fill(lib, src_obj, want.dtype, bits, name, 0, want.size, launch)
            try:
                _same(got, want.reshape(-1))
                at, count = CHUNK
                part = _fill(lib, src_obj, want.dtype, bits, name, at, count, launch)
                _same(part, want.reshape(-1)[at:at + count])
            except AssertionError as e:
                raise AssertionError(f"{req.name} ({bits}-bit, launch {launch})") from e


def test_fill_small_counts_and_offsets(built: Built, lib: ctypes.CDLL) -> None:
    """Launches over a few elements from odd starts (most threads idle; a 32-bit half or a
    64-bit draw split between two launches)."""
    for req, src_obj, want, bits, _src, name in built.fills:
        if bits != 32:
            continue
        flat = want.reshape(-1)
        for at in (0, 1, 2, 5, 31, 33):
            for count in (1, 2, 3, 64, 65):
                got = _fill(lib, src_obj, want.dtype, bits, name, at, count, (5, 32))
                try:
                    _same(got, flat[at:at + count])
                except AssertionError as e:
                    raise AssertionError(f"{req.name} at {at}, {count} elements") from e


def _numpy_from(src_obj: Any, bitgen: str) -> np.random.Generator:
    w = [int(v) for v in src_obj.snapshot]
    bg = getattr(np.random, bitgen)()
    bg.state = {"bit_generator": bitgen, "state": {"state": w[0] | w[1] << 64,
                                                   "inc": w[2] | w[3] << 64},
                "has_uint32": w[4], "uinteger": w[5] & 0xFFFFFFFF}
    return np.random.Generator(bg)


@pytest.mark.parametrize("at", [2**20 + 3, 2**40 + 5, 2**63 + 7])
def test_fill_far_offsets(built: Built, lib: ctypes.CDLL, at: int) -> None:
    """Elements far into the stream: each thread's first jump is long (NumPy's ``advance``)."""
    checked = 0
    for req, src_obj, want, bits, _src, name in built.fills:
        if bits != 64 or req.name not in ("f64", "f64_dxsm", "f32_buffered", "f32_dxsm",
                                          "uniform_dxsm", "int16"):
            continue
        gn = _numpy_from(src_obj, req.bitgen)
        count = 300
        if src_obj.cons[0] == "u64":
            gn.bit_generator.advance(at)  # element e is draw e
            wanted = np.asarray(req.call(gn)).reshape(-1)[:count]
        else:
            k = src_obj.cons[1]
            half = at // k - int(src_obj.snapshot[4] != 0)  # halves after the buffered one
            gn.bit_generator.advance(half // 2)  # (clears the buffered half)
            skip = (half % 2) * k + at % k
            wanted = np.asarray(req.call(gn)).reshape(-1)[skip:skip + count]
        got = _fill(lib, src_obj, want.dtype, bits, name, at, count, (3, 7))
        _same(got, wanted)
        checked += 1
    assert checked == 6


@pytest.mark.parametrize("flat", [False, True], ids=["strided", "contiguous"])
def test_fused_matches_numpy(built: Built, lib: ctypes.CDLL, flat: bool) -> None:
    ran = 0
    for case, k, want, bits, src, name in built.fused:
        arrays = [inp.array(k.shape) for inp in k.inputs]
        vals = R.launch_values(k, arrays, k.outputs[0].allocate())
        if flat and not vals["flat"]:
            continue
        vals["flat"] = int(flat)
        for launch in LAUNCHES:
            out = k.outputs[0].allocate()
            ptrs = {"out": out.ctypes.data}
            ptrs.update({f"in{j}": a.ctypes.data for j, a in enumerate(arrays)
                         if k.inputs[j].source is None and k.inputs[j].fill is None})
            args = _cargs(R.params(k, bits), vals, ptrs)
            getattr(lib, f"run_{name}")(ctypes.c_uint(launch[0]), ctypes.c_uint(launch[1]),
                                        *args)
            try:
                _same(out, want)
            except AssertionError as e:
                raise AssertionError(f"{case.name} ({bits}-bit, flat={flat}, "
                                     f"launch {launch}):\n{src}") from e
        ran += 1
    assert ran >= (len(built.fused) // 2 if flat else len(built.fused))


def test_nvcc_ptx(built: Built, tmp_path: Path) -> None:
    if NVCC is None:
        pytest.skip("no nvcc")
    by_name = ptx_entries([src for *_, src, _ in built.fills]
                          + [src for *_, src, _ in built.fused], tmp_path, "random")
    for *_, name in built.fills + built.fused:
        assert name in by_name, name
        assert "fma." not in by_name[name], name
        assert "mul.hi.u64" in by_name[name], name  # the 128-bit LCG arithmetic


def test_constants_are_the_cpu_kernels() -> None:
    assert G.MULT == {"pcg64": _ir_bitgen.PCG_MULT, "pcg64dxsm": _ir_bitgen.DXSM_MULT}
    assert f"{_ir_bitgen.DXSM_MULT:#x}" in G.PREAMBLE
    lo, hi = _ir_bitgen.PCG_MULT & (2**64 - 1), _ir_bitgen.PCG_MULT >> 64
    assert f"lz_u128_of({lo:#x}ULL, {hi:#x}ULL)" in G.PREAMBLE


def test_interface() -> None:
    g, _ = _pair("PCG64", 0)
    src_obj = _source(_lazy(lambda r: r.uniform(1.0, 4.0, N), g))
    assert [n for _, n in G.params(2, src_obj, np.float64)] == [
        *(f"g2_w{m}" for m in range(6)), "g2_at", "g2_lo", "g2_range"]
    vals = G.launch_values(2, src_obj, np.float64, at=9)
    assert vals["g2_at"] == 9 and vals["g2_lo"] == 1.0 and vals["g2_range"] == 3.0
    assert [vals[f"g2_w{m}"] for m in range(6)] == [int(w) for w in src_obj.snapshot]
    with pytest.raises(Unsupported):
        G.spec(src_obj, np.float32)  # uniform makes float64 values


def test_unsupported_draws() -> None:
    g, _ = _pair("PCG64", 0)
    x = _lazy(lambda r: r.random(N), g)
    d = _source(x)
    for kind, mult, method, cons in [("sfc64", 0, "random_f64", ("u64",)),
                                     ("pcg64", 12345, "random_f64", ("u64",)),
                                     ("pcg64", d.mult, "std_normal_f64", ("u64",)),
                                     ("pcg64", d.mult, "random_f32", ("u64",))]:
        other = type(d)(d.bg_cls, kind, mult, d.snapshot, cons, method, d.params)
        with pytest.raises(Unsupported):
            G.spec(other, np.float64 if method != "random_f32" else np.float32)
    bounded = type(d)(d.bg_cls, d.kind, d.mult, d.snapshot, ("u32", 1), "int32",
                      [np.array([6], np.uint64), np.array([0], np.uint64)])
    with pytest.raises(Unsupported):  # a bounded range is no fixed-draw request
        G.spec(bounded, np.int32)
