"""Completeness per template, citations, reading drafts, and the verify command."""

from __future__ import annotations

import argparse
import json

import docx
import pytest

from emrwriter.checks.citations import cite
from emrwriter.checks.completeness import check_completeness
from emrwriter.checks.draft_file import read_draft
from emrwriter.cli.verify import add_parser as add_verify_parser
from emrwriter.records.model import RecordError
from emrwriter.templates import load_template
from tests.conftest import CORPUS, EN_CASE, ZH_CASE


def test_completeness_of_a_chinese_draft(zh_orders) -> None:
    result = check_completeness(zh_orders, load_template("discharge_summary_zh"), "zh")
    present = {item.key for item in result.items if item.present}
    assert {
        "admission_date",
        "discharge_date",
        "discharge_diagnosis",
        "discharge_condition",
        "discharge_orders",
        "signature",
    } <= present
    assert {"admission_condition", "hospital_course", "admission_diagnosis"} <= set(result.missing)


def test_completeness_sees_placeholders_as_missing() -> None:
    template = load_template("discharge_summary_en")
    text = "\n".join(f"{spec.heading}\nSomething written here." for spec in template.sections)
    assert check_completeness(text, template, "en").missing == []
    text = text.replace("Follow-up\nSomething written here.", "Follow-up\n(no follow-up plan found in the record)")
    assert check_completeness(text, template, "en").missing == ["follow_up"]


def test_citations_link_restated_sentences_and_mark_invented_ones(en_evidence) -> None:
    text = (
        "Echo showed LVEF 30%, down from 40%, with LAD-territory wall motion abnormality.\n"
        "She underwent a bone marrow transplant in 2015 for leukemia.\n"
    )
    first, second = cite(text, en_evidence)
    assert first.supported and any(s.file.endswith("progress_note_2026-10-04.txt") for s in first.sources)
    assert text[first.start : first.end].startswith("Echo showed")
    assert not second.supported


def test_citations_of_a_chinese_sentence(zh_evidence) -> None:
    (citation,) = cite("患者体温于10-09傍晚降至正常，10-11停止吸氧。", zh_evidence)
    assert citation.supported
    assert citation.sources[0].file.endswith("日常病程记录_2026-10-15.txt")


def test_draft_offsets_follow_python_text_reading(tmp_path) -> None:
    path = tmp_path / "draft.txt"
    path.write_bytes(b"Line one\r\nFurosemide 40 mg\r\n")
    text = read_draft(path)
    assert text == path.read_text(encoding="utf-8")
    gbk = tmp_path / "草稿.txt"
    gbk.write_bytes("出院诊断：社区获得性肺炎".encode("gbk"))
    assert read_draft(gbk) == "出院诊断：社区获得性肺炎"
    with pytest.raises(RecordError):
        read_draft(tmp_path / "draft.pdf")


def test_docx_draft_reads_paragraphs_and_tables(tmp_path) -> None:
    document = docx.Document()
    document.add_paragraph("Discharge Medications")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Furosemide"
    table.rows[0].cells[1].text = "40 mg"
    path = tmp_path / "draft.docx"
    document.save(path)
    assert read_draft(path) == "Discharge Medications\nFurosemide | 40 mg"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_verify_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["verify", *argv])
    return args.func(args)


def test_verify_command_json(tmp_path, capsys) -> None:
    draft = tmp_path / "draft.txt"
    text = (EN_CASE / "medication_list.txt").read_text(encoding="utf-8").replace("Furosemide 40 mg", "Furosemide 60 mg")
    draft.write_text(text, encoding="utf-8")
    assert run(["--record", str(EN_CASE), "--draft", str(draft), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"findings", "completeness", "safety"}
    dose = [f for f in data["findings"] if f["kind"] == "dose"]
    assert dose and text[dose[0]["start"] : dose[0]["end"]] == "60 mg"
    assert dose[0]["evidence"]["file"].endswith("medication_list.txt")
    assert data["completeness"]["template"] == "discharge_summary_en"


def test_verify_command_text_and_errors(tmp_path, capsys) -> None:
    draft = tmp_path / "出院记录.txt"
    draft.write_text((ZH_CASE / "出院医嘱.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert run(["--record", str(ZH_CASE), "--draft", str(draft)]) == 0
    out = capsys.readouterr().out
    assert "Completeness (discharge_summary_zh" in out
    assert run(["--record", str(ZH_CASE), "--draft", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.txt" in err[0]
    assert run(["--record", str(ZH_CASE), "--draft", str(draft), "--template", "no_such_template"]) == 2
    with pytest.raises(RecordError):
        run(["--record", str(tmp_path / "no-record"), "--draft", str(draft)])


def test_corpus_notes_restating_themselves_have_no_findings(corpus) -> None:
    from emrwriter.checks.evidence import build_evidence
    from emrwriter.checks.grounding import check_grounding
    from emrwriter.records.case import load_case
    from emrwriter.records.stay import select_encounter

    flagged = []
    notes = sorted(p for p in (CORPUS / "discharge-notes").glob("*.txt") if not p.name.startswith(("LICENSE", "NOTICE")))
    assert len(notes) > 20
    for note in notes:
        evidence = build_evidence(select_encounter(load_case(note)))
        text = note.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        flagged += [(note.name, f.text) for f in check_grounding(text, evidence)]
    assert flagged == []


def test_a_composed_sentence_is_supported_by_the_notes_it_comes_from() -> None:
    """A lab line whose unit heads the table's column, and a trend whose first date is the
    date of the note that holds the value, are supported; a value of another test is not."""
    from emrwriter.checks.citations import cite
    from emrwriter.checks.evidence import evidence_from_texts
    from emrwriter.records.model import Provenance

    notes = [
        "2026-03-02 08:00 入院记录\n辅助检查：INR 3.8（0.8-1.2），血红蛋白 78 g/L。\n",
        "2026-03-03 09:00 查房记录\n复查INR 1.6。\n",
        "Test        Result   Ref        Unit\nPotassium   6.8      3.5-5.1    mmol/L\nSodium      131      135-145    mmol/L\n",
    ]
    evidence = evidence_from_texts([(t, Provenance(f"note{i}.txt", "", 0, len(t))) for i, t in enumerate(notes)])
    for sentence, supported in (
        ("INR 3.8（2026-03-02）→ 1.6（2026-03-03）。", True),
        ("Potassium 6.8 mmol/L.", True),
        ("Potassium 131 mmol/L.", False),
    ):
        (citation,) = cite(sentence, evidence)
        assert citation.supported == supported, sentence


def test_verify_counts_the_unsupported_sentences_of_the_narrative_sections(tmp_path, capsys) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(
        "Discharge Summary\nProcedures and Treatment Provided\nShe was treated with IV furosemide and diuresed well. "
        "She climbed Mount Everest on day two.\nDischarge Medications\nAspirin 81 mg PO once daily\n",
        encoding="utf-8",
    )
    assert run(["--record", str(EN_CASE), "--draft", str(draft), "--json"]) == 0
    sentences = json.loads(capsys.readouterr().out)["sentences"]
    text = draft.read_text(encoding="utf-8")
    assert sentences["narrative"] == 2  # the medication list is no narrative section
    assert [text[u["start"] : u["end"]] for u in sentences["unsupported"]] == ["She climbed Mount Everest on day two."]
    assert run(["--record", str(EN_CASE), "--draft", str(draft)]) == 0
    assert "Unsupported sentences: 1 of 2 in the narrative sections" in capsys.readouterr().out
