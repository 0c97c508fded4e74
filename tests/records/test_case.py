"""Opening a case: sniffing by content, folders merged, encounter selection."""

import json
from datetime import datetime

import pytest

from emrwriter.records.case import load_case
from emrwriter.records.model import RecordError
from emrwriter.records.stay import HISTORY, STAY, inpatient_stays, select_encounter
from tests.conftest import EN_CASE, ZH_CASE

DENNIS = "synthea-fhir-r4/Dennis_Durgan_78f005f3-7b33-4a5b-84d9-28417b36dbab.json"
BRADLY = "synthea-fhir-r4/Bradly_Douglas_18468941-bdaf-42a0-8648-cba7cafc27ce.json"


def test_zh_sample_folder_is_one_stay():
    record = load_case(ZH_CASE)
    assert len(record.sources) == 9
    (stay,) = record.encounters
    assert (stay.start, stay.end) == (datetime(2026, 10, 8, 10, 20), datetime(2026, 10, 16, 9, 0))
    assert (record.patient.name, record.patient.sex) == ("孙振海", "male")
    gbk = next(d for d in record.documents if d.provenance.file.endswith("日常病程记录_2026-10-12.txt"))
    assert "日常病程记录" in gbk.text and "\ufffd" not in gbk.text
    assert len(record.observations) == 27
    assert [m.name for m in record.medications if m.role == "discharge"][0] == "莫西沙星片"
    assert record.problems == []


def test_en_sample_includes_the_docx_note():
    record = load_case(EN_CASE)
    (stay,) = record.encounters
    assert (stay.start.date(), stay.end.date()) == (datetime(2026, 10, 3).date(), datetime(2026, 10, 8).date())
    docx_note = next(d for d in record.documents if d.provenance.file.endswith(".docx"))
    assert docx_note.kind == "progress_note" and " | " in docx_note.text  # its table is read too
    discharge = [m.name for m in record.medications if m.role == "discharge"]
    assert len(discharge) == 9 and discharge[0] == "Sacubitril/valsartan"
    assert {m.name for m in record.medications if m.status == "stopped"} >= {"Lisinopril"}


def test_content_decides_the_format_not_the_extension(tmp_path, corpus):
    disguised = tmp_path / "export.txt"
    disguised.write_bytes((corpus / DENNIS).read_bytes())
    record = load_case(disguised)
    assert record.patient.name.startswith("Dennis") and len(record.encounters) == 25


def test_a_bad_file_in_a_folder_is_listed_not_fatal(tmp_path):
    (tmp_path / "note.txt").write_text("CHIEF COMPLAINT: Cough.\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    record = load_case(tmp_path)
    assert len(record.documents) == 1
    problems = {p.file.rsplit("/", 1)[-1]: p for p in record.problems}
    assert "invalid JSON" in problems["broken.json"].message and problems["broken.json"].severity == "error"
    assert "skipped" in problems["picture.png"].message


def test_a_folder_with_nothing_readable_is_an_error(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(RecordError, match="no readable records"):
        load_case(tmp_path)


def test_ndjson_folder_with_several_patients_asks_which(corpus):
    folder = corpus / "synthea-bulk-ndjson" / "ndjson"
    with pytest.raises(RecordError, match="4 patients.*--patient"):
        load_case(folder)


def test_default_stay_is_the_most_recent_inpatient_stay(corpus):
    record = load_case(corpus / BRADLY)
    stays = inpatient_stays(record)
    assert len(stays) == 38  # class IMP, counted by hand with jq
    stay = select_encounter(record)
    assert stay.encounter.id == "19950cac-4f23-4d63-80dd-bd74c177ed2f"
    assert stay.encounter.start == datetime(2019, 8, 22, 22, 0, 28)
    older = select_encounter(record, stays[-1].id)
    assert older.encounter.start == datetime(2007, 6, 24, 22, 0, 28)


def test_items_of_the_stay_and_history_are_labelled(corpus):
    path = corpus / DENNIS
    record = load_case(path)
    stay = select_encounter(record)
    assert stay.encounter.id == "5f6910e0-8527-40d0-8fc6-04aac352285b"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    linked = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("encounter", {}).get("reference", "").endswith(stay.encounter.id)
    ]
    linked_obs = sum(r["resourceType"] == "Observation" for r in linked)
    assert linked_obs == 8
    in_stay = stay.items("observations")
    # 8 linked to the stay, 16 to the emergency visit at the same time that led to it
    assert len(in_stay) == 24
    assert {o.encounter_id[:8] for o in in_stay} == {"5f6910e0", "c775d45c"}
    assert [m.name for m in stay.items("medications")] == ["10 ML Furosemide 10 MG/ML Injection"]
    assert len(stay.items("conditions", HISTORY)) == 9 and stay.items("conditions", STAY) == []


def test_unknown_encounter_is_a_clear_error(corpus):
    record = load_case(corpus / DENNIS)
    with pytest.raises(RecordError, match="not in this record.*5f6910e0"):
        select_encounter(record, "nope")
