"""Run NumPy's shipped test modules under NumPy and under lazynp; compare the outcomes.

    python -m tests.numpy_suite.run                      # every module below, default settings
    python -m tests.numpy_suite.run --threshold 0        # lazynp with every array lazy
    python -m tests.numpy_suite.run --modules numpy._core.tests.test_umath -j 2

Each module runs in its own pytest process, once against NumPy (the baseline) and once with
``--lazynp-swap`` (see ``plugin.py``).  Printed: per module, the tests that pass for NumPy and
how many of them pass for lazynp; then every test that passes for NumPy but not for lazynp
(``--list``), minus those documented in ``known_failures.txt`` unless ``--all``.  Outcomes are
written as JSON under ``--out`` (default ``/tmp/lazynp-numpy-suite``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# the 13 modules of the conformance issue, then the added ones
CORE_MODULES = [
    "numpy._core.tests.test_umath",
    "numpy._core.tests.test_numeric",
    "numpy._core.tests.test_shape_base",
    "numpy._core.tests.test_indexing",
    "numpy._core.tests.test_ufunc",
    "numpy._core.tests.test_einsum",
    "numpy.lib.tests.test_shape_base",
    "numpy.lib.tests.test_function_base",
    "numpy.lib.tests.test_nanfunctions",
    "numpy.lib.tests.test_twodim_base",
    "numpy.lib.tests.test_arraysetops",
    "numpy.linalg.tests.test_linalg",
    "numpy.fft.tests.test_pocketfft",
]
ADDED_MODULES = [
    "numpy._core.tests.test_multiarray",
    "numpy._core.tests.test_regression",
    "numpy._core.tests.test_arrayprint",
    "numpy._core.tests.test_scalarmath",
    "numpy._core.tests.test_dtype",
    "numpy.random.tests",
]


def known_failures(path: str = os.path.join(HERE, "known_failures.txt")) -> dict[str, str]:
    """``{test id: reason}`` from ``known_failures.txt`` (``# reason`` lines head a group)."""
    known: dict[str, str] = {}
    reason = ""
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                reason = line.lstrip("# ")
            elif line:
                known[line] = reason
    return known


def short_id(nodeid: str) -> str:
    """``.../site-packages/numpy/_core/tests/test_x.py::T::t`` -> ``numpy/_core/tests/test_x.py::T::t``."""
    at = nodeid.rfind("numpy/")
    path, _, rest = nodeid.partition("::")
    at = path.rfind("/numpy/")
    return (path[at + 1:] if at >= 0 else path) + ("::" + rest if rest else "")


def numpy_param_id(nodeid: str) -> str:
    """``t[True-lazynp.random]`` -> ``t[True-numpy.random]`` (ids pytest made from modules)."""
    name, bracket, params = nodeid.partition("[")
    if not bracket:
        return nodeid
    parts = [("numpy" + p[len("lazynp"):]) if p == "lazynp" or p.startswith("lazynp.") else p
             for p in params[:-1].split("-")]
    return name + "[" + "-".join(parts) + "]"


def run_module(module: str, swap: bool, out: str, env: dict[str, str],
               extra: list[str]) -> tuple[dict[str, str], float, str]:
    tag = "lazynp" if swap else "numpy"
    results = os.path.join(out, f"{module}.{tag}.json")
    # a stale results file would be an existing path on the command line: pytest would take it
    # into the rootdir computation (rootdir /, NumPy's own conftest.py loaded, other outcomes)
    if os.path.exists(results):
        os.remove(results)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "tests.numpy_suite.plugin",
           "-p", "no:cacheprovider", "--pyargs", module, "--lazynp-results", results,
           "-W", "ignore::pytest.PytestUnraisableExceptionWarning", *extra]
    if swap:
        cmd.append("--lazynp-swap")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    try:
        with open(results) as f:
            outcomes = {short_id(k): v for k, v in json.load(f).items()}
        if swap:  # a parameter that is the numpy module is lazynp's there: same test id
            outcomes = {numpy_param_id(k): v for k, v in outcomes.items()}
    except (OSError, ValueError):
        outcomes = {}
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
    return outcomes, elapsed, tail


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modules", nargs="*", default=None,
                   help="dotted module names (default: the 13 core ones and the added ones)")
    p.add_argument("--core", action="store_true", help="only the 13 core modules")
    p.add_argument("--threshold", type=int, default=None,
                   help="LAZYNP_EAGER_THRESHOLD for the lazynp run (default: lazynp's)")
    p.add_argument("-j", "--jobs", type=int, default=1)
    p.add_argument("--out", default="/tmp/lazynp-numpy-suite")
    p.add_argument("--list", action="store_true",
                   help="list every test that passes for NumPy but not for lazynp")
    p.add_argument("--all", action="store_true",
                   help="with --list: include the documented known failures")
    p.add_argument("--json", default=None, help="write the summary as JSON here")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = p.parse_args(argv)

    modules = args.modules or (CORE_MODULES if args.core else CORE_MODULES + ADDED_MODULES)
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    lazy_env = dict(env)
    if args.threshold is not None:
        lazy_env["LAZYNP_EAGER_THRESHOLD"] = str(args.threshold)

    # all baselines first: the two runs of one module (which may both need much memory,
    # e.g. test_shape_base's huge-list test) are not run at the same time
    jobs = [(m, s) for s in (False, True) for m in modules]
    done: dict[tuple[str, bool], tuple[dict[str, str], float, str]] = {}
    jobs_n = args.jobs if len(modules) > 1 else 1
    with concurrent.futures.ThreadPoolExecutor(jobs_n) as pool:
        futures = {pool.submit(run_module, m, s, args.out, lazy_env if s else env,
                               args.pytest_args): (m, s) for m, s in jobs}
        for fut in concurrent.futures.as_completed(futures):
            done[futures[fut]] = fut.result()

    known = known_failures()
    summary = {"threshold": args.threshold, "modules": {}}
    total_np = total_lz = 0
    unexplained: list[str] = []
    print(f"{'module':42s} {'NumPy pass':>10s} {'lazynp':>8s} {'ratio':>7s} {'known':>6s}"
          f" {'time np/lz':>12s}")
    for m in modules:
        base, t0, tail0 = done[(m, False)]
        lazy, t1, tail1 = done[(m, True)]
        passing = [k for k, v in base.items() if v == "passed"]
        lost = sorted(k for k in passing if lazy.get(k) != "passed")
        n_np, n_lz = len(passing), len(passing) - len(lost)
        n_known = sum(1 for k in lost if k in known)
        total_np += n_np
        total_lz += n_lz
        ratio = n_lz / n_np if n_np else float("nan")
        print(f"{m:42s} {n_np:10d} {n_lz:8d} {ratio:7.2%} {n_known:6d} {t0:5.0f}/{t1:4.0f} s")
        if not base:
            print("   baseline produced no results:\n   " + tail0.replace("\n", "\n   "))
        if not lazy:
            print("   lazynp run produced no results:\n   " + tail1.replace("\n", "\n   "))
        summary["modules"][m] = {"numpy_passed": n_np, "lazynp_passed": n_lz,
                                 "known": n_known,
                                 "lost": {k: lazy.get(k, "missing") for k in lost}}
        unexplained += [f"{k}  [{lazy.get(k, 'missing')}]" for k in lost
                        if args.all or k not in known]
    ratio = total_lz / total_np if total_np else float("nan")
    print(f"{'total':42s} {total_np:10d} {total_lz:8d} {ratio:7.2%}")
    if args.list:
        print(f"\npass for NumPy, not for lazynp ({len(unexplained)}):")
        for line in unexplained:
            print("  " + line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
