"""The CUDA C renderer (lazynp/codegen_gpu/render.py) checked without a GPU.

* Every corpus plan (``corpus.py``) renders; the kernels run on the CPU through ``shim.h``
  (``__global__``, ``threadIdx`` ... and a launcher looping over a small grid, so the
  grid-stride loop takes several turns), compiled with the system C++ compiler into one
  shared library loaded with ctypes.  Each kernel runs its general strided path and, where
  the operands allow it, its contiguous path, with 32-bit and 64-bit index math; outputs
  equal NumPy's bit for bit (NaNs and signed zeros included), except the libm cases (exp,
  log, sin, cos), which are within ``LIBM_ULP`` of NumPy: on the CPU they call the host's
  libm (glibc), not CUDA's math library, so this checks the rendering, not CUDA's accuracy.
* Every rendered source compiles with ``nvcc --ptx -arch=sm_90 -fmad=false`` (one nvcc call
  for the whole corpus); kernels without libm calls have no ``fma`` in their PTX.
* Kernels the renderer does not handle raise ``Unsupported``.

Tests needing a compiler skip when it is missing.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import lazynp as lnp
from lazynp import _array, _engine
from lazynp.codegen_cpu import libm
from lazynp.codegen_gpu import render as R
from lazynp.fusion.plan import Unsupported
from lazynp.graph.ops import ELEMENTWISE, Op
from tests.codegen_gpu.corpus import CASES, Case, expected, kernels_of

HERE = Path(__file__).resolve().parent
CXX = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")
NVCC = shutil.which("nvcc")
LIBM_ULP = 4
GRID, BLOCK = 3, 4   # 12 threads: every corpus kernel's loop takes several turns


class Built:
    """The corpus rendered (one kernel per case, 32- and 64-bit index variants)."""

    def __init__(self) -> None:
        self.items: list[tuple[Case, object, int, str, str]] = []  # case, kernel, bits, src
        for n, case in enumerate(CASES):
            (k,) = kernels_of(case)
            for bits in (32, 64):
                src, entry = R.render(k, bits)
                name = f"{entry}_{n}_{bits}"
                src = src.replace(entry + "(", name + "(")
                self.items.append((case, k, bits, src, name))


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _launcher(k: object, bits: int, name: str) -> str:
    ps = R.params(k, bits)
    decl = ", ".join(f"{t} {n}" for t, n in ps)
    names = ", ".join(n for _, n in ps)
    return (f'extern "C" void run_{name}(unsigned grid, unsigned block, {decl}) '
            f"{{ LZ_LAUNCH(grid, block, {name}, {names}); }}\n")


@pytest.fixture(scope="module")
def shimlib(built: Built, tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    if CXX is None:
        pytest.skip("no C++ compiler")
    d = tmp_path_factory.mktemp("shim")
    parts = [f'#include "{HERE / "shim.h"}"\n']
    for _case, k, bits, src, name in built.items:
        parts += [src, _launcher(k, bits, name)]
    cpp = d / "kernels.cpp"
    cpp.write_text("\n".join(parts))
    lib = d / "kernels.so"
    cmd = [CXX, "-std=c++17", "-O1", "-ffp-contract=off", "-fno-fast-math", "-shared",
           "-fPIC", "-w", "-o", str(lib), str(cpp)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return ctypes.CDLL(str(lib))


def _same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    if got.dtype.kind == "f":
        nan = np.isnan(want)
        np.testing.assert_array_equal(np.isnan(got), nan)
        np.testing.assert_array_equal(got[~nan], want[~nan])
        np.testing.assert_array_equal(np.signbit(got[~nan]), np.signbit(want[~nan]))
    else:
        np.testing.assert_array_equal(got, want)


def _run(lib: ctypes.CDLL, k: object, bits: int, name: str, flat: bool | None
         ) -> np.ndarray | None:
    arrays = [inp.array(k.shape) for inp in k.inputs]
    out = k.outputs[0].allocate()
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
        try:
            if case.libm:
                assert got.dtype == want.dtype
                np.testing.assert_array_max_ulp(got, want, maxulp=LIBM_ULP)
            else:
                _same(got, want)
        except AssertionError as e:
            raise AssertionError(f"{case.name} ({bits}-bit, flat={flat}):\n{src}\n{e}") from e
    assert ran >= (len(built.items) // 2 if flat else len(built.items))


def test_nvcc_ptx(built: Built, tmp_path: Path) -> None:
    if NVCC is None:
        pytest.skip("no nvcc")
    cu = tmp_path / "kernels.cu"
    cu.write_text("\n".join(src for *_, src, _ in built.items))
    ptx = tmp_path / "kernels.ptx"
    cmd = [NVCC, "--ptx", "-arch=sm_90", "-fmad=false", "-std=c++17", "-v", "-o", str(ptx), str(cu)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-4000:]
    text = ptx.read_text()
    funcs = re.split(r"\.visible \.entry ", text)[1:]
    by_name = {f.split("(", 1)[0]: f for f in funcs}
    for case, *_, name in built.items:
        assert name in by_name, name
        if not case.libm:
            assert "fma." not in by_name[name], name


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
    assert set(R.LIBM) <= set(libm.LIBM_NAME)


def _plan_kernels(fn, *arrays):  # noqa: ANN001, ANN202
    with lnp.config(eager_threshold=0):
        expr = fn(*[lnp.array(a) for a in arrays])
        return _engine.plan_of(_array.node_of(expr), cached=False).kernels


@pytest.mark.parametrize("what", ["float16", "complex", "tan", "divmod",
                                  "floor_divide"])
def test_unsupported(what: str) -> None:
    a = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    fn = {
        "float16": (lambda x: x + x, a.astype(np.float16)),
        "complex": (lambda x: x * x, a.astype(np.complex128)),
        "tan": (lambda x: lnp.tan(x), a),
        "divmod": (lambda x: lnp.divmod(x, 3)[1], a),
        "floor_divide": (lambda x: x // 3, a),
    }[what]
    ks = _plan_kernels(*fn)
    assert ks
    with pytest.raises(Unsupported):
        for k in ks:
            R.render(k)


def test_not_rendered_ops_marked() -> None:
    assert Op.TAN in R.NOT_RENDERED and Op.FLOOR_DIVIDE in R.NOT_RENDERED
    assert Op.EXP in R.RULES and Op.CLIP in R.RULES
