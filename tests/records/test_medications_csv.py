"""Medication CSV importer tests: reconciliations and HIS order exports written to a case
folder here (zh and en headers, comma/semicolon/tab, UTF-8 with BOM and GBK), imported
through ``load_case`` as a user's folder would be."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from emrwriter.records.case import load_case
from emrwriter.records.medications_csv import VOCABULARY, looks_like_medication_csv
from emrwriter.records.model import Record

EN_RECONCILIATION = (
    "Medication,Dose,Route,Frequency,Action at discharge,Reason,Prior to admission\r\n"
    "Metoprolol succinate XL,50 mg,PO,daily,Continue,,Y\r\n"
    "Lisinopril,10 mg,PO,daily,STOPPED,acute kidney injury,Y\r\n"
    "Apixaban,5 mg,PO,BID,New,atrial fibrillation,N\r\n"
    "Furosemide,40 mg,PO,daily,Changed - dose increased,weight gain,Y\r\n"
    ",,,,Continue,,Y\r\n"
    "Atorvastatin,40 mg,PO,nightly,maybe,,Y\r\n"
    "Aspirin,81 mg,PO,daily,,,Y\r\n"
    '"Insulin glargine, 100 units/mL",20 units,subcut,at bedtime,hold,"NPO, low glucose",Y\r\n'
)

ZH_RECONCILIATION = (
    "原因\t出院处理\t频次\t用法\t剂量\t药品名称\n"
    "\t继续\t每日一次\t口服\t5mg\t苯磺酸氨氯地平片\n"
    "\t新增\t每日两次\t口服\t0.5g\t二甲双胍缓释片\n"
    "血压偏低\t停用\t每日一次\t口服\t80mg\t缬沙坦胶囊\n"
    "\t改为20mg\t每晚一次\t口服\t20mg\t阿托伐他汀钙片\n"
)

ZH_ORDERS = (
    "长期/临时医嘱单\n"
    "类型,开始时间,医嘱内容,剂量,用法,频次,停止时间,开立医生\n"
    "长期,2026-03-01 09:00,一级护理,,,,2026-03-08 10:00,李医生\n"
    "长期,2026-03-01 09:00,低盐低脂饮食,,,,,李医生\n"
    "临时,2026-03-01 09:05,血常规,,,,,李医生\n"
    "长期,2026-03-01 09:10,阿莫西林胶囊 0.5g,,口服,tid,2026-03-05 08:00,李医生\n"
    "长期,2026-03-02 10:00,┏0.9%氯化钠注射液,100ml,静滴,qd,,李医生\n"
    "临时,2026-03-02 10:30,呋塞米注射液,20mg,静推,st,,王医生\n"
    "出院带药,2026-03-08 10:00,二甲双胍缓释片,0.5g,口服,每日两次,,李医生\n"
    "出院带药,2026-03-08 10:00,阿托伐他汀钙片 20mg 口服 每晚一次,,,,,李医生\n"
    "临时,2026-03-03 08:00,,,,,,李医生\n"
    "长期,3月5日,头孢曲松钠,2g,静滴,qd,,李医生\n"
)

EN_ORDERS = (
    "Order type;Start;Order;Dose;Route;Frequency;Stop\n"
    "Scheduled;03/14/2026 08:00;Diet: cardiac;;;;\n"
    "Scheduled;03/14/2026 08:00;Vital signs q4h;;;;\n"
    "One-time;03/14/2026 08:00;CBC;;;;\n"
    "Scheduled;03/14/2026 09:00;Heparin;5000 units;subcut;q8h;03/17/2026 12:00\n"
    "PRN;03/14/2026 09:00;Acetaminophen;650 mg;PO;;\n"
    "One-time;03/14/2026 09:30;Ceftriaxone;1 g;IV;once;\n"
    "Discharge;03/18/2026 10:00;Metoprolol tartrate;25 mg;PO;BID;\n"
    "Protocol;03/14/2026 09:00;Pantoprazole;40 mg;PO;daily;\n"
)

LAB_CSV = "Test,Result,Units,Reference Range,Status\nSodium,132,mmol/L,135-145,final\nHbA1c,9.1,%,4.0-6.0,final\n"


def write_case(folder: Path, files: dict[str, bytes]) -> Record:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return load_case(folder)


def problems_of(record: Record, name: str) -> list[str]:
    """The file's own problems (a folder of tables alone also gets "no admission date ..." from load_case)."""
    return [p.message for p in record.problems if p.file.endswith(name) and "no admission or discharge date" not in p.message]


def row_text(record: Record, medication) -> str:
    document = next(d for d in record.documents if d.provenance.file == medication.provenance.file)
    return document.text[medication.provenance.start : medication.provenance.end]


def test_english_reconciliation_utf8_bom_comma(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + EN_RECONCILIATION.encode("utf-8")
    record = write_case(tmp_path / "case", {"med_rec.csv": data})
    rows = [(m.name, m.dose, m.route, m.frequency, m.status, m.role, m.reason) for m in record.medications]
    assert rows == [
        ("Metoprolol succinate XL", "50 mg", "PO", "daily", "continued", "discharge", ""),
        ("Lisinopril", "10 mg", "PO", "daily", "stopped", "", "acute kidney injury"),
        ("Apixaban", "5 mg", "PO", "BID", "new", "discharge", "atrial fibrillation"),
        ("Furosemide", "40 mg", "PO", "daily", "changed", "discharge", "weight gain"),
        ("Atorvastatin", "40 mg", "PO", "nightly", "", "", ""),
        ("Aspirin", "81 mg", "PO", "daily", "", "home", ""),
        ("Insulin glargine", "20 units", "subcut", "at bedtime", "stopped", "", "NPO, low glucose"),
    ]
    # only rows of the stay's discharge list are linked to the stay
    assert [m.encounter_id for m in record.medications] == ["stay", "", "stay", "stay", "", "", ""]
    assert not any(m.role == "discharge" and m.status == "stopped" for m in record.medications)

    document = record.documents[0]
    assert (document.kind, document.title, document.text) == ("medication_list", "med_rec", data.decode("utf-8-sig"))
    first = record.medications[0]
    assert first.provenance.locator == "row 2"
    assert row_text(record, first) == "Metoprolol succinate XL,50 mg,PO,daily,Continue,,Y"
    insulin = record.medications[-1]
    assert insulin.provenance.locator == "row 9"
    assert row_text(record, insulin).startswith('"Insulin glargine, 100 units/mL",20 units')

    problems = problems_of(record, "med_rec.csv")
    assert len(problems) == 2
    assert problems[0].startswith("row 6: no drug name")
    assert problems[1].startswith("row 7: action 'maybe' is not one EMRWriter knows")


def test_chinese_reconciliation_gbk_tab_any_column_order(tmp_path: Path) -> None:
    record = write_case(tmp_path / "case", {"出院用药重整.csv": ZH_RECONCILIATION.encode("gbk")})
    rows = [(m.name, m.dose, m.route, m.frequency, m.status, m.role, m.reason) for m in record.medications]
    assert rows == [
        ("苯磺酸氨氯地平片", "5mg", "口服", "每日一次", "continued", "discharge", ""),
        ("二甲双胍缓释片", "0.5g", "口服", "每日两次", "new", "discharge", ""),
        ("缬沙坦胶囊", "80mg", "口服", "每日一次", "stopped", "", "血压偏低"),
        ("阿托伐他汀钙片", "20mg", "口服", "每晚一次", "changed", "discharge", ""),
    ]
    assert problems_of(record, "出院用药重整.csv") == []
    assert row_text(record, record.medications[2]) == "血压偏低\t停用\t每日一次\t口服\t80mg\t缬沙坦胶囊"
    assert record.documents[0].text == ZH_RECONCILIATION


def test_chinese_his_order_export(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="emrwriter.records.medications_csv")
    record = write_case(tmp_path / "case", {"医嘱单.csv": ZH_ORDERS.encode("gbk")})
    rows = [(m.name, m.dose, m.route, m.frequency, m.status, m.role) for m in record.medications]
    assert rows == [
        ("阿莫西林胶囊", "0.5g", "口服", "tid", "stopped", "inpatient"),
        ("0.9%氯化钠注射液", "100ml", "静滴", "qd", "", "inpatient"),
        ("呋塞米注射液", "20mg", "静推", "st", "completed", "inpatient"),
        ("二甲双胍缓释片", "0.5g", "口服", "每日两次", "", "discharge"),
        ("阿托伐他汀钙片", "20mg", "口服", "每晚一次", "", "discharge"),
        ("头孢曲松钠", "2g", "静滴", "qd", "", "inpatient"),
    ]
    amoxicillin = record.medications[0]
    assert (amoxicillin.start, amoxicillin.end) == (datetime(2026, 3, 1, 9, 10), datetime(2026, 3, 5, 8, 0))
    assert amoxicillin.provenance.locator == "row 6"  # the title line is row 1, the header row 2
    assert row_text(record, amoxicillin) == "长期,2026-03-01 09:10,阿莫西林胶囊 0.5g,,口服,tid,2026-03-05 08:00,李医生"
    assert {m.encounter_id for m in record.medications} == {"stay"}

    # nursing, diet and test orders are no medications and no problems, but stay in the text
    problems = problems_of(record, "医嘱单.csv")
    assert len(problems) == 2
    assert problems[0].startswith("row 11: no drug name")
    assert problems[1] == "row 12: start '3月5日' is not a date EMRWriter can read"
    document = record.documents[0]
    assert (document.kind, document.title, document.encounter_id) == ("orders", "长期/临时医嘱单", "stay")
    assert "一级护理" in document.text and "低盐低脂饮食" in document.text
    assert "3 non-drug orders" in caplog.text


def test_english_his_order_export_semicolon(tmp_path: Path) -> None:
    record = write_case(tmp_path / "case", {"orders.csv": EN_ORDERS.encode("utf-8")})
    rows = [(m.name, m.dose, m.route, m.frequency, m.status, m.role) for m in record.medications]
    assert rows == [
        ("Heparin", "5000 units", "subcut", "q8h", "stopped", "inpatient"),
        ("Acetaminophen", "650 mg", "PO", "PRN", "", "inpatient"),
        ("Ceftriaxone", "1 g", "IV", "once", "completed", "inpatient"),
        ("Metoprolol tartrate", "25 mg", "PO", "BID", "", "discharge"),
        ("Pantoprazole", "40 mg", "PO", "daily", "", ""),
    ]
    assert record.medications[0].end == datetime(2026, 3, 17, 12, 0)
    assert record.medications[-1].encounter_id == ""
    expected = "row 9: order type 'Protocol' is not one EMRWriter knows (长期/临时/出院带药, scheduled/PRN/one-time/discharge)"
    assert problems_of(record, "orders.csv") == [expected + "; imported without a role"]


def test_type_column_is_an_order_type_only_when_it_holds_order_types(tmp_path: Path) -> None:
    reconciliation = "药品名称,类型,剂量,出院处理\n氨氯地平片,西药,5mg,继续\n"
    orders = "医嘱类型,医嘱内容,剂量,状态\n出院带药,氨氯地平片,5mg,已执行\n长期,氯化钾缓释片,1g,已停止\n"
    record = write_case(tmp_path / "case", {"a.csv": reconciliation.encode("utf-8"), "b.csv": orders.encode("utf-8")})
    assert [(m.name, m.status, m.role, m.provenance.file[-5:]) for m in record.medications] == [
        ("氨氯地平片", "continued", "discharge", "a.csv"),
        ("氨氯地平片", "", "discharge", "b.csv"),
        ("氯化钾缓释片", "", "inpatient", "b.csv"),
    ]
    assert [d.kind for d in record.documents] == ["medication_list", "orders"]
    assert problems_of(record, "a.csv") == problems_of(record, "b.csv") == []


def test_header_with_units_and_separate_unit_column(tmp_path: Path) -> None:
    text = "药名,剂量(单次),单位,给药途径,频率\n氯吡格雷片,75,mg,口服,qd\n"
    record = write_case(tmp_path / "case", {"出院带药.csv": text.encode("utf-8")})
    # no action column: the file's name says it is the discharge list
    assert [(m.name, m.dose, m.route, m.frequency, m.role) for m in record.medications] == [
        ("氯吡格雷片", "75 mg", "口服", "qd", "discharge")
    ]


def test_lab_csv_in_the_same_folder_is_still_labs(tmp_path: Path) -> None:
    record = write_case(
        tmp_path / "case",
        {"labs.csv": LAB_CSV.encode("utf-8"), "med_rec.csv": EN_RECONCILIATION.encode("utf-8")},
    )
    assert [o.name for o in record.observations] == ["Sodium", "HbA1c"]
    assert all(m.provenance.file.endswith("med_rec.csv") for m in record.medications)
    assert [d.kind for d in record.documents] == ["medication_list"]
    assert not looks_like_medication_csv(LAB_CSV)


def test_notes_are_not_medication_tables() -> None:
    note = "出院记录\n姓名：王某某　性别：男\n出院带药：\n1. 阿司匹林肠溶片 100mg 口服 每日一次\n"
    assert not looks_like_medication_csv(note)
    prose = "Medications, doses and routes were reviewed with the patient, who will continue metoprolol.\n"
    assert not looks_like_medication_csv(prose)
    assert looks_like_medication_csv("\ufeffDrug\tDose\nAspirin\t81 mg\n")


def test_vocabulary_is_unambiguous() -> None:
    """A header or an action value means one thing: the data file must not list it twice."""
    for table in (VOCABULARY.columns, VOCABULARY.actions, VOCABULARY.order_types):
        seen: dict[str, str] = {}
        for key, synonyms in table.items():
            for synonym in synonyms:
                assert seen.setdefault(synonym, key) == key, f"{synonym!r} is listed for {seen[synonym]} and {key}"
    assert not VOCABULARY.yes & VOCABULARY.no
