"""The export log (issue 13): every .docx written through the workflow (both faces) adds
one line: when, the OS user, the case, template, model, open findings by severity, the
document's size and SHA-256; never patient text. Appended, never rewritten; a torn last
line is skipped and does not swallow the next entry."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emrwriter import audit, workflow
from emrwriter.export.docx_writer import ExportError
from tests.conftest import EN_CASE, draft_by_hand


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit" / "exports.jsonl"
    monkeypatch.setenv(audit.ENV_FILE, str(path))
    return path


@pytest.fixture(scope="module")
def case():
    record = workflow.open_case(EN_CASE)
    stay = workflow.choose_stay(record)
    template, draft = draft_by_hand(stay, "discharge_summary_en", {"follow_up": "Follow up with cardiology in 2 weeks."})
    review = workflow.review_draft(stay, workflow.checked_sections(draft), template)
    return record, stay, template, draft, review


def patient_words(record, draft) -> list[str]:
    """What must never be in the log: the name, the MRN, the record's and the draft's text."""
    words = [record.patient.name, "Hartwell", "00482913", *draft.patient.values()]
    words += [s.text[:40] for s in draft.sections if len(s.text) >= 20]
    words += [d.text[200:240] for d in record.documents if len(d.text) > 240]
    return [w for w in words if w and len(w) >= 5]


def test_each_export_appends_one_entry_without_patient_text(tmp_path: Path, log_file: Path, case) -> None:
    record, _, template, draft, review = case
    plan = workflow.plan_export(draft, review, template=template)
    key = str(EN_CASE.resolve())
    out = tmp_path / f"{record.patient.name} discharge summary.docx"  # a name the app proposes: the patient's
    workflow.export_draft(draft, out, plan, case_key=key, case_id=7, face="app")
    first = log_file.read_bytes()
    workflow.export_draft(draft, out, plan, force=True, case_key=key, case_id=7, face="app")
    assert log_file.read_bytes().startswith(first)  # appended, the first entry as it was

    exports = audit.read_log(log_file)
    assert len(exports.entries) == 2 and exports.unreadable == 0
    entry = exports.entries[-1]
    severities = {s: sum(1 for _, f in review.findings() if f.severity == s) for s in ("high", "medium", "low")}
    assert entry.findings == severities and sum(severities.values()) > 0
    assert entry.user == getpass.getuser() and entry.face == "app" and entry.case_id == 7
    assert entry.case_ref == hashlib.sha256(key.encode()).hexdigest()[:12]
    assert (entry.template, entry.model) == (draft.template, draft.model)
    assert entry.incomplete == len(plan.incomplete)
    assert (entry.bytes, entry.sha256) == (out.stat().st_size, hashlib.sha256(out.read_bytes()).hexdigest())
    assert entry.when[:4].isdigit() and ("+" in entry.when[10:] or "-" in entry.when[10:])  # with its UTC offset

    text = log_file.read_text(encoding="utf-8")
    leaked = [w for w in patient_words(record, draft) if w in text]
    assert leaked == [] and out.stem not in text
    if os.name == "posix":
        assert log_file.stat().st_mode & 0o777 == 0o600 and log_file.parent.stat().st_mode & 0o777 == 0o700


def test_a_torn_last_line_is_skipped_and_the_next_entry_kept(tmp_path: Path, log_file: Path, case) -> None:
    _, _, template, draft, _ = case
    plan = workflow.plan_export(draft, None, template=template)
    workflow.export_draft(draft, tmp_path / "a.docx", plan)
    with open(log_file, "ab") as fh:  # a power cut in the middle of writing the next line
        fh.write(b'{"when": "2026-11-30T08:00:00+00:00", "us')
    workflow.export_draft(draft, tmp_path / "b.docx", plan)
    exports = audit.read_log(log_file)
    assert len(exports.entries) == 2 and exports.unreadable == 1
    assert exports.entries[-1].findings is None  # exported without checking: said so, not zero


def test_an_export_log_that_cannot_be_written_is_said_after_the_document(tmp_path: Path, monkeypatch, case) -> None:
    _, _, template, draft, _ = case
    blocked = tmp_path / "log-is-a-folder"
    blocked.mkdir()
    monkeypatch.setenv(audit.ENV_FILE, str(blocked))
    out = tmp_path / "c.docx"
    with pytest.raises(ExportError) as said:
        workflow.export_draft(draft, out, workflow.plan_export(draft, None, template=template))
    assert out.is_file() and "was written, but" in str(said.value) and "\n" not in str(said.value)


def test_the_command_line_logs_its_exports(tmp_path: Path, log_file: Path) -> None:
    env = {**os.environ, audit.ENV_FILE: str(log_file)}
    for extra in ([], ["--comments"]):
        out = tmp_path / f"x{len(extra)}.docx"
        run = subprocess.run(
            [sys.executable, "-m", "emrwriter", "draft", str(EN_CASE), "--narrative", "record", "--out", str(out), *extra],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [line["face"] for line in lines] == ["cli", "cli"]
    assert lines[0]["findings"] is None and set(lines[1]["findings"]) == {"high", "medium", "low"}
    assert lines[0]["case_id"] is None and lines[0]["case_ref"] == audit.case_ref(str(EN_CASE.resolve()))
    assert "Hartwell" not in log_file.read_text(encoding="utf-8")
