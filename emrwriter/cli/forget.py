"""``emrwriter forget CASE``: delete everything the app keeps of a case: its drafts and
every version of them, its place in the recent list and the model's saved reading of
its record (prefix-cache entries). The record files themselves are not touched.

CASE is the record file or folder as it was opened, or the case's number from
``emrwriter forget --list``. The desktop app must be closed: it holds the store open."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..store import StoreError
from ..workflow import default_store_path, forget_case, open_store


class ForgetError(Exception):
    """The case could not be forgotten; one line, for the user."""


def add_parser(sub) -> argparse.ArgumentParser:
    forget = sub.add_parser("forget", help="delete a case's drafts, versions and cached reading (the record is not touched)")
    forget.add_argument("case", nargs="?", help="the record file or folder as opened, or a case number from --list")
    forget.add_argument("--list", action="store_true", help="list the cases the app keeps, with their numbers")
    forget.add_argument("--yes", action="store_true", help="do not ask before deleting")
    forget.set_defaults(func=run)
    return forget


def run(args: argparse.Namespace) -> int:
    path = default_store_path()
    if not args.list and not args.case:
        raise ForgetError("name the case to forget (a path, or a number from 'emrwriter forget --list')")
    holder = _app_holding(path)
    if holder and not args.list:
        raise ForgetError(f"EMRWriter is open (process {holder}); use File > Forget this case there, or close it first")
    if not path.exists():
        if args.list:
            print("No cases are kept.")
            return 0
        raise ForgetError(f"no case matches {args.case}: the app keeps no cases yet")
    try:
        store, moved = open_store(path)
    except StoreError as exc:
        raise ForgetError(str(exc)) from None
    if moved is not None:
        print(f"emrwriter: {moved}", file=sys.stderr)
    with store:
        cases = store.recent_cases(1_000_000)
        if args.list:
            for case in cases:
                print(f"{case.id:>5}  {case.opened_at:%Y-%m-%d %H:%M}  {case.label}  ({case.path})")
            if not cases:
                print("No cases are kept.")
            return 0
        matches = _matching(cases, args.case)
        if not matches:
            raise ForgetError(f"no case matches {args.case} (see 'emrwriter forget --list')")
        if len(matches) > 1:
            numbers = ", ".join(str(c.id) for c in matches)
            raise ForgetError(f"{args.case} holds {len(matches)} patients' cases ({numbers}); name one by its number")
        case = matches[0]
        if not args.yes:
            if not sys.stdin.isatty():
                raise ForgetError("add --yes to forget a case without being asked")
            answer = input(f"Forget case {case.id} ({case.label}): every draft and version of it? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        try:
            done = forget_case(store, case.id)
        except StoreError as exc:
            raise ForgetError(str(exc)) from None
    print(f"Forgot case {case.id}: its drafts and versions, its recent-list entry, {len(done.cache_files)} cached readings.")
    return 0


def _matching(cases, wanted: str):
    if wanted.isdigit():
        found = [c for c in cases if c.id == int(wanted)]
        if found:
            return found
    resolved = str(Path(wanted).expanduser().resolve())
    return [c for c in cases if c.path == resolved or c.path.startswith(resolved + "::")]


def _app_holding(store_path: Path) -> int | None:
    """The process id of a running app holding the store's lock file (Qt's QLockFile: the
    process id on its first line), or None."""
    lock = store_path.with_name(store_path.name + ".lock")
    try:
        pid = int(lock.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    if pid == os.getpid() or sys.platform == "win32":  # there os.kill would end the process: not a probe
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # a lock left by a crash
    except OSError:
        return pid  # alive, another user's
    return pid
