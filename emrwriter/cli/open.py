"""``emrwriter open [PATH]`` (also ``emrwriter [PATH]``): the desktop app. The command line
enters the app only through its entry point, emrwriter.gui.app.main."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..doctor.qt_platform import has_display, start_problem
from ..records.model import RecordError


class NoDisplay(Exception):
    """The desktop app was asked for on a machine without a screen, or one where Qt cannot open a window."""


def add_parser(sub) -> argparse.ArgumentParser:
    app = sub.add_parser("open", help="open the desktop app, optionally with a case (also: emrwriter [PATH])")
    app.add_argument("path", nargs="?", type=Path, help="a record file or a patient's folder")
    app.set_defaults(func=run)
    return app


def run(args: argparse.Namespace) -> int:
    if args.path is not None and not args.path.exists():
        raise RecordError(f"{args.path}: no such file or folder")
    if not has_display():
        raise NoDisplay("no display for the desktop app; on this machine use 'emrwriter draft PATH' (see --help)")
    problem = start_problem()  # Qt would abort with no word of what to install
    if problem:
        raise NoDisplay(problem)
    from ..gui.app import main as app_main

    return app_main([str(args.path)] if args.path else [])
