"""``python -m lazynp run``: numpy imports resolved to lazynp in the script only."""

from __future__ import annotations

import json

import pytest

from lazynp import _runner

from ._scripts import run_lazynp, write


def _json_out(proc) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- unit


@pytest.mark.parametrize(
    "name, expected",
    [
        ("numpy", "lazynp"),
        ("numpy.linalg", "lazynp.linalg"),
        ("numpy.random._generator", "lazynp.random._generator"),
        ("numpyx", None),
        ("scipy", None),
        ("np", None),
        ("lazynp", None),
    ],
)
def test_rewrite_name(name, expected):
    assert _runner.rewrite_name(name) == expected


def test_patched_builtins_is_a_copy():
    import builtins

    ns = _runner.patched_builtins()
    assert ns["__import__"] is _runner.lazynp_import
    assert builtins.__import__ is not _runner.lazynp_import
    assert ns["len"] is len


def test_lazynp_import_relative_import_untouched(monkeypatch):
    seen = []

    def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
        seen.append((name, level))
        return None

    monkeypatch.setattr(_runner, "_REAL_IMPORT", fake_import)
    _runner.lazynp_import("numpy", {"__package__": "pkg"}, None, ("x",), 1)
    _runner.lazynp_import("numpy.linalg", None, None, (), 0)
    assert seen == [("numpy", 1), ("lazynp.linalg", 0)]


# --------------------------------------------------------------------------- import forms

IMPORT_FORMS = """
import json
import sys

import numpy
import numpy as np
import numpy.linalg
import numpy.random as npr
from numpy import linalg as la
from numpy import float64, ones


def inner():
    import numpy as np2

    return np2.__name__


out = {
    "np": np.__name__,
    "numpy": numpy.__name__,
    "np_is_lazynp": np is sys.modules["lazynp"],
    "la": la.__name__,
    "numpy.linalg": numpy.linalg.__name__,
    "npr": npr.__name__,
    "ones": ones is sys.modules["lazynp"].ones,
    "float64": float64 is sys.modules["numpy"].float64,
    "inner": inner(),
    "sys_numpy": sys.modules["numpy"].__name__,
    "builtin_dunder": __import__("numpy").__name__,
}
print(json.dumps(out))
"""


def test_import_forms_resolve_to_lazynp(tmp_path):
    script = write(tmp_path / "forms.py", IMPORT_FORMS)
    out = _json_out(run_lazynp("run", script))
    assert out == {
        "np": "lazynp",
        "numpy": "lazynp",
        "np_is_lazynp": True,
        "la": "lazynp.linalg",
        "numpy.linalg": "lazynp.linalg",
        "npr": "lazynp.random",
        "ones": True,
        "float64": True,
        "inner": "lazynp",
        "sys_numpy": "numpy",
        "builtin_dunder": "lazynp",
    }


def test_default_rng_from_numpy_random(tmp_path):
    script = write(
        tmp_path / "rng.py",
        """
        import json
        import sys

        from numpy.random import default_rng

        lazy_random = sys.modules["lazynp.random"]
        print(json.dumps({"same": default_rng is lazy_random.default_rng}))
        """,
    )
    assert _json_out(run_lazynp("run", script)) == {"same": True}


def test_submodule_lazynp_lacks_comes_from_numpy(tmp_path):
    script = write(
        tmp_path / "poly.py",
        """
        import json
        import numpy.polynomial
        import numpy.lib.stride_tricks as st
        from numpy.polynomial import Polynomial

        print(json.dumps({
            "top": numpy.__name__,
            "poly": numpy.polynomial.__name__,
            "st": st.__name__,
            "P": bool(Polynomial([1, 2])(2.0) == 5.0),
        }))
        """,
    )
    assert _json_out(run_lazynp("run", script)) == {
        "top": "lazynp",
        "poly": "numpy.polynomial",
        "st": "numpy.lib.stride_tricks",
        "P": True,
    }


def test_modules_below_a_numpy_level_load_once(tmp_path):
    # numpy._core is NumPy's module under the name lazynp._core; a module below it (imported
    # by the script, or by NumPy itself for a structured scalar's repr) must be NumPy's one
    # copy, not a second load of the file ("cannot load module more than once per process")
    script = write(
        tmp_path / "below.py",
        """
        import json
        import numpy as np
        import numpy._core.multiarray as ma
        from numpy._core import _internal

        text = repr(np.zeros(2, dtype=[("a", "S4"), ("b", float)])[0])
        print(json.dumps({"ma": ma.__name__, "internal": _internal.__name__, "repr": text}))
        """,
    )
    import numpy

    expected = repr(numpy.zeros(2, dtype=[("a", "S4"), ("b", float)])[0])
    assert _json_out(run_lazynp("run", script)) == {
        "ma": "numpy._core.multiarray",
        "internal": "numpy._core._internal",
        "repr": expected,
    }


def test_other_libraries_keep_real_numpy(tmp_path):
    pytest.importorskip("scipy")
    script = write(
        tmp_path / "sci.py",
        """
        import json
        import sys

        import numpy as np
        import scipy.linalg
        import scipy.linalg._basic as basic

        real = sys.modules["numpy"]
        inv = scipy.linalg.inv([[2.0, 0.0], [0.0, 4.0]])
        print(json.dumps({
            "np": np.__name__,
            "scipy_np": basic.np.__name__,
            "scipy_np_is_real": basic.np is real,
            "inv_type": type(inv) is real.ndarray,
            "inv": inv.tolist(),
        }))
        """,
    )
    assert _json_out(run_lazynp("run", script)) == {
        "np": "lazynp",
        "scipy_np": "numpy",
        "scipy_np_is_real": True,
        "inv_type": True,
        "inv": [[0.5, 0.0], [0.0, 0.25]],
    }


def test_local_helper_modules_get_lazynp(tmp_path):
    write(tmp_path / "helper.py", "import numpy as np\nNAME = np.__name__\n")
    write(tmp_path / "pkg" / "__init__.py", "from numpy import linalg\nNAME = linalg.__name__\n")
    write(tmp_path / "pkg" / "sub.py", "import numpy\nNAME = numpy.__name__\n")
    write(tmp_path / "nspkg" / "mod.py", "import numpy\nNAME = numpy.__name__\n")
    write(tmp_path / "elsewhere" / "outside.py", "import numpy\nNAME = numpy.__name__\n")
    script = write(
        tmp_path / "app" / "main.py",
        """
        import json
        import os
        import sys

        here = os.path.dirname(__file__)
        sys.path.insert(1, os.path.dirname(here))
        sys.path.append(os.path.join(os.path.dirname(here), "elsewhere"))

        import helper2
        import outside

        print(json.dumps({"helper2": helper2.NAME, "outside": outside.NAME}))
        """,
    )
    # helper2 lives next to the script and imports a package below the script dir.
    write(tmp_path / "app" / "helper2.py", "from deep import mod\nNAME = mod.NAME\n")
    write(tmp_path / "app" / "deep" / "__init__.py", "")
    write(tmp_path / "app" / "deep" / "mod.py", "import numpy as np\nNAME = np.__name__\n")
    # modules outside the script's directory tree keep real NumPy
    assert _json_out(run_lazynp("run", script)) == {"helper2": "lazynp", "outside": "numpy"}

    script2 = write(
        tmp_path / "main2.py",
        """
        import json

        import helper
        import nspkg.mod
        import pkg
        import pkg.sub

        print(json.dumps({
            "helper": helper.NAME,
            "pkg": pkg.NAME,
            "pkg.sub": pkg.sub.NAME,
            "nspkg.mod": nspkg.mod.NAME,
        }))
        """,
    )
    assert _json_out(run_lazynp("run", script2)) == {
        "helper": "lazynp",
        "pkg": "lazynp.linalg",
        "pkg.sub": "lazynp",
        "nspkg.mod": "lazynp",
    }


# --------------------------------------------------------------------------- __main__ semantics


def test_argv_name_file_and_path(tmp_path):
    script = write(
        tmp_path / "argv.py",
        """
        import json
        import sys

        if __name__ == "__main__":
            print(json.dumps({
                "argv": sys.argv,
                "file": __file__,
                "path0": sys.path[0],
                "main_module": sys.modules["__main__"].__dict__ is globals(),
            }))
        """,
    )
    out = _json_out(run_lazynp("run", script, "1", "--flag", "-x", "--help"))
    assert out == {
        "argv": [str(script), "1", "--flag", "-x", "--help"],
        "file": str(script),
        "path0": str(tmp_path.resolve()),
        "main_module": True,
    }


def test_relative_script_path(tmp_path):
    write(tmp_path / "rel.py", "import sys\nprint(sys.argv[0], __file__)\n")
    proc = run_lazynp("run", "rel.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["rel.py", str(tmp_path / "rel.py")]


def test_pickle_class_defined_in_script(tmp_path):
    script = write(
        tmp_path / "pick.py",
        """
        import pickle


        class Point:
            def __init__(self, x):
                self.x = x


        print(pickle.loads(pickle.dumps(Point(3))).x)
        """,
    )
    proc = run_lazynp("run", script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3"


@pytest.mark.parametrize(
    "body, code, stderr",
    [
        ("import sys\nsys.exit(7)\n", 7, ""),
        ("import sys\nsys.exit(0)\n", 0, ""),
        ("import sys\nsys.exit('bad input')\n", 1, "bad input"),
        ("raise SystemExit\n", 0, ""),
        ("print('done')\n", 0, ""),
    ],
)
def test_exit_codes(tmp_path, body, code, stderr):
    script = write(tmp_path / "ex.py", body)
    proc = run_lazynp("run", script)
    assert proc.returncode == code
    assert stderr in proc.stderr


def test_exception_prints_script_traceback(tmp_path):
    script = write(
        tmp_path / "boom.py",
        """
        def fail():
            raise ValueError("boom 42")


        fail()
        """,
    )
    proc = run_lazynp("run", script)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Traceback (most recent call last):")
    assert f'File "{script}", line 6, in <module>' in proc.stderr
    assert "ValueError: boom 42" in proc.stderr
    assert "_runner.py" not in proc.stderr
    assert "__main__.py" not in proc.stderr


def test_missing_script(tmp_path):
    proc = run_lazynp("run", tmp_path / "nope.py")
    assert proc.returncode == 2
    assert "can't open file" in proc.stderr


def test_explain_flag_sets_config(tmp_path):
    script = write(
        tmp_path / "exp.py",
        "import lazynp\nprint(lazynp.config.explain_on_force)\n",
    )
    assert run_lazynp("run", script).stdout.strip() == "False"
    assert run_lazynp("run", "--explain", script).stdout.strip() == "True"


def test_help():
    top = run_lazynp("--help")
    assert top.returncode == 0
    assert "run" in top.stdout
    sub = run_lazynp("run", "--help")
    assert sub.returncode == 0
    for flag in ("--compare", "--explain", "script"):
        assert flag in sub.stdout
    bare = run_lazynp()
    assert bare.returncode == 2


def test_env_command_lists_every_setting():
    from lazynp._config import SETTINGS

    proc = run_lazynp("env")
    assert proc.returncode == 0, proc.stderr
    for s in SETTINGS:
        assert s.env in proc.stdout


# --------------------------------------------------------------------------- --compare


def test_compare_identical(tmp_path):
    script = write(tmp_path / "same.py", "import sys\nprint('hello', sys.argv[1:])\n")
    proc = run_lazynp("run", "--compare", script, "a")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "hello ['a']"
    assert any(line.startswith("numpy  :") and line.endswith(" s") for line in lines)
    assert any(line.startswith("lazynp :") for line in lines)
    assert any(line.startswith("speedup:") and "x" in line for line in lines)
    assert "stdout : identical" in lines


def test_compare_different_shows_diff(tmp_path):
    script = write(tmp_path / "diff.py", "import numpy\nprint('same')\nprint(numpy.__name__)\n")
    proc = run_lazynp("run", "--compare", script)
    assert proc.returncode == 3
    assert "stdout : DIFFERENT" in proc.stdout
    assert "-numpy" in proc.stdout
    assert "+lazynp" in proc.stdout


def test_compare_failure(tmp_path):
    script = write(tmp_path / "fail.py", "import sys\nsys.exit(4)\n")
    proc = run_lazynp("run", "--compare", script)
    assert proc.returncode == 1
    assert "FAILED (exit 4)" in proc.stdout


def test_module_runs_from_any_cwd(tmp_path):
    script = write(tmp_path / "cwd.py", "import numpy as np\nprint(np.__name__)\n")
    proc = run_lazynp("run", script.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "lazynp"


def test_syntax_error(tmp_path):
    script = write(tmp_path / "syn.py", "x = (1,\n")
    proc = run_lazynp("run", script)
    assert proc.returncode == 1
    assert "SyntaxError" in proc.stderr
    assert "_runner.py" not in proc.stderr


def test_star_import_and_fallback_submodules(tmp_path):
    script = write(
        tmp_path / "star.py",
        """
        import json

        from numpy import *  # noqa: F403
        import numpy.typing as npt

        x = arange(5, dtype=float)  # noqa: F405
        print(json.dumps({"module": arange.__module__.split(".")[0],  # noqa: F405
                          "npt": npt.__name__, "x": x.tolist()}))
        """,
    )
    assert _json_out(run_lazynp("run", script)) == {"module": "lazynp", "npt": "numpy.typing",
                                                     "x": [0.0, 1.0, 2.0, 3.0, 4.0]}
