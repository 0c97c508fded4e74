"""Reviewing a draft section by section (what the app shows and exports as Word
comments): findings and citations land in the right section at the right offsets."""

from __future__ import annotations

import pytest
from docx import Document as read_docx

from emrwriter.checks.review import CheckedSection, review_draft, table_text
from emrwriter.export.comments import word_comments
from emrwriter.export.docx_writer import write_docx
from tests.conftest import draft_by_hand

COURSE = "She was treated with furosemide 80 mg IV twice daily. Her BNP was 1840 pg/mL on admission."
FAITHFUL = "Her BNP was 1840 pg/mL on admission."


@pytest.fixture(scope="module")
def en_draft(en_stay):
    """The English template's data sections as the pipeline fills them, and one model
    section with a wrong dose in it (the record says furosemide 40 mg)."""
    return draft_by_hand(en_stay, "discharge_summary_en", {"procedures_and_treatment": COURSE})


def test_findings_and_citations_are_given_per_section(en_stay, en_evidence, en_draft):
    template, draft = en_draft
    review = review_draft(en_stay, [CheckedSection.of(s) for s in draft.sections], template, en_evidence)
    course = review.sections["procedures_and_treatment"]
    flagged = {COURSE[f.start : f.end] for f in course.findings}
    assert "80 mg" in flagged
    assert not any(f.start >= COURSE.index(FAITHFUL) and f.kind != "medication_change" for f in course.findings)
    citations = {COURSE[c.start : c.end].strip(): c for c in course.citations}
    assert citations[FAITHFUL].supported and citations[FAITHFUL].sources
    assert not review.sections["reason_for_hospitalization"].citations  # nothing written, nothing cited
    # The data sections hold the discharge medications in their table: none reported missing.
    assert not [f for _, f in review.findings() if f.kind == "omission"]
    assert all(0 <= f.start <= f.end <= len(draft.section(k).text) for k, f in review.findings() if k)


def test_open_findings_become_word_comments_on_the_words(en_stay, en_evidence, en_draft, tmp_path):
    template, draft = en_draft
    review = review_draft(en_stay, [CheckedSection.of(s) for s in draft.sections], template, en_evidence)
    comments = word_comments(review)
    out = write_docx(draft, tmp_path / "reviewed.docx", template.reference_docx, comments=comments)
    doc = read_docx(str(out))
    assert len(list(doc.comments)) == len(comments) > 0
    assert any("80 mg" in c.text and "40 mg" in c.text for c in doc.comments)
    assert any(c.text.startswith("[unsupported]") for c in doc.comments)  # the sentence with the wrong dose
    assert {c.author for c in doc.comments} == {"EMRWriter"}
    # The comment on the dose is anchored on exactly those words.
    body = doc.element.body.xml
    start = body.index("commentRangeStart")
    anchored = [p for p in doc.paragraphs if "furosemide" in p.text]
    assert anchored and "80 mg" in [r.text for r in anchored[0].runs]
    assert start < body.index(">80 mg<")
    assert "".join(r.text for r in anchored[0].runs) == COURSE  # splitting into runs lost nothing


def test_table_text_reads_like_a_docx_table():
    from emrwriter.drafting.draft import Table

    assert table_text(Table(["Drug", "Dose"], [["Aspirin", "81 mg"]], "Discharge medications")) == (
        "Discharge medications\nDrug | Dose\nAspirin | 81 mg"
    )
    assert table_text(None) == ""


def test_a_section_cut_mid_sentence_does_not_run_into_its_table(en_stay, en_evidence) -> None:
    """A model section stopped at its token limit ends with "... The"; its table's caption,
    "Abnormal results: 17 (of 25 results)", stays a line of its own (no '17' finding)."""
    from emrwriter.templates import load_template

    template = load_template("discharge_summary_en")
    text = "She was diuresed with IV furosemide and her breathing improved over the first days. The"
    table = "Abnormal results: 17 (of 25 results)\nTest | Result\nBNP | 1840"
    section = CheckedSection("significant_findings", "Significant Findings", text, "model", table)
    review = review_draft(en_stay, [section], template, en_evidence)
    assert not [f for _, f in review.findings() if f.text in {"17", "25"}]
