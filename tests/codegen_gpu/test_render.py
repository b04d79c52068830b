"""The CUDA renderer (lazynp/codegen_gpu/render.py) checked without a GPU.

* Every corpus plan (``corpus.py``: bool, every integer, float16/32/64, complex64/128;
  contiguous, strided, reversed, transposed, broadcast, scalar-broadcast and constant
  inputs) renders; the kernels run on the CPU through ``shim.h`` (``__global__``,
  ``threadIdx`` ... and a launcher looping over a small grid, so the grid-stride loop takes
  several turns), compiled with the system C++ compiler into one shared library loaded with
  ctypes.  Each kernel runs its general strided path and, where the operands allow it, its
  contiguous path, with 32-bit and 64-bit index math (and a 0-d variant of some); outputs
  equal NumPy's bit for bit (NaNs, signed zeros, float16 rounding and complex parts
  included), except the libm cases (exp, log, sin, tan, pow, ...), which are within
  ``LIBM_ULP`` of NumPy with NaNs at the same places: on the CPU they call the host's libm
  (glibc), not CUDA's math library, so this checks the rendering, not CUDA's accuracy.
* Every rendered source compiles with ``nvcc --ptx -arch=sm_90 -fmad=false`` (one nvcc call
  for the whole corpus); kernels without libm calls or NumPy's own complex FMAs have no
  ``fma`` in their PTX.
* Kernels the renderer does not handle raise ``Unsupported``; the op table leaves out
  exactly what the CPU backend does not compile.

Tests needing a compiler skip when it is missing.
"""

from __future__ import annotations

import copy
import ctypes
import dataclasses
from pathlib import Path

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.codegen_cpu import libm
from lazynp.codegen_cpu.lowering import NOT_COMPILED
from lazynp.codegen_gpu import render as R
from lazynp.fusion.plan import Unsupported
from lazynp.graph.ops import ELEMENTWISE, Op
from tests.codegen_gpu.corpus import CASES, Case, expected, kernels_of
from tests.codegen_gpu.shimlib import CXX, NVCC, build, launcher, ptx_entries

LIBM_ULP = 4
GRID, BLOCK = 3, 4   # 12 threads: every corpus kernel's loop takes several turns


ZERO_D = ("arith_f64", "arith_f16", "div_complex128", "arith_int8", "mul_complex64")


def _zero_d(k: object) -> object:
    """``k`` over one element as a 0-d kernel (lazynp runs 0-d work in NumPy, so no plan
    has one; the renderer still handles it)."""
    k0 = copy.copy(k)
    k0.shape = ()
    k0.inputs = [dataclasses.replace(inp, strides=()) for inp in k.inputs]
    _FULL_SHAPE[id(k0)] = k.shape
    return k0


_FULL_SHAPE: dict[int, tuple] = {}  # 0-d variant -> the shape of the kernel it came from


class Built:
    """The corpus rendered (one kernel per case, 32- and 64-bit index variants, 0-d variants
    of the ``ZERO_D`` cases)."""

    def __init__(self) -> None:
        # case, kernel, bits, source, entry name
        self.items: list[tuple[Case, object, int, str, str]] = []
        for n, case in enumerate(CASES):
            (k,) = kernels_of(case)
            variants = [(k, 32, ""), (k, 64, "")]
            if case.name in ZERO_D:
                variants.append((_zero_d(k), 32, "_0d"))
            for kk, bits, tag in variants:
                src, entry = R.render(kk, bits)
                name = f"{entry}_{n}_{bits}{tag}"
                src = src.replace(entry + "(", name + "(")
                self.items.append((case, kk, bits, src, name))


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def shimlib(built: Built, tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    if CXX is None:
        pytest.skip("no C++ compiler")
    parts = []
    for _case, k, bits, src, name in built.items:
        parts += [src, launcher(R.params(k, bits), name)]
    return build(parts, tmp_path_factory.mktemp("shim"), "kernels")


def _same(got: np.ndarray, want: np.ndarray, ulp: int = 0) -> None:
    """Equal bit for bit (``ulp``: within that many ULP), NaNs at the same places (their
    payloads aside), signed zeros included; complex numbers part by part."""
    assert got.dtype == want.dtype and got.shape == want.shape
    if got.dtype.kind == "c":
        _same(got.real, want.real, ulp)
        _same(got.imag, want.imag, ulp)
    elif got.dtype.kind == "f":
        nan = np.isnan(want)
        np.testing.assert_array_equal(np.isnan(got), nan)
        if ulp:
            np.testing.assert_array_max_ulp(got[~nan], want[~nan], maxulp=ulp)
        else:
            np.testing.assert_array_equal(got[~nan], want[~nan])
            np.testing.assert_array_equal(np.signbit(got[~nan]), np.signbit(want[~nan]))
    else:
        np.testing.assert_array_equal(got, want)


def _run(lib: ctypes.CDLL, k: object, bits: int, name: str, flat: bool | None,
         out_order: str = "C") -> np.ndarray | None:
    """Run ``k`` through the shim (``flat``: force the contiguous or strided path; None: as
    ``launch_values`` says), into a new output in ``out_order``; None if ``flat`` is asked
    and the operands do not allow it."""
    if k.shape == ():
        full = _FULL_SHAPE[id(k)]
        arrays = [np.array(inp.array(full)[(0,) * len(full)]) for inp in k.inputs]
        out = np.empty((), k.outputs[0].dtype)
    else:
        arrays = [inp.array(k.shape) for inp in k.inputs]
        out = np.empty(k.shape, k.outputs[0].dtype, order=out_order)
    vals = R.launch_values(k, arrays, out)
    if flat is not None:
        if flat and not vals["flat"]:
            return None
        vals["flat"] = int(flat)
    it = ctypes.c_longlong if bits == 64 else ctypes.c_int
    args: list = []
    for t, n in R.params(k, bits):
        if n == "out":
            args.append(ctypes.c_void_p(out.ctypes.data))
        elif n.startswith("in"):
            args.append(ctypes.c_void_p(arrays[int(n[2:])].ctypes.data))
        elif t == "int":
            args.append(ctypes.c_int(vals[n]))
        else:
            args.append(it(vals[n]))
    getattr(lib, f"run_{name}")(ctypes.c_uint(GRID), ctypes.c_uint(BLOCK), *args)
    return out


@pytest.mark.parametrize("flat", [False, True], ids=["strided", "contiguous"])
def test_shim_matches_numpy(built: Built, shimlib: ctypes.CDLL, flat: bool) -> None:
    ran = 0
    for case, k, bits, src, name in built.items:
        got = _run(shimlib, k, bits, name, flat)
        if got is None:
            continue
        ran += 1
        want = expected(case)
        if k.shape == ():
            want = want.reshape(-1)[0:1].reshape(())
        try:
            _same(got, want, LIBM_ULP if case.libm else 0)
        except AssertionError as e:
            raise AssertionError(f"{case.name} ({bits}-bit, flat={flat}):\n{src}\n{e}") from e
    assert ran >= (len(built.items) // 2 if flat else len(built.items))


def test_strided_output(built: Built, shimlib: ctypes.CDLL) -> None:
    """An output in Fortran order (an ``out=`` array, say) is written through its strides
    (the general path: ``launch_values`` clears ``flat``)."""
    ran = 0
    for case, k, bits, _src, name in built.items:
        if len(k.shape) < 2 or bits != 32:
            continue
        got = _run(shimlib, k, bits, name, None, out_order="F")
        assert not got.flags.c_contiguous
        _same(got, expected(case), LIBM_ULP if case.libm else 0)
        ran += 1
    assert ran > len(CASES) // 2


def test_nvcc_ptx(built: Built, tmp_path: Path) -> None:
    if NVCC is None:
        pytest.skip("no nvcc")
    ptx = ptx_entries([src for *_, src, _ in built.items], tmp_path, "kernels")
    # each entry's body, up to its closing brace
    by_name = {name: f.split("\n}\n", 1)[0] for name, f in ptx.items()}
    missing = [name for *_, name in built.items if name not in by_name]
    assert not missing
    fused = [name for case, *_, name in built.items
             if not (case.libm or case.fma) and "fma." in by_name[name]]
    assert not fused, " ".join(fused)


def test_render_text() -> None:
    case = next(c for c in CASES if c.name == "fused_f64")
    (k,) = kernels_of(case)
    src, entry = R.render(k)
    assert entry == "lzg_" + k.name
    assert f'extern "C" __global__ void {entry}(' in src
    assert "i += step" in src and "if (flat)" in src
    assert "__dmul_rn" in src and "__dadd_rn" in src
    assert "int n," in src  # small kernel: 32-bit index math
    assert "0x4004000000000000" in src  # the constant 2.5, exactly


def test_index_bits() -> None:
    case = next(c for c in CASES if c.name == "fused_f64")
    (k,) = kernels_of(case)
    assert R.index_bits(k) == 32
    k.shape = (1 << 16, 1 << 15)
    assert R.index_bits(k) == 64
    src, _ = R.render(k)
    assert "long long n," in src


def test_literals() -> None:
    assert R.literal(np.float64(-0.0), np.float64).startswith(
        "__longlong_as_double(0x8000000000000000LL)")
    assert R.literal(np.float32(np.nan), np.float32).startswith("__int_as_float(0x7fc00000)")
    assert R.literal(np.int8(-1), np.int8) == "((signed char)0xffULL)"
    assert R.literal(np.uint64(2**64 - 1), np.uint64) == (
        "((unsigned long long)0xffffffffffffffffULL)")
    assert R.literal(np.True_, np.bool_) == "true"


def test_tables() -> None:
    assert set(R.RULES) <= ELEMENTWISE
    assert set(R.RULES) | R.NOT_RENDERED == ELEMENTWISE
    assert not set(R.RULES) & R.NOT_RENDERED
    assert R.NOT_RENDERED == NOT_COMPILED  # the CPU backend's own gaps, no more
    assert R.LIBM == libm.LIBM_NAME  # the same C functions as the CPU backend


def _plan_kernels(fn, *arrays):  # noqa: ANN001, ANN202
    with lnp.config(eager_threshold=0):
        expr = fn(*[lnp.array(a) for a in arrays])
        return _engine.plan_of(_array.node_of(expr), cached=False).kernels


UNSUPPORTED = {
    "float16 exp": (lambda x: lnp.exp(x), np.float16, "exp on float16"),
    "complex exp": (lambda x: lnp.exp(x), np.complex128, "exp on complex128"),
    "complex clip": (lambda x: lnp.clip(x, 0, 1), np.complex128, "complex clip"),
    "complex abs of a reversed view": (lambda x: abs(x[::-1]), np.complex128, "reversed view"),
    "complex64 product of a reversed view": (lambda x: x[:, ::-1] * x, np.complex64,
                                             "reversed view"),
    "signed power, array exponent": (lambda x: x ** x, np.int32, "signed integer power"),
    "float16 power": (lambda x: x ** x, np.float16, "power on float16"),
    "divmod": (lambda x: lnp.divmod(x, 3)[1], np.float64, "two outputs"),
    "ldexp": (lambda x: lnp.ldexp(x, 3), np.float64, "op ldexp"),
}


@pytest.mark.parametrize("what", sorted(UNSUPPORTED))
def test_unsupported(what: str) -> None:
    fn, dt, reason = UNSUPPORTED[what]
    a = np.linspace(0.5, 2.0, 12).reshape(3, 4).astype(dt)
    ks = _plan_kernels(fn, a)
    assert ks
    with pytest.raises(Unsupported, match=reason):
        for k in ks:
            R.render(k)


def test_not_rendered_ops_marked() -> None:
    assert Op.LDEXP in R.NOT_RENDERED and Op.DIVMOD in R.NOT_RENDERED
    assert Op.EXP in R.RULES and Op.CLIP in R.RULES and Op.FLOOR_DIVIDE in R.RULES


def test_helpers_once_per_translation_unit() -> None:
    """Each source carries the helpers it calls, include-guarded: sources concatenate."""
    names = ("div_complex128", "div_complex64", "arith_f16", "floordiv_int8")
    by_name = {c.name: c for c in CASES}
    srcs = [R.render(kernels_of(by_name[n])[0])[0] for n in names]
    assert all(s.count("#ifndef LZG_") >= 1 for s in srcs)
    assert "lzg_cdiv" in srcs[0] and "lzg_f2h" not in srcs[0]
    assert "lzg_f2h" in srcs[2] and "lzg_complex" not in srcs[2]
    assert "lzg_sfloordiv" in srcs[3] and "lzg_h2f" not in srcs[3]
