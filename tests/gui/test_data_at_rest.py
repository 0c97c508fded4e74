"""Patient data at rest (issue 13): after a real session in the app (open a case, draft
with the fake engine, edit and let autosave store it, export), the store, its WAL, SHM
and lock files, the prefix cache, the export log, the log file and the export's temporary
file are owner-only; "Forget this case" (app and `emrwriter forget`) leaves nothing of
the case in the store file, the cache folder or the recent list; the log file holds no
patient text."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows keeps the profile's ACL")

NAME = "Quillfeather Zanbrook"  # the patient, renamed so that any trace of them is unmistakable
MRN = "77315904"
FINDING = "marmoset-velvet murmur"  # a phrase of the record's own
EDIT = " Review with Dr Okonkwo-Lindqvist about the marmoset-velvet murmur."


def distinctive_case(folder: Path) -> Path:
    """The English sample case, its patient renamed and a distinctive phrase in a note."""
    from tests.conftest import EN_CASE

    case = folder / "case-a"
    shutil.copytree(EN_CASE, case)
    for file in case.iterdir():
        if file.suffix == ".txt":
            text = file.read_text(encoding="utf-8").replace("Dorothy M. Hartwell", NAME).replace("00482913", MRN)
            if file.name.startswith("progress_note"):
                text += f"\nExam: a new {FINDING} at the apex.\n"
            file.write_text(text, encoding="utf-8")
        elif file.suffix == ".docx":
            file.unlink()  # its copy of the name is inside a zip; the text notes carry the case
    return case


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def traces(folder: Path, needles: list[str]) -> list[str]:
    """Files under ``folder`` holding any of ``needles`` (UTF-8 bytes, as SQLite and logs store them)."""
    found = []
    for file in folder.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            found += [f"{file.name}: {n}" for n in needles if n.encode("utf-8") in data]
    return found


def test_a_session_leaves_owner_only_files_and_forget_leaves_nothing(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_dir, dialogs
) -> None:
    from docx import Document
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from emrwriter.engine.prefix_cache import PrefixCache
    from emrwriter.export import docx_writer
    from emrwriter.gui.app import GuiThreadCollector
    from emrwriter.gui.main_window import MainWindow
    from emrwriter.gui.single_instance import InstanceLock
    from emrwriter.gui.worker import ModelWorker
    from emrwriter.log_file import close_log_file, setup_logging
    from emrwriter.owner_only import private_umask
    from emrwriter.workflow import open_store
    from tests.gui.conftest import SETTINGS, fake_engine, open_case

    os.umask(0o022)  # a usual umask: the files must be private despite it
    data = tmp_path / "data"  # the user's data folder
    cache_dir = data / "cache"
    monkeypatch.setenv("EMRWRITER_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("EMRWRITER_EXPORT_LOG", str(data / "exports.jsonl"))
    log_file = setup_logging(folder=data / "logs")
    case = distinctive_case(tmp_path)
    store_path = data / "emrwriter.sqlite3"
    lock = InstanceLock(store_path)
    with private_umask():
        assert lock.acquire()
    store, moved = open_store(store_path)
    assert moved is None
    window = MainWindow(store, worker=ModelWorker(engine_factory=fake_engine))
    window.engine_settings = SETTINGS
    qtbot.addWidget(window)
    window.show()
    try:
        open_case(qtbot, window, case)
        with qtbot.waitSignal(window.draft_shown, timeout=60_000):
            window.start_draft()
        # The engine's reading of the record, as a real engine leaves it in the cache, named in the draft's stats.
        cache = PrefixCache(cache_dir)
        entry = cache.put("ab" * 32, list(range(64)), bytearray(NAME.encode() * 8))
        stats = window.draft.stats
        assert stats is not None
        with store._write() as db:  # what save_draft stores for a real engine's draft
            import json

            row = db.execute("SELECT stats FROM drafts WHERE id = ?", (window.draft_id,)).fetchone()
            saved = json.loads(row[0])
            saved["prefix"] = {**(saved.get("prefix") or {}), "cache_file": str(entry)}
            db.execute("UPDATE drafts SET stats = ? WHERE id = ?", (json.dumps(saved), window.draft_id))
        editor = window.draft_panel.editors["follow_up"]
        with qtbot.waitSignal(window.saved, timeout=10_000):
            editor.editor.setFocus()
            qtbot.keyClicks(editor.editor, EDIT)
        # The temporary file's mode before python-docx writes into it: mkstemp's 0600.
        real_mkstemp = docx_writer.tempfile.mkstemp
        made = []

        def watching_mkstemp(*args, **kwargs):
            fd, name = real_mkstemp(*args, **kwargs)
            made.append((name, stat.S_IMODE(os.fstat(fd).st_mode)))
            return fd, name

        monkeypatch.setattr(docx_writer.tempfile, "mkstemp", watching_mkstemp)
        out = tmp_path / "exports" / "summary.docx"
        out.parent.mkdir()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
        with qtbot.waitSignal(window.exported, timeout=20_000):
            window.export_action.trigger()
        assert EDIT.strip() in "\n".join(p.text for p in Document(str(out)).paragraphs)

        # -- modes after the session, with the app still running (WAL and SHM are there) --
        assert made and all(m == 0o600 for _, m in made), made
        assert not str(made[0][0]).count(NAME.split()[0]), "the temporary file's name holds no patient name"
        files = {
            "store": store_path,
            "wal": store_path.with_name(store_path.name + "-wal"),
            "shm": store_path.with_name(store_path.name + "-shm"),
            "lock": lock.path,
            "cache entry": entry,
            "export log": data / "exports.jsonl",
            "log file": log_file,
        }
        for what, path in files.items():
            assert path.is_file(), what
            assert mode(path) == 0o600, f"{what} {path.name}: {oct(mode(path))}"
        for folder in (data, cache_dir, data / "logs"):
            assert mode(folder) == 0o700, f"{folder}: {oct(mode(folder))}"
        print(f"\nmodes after a session: {', '.join(f'{k} {oct(mode(p))}' for k, p in files.items())}; folders 0o700")
        assert traces(data, [NAME]), "the session's store holds the case before it is forgotten"

        # -- Forget this case (the dialog's warning answered Yes) --
        assert window.forget_action.isEnabled()
        window.settings.setValue("paths/open_dir", str(case))  # as File > Open folder leaves it
        window.forget_action.trigger()
        assert "Forget this case" in dialogs.titles("warning")
        assert window.case_id is None and window.record is None
        assert window.settings.value("paths/open_dir", "") == ""
        assert not [a for a in window.recent_menu.actions() if a.isEnabled()], "the recent list is empty"
        assert not entry.exists() and not list(cache_dir.glob("*.kvstate"))
        with sqlite3.connect(store_path) as db:
            counts = {
                t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("cases", "drafts", "sections", "versions")
            }
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert counts == dict.fromkeys(counts, 0), counts
        needles = [NAME, MRN, "Okonkwo-Lindqvist", FINDING, str(case)]
        left = traces(data, needles)
        assert left == [], left
    finally:
        dialogs.answers["question"] = QMessageBox.StandardButton.Yes  # "stop drafting and quit?"
        window.close()
        window.worker.shutdown()
        GuiThreadCollector.uninstall()
        store.close()
        lock.release()
        close_log_file()
    # No patient text in the log file, after the whole session.
    logged = "".join(p.read_text(encoding="utf-8") for p in (data / "logs").iterdir())
    assert "case opened" in logged and "exported a draft" in logged, "the session was logged"
    for needle in (NAME, MRN, "Okonkwo-Lindqvist", FINDING, "Hartwell"):
        assert needle not in logged, needle


def test_cli_forget_leaves_nothing_of_the_case(tmp_path: Path) -> None:
    """`emrwriter forget PATH --yes` in a separate process, on a store made by the store's own API."""
    from emrwriter.records.case import load_case
    from emrwriter.records.stay import select_encounter
    from emrwriter.store import Store
    from tests.conftest import draft_by_hand

    home = tmp_path / "home"
    env = {**os.environ, "XDG_DATA_HOME": str(home), "HOME": str(home), "EMRWRITER_CACHE_DIR": str(tmp_path / "cache")}
    store_path = home / "EMRWriter" / "emrwriter.sqlite3"
    case = distinctive_case(tmp_path)
    other = tmp_path / "case-b"
    shutil.copytree(case, other)
    for file in other.glob("*.txt"):  # another patient
        file.write_text(file.read_text(encoding="utf-8").replace(NAME, "Another Patient").replace(MRN, "1"), encoding="utf-8")
    with Store(store_path) as store:
        for path in (case, other):
            stay = select_encounter(load_case(path), None)
            case_id = store.open_case(path, NAME if path == case else "Another Patient")
            _, draft = draft_by_hand(stay, "discharge_summary_en", {"follow_up": "Seen."})
            draft_id = store.save_draft(case_id, draft, stay.encounter.id)
            store.save_text(draft_id, "follow_up", "Seen." + EDIT)
        kept = store.open_case(other, "Another Patient")
    run = [sys.executable, "-m", "emrwriter", "forget"]
    listed = subprocess.run([*run, "--list"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and NAME in listed.stdout and "Another Patient" in listed.stdout
    refused = subprocess.run([*run, str(case)], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert refused.returncode == 2 and "--yes" in refused.stderr and "Traceback" not in refused.stderr
    done = subprocess.run([*run, str(case), "--yes"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Forgot case" in done.stdout
    missing = subprocess.run([*run, str(case), "--yes"], env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no case matches" in missing.stderr
    with Store(store_path) as store:
        assert [c.id for c in store.recent_cases()] == [kept]  # the other patient's case is untouched
        assert store.latest_draft(kept).draft.section("follow_up").text == "Seen." + EDIT
    left = traces(store_path.parent, [NAME, str(case)])
    assert left == [], left
    assert mode(store_path) == 0o600 and mode(store_path.parent) == 0o700


def test_an_older_wider_store_is_narrowed_when_opened(tmp_path: Path) -> None:
    from emrwriter.store import Store

    folder = tmp_path / "data"
    with Store(folder / "s.sqlite3") as store:
        store.open_case(tmp_path, "x")
    os.chmod(folder, 0o755)
    os.chmod(folder / "s.sqlite3", 0o644)
    with Store(folder / "s.sqlite3") as store:
        store.begin_session()
        assert mode(folder) == 0o700
        assert all(mode(f) == 0o600 for f in store.files()) and len(store.files()) == 3


def test_log_file_keeps_no_exception_text(tmp_path: Path) -> None:
    import logging

    from emrwriter.log_file import close_log_file, setup_logging

    path = setup_logging(folder=tmp_path / "logs")
    try:
        try:
            raise ValueError(f"cannot parse 'BP 120/80 for {NAME}'")
        except ValueError:
            logging.getLogger("emrwriter.test").exception("import failed")
    finally:
        close_log_file()
    text = path.read_text(encoding="utf-8")
    assert "import failed" in text and "ValueError" in text and "test_log_file_keeps_no_exception_text" in text
    assert NAME not in text
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
