"""``emrwriter open [PATH]`` (also ``emrwriter [PATH]``): the desktop app. The command line
enters the app only through its entry point, emrwriter.gui.app.main."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..records.model import RecordError


class NoDisplay(Exception):
    """The desktop app was asked for on a machine without a screen."""


def add_parser(sub) -> argparse.ArgumentParser:
    app = sub.add_parser("open", help="open the desktop app, optionally with a case (also: emrwriter [PATH])")
    app.add_argument("path", nargs="?", type=Path, help="a record file or a patient's folder")
    app.set_defaults(func=run)
    return app


def has_display() -> bool:
    """Windows and macOS always have one; elsewhere X11 or Wayland must be there (or Qt told otherwise)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run(args: argparse.Namespace) -> int:
    if args.path is not None and not args.path.exists():
        raise RecordError(f"{args.path}: no such file or folder")
    if not has_display():
        raise NoDisplay("no display for the desktop app; on this machine use 'emrwriter draft PATH' (see --help)")
    from ..gui.app import main as app_main

    return app_main([str(args.path)] if args.path else [])
