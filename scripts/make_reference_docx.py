"""Rebuild each template's reference.docx: the styles (fonts, sizes, page) the
Word export uses. Run: python scripts/make_reference_docx.py"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parents[1] / "emrwriter" / "bundled" / "templates"

STYLES = {
    "discharge_summary_zh": {"latin": "Times New Roman", "east_asian": "SimSun", "heading_east_asian": "SimHei", "size": 10.5},
    "discharge_summary_en": {"latin": "Calibri", "east_asian": "SimSun", "heading_east_asian": "SimHei", "size": 11},
}


def set_fonts(style, latin: str, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = latin
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def build(name: str, spec: dict) -> None:
    doc = Document()
    page = doc.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(2.5))
    set_fonts(doc.styles["Normal"], spec["latin"], spec["east_asian"], spec["size"])
    title = doc.styles["Title"]
    set_fonts(title, spec["latin"], spec["heading_east_asian"], 18, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for level, size in ((1, 13), (2, 11)):
        heading = doc.styles[f"Heading {level}"]
        set_fonts(heading, spec["latin"], spec["heading_east_asian"], size, bold=True)
        heading.paragraph_format.space_before = Pt(10)
        heading.paragraph_format.space_after = Pt(4)
    doc.core_properties.title = "EMRWriter reference styles"
    doc.core_properties.author = "EMRWriter"
    doc.save(HERE / name / "reference.docx")


if __name__ == "__main__":
    for template, spec in STYLES.items():
        build(template, spec)
        print(HERE / template / "reference.docx")
