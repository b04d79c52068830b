"""A tiny C-like language written as Python syntax, translated to LLVM IR text.

lazynp.random transcribes NumPy's C distribution code (``distributions.c``,
``legacy-distributions.c``) into functions written in a restricted subset of Python
(``_dists.py``); this module parses them with :mod:`ast` and renders LLVM IR with C's
semantics, so the compiled code makes the same roundings and the same libm calls as NumPy's C:

* Types: ``f64 f32 i64 u64 i32 u32 i16 u16 i8 u8 b1`` and pointers ``p_<type>`` (opaque
  ``ptr`` in IR, the element type is DSL-side).  ``BG`` is the bit generator pointer.
  Parameters and return values are annotated; a local takes the type of its annotation
  (``x: f64 = 0``) or of its first assigned value.
* C's usual arithmetic conversions on binary operators; implicit conversion on assignment,
  argument passing and ``return``.  Python int literals adopt the other operand's type, float
  literals are ``double`` (``float`` next to an ``f32`` operand, like ``1.0f``).
* ``/`` is C division (truncating for integers), ``%`` C remainder; no fast-math flags, no
  ``contract``: every ``a*b+c`` rounds twice as in NumPy's C (built without FMA contraction).
* ``f64(x)``, ``i64(x)``, ... convert like C casts; float -> signed int gives INT_MIN when
  out of range or NaN (what x86's ``cvttsd2si`` returns for NumPy's C).
* libm: ``exp log log1p expm1 pow sin cos tan atan acos fmod`` (and ``f`` variants) are calls
  into the C library; ``sqrt floor ceil fabs`` are LLVM intrinsics (exact operations).
* Statements: assignment (names and ``p[i]``), augmented assignment, ``if/elif/else``,
  ``while``, ``for i in range(a, b[, step])``, ``break``, ``continue``, ``return``, calls.
* Calls to other functions of the same source, or to the primitives declared in ``EXTERNS``
  (defined by the prelude and the shared IR of every kernel module: ``_kernels._prelude``,
  ``_ir_common.py``).
"""

from __future__ import annotations

import ast
from typing import Any

from lazynp.codegen_cpu.llvm_text import FnText, ModuleText, const_array, fconst

INT_BITS = {"i64": 64, "u64": 64, "i32": 32, "u32": 32, "i16": 16, "u16": 16, "i8": 8, "u8": 8,
            "b1": 1}
FLOATS = {"f64": "double", "f32": "float"}


def llty(t: str) -> str:
    if t in FLOATS:
        return FLOATS[t]
    if t in INT_BITS:
        return f"i{INT_BITS[t]}"
    if t.startswith("p_") or t == "BG" or t == "ptr":
        return "ptr"
    if t == "void":
        return "void"
    raise TypeError(f"unknown DSL type {t}")


def is_f(t: str) -> bool:
    return t in FLOATS


def is_i(t: str) -> bool:
    return t in INT_BITS


def signed(t: str) -> bool:
    return t.startswith("i")


# (a float's LLVM literal, for the DSL's types "f64" / "f32": llvm_text.fconst)


# primitives implemented in the IR prelude: name -> (ret, [param types])
EXTERNS: dict[str, tuple[str, list[str]]] = {
    "next64": ("u64", ["BG"]),
    "next32": ("u32", ["BG"]),
    "next_double": ("f64", ["BG"]),
    "next_float": ("f32", ["BG"]),
    "draw_normal": ("f64", ["BG"]),
    "draw_normal_f": ("f32", ["BG"]),
    "draw_exp": ("f64", ["BG"]),
    "draw_exp_f": ("f32", ["BG"]),
    "interval": ("u64", ["BG", "u64"]),
    "bnd64": ("u64", ["BG", "u64", "u64"]),
}

LIBM = {
    "exp": ("f64", 1), "log": ("f64", 1), "log1p": ("f64", 1), "expm1": ("f64", 1),
    "pow": ("f64", 2), "sin": ("f64", 1), "cos": ("f64", 1), "tan": ("f64", 1),
    "atan": ("f64", 1), "acos": ("f64", 1), "fmod": ("f64", 2), "atan2": ("f64", 2),
    "expf": ("f32", 1), "logf": ("f32", 1), "log1pf": ("f32", 1), "powf": ("f32", 2),
}
INTRINSICS = {"sqrt": ("f64", "llvm.sqrt.f64"), "floor": ("f64", "llvm.floor.f64"),
              "ceil": ("f64", "llvm.ceil.f64"), "fabs": ("f64", "llvm.fabs.f64"),
              "sqrtf": ("f32", "llvm.sqrt.f32"), "floorf": ("f32", "llvm.floor.f32"),
              "fabsf": ("f32", "llvm.fabs.f32")}

LIT_I = "#int"
LIT_F = "#float"


class V:
    """A value: IR operand text and DSL type (or a literal with its Python value)."""

    __slots__ = ("op", "t", "py")

    def __init__(self, op: str, t: str, py: Any = None) -> None:
        self.op, self.t, self.py = op, t, py


class Func:
    def __init__(self, name: str, params: list[tuple[str, str]], ret: str, internal: bool):
        self.name, self.params, self.ret, self.internal = name, params, ret, internal


class Compiler(ModuleText):
    """Translate the functions of one DSL source into LLVM IR (one module: its declarations
    are ``llvm_text.ModuleText``'s)."""

    def __init__(self, source: str, consts: dict[str, float] | None = None,
                 tables: dict[str, tuple[str, list]] | None = None) -> None:
        super().__init__()
        self.tree = ast.parse(source)
        self.consts = dict(consts or {})
        self.tables = dict(tables or {})
        self.funcs: dict[str, Func] = {}
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef):
                params = [(a.arg, self._ann(a.annotation)) for a in node.args.args]
                ret = self._ann(node.returns) if node.returns is not None else "void"
                self.funcs[node.name] = Func(node.name, params, ret, True)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                self.consts[node.targets[0].id] = node.value.value

    @staticmethod
    def _ann(a: ast.AST) -> str:
        if isinstance(a, ast.Name):
            return a.id
        if isinstance(a, ast.Constant):
            return str(a.value)
        raise TypeError("bad annotation")

    # ---- output ----------------------------------------------------------------------------
    def render(self) -> str:
        out = []
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef):
                out.append(FuncGen(self, node).gen())
        for name, (t, vals) in self.tables.items():
            lits = [fconst(v, t) if is_f(t) else int(v) for v in vals]
            out.append(const_array(name, llty(t), lits) + "\n")
        for d in self.declarations():
            out.append(d + "\n")
        return "".join(out)


class FuncGen(FnText):
    """One function's IR (its lines, fresh names and labels: ``llvm_text.FnText``; its
    declarations go to the ``Compiler``'s module)."""

    def __init__(self, comp: Compiler, node: ast.FunctionDef) -> None:
        super().__init__(comp)
        self.c = comp
        self.node = node
        self.f = comp.funcs[node.name]
        self.allocas: list[str] = []
        self.vars: dict[str, tuple[str, str]] = {}  # name -> (alloca reg, type)
        self.loops: list[tuple[str, str]] = []  # (continue label, break label)
        self.terminated = False

    def instr(self, text: str) -> None:
        if self.terminated:
            # unreachable code after return/break: give it its own block
            self.place(self.fresh("dead"))
            self.terminated = False
        super().instr(text)

    def term(self, s: str) -> None:
        self.instr(s)
        self.terminated = True

    def start(self, lab: str) -> None:
        if not self.terminated:
            self.instr(f"br label %{lab}")
        self.place(lab)
        self.terminated = False

    def gen(self) -> str:
        f = self.f
        args = []
        for name, t in f.params:
            args.append(f"{llty(t)} %arg.{name}")
        for name, t in f.params:
            self.var(name, t)
            self.instr(f"store {llty(t)} %arg.{name}, ptr {self.vars[name][0]}")
        for st in self.node.body:
            self.stmt(st)
        if not self.terminated:
            if f.ret == "void":
                self.term("ret void")
            else:
                self.term("unreachable")
        link = "internal " if f.internal else ""
        head = f"define {link}{llty(f.ret)} @{f.name}({', '.join(args)}) nounwind {{\nentry:\n"
        return self.text(head + "\n".join("  " + a for a in self.allocas), "}") + "\n"

    def var(self, name: str, t: str) -> str:
        if name in self.vars:
            return self.vars[name][0]
        reg = f"%v.{name}"
        self.allocas.append(f"{reg} = alloca {llty(t)}, align 8")
        self.vars[name] = (reg, t)
        return reg

    # ---- conversions -----------------------------------------------------------------------
    def conv(self, v: V, t: str) -> V:
        if v.t == t:
            return v
        if v.t == LIT_I:
            if is_f(t):
                return V(fconst(float(v.py), t), t)
            bits = INT_BITS[t]
            x = int(v.py) & ((1 << bits) - 1)
            if bits > 1 and x >> (bits - 1):
                x -= 1 << bits
            return V(str(x), t)
        if v.t == LIT_F:
            if is_f(t):
                return V(fconst(v.py, t), t)
            return self.conv(V(fconst(v.py, "f64"), "f64"), t)
        r = self.tmp()
        src, dst = llty(v.t), llty(t)
        if is_f(v.t) and is_f(t):
            op = "fpext" if t == "f64" else "fptrunc"
            self.instr(f"{r} = {op} {src} {v.op} to {dst}")
        elif is_i(v.t) and is_f(t):
            op = "sitofp" if signed(v.t) and v.t != "b1" else "uitofp"
            self.instr(f"{r} = {op} {src} {v.op} to {dst}")
        elif is_f(v.t) and is_i(t):
            if t == "b1":
                self.instr(f"{r} = fcmp une {src} {v.op}, 0.0")
            elif signed(t):
                bits = INT_BITS[t]
                s = self.tmp()
                self.instr(f"{s} = call {dst} @llvm.fptosi.sat.{dst}.{src}({src} {v.op})")
                self.declare(f"declare {dst} @llvm.fptosi.sat.{dst}.{src}({src})")
                a = self.tmp()
                self.instr(f"{a} = call {src} @llvm.fabs.{'f64' if src == 'double' else 'f32'}"
                          f"({src} {v.op})")
                ok = self.tmp()
                lim = fconst(2.0 ** (bits - 1), v.t)
                self.instr(f"{ok} = fcmp olt {src} {a}, {lim}")
                self.instr(f"{r} = select i1 {ok}, {dst} {s}, {dst} {-(1 << (bits - 1))}")
            else:
                self.instr(f"{r} = call {dst} @llvm.fptoui.sat.{dst}.{src}({src} {v.op})")
                self.declare(f"declare {dst} @llvm.fptoui.sat.{dst}.{src}({src})")
        elif is_i(v.t) and is_i(t):
            a, b = INT_BITS[v.t], INT_BITS[t]
            if t == "b1":
                self.instr(f"{r} = icmp ne {src} {v.op}, 0")
            elif a == b:
                return V(v.op, t)
            elif a > b:
                self.instr(f"{r} = trunc {src} {v.op} to {dst}")
            else:
                op = "sext" if signed(v.t) and v.t != "b1" else "zext"
                self.instr(f"{r} = {op} {src} {v.op} to {dst}")
        elif llty(v.t) == "ptr" and llty(t) == "ptr":
            return V(v.op, t)
        else:
            raise TypeError(f"cannot convert {v.t} to {t}")
        return V(r, t)

    def common(self, a: V, b: V) -> str:
        ta, tb = a.t, b.t
        if ta in (LIT_I, LIT_F) and tb in (LIT_I, LIT_F):
            return "f64" if LIT_F in (ta, tb) else "i64"
        if ta in (LIT_I, LIT_F):
            ta, tb = tb, ta
            a, b = b, a
        if tb == LIT_I:
            return ta if ta != "b1" else "i32"
        if tb == LIT_F:
            return ta if is_f(ta) else "f64"
        if ta == tb:
            return ta if ta != "b1" else "i32"
        if is_f(ta) or is_f(tb):
            if "f64" in (ta, tb):
                return "f64"
            return "f32"
        # integer promotions then usual conversions
        def prom(t):
            return "i32" if INT_BITS[t] < 32 else t
        ta, tb = prom(ta), prom(tb)
        if ta == tb:
            return ta
        ba, bb = INT_BITS[ta], INT_BITS[tb]
        if signed(ta) == signed(tb):
            return ta if ba >= bb else tb
        u, s = (ta, tb) if not signed(ta) else (tb, ta)
        if INT_BITS[u] >= INT_BITS[s]:
            return u
        return s

    # ---- statements ------------------------------------------------------------------------
    def stmt(self, st: ast.stmt) -> None:
        m = getattr(self, "s_" + type(st).__name__, None)
        if m is None:
            raise SyntaxError(f"unsupported statement {type(st).__name__} line {st.lineno}")
        m(st)

    def s_Pass(self, st):
        pass

    def s_Expr(self, st):
        if isinstance(st.value, ast.Constant):  # docstring
            return
        self.expr(st.value)

    def assign_to(self, target: ast.AST, v: V, ann: str | None = None) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            if name not in self.vars:
                t = ann or v.t
                if t == LIT_I:
                    t = "i64"
                elif t == LIT_F:
                    t = "f64"
                self.var(name, t)
            reg, t = self.vars[name]
            cv = self.conv(v, t)
            self.instr(f"store {llty(t)} {cv.op}, ptr {reg}")
        elif isinstance(target, ast.Subscript):
            p, et = self.addr(target)
            cv = self.conv(v, et)
            self.instr(f"store {llty(et)} {cv.op}, ptr {p}")
        else:
            raise SyntaxError("bad assignment target")

    def addr(self, sub: ast.Subscript) -> tuple[str, str]:
        base = self.expr(sub.value)
        if not base.t.startswith("p_"):
            raise TypeError("subscript of non-pointer")
        et = base.t[2:]
        idx = self.conv(self.expr(sub.slice), "i64")
        r = self.tmp("a")
        self.instr(f"{r} = getelementptr inbounds {llty(et)}, ptr {base.op}, i64 {idx.op}")
        return r, et

    def s_Assign(self, st):
        v = self.expr(st.value)
        for tgt in st.targets:
            self.assign_to(tgt, v)

    def s_AnnAssign(self, st):
        t = self._ann(st.annotation)
        if isinstance(st.target, ast.Name) and st.target.id not in self.vars:
            self.var(st.target.id, t)
        if st.value is not None:
            self.assign_to(st.target, self.expr(st.value), t)

    _ann = staticmethod(Compiler._ann)

    def s_AugAssign(self, st):
        cur = self.expr(st.target if isinstance(st.target, ast.Name) else st.target)
        v = self.binop(st.op, cur, self.expr(st.value))
        self.assign_to(st.target, v)

    def cond(self, e: ast.AST) -> str:
        v = self.expr(e)
        if v.t == "b1":
            return v.op
        if v.t == LIT_I:
            return "true" if v.py else "false"
        r = self.tmp()
        if is_f(v.t):
            self.instr(f"{r} = fcmp une {llty(v.t)} {v.op}, 0.0")
        else:
            self.instr(f"{r} = icmp ne {llty(v.t)} {v.op}, 0")
        return r

    def s_If(self, st):
        c = self.cond(st.test)
        lt, lf, le = self.fresh("then"), self.fresh("else"), self.fresh("endif")
        self.term(f"br i1 {c}, label %{lt}, label %{lf if st.orelse else le}")
        self.start(lt)
        for s in st.body:
            self.stmt(s)
        if not self.terminated:
            self.term(f"br label %{le}")
        if st.orelse:
            self.start(lf)
            for s in st.orelse:
                self.stmt(s)
            if not self.terminated:
                self.term(f"br label %{le}")
        self.start(le)

    def s_While(self, st):
        lc, lb, le = self.fresh("wcond"), self.fresh("wbody"), self.fresh("wend")
        self.start(lc)
        c = self.cond(st.test)
        self.term(f"br i1 {c}, label %{lb}, label %{le}")
        self.start(lb)
        self.loops.append((lc, le))
        for s in st.body:
            self.stmt(s)
        self.loops.pop()
        if not self.terminated:
            self.term(f"br label %{lc}")
        self.start(le)

    def s_For(self, st):
        it = st.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range" and isinstance(st.target, ast.Name)):
            raise SyntaxError("only for i in range(...)")
        a = it.args
        if len(a) == 1:
            start, stop, step = ast.Constant(0), a[0], 1
        else:
            start, stop = a[0], a[1]
            step = 1
            if len(a) == 3:
                s = a[2]
                step = s.value if isinstance(s, ast.Constant) else -s.operand.value
        name = st.target.id
        sv = self.expr(start)
        self.assign_to(st.target, sv, "i64" if sv.t in (LIT_I,) else None)
        reg, t = self.vars[name]
        stopv = self.conv(self.expr(stop), t)
        stop_reg = self.tmp("stop")
        self.instr(f"{stop_reg} = add {llty(t)} {stopv.op}, 0")
        lc, lb, li, le = (self.fresh("fcond"), self.fresh("fbody"), self.fresh("finc"),
                          self.fresh("fend"))
        self.start(lc)
        cur = self.tmp()
        self.instr(f"{cur} = load {llty(t)}, ptr {reg}")
        c = self.tmp()
        cmp = ("slt" if step > 0 else "sgt") if signed(t) else ("ult" if step > 0 else "ugt")
        self.instr(f"{c} = icmp {cmp} {llty(t)} {cur}, {stop_reg}")
        self.term(f"br i1 {c}, label %{lb}, label %{le}")
        self.start(lb)
        self.loops.append((li, le))
        for s in st.body:
            self.stmt(s)
        self.loops.pop()
        self.start(li)
        cur2 = self.tmp()
        self.instr(f"{cur2} = load {llty(t)}, ptr {reg}")
        nx = self.tmp()
        self.instr(f"{nx} = add {llty(t)} {cur2}, {step}")
        self.instr(f"store {llty(t)} {nx}, ptr {reg}")
        self.term(f"br label %{lc}")
        self.start(le)

    def s_Break(self, st):
        self.term(f"br label %{self.loops[-1][1]}")

    def s_Continue(self, st):
        self.term(f"br label %{self.loops[-1][0]}")

    def s_Return(self, st):
        if st.value is None:
            self.term("ret void")
            return
        v = self.conv(self.expr(st.value), self.f.ret)
        self.term(f"ret {llty(self.f.ret)} {v.op}")

    # ---- expressions -----------------------------------------------------------------------
    def expr(self, e: ast.AST) -> V:
        m = getattr(self, "e_" + type(e).__name__, None)
        if m is None:
            raise SyntaxError(f"unsupported expression {type(e).__name__} line {e.lineno}")
        return m(e)

    def e_Constant(self, e):
        if isinstance(e.value, bool):
            return V("true" if e.value else "false", "b1")
        if isinstance(e.value, int):
            return V(str(e.value), LIT_I, e.value)
        if isinstance(e.value, float):
            return V(fconst(e.value, "f64"), LIT_F, e.value)
        raise TypeError("bad constant")

    def e_Name(self, e):
        if e.id in self.vars:
            reg, t = self.vars[e.id]
            r = self.tmp()
            self.instr(f"{r} = load {llty(t)}, ptr {reg}")
            return V(r, t)
        if e.id in self.c.consts:
            val = self.c.consts[e.id]
            return self.e_Constant(ast.Constant(val))
        if e.id in self.c.tables:
            t, _vals = self.c.tables[e.id]
            return V(f"@{e.id}", "p_" + t)
        raise NameError(f"unknown name {e.id} in {self.f.name}")

    def e_Subscript(self, e):
        p, et = self.addr(e)
        r = self.tmp()
        self.instr(f"{r} = load {llty(et)}, ptr {p}")
        return V(r, et)

    def e_UnaryOp(self, e):
        v = self.expr(e.operand)
        if isinstance(e.op, ast.USub):
            if v.t == LIT_I:
                return V(str(-v.py), LIT_I, -v.py)
            if v.t == LIT_F:
                return V(fconst(-v.py, "f64"), LIT_F, -v.py)
            r = self.tmp()
            if is_f(v.t):
                self.instr(f"{r} = fneg {llty(v.t)} {v.op}")
                return V(r, v.t)
            t = self.common(v, V("0", LIT_I, 0))
            v = self.conv(v, t)
            self.instr(f"{r} = sub {llty(t)} 0, {v.op}")
            return V(r, t)
        if isinstance(e.op, ast.Not):
            c = self.cond(e.operand)
            r = self.tmp()
            self.instr(f"{r} = xor i1 {c}, true")
            return V(r, "b1")
        if isinstance(e.op, ast.Invert):
            t = self.common(v, V("0", LIT_I, 0))
            v = self.conv(v, t)
            r = self.tmp()
            self.instr(f"{r} = xor {llty(t)} {v.op}, -1")
            return V(r, t)
        if isinstance(e.op, ast.UAdd):
            return v
        raise SyntaxError("bad unary op")

    def e_BinOp(self, e):
        return self.binop(e.op, self.expr(e.left), self.expr(e.right))

    def binop(self, op: ast.operator, a: V, b: V) -> V:
        if isinstance(op, (ast.LShift, ast.RShift)):
            t = self.common(a, V("0", LIT_I, 0))
            a = self.conv(a, t)
            b = self.conv(b, t)
            r = self.tmp()
            if isinstance(op, ast.LShift):
                ins = "shl"
            else:
                ins = "ashr" if signed(t) else "lshr"
            self.instr(f"{r} = {ins} {llty(t)} {a.op}, {b.op}")
            return V(r, t)
        t = self.common(a, b)
        a = self.conv(a, t)
        b = self.conv(b, t)
        r = self.tmp()
        ty = llty(t)
        if is_f(t):
            ins = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv",
                   ast.Mod: "frem"}[type(op)]
        else:
            s = signed(t)
            ins = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul",
                   ast.Div: "sdiv" if s else "udiv", ast.FloorDiv: "sdiv" if s else "udiv",
                   ast.Mod: "srem" if s else "urem", ast.BitAnd: "and", ast.BitOr: "or",
                   ast.BitXor: "xor"}[type(op)]
        self.instr(f"{r} = {ins} {ty} {a.op}, {b.op}")
        return V(r, t)

    def e_Compare(self, e):
        if len(e.ops) != 1:
            raise SyntaxError("chained comparison")
        a, b = self.expr(e.left), self.expr(e.comparators[0])
        t = self.common(a, b)
        a, b = self.conv(a, t), self.conv(b, t)
        op = type(e.ops[0])
        r = self.tmp()
        if is_f(t):
            cc = {ast.Lt: "olt", ast.LtE: "ole", ast.Gt: "ogt", ast.GtE: "oge", ast.Eq: "oeq",
                  ast.NotEq: "une"}[op]
            self.instr(f"{r} = fcmp {cc} {llty(t)} {a.op}, {b.op}")
        else:
            s = "s" if signed(t) and t != "b1" else "u"
            cc = {ast.Lt: s + "lt", ast.LtE: s + "le", ast.Gt: s + "gt", ast.GtE: s + "ge",
                  ast.Eq: "eq", ast.NotEq: "ne"}[op]
            self.instr(f"{r} = icmp {cc} {llty(t)} {a.op}, {b.op}")
        return V(r, "b1")

    def e_BoolOp(self, e):
        is_and = isinstance(e.op, ast.And)
        res = self.tmp("bo")
        slot = f"{res}.slot"
        self.allocas.append(f"{slot} = alloca i1")
        lend = self.fresh("boend")
        for k, val in enumerate(e.values):
            c = self.cond(val)
            self.instr(f"store i1 {c}, ptr {slot}")
            if k < len(e.values) - 1:
                nxt = self.fresh("bonext")
                if is_and:
                    self.term(f"br i1 {c}, label %{nxt}, label %{lend}")
                else:
                    self.term(f"br i1 {c}, label %{lend}, label %{nxt}")
                self.start(nxt)
        self.start(lend)
        self.instr(f"{res} = load i1, ptr {slot}")
        return V(res, "b1")

    def e_IfExp(self, e):
        raise SyntaxError("conditional expressions are not supported; use if/else")

    def e_Call(self, e):
        if not isinstance(e.func, ast.Name):
            raise SyntaxError("bad call")
        name = e.func.id
        if name == "view":  # view(pointer, "p_i64"): same address, other element type
            return V(self.expr(e.args[0]).op, e.args[1].value)
        args = [self.expr(a) for a in e.args]
        if name in INT_BITS or name in FLOATS:
            return self.conv(args[0], name)
        if name in ("isnan", "isfinite", "isinf"):
            v = args[0]
            if not is_f(v.t):
                v = self.conv(v, "f64")
            r = self.tmp()
            ty = llty(v.t)
            if name == "isnan":
                self.instr(f"{r} = fcmp uno {ty} {v.op}, 0.0")
            else:
                a = self.tmp()
                fn = "f64" if ty == "double" else "f32"
                self.instr(f"{a} = call {ty} @llvm.fabs.{fn}({ty} {v.op})")
                self.declare(f"declare {ty} @llvm.fabs.{fn}({ty})")
                inf = fconst(float("inf"), v.t)
                cc = "olt" if name == "isfinite" else "oeq"
                self.instr(f"{r} = fcmp {cc} {ty} {a}, {inf}")
            return V(r, "b1")
        if name == "offset":  # offset(pointer, k): &p[k]
            p = args[0]
            idx = self.conv(args[1], "i64")
            r = self.tmp()
            self.instr(f"{r} = getelementptr inbounds {llty(p.t[2:])}, ptr {p.op}, i64 {idx.op}")
            return V(r, p.t)
        if name in LIBM:
            t, k = LIBM[name]
            cargs = [self.conv(a, t) for a in args]
            self.declare(f"declare {llty(t)} @{name}({', '.join([llty(t)] * k)})")
            r = self.tmp()
            self.instr(f"{r} = call {llty(t)} @{name}("
                      f"{', '.join(llty(t) + ' ' + a.op for a in cargs)})")
            return V(r, t)
        if name in INTRINSICS:
            t, iname = INTRINSICS[name]
            a = self.conv(args[0], t)
            self.declare(f"declare {llty(t)} @{iname}({llty(t)})")
            r = self.tmp()
            self.instr(f"{r} = call {llty(t)} @{iname}({llty(t)} {a.op})")
            return V(r, t)
        if name in self.c.funcs:
            f = self.c.funcs[name]
            ret, ptypes = f.ret, [t for _n, t in f.params]
        elif name in EXTERNS:
            ret, ptypes = EXTERNS[name]
        else:
            raise NameError(f"unknown function {name}")
        if len(args) != len(ptypes):
            raise TypeError(f"{name}: wrong number of arguments")
        cargs = [self.conv(a, t) for a, t in zip(args, ptypes)]
        argtxt = ", ".join(f"{llty(t)} {a.op}" for a, t in zip(cargs, ptypes))
        if ret == "void":
            self.instr(f"call void @{name}({argtxt})")
            return V("", "void")
        r = self.tmp()
        self.instr(f"{r} = call {llty(ret)} @{name}({argtxt})")
        return V(r, ret)


def compile_source(source: str, consts: dict | None = None, tables: dict | None = None) -> tuple:
    """IR text for all functions in ``source`` and the signatures {name: Func}."""
    c = Compiler(source, consts, tables)
    return c.render(), c.funcs


# ---- the exported kernels around DSL functions (``_kernels.render_kernel``) -------------------

_ALIGN = {"f64": 8, "f32": 4, "i64": 8, "u64": 8, "i32": 4, "u32": 4, "i16": 2, "u16": 2,
          "i8": 1, "u8": 1}


def map_kernel(fname: str, ret: str, params: list[tuple[str, str]]) -> str:
    """Map kernel ``lz_<name>(st, out, n, aux, p0, s0, ...)`` around DSL function ``fname``."""
    out_ty = llty(ret)
    elem = params[1:]
    has_aux = bool(elem) and elem[0][0] == "aux"
    if has_aux:
        elem = elem[1:]
    args = "".join(f", ptr %p{k}, i64 %s{k}" for k in range(len(elem)))
    loads = []
    call_args = ["ptr %bg"] + (["ptr %aux"] if has_aux else [])
    for k, (_n, t) in enumerate(elem):
        ty = llty(t)
        loads.append(f"  %o{k} = mul i64 %i, %s{k}\n"
                     f"  %a{k} = getelementptr inbounds {ty}, ptr %p{k}, i64 %o{k}\n"
                     f"  %v{k} = load {ty}, ptr %a{k}\n")
        call_args.append(f"{ty} %v{k}")
    name = "lz_" + fname[2:]
    return f"""
define void @{name}(ptr noalias %st, ptr noalias %out, i64 %n, ptr %aux{args}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [0, %entry], [%inext, %loop]
{"".join(loads)}  %val = call {out_ty} @{fname}({", ".join(call_args)})
  %po = getelementptr inbounds {out_ty}, ptr %out, i64 %i
  store {out_ty} %val, ptr %po, align {_ALIGN[ret]}
  %inext = add i64 %i, 1
  %more = icmp slt i64 %inext, %n
  br i1 %more, label %loop, label %done
done:
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""


def call_kernel(name: str, params: list[tuple[str, str]]) -> str:
    """Exported ``lz_<name>(st, args...)`` around the whole-call DSL function ``x_<name>``."""
    sig = "".join(f", {llty(t)} %a{k}" for k, (_n, t) in enumerate(params))
    args = "".join(f", {llty(t)} %a{k}" for k, (_n, t) in enumerate(params))
    return f"""
define void @lz_{name}(ptr noalias %st{sig}) nounwind {{
entry:
  %bg = alloca %BG, align 16
  call void @load_state(ptr %bg, ptr %st)
  call void @x_{name}(ptr %bg{args})
  call void @store_state(ptr %st, ptr %bg)
  ret void
}}
"""
