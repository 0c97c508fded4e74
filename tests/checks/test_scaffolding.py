"""The checker knows the draft's own scaffolding (labels, counts, "nothing found"
placeholders, captions) from the template's sections.j2 and the words files, not
from a copied pattern: reword a template and its boilerplate is still not a finding,
and its new placeholder still means "missing"."""

from __future__ import annotations

import shutil
from pathlib import Path

from emrwriter.checks.review import CheckedSection, review_draft
from emrwriter.checks.scaffolding import default_scaffolding, scaffolding_of
from emrwriter.templates import load_template
from tests.conftest import ROOT, draft_by_hand

COUNT = "{{ facts.discharge_medications | length }} medication(s) at discharge, listed below."
REWORDED_COUNT = "Medicines to take at home: {{ facts.discharge_medications | length }} (see the table)."
NO_PLAN = "(no follow-up plan found in the record)"
REWORDED_NO_PLAN = "(nothing about follow-up in the record)"


def reworded(tmp_path: Path, name: str, changes: dict[str, str]) -> Path:
    """A copy of one of our templates with phrases of its sections.j2 reworded."""
    folder = tmp_path / f"{name}_reworded"
    shutil.copytree(ROOT / "emrwriter" / "bundled" / "templates" / name, folder)
    sections = folder / "sections.j2"
    text = sections.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    sections.write_text(text, encoding="utf-8")
    return folder


def test_the_checker_follows_a_reworded_template(en_stay, en_evidence, tmp_path) -> None:
    folder = reworded(
        tmp_path,
        "discharge_summary_en",
        {COUNT: REWORDED_COUNT, NO_PLAN: REWORDED_NO_PLAN, "Admission diagnoses:": "Diagnoses on admission:"},
    )
    template, draft = draft_by_hand(en_stay, str(folder), {})
    medications = draft.section("discharge_medications").text
    assert medications.startswith("Medicines to take at home: ")
    draft.section("follow_up").text = REWORDED_NO_PLAN  # as the block renders for a record without a plan
    sections = [CheckedSection.of(s) for s in draft.sections]
    count_line = (0, medications.index("\n"))

    def on_count_line(review) -> list:
        return [f for f in review.sections["discharge_medications"].findings if f.start < count_line[1] and f.end > 0]

    ours = review_draft(en_stay, sections, template, en_evidence)
    assert on_count_line(ours) == []
    assert "Follow-up" in ours.completeness.missing_headings  # the new placeholder is no plan
    assert not ours.sections["diagnoses"].findings

    # Checked with the scaffolding of the template as shipped, the same draft's own count is a
    # number the record does not have, and the reworded placeholder passes for a plan.
    shipped = review_draft(en_stay, sections, load_template("discharge_summary_en"), en_evidence)
    assert on_count_line(shipped)
    assert "Follow-up" not in shipped.completeness.missing_headings


class NothingFound:
    """Facts of a record that has none: every list empty, nothing to quote."""

    def __getattr__(self, name: str) -> list:
        return []

    def quoted(self, key: str) -> str:
        return ""


def test_a_reworded_chinese_placeholder_still_means_missing(zh_stay, zh_evidence, tmp_path) -> None:
    folder = reworded(
        tmp_path, "discharge_summary_zh", {"（病历中未找到随访安排）": "（病历未记载随访计划）", "出院带药共": "共开出院带药"}
    )
    template = load_template(folder)
    scaffolding = scaffolding_of(template)
    assert scaffolding.covers("共开出院带药 4 种，见下表。")
    assert scaffolding.covers("（病历未记载随访计划）") and scaffolding.placeholder_in("（病历未记载随访计划）")
    assert not scaffolding.covers("- 2周后呼吸科门诊复诊")  # a fact printed by the template is checked
    _, draft = draft_by_hand(
        zh_stay,
        str(folder),
        {"hospital_course": "患者体温于10-09傍晚降至正常。", "admission_condition": "x", "discharge_condition": "x"},
    )
    orders = draft.section("discharge_orders")
    orders.text = template.data_section("discharge_orders", facts=NothingFound())
    assert "（病历未记载随访计划）" in orders.text
    orders.table = None
    review = review_draft(zh_stay, [CheckedSection.of(s) for s in draft.sections], template, zh_evidence)
    assert "出院医嘱" in review.completeness.missing_headings
    # Nothing the template wrote is flagged (what is flagged is the record's discharge drugs, missing).
    assert {f.kind for f in review.sections["discharge_orders"].findings} == {"omission"}


def test_what_counts_as_scaffolding() -> None:
    en = scaffolding_of(load_template("discharge_summary_en"))
    assert en.covers("Admission diagnoses:") and en.covers("(no discharge diagnosis found in the record)")
    assert en.covers("12 medication(s) at discharge, listed below.")
    assert en.covers("Abnormal results: 3 (of 20 results)")  # a caption from the words file
    assert en.covers("Medication | Dose | Route | Frequency | Status")
    assert en.covers("[Incomplete: generation was stopped]") and en.placeholder_in("[Incomplete: generation was stopped]")
    assert en.covers("Attending physician: ________________    Signature: ________________    Date: ________")
    assert not en.covers("Attending physician: Daniel K. Mercer, MD    Signature: ________    Date: ________")
    assert not en.covers("Allergies: Sulfa (rash)") and not en.covers("1. Acute on chronic systolic heart failure")
    assert not en.placeholder_in("Discharge diagnoses:")  # a label, even where the template chooses between two
    assert en.empty("Admission diagnoses:\n(no admission diagnosis found in the record)")
    assert not en.empty("Attending physician: ________________    Signature: ________________    Date: ________")
    zh = scaffolding_of(load_template("discharge_summary_zh"))
    assert zh.covers("出院带药共 4 种，见下表。") and zh.covers("异常检验结果：2 项（共 10 项检验）")
    assert zh.covers("【未完成：已停止生成】") and zh.covers("医师签名：________　　　日期：________")
    assert not zh.covers("出院带药：莫西沙星 0.4g")
    every = default_scaffolding()  # what the checker knows without a template: any of ours, any language
    assert every.covers("出院带药共 4 种，见下表。") and every.covers("12 medication(s) at discharge, listed below.")
