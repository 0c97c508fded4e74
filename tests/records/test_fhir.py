"""FHIR importer tests: the shared Synthea corpus (counts checked by hand with jq) and
small hand-made resources for the malformed cases real exports also produce."""

from __future__ import annotations

import base64
import json
import logging
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from emrwriter.records.fhir import list_ndjson_patients, load_bundle, load_ndjson, parse_fhir_datetime
from emrwriter.records.model import ITEM_KINDS, Record, RecordError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BUNDLES = CORPUS / "synthea-fhir-r4"
NDJSON = CORPUS / "synthea-bulk-ndjson" / "ndjson"
NO_CORPUS = f"shared corpus not found at {CORPUS} (the tests read ../shared/corpus beside the repository)"
needs_bundles = pytest.mark.skipif(not BUNDLES.is_dir(), reason=NO_CORPUS)
needs_ndjson = pytest.mark.skipif(not NDJSON.is_dir(), reason=NO_CORPUS)

LOCATOR = re.compile(r"^[A-Za-z]+/[A-Za-z0-9\-.]+$")


def bundle_file(prefix: str) -> Path:
    return next(BUNDLES.glob(f"{prefix}_*.json"))


def read_bundle(prefix: str) -> tuple[Path, dict, Record]:
    path = bundle_file(prefix)
    data = json.loads(path.read_text(encoding="utf-8"))
    return path, data, load_bundle(path, data)


def ndjson_files() -> list[Path]:
    return sorted(NDJSON.glob("*.ndjson"))


def all_items(record: Record) -> list:
    return [item for kind in ITEM_KINDS for item in getattr(record, kind)]


# ----------------------------------------------------------------------------- Synthea bundles


BUNDLE_PATHS = sorted(BUNDLES.glob("*.json")) if BUNDLES.is_dir() else []


@needs_bundles
@pytest.mark.parametrize("path", BUNDLE_PATHS or [None], ids=lambda p: p.name.split("_")[0] if p else "none")
def test_every_bundle_imports_with_provenance(path: Path) -> None:
    record = load_bundle(path, json.loads(path.read_text(encoding="utf-8")))
    counts = record.counts()
    assert record.patient.name and not re.search(r"\d", record.patient.name)
    assert record.patient.birth_date is not None and record.patient.sex in ("male", "female")
    for kind in ("encounters", "inpatient_stays", "conditions", "medications", "observations", "procedures"):
        assert counts[kind] > 0, kind
    assert record.sources == [str(path)]
    assert [p for p in record.problems if p.severity != "info"] == []
    encounter_ids = {e.id for e in record.encounters}
    for item in all_items(record) + record.encounters:
        assert item.provenance.file == str(path)
        assert LOCATOR.match(item.provenance.locator), item.provenance.locator
    # Every urn:uuid encounter reference resolved to an Encounter of the same file.
    assert {i.encounter_id for i in all_items(record) if i.encounter_id} <= encounter_ids


# Verified by hand, independently of the importer, e.g. for Dennis:
#   jq '[.entry[].resource|select(.resourceType=="Encounter")|.class.code]|group_by(.)|map({(.[0]):length})|add'
#   jq '[.entry[].resource|select(.resourceType=="Condition")]|length'   (likewise MedicationRequest, ...)
#   observations = one per Observation, a panel with components counted as its components:
#   jq '[.entry[].resource|select(.resourceType=="Observation")|(if .component then (.component|length)
#        + (if .valueQuantity or .valueCodeableConcept or .valueString then 1 else 0 end) else 1 end)]|add'
COUNTED = ("encounters", "inpatient_stays", "conditions", "medications", "observations", "procedures", "allergies")
BUNDLE_COUNTS = {
    "Dennis": (25, 1, 9, 6, 149, 10, 4),
    "Roberto": (30, 2, 9, 10, 186, 28, 0),
    "Bradly": (55, 38, 7, 34, 82, 14, 0),
    "Jena": (32, 2, 11, 16, 254, 8, 0),
}


@needs_bundles
@pytest.mark.parametrize("prefix", sorted(BUNDLE_COUNTS))
def test_bundle_counts_match_hand_count(prefix: str) -> None:
    _, _, record = read_bundle(prefix)
    counts = record.counts()
    assert {k: counts[k] for k in COUNTED} == dict(zip(COUNTED, BUNDLE_COUNTS[prefix]))
    assert counts["documents"] == 0  # this older Synthea wrote no notes


@needs_bundles
def test_dennis_patient_stay_and_linked_items() -> None:
    path, _, record = read_bundle("Dennis")
    patient = record.patient
    assert (patient.name, patient.sex, patient.birth_date) == ("Dennis Durgan", "male", date(1949, 4, 19))
    mrn = "http://hospital.smarthealthit.org|78f005f3-7b33-4a5b-84d9-28417b36dbab"
    assert patient.identifiers[0] == mrn  # the MR-typed identifier comes first
    assert "http://hl7.org/fhir/sid/us-ssn|999-90-8884" in patient.identifiers
    assert patient.provenance.locator == "Patient/0ac13d55-d566-450a-aea0-f6a71f1ad73b"

    [stay] = [e for e in record.encounters if e.is_inpatient]
    assert stay.id == "5f6910e0-8527-40d0-8fc6-04aac352285b"
    assert (stay.start, stay.end) == (datetime(2008, 11, 10, 12, 17, 10), datetime(2008, 11, 11, 12, 17, 10))
    assert stay.type_text == "Inpatient stay (finding)"
    assert stay.location == "ST VINCENT HOSPITAL"  # from the serviceProvider Organization in the bundle
    assert stay.provenance.locator == f"Encounter/{stay.id}"

    # jq 'select(.encounter.reference=="urn:uuid:5f6910e0-...")': 8 lab Observations, 2 Procedures, 1 MedicationRequest
    linked = [i for i in all_items(record) if i.encounter_id == stay.id]
    assert sorted(type(i).__name__ for i in linked) == ["Medication"] + ["Observation"] * 8 + ["Procedure"] * 2
    [drug] = [i for i in linked if type(i).__name__ == "Medication"]
    assert drug.name == "10 ML Furosemide 10 MG/ML Injection"
    assert drug.provenance.locator == "MedicationRequest/5a894ed8-03e1-44e9-a031-e6f6ddd94047"
    assert {o.category for o in linked if type(o).__name__ == "Observation"} == {"lab"}

    ignored = [p for p in record.problems if p.message.startswith("ignored resource types:")]
    assert len(ignored) == 1 and "Claim×31" in ignored[0].message and "ExplanationOfBenefit×25" in ignored[0].message


@needs_bundles
def test_dennis_medications_and_blood_pressure_components() -> None:
    _, _, record = read_bundle("Dennis")
    meds = {m.name: m for m in record.medications}
    metoprolol = meds["24 HR metoprolol succinate 100 MG Extended Release Oral Tablet [Toprol]"]
    assert (metoprolol.dose, metoprolol.frequency, metoprolol.status) == ("1", "1 time per day", "active")
    assert metoprolol.start == datetime(2008, 5, 14, 12, 17, 10)
    assert meds["diphenhydrAMINE Hydrochloride 25 MG Oral Tablet"].frequency == "as needed"
    assert meds["diphenhydrAMINE Hydrochloride 25 MG Oral Tablet"].code == "1049630"

    bp = [o for o in record.observations if o.provenance.locator == "Observation/32e0121d-c1f8-4c48-bebb-2058d092290c"]
    assert {(o.name, o.code, o.value, o.unit, o.category) for o in bp} == {
        ("Systolic Blood Pressure", "8480-6", "186.20345118675402", "mm[Hg]", "vital"),
        ("Diastolic Blood Pressure", "8462-4", "111.25549866463226", "mm[Hg]", "vital"),
    }

    allergy = next(a for a in record.allergies if a.substance == "Allergy to tree pollen")
    assert (allergy.severity, allergy.recorded) == ("low criticality", datetime(1950, 1, 2, 12, 17, 10))


@needs_bundles
def test_roberto_conditions_and_locators() -> None:
    _, data, record = read_bundle("Roberto")
    resources = [e["resource"] for e in data["entry"]]
    expected = {f"Condition/{r['id']}" for r in resources if r["resourceType"] == "Condition"}
    assert {c.provenance.locator for c in record.conditions} == expected
    pharyngitis = next(c for c in record.conditions if c.name == "Acute viral pharyngitis (disorder)")
    assert pharyngitis.provenance.locator == "Condition/bfb0f8c7-b495-4307-8c06-37a87f959ef8"
    assert pharyngitis.onset == datetime(1978, 4, 30, 14, 38, 7)
    assert pharyngitis.abatement == datetime(1978, 5, 12, 14, 38, 7)
    assert pharyngitis.status == "resolved"
    stays = sorted((e for e in record.encounters if e.is_inpatient), key=lambda e: e.start)
    assert [e.id for e in stays] == ["5d93f2dd-0f3a-4df2-939e-6908895d305d", "5d191527-b5bb-47f7-abcb-72517bacd158"]
    assert stays[0].reason == "Injury of medial collateral ligament of knee"
    assert stays[0].type_text == "Non-urgent orthopedic admission"


@needs_bundles
def test_jena_patient() -> None:
    _, _, record = read_bundle("Jena")
    patient = record.patient
    assert (patient.name, patient.sex, patient.birth_date) == ("Jena Terry", "female", date(1924, 6, 16))


@needs_bundles
def test_no_patient_text_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="emrwriter")
    read_bundle("Dennis")
    loud = " ".join(r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG)
    assert "Durgan" not in loud and "Furosemide" not in loud


# ----------------------------------------------------------------------------- Synthea bulk NDJSON

# jq -r '(.subject // .patient).reference' X.000.ndjson | sort | uniq -c, for each resource type;
# inpatient = Encounter lines with .class.code == "IMP"; notes by type: jq '[.subject.reference, .type.coding[0].code]'.
NDJSON_PATIENTS = {
    "129c6ac7-8d06-89de-ad63-0204a93e76c3": dict(
        name="Sumiko Larue Medhurst",
        birth=date(1927, 5, 21),
        encounters=90,
        inpatient_stays=45,
        conditions=49,
        medications=447,
        procedures=587,
        documents=90,
        allergies=0,
        admission_notes=65,
        other_notes=25,
    ),
    "6a4160eb-a793-2f86-2302-378626f46cce": dict(
        name="Yvone Janina Cummings",
        birth=date(1963, 7, 15),
        encounters=59,
        inpatient_stays=1,
        conditions=62,
        medications=93,
        procedures=57,
        documents=59,
        allergies=0,
        admission_notes=43,
        other_notes=16,
    ),
    "a4a401d1-a46a-eb4a-8a38-760d5d79d6ec": dict(
        name="Gladys Schumm",
        birth=date(1981, 11, 3),
        encounters=44,
        inpatient_stays=1,
        conditions=34,
        medications=8,
        procedures=86,
        documents=44,
        allergies=0,
        admission_notes=33,
        other_notes=11,
    ),
    "a5cb8ce9-cec6-6b23-0990-cbaf753578a4": dict(
        name="Elisa Donetta Johnson",
        birth=date(1927, 5, 21),
        encounters=83,
        inpatient_stays=1,
        conditions=33,
        medications=62,
        procedures=110,
        documents=83,
        allergies=3,
        admission_notes=67,
        other_notes=16,
    ),
}


@needs_ndjson
def test_list_ndjson_patients() -> None:
    assert list_ndjson_patients(ndjson_files()) == [(pid, v["name"]) for pid, v in NDJSON_PATIENTS.items()]


@needs_ndjson
def test_several_patients_without_choice_is_one_line_error() -> None:
    with pytest.raises(RecordError) as caught:
        load_ndjson(ndjson_files())
    message = str(caught.value)
    assert "\n" not in message and "--patient" in message and "4 patients" in message
    for pid, expected in NDJSON_PATIENTS.items():
        assert f"{pid} ({expected['name']})" in message


@needs_ndjson
def test_unknown_patient_id_is_refused() -> None:
    with pytest.raises(RecordError, match="'nobody' is not in these files"):
        load_ndjson(ndjson_files(), "nobody")


@needs_ndjson
@pytest.mark.parametrize("patient_id", sorted(NDJSON_PATIENTS))
def test_ndjson_each_patient(patient_id: str) -> None:
    expected = NDJSON_PATIENTS[patient_id]
    record = load_ndjson(ndjson_files(), patient_id)
    counts = record.counts()
    assert record.patient.name == expected["name"]
    assert (record.patient.sex, record.patient.birth_date) == ("female", expected["birth"])
    for kind in ("encounters", "inpatient_stays", "conditions", "medications", "procedures", "documents", "allergies"):
        assert counts[kind] == expected[kind], kind
    assert counts["observations"] == 0  # the Observation file is missing from this snapshot
    kinds = [d.kind for d in record.documents]
    assert kinds.count("admission_note") == expected["admission_notes"]  # LOINC 34117-2 H&P
    assert kinds.count("note") == expected["other_notes"]  # 34111-5 emergency department notes
    assert all(d.text and d.encounter_id for d in record.documents)
    # Only this patient's data: every link points at one of her own encounters.
    encounter_ids = {e.id for e in record.encounters}
    assert {i.encounter_id for i in all_items(record) if i.encounter_id} <= encounter_ids
    for item in all_items(record):
        kind = item.provenance.locator.split("/")[0]
        assert item.provenance.file == str(NDJSON / f"{kind}.000.ndjson")
    assert record.sources == [str(p) for p in ndjson_files()]
    assert [p for p in record.problems if p.severity != "info"] == []


@needs_ndjson
def test_ndjson_note_decoded_with_provenance() -> None:
    record = load_ndjson(ndjson_files(), "a4a401d1-a46a-eb4a-8a38-760d5d79d6ec")
    locator = "DocumentReference/4f73c74c-6d3e-b768-87f8-27141fe1abd5"
    [note] = [d for d in record.documents if d.provenance.locator == locator]
    assert note.text.startswith("2022-11-10\n\n# Chief Complaint\nNo complaints.\n\n# History of Present Illness")
    assert (note.title, note.kind, note.author) == ("History and physical note", "admission_note", "Dr. Bobbye Wuckert")
    assert note.date == datetime(2022, 11, 10, 16, 28, 15, 571000)  # wall clock as written (-05:00 dropped)
    assert note.encounter_id == "8dee71b9-9de3-8d2d-3ebc-a816fb44c39c"
    [stay] = [e for e in record.encounters if e.is_inpatient]
    assert stay.id == note.encounter_id
    assert [type(i).__name__ for i in all_items(record) if i.encounter_id == stay.id].count("Procedure") == 2


@needs_ndjson
def test_ndjson_wall_clock_across_daylight_saving() -> None:
    record = load_ndjson(ndjson_files(), "a5cb8ce9-cec6-6b23-0990-cbaf753578a4")
    [stay] = [e for e in record.encounters if e.is_inpatient]
    # 2018-10-18T02:16:29-04:00 .. 2018-11-06T01:31:29-05:00: offsets differ, times kept as written.
    assert (stay.start, stay.end) == (datetime(2018, 10, 18, 2, 16, 29), datetime(2018, 11, 6, 1, 31, 29))
    nuts = next(a for a in record.allergies if a.substance == "Tree nut (substance)")
    assert "Anaphylaxis (disorder)" in nuts.reaction and nuts.reaction.startswith("Wheal (finding), Dyspnea (finding)")


# ----------------------------------------------------------------------------- hand-made cases


def patient(pid: str = "p1", **fields: object) -> dict:
    return {"resourceType": "Patient", "id": pid, "name": [{"given": ["Ann"], "family": "Lee"}], **fields}


def res(kind: str, rid: str, owner: str = "Patient/p1", **fields: object) -> dict:
    """A resource about ``owner`` (AllergyIntolerance names it "patient", the rest "subject")."""
    link = "patient" if kind == "AllergyIntolerance" else "subject"
    return {"resourceType": kind, "id": rid, link: {"reference": owner}, **fields}


def write_ndjson(path: Path, lines: list[object]) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def as_bundle(*resources: dict, kind: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def text_attachment(text: str, content_type: str = "text/plain", encoding: str = "utf-8") -> dict:
    return {"contentType": content_type, "data": base64.b64encode(text.encode(encoding)).decode()}


def test_bad_ndjson_line_becomes_a_problem(tmp_path: Path) -> None:
    good = res("Condition", "c1", code={"text": "Asthma"})
    lines = [good, '{"resourceType": "Condition", "id": ', '["x"]', good | {"id": "c2"}]
    path = write_ndjson(tmp_path / "Condition.ndjson", lines)
    record = load_ndjson([write_ndjson(tmp_path / "Patient.ndjson", [patient()]), path])
    assert [c.provenance.locator for c in record.conditions] == ["Condition/c1", "Condition/c2"]
    messages = [str(p) for p in record.problems]
    assert any(m.startswith(f"{path}: line 2: not valid JSON") for m in messages)
    assert any(m.startswith(f"{path}: line 3: JSON but not a FHIR resource") for m in messages)


def test_malformed_resources_do_not_crash(tmp_path: Path) -> None:
    pdf = {"attachment": {"contentType": "application/pdf", "data": "JVBERi0="}}
    resources = [
        patient(birthDate="1970-13-40"),
        res("Encounter", "e1"),  # no class, no period
        res("Condition", "c1"),  # no code
        res("Condition", "c2", code={"text": "Gout"}, onsetDateTime="last week"),
        res("Observation", "o1", code={"text": "Na"}, valueQuantity="140"),
        res("Observation", "o2", code="not a concept"),
        # dosageInstruction as one object where a list belongs
        res("MedicationRequest", "m1", medicationCodeableConcept={"text": "Aspirin"}, dosageInstruction={"text": "x"}),
        res("MedicationRequest", "m2", medicationReference={"reference": "Medication/gone"}),
        res("Procedure", "x1", code={"coding": [{"display": "Appendectomy"}]}, performedPeriod=["2020"]),
        res("DocumentReference", "d1", content=[pdf]),
        res("AllergyIntolerance", "a1", reaction="hives"),
    ]
    path = tmp_path / "bundle.json"
    record = load_bundle(path, as_bundle(*resources))
    messages = [p.message for p in record.problems]

    def said(start: str) -> bool:
        return any(m.startswith(start) for m in messages)

    assert record.patient.name == "Ann Lee" and record.patient.birth_date is None
    assert said("Patient/p1: birthDate '1970-13-40' is not a FHIR date")
    assert [(e.id, e.kind, e.start) for e in record.encounters] == [("e1", "other", None)]
    assert [c.name for c in record.conditions] == ["Gout"] and record.conditions[0].onset is None
    assert said("Condition/c1: skipped: no code")
    assert said("Condition/c2: onsetDateTime 'last week'")
    assert [(o.name, o.value) for o in record.observations] == [("Na", "")]
    assert said("Observation/o1: valueQuantity not understood")
    assert said("Observation/o2: skipped")
    assert [(m.name, m.frequency) for m in record.medications] == [("Aspirin", "x")]
    assert said("MedicationRequest/m2: skipped: medication 'Medication/gone'")
    assert [(p.name, p.date) for p in record.procedures] == [("Appendectomy", None)]
    assert said("DocumentReference/d1: skipped: no readable text/plain content; attachment of type 'application/pdf'")
    assert record.allergies == [] and said("AllergyIntolerance/a1: skipped")
    assert all(p.file == str(path) for p in record.problems)


def test_not_a_bundle_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    with pytest.raises(RecordError, match=r"x\.json: JSON but not a FHIR Bundle \(resourceType missing\)"):
        load_bundle(path, {"hello": "world"})
    with pytest.raises(RecordError, match="top level is a list"):
        load_bundle(path, [1, 2])
    with pytest.raises(RecordError, match="'entry' is not a list"):
        load_bundle(path, {"resourceType": "Bundle", "entry": {}})


def test_single_resource_and_empty_ndjson(tmp_path: Path) -> None:
    record = load_bundle(tmp_path / "p.json", patient(gender="female"))
    assert (record.patient.name, record.patient.sex) == ("Ann Lee", "female")
    with pytest.raises(RecordError, match="no FHIR resources"):
        load_ndjson([write_ndjson(tmp_path / "empty.ndjson", ["", "not json"])])


def test_searchset_with_two_patients_needs_a_choice(tmp_path: Path) -> None:
    server_warning = {"resourceType": "OperationOutcome", "id": "oo", "issue": [{"diagnostics": "result truncated"}]}
    data = as_bundle(
        patient("p1"),
        patient("p2", name=[{"given": ["Bo944"], "family": "Kim12", "prefix": ["Mr."]}]),
        res("Condition", "c1", "Patient/p1", code={"text": "Asthma"}),
        res("Condition", "c2", "Patient/p2", code={"text": "Gout"}),
        server_warning,
        kind="searchset",
    )
    with pytest.raises(RecordError, match=r"p1 \(Ann Lee\), p2 \(Bo Kim\); choose one"):
        load_bundle(tmp_path / "s.json", data)
    record = load_bundle(tmp_path / "s.json", data, patient_id="p2")
    assert record.patient.name == "Bo Kim" and [c.name for c in record.conditions] == ["Gout"]
    assert any("the server said: result truncated" in p.message for p in record.problems)


def test_transaction_references_medications_and_notes(tmp_path: Path) -> None:
    note = "Admitted for pneumonia. Café."
    owner, stay = "urn:uuid:pp", {"reference": "urn:uuid:ee"}
    dose_500mg = {"value": 500, "unit": "mg"}
    three_daily = {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}}
    every_6h = {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}}
    discharge_summary = {"coding": [{"system": "http://loinc.org", "code": "18842-5", "display": "Discharge summary"}]}
    paracetamol = {"resourceType": "Medication", "id": "c", "code": {"coding": [{"code": "1", "display": "Paracetamol"}]}}
    resources = {
        "pp": patient("pp"),
        "ee": res("Encounter", "ee", owner, **{"class": {"code": "IMP"}}, period={"start": "2024-03-01T08:00:00+08:00"}),
        "med": {"resourceType": "Medication", "id": "med", "code": {"text": "Amoxicillin 500 mg"}},
        "m1": res(
            "MedicationRequest",
            "m1",
            owner,
            encounter=stay,
            medicationReference={"reference": "urn:uuid:med"},
            category=[{"coding": [{"code": "discharge"}]}],
            dosageInstruction=[{"timing": three_daily, "route": {"text": "oral"}, "doseAndRate": [{"doseQuantity": dose_500mg}]}],
        ),
        "m2": res(
            "MedicationRequest",
            "m2",
            owner,
            contained=[paracetamol],
            medicationReference={"reference": "#c"},
            dosageInstruction=[{"asNeededBoolean": True, "timing": every_6h}],
        ),
        "d1": res(
            "DocumentReference",
            "d1",
            owner,
            type=discharge_summary,
            context={"encounter": [stay]},
            content=[{"attachment": text_attachment(note, "text/plain; charset=iso-8859-1", "latin-1")}],
        ),
        "r1": res(
            "DiagnosticReport",
            "r1",
            owner,
            encounter=stay,
            code={"text": "Discharge summary"},
            presentedForm=[text_attachment(note)],
        ),
        "r2": res("DiagnosticReport", "r2", owner, code={"text": "CT chest"}, conclusion="No effusion."),
        "r3": res("DiagnosticReport", "r3", owner, code={"text": "CBC"}, result=[{"reference": "urn:uuid:o1"}]),
        "c1": res(
            "Condition", "c1", owner, code={"text": "Old error"}, verificationStatus={"coding": [{"code": "entered-in-error"}]}
        ),
    }
    entries = [{"fullUrl": f"urn:uuid:{key}", "resource": value} for key, value in resources.items()]
    record = load_bundle(tmp_path / "t.json", {"resourceType": "Bundle", "type": "transaction", "entry": entries})

    assert [(e.id, e.kind, e.start) for e in record.encounters] == [("ee", "inpatient", datetime(2024, 3, 1, 8, 0))]
    amox, para = record.medications
    assert (amox.name, amox.dose, amox.route, amox.frequency, amox.role, amox.encounter_id) == (
        "Amoxicillin 500 mg",
        "500 mg",
        "oral",
        "3 times per day",
        "discharge",
        "ee",
    )
    assert (para.name, para.code, para.frequency) == ("Paracetamol", "1", "1 time per 6 hours, as needed")
    # The DiagnosticReport repeating the note is kept once; the conclusion-only one is a
    # "report"; the results-only one (r3) adds no item (its Observations would).
    assert [(d.provenance.locator, d.kind, d.text) for d in record.documents] == [
        ("DocumentReference/d1", "discharge_summary", note),
        ("DiagnosticReport/r2", "report", "No effusion."),
    ]
    assert record.documents[0].encounter_id == "ee" and record.documents[0].title == "Discharge summary"
    assert record.conditions == []
    messages = [p.message for p in record.problems]
    assert any("Condition/c1: skipped: verification status is entered-in-error" in m for m in messages)
    assert any("repeat a DocumentReference" in m for m in messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008-11-10T12:17:10+00:00", datetime(2008, 11, 10, 12, 17, 10)),
        ("1987-11-19T00:22:16.824-05:00", datetime(1987, 11, 19, 0, 22, 16, 824000)),
        ("2020-01-02T03:04:05.1234567Z", datetime(2020, 1, 2, 3, 4, 5, 123456)),
        ("1949-04-19", datetime(1949, 4, 19)),
        ("1949-04", datetime(1949, 4, 1)),
        ("1949", datetime(1949, 1, 1)),
    ],
)
def test_parse_fhir_datetime(text: str, expected: datetime) -> None:
    assert parse_fhir_datetime(text) == expected


@pytest.mark.parametrize("text", ["", "19/04/1949", "2008-11-10 12:17", "2008-02-30"])
def test_parse_fhir_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_fhir_datetime(text)
