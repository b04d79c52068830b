"""Kernel bodies of the CPU renderer: the body of a ``fusion.plan.Kernel`` for one element
(``_Body.render``) or for ``w`` lanes (``_Body.render_lanes``), its constants (slot layout
and packing, ``pack_consts``) and the loads and stores of its operands."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fusion.plan import Const, In, Kernel, Ref, clip_ties
from ..graph.ops import Op
from . import libm
from .ir_module import _Fn, _Module
from .libcalls import LIBM_IMPL, _lanes_vectorized, _vec_call, _vmath_call
from .llvm_text import Unsupported, _is_complex, _mem_ty, _part, _ty
from .lowering import _render_op
from .scalar_ops import _cpack, _cparts


def _const_offsets(consts: list[Const]) -> list[int]:
    """Byte offset of each constant in the ``consts`` buffer: 8-byte slots, two for a
    complex128."""
    offs = []
    at = 0
    for c in consts:
        offs.append(at)
        at += 8 * -(-np.dtype(c.dtype).itemsize // 8)
    return offs


def pack_consts(consts: list[Const]) -> np.ndarray:
    """The ``consts`` argument of a kernel: each constant's bytes at its offset."""
    offs = _const_offsets(consts)
    size = offs[-1] + 8 * -(-np.dtype(consts[-1].dtype).itemsize // 8) if consts else 8
    buf = np.zeros(size // 8, dtype=np.uint64)
    raw = buf.view(np.uint8)
    for at, c in zip(offs, consts):
        b = np.asarray(c.value).tobytes()
        raw[at:at + len(b)] = np.frombuffer(b, dtype=np.uint8)
    return buf


def reversed_view(inp: Any) -> bool:
    """Whether a kernel input is read with a negative stride along some axis (the renderer
    specializes on it; part of the runtime's cache key)."""
    return any(s < 0 for s in inp.strides)


def _layout_dependent(op: Op, dt: np.dtype) -> bool:
    """NumPy's complex64 multiply/square and its complex absolute leave their SIMD loop
    (fused multiply-adds) for a plain scalar loop (two roundings; hypot) on some inputs with
    negative strides, depending on how its iterator flips axes: such kernels are left to
    the reference executor, which runs NumPy's own loops on the same views."""
    if not _is_complex(dt):
        return False
    return op is Op.ABSOLUTE or (op in (Op.MULTIPLY, Op.SQUARE) and dt.itemsize == 8)


def _vec_ty(dt: np.dtype) -> str | None:
    """LLVM type of a float32/float64 operand (the dtypes libmvec serves), else None."""
    dt = np.dtype(dt)
    return _ty(dt) if dt.kind == "f" and dt.itemsize >= 4 else None


class _Body:
    """Renders the kernel body for one element; ``load(i)`` gives input i's value."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.consts: list[Const] = []
        self.const_slot: dict[int, int] = {}
        self.argdts: list[list[np.dtype]] = []
        self.ties: dict[int, bool] = {}
        for j, ins in enumerate(k.body):
            self.argdts.append(self._arg_dtypes(ins))
            for a in ins.args:
                if type(a) is Const and a.value is not None:
                    self.const_slot[id(a)] = len(self.consts)
                    self.consts.append(a)
                elif type(a) is Const and ins.op is not Op.CLIP:
                    raise Unsupported("None constant")
            if ins.index:
                raise Unsupported(ins.op.value)
            if ins.op is Op.CLIP:
                if _is_complex(ins.dtype):
                    raise Unsupported("complex clip")
                self.ties[j] = clip_ties(k, ins)
            if (_layout_dependent(ins.op, self.argdts[-1][0])
                    and any(type(a) is In and reversed_view(k.inputs[a.index])
                            for a in ins.args)):
                raise Unsupported(f"complex {ins.op.value} of a reversed view")
            _ty(ins.dtype)
        if type(k.result) is Const:
            raise Unsupported("constant result")
        for inp in k.inputs:
            _ty(inp.dtype)

    def _arg_dtypes(self, ins: Any) -> list[np.dtype]:
        out = []
        for a in ins.args:
            if type(a) is In:
                out.append(np.dtype(self.k.inputs[a.index].dtype))
            elif type(a) is Ref:
                out.append(np.dtype(self.k.body[a.index].dtype))
            elif a.value is None:
                out.append(None)
            else:
                out.append(np.dtype(a.dtype))
        return out

    def const_values(self, f: _Fn) -> list[str]:
        vals = []
        for at, c in zip(_const_offsets(self.consts), self.consts):
            p = f.emit(f"getelementptr i8, ptr %consts, i64 {at}")
            vals.append(load_value(f, p, "0", c.dtype))
        return vals

    def const_operand(self, a: Const, consts: list[str]) -> str | None:
        return None if a.value is None else consts[self.const_slot[id(a)]]

    def instr(self, f: _Fn, j: int, args: list, dts: list[np.dtype]) -> str:
        """Instruction ``j`` of the body on operand values ``args``."""
        ins = self.k.body[j]
        return _render_op(f, ins.op, ins.dtype, args, dts, self.ties.get(j, False))

    def vector_calls(self, mod: _Module) -> set[str]:
        """Implementations (``"vmath"``, ``"libmvec"``) of the body's calls that have a vector
        form (none: explicit lanes are not worth it)."""
        impls = set()
        for ins, dts in zip(self.k.body, self.argdts):
            name = libm.LIBM_NAME.get(ins.op)
            vt = _vec_ty(dts[0])
            if vt is not None and _lanes_vectorized(mod, name, vt):
                vm = LIBM_IMPL.get((name, vt)) == "vmath"
                impls.add("vmath" if vm else "libmvec")
        return impls

    def render_lanes(self, f: _Fn, load: Any, consts: list[str], w: int
                     ) -> tuple[list[str], np.dtype]:
        """The body for ``w`` consecutive elements, instruction by instruction across lanes
        (``load(i, lane)``); libm calls that libmvec has become one vector call."""
        regs: list[list[str]] = []
        cache: dict[tuple, str] = {}

        def operand(a: Any, lane: int) -> str | None:
            if type(a) is In:
                key = (a.index, lane)
                if key not in cache:
                    cache[key] = load(a.index, lane)
                return cache[key]
            if type(a) is Ref:
                return regs[a.index][lane]
            return self.const_operand(a, consts)

        for j, (ins, dts) in enumerate(zip(self.k.body, self.argdts)):
            lanes = [[operand(a, lane) for a in ins.args] for lane in range(w)]
            name = libm.LIBM_NAME.get(ins.op)
            vt = _vec_ty(dts[0])
            out = None
            if vt is not None and len(set(dts)) == 1 and _lanes_vectorized(f.mod, name, vt):
                if LIBM_IMPL.get((name, vt)) == "vmath":
                    out = _vmath_call(f, name, vt, lanes)
                else:
                    out = _vec_call(f, name, vt, lanes)
            if out is None:
                out = [self.instr(f, j, lanes[lane], dts) for lane in range(w)]
            regs.append(out)
        res = self.k.result
        if type(res) is In:
            return ([operand(res, lane) for lane in range(w)],
                    np.dtype(self.k.inputs[res.index].dtype))
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)

    def render(self, f: _Fn, load: Any, consts: list[str]) -> tuple[str, np.dtype]:
        regs: list[str] = []
        cache: dict[int, str] = {}

        def operand(a: Any) -> str | None:
            if type(a) is In:
                if a.index not in cache:
                    cache[a.index] = load(a.index)
                return cache[a.index]
            if type(a) is Ref:
                return regs[a.index]
            return self.const_operand(a, consts)

        for j, dts in enumerate(self.argdts):
            regs.append(self.instr(f, j, [operand(a) for a in self.k.body[j].args], dts))
        res = self.k.result
        if type(res) is In:
            return operand(res), np.dtype(self.k.inputs[res.index].dtype)
        return regs[res.index], np.dtype(self.k.body[res.index].dtype)


def load_value(f: _Fn, ptr: str, off: str, dt: np.dtype) -> str:
    """Element ``off`` of the array at ``ptr`` (a complex as its two parts)."""
    if _is_complex(dt):
        ty = _ty(dt)
        pt = _ty(_part(dt))
        parts = []
        for i in (0, 1):
            p = f.emit(f"getelementptr inbounds {ty}, ptr {ptr}, i64 {off}, i32 {i}")
            parts.append(f.emit(f"load {pt}, ptr {p}"))
        return _cpack(f, *parts, dt)
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    v = f.emit(f"load {mt}, ptr {p}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"icmp ne i8 {v}, 0")
    return v


def store_lanes(f: _Fn, ptr: str, off: str, dt: np.dtype, vals: list[str]) -> None:
    """Store consecutive elements ``vals`` from ``ptr[off]`` on as one vector store (the SLP
    vectorizer may cut separate stores into narrower vectors); complex values (no vector
    of them exists) are stored one by one."""
    if _is_complex(dt):
        for lane, v in enumerate(vals):
            at = f.emit(f"add i64 {off}, {lane}")
            store_value(f, ptr, at, dt, v)
        return
    mt = _mem_ty(dt)
    vt = f"<{len(vals)} x {mt}>"
    vec = "poison"
    for lane, v in enumerate(vals):
        if np.dtype(dt).kind == "b":
            v = f.emit(f"zext i1 {v} to i8")
        vec = f.emit(f"insertelement {vt} {vec}, {mt} {v}, i32 {lane}")
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    f.instr(f"store {vt} {vec}, ptr {p}, align {np.dtype(dt).itemsize}")


def store_value(f: _Fn, ptr: str, off: str, dt: np.dtype, v: str) -> None:
    if _is_complex(dt):
        ty = _ty(dt)
        pt = _ty(_part(dt))
        for i, part in enumerate(_cparts(f, v, dt)):
            p = f.emit(f"getelementptr inbounds {ty}, ptr {ptr}, i64 {off}, i32 {i}")
            f.instr(f"store {pt} {part}, ptr {p}")
        return
    mt = _mem_ty(dt)
    p = f.emit(f"getelementptr inbounds {mt}, ptr {ptr}, i64 {off}")
    if np.dtype(dt).kind == "b":
        v = f.emit(f"zext i1 {v} to i8")
    f.instr(f"store {mt} {v}, ptr {p}")
