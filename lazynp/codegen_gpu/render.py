"""Kernel plan -> CUDA C for elementwise kernels (the first slice of the GPU backend).

``render(kernel)`` takes the same :class:`lazynp.fusion.plan.Kernel` the CPU backend gets and
returns ``(source, entry)``: one ``extern "C" __global__`` function per kernel.  Kernels with
a reduction, and dtypes or ops not in :data:`RULES`, raise
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

The body is a grid-stride loop: ``flat`` reads element ``i`` of each operand (``[0]`` of a
broadcast scalar); otherwise ``i`` is unravelled over the shape and each operand's offset is
the sum of index times stride (general strided / broadcast indexing, negative strides too).
Index math is 32-bit (``int``) unless a size needs 64 bits (:func:`index_bits`: the element
count or some operand's extent reaches 2**31 - 2**26, leaving room for the grid stride of a
launch of at most 2**26 threads).

Numerics (so results match NumPy and the CPU backend bit for bit): float ``+ - * /`` and
``sqrt`` are the round-to-nearest intrinsics (``__dadd_rn``, ``__fmul_rn``, ...), which nvcc
never contracts into FMAs whatever its flags (compile with ``-fmad=false`` as well, and no
fast-math); integer arithmetic wraps (computed in unsigned types); float -> integer casts
follow the CPU backend's C casts for in-range values (out-of-range values are undefined in
C: NumPy reports an invalid flag there, and the GPU's conversions saturate); ``maximum`` /
``minimum`` propagate a NaN of either operand, ``fmax`` / ``fmin`` ignore one (NumPy's rules;
ties keep ``b`` as the CPU backend does).  Constants are inlined exactly (floats as their bit
patterns through ``__longlong_as_double`` / ``__int_as_float``).

Dtypes: bool, int8..int64, uint8..uint64, float32, float64.  float16 and complex raise
Unsupported in this slice, as do generated (random) inputs, two-output ufuncs and the ops
marked in :data:`NOT_RENDERED`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

# clip's tie rule is the CPU backend's (NumPy's loop for constant vs array bounds)
from ..fusion.plan import Const, In, Kernel, Ref, Unsupported, clip_ties
from ..graph.ops import ELEMENTWISE, Op

__all__ = ["LIBM", "NOT_RENDERED", "RULES", "Unsupported", "index_bits", "launch_values",
           "params", "render"]

# ------------------------------------------------------------------------------ dtypes
_CTYPE = {
    "b1": "bool", "i8": "signed char", "i16": "short", "i32": "int", "i64": "long long",
    "u8": "unsigned char", "u16": "unsigned short", "u32": "unsigned int",
    "u64": "unsigned long long", "f32": "float", "f64": "double",
}


def _key(dt: Any) -> str:
    dt = np.dtype(dt)
    return "b1" if dt.kind == "b" else f"{dt.kind}{dt.itemsize * 8}"


def ctype(dt: Any) -> str:
    """C type of a value of dtype ``dt`` (bool values are ``bool``)."""
    got = _CTYPE.get(_key(dt))
    if got is None:
        raise Unsupported(f"dtype {np.dtype(dt)} on the GPU renderer")
    return got


def _mem_ctype(dt: Any) -> str:
    """C type of an element in memory (NumPy's bool is one byte, 0 or 1)."""
    return "unsigned char" if np.dtype(dt).kind == "b" else ctype(dt)


def _is_float(dt: Any) -> bool:
    return np.dtype(dt).kind == "f"


def _wrap_ty(dt: Any) -> str:
    """Unsigned type integer arithmetic of ``dt`` is done in (wraps, no promotion to int)."""
    return "unsigned long long" if np.dtype(dt).itemsize == 8 else "unsigned int"


def literal(value: Any, dt: Any) -> str:
    """An exact C expression for a constant of dtype ``dt``."""
    dt = np.dtype(dt)
    v = np.asarray(value).astype(dt, copy=False)
    if dt.kind == "b":
        return "true" if bool(v) else "false"
    if dt.kind == "f":
        if dt.itemsize == 8:
            bits = int(v.view(np.uint64))
            return f"__longlong_as_double(0x{bits:016x}LL) /* {float(v)!r} */"
        if dt.itemsize == 4:
            bits = int(v.view(np.uint32))
            return f"__int_as_float(0x{bits:08x}) /* {float(v)!r} */"
        raise Unsupported(f"dtype {dt} on the GPU renderer")
    ctype(dt)
    bits = int(v.astype(dt.newbyteorder("=")).view(f"u{dt.itemsize}"))
    return f"(({ctype(dt)})0x{bits:x}ULL)"


# ------------------------------------------------------------------------------ op rules
class _E:
    """What a rule gets: the op, result dtype, operand expressions and dtypes."""

    __slots__ = ("op", "out", "args", "dts", "ties")

    def __init__(self, op: Op, out: np.dtype, args: list[str], dts: list[Any],
                 ties: bool = False) -> None:
        self.op, self.out, self.args, self.dts, self.ties = op, out, args, dts, ties

    @property
    def a(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str:
        return self.args[1]

    @property
    def dt(self) -> np.dtype:
        return np.dtype(self.dts[0])

    @property
    def flt(self) -> bool:
        return _is_float(self.dt)

    @property
    def bool(self) -> bool:
        return self.dt.kind == "b"

    @property
    def ct(self) -> str:
        return ctype(self.dt)


def _no(e: _E) -> str:
    raise Unsupported(f"op {e.op.value} on {e.dt} on the GPU renderer")


_FARITH = {Op.ADD: "add", Op.SUBTRACT: "sub", Op.MULTIPLY: "mul", Op.DIVIDE: "div"}
_CARITH = {Op.ADD: "+", Op.SUBTRACT: "-", Op.MULTIPLY: "*"}


def _fop(name: str, dt: np.dtype, *args: str) -> str:
    """A round-to-nearest float intrinsic (never contracted into an FMA)."""
    pre = "__d" if dt.itemsize == 8 else "__f"
    return f"{pre}{name}_rn({', '.join(args)})"


def _iop(e: _E, sym: str, a: str, b: str) -> str:
    """Wrapping integer ``a sym b`` of dtype ``e.dt``."""
    w = _wrap_ty(e.dt)
    return f"(({e.ct})(({w}){a} {sym} ({w}){b}))"


def _r_arith(e: _E) -> str:
    if e.bool:
        if e.op is Op.SUBTRACT:
            return _no(e)
        return f"({e.a} {'||' if e.op is Op.ADD else '&&'} {e.b})"
    if e.flt:
        return _fop(_FARITH[e.op], e.dt, e.a, e.b)
    return _iop(e, _CARITH[e.op], e.a, e.b)


def _r_divide(e: _E) -> str:
    return _fop("div", e.dt, e.a, e.b) if e.flt else _no(e)


def _r_square(e: _E) -> str:
    if e.bool:
        return _no(e)
    return _fop("mul", e.dt, e.a, e.a) if e.flt else _iop(e, "*", e.a, e.a)


def _r_negative(e: _E) -> str:
    if e.bool:
        return _no(e)
    return f"(-{e.a})" if e.flt else _iop(e, "-", "0", e.a)


def _r_absolute(e: _E) -> str:
    if e.bool:
        return _no(e)
    if e.flt:
        return f"{'fabs' if e.dt.itemsize == 8 else 'fabsf'}({e.a})"
    if e.dt.kind == "u":
        return e.a
    return f"({e.a} < 0 ? {_iop(e, '-', '0', e.a)} : {e.a})"


def _r_sqrt(e: _E) -> str:
    return _fop("sqrt", e.dt, e.a) if e.flt else _no(e)


_CMP = {Op.LESS: "<", Op.LESS_EQUAL: "<=", Op.GREATER: ">", Op.GREATER_EQUAL: ">=",
        Op.EQUAL: "==", Op.NOT_EQUAL: "!="}
# the result of ``a OP b`` when ``a`` is negative and ``b`` unsigned
_NEG_VS_UNSIGNED = {Op.LESS: "true", Op.LESS_EQUAL: "true", Op.GREATER: "false",
                    Op.GREATER_EQUAL: "false", Op.EQUAL: "false", Op.NOT_EQUAL: "true"}
_MIRROR = {Op.LESS: Op.GREATER, Op.LESS_EQUAL: Op.GREATER_EQUAL, Op.GREATER: Op.LESS,
           Op.GREATER_EQUAL: Op.LESS_EQUAL, Op.EQUAL: Op.EQUAL, Op.NOT_EQUAL: Op.NOT_EQUAL}


def _r_compare(e: _E) -> str:
    sym = _CMP[e.op]
    da, db = (np.dtype(d) for d in e.dts)
    if da == db:
        return f"({e.a} {sym} {e.b})"
    if da.kind not in "iu" or db.kind not in "iu":
        raise Unsupported("mixed comparison on the GPU renderer")
    # exact mixed signed/unsigned comparison (NumPy's qQ->? loops)
    keys = (_key(da), _key(db))
    if "u64" not in keys:  # both fit a long long
        return f"((long long){e.a} {sym} (long long){e.b})"
    if da.kind == db.kind:  # uint64 and a narrower unsigned type
        return f"((unsigned long long){e.a} {sym} (unsigned long long){e.b})"
    op, a, b, sa = e.op, e.a, e.b, da.kind == "i"
    if not sa:  # b is the signed one: mirror
        op, a, b = _MIRROR[op], e.b, e.a
    return (f"({a} < 0 ? {_NEG_VS_UNSIGNED[op]} : "
            f"((unsigned long long){a} {_CMP[op]} (unsigned long long){b}))")


def _r_minmax(e: _E) -> str:
    big = e.op in (Op.MAXIMUM, Op.FMAX)
    if e.bool:
        return f"({e.a} {'||' if big else '&&'} {e.b})"
    sym = ">" if big else "<"
    if not e.flt:
        return f"({e.a} {sym} {e.b} ? {e.a} : {e.b})"
    if e.op in (Op.MAXIMUM, Op.MINIMUM):
        # NaN-propagating: a NaN a is kept, a NaN b wins over a number; ties give b
        return f"(({e.a} != {e.a} || {e.a} {sym} {e.b}) ? {e.a} : {e.b})"
    # fmax/fmin: a NaN b gives a (a NaN only when both are); ties give b
    return f"(({e.a} {sym} {e.b} || {e.b} != {e.b}) ? {e.a} : {e.b})"


def _r_bitwise(e: _E) -> str:
    if e.flt:
        return _no(e)
    sym = {Op.BITWISE_AND: "&", Op.BITWISE_OR: "|", Op.BITWISE_XOR: "^"}[e.op]
    return f"(({e.ct})({e.a} {sym} {e.b}))"


def _r_invert(e: _E) -> str:
    if e.flt:
        return _no(e)
    return f"(!{e.a})" if e.bool else f"(({e.ct})~{e.a})"


def _truth(v: str, dt: Any) -> str:
    return v if np.dtype(dt).kind == "b" else f"({v} != 0)"


def _r_logical(e: _E) -> str:
    t = [_truth(a, d) for a, d in zip(e.args, e.dts)]
    if e.op is Op.LOGICAL_NOT:
        return f"(!{t[0]})"
    sym = {Op.LOGICAL_AND: "&&", Op.LOGICAL_OR: "||", Op.LOGICAL_XOR: "!="}[e.op]
    return f"({t[0]} {sym} {t[1]})"


def _r_libm(e: _E) -> str:
    if not e.flt:
        return _no(e)
    name = LIBM[e.op]
    return f"{name if e.dt.itemsize == 8 else name + 'f'}({e.a})"


def cast(v: str, src: Any, dst: Any) -> str:
    """``v`` of dtype ``src`` converted as NumPy (and the CPU backend) converts it."""
    src, dst = np.dtype(src), np.dtype(dst)
    ctype(src)
    ct = ctype(dst)
    if src == dst:
        return v
    if dst.kind == "b":
        return _truth(v, src)
    if src.kind == "f" and dst.kind in "iu":
        # the CPU backend's C casts: int32/int64/uint64 directly, the narrower types
        # through int32, uint32 through int64 (in-range values; see the module docstring)
        bits = dst.itemsize * 8
        if bits == 64 or (bits == 32 and dst.kind == "i"):
            return f"(({ct}){v})"
        wide = "long long" if bits == 32 else "int"
        return f"(({ct})({wide}){v})"
    return f"(({ct}){v})"


def _r_cast(e: _E) -> str:
    return cast(e.a, e.dt, e.out)


def _r_where(e: _E) -> str:
    return f"({_truth(e.a, e.dts[0])} ? {e.b} : {e.args[2]})"


def _r_copy(e: _E) -> str:
    return e.a


def _r_clip(e: _E) -> str:
    """NumPy's clip ``Min(Max(x, lo), hi)`` (``ties``: ``>=``/``<=``, keeping ``x``); a
    missing bound is ``maximum`` / ``minimum``."""
    x, lo, hi = e.args
    if lo is None:
        return _r_minmax(_E(Op.MINIMUM, e.out, [x, hi], e.dts[:1] * 2))
    if hi is None:
        return _r_minmax(_E(Op.MAXIMUM, e.out, [x, lo], e.dts[:1] * 2))

    def side(a: str, b: str, upper: bool) -> str:
        if e.bool:
            return f"({a} {'&&' if upper else '||'} {b})"
        sym = ("<" if upper else ">") + ("=" if e.ties else "")
        if not e.flt:
            sym = sym[0]
            return f"({a} {sym} {b} ? {a} : {b})"
        return f"(({a} {sym} {b} || {a} != {a}) ? {a} : {b})"

    return side(f"({side(x, lo, False)})", hi, True)


#: libm-backed ops -> the CUDA math function (float64 name; float32 adds ``f``).  CUDA's
#: documented maximum errors (CUDA C Programming Guide, "Mathematical Functions"):
#: exp 1 ulp (expf 2), log 1 ulp (logf 1), sin/cos 2 ulp (sinf/cosf 2), all without
#: fast-math (``--use_fast_math`` would turn the float32 ones into ``__expf`` ...).
LIBM: dict[Op, str] = {Op.EXP: "exp", Op.LOG: "log", Op.SIN: "sin", Op.COS: "cos"}

_Rule = Callable[[_E], str]
#: Op -> CUDA rule (bool, integer, float32, float64 operands)
RULES: dict[Op, _Rule] = {
    Op.ADD: _r_arith, Op.SUBTRACT: _r_arith, Op.MULTIPLY: _r_arith, Op.DIVIDE: _r_divide,
    Op.NEGATIVE: _r_negative, Op.ABSOLUTE: _r_absolute, Op.FABS: _r_absolute,
    Op.SQUARE: _r_square, Op.SQRT: _r_sqrt,
    Op.MAXIMUM: _r_minmax, Op.MINIMUM: _r_minmax, Op.FMAX: _r_minmax, Op.FMIN: _r_minmax,
    **{op: _r_compare for op in _CMP},
    Op.LOGICAL_AND: _r_logical, Op.LOGICAL_OR: _r_logical, Op.LOGICAL_XOR: _r_logical,
    Op.LOGICAL_NOT: _r_logical,
    Op.BITWISE_AND: _r_bitwise, Op.BITWISE_OR: _r_bitwise, Op.BITWISE_XOR: _r_bitwise,
    Op.INVERT: _r_invert,
    **{op: _r_libm for op in LIBM},
    Op.CAST: _r_cast, Op.WHERE: _r_where, Op.COPY: _r_copy, Op.POSITIVE: _r_copy,
    Op.CLIP: _r_clip,
}
#: elementwise ops the GPU renderer does not render yet (a kernel using one raises
#: Unsupported); every elementwise Op is in RULES or here (tests/codegen_gpu checks it)
NOT_RENDERED = frozenset(ELEMENTWISE - set(RULES))


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
    out = [(f"{_mem_ctype(k.outputs[0].dtype)}*", "out")]
    for j, inp in enumerate(k.inputs):
        if inp.fill is None:
            out.append((f"const {_mem_ctype(inp.dtype)}*", f"in{j}"))
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


def _entry_name(k: Kernel) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "_", k.name or "kernel")
    return f"lzg_{name}"


#: renders a kernel with a reduction: ``reduce.render_reduction``, set when
#: ``lazynp.codegen_gpu.reduce`` is imported (the package imports it; it builds on this
#: module's op table, so this module cannot import it: no import cycles)
reduction_renderer: Callable[[Kernel], Any] | None = None


def _check(k: Kernel) -> None:
    if k.reduction is not None:
        raise Unsupported("reductions on the GPU renderer")
    if len(k.outputs) != 1:
        raise Unsupported("kernels with several outputs on the GPU renderer")
    if type(k.result) is Const:
        raise Unsupported("constant result")
    for inp in k.inputs:
        if inp.source is not None:
            raise Unsupported("generated (random) inputs on the GPU renderer")
        ctype(inp.dtype)
    ctype(k.outputs[0].dtype)
    for ins in k.body:
        if ins.index:
            raise Unsupported(f"{ins.op.value} (two outputs) on the GPU renderer")
        if ins.op not in RULES:
            raise Unsupported(f"op {ins.op.value} on the GPU renderer")
        ctype(ins.dtype)
        for a in ins.args:
            if type(a) is Const and a.value is None and ins.op is not Op.CLIP:
                raise Unsupported("None constant")


def render(k: Kernel, bits: int | None = None) -> tuple[str, Any]:
    """CUDA C source of elementwise kernel ``k`` and its entry's name (``bits``: index width,
    by default :func:`index_bits`); for a kernel with a reduction, its source and its
    ``reduce.ReduceCode`` (entries and launches)."""
    if k.reduction is not None and reduction_renderer is not None:
        code = reduction_renderer(k)
        return code.source, code
    _check(k)
    bits = bits or index_bits(k)
    it = "long long" if bits == 64 else "int"
    entry = _entry_name(k)
    nd = len(k.shape)
    nin = len(k.inputs)

    def dtype_of(a: Any) -> np.dtype:
        if type(a) is In:
            return np.dtype(k.inputs[a.index].dtype)
        if type(a) is Ref:
            return np.dtype(k.body[a.index].dtype)
        return None if a.value is None else np.dtype(a.dtype)

    def load(j: int, idx: str) -> str:
        inp = k.inputs[j]
        if inp.fill is not None:
            return literal(np.asarray(inp.fill), inp.dtype)
        v = f"in{j}[{idx}]"
        return f"({v} != 0)" if np.dtype(inp.dtype).kind == "b" else v

    def body(idx: Callable[[int], str]) -> list[str]:
        lines = []
        used = {a.index for ins in k.body for a in ins.args if type(a) is In}
        if type(k.result) is In:
            used.add(k.result.index)
        for j in sorted(used):
            lines.append(f"const {ctype(k.inputs[j].dtype)} x{j} = {load(j, idx(j))};")

        def operand(a: Any) -> str | None:
            if type(a) is In:
                return f"x{a.index}"
            if type(a) is Ref:
                return f"v{a.index}"
            return None if a.value is None else literal(a.value, a.dtype)

        for j, ins in enumerate(k.body):
            dts = [dtype_of(a) for a in ins.args]
            ties = clip_ties(k, ins) if ins.op is Op.CLIP else False
            if (len(dts) == 2 and dts[0] != dts[1] and ins.op not in _CMP
                    and ins.op not in (Op.LOGICAL_AND, Op.LOGICAL_OR, Op.LOGICAL_XOR)):
                raise Unsupported(f"{ins.op.value} with operands {dts[0]}, {dts[1]}")
            e = _E(ins.op, np.dtype(ins.dtype), [operand(a) for a in ins.args], dts, ties)
            expr = RULES[ins.op](e)
            lines.append(f"const {ctype(ins.dtype)} v{j} = {expr};  // {ins.op.value}")
        res = k.result
        rv = f"x{res.index}" if type(res) is In else f"v{res.index}"
        rdt = dtype_of(res)
        odt = np.dtype(k.outputs[0].dtype)
        if rdt != odt:
            rv = cast(rv, rdt, odt)
        lines.append(f"out[{idx(nin)}] = ({_mem_ctype(odt)})({rv});")
        return lines

    ps = ", ".join(f"{t} {n}" for t, n in params(k, bits))
    src = [
        f"// {k.name}: elementwise, {nd}-d, {bits}-bit indices (lazynp.codegen_gpu.render)",
        f'extern "C" __global__ void {entry}({ps}) {{',
        f"  const {it} step = ({it})blockDim.x * ({it})gridDim.x;",
        f"  {it} i = ({it})blockIdx.x * ({it})blockDim.x + ({it})threadIdx.x;",
        "  if (flat) {",
        "    for (; i < n; i += step) {",
    ]

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
    return "\n".join(src), entry
