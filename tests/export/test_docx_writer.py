"""Word export, read back with python-docx."""

from datetime import datetime

import pytest
from docx import Document

from emrwriter.drafting.draft import Draft, DraftSection, Table
from emrwriter.export.docx_writer import ExportError, write_docx
from emrwriter.templates import load_template


def _draft(language="en"):
    return Draft(
        template="discharge_summary_en",
        title="Discharge Summary",
        language=language,
        model="TinyModel",
        created=datetime(2026, 10, 8, 14, 30),
        patient={"Name": "Dorothy M. Hartwell", "Sex": "female", "Admitted": "2026-10-03"},
        sections=[
            DraftSection(
                "diagnoses",
                "Diagnoses",
                "1. Heart failure\n2. Hypertension",
                "data",
                table=Table(["Medication", "Dose"], [["Furosemide", "40 mg"]]),
            ),
            DraftSection(
                "course",
                "Hospital Course",
                "Diuresed with IV furosemide.",
                "model",
                complete=False,
                note="generation was stopped",
            ),
        ],
        omitted=["Progress note 10/06: 117 tokens left out"],
    )


def test_document_reads_back_with_headings_tables_and_footer(tmp_path):
    out = write_docx(_draft(), tmp_path / "summary.docx", load_template("discharge_summary_en").reference_docx)
    doc = Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "Discharge Summary")
    assert ("Heading 1", "Diagnoses") in paragraphs and ("Heading 1", "Hospital Course") in paragraphs
    assert ("Normal", "2. Hypertension") in paragraphs
    assert ("Normal", "[Incomplete: generation was stopped]") in paragraphs
    assert ("List Bullet", "Progress note 10/06: 117 tokens left out") in paragraphs
    header, meds = doc.tables
    assert [c.text for c in header.rows[0].cells] == ["Name", "Dorothy M. Hartwell", "Sex", "female"]
    assert [[c.text for c in row.cells] for row in meds.rows] == [["Medication", "Dose"], ["Furosemide", "40 mg"]]
    footer = doc.sections[0].footer.paragraphs[0].text
    assert "TinyModel" in footer and "discharge_summary_en" in footer and "DRAFT" in footer


def test_reference_styles_are_used(tmp_path):
    out = write_docx(_draft("zh"), tmp_path / "zh.docx", load_template("discharge_summary_zh").reference_docx)
    doc = Document(str(out))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert "须经医师审核" in doc.sections[0].footer.paragraphs[0].text


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "summary.docx"
    out.write_bytes(b"the doctor's earlier file")
    with pytest.raises(ExportError, match="already exists.*--force"):
        write_docx(_draft(), out)
    assert out.read_bytes() == b"the doctor's earlier file"
    write_docx(_draft(), out, force=True)
    assert Document(str(out)).paragraphs[0].text == "Discharge Summary"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.docx"], "no temporary file is left behind"


def test_bad_destinations_are_clear_errors(tmp_path):
    with pytest.raises(ExportError, match="must end in .docx"):
        write_docx(_draft(), tmp_path / "summary.txt")
    with pytest.raises(ExportError, match="no such folder"):
        write_docx(_draft(), tmp_path / "missing" / "summary.docx")


def test_the_file_has_the_users_usual_permissions(tmp_path):
    """Written through a private temporary file, but filed like any document the user saves."""
    import os

    mask = os.umask(0o022)
    try:
        out = write_docx(_draft(), tmp_path / "summary.docx")
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644
