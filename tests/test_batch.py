"""Batch drafting (emrwriter/batch.py): one .docx per case, the report (JSON lines and an
Excel-friendly CSV), resume, a bad case, a stop, and jobs on a server. The model does not
matter here: the fake engine (tests/fakes.py) drafts, or a tiny local server
(tests/engine/fake_server.py) for --jobs. The real server: tests/engine/test_real_server.py."""

from __future__ import annotations

import csv
import json
import shutil

from docx import Document

from emrwriter.batch import REPORT_CSV, REPORT_JSONL, expand_cases, read_report, run_batch
from emrwriter.engine.base import Cancel
from emrwriter.engine.server_engine import ServerEngine, ServerSettings
from tests.conftest import EN_CASE, ZH_CASE
from tests.engine.fake_server import MODEL, FakeServer
from tests.fakes import FakeEngine


def cases_in(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    return expand_cases([EN_CASE, broken, ZH_CASE])


def test_every_case_gets_a_docx_and_a_report_line_and_a_bad_case_stops_nothing(tmp_path):
    out = tmp_path / "out"
    events = []
    summary = run_batch(cases_in(tmp_path), out, FakeEngine, on_event=lambda *e: events.append(e[0]))
    status = {r.case: r for r in summary.results}
    assert [r.case for r in summary.results] == [EN_CASE.name, "broken", ZH_CASE.name]
    assert status["broken"].status == "failed" and "broken.json" in status["broken"].error
    for name in (EN_CASE.name, ZH_CASE.name):
        result = status[name]
        assert result.status == "done" and result.tokens > 0 and result.patient
        assert sum(result.findings.values()) >= 0 and set(result.findings) == {"high", "medium", "low"}
        footer = Document(str(out / f"{name}.docx")).sections[0].footer.paragraphs[0].text
        assert "Fake Engine" in footer
    assert events == ["started", "case", "case", "case"]
    assert summary.count("done") == 2 and summary.count("failed") == 1
    lines = [json.loads(x) for x in (out / REPORT_JSONL).read_text(encoding="utf-8").splitlines()]
    assert [x["status"] for x in lines] == ["done", "failed", "done"]
    raw = (out / REPORT_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["status"] for r in rows] == ["done", "failed", "done"]
    zh = next(r for r in rows if r["case"] == ZH_CASE.name)
    assert zh["patient"] and not zh["patient"].isascii()  # Chinese names survive the round trip
    assert int(zh["tokens"]) == status[ZH_CASE.name].tokens


def test_a_rerun_skips_what_is_done_and_unchanged_and_redoes_what_changed(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(EN_CASE, case)
    out = tmp_path / "out"
    first = run_batch(expand_cases([case]), out, FakeEngine)
    assert first.count("done") == 1
    again = run_batch(expand_cases([case]), out, FakeEngine)
    assert again.count("skipped") == 1 and len(read_report(out)) == 1
    assert len((out / REPORT_JSONL).read_text().splitlines()) == 1  # a skip adds no line
    note = next(p for p in case.rglob("*") if p.suffix in (".txt", ".md") and p.is_file())
    note.write_text(note.read_text(encoding="utf-8") + "\nDay 3: walking the corridor.\n", encoding="utf-8")
    changed = run_batch(expand_cases([case]), out, FakeEngine)
    assert changed.count("done") == 1  # the input changed: drafted again
    other_model = run_batch(expand_cases([case]), out, lambda: FakeEngine(name="Another Model"))
    assert other_model.count("done") == 1  # another model: drafted again
    (out / f"{case.name}.docx").unlink()
    assert run_batch(expand_cases([case]), out, lambda: FakeEngine(name="Another Model")).count("done") == 1  # file gone


def test_a_stop_ends_the_case_under_way_as_stopped_and_starts_no_more(tmp_path):
    out = tmp_path / "out"
    cancel = Cancel()
    pieces = []

    def engine():
        fake = FakeEngine(token_delay=0.01)
        original = fake.generate

        def generate(*args, on_token=None, **kwargs):
            def token(piece):
                pieces.append(piece)
                if len(pieces) == 5:
                    cancel.set()
                if on_token:
                    on_token(piece)

            return original(*args, on_token=token, **kwargs)

        fake.generate = generate
        return fake

    summary = run_batch(expand_cases([EN_CASE, ZH_CASE]), out, engine, cancel=cancel)
    assert summary.stopped and [r.status for r in summary.results] == ["stopped"]
    assert not list(out.glob("*.docx"))  # nothing half-written
    assert run_batch(expand_cases([EN_CASE, ZH_CASE]), out, FakeEngine).count("done") == 2  # the rerun finishes both


def test_jobs_send_several_cases_to_a_server_at_once(tmp_path):
    copies = []
    for n in range(3):
        copies.append(tmp_path / f"case{n}")
        shutil.copytree(EN_CASE, copies[-1])
    with FakeServer(context=8192, token_delay=0.02) as server:
        summary = run_batch(expand_cases(copies), tmp_path / "out", lambda: ServerEngine(ServerSettings(server.url)), jobs=3)
    assert [r.status for r in summary.results] == ["done"] * 3
    assert all(r.model == f"{MODEL} @ {server.url}" for r in summary.results)
    assert server.most_streaming >= 2  # the cases overlapped on the server


def test_a_bulk_export_is_one_case_per_patient(corpus):
    bulk = corpus / "synthea-bulk-ndjson" / "ndjson"
    cases = expand_cases([bulk])
    assert len(cases) == len((bulk / "Patient.000.ndjson").read_text().splitlines()) > 1
    assert len({c.name for c in cases}) == len(cases) and all(c.patient and c.path == bulk for c in cases)


def test_the_batch_command_prints_a_line_per_case_and_says_where_the_report_is(tmp_path, capsys):
    from emrwriter.cli import main

    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    with FakeServer(context=8192) as server:
        code = main(["batch", str(EN_CASE), str(broken), "--out", str(out), "--server", server.url, "--jobs", "2"])
        err = capsys.readouterr().err
        assert code == 1  # a case failed
        assert f"model {MODEL}, context 8192 tokens (models)" in err
        assert f"{EN_CASE.name}: done in " in err and "broken: failed" in err and "broken.json" in err
        assert err.strip().splitlines()[-1].startswith("1 done, 1 failed in ") and "batch-report.csv" in err
        assert main(["models", "--server", server.url]) == 0
        listed = capsys.readouterr()
        assert listed.out.strip() == MODEL and "context 8192" in listed.err
    assert main(["draft", str(EN_CASE), "--server", server.url, "--model", "x.gguf"]) == 2
    assert "exclude each other" in capsys.readouterr().err
    assert main(["batch", str(EN_CASE), "--out", str(out), "--server", server.url]) == 2  # the server is gone
    assert "cannot reach the server" in capsys.readouterr().err
