"""CUDA kernel sources run on the CPU: ``shim.h`` included, one launcher per entry, one C++
file compiled into a shared library by the host compiler (the flags keep its arithmetic
IEEE: no contraction into FMAs, no fast math); and the same sources through ``nvcc --ptx``."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CXX = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")
CXX_FLAGS = ["-std=c++17", "-O1", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC",
             "-w"]
INCLUDE = f'#include "{HERE / "shim.h"}"\n'


def launcher(ps: list[tuple[str, str]], entry: str, name: str | None = None) -> str:
    """``extern "C" void run_<name>(grid, block, params...)`` launching ``entry`` over the
    shim's grid (``ps``: the entry's ``(C type, name)`` parameters)."""
    decl = "".join(f", {t} {n}" for t, n in ps)
    names = "".join(f", {n}" for _, n in ps)
    return (f'extern "C" void run_{name or entry}(unsigned grid, unsigned block{decl}) '
            f"{{ LZ_LAUNCH(grid, block, {entry}{names}); }}\n")


def compile_shared(source: str, so: Path, cpp: Path | None = None) -> None:
    """``source`` (C++ including ``shim.h``) compiled into the shared library ``so``."""
    cpp = cpp or so.with_suffix(".cpp")
    cpp.write_text(source)
    res = subprocess.run([CXX, *CXX_FLAGS, "-o", str(so), str(cpp)], capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr[-4000:]


def build(parts: list[str], directory: Path, stem: str) -> ctypes.CDLL:
    """The kernel sources and launchers ``parts`` after ``shim.h``, compiled and loaded."""
    so = directory / f"{stem}.so"
    compile_shared(INCLUDE + "\n".join(parts) + "\n", so)
    return ctypes.CDLL(str(so))


NVCC = shutil.which("nvcc")


def ptx_entries(sources: list[str], directory: Path, stem: str) -> dict[str, str]:
    """``sources`` compiled together by nvcc to PTX for sm_90 with ``-fmad=false``: each
    entry's name -> the PTX from its ``.entry`` line to the next entry."""
    cu, ptx = directory / f"{stem}.cu", directory / f"{stem}.ptx"
    cu.write_text("\n".join(sources))
    cmd = [NVCC, "--ptx", "-arch=sm_90", "-fmad=false", "-std=c++17", "-o", str(ptx), str(cu)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-4000:]
    funcs = re.split(r"\.visible \.entry ", ptx.read_text())[1:]
    return {f.split("(", 1)[0]: f for f in funcs}
