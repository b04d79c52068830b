"""Line buffers of the LLVM IR the CPU renderer writes: one function (``_Fn``: lines and
fresh SSA names) and one module (``_Module``: declarations, helper definitions defined once,
the ``vmath`` functions its kernels link to, the host's vector ABI).  Both are the shared
emitter core of ``llvm_text`` (``FnText``, ``ModuleText``)."""

from __future__ import annotations

from . import vmath
from .llvm_text import FnText, ModuleText


class _Fn(FnText):
    """Line buffer of one function with fresh SSA names (``%t<n>``)."""

    mod: _Module

    def __init__(self, mod: _Module) -> None:
        super().__init__(mod)


class _Module(ModuleText):
    def __init__(self, vector_abi: tuple | None = None, libmvec: bool = False) -> None:
        super().__init__()
        self.defs: dict[str, str] = {}
        self.vmath: dict[str, vmath.Definition] = {}
        self.vector_abi = vector_abi
        self.libmvec = libmvec and vector_abi is not None

    def define(self, name: str, text: str) -> None:
        """A helper function of the module (defined once, however often it is called)."""
        self.defs.setdefault(name, text)

    def define_vmath(self, d: vmath.Definition) -> str:
        """Declare a vmath function and return its symbol.  Its code is not part of this
        module: the runtime compiles each vmath function once per process (and disk cache)
        into a library of its own and links kernels to it by name (``Rendered.vmath``), so a
        kernel that calls ``sin`` does not optimize fdlibm's reduction again."""
        if d.name not in self.vmath:
            self.vmath[d.name] = d
            self.declare(vmath.declaration(d))
        return d.name
