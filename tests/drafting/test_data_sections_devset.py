"""The drafts of the development cases carry the record's facts in their data sections,
in the .docx read back: dates, diagnoses, discharge medications (in the table), stopped
drugs, pending results; no section says "not found" for a fact the record states.
The model sections come from the fake engine: what is checked here is the data path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document as read_docx

from emrwriter.drafting.pipeline import draft_summary
from emrwriter.export.docx_writer import write_docx
from emrwriter.facts.stay import facts_json, stay_facts
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template

DEVSET = Path(__file__).resolve().parents[1] / "devset"
CASES = sorted(p.name for p in DEVSET.iterdir() if (p / "expected.json").is_file())
NOT_FOUND = ("found in the record", "病历中未找到")


def _docx_text(path: Path) -> str:
    word = read_docx(str(path))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES)
def test_devset_draft_carries_the_facts(case: str, tmp_path: Path, fake_engine) -> None:
    folder = tmp_path / case
    shutil.copytree(DEVSET / case, folder, ignore=shutil.ignore_patterns("expected.json"))
    language = json.loads((DEVSET / case / "expected.json").read_text("utf-8"))["language"]
    stay = select_encounter(load_case(folder))
    facts = stay_facts(stay)
    template = load_template(f"discharge_summary_{language}")
    draft = draft_summary(stay, template, fake_engine)
    text = _docx_text(write_docx(draft, tmp_path / "draft.docx", template.reference_docx))
    data = facts_json(facts)
    for when in (data["admission_date"], data["discharge_date"]):
        if when:
            assert when[:10] in text
    for med in facts.discharge_medications:
        assert med.name in text
    for med in facts.stopped_medications:
        assert med.name in text
    for name in (
        [c.name for c in facts.discharge_diagnoses] + [p.name for p in facts.pending] + [p.name for p in facts.procedures]
    ):
        assert name in text, name
    data_text = "\n".join(s.text for s in draft.sections if s.origin == "data")
    said_missing = [line for line in data_text.splitlines() if any(phrase in line for phrase in NOT_FOUND)]
    stated = {
        "discharge medication": bool(facts.discharge_medications),
        "discharge diagnos": bool(facts.discharge_diagnoses),
        "出院带药": bool(facts.discharge_medications),
        "出院诊断": bool(facts.discharge_diagnoses),
        "follow-up": bool(facts.follow_ups),
        "随访": bool(facts.follow_ups),
        "出院日期": facts.encounter.end is not None,
        "入院日期": facts.encounter.start is not None,
    }
    for line in said_missing:
        assert not any(known and what in line for what, known in stated.items()), line
