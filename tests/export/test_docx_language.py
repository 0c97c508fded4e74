"""The Word file speaks the draft's language: a Chinese draft exported with its review
as comments (what `emrwriter draft --comments` and the app's export write) has Chinese
comments, missing items named by the template's headings, Chinese notes, marks and
footer, and no English wording or internal keys; an English draft stays English."""

from __future__ import annotations

import re
import string

import pytest
from docx import Document as read_docx

from emrwriter.checks.evidence import build_evidence
from emrwriter.checks.review import CheckedSection, review_draft
from emrwriter.drafting.evidence import Piece, PromptEvidence
from emrwriter.export.comments import word_comments
from emrwriter.export.docx_writer import write_docx
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.words import words
from tests.conftest import EN_CASE, ZH_CASE, draft_by_hand

CJK = re.compile(r"[\u4e00-\u9fff]")
ZH_COURSE = "入院后予头孢曲松2.0g静脉滴注每日一次，加用华法林5mg每日一次。患者体温于10-09傍晚降至正常。"
EN_COURSE = "She was treated with furosemide 80 mg IV twice daily and warfarin 5 mg daily. Her BNP was 1840 pg/mL."


def english_phrases() -> list[str]:
    """The fixed English text of every message, note and mark (between their fields)."""
    table = words("en")
    phrases = [
        *table["findings"].values(),
        *table["review"].values(),
        *table["omitted"].values(),
        *table["export"].values(),
        *table["drafting"].values(),
        *(v for v in table["completeness"].values() if isinstance(v, str)),
    ]
    found = set()
    for phrase in phrases:
        for literal, *_ in string.Formatter().parse(phrase):
            literal = literal.strip(" '()[];:.,—“”")
            if len(literal) >= 6 and re.search(r"[a-z]{3}", literal):
                found.add(literal)
    return sorted(found)


def exported(case, template_name: str, course_key: str, course: str, language: str, tmp_path):
    """A draft by hand with one model section written and one left unfinished, checked,
    and exported with its review as Word comments; the document read back."""
    stay = select_encounter(load_case(case))
    template, draft = draft_by_hand(stay, template_name, {course_key: course})
    unfinished = next(s for s in draft.sections if s.origin == "model" and not s.text)
    unfinished.complete, unfinished.note = False, words(language)["drafting"]["stopped"]
    left_out = PromptEvidence([], [Piece(words(language)["record"]["labs"], "...", 4, 0, tokens=120)], "priority")
    draft.omitted = left_out.omitted_notes(2048, language)
    review = review_draft(stay, [CheckedSection.of(s) for s in draft.sections], template, build_evidence(stay))
    comments = word_comments(review, language)
    out = write_docx(draft, tmp_path / f"{template_name}.docx", template.reference_docx, comments=comments)
    return template, review, comments, read_docx(str(out))


@pytest.fixture(scope="module")
def zh_export(tmp_path_factory):
    return exported(ZH_CASE, "discharge_summary_zh", "hospital_course", ZH_COURSE, "zh", tmp_path_factory.mktemp("zh"))


def test_a_chinese_draft_is_exported_with_chinese_comments(zh_export) -> None:
    template, review, comments, doc = zh_export
    texts = [c.text for c in doc.comments]
    assert sorted(texts) == sorted(c.text for c in comments) and len(texts) >= 4
    assert all(t.startswith(("[高]", "[中]", "[低]", "[无依据]", "[缺项]")) for t in texts), texts
    assert any(t.startswith("[高] 病历中没有“华法林”") for t in texts)
    missing = [t for t in texts if t.startswith("[缺项]")]
    assert (
        missing
        == [
            f"[缺项] {heading}：有标题，无内容。病历书写基本规范 (2010) 出院记录要求：{heading}。"
            for heading in review.completeness.missing_headings
        ]
        and missing
    )
    keys = {spec.key for spec in template.sections if "_" in spec.key}
    for text in texts:
        assert not any(phrase in text for phrase in english_phrases()), text
        assert not any(key in text for key in keys), text


def test_a_chinese_draft_has_chinese_notes_marks_and_footer(zh_export) -> None:
    _, _, _, doc = zh_export
    paragraphs = [p.text for p in doc.paragraphs]
    assert "【未完成：已停止生成】" in paragraphs
    assert "起草说明" in paragraphs
    assert "其他检验结果：120 个词元未纳入，病历超出了模型 2048 个词元的上下文" in paragraphs
    assert doc.sections[0].footer.paragraphs[0].text.startswith("草稿：由 EMRWriter")
    body = "\n".join(paragraphs)
    assert not any(phrase in body for phrase in english_phrases())


def test_an_english_draft_is_exported_with_english_comments(tmp_path) -> None:
    *_, doc = exported(EN_CASE, "discharge_summary_en", "procedures_and_treatment", EN_COURSE, "en", tmp_path)
    texts = [c.text for c in doc.comments]
    assert any(t.startswith(("[high] ", "[medium] ")) and "'80 mg'" in t and "'40 mg'" in t for t in texts), texts
    assert "[high] 'warfarin' (warfarin) is not in the record" in texts
    assert any(t.startswith("[unsupported]") for t in texts)
    assert (
        "[missing] Condition and Disposition at Discharge: heading present, no content. The Joint Commission "
        "RC.02.04.01 EP 3 requires condition and disposition at discharge." in texts
    )
    assert not any(CJK.search(t.split(" — ")[0]) for t in texts)
    paragraphs = [p.text for p in doc.paragraphs]
    assert "[Incomplete: generation was stopped]" in paragraphs and "Drafting notes" in paragraphs
