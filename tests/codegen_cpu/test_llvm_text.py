"""The emitter core every LLVM-text writer builds on (``llvm_text.FnText``/``ModuleText``)."""

from lazynp.codegen_cpu.llvm_text import FnText, ModuleText, const_array


def test_fresh_names_share_one_counter():
    f = FnText(prefix="v")
    assert f.emit("add i64 1, 2") == "%v1"
    assert f.fresh("loop") == "loop2"
    assert f.tmp("a") == "%a3"
    f.place("loop2")
    f.instr("br label %loop2")
    assert f.lines == ["  %v1 = add i64 1, 2", "loop2:", "  br label %loop2"]
    assert f.text("define void @g() {", "}") == "\n".join(["define void @g() {", *f.lines, "}"])


def test_declarations_are_kept_once_per_module_sorted():
    m = ModuleText()
    f, g = FnText(m), FnText(m)
    f.declare("declare double @sin(double)")
    g.declare("declare double @cos(double)")
    f.declare("declare double @sin(double)")
    assert m.declarations() == ["declare double @cos(double)", "declare double @sin(double)"]
    assert FnText().mod is not FnText().mod  # (a function without one has its own)


def test_const_array():
    assert const_array("t", "i32", [1, -2]) == \
        "@t = private unnamed_addr constant [2 x i32] [i32 1, i32 -2], align 16"
    assert const_array("t", "i64", [3], "internal", None) == \
        "@t = internal constant [1 x i64] [i64 3]"
