"""The process tests/test_crash_faults.py kills or starves: it saves edits to a store and
exports the draft to Word in a loop, saying on stdout what has been acknowledged.

    python -m tests.fault_child loop STORE OUT_DIR          # until killed; an edit, every third one exported
    python -m tests.fault_child saves STORE OUT_DIR         # until killed; edits only
    python -m tests.fault_child fill STORE OUT_DIR LIMIT    # under RLIMIT_FSIZE = LIMIT bytes

Each line it prints is written only after the call it reports has returned: ``saved N``
after the store committed edit N, ``exported N`` after the .docx holding edit N is in
place. ``fill`` saves and exports until the disk is "full" and prints the errors."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from emrwriter.drafting.draft import Draft, DraftSection
from emrwriter.export.docx_writer import ExportError, write_docx
from emrwriter.store import Store, StoreError

KEY = "course"
FILLER = "The patient walked the ward corridor twice without breathlessness. " * 300  # ~20 KB per edit


def edit(n: int) -> str:
    return f"edit {n}\n{FILLER}"


def edit_number(text: str) -> int:
    return int(text.split("\n", 1)[0].removeprefix("edit "))


def draft() -> Draft:
    sections = [
        DraftSection(KEY, "Hospital course", "the model's text", "model"),
        DraftSection("plan", "Plan", "Follow up in clinic.", "model"),
    ]
    return Draft("t", "Discharge summary", "en", "fake", datetime(2026, 11, 30), {"Name": "Test Patient"}, sections)


def prepare(store: Store) -> int:
    """The draft the loop edits: the existing one, or a new one."""
    case_id = store.open_case("/nonexistent/case-a", "Test Patient")
    stored = store.latest_draft(case_id)
    return stored.id if stored else store.save_draft(case_id, draft(), "e1")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def loop(store_path: Path, out_dir: Path, export: bool = True) -> None:
    store = Store(store_path)
    store.begin_session()
    draft_id = prepare(store)
    current = store.load_draft(draft_id).section(KEY).text
    n = edit_number(current) + 1 if current.startswith("edit ") else 0
    say("ready")
    while True:
        store.save_text(draft_id, KEY, edit(n))
        say(f"saved {n}")
        if export and n % 3 == 0:
            write_docx(store.load_draft(draft_id), out_dir / "summary.docx", force=True)
            say(f"exported {n}")
        n += 1


def fill(store_path: Path, out_dir: Path, limit: int) -> None:
    import resource
    import signal

    store = Store(store_path)
    draft_id = prepare(store)
    write_docx(store.load_draft(draft_id), out_dir / "summary.docx", force=True)
    say("exported before")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    say("limited")
    n = 0
    while True:
        try:
            store.save_text(draft_id, KEY, edit(n))
        except StoreError as exc:
            say(f"store error: {exc}")
            break
        say(f"saved {n}")
        n += 1
        if n > 500:
            say("never full")
            break
    try:
        write_docx(store.load_draft(draft_id), out_dir / "summary.docx", force=True)
        say("exported after")
    except ExportError as exc:
        say(f"export error: {exc}")
    except StoreError as exc:
        say(f"store error on reading: {exc}")
    store.close()


if __name__ == "__main__":
    command, store_arg, out_arg, *rest = sys.argv[1:]
    if command in ("loop", "saves"):
        loop(Path(store_arg), Path(out_arg), export=command == "loop")
    else:
        fill(Path(store_arg), Path(out_arg), int(rest[0]))
