"""Kernel plan -> CUDA C for elementwise kernels (the first slice of the GPU backend).

``render(kernel)`` takes the same :class:`lazynp.fusion.plan.Kernel` the CPU backend gets and
returns ``(source, entry)``: one ``extern "C" __global__`` function per kernel, preceded by
the device helpers it calls (``cuda_helpers.py``, each include-guarded, so sources can be
concatenated into one translation unit).  Kernels with a reduction, and dtypes or ops the
op table (``cuda_ops.py``: :data:`RULES`, :data:`NOT_RENDERED`) does not render, raise
:class:`lazynp.fusion.plan.Unsupported` (the caller runs them elsewhere).

The entry's parameters, in order (:func:`params` lists them, :func:`launch_values` computes
the scalar ones for concrete arrays):

* ``out``: the output's data pointer; ``in0``, ``in1``, ...: each input's data pointer at its
  first element of the iteration (its plan ``offset`` folded in), in the order of
  ``kernel.inputs``; a constant input (``fill``) has none (its value is inlined);
* ``n`` (elements), ``flat`` (int: 1 when every operand is C-contiguous over the iteration
  shape, or a broadcast scalar where the plan says so: all strides 0);
* ``d0 .. d{nd-1}``: the iteration shape; ``s{j}_{d}``: element strides of operand ``j``
  (inputs, then the output as ``j = len(inputs)``) along axis ``d``.

Element types in memory: NumPy's (bool one byte; float16 its 16 bits, ``unsigned short``;
complex64/complex128 ``lzg_c64``/``lzg_c128``, two parts, NumPy's layout and alignment).

The body is a grid-stride loop: ``flat`` reads element ``i`` of each operand (``[0]`` of a
broadcast scalar); otherwise ``i`` is unravelled over the shape and each operand's offset is
the sum of index times stride (general strided / broadcast indexing, negative strides too).
Index math is 32-bit (``int``) unless a size needs 64 bits (:func:`index_bits`: the element
count or some operand's extent reaches 2**31 - 2**26, leaving room for the grid stride of a
launch of at most 2**26 threads).

Numerics (so results match NumPy and the CPU backend bit for bit; ``cuda_ops.py`` has the
rules per op): float ``+ - * /`` and ``sqrt`` are the round-to-nearest intrinsics
(``__dadd_rn``, ``__fmul_rn``, ...), which nvcc never contracts into FMAs whatever its flags
(compile with ``-fmad=false`` as well, and no fast-math); the one explicit FMA is NumPy's own
in its SIMD complex product and absolute, where the host's NumPy fuses; integer arithmetic
wraps; float16 is computed in float32 and rounded once per op with NumPy's own conversion
(float64 -> float16 rounds once); complex division, reciprocal, absolute value and ordering
are NumPy's formulas; float -> integer casts follow the CPU backend's C casts for in-range
values (out-of-range values are undefined in C: NumPy reports an invalid flag there, and the
GPU's conversions saturate); ``maximum`` / ``minimum`` propagate a NaN of either operand,
``fmax`` / ``fmin`` ignore one (NumPy's rules; ties keep ``b`` as the CPU backend does, float16
keeps ``a`` as NumPy's half loops).  Transcendentals are CUDA's libdevice functions
(:data:`LIBM`).  Constants are inlined exactly (floats as their bit patterns through
``__longlong_as_double`` / ``__int_as_float``).  A kernel reports no floating-point warnings.

Dtypes: bool, int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128.
Not rendered: two-output ufuncs, complex ``abs`` (complex64: also ``*`` and ``square``) of a
reversed view (NumPy's own loop then depends on how its iterator walks the view, as in the CPU
backend), and what ``cuda_ops.py`` lists.  A generated (random) input (``source`` set) has no
``in{j}`` pointer: it is generated in the kernel, with the parameters
:mod:`lazynp.codegen_gpu.random` documents (its strides are C order over the iteration, so
element ``i`` is draw ``i`` on both paths).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

# clip's tie rule is the CPU backend's (NumPy's loop for constant vs array bounds)
from ..fusion.plan import Const, In, Kernel, Ref, Unsupported, clip_ties
from ..graph.ops import Op
from . import random as _random
from .cuda_helpers import prelude
from .cuda_ops import (
    LIBM,
    NOT_RENDERED,
    NOT_RENDERED_WHY,
    RULES,
    cast,
    ctype,
    literal,
    mem_ctype,
    render_op,
)

__all__ = ["LIBM", "NOT_RENDERED", "RULES", "Unsupported", "cast", "ctype", "index_bits",
           "launch_values", "literal", "params", "render"]



# ------------------------------------------------------------------------------ kernels
_NARROW_LIMIT = (1 << 31) - (1 << 26)


def _extent(shape: tuple[int, ...], strides: tuple[int, ...]) -> int:
    return sum((n - 1) * abs(s) for n, s in zip(shape, strides) if n > 0)


def index_bits(k: Kernel) -> int:
    """32 when every index of the kernel fits an ``int`` with room for the grid stride, else
    64 (the element count, an input's extent from its first element, the output's)."""
    sizes = [k.size, *(_extent(k.shape, inp.strides) for inp in k.inputs)]
    out = k.outputs[0].existing if k.outputs else None
    if out is not None and out.ndim == len(k.shape):  # an out= / in-place array's strides
        sizes.append(_extent(k.shape, tuple(s // out.itemsize for s in out.strides)))
    return 64 if max(sizes) >= _NARROW_LIMIT else 32


def _scalar_input(inp: Any) -> bool:
    return inp.fill is None and not any(inp.strides)


def params(k: Kernel, bits: int | None = None) -> list[tuple[str, str]]:
    """The entry's parameters as ``(C type, name)``, in order."""
    it = "long long" if (bits or index_bits(k)) == 64 else "int"
    out = [(f"{mem_ctype(k.outputs[0].dtype)}*", "out")]
    for j, inp in enumerate(k.inputs):
        if inp.source is not None:
            out += _random.params(j, inp.source, inp.dtype)
        elif inp.fill is None:
            out.append((f"const {mem_ctype(inp.dtype)}*", f"in{j}"))
    out += [(it, "n"), ("int", "flat")]
    nd = len(k.shape)
    out += [(it, f"d{d}") for d in range(nd)]
    for j in range(len(k.inputs) + 1):
        out += [(it, f"s{j}_{d}") for d in range(nd)]
    return out


def _c_contiguous(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    expect = 1
    for n, s in reversed(list(zip(shape, strides))):
        if n != 1 and s != expect:
            return False
        expect *= n
    return True


def launch_values(k: Kernel, arrays: list[np.ndarray], out: np.ndarray) -> dict[str, int]:
    """The scalar arguments (``n``, ``flat``, dims, strides) for input views ``arrays`` (each
    with the iteration shape, as ``KernelInput.array`` gives them) and output ``out``."""
    shape = k.shape
    vals: dict[str, int] = {"n": int(np.prod(shape, dtype=np.int64))}
    flat = True
    ops = list(arrays) + [out]
    for j, a in enumerate(ops):
        src = k.inputs[j].source if j < len(k.inputs) else None
        if src is not None:  # generated: C order over the iteration (``a`` is no array)
            vals.update(_random.launch_values(j, src, k.inputs[j].dtype))
            st = k.inputs[j].strides
        else:
            st = tuple(s // a.itemsize for s in a.strides) if a.ndim else ()
        if j < len(k.inputs) and _scalar_input(k.inputs[j]):
            flat = flat and not any(st)
        elif j < len(k.inputs) and k.inputs[j].fill is not None:
            pass
        else:
            flat = flat and _c_contiguous(shape, st)
        for d in range(len(shape)):
            vals[f"s{j}_{d}"] = st[d]
    for d, n in enumerate(shape):
        vals[f"d{d}"] = n
    vals["flat"] = int(flat)
    return vals


def entry_name(k: Kernel) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "_", k.name or "kernel")
    return f"lzg_{name}"


def _layout_dependent(k: Kernel, ins: Any) -> bool:
    """NumPy's complex64 multiply/square and its complex absolute leave their SIMD loop for a
    scalar one on some reversed views (codegen_cpu/body.py ``_layout_dependent``): such
    kernels are left to NumPy's own loops."""
    arg_dts = [np.dtype(k.inputs[a.index].dtype) for a in ins.args if type(a) is In]
    if not arg_dts or arg_dts[0].kind != "c":
        return False
    if not (ins.op is Op.ABSOLUTE
            or (ins.op in (Op.MULTIPLY, Op.SQUARE) and arg_dts[0].itemsize == 8)):
        return False
    return any(type(a) is In and any(s < 0 for s in k.inputs[a.index].strides)
               for a in ins.args)


def _check(k: Kernel) -> None:
    if k.reduction is not None:
        raise Unsupported("reductions on the GPU renderer (reduce.render_reduction)")
    check_body(k)


def check_body(k: Kernel, check_dtype: Callable[[Any], Any] = ctype) -> None:
    """Raise :class:`Unsupported` unless the renderer handles ``k``'s one output, inputs and
    body (``check_dtype``: raises for a dtype the kernel kind does not handle; reductions pass
    their own).  Shared with ``reduce.py``."""
    if len(k.outputs) != 1:
        raise Unsupported("kernels with several outputs on the GPU renderer")
    if type(k.result) is Const:
        raise Unsupported("constant result")
    for inp in k.inputs:
        if inp.source is not None:
            _random.spec(inp.source, inp.dtype)  # (Unsupported: draws the GPU does not make)
        check_dtype(inp.dtype)
    check_dtype(k.outputs[0].dtype)
    for ins in k.body:
        if _layout_dependent(k, ins):
            raise Unsupported(f"complex {ins.op.value} of a reversed view")
        if ins.index:
            raise Unsupported(f"{ins.op.value} (two outputs) on the GPU renderer")
        if ins.op not in RULES:
            why = NOT_RENDERED_WHY.get(ins.op, "not an elementwise op")
            raise Unsupported(f"op {ins.op.value} on the GPU renderer: {why}")
        check_dtype(ins.dtype)
        for a in ins.args:
            if type(a) is Const and a.value is None and ins.op is not Op.CLIP:
                raise Unsupported("None constant")


def dtype_of(k: Kernel, a: Any) -> np.dtype | None:
    """The dtype of body operand ``a`` of ``k`` (None for a missing clip bound)."""
    if type(a) is In:
        return np.dtype(k.inputs[a.index].dtype)
    if type(a) is Ref:
        return np.dtype(k.body[a.index].dtype)
    return None if a.value is None else np.dtype(a.dtype)


def element_lines(k: Kernel, mem: Callable[[int], str],
                  gen: Callable[[int], str] | None = None) -> tuple[list[str], str, np.dtype]:
    """C lines computing one element of ``k``'s body, ``mem(j)`` being input ``j``'s element
    in memory: ``(lines, result expression, its dtype)``.  Generated inputs are drawn in place
    (:mod:`lazynp.codegen_gpu.random`; ``gen(j)``: input ``j``'s expression, by default
    ``random.element`` at iteration index ``i``), constant ones inlined.  Shared by the
    elementwise kernels here and the reductions' element step (``reduce.py``)."""
    lines = []
    used = {a.index for ins in k.body for a in ins.args if type(a) is In}
    if type(k.result) is In:
        used.add(k.result.index)
    for j in sorted(used):
        inp = k.inputs[j]
        if inp.source is not None:
            v = gen(j) if gen is not None else _random.element(j, inp.source, inp.dtype)
        elif inp.fill is not None:
            v = literal(np.asarray(inp.fill), inp.dtype)
        else:
            v = mem(j)
            if np.dtype(inp.dtype).kind == "b":
                v = f"({v} != 0)"
        lines.append(f"const {ctype(inp.dtype)} x{j} = {v};")

    def operand(a: Any) -> str | None:
        if type(a) is In:
            return f"x{a.index}"
        if type(a) is Ref:
            return f"v{a.index}"
        return None if a.value is None else literal(a.value, a.dtype)

    for j, ins in enumerate(k.body):
        dts = [dtype_of(k, a) for a in ins.args]
        ties = clip_ties(k, ins) if ins.op is Op.CLIP else False
        expr = render_op(ins.op, ins.dtype, [operand(a) for a in ins.args], dts, ties, ins.args)
        lines.append(f"const {ctype(ins.dtype)} v{j} = {expr};  // {ins.op.value}")
    res = k.result
    return lines, (f"x{res.index}" if type(res) is In else f"v{res.index}"), dtype_of(k, res)


def render(k: Kernel, bits: int | None = None) -> tuple[str, str]:
    """CUDA C source of elementwise kernel ``k`` and its entry's name (``bits``: index width,
    by default :func:`index_bits`).  A kernel with a reduction is ``reduce.py``'s
    (``render_reduction``)."""
    _check(k)
    bits = bits or index_bits(k)
    it = "long long" if bits == 64 else "int"
    entry = entry_name(k)
    nd = len(k.shape)
    nin = len(k.inputs)

    def body(idx: Callable[[int], str]) -> list[str]:
        lines, rv, rdt = element_lines(k, lambda j: f"in{j}[{idx(j)}]")
        odt = np.dtype(k.outputs[0].dtype)
        if rdt != odt:
            rv = cast(rv, rdt, odt)
        lines.append(f"out[{idx(nin)}] = ({mem_ctype(odt)})({rv});")
        return lines

    ps = ", ".join(f"{t} {n}" for t, n in params(k, bits))
    gen = [j for j, inp in enumerate(k.inputs) if inp.source is not None]
    src = [
        f"// {k.name}: elementwise, {nd}-d, {bits}-bit indices (lazynp.codegen_gpu.render)",
        f'extern "C" __global__ void {entry}({ps}) {{',
        f"  const {it} step = ({it})blockDim.x * ({it})gridDim.x;",
        f"  {it} i = ({it})blockIdx.x * ({it})blockDim.x + ({it})threadIdx.x;",
    ]
    src += ["  " + line for j in gen for line in _random.setup(j, k.inputs[j].source,
                                                            k.inputs[j].dtype)]
    src += ["  if (flat) {", "    for (; i < n; i += step) {"]

    def flat_idx(j: int) -> str:
        return "0" if j < nin and _scalar_input(k.inputs[j]) else "i"

    src += ["      " + line for line in body(flat_idx)]
    src += ["    }", "    return;", "  }", "  for (; i < n; i += step) {"]
    if nd:
        src.append(f"    {it} r = i;")
        for j in range(nin + 1):
            src.append(f"    {it} o{j} = 0;")
        for d in range(nd - 1, -1, -1):
            src.append(f"    {{ const {it} c = r % d{d}; r /= d{d};"
                       + "".join(f" o{j} += c * s{j}_{d};" for j in range(nin + 1)) + " }")

    def nd_idx(j: int) -> str:
        return f"o{j}" if nd else "0"

    src += ["    " + line for line in body(nd_idx)]
    src += ["  }", "}", ""]
    text = "\n".join(src)
    return (_random.PREAMBLE if gen else "") + prelude(text) + text, entry
