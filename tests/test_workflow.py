"""The application layer both faces call: the template a record gets (one language rule,
one map) and the export policy (incomplete sections, high-severity findings, Word
comments, the template's styles), decided once."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from docx import Document as read_docx

from emrwriter import workflow
from emrwriter.checks.findings import HIGH
from emrwriter.records.case import load_case
from emrwriter.records.model import Document, Provenance, Record
from emrwriter.records.stay import select_encounter
from tests.conftest import EN_CASE, ZH_CASE, draft_by_hand

COURSE = (
    "She was treated with furosemide 40 mg IV twice daily. She was started on warfarin 5 mg daily."  # warfarin: not in the record
)


@pytest.fixture(scope="module")
def en_stay():
    return select_encounter(load_case(EN_CASE))


def _record(*texts: str) -> Record:
    record = Record()
    record.documents = [Document(Provenance(f"d{n}.txt"), text=text) for n, text in enumerate(texts)]
    return record


def test_a_record_gets_the_template_of_its_language():
    assert workflow.template_name_for(load_case(ZH_CASE)) == "discharge_summary_zh"
    assert workflow.template_name_for(load_case(EN_CASE)) == "discharge_summary_en"
    assert workflow.choose_template(load_case(EN_CASE), "discharge_summary_zh").name == "discharge_summary_zh"  # asked for


def test_the_record_language_is_the_draft_language_rule():
    """One rule for a record and for a draft: Chinese characters 15% of the letters or more."""
    english = "Patient admitted with CHF exacerbation, BNP 1840 pg/mL. " * 3
    chinese = "患者因胸闷气促入院，予利尿治疗后好转。"
    assert workflow.record_language(_record(english)) == "en"
    assert workflow.record_language(_record(chinese)) == "zh"
    assert workflow.record_language(_record(english, chinese)) == workflow.draft_language(english + chinese)
    assert workflow.record_language(_record()) == "en"  # nothing to read: English


def test_the_export_plan_names_incomplete_sections_high_findings_and_comments(en_stay):
    template, draft = draft_by_hand(en_stay, "discharge_summary_en", {"procedures_and_treatment": COURSE})
    draft.sections = [
        replace(s, complete=False, note="stopped") if s.key == "condition_at_discharge" else s for s in draft.sections
    ]
    review = workflow.review_draft(en_stay, workflow.checked_sections(draft), template)

    plan = workflow.plan_export(draft, review, comments=True)
    assert [s.key for s in plan.incomplete] == ["condition_at_discharge"]
    assert plan.high and all(f.severity == HIGH for _, f in plan.high)
    assert [f.text for _, f in plan.high] == ["warfarin"]
    assert plan.comments and plan.reference == template.reference_docx

    assert workflow.plan_export(draft, review, comments=False).comments is None
    assert workflow.plan_export(draft, None, comments=True).comments is None  # nothing checked: nothing to comment
    assert workflow.plan_export(draft).high == []


def test_export_writes_the_plan(en_stay, tmp_path):
    template, draft = draft_by_hand(en_stay, "discharge_summary_en", {"procedures_and_treatment": COURSE})
    review = workflow.review_draft(en_stay, workflow.checked_sections(draft), template)
    out = workflow.export_draft(draft, tmp_path / "x.docx", workflow.plan_export(draft, review, comments=True))
    assert {c.author for c in read_docx(str(out)).comments} == {"EMRWriter"}


def test_a_template_that_cannot_be_loaded_exports_without_its_styles(en_stay, caplog):
    _, draft = draft_by_hand(en_stay, "discharge_summary_en", {})
    draft.template = "gone_since"
    with caplog.at_level(logging.WARNING, logger="emrwriter.workflow"):
        plan = workflow.plan_export(draft)
    assert plan.reference is None and "without the template's styles" in caplog.text
