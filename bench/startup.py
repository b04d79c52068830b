"""Start-up cost of ``python -m lazynp run script.py`` against ``python script.py``.

    python bench/startup.py [--runs N] [--keep-pycache]

Trivial NumPy scripts (written to a temporary directory) are run ``--runs`` times each (20 by
default) as ``python script.py`` and as ``python -m lazynp run script.py``, alternating, and
the median wall time of each (subprocess start to exit, ``sys.executable``) and their ratio
are reported.  ``python -c "import numpy"`` and ``python -c "import lazynp"`` are timed the
same way.  Target: every ratio <= 1.2 with bytecode caches.

Two bytecode setups are measured:

no-pycache  ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` under the lazynp package (it
            is removed first): lazynp's sources are compiled at every start, as in a fresh
            checkout run in an environment that forbids writing bytecode.
pycache     ``python -m compileall -q`` over the package first, ``PYTHONDONTWRITEBYTECODE``
            removed from the children's environment: the normal user setup (pip install
            compiles, or the first run writes the caches).

The lazynp package timed is the one of this checkout (its parent is put first on the
children's ``PYTHONPATH``).  Unless ``--keep-pycache`` is given, the package's ``__pycache__``
directories are removed again at the end when there were none before.  Each command is run
once untimed first (warm file cache, bytecode written); both runs of a script must print the
same output.  Results go to stdout and to ``bench/results/startup.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_info, write_json  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "lazynp"

SCRIPTS = {
    "sum": """\
import numpy as np
a = np.arange(10)
print(a.sum())
""",
    "loop": """\
import numpy as np
x = np.zeros(8)
for i in range(100):
    x = x * 0.5 + i
print(float(x.sum()))
""",
    "random": """\
import numpy as np
print(np.random.default_rng(0).random(5))
""",
    "linalg": """\
import numpy as np
print(np.linalg.norm(np.arange(12.0).reshape(3, 4)))
""",
}


def _pycache_dirs() -> list[Path]:
    return sorted(PACKAGE.rglob("__pycache__"))


def _remove_pycache() -> None:
    for path in _pycache_dirs():
        shutil.rmtree(path)


def _environment(bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    extra = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + extra if extra else "")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"bench/startup.py: {' '.join(cmd)} failed (exit {proc.returncode}):\n"
            + proc.stderr.decode(errors="replace")
        )
    return elapsed, proc.stdout.decode(errors="replace")


def _pair(numpy_cmd: list[str], lazy_cmd: list[str], env: dict[str, str], cwd: str,
          runs: int) -> dict[str, float]:
    _, numpy_out = _run(numpy_cmd, env, cwd)  # untimed: warm caches, write bytecode
    _, lazy_out = _run(lazy_cmd, env, cwd)
    if numpy_out != lazy_out:
        raise SystemExit(
            f"bench/startup.py: outputs differ for {lazy_cmd[-1]}:\n"
            f"numpy : {numpy_out!r}\nlazynp: {lazy_out!r}"
        )
    numpy_times, lazy_times = [], []
    for i in range(runs):
        order = [(numpy_cmd, numpy_times), (lazy_cmd, lazy_times)]
        if i % 2:
            order.reverse()
        for cmd, times in order:
            times.append(_run(cmd, env, cwd)[0])
    numpy_median = statistics.median(numpy_times)
    lazy_median = statistics.median(lazy_times)
    return {
        "numpy_s": numpy_median,
        "lazynp_s": lazy_median,
        "ratio": lazy_median / numpy_median,
        "numpy_min_s": min(numpy_times),
        "lazynp_min_s": min(lazy_times),
    }


def _measure(bytecode: bool, workdir: str, runs: int) -> dict[str, dict[str, float]]:
    env = _environment(bytecode)
    py = sys.executable
    rows = {
        "import": _pair([py, "-c", "import numpy"], [py, "-c", "import lazynp"], env, workdir,
                        runs)
    }
    for name in SCRIPTS:
        script = f"startup_{name}.py"  # prefixed: "random.py" would shadow the stdlib
        rows[name] = _pair([py, script], [py, "-m", "lazynp", "run", script], env, workdir, runs)
    return rows


def _print_table(setup: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{setup}")
    print(f"  {'case':<10} {'numpy':>10} {'lazynp':>10} {'ratio':>7}")
    for name, row in rows.items():
        label = "import" if name == "import" else f"{name}.py"
        print(f"  {label:<10} {row['numpy_s'] * 1e3:8.1f} ms {row['lazynp_s'] * 1e3:8.1f} ms "
              f"{row['ratio']:6.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command (20)")
    parser.add_argument("--keep-pycache", action="store_true",
                        help="leave the package's __pycache__ directories in place at the end")
    args = parser.parse_args()

    had_pycache = bool(_pycache_dirs())
    results = {}
    with tempfile.TemporaryDirectory(prefix="lazynp-startup-") as workdir:
        for name, text in SCRIPTS.items():
            Path(workdir, f"startup_{name}.py").write_text(text)

        _remove_pycache()
        results["no-pycache"] = _measure(False, workdir, args.runs)
        _print_table("no-pycache (PYTHONDONTWRITEBYTECODE=1, lazynp compiled at every start)",
                     results["no-pycache"])

        subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True)
        results["pycache"] = _measure(True, workdir, args.runs)
        _print_table("pycache (compileall first, bytecode caching allowed)", results["pycache"])

    if not had_pycache and not args.keep_pycache:
        _remove_pycache()

    path = write_json("startup.json", {
        "machine": machine_info(),
        "runs": args.runs,
        "scripts": SCRIPTS,
        "results": results,
        "target_ratio": 1.2,
    })
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
