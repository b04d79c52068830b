"""Start-up: ``import lazynp`` leaves the heavy parts (fusion, code generators, llvmlite,
lazynp.random, lazynp.linalg) to their first use (timings: ``bench/startup.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.runner._scripts import env_with_repo

HEAVY = ("lazynp.random", "lazynp.linalg", "lazynp.fusion", "lazynp.codegen_cpu", "llvmlite")


def _modules_after(source: str) -> dict:
    code = source + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", code], env=env_with_repo(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_import_and_small_arrays_load_nothing_heavy():
    loaded = _modules_after("import lazynp as np\nprint(np.arange(10).sum())")
    assert "lazynp" in loaded
    assert not [m for m in loaded if m.startswith(HEAVY)]


def test_submodules_load_on_first_use():
    loaded = _modules_after(
        "import lazynp\n"
        "assert lazynp.random.default_rng(0).random(3).shape == (3,)\n"
        "from lazynp import linalg\n"
        "assert linalg is lazynp.linalg\n"
        "assert 'random' in dir(lazynp) and 'linalg' in lazynp.__all__\n"
    )
    assert {"lazynp.random", "lazynp.linalg"} <= loaded


def test_a_fused_force_loads_fusion():
    loaded = _modules_after(
        "import lazynp as np\nx = np.ones(4_000_000) * 2.0 + 1.0\nassert float(x.sum()) == 12e6"
    )
    assert "lazynp.fusion" in loaded


def test_plain_run_skips_argparse_and_compare_machinery(tmp_path):
    from tests.runner._scripts import run_lazynp, write

    script = write(tmp_path / "s.py", """
        import json, sys
        import numpy as np
        print(np.arange(10).sum())
        print(json.dumps(sorted(sys.modules)))
    """)
    proc = run_lazynp("run", script, "--", "x")  # ("--": parsed by argparse)
    assert proc.returncode == 0, proc.stderr
    assert "argparse" in json.loads(proc.stdout.splitlines()[-1])
    proc = run_lazynp("run", script, "-x", "y")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "45"
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    assert not loaded & {"argparse", "subprocess", "difflib", "importlib.abc", "sysconfig"}
    assert not [m for m in loaded if m.startswith(HEAVY)]
