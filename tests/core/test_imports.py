"""lazynp's import structure, read from the source with ``ast`` (nothing is imported).

* No import cycle among lazynp's modules, counting the imports made inside functions too
  (importing ``a.b.c`` also imports the packages ``a.b`` and ``a``).
* An import of a lazynp module inside a function is one of the deliberate lazy loads listed in
  ``LAZY_LOADS`` with its reason (start-up time: ``bench/startup.py``); any other belongs at
  module level.
* No import of a lazynp module inside a ``try`` that catches its ``ImportError`` (a broken
  module must fail loudly), and no type recognised by its ``__module__`` string.
* The version is written once, in ``lazynp/_version.py``.

Imports under ``if TYPE_CHECKING:`` never run and are not counted.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

import lazynp
from lazynp import _version

ROOT = pathlib.Path(lazynp.__file__).parent
REPO = ROOT.parent

# (importing module, imported module): why it is imported inside a function
LAZY_LOADS = {
    ("lazynp", "lazynp.fusion.explain"):
        "lazynp.explain: the planner's explain output, on the first explain (start-up)",
    ("lazynp", "lazynp.graph.printing"):
        "lazynp.explain: the graph printers, on the first explain (start-up)",
    ("lazynp", "lazynp.dask.graph"):
        "lazynp.to_dask, and explain under scheduler='dask': the Dask bridge, on call "
        "(importing lazynp never imports Dask)",
    ("lazynp.__main__", "lazynp._compare"):
        "--compare only (subprocess, difflib): not for a plain run (start-up)",
    ("lazynp._engine", "lazynp.fusion"):
        "_engine._load_fusion: the fusion planner, on the first fused force (start-up)",
    ("lazynp._engine", "lazynp.fusion.explain"):
        "_engine._load_fusion: the fusion planner, on the first fused force (start-up)",
    ("lazynp._engine", "lazynp.fusion.plancache"):
        "_engine._load_fusion: the fusion planner, on the first fused force (start-up)",
    ("lazynp._engine", "lazynp.graph.printing"):
        "config.explain_on_force debug output, on first use (start-up)",
    ("lazynp.random._kernels", "lazynp.codegen_cpu.compiler"):
        "the LLVM compiler, on the first random kernel build (start-up)",
    ("lazynp.random._kernels", "lazynp.random._dsl"):
        "the DSL translator, on the first random kernel build (start-up)",
    ("lazynp.random._kernels", "lazynp.random._dists"):
        "the DSL source of the distributions, on the first random kernel build (start-up)",
}
# Not seen by ``ast`` as imports: ``lazynp.__getattr__`` imports ``lazynp.random`` and
# ``lazynp.linalg`` with ``importlib`` on first use (start-up); neither is imported by the core.
# ``lazynp._backends.get`` imports a registered backend's runtime (``codegen_cpu.runtime``,
# llvmlite) with ``importlib`` on the first compiled kernel (start-up).
# ``lazynp._engine._dask_graph`` imports ``lazynp.dask.graph`` (which imports the engine) with
# ``importlib`` on the first force under ``config.scheduler == "dask"`` (Dask, on use only).


def _modules() -> dict[str, tuple[pathlib.Path, bool]]:
    mods = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        mods[".".join(parts)] = (path, is_pkg)
    return mods


MODULES = _modules()


def _known(name: str) -> str:
    """The lazynp module that importing ``name`` (a module or a name in one) loads."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _targets(mod: str, is_pkg: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [_known(a.name) for a in node.names if a.name.split(".")[0] == "lazynp"]
    if node.level:
        base = mod.split(".") if is_pkg else mod.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        name = ".".join(base + ([node.module] if node.module else []))
    else:
        name = node.module or ""
    if name.split(".")[0] != "lazynp":
        return []
    return [_known(f"{name}.{a.name}") for a in node.names]


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _walk_imports(mod: str, is_pkg: bool, node: ast.AST, func: str | None,
                  found: list) -> None:
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            continue
        inner = func
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = func or getattr(child, "name", "<lambda>")
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            for target in _targets(mod, is_pkg, child):
                if target != mod:
                    found.append((mod, target, child.lineno, func))
        _walk_imports(mod, is_pkg, child, inner, found)


def _imports() -> list[tuple[str, str, int, str | None]]:
    """(importer, imported, line, enclosing function or None) for every lazynp import."""
    found: list = []
    for mod, (path, is_pkg) in MODULES.items():
        _walk_imports(mod, is_pkg, ast.parse(path.read_text(), str(path)), None, found)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, target, _line, _func in _imports():
        graph[mod].add(target)
        parent = target.rpartition(".")[0]
        while parent:  # the packages above ``target``, except ``mod``'s own (already loading)
            if not (mod == parent or mod.startswith(parent + ".")):
                graph[mod].add(parent)
            parent = parent.rpartition(".")[0]
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_function_level_imports_are_the_documented_lazy_loads():
    local = [(m, t, line, f) for m, t, line, f in _imports() if f is not None]
    undocumented = [f"{m}:{line} ({f}) imports {t}" for m, t, line, f in local
                    if (m, t) not in LAZY_LOADS]
    assert undocumented == [], "import these at module level, or document a lazy load"
    stale = set(LAZY_LOADS) - {(m, t) for m, t, _line, _f in local}
    assert stale == set(), "LAZY_LOADS entries with no such import left"


_CATCHES_IMPORT_ERROR = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(ast.unparse(t).rpartition(".")[2] in _CATCHES_IMPORT_ERROR for t in types)


def test_no_swallowed_import_errors_of_lazynp_modules():
    found = []
    for mod, (path, is_pkg) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Try):
                continue
            if not any(_catches_import_error(h) for h in node.handlers):
                continue
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if (isinstance(sub, (ast.Import, ast.ImportFrom))
                            and _targets(mod, is_pkg, sub)):
                        found.append(f"{mod}:{sub.lineno}")
    assert found == []


def _reads_module_name(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "__module__"
               and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def test_no_module_string_type_checks():
    """Types are recognised by identity or ``isinstance``, not by comparing or matching their
    ``__module__`` string."""
    found = []
    for mod, (path, _is_pkg) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Compare) and _reads_module_name(node):
                found.append(f"{mod}:{node.lineno}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and _reads_module_name(node.func.value)):
                found.append(f"{mod}:{node.lineno}")  # ``x.__module__.startswith(...)``
    assert found == []


def test_version_is_written_once():
    tomllib = pytest.importorskip("tomllib")  # (Python 3.11+)
    assert lazynp.__version__ == _version.__version__
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "lazynp._version.__version__"
    # the compiled-kernel cache key reads it without importing the package root
    assert not any(t == "lazynp" for m, t, _line, _f in _imports()
                   if m.startswith("lazynp.codegen_cpu."))
