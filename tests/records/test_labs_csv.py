"""Lab CSV importer tests: small zh/en tables written here, in several delimiters and
encodings, plus the project's synthetic sample tables when present."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from emrwriter.records.labs_csv import load, looks_like_lab_csv
from emrwriter.records.model import RecordError

SAMPLES = Path(__file__).resolve().parents[2] / "emrwriter" / "bundled" / "samples"

ZH_CSV = """检验项目,结果,单位,参考范围,标志,报告时间
白细胞计数,14.6,×10^9/L,3.5-9.5,↑,2026-10-08 09:12
血钾,3.32,mmol/L,3.5-5.3,↓,2026/10/08 10:05
痰分枝杆菌培养,待回报,,阴性,,
"""

EN_SEMICOLON = """Time;Flag;Units;Result;Test;Reference Range
10/03/2026 14:35;H;pg/mL;1840;BNP;<100
10/03/2026 14:35;L;mmol/L;132;Sodium;135-145
"""


def span_text(text: str, observation) -> str:
    return text[observation.provenance.start : observation.provenance.end]


def test_chinese_comma_table() -> None:
    record = load(Path("检验结果.csv"), ZH_CSV.encode("utf-8"))
    assert record.problems == []
    assert [(o.name, o.value, o.unit, o.reference_range, o.flag, o.time) for o in record.observations] == [
        ("白细胞计数", "14.6", "×10^9/L", "3.5-9.5", "↑", datetime(2026, 10, 8, 9, 12)),
        ("血钾", "3.32", "mmol/L", "3.5-5.3", "↓", datetime(2026, 10, 8, 10, 5)),
        ("痰分枝杆菌培养", "待回报", "", "阴性", "", None),
    ]
    first = record.observations[0]
    assert (first.category, first.provenance.file, first.provenance.locator) == ("lab", "检验结果.csv", "row 2")
    assert span_text(ZH_CSV, first) == "白细胞计数,14.6,×10^9/L,3.5-9.5,↑,2026-10-08 09:12"
    assert record.sources == ["检验结果.csv"]


def test_gbk_encoded_table() -> None:
    record = load(Path("labs.csv"), ZH_CSV.encode("gbk").replace("×".encode("gbk"), b"x"))
    assert [o.name for o in record.observations] == ["白细胞计数", "血钾", "痰分枝杆菌培养"]


def test_english_semicolon_table_any_column_order() -> None:
    record = load(Path("labs.csv"), EN_SEMICOLON.encode())
    assert [(o.name, o.value, o.unit, o.reference_range, o.flag, o.time) for o in record.observations] == [
        ("BNP", "1840", "pg/mL", "<100", "H", datetime(2026, 10, 3, 14, 35)),
        ("Sodium", "132", "mmol/L", "135-145", "L", datetime(2026, 10, 3, 14, 35)),
    ]
    assert span_text(EN_SEMICOLON, record.observations[1]) == "10/03/2026 14:35;L;mmol/L;132;Sodium;135-145"


def test_tab_table_with_bom_and_crlf() -> None:
    text = "name\tresult\tunit\r\nHemoglobin\t11.2\tg/dL\r\nWBC\t7.8\tx10^9/L\r\n"
    record = load(Path("labs.tsv"), text.encode("utf-8-sig"))
    assert [(o.name, o.value, o.unit) for o in record.observations] == [("Hemoglobin", "11.2", "g/dL"), ("WBC", "7.8", "x10^9/L")]
    assert span_text(text, record.observations[0]) == "Hemoglobin\t11.2\tg/dL"  # no \r in the span
    assert record.observations[1].provenance.locator == "row 3"


def test_utf16_table() -> None:
    record = load(Path("labs.csv"), "test,value\nCRP,38.6\n".encode("utf-16"))
    assert [(o.name, o.value) for o in record.observations] == [("CRP", "38.6")]


def test_quoted_cells_with_commas_and_newlines() -> None:
    text = 'name,value,reference range\n"Sputum culture","Normal flora, no\nStreptococcus",none\nCRP,"1,250",0-10\n'
    record = load(Path("labs.csv"), text.encode())
    assert [(o.name, o.value) for o in record.observations] == [
        ("Sputum culture", "Normal flora, no\nStreptococcus"),
        ("CRP", "1,250"),
    ]
    assert [o.provenance.locator for o in record.observations] == ["row 2", "row 3"]
    assert span_text(text, record.observations[0]).endswith('Streptococcus",none')


def test_rows_without_name_or_value_are_reported_not_dropped() -> None:
    text = "项目,结果,单位\n血钠,134,mmol/L\n血氯,,mmol/L\n,5.6,mmol/L\n\n肌酐,88,μmol/L\n"
    record = load(Path("labs.csv"), text.encode())
    assert [o.name for o in record.observations] == ["血钠", "肌酐"]
    assert [o.provenance.locator for o in record.observations] == ["row 2", "row 6"]  # the blank line is row 5
    assert [p.message for p in record.problems] == [
        "row 3: no value; the row was not imported",
        "row 4: no name; the row was not imported",
    ]
    assert all(p.file == "labs.csv" for p in record.problems)


def test_unreadable_time_and_extra_cells_are_reported() -> None:
    text = "test,result,date\nK,4.1,yesterday\nNa,140,2026-10-08,stray\n"
    record = load(Path("labs.csv"), text.encode())
    assert [(o.name, o.time) for o in record.observations] == [("K", None), ("Na", datetime(2026, 10, 8))]
    assert [p.message for p in record.problems] == [
        "row 2: time 'yesterday' is not a date EMRWriter can read",
        "row 3: more cells than the header has columns; extra cells ignored",
    ]


@pytest.mark.parametrize(("header", "missing"), [("项目,单位\n血钾,mmol/L\n", "value"), ("result,unit\n4.1,mmol/L\n", "name")])
def test_missing_required_column(header: str, missing: str) -> None:
    with pytest.raises(RecordError, match=rf"^bad\.csv: lab table has no {missing} column"):
        load(Path("bad.csv"), header.encode())


def test_empty_and_header_only_tables() -> None:
    with pytest.raises(RecordError, match="empty"):
        load(Path("empty.csv"), b"\n\n")
    record = load(Path("head.csv"), b"name,value\n")
    assert record.observations == []
    assert [p.message for p in record.problems] == ["the lab table has a header but no data rows"]


def test_code_column_and_header_with_unit_suffix() -> None:
    record = load(Path("labs.csv"), b"LOINC,Analyte,Value (SI),Abnormal\n2951-2,Sodium,132,L\n")
    (sodium,) = record.observations
    assert (sodium.code, sodium.name, sodium.value, sodium.flag) == ("2951-2", "Sodium", "132", "L")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ZH_CSV, True),
        (EN_SEMICOLON, True),
        ("\ufeffname\tresult\nK\t4.1\n", True),
        ("出院记录\n\n主诉：咳嗽。\n", False),
        ("MEDICATIONS: Feosol 325 mg daily, multivitamins one daily\n", False),
        ("date,weight\n2026-10-01,72\n", False),
        ("", False),
    ],
)
def test_looks_like_lab_csv(text: str, expected: bool) -> None:
    assert looks_like_lab_csv(text) is expected


@pytest.mark.skipif(not (SAMPLES / "zh_pneumonia").is_dir(), reason="samples/ not present")
def test_sample_tables() -> None:
    zh = SAMPLES / "zh_pneumonia" / "检验结果.csv"
    record = load(zh, zh.read_bytes())
    assert (len(record.observations), record.problems) == (27, [])
    pending = record.observations[-1]
    assert (pending.name, pending.value, pending.time) == ("痰分枝杆菌培养", "待回报", None)
    en = SAMPLES / "en_heart_failure" / "labs.csv"
    record = load(en, en.read_bytes())
    assert record.problems == []
    assert (record.observations[0].name, record.observations[0].value) == ("BNP", "1840")
