"""pytest plugin: run NumPy's shipped tests with ``numpy`` swapped for lazynp.

Load it with ``-p tests.numpy_suite.plugin`` and point pytest at NumPy's test modules
(``--pyargs numpy._core.tests.test_umath ...``).  Options:

``--lazynp-swap``
    Every ``import numpy`` / ``from numpy... import`` executed by a NumPy test module
    (a module whose file is in one of NumPy's ``tests`` folders) resolves to lazynp, exactly as
    ``python -m lazynp run`` resolves a script's imports: ``np`` is lazynp, ``from numpy
    import array`` is lazynp's ``array``, and the levels lazynp does not have
    (``numpy.testing``, ``numpy._core``, ``numpy.exceptions``...) stay NumPy's own.
    Without the option the tests run against NumPy (the baseline).
``--lazynp-results FILE``
    Write ``{nodeid: outcome}`` as JSON (outcome: passed, failed, skipped, xfailed,
    xpassed, error).
"""

from __future__ import annotations

import builtins
import functools
import json
import os
from typing import Any

import numpy
import pytest


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("lazynp")
    group.addoption("--lazynp-swap", action="store_true", default=False,
                    help="resolve numpy imports of NumPy's test modules to lazynp")
    group.addoption("--lazynp-results", default=None, metavar="FILE",
                    help="write each test's outcome as JSON")


_NUMPY_DIR = os.path.dirname(os.path.realpath(numpy.__file__))


@functools.lru_cache(maxsize=None)
def is_numpy_test_file(path: Any) -> bool:
    """A file of NumPy's own test folders (``numpy/<...>/tests/...``).  Decided by the file,
    not the module name: pytest imports the modules of a test folder without
    ``__init__.py`` (``numpy/_core/tests``) under their base names (``test_umath``)."""
    if not isinstance(path, str):
        return False
    rel = os.path.relpath(os.path.realpath(path), _NUMPY_DIR)
    return not rel.startswith("..") and "tests" in rel.split(os.sep)[:-1]


def swapping_import(real_import: Any, lazy_import: Any) -> Any:
    """``builtins.__import__`` that uses ``lazy_import`` for imports made by NumPy's tests."""

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A001
        if level == 0 and globals is not None and is_numpy_test_file(globals.get("__file__")):
            return lazy_import(name, globals, locals, fromlist, level)
        return real_import(name, globals, locals, fromlist, level)

    return __import__


_OUTCOMES: dict[str, str] = {}


def pytest_configure(config: Any) -> None:
    if config.getoption("--lazynp-swap"):
        from lazynp._runner import lazynp_import

        config._lazynp_real_import = builtins.__import__
        builtins.__import__ = swapping_import(builtins.__import__, lazynp_import)


def pytest_unconfigure(config: Any) -> None:
    real = getattr(config, "_lazynp_real_import", None)
    if real is not None:
        builtins.__import__ = real
    path = config.getoption("--lazynp-results")
    if path:
        with open(path, "w") as f:
            json.dump(_OUTCOMES, f, indent=0, sort_keys=True)


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report: Any) -> None:
    outcomes = _OUTCOMES
    node = report.nodeid
    if hasattr(report, "wasxfail"):
        outcome = "xpassed" if report.passed else "xfailed"
    elif report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcome = "skipped"
    else:
        outcome = "passed"
    previous = outcomes.get(node)
    # setup, call, teardown: the first non-pass wins; a test passes if each phase passed
    if previous is None or previous == "passed":
        outcomes[node] = outcome
