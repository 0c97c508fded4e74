"""Free-text note importer tests: small notes written here (zh and en, several encodings,
.docx built with python-docx, PDFs written by hand), and the shared corpus of real-style
discharge summaries, where the exact expectations were checked by reading the files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from emrwriter.records.dates import find_date
from emrwriter.records.headings import HEADING_KEYS, find_sections, heading_key
from emrwriter.records.medication_text import parse_medication
from emrwriter.records.model import Record, RecordError
from emrwriter.records.notes import document_from_text, load_docx, load_pdf, load_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "discharge-notes"
SAMPLES = ROOT / "emrwriter" / "bundled" / "samples"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
needs_samples = pytest.mark.skipif(not (SAMPLES / "zh_pneumonia").is_dir(), reason="samples/ not present")

ZH_DISCHARGE = """出院记录

姓名：张三　　性别：男　　住院号：123456
入院日期：2026-10-01 10:20
出院日期：2026-10-08
记录时间：2026-10-08 15:00

主诉：咳嗽、发热3天。
入院情况：患者因咳嗽、发热入院。查体：T 38.5℃。
入院诊断：1.社区获得性肺炎 2.高血压病2级
诊疗经过：予头孢曲松抗感染治疗，体温恢复正常。
出院诊断：
1. 社区获得性肺炎（右肺下叶）
2. 高血压病2级（中危）
3. 低钾血症
出院情况：无发热，咳嗽明显减轻。
过敏史：否认药物过敏史。
出院带药：
阿莫西林克拉维酸钾片 0.457g 口服 每日两次
盐酸氨溴索片 30mg 口服 每日三次
出院医嘱：注意休息，1周后复查血常规。
医师签名：王医生
"""

EN_DISCHARGE = """DISCHARGE SUMMARY

Admission Date: 10/01/2026
Date of Discharge: 10/05/2026
Dictated by: Jane Smith, MD

CHIEF COMPLAINT: Shortness of breath.

PHYSICAL EXAMINATION:
GENERAL: No acute distress.
HEENT: Normal.

 HOSPITAL COURSE: The patient was diuresed with IV furosemide.
She improved.

DISCHARGE DIAGNOSES:
1. Acute on chronic heart failure.
2. Hypertension.

DISCHARGE MEDICATIONS: Furosemide 40 mg PO daily, Lasix 40 mg b.i.d., and
Metoprolol succinate 50 mg daily.

ALLERGIES: NKDA.

INVASIVE LINES: None.

FOLLOW-UP: Cardiology clinic in 1 week.
"""


def text_of(record: Record, item) -> str:
    """The text an item's provenance span points at."""
    span = item.provenance
    return record.documents[0].text[span.start : span.end]


def section_keys(record: Record) -> list[str]:
    return [s.key for s in record.documents[0].sections]


# --- Chinese, GBK ---------------------------------------------------------------


def test_gbk_chinese_discharge_summary() -> None:
    record = load_text(Path("出院记录.txt"), ZH_DISCHARGE.encode("gbk"))
    doc = record.documents[0]
    assert doc.text == ZH_DISCHARGE
    assert (doc.kind, doc.title, doc.author) == ("discharge_summary", "出院记录", "王医生")
    assert doc.date == datetime(2026, 10, 8, 15, 0)
    assert section_keys(record) == [
        "admission_date",
        "discharge_date",
        "chief_complaint",
        "admission_condition",
        "admission_diagnosis",
        "hospital_course",
        "discharge_diagnosis",
        "discharge_condition",
        "allergies",
        "discharge_medications",
        "discharge_instructions",
        "signature",
    ]
    assert doc.section_text("hospital_course") == "予头孢曲松抗感染治疗，体温恢复正常。"
    (stay,) = record.encounters
    assert (stay.id, stay.kind) == ("stay", "inpatient")
    assert (stay.start, stay.end) == (datetime(2026, 10, 1, 10, 20), datetime(2026, 10, 8))
    assert doc.text[stay.provenance.start : stay.provenance.end].startswith("入院日期：2026-10-01 10:20")


def test_semicolon_and_line_lists_but_never_commas() -> None:
    text = "ADMISSION DIAGNOSIS: Pneumonia; COPD exacerbation; diabetes, type 2.\n\n出院诊断：\n肺炎\n2型糖尿病\n"
    record = document_from_text(Path("n.txt"), text)
    assert [(c.role, c.name) for c in record.conditions] == [
        ("admission", "Pneumonia"),
        ("admission", "COPD exacerbation"),
        ("admission", "diabetes, type 2"),
        ("discharge", "肺炎"),
        ("discharge", "2型糖尿病"),
    ]


def test_chinese_diagnoses_inline_and_line_numbering() -> None:
    record = load_text(Path("出院记录.txt"), ZH_DISCHARGE.encode("gbk"))
    admission = [(c.name, text_of(record, c)) for c in record.conditions if c.role == "admission"]
    assert admission == [("社区获得性肺炎", "社区获得性肺炎"), ("高血压病2级", "高血压病2级")]
    discharge = [c.name for c in record.conditions if c.role == "discharge"]
    assert discharge == ["社区获得性肺炎（右肺下叶）", "高血压病2级（中危）", "低钾血症"]
    assert all(c.encounter_id == "stay" for c in record.conditions)


def test_chinese_discharge_medications_and_no_allergy() -> None:
    record = load_text(Path("出院记录.txt"), ZH_DISCHARGE.encode("gbk"))
    meds = [(m.name, m.dose, m.route, m.frequency, m.role) for m in record.medications]
    assert meds == [
        ("阿莫西林克拉维酸钾片", "0.457g", "口服", "每日两次", "discharge"),
        ("盐酸氨溴索片", "30mg", "口服", "每日三次", "discharge"),
    ]
    assert text_of(record, record.medications[0]) == "阿莫西林克拉维酸钾片 0.457g 口服 每日两次"
    assert record.allergies == []
    assert record.problems == []


# --- encodings and line endings ---------------------------------------------------


def test_utf8_bom_and_crlf_are_normalised() -> None:
    data = EN_DISCHARGE.replace("\n", "\r\n").encode("utf-8-sig")
    record = load_text(Path("summary.txt"), data)
    doc = record.documents[0]
    assert doc.text == EN_DISCHARGE  # no BOM, \r\n -> \n, everything else kept
    assert doc.provenance.end == len(EN_DISCHARGE)


def test_utf16_note() -> None:
    record = load_text(Path("note.txt"), EN_DISCHARGE.encode("utf-16"))
    assert record.documents[0].text == EN_DISCHARGE
    assert "hospital_course" in section_keys(record)


def test_binary_is_refused() -> None:
    with pytest.raises(RecordError, match="note.txt"):
        load_text(Path("note.txt"), bytes(range(256)) * 4)


# --- English structure ------------------------------------------------------------


def test_english_sections_and_subheadings() -> None:
    record = load_text(Path("summary.txt"), EN_DISCHARGE.encode())
    doc = record.documents[0]
    assert (doc.kind, doc.title, doc.author) == ("discharge_summary", "DISCHARGE SUMMARY", "Jane Smith, MD")
    assert section_keys(record) == [
        "admission_date",
        "discharge_date",
        "chief_complaint",
        "physical_exam",
        "hospital_course",
        "discharge_diagnosis",
        "discharge_medications",
        "allergies",
        "other",
        "follow_up",
    ]
    # GENERAL:/HEENT: are sub-headings of the exam, not sections of their own
    assert doc.section_text("physical_exam") == "GENERAL: No acute distress.\nHEENT: Normal."
    assert doc.section_text("hospital_course") == "The patient was diuresed with IV furosemide.\nShe improved."
    other = next(s for s in doc.sections if s.key == "other")
    assert (other.heading, doc.text[other.start : other.end]) == ("INVASIVE LINES", "None.")
    (stay,) = record.encounters
    assert (stay.start, stay.end) == (datetime(2026, 10, 1), datetime(2026, 10, 5))


def test_english_comma_medication_prose() -> None:
    record = load_text(Path("summary.txt"), EN_DISCHARGE.encode())
    meds = [(m.name, m.dose, m.route, m.frequency, text_of(record, m)) for m in record.medications]
    assert meds == [
        ("Furosemide", "40 mg", "PO", "daily", "Furosemide 40 mg PO daily"),
        ("Lasix", "40 mg", "", "b.i.d.", "Lasix 40 mg b.i.d."),
        ("Metoprolol succinate", "50 mg", "", "daily", "Metoprolol succinate 50 mg daily."),
    ]
    assert {m.role for m in record.medications} == {"discharge"}
    assert record.allergies == []


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("阿莫西林克拉维酸钾片 0.457g 口服 每日两次", ("阿莫西林克拉维酸钾片", "0.457g", "口服", "每日两次")),
        ("Furosemide 40 mg PO daily", ("Furosemide", "40 mg", "PO", "daily")),
        ("Lasix 40 mg b.i.d.", ("Lasix", "40 mg", "", "b.i.d.")),
        ("Cipro 250 mg, one tablet p.o. b.i.d. for two days.", ("Cipro", "250 mg", "p.o.", "b.i.d.")),
        ("莫西沙星片0.4g口服每日一次", ("莫西沙星片", "0.4g", "口服", "每日一次")),
        # 吸入 inside the product name is not the route; the bracketed strength is not the dose
        (
            "噻托溴铵奥达特罗吸入喷雾剂（2.5μg/2.5μg/揿） 2揿 吸入 每日一次",
            ("噻托溴铵奥达特罗吸入喷雾剂（2.5μg/2.5μg/揿）", "2揿", "吸入", "每日一次"),
        ),
        ("Sacubitril/valsartan 24 mg/26 mg PO twice daily", ("Sacubitril/valsartan", "24 mg/26 mg", "PO", "twice daily")),
        ("Heparin 5,000 units SC every 8 hours", ("Heparin", "5,000 units", "SC", "every 8 hours")),
        ("Zofran", ("Zofran", "", "", "")),  # nothing to parse: the whole item is the name
    ],
)
def test_parse_medication(item: str, expected: tuple[str, str, str, str]) -> None:
    assert parse_medication(item) == expected


@pytest.mark.parametrize("body", ["None.", "NKDA", "No known drug allergies.", "否认药物过敏史。", "否认药物、食物过敏史", "无"])
def test_no_allergy_statements(body: str) -> None:
    record = document_from_text(Path("n.txt"), f"ALLERGIES: {body}\n")
    assert record.allergies == []
    assert record.problems == []


def test_listed_allergies() -> None:
    record = document_from_text(
        Path("n.txt"),
        "ALLERGIES: PENICILLIN, SULFA, and\nIODINE, all cause HIVES.\n\n过敏史：青霉素过敏。约30年前出现皮疹。\n",
    )
    assert [(a.substance, a.reaction) for a in record.allergies] == [
        ("PENICILLIN", "HIVES"),
        ("SULFA", "HIVES"),
        ("IODINE", "HIVES"),
        ("青霉素", ""),
    ]
    assert text_of(record, record.allergies[-1]) == "青霉素过敏"


def test_drug_names_that_start_like_none_are_allergies() -> None:
    record = document_from_text(Path("n.txt"), "ALLERGIES: Naproxen - hives; Nilotinib; Nonoxynol\n")
    assert [(a.substance, a.reaction) for a in record.allergies] == [("Naproxen", "hives"), ("Nilotinib", ""), ("Nonoxynol", "")]


def test_allergy_with_reaction_after_dash() -> None:
    record = document_from_text(Path("n.txt"), "ALLERGIES:\nSulfa (sulfamethoxazole) - rash. Tolerates furosemide.\n")
    assert [(a.substance, a.reaction) for a in record.allergies] == [("Sulfa (sulfamethoxazole)", "rash")]


# --- heading forms ---------------------------------------------------------------


def test_bracket_numbered_and_markdown_headings() -> None:
    text = (
        "# 出院小结\n\n"
        "一、入院情况\n患者发热。\n"
        "【诊疗经过】抗感染治疗。\n"
        "二、其他事项：无。\n"
        "## Hospital course\nDiuresed.\n"
        "## Social work\nHome with family.\n"
    )
    sections = find_sections(text)
    assert [(s.key, s.heading, text[s.start : s.end]) for s in sections] == [
        ("admission_condition", "入院情况", "患者发热。"),
        ("hospital_course", "诊疗经过", "抗感染治疗。"),
        ("other", "其他事项", "无。"),
        ("hospital_course", "Hospital course", "Diuresed."),
        ("other", "Social work", "Home with family."),
    ]
    record = document_from_text(Path("note.md"), text)
    assert (record.documents[0].kind, record.documents[0].title) == ("discharge_summary", "出院小结")


def test_markdown_bold_headings_and_bullets() -> None:
    text = (
        "# Discharge summary\n\n**Hospital course:** Diuresed.\n\n"
        "## Discharge medications\n- Furosemide 40 mg PO daily\n- Aspirin 81 mg daily\n"
    )
    record = document_from_text(Path("summary.md"), text)
    assert section_keys(record) == ["hospital_course", "discharge_medications"]
    assert record.documents[0].section_text("hospital_course") == "Diuresed."
    assert [(m.name, m.dose) for m in record.medications] == [("Furosemide", "40 mg"), ("Aspirin", "81 mg")]


def test_sentences_that_mention_a_heading_are_not_headings() -> None:
    text = "HOSPITAL COURSE: She improved and will need\noutpatient followup.\ncondition.\nFOLLOWUP: In 1 week.\n"
    assert [s.key for s in find_sections(text)] == ["hospital_course", "follow_up"]


def test_medications_heading_depends_on_place_in_note() -> None:
    text = "MEDICATIONS: Aspirin 81 mg daily.\n\nHOSPITAL COURSE: Stable.\n\nMEDICATIONS: Aspirin 81 mg daily.\n"
    assert [s.key for s in find_sections(text)] == ["medications", "hospital_course", "discharge_medications"]
    record = document_from_text(Path("n.txt"), text)
    assert [m.role for m in record.medications] == ["home", "discharge"]


def test_heading_table_is_data() -> None:
    assert all(isinstance(s, str) for synonyms in HEADING_KEYS.values() for s in synonyms)
    assert heading_key("主  诉") == "chief_complaint"
    assert heading_key("DISCHARGE DIAGNOSIS (ES)") == "discharge_diagnosis"
    assert heading_key("DIAGNOSES AT DISCHARGE") == "discharge_diagnosis"
    assert heading_key("Condition upon discharge") == "discharge_condition"
    assert heading_key("周明远副主任医师查房记录（出院前查房）") == "progress"
    assert heading_key("AXIS I") is None


# --- kinds, dates, authors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first_line", "kind"),
    [
        ("入院记录.txt", "", "admission_note"),
        ("note.txt", "HISTORY AND PHYSICAL", "admission_note"),
        ("hp.txt", "H&P", "admission_note"),
        ("首次病程记录.txt", "", "first_progress_note"),
        ("日常病程记录_2026-10-09.txt", "", "progress_note"),
        ("note.txt", "2026-10-09 09:30 日常病程记录", "progress_note"),
        ("note.txt", "PROGRESS NOTE", "progress_note"),
        ("出院医嘱.txt", "", "discharge_orders"),
        ("a.txt", "出院小结", "discharge_summary"),
        ("gi-bleed-discharge-summary.txt", "", "discharge_summary"),
        ("用药清单.txt", "", "medication_list"),
        ("note.txt", "Something else", "note"),
    ],
)
def test_document_kind(name: str, first_line: str, kind: str) -> None:
    record = document_from_text(Path(name), f"{first_line}\n\n主诉：咳嗽。\n")
    assert record.documents[0].kind == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("记录时间：2026-10-03 09:30\n", datetime(2026, 10, 3, 9, 30)),
        ("日期：2026年10月3日\n", datetime(2026, 10, 3)),
        ("Date: 10/03/2026\n", datetime(2026, 10, 3)),
        ("2026-10-09 09:30 日常病程记录\n主诉：无\n", datetime(2026, 10, 9, 9, 30)),
        ("入院日期：2026-10-01\n出生日期：1950-01-01\n", None),  # stay and birth dates are not the note's date
        ("Admission Date: 10/01/2026\n", None),
    ],
)
def test_document_date(text: str, expected: datetime | None) -> None:
    assert document_from_text(Path("n.txt"), text).documents[0].date == expected


def test_find_date_formats() -> None:
    assert find_date("on March 26, 2006 at home").value == datetime(2006, 3, 26)
    assert find_date("2026年10月3日 14时30分").value == datetime(2026, 10, 3, 14, 30)
    assert find_date("2026/02/30") is None  # not a real day


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("医师签名：张三　　2026年10月8日\n", "张三"),
        ("记录者：李四\n", "李四"),
        ("Dictated by: John Smith, MD\n", "John Smith, MD"),
        ("Attending: Ann Lee, MD\nElectronically signed by: Bob Roe, MD - 10/03/2026\n", "Bob Roe, MD"),
        ("No signature here.\n", ""),
    ],
)
def test_document_author(text: str, author: str) -> None:
    assert document_from_text(Path("n.txt"), text).documents[0].author == author


def test_separate_admission_time_completes_the_date() -> None:
    record = document_from_text(Path("h.txt"), "HISTORY AND PHYSICAL\nAdmission Date: 10/03/2026\nAdmission Time: 17:30\n")
    assert record.encounters[0].start == datetime(2026, 10, 3, 17, 30)


def test_unreadable_stay_date_is_reported() -> None:
    record = document_from_text(Path("d.txt"), "DATE OF ADMISSION: MM/DD/YYYY.\n\nHOSPITAL COURSE: Stable.\n")
    assert record.encounters == []  # a plain note with no readable date: no stay claimed
    assert [p.message for p in record.problems] == ["admission date 'MM/DD/YYYY.' is not a date EMRWriter can read"]


def test_inpatient_note_without_dates_still_names_the_stay() -> None:
    record = document_from_text(Path("日常病程记录.txt"), "日常病程记录\n记录时间：2026-10-09 09:30\n患者好转。\n")
    (stay,) = record.encounters
    assert (stay.id, stay.start, stay.end) == ("stay", None, None)
    assert record.documents[0].encounter_id == "stay"


def test_medication_list_document() -> None:
    text = "出院用药清单\n姓名：张三\n阿司匹林肠溶片 100mg 口服 每日一次\n阿托伐他汀钙片 20mg 口服 每晚一次\n"
    record = document_from_text(Path("用药清单.txt"), text)
    assert record.documents[0].kind == "medication_list"
    meds = [(m.name, m.dose, m.frequency, m.role) for m in record.medications]
    assert meds == [
        ("阿司匹林肠溶片", "100mg", "每日一次", "discharge"),
        ("阿托伐他汀钙片", "20mg", "每晚一次", "discharge"),
    ]


def test_prose_that_names_no_drug_is_reported_not_invented() -> None:
    record = document_from_text(
        Path("d.txt"), "HOSPITAL COURSE: Fine.\n\nDISCHARGE MEDICATIONS: Please see the attached medication list.\n"
    )
    assert record.medications == []
    assert [p.message for p in record.problems] == [
        "DISCHARGE MEDICATIONS: 1 sentence(s) not read as medications; they stay in the note text for review"
    ]


def test_stopped_medications_are_not_discharge_medications() -> None:
    text = "NEW MEDICATIONS:\nEmpagliflozin 10 mg PO once daily\n\nSTOPPED: Ibuprofen 400 mg PO - avoid NSAIDs; see clinic\n"
    record = document_from_text(Path("medication_list.txt"), text)
    assert [(m.name, m.role, m.status) for m in record.medications] == [
        ("Empagliflozin", "discharge", "new"),  # the heading says NEW
        ("Ibuprofen", "", "stopped"),
    ]


# --- .docx -----------------------------------------------------------------------


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("出院记录")
    document.add_paragraph("入院日期：2026-10-01")
    document.add_paragraph("出院诊断：")
    document.add_paragraph("1. 社区获得性肺炎")
    document.add_paragraph("出院带药：")
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(
        table.rows,
        [
            ("药品名称", "剂量", "用法", "频次"),
            ("阿莫西林胶囊", "0.5g", "口服", "每日三次"),
            ("氨溴索片", "30mg", "口服", "每日三次"),
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("出院医嘱：注意休息。")
    document.save(str(path))


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    path = tmp_path / "出院记录.docx"
    make_docx(path)
    record = load_docx(path)
    doc = record.documents[0]
    assert doc.text == (
        "出院记录\n入院日期：2026-10-01\n出院诊断：\n1. 社区获得性肺炎\n出院带药：\n"
        "药品名称 | 剂量 | 用法 | 频次\n阿莫西林胶囊 | 0.5g | 口服 | 每日三次\n氨溴索片 | 30mg | 口服 | 每日三次\n"
        "出院医嘱：注意休息。"
    )
    assert doc.kind == "discharge_summary"
    assert [c.name for c in record.conditions] == ["社区获得性肺炎"]
    meds = [(m.name, m.dose, m.route, m.frequency) for m in record.medications]
    assert meds == [("阿莫西林胶囊", "0.5g", "口服", "每日三次"), ("氨溴索片", "30mg", "口服", "每日三次")]
    assert text_of(record, record.medications[0]) == "阿莫西林胶囊 | 0.5g | 口服 | 每日三次"
    assert record.problems == []  # the table header row is recognised as such
    assert record.encounters[0].start == datetime(2026, 10, 1)


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Aspirin"
    table.cell(0, 2).text = "81 mg"
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert load_docx(path).documents[0].text == "Aspirin | 81 mg"


def test_docx_form_of_labels_and_values_reads_as_sections(tmp_path: Path) -> None:
    """A two-column form (出院诊断 | 1. …  2. …) gives each value as its heading's body."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    rows = [("姓名", "赵某"), ("出院诊断", "1. 前列腺增生\n2. 2型糖尿病"), ("出院带药", "坦索罗辛缓释胶囊 0.2mg 口服 每晚一次")]
    for row, (label, value) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = label, value
    path = tmp_path / "出院记录.docx"
    document.save(str(path))
    record = load_docx(path)
    assert record.patient.name == "赵某"
    assert [c.name for c in record.conditions if c.role == "discharge"] == ["前列腺增生", "2型糖尿病"]
    assert [(m.name, m.dose, m.frequency) for m in record.medications] == [("坦索罗辛缓释胶囊", "0.2mg", "每晚一次")]


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old binary .doc")
    with pytest.raises(RecordError, match=r"old\.docx: not a readable Word \.docx file"):
        load_docx(path)


# --- .pdf ------------------------------------------------------------------------


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF with one Helvetica text line per entry (an empty page has no text)."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        stream = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({escape(x)}) Tj T*" for x in lines) + " ET" if lines else ""
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 "
            f"{page_number + 2} 0 R >> >> /Contents {page_number + 1} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_LINES = ["DISCHARGE SUMMARY", "Admission Date: 10/01/2026", "DISCHARGE DIAGNOSES:", "1. Pneumonia.", "2. COPD (stable)."]


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "summary.pdf"
    path.write_bytes(make_pdf([PDF_LINES]))
    record = load_pdf(path)
    doc = record.documents[0]
    assert doc.kind == "discharge_summary"
    assert [line for line in doc.text.splitlines() if line] == PDF_LINES
    assert [c.name for c in record.conditions] == ["Pneumonia", "COPD (stable)"]
    assert text_of(record, record.conditions[1]) == "COPD (stable)."
    assert record.encounters[0].start == datetime(2026, 10, 1)


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[], []]))
    with pytest.raises(RecordError) as caught:
        load_pdf(path)
    assert str(caught.value) == f"{path}: PDF has no text layer (scanned?); OCR is not supported"


def test_pdf_with_some_scanned_pages_reports_them(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    path.write_bytes(make_pdf([PDF_LINES, []]))
    record = load_pdf(path)
    assert [p.message for p in record.problems] == ["page(s) 2 have no text layer (scanned?); their content is missing"]


def encrypted(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted(make_pdf([PDF_LINES]), "secret"))
    with pytest.raises(RecordError, match=r"locked\.pdf: PDF is password-protected"):
        load_pdf(path)


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    path = tmp_path / "restricted.pdf"
    path.write_bytes(encrypted(make_pdf([PDF_LINES]), ""))
    assert [c.name for c in load_pdf(path).conditions] == ["Pneumonia", "COPD (stable)"]


def test_broken_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(RecordError, match=r"broken\.pdf: not a readable PDF"):
        load_pdf(path)


# --- the shared corpus -----------------------------------------------------------


def corpus_notes() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*.txt") if not p.name.startswith("LICENSE"))


def load_corpus(name: str) -> Record:
    path = CORPUS / name
    return load_text(path, path.read_bytes())


# The one corpus note written as plain paragraphs, without a single heading.
NO_HEADINGS = {"speech-therapy-discharge-summary-2.txt"}


@needs_corpus
@pytest.mark.parametrize("path", corpus_notes(), ids=lambda p: p.name)
def test_every_corpus_note_imports_with_sections(path: Path) -> None:
    record = load_text(path, path.read_bytes())
    doc = record.documents[0]
    assert doc.kind == ("note" if path.name == "laryngitis-discharge.txt" else "discharge_summary")
    known = [s for s in doc.sections if s.key != "other"]
    if path.name in NO_HEADINGS:
        assert doc.sections == []
    else:
        assert known, "no recognised section"
    for section in doc.sections:
        assert 0 <= section.start <= section.end <= len(doc.text)
    previous_end = 0
    for section in doc.sections:  # bodies are in order and never overlap
        assert section.start >= previous_end
        previous_end = section.end
    for item in [*record.conditions, *record.medications, *record.allergies]:
        assert item.provenance.file == str(path)
        assert text_of(record, item).strip(), item


@needs_corpus
def test_corpus_gi_bleed() -> None:
    record = load_corpus("gi-bleed-discharge-summary.txt")
    doc = record.documents[0]
    assert doc.section_text("hospital_course").startswith("The patient underwent upper endoscopy performed by Dr.")
    assert doc.section_text("physical_exam").startswith("GENERAL: The patient is in no acute distress.")
    assert doc.section_text("physical_exam").endswith("EXTREMITIES: 1+ lower extremity edema bilaterally.")
    discharge = [c.name for c in record.conditions if c.role == "discharge"]
    assert discharge == [
        "Upper gastrointestinal bleed",
        "Anemia",
        "Atrial fibrillation",
        "Non-insulin-dependent diabetes mellitus",
        "Hypertension",
        "Hypothyroidism",
        "Asthma",
    ]
    # MEDICATIONS after the hospital course is the discharge list
    assert [s.key for s in doc.sections if s.heading == "MEDICATIONS"] == ["discharge_medications"]
    meds = record.medications
    assert len(meds) == 10
    assert (meds[0].name, meds[0].dose, meds[0].frequency, meds[0].role) == ("Feosol", "325 mg", "daily", "discharge")
    assert [m.name for m in meds] == [
        "Feosol",
        "multivitamins one",
        "Protonix",
        "KCl",
        "Lasix",
        "atenolol",
        "Synthroid",
        "Actos",
        "Mevacor",
        "lisinopril",
    ]
    assert (meds[2].dose, meds[2].frequency, text_of(record, meds[2])) == ("40 mg", "b.i.d.", "Protonix 40 mg\nb.i.d.")
    assert text_of(record, meds[-1]) == "lisinopril 20 mg\ndaily."
    assert record.allergies == []  # "ALLERGIES: None."
    assert doc.section_text("discharge_condition") == "Stable."


@needs_corpus
def test_corpus_discharge_summary_1() -> None:
    record = load_corpus("discharge-summary-1.txt")
    assert [c.name for c in record.conditions] == [
        "Acute cerebrovascular accident/left basal ganglia and deep white matter of the left parietal lobe",
        "Hypertension",
        "Urinary tract infection",
        "Hypercholesterolemia",
    ]
    assert {c.role for c in record.conditions} == {"discharge"}
    meds = [(m.name, m.dose, m.route, m.frequency) for m in record.medications]
    assert meds == [
        ("Cipro", "250 mg", "p.o.", "b.i.d."),
        ("Aggrenox", "one tablet", "p.o.", "b.i.d."),
        ("Docusate sodium", "100 mg", "p.o.", "b.i.d."),
        ("Zocor", "20 mg", "p.o.", "at bedtime"),
        ("Prevacid", "30 mg", "p.o.", "once a day"),
    ]
    keys = [s.key for s in record.documents[0].sections]
    assert keys[-2:] == ["discharge_medications", "follow_up"]


@needs_corpus
def test_corpus_chf_pleural_effusion() -> None:
    record = load_corpus("chf-pleural-effusion-discharge-summary.txt")
    admission = [c.name for c in record.conditions if c.role == "admission"]
    assert admission == ["Congestive heart failure (CHF) with left pleural effusion"]  # one wrapped line
    assert len([c for c in record.conditions if c.role == "discharge"]) == 5
    meds = [(m.name, m.dose, m.frequency) for m in record.medications]
    assert meds == [
        ("Lasix", "40 mg", "daily"),  # "He is being discharged home on" is not part of the name
        ("potassium chloride", "10 mEq", "daily"),
        ("atenolol", "25 mg", "daily"),
        ("aspirin", "5 grains", "daily"),
        ("Ditropan", "5 mg", "b.i.d."),
        ("Colace", "100 mg", "b.i.d."),
    ]


@needs_corpus
def test_corpus_back_pain_allergies() -> None:
    record = load_corpus("back-pain-discharge-summary.txt")
    assert [(a.substance, a.reaction) for a in record.allergies] == [
        (name, "HIVES") for name in ("PENICILLIN", "AMOXICILLIN", "CEPHALOSPORIN", "DOXYCYCLINE", "IVP DYE", "IODINE", "SULFA")
    ]
    # the mango-sap sentence is reported, not turned into allergies
    assert [p.message for p in record.problems] == [
        "ALLERGIES: 1 sentence(s) not read as allergies; they stay in the note text for review"
    ]


@needs_corpus
def test_corpus_placeholder_dates_are_reported() -> None:
    record = load_corpus("discharge-summary-4.txt")
    assert record.documents[0].author == "AB CD, M.D."
    assert [p.message for p in record.problems] == [
        "admission date 'MM/DD/YYYY.' is not a date EMRWriter can read",
        "discharge date 'MM/DD/YYYY.' is not a date EMRWriter can read",
    ]
    (stay,) = record.encounters  # a discharge summary is about a stay even when its dates are blanked
    assert (stay.start, stay.end) == (None, None)


# --- the project's synthetic samples ------------------------------------------------


@needs_samples
def test_sample_zh_discharge_orders() -> None:
    path = SAMPLES / "zh_pneumonia" / "出院医嘱.txt"
    record = load_text(path, path.read_bytes())
    assert record.documents[0].kind == "discharge_orders"
    (stay,) = record.encounters
    assert (stay.start, stay.end) == (datetime(2026, 10, 8, 10, 20), datetime(2026, 10, 16, 9, 0))
    assert len([c for c in record.conditions if c.role == "discharge"]) == 4
    assert [(m.name, m.dose) for m in record.medications] == [
        ("莫西沙星片", "0.4g"),
        ("噻托溴铵奥达特罗吸入喷雾剂（2.5μg/2.5μg/揿）", "2揿"),
        ("盐酸氨溴索片", "30mg"),
        ("苯磺酸氨氯地平片", "5mg"),
    ]


@needs_samples
def test_sample_gbk_progress_note() -> None:
    path = SAMPLES / "zh_pneumonia" / "日常病程记录_2026-10-12.txt"
    record = load_text(path, path.read_bytes())
    doc = record.documents[0]
    assert (doc.kind, doc.date) == ("progress_note", datetime(2026, 10, 12, 9, 20))
    assert {"physical_exam", "labs", "plan"} <= {s.key for s in doc.sections}


def test_one_paragraph_summary_is_cut_at_known_headings() -> None:
    """A summary written as one paragraph: its known headings mid-line start sections too."""
    text = (
        "出院记录\n患者因发热入院，予抗感染治疗后好转。出院诊断：类风湿关节炎、间质性肺病。"
        "出院带药：甲氨蝶呤片 10mg 口服 每周一次；叶酸片 5mg 口服 每周一次。出院医嘱：2周后风湿免疫科门诊复诊。\n"
    )
    record = document_from_text(Path("出院记录.txt"), text)
    assert [s.key for s in record.documents[0].sections] == [
        "discharge_diagnosis",
        "discharge_medications",
        "discharge_instructions",
    ]
    assert [m.name for m in record.medications] == ["甲氨蝶呤片", "叶酸片"]
    exam = document_from_text(Path("n.txt"), "入院情况：患者因咳嗽入院。查体：T 38.5℃。\n")
    assert [s.key for s in exam.documents[0].sections] == ["admission_condition"]  # an exam inside stays inside
