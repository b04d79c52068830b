"""ULP distance of CUDA's libdevice functions from NumPy's, measured without a GPU.

``libdevice.py`` runs libdevice's own code (``__nv_exp``, ``__nv_sinf`` ...) on the host,
its exact PTX instructions emulated exactly.  Each function the CPU backend computes through
libm (the rows of ``codegen_cpu/libm.py``; the GPU renderer's ``LIBM`` is a subset of them)
is evaluated in float64 and float32 on the CPU ULP test's inputs (``test_ulp._inputs``: its
whole domain, 40,003 values) plus its special values (``test_ulp._specials``; every pair of
them for two-argument functions), and compared with NumPy on the same inputs:

* the maximum ULP distance over the results NumPy and libdevice both give finite is the
  figure of ``docs/numerics.md``'s "GPU (libdevice) ULP" table (:func:`docs_table` prints
  it: ``python -m tests.codegen_gpu.test_ulp_gpu``), checked on the host it was measured on
  (AVX-512: NumPy's own SIMD paths differ elsewhere, as in ``tests/codegen_cpu/test_ulp.py``)
  with the libdevice it was measured with (:data:`MEASURED_BITCODE`);
* a function that reaches an approximate PTX instruction (``libdevice.APPROXIMATE``) whose
  results change when the instruction's value moves by a few units (``PERTURBATIONS``)
  depends on hardware bits nobody documents: its figure is the model's (the nominal value,
  ``approx_k = 0``), marked ``model:`` in the table; one whose results do not change is
  measured like the exact ones (the approximation is a seed later steps correct);
* NaN positions, infinities and signed zeros are NumPy's wherever the approximation does
  not matter (:data:`SPECIAL_DIFFERENCES` lists the exceptions);
* the table lists every row of ``codegen_cpu/libm.py``, and its "rendered" column is the GPU
  renderer's ``LIBM`` exactly.

Skipped where libdevice.10.bc is missing or llvmlite cannot read it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from lazynp.codegen_cpu.libm import ROWS
from lazynp.codegen_gpu import render as R
from tests.codegen_cpu.test_ulp import _inputs, _measured_host, _specials, ulp_distance
from tests.codegen_gpu import libdevice

DOCS = Path(__file__).resolve().parents[2] / "docs" / "numerics.md"
BEGIN, END = "<!-- gpu-ulp-table -->", "<!-- /gpu-ulp-table -->"
DTYPES = [np.float64, np.float32]
C_NAME = {r.op.value: r.c_name for r in ROWS}
ARITY = {r.op.value: r.arity for r in ROWS}
CASES = [(name, dt) for name in sorted(C_NAME) for dt in DTYPES
         if not (name == "float_power" and dt == np.float32)]  # float_power computes in f64
RENDERED = {op.value for op in R.LIBM}
#: sha256 of the libdevice.10.bc the figures were measured with (CUDA 13.0's)
MEASURED_BITCODE = "91334d6e12748f6cb5bbf0a1cd965a56bcd93dc4f496d2e5c5f8c6e523094356"
#: (function, dtype): why NaN / infinity / signed-zero results differ from NumPy's
SPECIAL_DIFFERENCES: dict[tuple[str, str], str] = {}

pytestmark = pytest.mark.skipif(libdevice.unavailable() is not None,
                                reason=str(libdevice.unavailable()))


@functools.lru_cache(maxsize=1)
def _lib() -> libdevice.Libdevice:
    return libdevice.load(tuple(sorted({(r.c_name, r.arity) for r in ROWS})))


@dataclass(frozen=True)
class Measured:
    max_ulp: int
    approximate: tuple[str, ...]   # approximate PTX instructions reached
    model: bool                    # results depend on their hardware bits
    special: int                   # NaN / inf / signed-zero differences where they do not
    n_random: int
    n_special: int
    lo: float
    hi: float


def _arguments(name: str, dt: type) -> tuple[list[np.ndarray], int]:
    random = _inputs(name, dt)
    sp = _specials(name, dt)
    spa = [sp] if ARITY[name] == 1 else [np.repeat(sp, sp.size), np.tile(sp, sp.size)]
    return [np.concatenate([a, s]) for a, s in zip(random, spa)], random[0].size


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


@functools.lru_cache(maxsize=None)
def measure(name: str, dt: type) -> Measured:
    """libdevice's ``name`` against NumPy's (see the module docstring)."""
    lib = _lib()
    sym = libdevice.symbol(C_NAME[name], dt)
    args, n_random = _arguments(name, dt)
    with np.errstate(all="ignore"):
        want = getattr(np, name)(*args)
    got = lib.evaluate(sym, *args)
    assert got.dtype == want.dtype
    approx = tuple(lib.approximate(sym))
    stable = np.ones(got.shape, bool)
    for k in libdevice.PERTURBATIONS if approx else ():
        stable &= _bits(lib.evaluate(sym, *args, approx_k=k)) == _bits(got)
    both = np.isfinite(want) & np.isfinite(got)
    same = (np.isnan(want) & np.isnan(got)) | ((want == got) & (np.signbit(want) ==
                                                              np.signbit(got)))
    special = (~both | ((want == 0) & (got == 0))) & ~same & stable
    finite = args[0][:n_random]
    return Measured(int(ulp_distance(got[both], want[both]).max()), approx,
                    not bool(stable.all()), int(special.sum()), n_random,
                    args[0].size - n_random, float(finite.min()), float(finite.max()))


def _cell(m: Measured) -> str:
    return f"model: {m.max_ulp}" if m.model else str(m.max_ulp)


def _inputs_text(m: Measured, name: str) -> str:
    kind = "pairs" if ARITY[name] == 2 else "values"
    first = " (first argument)" if ARITY[name] == 2 else ""
    return (f"{m.n_random:,} {kind} in [{m.lo:.4g}, {m.hi:.4g}]{first} "
            f"+ {m.n_special} special")


def docs_table() -> str:
    """The table of ``docs/numerics.md``'s "GPU (libdevice) ULP" section, measured here."""
    lines = ["| function | dtype | rendered | max ULP | approximate PTX | inputs |",
             "|---|---|---|---|---|---|"]
    for name, dt in CASES:
        m = measure(name, dt)
        approx = ", ".join(f"`{a}`" for a in m.approximate) or "—"
        lines.append(f"| `{name}` | {np.dtype(dt).name} | {'yes' if name in RENDERED else ''} "
                     f"| {_cell(m)} | {approx} | {_inputs_text(m, name)} |")
    return "\n".join(lines)


def _docs_rows() -> dict[tuple[str, str], tuple[str, str]]:
    """(function, dtype) -> (rendered, max ULP cell) as docs/numerics.md shows them."""
    text = DOCS.read_text()
    block = text[text.index(BEGIN):text.index(END)]
    rows = {}
    for line in block.splitlines():
        m = re.match(r"\|\s*`(\w+)`\s*\|\s*(float\d+)\s*\|\s*(\w*)\s*\|\s*([^|]+?)\s*\|", line)
        if m:
            rows[(m.group(1), m.group(2))] = (m.group(3), m.group(4))
    return rows


def _skip_unless_measured_here() -> None:
    if not _measured_host():
        pytest.skip("figures are measured against NumPy on AVX-512 hosts")
    if libdevice.bitcode_sha256() != MEASURED_BITCODE:
        pytest.skip("figures are measured with CUDA 13.0's libdevice.10.bc")


def test_docs_table_lists_the_libm_rows():
    """Every libm-backed op of the CPU backend has its rows; "rendered" is the GPU
    renderer's ``LIBM``, so a function the renderer starts calling shows its figure."""
    rows = _docs_rows()
    assert set(rows) == {(n, np.dtype(d).name) for n, d in CASES}
    assert {n for (n, _), (rendered, _) in rows.items() if rendered == "yes"} == RENDERED
    assert all(rendered in ("yes", "") for rendered, _ in rows.values())
    assert RENDERED <= set(C_NAME)


@pytest.mark.parametrize("name,dt", CASES, ids=[f"{n}-{np.dtype(d).name}" for n, d in CASES])
def test_max_ulp_is_the_documented_figure(name: str, dt: type) -> None:
    _skip_unless_measured_here()
    m = measure(name, dt)
    assert _docs_rows()[(name, np.dtype(dt).name)][1] == _cell(m), (
        "docs/numerics.md's GPU ULP table differs from the measurement; paste:\n"
        + docs_table())


@pytest.mark.parametrize("name,dt", CASES, ids=[f"{n}-{np.dtype(d).name}" for n, d in CASES])
def test_special_values_are_numpys(name: str, dt: type) -> None:
    m = measure(name, dt)
    key = (name, np.dtype(dt).name)
    assert (m.special == 0) == (key not in SPECIAL_DIFFERENCES), (key, m.special)


def test_docs_table_is_the_measurement():
    _skip_unless_measured_here()
    text = DOCS.read_text()
    shown = text[text.index(BEGIN):text.index(END)].split("\n", 1)[1].rstrip("\n")
    assert shown == docs_table(), "paste into docs/numerics.md:\n" + docs_table()


def test_approximations_are_modelled_by_their_nominal_value():
    """approx_k = 0 is the model's nominal value: exact functions ignore approx_k; a
    function reaching an approximation changes with it (at least expf, whose result is
    ``ex2.approx.ftz.f32`` times a power of two)."""
    lib = _lib()
    x = np.linspace(-10, 10, 1001, dtype=np.float32)
    assert lib.approximate("__nv_expf") == ["ex2.approx.ftz.f32"]
    assert not np.array_equal(lib.evaluate("__nv_expf", x, approx_k=1),
                              lib.evaluate("__nv_expf", x))
    assert lib.approximate("__nv_sinf") == []
    np.testing.assert_array_equal(lib.evaluate("__nv_sinf", x, approx_k=3),
                                  lib.evaluate("__nv_sinf", x))


if __name__ == "__main__":
    print(docs_table())
