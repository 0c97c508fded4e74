"""The store on real SQLite files: round trips, versions, sessions, a real SIGKILL, bad files."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from emrwriter.drafting.draft import Draft, DraftSection, Table
from emrwriter.drafting.stats import DraftStats, SectionStats
from emrwriter.engine.base import PrefixStats
from emrwriter.records.model import Provenance
from emrwriter.store import SCHEMA_VERSION, Store, StoreError, default_store_path

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_draft() -> Draft:
    return Draft(
        template="discharge_summary_zh",
        title="出院记录",
        language="zh",
        model="SmolLM2-135M-Instruct",
        created=datetime(2026, 3, 1, 8, 30, 0),
        patient={"姓名": "张三", "性别": "男", "住院号": "A123"},
        sections=[
            DraftSection(
                key="admission_date",
                heading="入院日期",
                text="2026-02-20",
                origin="data",
                sources=[Provenance("bundle.json", "Encounter/e1")],
            ),
            DraftSection(
                key="course",
                heading="诊疗经过",
                text="入院后予抗感染治疗。",
                origin="model",
                sources=[Provenance("note.txt", "", 10, 42), Provenance("labs.csv", "row 4")],
                complete=False,
                note="hit the token limit",
            ),
            DraftSection(
                key="meds",
                heading="出院医嘱",
                text="",
                origin="data",
                table=Table(["药品", "剂量"], [["阿莫西林", "0.5 g tid"], ["布洛芬", "0.2 g prn"]], caption="出院带药"),
            ),
        ],
        omitted=["note 3 (nursing): record larger than the context"],
        problems=["scan.pdf: no text layer"],
        cancelled=False,
        stats=DraftStats(
            record_tokens=1234,
            wall_seconds=12.5,
            sections=[SectionStats("course", "诊疗经过", 1400, 166, 120, 1.5, 9.25, "length")],
            prefix=PrefixStats(tokens=1234, source="read", evaluated_tokens=1234, seconds=20.5),
            evidence="all",
        ),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock):
    with Store(tmp_path / "emrwriter.sqlite3", clock=clock) as s:
        yield s


@pytest.fixture
def saved(store: Store, tmp_path: Path) -> int:
    case_id = store.open_case(tmp_path / "case", "张三 A123")
    return store.save_draft(case_id, make_draft(), "enc-1")


def test_default_path_is_in_the_user_data_folder():
    from emrwriter.paths import user_data_dir

    assert default_store_path() == user_data_dir() / "emrwriter.sqlite3"


def test_new_file_in_new_folders_is_wal_with_current_schema(tmp_path: Path):
    path = tmp_path / "a" / "b" / "store.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()
    Store(path).close()  # reopening an up-to-date file migrates nothing and works


def test_draft_round_trips(store: Store, tmp_path: Path):
    case_id = store.open_case(tmp_path / "case", "张三")
    draft_id = store.save_draft(case_id, make_draft(), "enc-1")
    assert store.load_draft(draft_id) == make_draft()
    stored = store.latest_draft(case_id)
    assert stored is not None
    assert (stored.id, stored.case_id, stored.encounter_id, stored.edited) == (draft_id, case_id, "enc-1", frozenset())
    assert stored.draft == make_draft()
    assert [v.kind for v in store.history(draft_id, "admission_date")] == ["data"]
    assert [v.kind for v in store.history(draft_id, "course")] == ["model"]


def test_latest_draft_is_the_newest(store: Store, tmp_path: Path):
    case_id = store.open_case(tmp_path / "case", "x")
    assert store.latest_draft(case_id) is None
    store.save_draft(case_id, make_draft(), "enc-1")
    second = store.save_draft(case_id, make_draft(), "enc-2")
    assert store.latest_draft(case_id).id == second


def test_edits_coalesce_within_a_minute_and_split_after(store: Store, saved: int, clock: Clock):
    first = store.save_text(saved, "course", "入院后予头孢")
    clock.advance(30)
    assert store.save_text(saved, "course", "入院后予头孢曲松") == first
    clock.advance(29)
    assert store.save_text(saved, "course", "入院后予头孢曲松治疗") == first
    clock.advance(2)  # 61 s after the edit began
    second = store.save_text(saved, "course", "入院后予头孢曲松治疗。")
    assert second != first
    versions = store.history(saved, "course")
    assert [(v.kind, v.text) for v in versions] == [
        ("model", "入院后予抗感染治疗。"),
        ("edit", "入院后予头孢曲松治疗"),
        ("edit", "入院后予头孢曲松治疗。"),
    ]
    assert versions[1].updated_at - versions[1].created_at == timedelta(seconds=59)


def test_saving_the_current_text_adds_nothing(store: Store, saved: int, clock: Clock):
    model = store.history(saved, "course")[0]
    assert store.save_text(saved, "course", model.text) == model.id
    edit = store.save_text(saved, "course", "changed")
    clock.advance(120)
    assert store.save_text(saved, "course", "changed") == edit
    assert len(store.history(saved, "course")) == 2


def test_history_and_restore(store: Store, saved: int, clock: Clock):
    store.save_text(saved, "course", "first edit")
    clock.advance(90)
    store.save_text(saved, "course", "second edit")
    model, first, second = store.history(saved, "course")
    clock.advance(5)
    restored = store.restore(saved, "course", first.id)
    assert store.load_draft(saved).section("course").text == "first edit"
    clock.advance(5)  # typing after a restore starts a new edit; the restore stays in history
    store.save_text(saved, "course", "first edit, amended")
    assert [v.kind for v in store.history(saved, "course")] == ["model", "edit", "edit", "restore", "edit"]
    assert store.history(saved, "course")[3].id == restored

    store.restore(saved, "course", model.id)
    stored = store.latest_draft(store.recent_cases()[0].id)
    assert stored.draft.section("course").text == model.text
    assert "course" not in stored.edited  # back to what the model wrote
    with pytest.raises(KeyError):
        store.restore(saved, "meds", first.id)  # a version of another section
    with pytest.raises(KeyError):
        store.history(saved, "no_such_section")


def test_load_draft_has_the_doctors_text(store: Store, saved: int):
    store.save_text(saved, "course", "医生修改后的诊疗经过。")
    draft = store.load_draft(saved)
    assert draft.section("course").text == "医生修改后的诊疗经过。"
    assert draft.section("admission_date").text == "2026-02-20"
    stored = store.latest_draft(store.recent_cases()[0].id)
    assert stored.edited == frozenset({"course"})


def test_regenerated_section_is_a_new_model_version(store: Store, saved: int, clock: Clock):
    store.save_text(saved, "course", "edited")
    clock.advance(10)
    store.update_model_text(saved, "course", "regenerated", complete=True, note="")
    section = store.load_draft(saved).section("course")
    assert (section.text, section.complete, section.note) == ("regenerated", True, "")
    assert [v.kind for v in store.history(saved, "course")] == ["model", "edit", "model"]
    assert store.latest_draft(store.recent_cases()[0].id).edited == frozenset()


def test_recent_cases_most_recent_first(store: Store, tmp_path: Path, clock: Clock):
    ids = {}
    for name in ["a", "b", "c"]:
        ids[name] = store.open_case(tmp_path / name, f"patient {name}")
        clock.advance(60)
    assert store.open_case(tmp_path / "x" / ".." / "a", "patient a, renamed") == ids["a"]  # same resolved path
    recent = store.recent_cases()
    assert [c.label for c in recent] == ["patient a, renamed", "patient c", "patient b"]
    assert recent[0].path == str((tmp_path / "a").resolve())
    assert recent[0].opened_at == clock.now.astimezone()
    assert [c.id for c in store.recent_cases(limit=2)] == [ids["a"], ids["c"]]


def test_forget_case_removes_its_drafts(store: Store, saved: int, tmp_path: Path):
    case_id = store.recent_cases()[0].id
    store.save_text(saved, "course", "edited")
    store.forget_case(case_id)
    assert store.recent_cases() == []
    with pytest.raises(KeyError):
        store.load_draft(saved)
    db = sqlite3.connect(store.path)
    try:
        assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
    finally:
        db.close()


def test_unclean_session_is_reported_until_acknowledged(tmp_path: Path, clock: Clock):
    path = tmp_path / "s.sqlite3"
    with Store(path, clock=clock) as first:
        draft_id = first.save_draft(first.open_case(tmp_path / "case", "张三"), make_draft(), "enc-1")
        clean = first.begin_session()
        first.end_session()
        crashed = first.begin_session()
        first.save_text(draft_id, "course", "typed before the crash")
        first.save_text(draft_id, "meds", "table note")
        # closed without end_session: what a crash leaves behind
    clock.advance(3600)
    with Store(path, clock=clock) as second:
        current = second.begin_session()
        assert current not in (clean, crashed)
        [session] = second.unclean_sessions()
        assert session.id == crashed
        assert session.started_at == datetime(2026, 3, 1, 9, 0).astimezone()
        [edited] = session.drafts
        assert (edited.draft_id, edited.case_label, edited.headings) == (draft_id, "张三", ["诊疗经过", "出院医嘱"])
        second.save_text(draft_id, "meds", "changed again in this session")
        assert second.unclean_sessions()[0].drafts[0].headings == ["诊疗经过"]  # meds' latest is no longer from then
        second.acknowledge(crashed)
        assert second.unclean_sessions() == []


def test_edits_do_not_coalesce_across_sessions(tmp_path: Path, clock: Clock):
    path = tmp_path / "s.sqlite3"
    with Store(path, clock=clock) as first:
        draft_id = first.save_draft(first.open_case(tmp_path / "case", "x"), make_draft(), "enc-1")
        first.begin_session()
        edit = first.save_text(draft_id, "course", "before")
    clock.advance(5)
    with Store(path, clock=clock) as second:
        second.begin_session()
        assert second.save_text(draft_id, "course", "after") != edit


KILLED_CHILD = """
import sys, time
from emrwriter.store import Store
store = Store(sys.argv[1])
store.begin_session()
store.save_text(int(sys.argv[2]), "course", "杀死前保存的修改")
print("saved", flush=True)
time.sleep(60)
"""


def test_edit_survives_sigkill_and_the_session_is_reported(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        draft_id = store.save_draft(store.open_case(tmp_path / "case", "张三"), make_draft(), "enc-1")
    with subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(path), str(draft_id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        line = child.stdout.readline()
        if line != "saved\n":
            child.kill()
            pytest.fail(f"child did not save: {line!r} {child.communicate()[1]}")
        child.kill()  # SIGKILL on POSIX: no atexit, no close, no checkpoint
        child.wait()
    if sys.platform != "win32":
        assert child.returncode == -signal.SIGKILL
        assert Path(f"{path}-wal").stat().st_size > 0  # the edit is only in the write-ahead log
    with Store(path) as store:
        store.begin_session()
        assert store.load_draft(draft_id).section("course").text == "杀死前保存的修改"
        [session] = store.unclean_sessions()
        assert [(d.draft_id, d.headings) for d in session.drafts] == [(draft_id, ["诊疗经过"])]


def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path):
    path = tmp_path / "emrwriter.sqlite3"
    path.write_bytes(b"this is a text file, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"emrwriter\.sqlite3.*not a database") as caught:
        Store(path)
    assert "\n" not in str(caught.value)


def test_a_newer_schema_is_a_store_error_and_the_file_is_untouched(tmp_path: Path):
    path = tmp_path / "emrwriter.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match=rf"{path.name}: written by a newer EMRWriter \(schema {SCHEMA_VERSION + 1}"):
        Store(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        db.close()


def test_a_full_disk_is_a_store_error_and_nothing_half_written(store: Store, saved: int):
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk looks like to SQLite
    with pytest.raises(StoreError, match="could not save.*full"):
        store.save_text(saved, "course", "x" * 100_000)
    assert [v.kind for v in store.history(saved, "course")] == ["model"]
    store._db.execute("PRAGMA max_page_count = 1073741823")
    store.save_text(saved, "course", "x" * 100_000)  # the store stays usable
    assert store.load_draft(saved).section("course").text == "x" * 100_000
