"""A fast subset of NumPy's own test suite, run with ``numpy`` swapped for lazynp.

Each module runs in a subprocess (``plugin.py``, ``--lazynp-swap``, lazynp's default
settings, and a few with every array lazy); every test that passes for NumPy must pass for lazynp, except the documented
ones in ``known_failures.txt``.  The whole comparison is ``python -m tests.numpy_suite.run``.
"""

from __future__ import annotations

import pytest

from .run import known_failures, numpy_param_id, run_module

FAST_MODULES = [
    "numpy._core.tests.test_einsum",
    "numpy._core.tests.test_indexing",
    "numpy.lib.tests.test_twodim_base",
    "numpy.lib.tests.test_arraysetops",
    "numpy.lib.tests.test_shape_base",
    "numpy.lib.tests.test_nanfunctions",
    "numpy.fft.tests.test_pocketfft",
    "numpy._core.tests.test_memmap",
]


# modules that also pass with every array lazy (LAZYNP_EAGER_THRESHOLD=0): the lazy tier's
# graph, kernels and hand-over under NumPy's own tests
LAZY_MODULES = [
    "numpy.lib.tests.test_twodim_base",
    "numpy.fft.tests.test_pocketfft",
]


@pytest.mark.parametrize("module,threshold", [(m, None) for m in FAST_MODULES]
                         + [(m, 0) for m in LAZY_MODULES])
def test_numpy_suite_module(module, threshold, tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LAZYNP_")}
    if threshold is not None:
        env["LAZYNP_EAGER_THRESHOLD"] = str(threshold)
    outcomes, _, tail = run_module(module, True, str(tmp_path), env, [])
    assert outcomes, f"no results from {module}:\n{tail}"
    known = known_failures()
    lost = sorted(k for k, v in outcomes.items() if v in ("failed", "error") and k not in known)
    assert not lost, f"{len(lost)} tests of {module} fail under lazynp:\n" + "\n".join(lost)


def test_numpy_param_id():
    # ids pytest made from the numpy module name the lazynp module under the swap
    assert numpy_param_id("t.py::T::f[True-lazynp.random]") == "t.py::T::f[True-numpy.random]"
    assert numpy_param_id("t.py::f[lazynp]") == "t.py::f[numpy]"
    assert numpy_param_id("t.py::f[lazynpx-1]") == "t.py::f[lazynpx-1]"
    assert numpy_param_id("t.py::f") == "t.py::f"


def test_stale_results_file_is_not_read(tmp_path):
    # a results file left by an earlier run is removed first (as an existing path on the
    # command line it would also change pytest's rootdir)
    stale = tmp_path / "numpy.fft.tests.test_helper.lazynp.json"
    stale.write_text('{"x.py::stale": "passed"}')
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LAZYNP_")}
    outcomes, _, tail = run_module("numpy.fft.tests.test_helper", True, str(tmp_path), env, [])
    assert outcomes, tail
    assert "x.py::stale" not in outcomes
