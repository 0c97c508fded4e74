"""Every message a doctor reads about a draft is in the draft's language: a Chinese
draft's findings, missing items and notes are Chinese (no English wording, no internal
keys such as ``discharge_date``), an English draft's English. The machine-readable
fields (kind, code, the missing items' keys) stay the same in both."""

from __future__ import annotations

import re
import string

import pytest

from emrwriter.checks.review import CheckedSection, review_draft
from emrwriter.words import words
from tests.conftest import draft_by_hand

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# A Chinese course with a drug the record does not have (warfarin) and a dose it does.
ZH_COURSE = "入院后予头孢曲松2.0g静脉滴注每日一次，加用华法林5mg每日一次。患者体温于10-09傍晚降至正常。"
EN_COURSE = "She was treated with furosemide 80 mg IV twice daily and warfarin 5 mg daily. Her BNP was 1840 pg/mL."


def english_wording() -> set[str]:
    """The fixed English words of every message (the text between the fields)."""
    table = words("en")
    phrases = [
        *table["findings"].values(),
        *table["review"].values(),
        *(v for v in table["completeness"].values() if isinstance(v, str)),
    ]
    found = set()
    for phrase in phrases:
        for literal, *_ in string.Formatter().parse(phrase):
            found.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", literal))
    return found


def internal_keys(template) -> set[str]:
    return {spec.key for spec in template.sections if "_" in spec.key}


def without_values(finding) -> str:
    """A finding's message without the values it names (the draft's and the record's words)."""
    text = finding.message
    for _, value in sorted(finding.fields, key=lambda kv: -len(kv[1])):
        if value:
            text = text.replace(value, "")
    return text


@pytest.fixture(scope="module")
def zh_review(zh_stay, zh_evidence):
    # 入院情况 and 出院情况 are left unwritten: two required items missing.
    template, draft = draft_by_hand(zh_stay, "discharge_summary_zh", {"hospital_course": ZH_COURSE})
    return template, review_draft(zh_stay, [CheckedSection.of(s) for s in draft.sections], template, zh_evidence)


@pytest.fixture(scope="module")
def en_review(en_stay, en_evidence):
    template, draft = draft_by_hand(en_stay, "discharge_summary_en", {"procedures_and_treatment": EN_COURSE})
    return template, review_draft(en_stay, [CheckedSection.of(s) for s in draft.sections], template, en_evidence)


def test_a_chinese_draft_gets_chinese_findings(zh_review) -> None:
    template, review = zh_review
    assert review.language == "zh"
    findings = [f for _, f in review.findings()]
    codes = {f.code for f in findings}
    assert "drug_not_in_record" in codes and len(codes) >= 2, codes
    english, keys = english_wording(), internal_keys(template)
    for finding in findings:
        assert finding.code, finding  # every message comes from the words files
        assert CJK.search(finding.message), finding.message
        assert not LATIN.search(without_values(finding)), finding.message
        assert not {w.lower() for w in re.findall(r"[A-Za-z]+", finding.message)} & english, finding.message
        assert not any(key in finding.message for key in keys)
    warfarin = next(f for f in findings if f.code == "drug_not_in_record")
    assert warfarin.kind == "drug" and warfarin.message == "病历中没有“华法林”"


def test_a_chinese_draft_names_its_missing_items_by_its_headings(zh_review) -> None:
    _, review = zh_review
    completeness = review.completeness
    assert completeness.missing == ["admission_condition", "discharge_condition"]  # keys, for machines and JSON
    assert completeness.missing_headings == ["入院情况", "出院情况"]
    assert completeness.standard == "病历书写基本规范 (2010) 出院记录"
    for item in completeness.items:
        assert not LATIN.search(item.note + item.required_by), item
        if not item.present:
            assert item.status == "no_content" and item.note == "有标题，无内容"
    data = completeness.as_dict()
    assert data["missing"] == ["admission_condition", "discharge_condition"]
    assert [i["heading"] for i in data["items"] if not i["present"]] == ["入院情况", "出院情况"]


def test_an_english_draft_gets_english_findings(en_review) -> None:
    template, review = en_review
    findings = [f for _, f in review.findings()]
    assert {"value_changed", "drug_not_in_record"} & {f.code for f in findings}
    for finding in findings:
        assert finding.code and not CJK.search(without_values(finding)), finding.message
    dose = next(f for f in review.sections["procedures_and_treatment"].findings if f.text == "80 mg")
    assert "'80 mg'" in dose.message and "record" in dose.message
    missing = review.completeness.missing_headings
    assert "Condition and Disposition at Discharge" in missing
    assert set(missing) <= {spec.heading for spec in template.sections}
    assert all(not CJK.search(i.note) for i in review.completeness.items)
