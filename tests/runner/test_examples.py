"""The scripts in examples/ print the same stdout under NumPy and under lazynp."""

from __future__ import annotations

import pytest

from ._scripts import REPO, run_lazynp, run_numpy

EXAMPLES = [
    ("pi.py", ["200000"]),
    ("pi_statements.py", ["200000"]),
    ("stencil.py", ["300", "20"]),
    ("blackscholes.py", ["100000"]),
]


@pytest.mark.parametrize("threshold", ["default", "0"])
@pytest.mark.parametrize("name, args", EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example_same_stdout(name, args, threshold):
    script = REPO / "examples" / name
    expected = run_numpy(script, *args)
    assert expected.returncode == 0, expected.stderr
    env = {} if threshold == "default" else {"LAZYNP_EAGER_THRESHOLD": threshold}
    got = run_lazynp("run", script, *args, env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout


def test_every_example_is_tested():
    on_disk = {p.name for p in (REPO / "examples").glob("*.py")}
    assert on_disk == {name for name, _ in EXAMPLES}
