"""``emrwriter doctor``: the self-check, printed for a nurse or IT to read (and to paste into a
support ticket). Exit 0 when all is well, 1 with one line per problem."""

from __future__ import annotations

import argparse
import sys

from ..doctor import PROBLEM, report, run_checks


def add_parser(sub) -> argparse.ArgumentParser:
    doctor = sub.add_parser(
        "doctor",
        help="check this installation: versions, CPU, memory, models, templates, store, fonts, display",
    )
    doctor.add_argument("--quick", action="store_true", help="do not load the default model (no speed figures)")
    doctor.add_argument("--qt-probe", action="store_true", help=argparse.SUPPRESS)  # the bundle's child process
    doctor.set_defaults(func=run)
    return doctor


def run(args: argparse.Namespace) -> int:
    if args.qt_probe:
        from ..gui.probe import main as probe

        return probe()

    def show(check) -> None:
        print(f"  {check.name}...", file=sys.stderr, end="\r", flush=True)

    checks = run_checks(load_model=not args.quick, on_check=show if sys.stderr.isatty() else None)
    print(report(checks))
    return 1 if any(c.status == PROBLEM for c in checks) else 0
