"""Helpers for the runner tests: write a small script into a temp dir and run it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def env_with_repo(**extra_env: str) -> dict[str, str]:
    """The current environment with the repository first on PYTHONPATH (works uninstalled)."""
    env = dict(os.environ, **extra_env)
    extra = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + extra if extra else "")
    return env


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def run_lazynp(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
):
    """``python -m lazynp ARGS...`` in a subprocess; returns the CompletedProcess (text).

    ``env`` adds variables (e.g. ``LAZYNP_EAGER_THRESHOLD``) to the inherited environment.
    """
    return subprocess.run(
        [sys.executable, "-m", "lazynp", *map(str, args)],
        cwd=cwd,
        env=env_with_repo(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_numpy(script: Path, *args: str, timeout: float = 120):
    """``python SCRIPT ARGS...`` with real NumPy."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=env_with_repo(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
