"""The command line face: one module per command (draft, batch, inspect, models, demo, verify,
bench, open), each with ``add_parser`` and ``run``; ``main`` routes to them. The commands
call emrwriter.workflow (and emrwriter.bench) and print; they hold no logic the desktop
app would need. User errors are one line on stderr and exit code 2; Ctrl-C stops
drafting cleanly (exit 130)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import __version__
from ..engine.base import EngineError
from ..export.docx_writer import ExportError
from ..records.model import RecordError
from ..templates import TemplateProblem
from . import batch, bench, demo, doctor, draft, forget, inspect, models, verify
from . import open as open_app
from .open import NoDisplay

USER_ERRORS = (RecordError, TemplateProblem, EngineError, ExportError, NoDisplay, forget.ForgetError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the usage block
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="emrwriter", description="Draft discharge summaries from local patient records, offline.")
    parser.add_argument("--version", action="version", version=f"emrwriter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in (
        draft,
        batch,
        inspect,
        models,
        demo,
        verify,
        bench,
        open_app,
        forget,
        doctor,
    ):  # the order --help lists them in
        command.add_parser(sub)
    return parser


COMMANDS = ("draft", "batch", "inspect", "models", "open", "demo", "verify", "bench", "forget", "doctor")


def _route(argv: list[str]) -> list[str]:
    """`emrwriter` and `emrwriter PATH` open the desktop app. A first word that is neither
    a command nor looks like a path ("frobnicate") stays an unknown command."""
    if not argv:
        return ["open"]
    first = argv[0]
    if first not in COMMANDS and not first.startswith("-") and (Path(first).exists() or any(c in first for c in "/\\.")):
        return ["open", *argv]
    return argv


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_route(sys.argv[1:] if argv is None else argv))
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        print(f"emrwriter: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
