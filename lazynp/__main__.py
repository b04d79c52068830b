"""Command line: ``python -m lazynp run [--compare] [--explain] script.py [args...]``.

``python -m lazynp env`` lists every setting with its ``LAZYNP_*`` environment variable.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lazynp import _runner
from lazynp._config import SETTINGS, config

if TYPE_CHECKING:
    import argparse


def _parser() -> argparse.ArgumentParser:
    import argparse  # (not for a plain run: see _plain_run)

    parser = argparse.ArgumentParser(
        prog="python -m lazynp",
        description="lazynp: a lazy, fusing, JIT-compiled drop-in replacement for NumPy.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser(
        "run",
        help="run an unmodified NumPy script with its numpy imports resolved to lazynp",
        description=(
            "Run SCRIPT as __main__ with 'import numpy' (and numpy.* submodules) resolved to "
            "lazynp in the script and in modules imported from the script's directory. "
            "Every other library keeps using real NumPy. Options go before SCRIPT; "
            "everything after SCRIPT is passed to the script as sys.argv[1:]."
        ),
    )
    run.add_argument(
        "--compare",
        action="store_true",
        help=(
            "run the script twice in subprocesses, under NumPy and under lazynp, and print both "
            "wall times, the speed-up and whether stdout is identical (exit 1 if a run fails, "
            "3 if the outputs differ)"
        ),
    )
    run.add_argument(
        "--explain",
        action="store_true",
        help="print the plan of every forced graph to stderr (config explain_on_force)",
    )
    run.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="with --compare: run each side N times and report the best wall time",
    )
    run.add_argument("script", help="path of the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")

    env = commands.add_parser(
        "env",
        help="list every setting with its LAZYNP_* environment variable and current value",
    )
    env.add_argument(
        "--markdown", action="store_true", help="print the Markdown table used in the docs"
    )
    return parser


# Defaults that depend on the machine, described instead of printed (keeps docs portable).
_DEFAULT_TEXT = {
    "num_threads": "number of CPUs",
    "cache_dir": "`$XDG_CACHE_HOME/lazynp`, else `~/.cache/lazynp`",
}


def _type_name(setting) -> str:
    return "bool" if setting.parse.__name__ == "_parse_bool" else setting.parse.__name__


def settings_markdown() -> str:
    """The Markdown table of every setting (pasted into README.md and docs/env.md)."""
    rows = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = _DEFAULT_TEXT.get(s.name, f"`{s.default!r}`")
        rows.append(f"| `{s.env}` | {_type_name(s)} | {default} | {s.doc} |")
    return "\n".join(rows) + "\n"


def _print_settings(markdown: bool) -> None:
    if markdown:
        print(settings_markdown(), end="")
        return
    width = max(len(s.env) for s in SETTINGS)
    for s in SETTINGS:
        print(f"{s.env:<{width}}  = {getattr(config, s.name)!r:<12}  {s.doc}")


def _plain_run(argv: Sequence[str]) -> tuple[str, list[str]] | None:
    """``(script, args)`` for ``run SCRIPT [ARGS...]`` without options, else None.

    Start-up time: argparse, with the gettext, locale and shutil modules it loads, costs a
    few milliseconds on every run.  The common command line is taken apart here, with the
    parser's result: SCRIPT does not start with ``-`` (an option or ``--`` would), and
    everything after it is the script's.  A ``--`` among the script's arguments goes to the
    parser (argparse drops one right after SCRIPT).
    """
    if len(argv) < 2 or argv[0] != "run" or not argv[1] or argv[1].startswith("-"):
        return None
    if "--" in argv[2:]:
        return None
    return argv[1], list(argv[2:])


def main(argv: Sequence[str] | None = None) -> int:
    plain = _plain_run(sys.argv[1:] if argv is None else argv)
    if plain is not None:
        return _runner.run_script(*plain)
    args = _parser().parse_args(argv)
    if args.command == "env":
        _print_settings(args.markdown)
        return 0
    if args.compare:
        from lazynp._compare import compare  # (subprocess, difflib: not for a plain run)

        return compare(args.script, args.args, explain=args.explain, repeat=args.repeat)
    return _runner.run_script(args.script, args.args, explain=args.explain)


if __name__ == "__main__":
    sys.exit(main())
