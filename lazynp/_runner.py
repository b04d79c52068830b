"""Run an unmodified NumPy script on lazynp: ``python -m lazynp run script.py [args...]``.

Contract
--------
The script runs as ``__main__`` the way ``python script.py`` would run it: ``sys.argv`` is
``[script, *args]``, ``sys.path[0]`` is the script's directory, ``__file__`` is set,
``if __name__ == "__main__":`` blocks run, an uncaught exception prints a normal traceback
(without the runner's frames) and exits with status 1, and ``SystemExit`` is honoured.

Only the script's own code sees lazynp.  ``sys.modules["numpy"]`` is never replaced, so NumPy
itself and every other library (SciPy, matplotlib, pandas, ...) keep using real NumPy.  The
redirection works through the script's globals: their ``__builtins__`` is a copy of the
builtins module dict whose ``__import__`` rewrites absolute imports of ``numpy`` and
``numpy.<sub>`` to ``lazynp`` and ``lazynp.<sub>``.  This covers ``import numpy``,
``import numpy as np``, ``import numpy.linalg`` (binds ``numpy`` to lazynp),
``from numpy import linalg as la``, ``from numpy.random import default_rng`` and imports made
inside functions; relative imports (``level > 0``) are left alone.  A ``numpy.<sub>`` that
lazynp does not provide is taken from NumPy (``lazynp.<sub>`` is registered as an alias of it).

Modules the script imports from its own directory tree (the user's helper modules, not
anything under site-packages or the standard library) get the same treatment: a meta-path
finder, placed just before the standard path finder, gives their specs a loader that installs
the patched ``__builtins__`` before the module body runs.

Not redirected: ``importlib.import_module("numpy")`` and ``sys.modules["numpy"]`` (they return
real NumPy), and processes started with the ``spawn`` method of multiprocessing.

``--compare`` (``_compare.py``) runs the script twice in subprocesses (plain ``python
script.py`` and ``python -m lazynp run script.py``), prints both wall times, the speed-up and
whether the two standard outputs are identical.

Importing this module imports the ``lazynp`` package first (its parent, as Python imports
every submodule), so the script's ``import numpy`` finds lazynp already loaded.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from lazynp._config import config

# Start-up: a plain ``run`` imports nothing heavy here.  ``importlib.abc`` (which pulls in
# importlib.resources, tempfile, shutil...), ``pathlib`` and ``sysconfig`` are not imported,
# and ``--compare`` (subprocess, difflib) lives in ``_compare.py``.

_REAL_IMPORT = builtins.__import__


# --------------------------------------------------------------------------- import rewriting

def rewrite_name(name: str) -> str | None:
    """``numpy`` -> ``lazynp``, ``numpy.x.y`` -> ``lazynp.x.y``; ``None`` for any other name."""
    if name == "numpy" or name.startswith("numpy."):
        return "lazynp" + name[len("numpy"):]
    return None


def _alias_missing_submodules(lazy_name: str) -> None:
    """Make ``lazy_name`` (``lazynp.a.b``) importable, taking the levels lazynp lacks from NumPy.

    The first missing level and every level below it are registered in ``sys.modules`` as the
    real ``numpy.*`` module objects (not copies), and bound as attributes of their parent.
    """
    parts = lazy_name.split(".")
    missing_from = None
    for depth in range(2, len(parts) + 1):
        name = ".".join(parts[:depth])
        if missing_from is None:
            if name in sys.modules:
                continue
            if _is_alias(".".join(parts[: depth - 1])):
                # below a NumPy module registered under a lazynp name: importing the lazynp
                # name would load NumPy's file a second time (a second copy of the module,
                # "cannot load module more than once per process" for its C extensions)
                missing_from = depth
            else:
                try:
                    importlib.import_module(name)
                    continue
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    missing_from = depth
        real = importlib.import_module("numpy." + ".".join(parts[1:depth]))
        sys.modules.setdefault(name, real)
        parent = sys.modules[".".join(parts[: depth - 1])]
        if not hasattr(parent, parts[depth - 1]):
            setattr(parent, parts[depth - 1], real)


def _is_alias(lazy_name: str) -> bool:
    """Whether ``sys.modules[lazy_name]`` is a NumPy module registered under a lazynp name."""
    module = sys.modules.get(lazy_name)
    return module is not None and getattr(module, "__name__", lazy_name) != lazy_name


def _below_alias(lazy_name: str) -> bool:
    parts = lazy_name.split(".")
    return any(_is_alias(".".join(parts[:depth])) for depth in range(2, len(parts) + 1))


def _is_missing_lazynp_level(exc: ModuleNotFoundError, lazy_name: str) -> bool:
    missing = exc.name
    if not missing or missing == "lazynp":
        return False
    return lazy_name == missing or lazy_name.startswith(missing + ".")


def lazynp_import(
    name: str,
    globals: dict[str, Any] | None = None,
    locals: Any = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> types.ModuleType:
    """Drop-in for ``builtins.__import__`` that resolves ``numpy``/``numpy.*`` to lazynp."""
    target = rewrite_name(name) if level == 0 else None
    if target is None:
        return _REAL_IMPORT(name, globals, locals, fromlist, level)
    if not _below_alias(target):
        try:
            return _REAL_IMPORT(target, globals, locals, fromlist, 0)
        except ModuleNotFoundError as exc:
            if not _is_missing_lazynp_level(exc, target):
                raise
    # a level lazynp does not have: NumPy's modules, imported under their own names (so a
    # submodule or a ``from`` name below them is NumPy's one copy), bound to the lazynp names
    _alias_missing_submodules(target)
    module = _REAL_IMPORT(name, globals, locals, fromlist, 0)
    return module if fromlist else sys.modules["lazynp"]


def patched_builtins() -> dict[str, Any]:
    """A copy of the builtins namespace whose ``__import__`` is :func:`lazynp_import`."""
    namespace = dict(builtins.__dict__)
    namespace["__import__"] = lazynp_import
    return namespace


# --------------------------------------------------------------------------- local modules

def _library_roots() -> list[str]:
    import sysconfig  # (only once a module under the script's directory is imported: start-up)

    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
            try:
                roots.add(os.path.realpath(sysconfig.get_paths(vars=scheme_vars)[key]))
            except (KeyError, ValueError):
                pass
    return sorted(roots)


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _LazyNumpyLoader(importlib.machinery.SourceFileLoader):
    """Source loader that runs the module body with the patched ``__builtins__``."""

    builtins_namespace: dict[str, Any] = {}

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__["__builtins__"] = self.builtins_namespace
        super().exec_module(module)


class LocalModuleFinder:
    """Finds pure-Python modules under ``root`` and loads them with the patched builtins.

    A meta-path finder (``find_spec``, ``invalidate_caches``); not derived from
    ``importlib.abc.MetaPathFinder``, whose import costs start-up time.
    """

    def __init__(self, root: str, builtins_namespace: dict[str, Any]) -> None:
        self.root = os.path.realpath(root)
        self._excluded: list[str] | None = None
        self.loader_class = type(
            "LazyNumpyLoader", (_LazyNumpyLoader,), {"builtins_namespace": builtins_namespace}
        )

    @property
    def excluded(self) -> list[str]:
        """Library roots (stdlib, site-packages) not above ``root``; computed on first use."""
        if self._excluded is None:
            self._excluded = [p for p in _library_roots() if not _is_under(self.root, p)]
        return self._excluded

    def invalidate_caches(self) -> None:
        pass

    def _is_local(self, path: str) -> bool:
        real = os.path.realpath(path)
        if not _is_under(real, self.root):
            return False
        if any(_is_under(real, lib) for lib in self.excluded):
            return False
        inside = os.path.relpath(real, self.root).split(os.sep)
        return not any(part in ("site-packages", "dist-packages") for part in inside)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.partition(".")[0] in ("lazynp", "numpy"):
            return None
        if path is not None and not any(self._is_local(str(p)) for p in path):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        if type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return None
        if not self._is_local(spec.origin):
            return None
        spec.loader = self.loader_class(fullname, spec.origin)
        return spec


def _install_finder(finder: LocalModuleFinder) -> None:
    for index, entry in enumerate(sys.meta_path):
        if entry is importlib.machinery.PathFinder:
            sys.meta_path.insert(index, finder)
            return
    sys.meta_path.append(finder)


# --------------------------------------------------------------------------- run a script

def _script_traceback(tb: types.TracebackType | None, filename: str):
    """Drop the runner's own frames from the front of a traceback."""
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb


def run_script(script: str, args: Sequence[str] = (), explain: bool = False) -> int:
    """Run ``script`` as ``__main__`` with numpy imports resolved to lazynp; return exit status.

    ``SystemExit`` raised by the script propagates unchanged.
    """
    path = os.path.abspath(script)
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        print(f"lazynp run: can't open file {script!r}: {exc.strerror}", file=sys.stderr)
        return 2

    if explain:
        config.set(explain_on_force=True)

    namespace = patched_builtins()
    script_dir = os.path.dirname(os.path.realpath(path))
    sys.argv[:] = [script, *args]
    if sys.path:
        sys.path[0] = script_dir
    else:
        sys.path.append(script_dir)
    _install_finder(LocalModuleFinder(script_dir, namespace))

    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=path,
        __builtins__=namespace,
        __cached__=None,
        __loader__=importlib.machinery.SourceFileLoader("__main__", path),
        __package__=None,
        __spec__=None,
    )
    sys.modules["__main__"] = main
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        sys.excepthook(type(exc), exc.with_traceback(None), None)
        return 1
    try:
        exec(code, main.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: B036  (mirror the interpreter's top level)
        tb = _script_traceback(exc.__traceback__, path)
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0
