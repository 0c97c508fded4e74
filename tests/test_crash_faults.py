"""Crash and disk faults (issue 13), on real processes, a real SQLite file and real .docx
files: a process saving edits and exporting in a loop (tests/fault_child.py) is SIGKILLed
at random moments, again and again; a full disk (RLIMIT_FSIZE in the child) meets autosave
and export; a damaged store is found at start-up, moved aside and reported, and the app
(command line and window) starts."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from tests.fault_child import KEY, edit_number

ROOT = Path(__file__).resolve().parents[1]
ITERATIONS = 30
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and RLIMIT_FSIZE are POSIX")


def child(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault_child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def stored_edit(path: Path) -> int:
    from emrwriter.store import Store

    with Store(path) as store:
        text = store.latest_draft(store.recent_cases(1)[0].id).draft.section(KEY).text
    return edit_number(text) if text.startswith("edit ") else -1


def docx_edit(path: Path) -> int:
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    return next(int(line.removeprefix("edit ")) for line in text.splitlines() if line.startswith("edit "))


@posix_only
def test_sigkill_while_saving_and_exporting_loses_nothing_acknowledged(tmp_path: Path) -> None:
    store_path, out = tmp_path / "data" / "emrwriter.sqlite3", tmp_path / "out"
    out.mkdir()
    rng = random.Random(13)
    killed_exporting = 0
    acknowledged_saves = acknowledged_exports = -1
    started = time.monotonic()
    killed_saving = total_saves = total_exports = 0
    for i in range(ITERATIONS):
        proc = child("loop" if i % 2 else "saves", str(store_path), str(out))
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate(timeout=30)
        said = stdout.split()
        saves = [int(n) for word, n in zip(said, said[1:]) if word == "saved"]
        exports = [int(n) for word, n in zip(said, said[1:]) if word == "exported"]
        acknowledged_saves = max([acknowledged_saves, *saves])
        acknowledged_exports = max([acknowledged_exports, *exports])
        total_saves, total_exports = total_saves + len(saves), total_exports + len(exports)
        if i % 2 and saves and saves[-1] % 3 == 0 and (not exports or exports[-1] != saves[-1]):
            killed_exporting += 1  # the kill came after saving edit N and before its export was done
        elif i % 2 == 0 and saves:
            killed_saving += 1  # edits only: the kill came in the middle of a run of commits
        # The store is whole and holds every edit acknowledged so far (maybe one more: committed, not yet said).
        assert integrity(store_path) == "ok"
        assert stored_edit(store_path) >= acknowledged_saves
        # No half-written document under a .docx name: every one opens and holds an acknowledged edit or a later one.
        for document in out.glob("*.docx"):
            assert docx_edit(document) >= acknowledged_exports
        assert not [p for p in out.iterdir() if not p.name.startswith(".emrwriter-") and p.suffix != ".docx"]
    leftovers = [p for p in out.iterdir() if p.name.startswith(".emrwriter-")]
    assert all(p.stat().st_mode & 0o077 == 0 for p in leftovers), "a temporary file left by a kill is owner-only"
    for path in leftovers:  # an hour later, the next export clears them away
        os.utime(path, (time.time() - 7200,) * 2)
    from emrwriter.export.docx_writer import write_docx
    from tests.fault_child import draft

    write_docx(draft(), out / "summary.docx", force=True)
    assert not [p for p in out.iterdir() if p.name.startswith(".emrwriter-")]
    print(
        f"\n{ITERATIONS} SIGKILLs in {time.monotonic() - started:.1f} s: {total_saves} edits and "
        f"{total_exports} exports acknowledged; {killed_exporting} kills during an export, "
        f"{killed_saving} during a run of saves; "
        f"{len(leftovers)} temporary files left (hidden, owner-only); integrity_check ok every time, nothing acknowledged lost"
    )
    assert acknowledged_saves > ITERATIONS  # the kills landed while work was going on
    assert killed_exporting >= 1 and killed_saving >= 1


def fill(tmp_path: Path, limit: int) -> tuple[list[str], Path, Path]:
    store_path, out = tmp_path / "data" / "emrwriter.sqlite3", tmp_path / "out"
    out.mkdir(exist_ok=True)
    proc = child("fill", str(store_path), str(out), str(limit))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    return stdout.splitlines(), store_path, out


@posix_only
def test_a_full_disk_during_autosave_and_export_says_so_once_and_loses_nothing(tmp_path: Path) -> None:
    # A disk that fills while the doctor types: some edits saved, then one clear error; the export still fits.
    lines, store_path, out = fill(tmp_path, 400_000)
    saved = [int(line.split()[1]) for line in lines if line.startswith("saved ")]
    errors = [line for line in lines if "error" in line]
    assert saved and len(errors) == 1, lines[-3:]
    assert errors[0].startswith("store error: ") and "could not save" in errors[0] and "\n" not in errors[0]
    assert lines[-1] == "exported after"
    assert integrity(store_path) == "ok" and stored_edit(store_path) == saved[-1]
    assert docx_edit(out / "summary.docx") == saved[-1]
    first = errors[0]

    # A disk already full: the edit fails at once, and so does the export; the document exported before is untouched.
    lines, store_path, out = fill(tmp_path, 16_384)
    errors = [line for line in lines if "error" in line]
    assert [line.split(":")[0] for line in errors] == ["store error", "export error"], lines
    assert "nothing was written" in errors[1] and str(out / "summary.docx") in errors[1]
    assert docx_edit(out / "summary.docx") == saved[-1]  # the document exported before the disk filled, whole
    assert not [p for p in out.iterdir() if p.name != "summary.docx"], "no temporary file is left"
    assert integrity(store_path) == "ok" and stored_edit(store_path) == saved[-1]
    print(
        f"\nfull disk: autosave said '{first.removeprefix('store error: ')}'; export said '{errors[1].removeprefix('export error: ')}'"
    )


def damage(path: Path) -> None:
    """Overwrite the middle pages of a real store with noise: a valid header, damaged tables."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(4096 * 2)
        fh.write(os.urandom(min(4096 * 3, size - 8192)))


def a_store_with_work(path: Path) -> None:
    from emrwriter.store import Store
    from tests.fault_child import draft

    with Store(path) as store:
        case_id = store.open_case("/nonexistent/case-a", "Test Patient")
        draft_id = store.save_draft(case_id, draft(), "e1")
        for n in range(12):
            store.save_text(draft_id, KEY, f"edit {n}\n" + "x" * 5000 + str(n))


@pytest.mark.parametrize("how", ["garbage", "damaged pages"])
def test_a_damaged_store_is_moved_aside_and_an_empty_one_started(tmp_path: Path, how: str) -> None:
    from emrwriter.store import DamagedStore, Store, open_store

    path = tmp_path / "data" / "emrwriter.sqlite3"
    path.parent.mkdir()
    if how == "garbage":
        path.write_bytes(os.urandom(64 * 1024))
    else:
        a_store_with_work(path)
        damage(path)
    original = path.read_bytes()
    store, moved = open_store(path)
    with store:
        assert moved is not None and moved.aside.exists() and moved.aside.read_bytes() == original
        assert moved.aside.name.startswith("emrwriter.sqlite3.damaged-")
        assert "moved aside" in str(moved) and "\n" not in str(moved)
        case_id = store.open_case(tmp_path, "new")  # the new store works
        assert [c.id for c in store.recent_cases()] == [case_id]
    store, again = open_store(path)
    store.close()
    assert again is None  # the new one is sound
    with pytest.raises(DamagedStore):
        Store(moved.aside).close()


def test_the_command_line_starts_on_a_damaged_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "EMRWriter" / "emrwriter.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 1000)
    env = {**os.environ, "XDG_DATA_HOME": str(home), "HOME": str(home)}
    run = subprocess.run(
        [sys.executable, "-m", "emrwriter", "forget", "--list"], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "No cases are kept." in run.stdout
    notice = [line for line in run.stderr.splitlines() if "moved aside" in line]
    assert len(notice) == 1 and "Traceback" not in run.stderr
    assert len(list(path.parent.glob("emrwriter.sqlite3.damaged-*"))) == 1


def test_the_app_starts_on_a_damaged_store_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from emrwriter.gui import app as gui_app
    from emrwriter.gui.app import GuiThreadCollector

    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("EMRWRITER_LOG_DIR", "off")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    path = home / "EMRWriter" / "emrwriter.sqlite3"
    path.parent.mkdir(parents=True)
    a_store_with_work(path)
    damage(path)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: said.append((title, text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: said.append((title, text)))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    QApplication.instance() or QApplication([])
    windows = []

    def close_soon() -> None:
        windows.extend(w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle().startswith("EMRWriter"))
        for window in windows:
            window.close()

    QTimer.singleShot(1500, close_soon)
    try:
        code = gui_app.main([])
    finally:
        GuiThreadCollector.uninstall()
    assert code == 0 and windows, said
    assert [title for title, _ in said] == ["The store was damaged"]
    assert "moved aside" in said[0][1] and "emrwriter.sqlite3.damaged-" in said[0][1]
    assert integrity(path) == "ok"


@posix_only
def test_the_app_on_a_full_disk_says_so_once_and_keeps_what_was_saved(tmp_path: Path) -> None:
    """The window itself (offscreen, fake engine) in a child under RLIMIT_FSIZE (tests/gui/full_disk_child.py)."""
    run = subprocess.run(
        [sys.executable, "-m", "tests.gui.full_disk_child", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[:2] == ["saved first edit", "disk full"]
    critical = [line for line in lines if line.startswith("dialog critical")]
    assert len(critical) == 1 and "could not be saved" in critical[0]  # two failed saves, one dialog
    assert any(line.startswith("status: Could not save") for line in lines)  # the second one in the status bar
    failed = [line for line in lines if line.startswith("dialog warning: Export failed")]
    assert len(failed) == 1 and "nothing was written" in failed[0]
    assert "export file exists: False" in lines
    store_path = tmp_path / "data" / "emrwriter.sqlite3"
    assert integrity(store_path) == "ok"
    from emrwriter.store import Store

    with Store(store_path) as store:
        text = store.latest_draft(store.recent_cases(1)[0].id).draft.section("follow_up").text
    assert text.endswith(" First edit.")  # saved before the disk filled, kept
