"""codegen_cpu.compiler: compile IR, call through ctypes, memory and disk caches."""

from __future__ import annotations

import ctypes
import math
import os
import subprocess
import sys
import textwrap

import pytest

from lazynp._config import config
from lazynp.codegen_cpu import compiler

IR = """
declare double @log1p(double)

define double @lz_test_log1p(double %x) {
  %r = call double @log1p(double %x)
  ret double %r
}

define void @lz_test_axpy(ptr noalias %x, ptr noalias %y, i64 %n, double %a) {
entry:
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %loop, label %done
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %px = getelementptr double, ptr %x, i64 %i
  %py = getelementptr double, ptr %y, i64 %i
  %vx = load double, ptr %px
  %vy = load double, ptr %py
  %m = fmul double %a, %vx
  %s = fadd double %m, %vy
  store double %s, ptr %py
  %i1 = add i64 %i, 1
  %more = icmp slt i64 %i1, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}
; tag: TAG
"""


def _ir(tag: str) -> str:
    return IR.replace("TAG", tag)


@pytest.fixture
def cache_dir(tmp_path):
    with config(cache=True, cache_dir=str(tmp_path)):
        yield tmp_path


def _compile(ir, name="module"):
    """``compile_ir`` with lazynp's settings, as its callers pass them."""
    return compiler.compile_ir(ir, name, **compiler.settings_of(config))


def test_compile_and_call(cache_dir):
    import numpy as np

    lib = _compile(_ir("call"), "t_call")
    f = lib.cfunc("lz_test_log1p", ctypes.c_double, ctypes.c_double)
    for v in (0.5, 1e-10, 3.0):
        assert f(v) == math.log1p(v)
    axpy = lib.cfunc("lz_test_axpy", None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                     ctypes.c_double)
    x = np.random.default_rng(0).random(1001)
    y = np.random.default_rng(1).random(1001)
    ref = 0.1 * x + y  # NumPy rounds the product and the sum separately (no FMA)
    axpy(x.ctypes.data, y.ctypes.data, x.size, 0.1)
    assert np.array_equal(y, ref)
    assert _compile(_ir("call")) is lib  # in-memory cache
    with pytest.raises(KeyError):
        lib.address("missing")


def test_bad_ir_raises(cache_dir):
    with pytest.raises(RuntimeError):
        _compile("define i32 @f() { ret i64 0 }")


def test_disk_cache_hit_in_new_process(cache_dir):
    ir = _ir("disk")
    _compile(ir, "t_disk")
    path = compiler.cache_path_for(ir, str(cache_dir))
    assert os.path.exists(path)
    script = textwrap.dedent(f"""
        import ctypes
        from lazynp._config import config
        config.set(cache=True, cache_dir={str(cache_dir)!r})
        from lazynp.codegen_cpu import compiler
        ir = {ir!r}
        lib = compiler.compile_ir(ir, **compiler.settings_of(config))
        f = lib.cfunc("lz_test_log1p", ctypes.c_double, ctypes.c_double)
        assert f(0.25) > 0
        print(lib.source, compiler.stats["compiled"], compiler.stats["disk_hits"])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(compiler.__file__))
                         + "/..")
    assert out.stdout.split() == ["disk", "0", "1"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_entry_is_rebuilt(cache_dir, damage):
    ir = _ir("corrupt-" + damage)
    _compile(ir)
    path = compiler.cache_path_for(ir, str(cache_dir))
    blob = open(path, "rb").read()
    if damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "flip":
        blob = blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]
    else:
        blob = b"not an object file"
    with open(path, "wb") as f:
        f.write(blob)
    compiler.clear_memory_cache()
    before = dict(compiler.stats)
    lib = _compile(ir)
    assert lib.source == "compiled"
    assert compiler.stats["rejected"] == before["rejected"] + 1
    f = lib.cfunc("lz_test_log1p", ctypes.c_double, ctypes.c_double)
    assert f(0.5) == math.log1p(0.5)
    # the rebuilt entry is valid again
    compiler.clear_memory_cache()
    assert _compile(ir).source == "disk"


def test_cache_disabled(tmp_path):
    with config(cache=False, cache_dir=str(tmp_path)):
        _compile(_ir("nocache"))
    assert not any(tmp_path.rglob("*.o"))


def test_host_info():
    info = compiler.host_info()
    assert info["cpu"] and info["triple"]
