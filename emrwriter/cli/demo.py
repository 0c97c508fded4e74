"""``emrwriter demo``: the bundled English sample with the default model, in the desktop
app where there is a display, else drafted headless to a .docx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..paths import SAMPLES
from . import draft
from . import open as open_app


def add_parser(sub) -> argparse.ArgumentParser:
    demo = sub.add_parser(
        "demo", help="the bundled English sample: in the desktop app where there is a display, else drafted to a .docx"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("sample-discharge-summary.docx"),
        help="the .docx to write without a display (replaced if present)",
    )
    demo.add_argument("--headless", action="store_true", help="draft to --out even where there is a display")
    demo.set_defaults(func=run)
    return demo


def run(args: argparse.Namespace) -> int:
    """The main job of the README: the bundled English sample with the default model, in
    the desktop app where there is a display, else drafted headless to a .docx."""
    sample = SAMPLES / "en_heart_failure"
    if open_app.has_display() and not args.headless:
        return open_app.run(argparse.Namespace(path=sample))
    print(
        f"drafting {sample} to {args.out} (no display for the desktop app)"
        if not args.headless
        else f"drafting {sample} to {args.out}",
        file=sys.stderr,
    )
    draft_args = dict(encounter=None, patient=None, template=None, model=None, threads=None, ctx=None)
    return draft.run(argparse.Namespace(path=sample, out=args.out, force=True, stats_json=None, comments=False, **draft_args))
