"""C-CDA importer tests: every C-CDA in the shared corpus (exact values checked by hand
with grep/sed and stdlib ElementTree one-liners, not with the importer), plus small
hand-made documents for hostile and malformed input."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import pytest

from emrwriter.records.ccda import load
from emrwriter.records.model import ITEM_KINDS, Record, RecordError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CCDA_DIRS = ("hl7-ccda-examples", "sample-ccdas-inpatient", "synthea-ccda")
NO_CORPUS = f"shared corpus not found at {CORPUS} (the tests read ../shared/corpus beside the repository)"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)

# The two HL7 encounter snippets are section fragments that use sdtc: without declaring it.
# Refused rather than repaired: they are not documents (no header, no patient), so even a
# namespace fix would only end in "root is not ClinicalDocument".
EXPECTED_ERRORS = {
    "Encounters_Hospital_Discharge_Encounter_with_Billable_Diagnoses__"
    "Hospital_Discharge_Encounter_with_Billable_Diagnoses(C-CDA2.1).xml": "line 56, column 3",
    "Encounters_Inpatient_Encounter_Discharged_to_Rehab_Location__"
    "Inpatient_Encounter_Discharged_to_Rehab_Location(C-CDA2.1).xml": "line 53, column 16",
}

DS = CORPUS / "hl7-ccda-examples" / "Documents_Discharge_Summary__Discharge_Summary.xml"
NIST = CORPUS / "sample-ccdas-inpatient" / "NIST_Samples__CCDA_CCD_b1_InPatient_v2.xml"
ALLSCRIPTS_E1 = (
    CORPUS
    / "sample-ccdas-inpatient"
    / "Allscripts_Samples__Internal_Test_with_MU_2_data__170.314e1InPt_Discharge_Summary_CED_Type.xml"
)
SUNRISE = (
    CORPUS
    / "sample-ccdas-inpatient"
    / "Allscripts_Samples__Sunrise_Clinical_Manager__C-CDA_101693_20130617091427_Kidd_Kari_CCDA.xml"
)
HL7_CCD1 = CORPUS / "hl7-ccda-examples" / "Documents_CCD_CCD_1__CCD.XML"


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for d in CCDA_DIRS for p in (CORPUS / d).iterdir() if p.suffix.lower() == ".xml")


def read(path: Path) -> Record:
    return load(path, path.read_bytes())


def synthea(prefix: str) -> Path:
    return next((CORPUS / "synthea-ccda").glob(f"{prefix}_*.xml"))


def all_items(record: Record) -> list:
    return [item for kind in ITEM_KINDS for item in getattr(record, kind)]


# ----------------------------------------------------------------------------- every corpus file


@needs_corpus
def test_corpus_is_the_one_the_expectations_were_written_for() -> None:
    names = {p.name for p in corpus_files()}
    assert len(names) == 27  # 14 HL7 examples, 7 inpatient samples, 6 Synthea CCDs
    assert set(EXPECTED_ERRORS) <= names


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:70])
def test_each_corpus_file_imports_or_fails_clearly(path: Path) -> None:
    if path.name in EXPECTED_ERRORS:
        with pytest.raises(RecordError) as err:
            read(path)
        message = str(err.value)
        assert message.startswith(f"{path}: malformed XML at {EXPECTED_ERRORS[path.name]}: unbound prefix")
        assert "sdtc:" in message and "\n" not in message
        return
    record = read(path)
    assert record.patient.name and record.patient.birth_date is not None
    assert len(record.documents) == 1
    assert record.sources == [str(path)]
    document = record.documents[0]
    assert document.text and document.sections
    for section in document.sections:
        assert 0 <= section.start <= section.end <= len(document.text)
        assert document.text[: section.start].endswith(section.heading + "\n")
    known = {e.id for e in record.encounters}
    assert len(known) == len(record.encounters)
    for item in all_items(record):
        assert item.provenance.file == str(path)
        assert item.provenance.locator.startswith("/ClinicalDocument")
        assert not item.encounter_id or item.encounter_id in known
        if item.provenance.start is not None:
            assert 0 <= item.provenance.start < item.provenance.end <= len(document.text)
    assert all(p.file == str(path) and p.message for p in record.problems)


# ----------------------------------------------------------------------------- exact values


@needs_corpus
def test_hl7_discharge_summary_values() -> None:
    """Hand-checked in the XML: name lines 55-56, birthTime 20050501, encompassingEncounter
    low 201409091904-0500 / high 201409161904-0500, one DISCHARGE MEDICATIONS entry (period
    6 h, oral), HOSPITAL COURSE text, author Henry Seven, three allergy entries."""
    record = read(DS)
    assert record.patient.name == "Isabella Jones"
    assert record.patient.sex == "female"
    assert record.patient.birth_date == date(2005, 5, 1)
    assert record.patient.identifiers == ["2.16.840.1.113883.19.5.99999.2|998991", "2.16.840.1.113883.4.1|111-00-2330"]
    [stay] = record.encounters
    assert stay.id == "2.16.840.1.113883.19|9937012"
    assert stay.kind == "inpatient"  # no encounter code (commented out); the document is LOINC 18842-5
    assert (stay.start, stay.end) == (datetime(2014, 9, 9, 19, 4), datetime(2014, 9, 16, 19, 4))

    [med] = [m for m in record.medications if m.role == "discharge"]
    assert len(record.medications) == 1
    assert (med.name, med.code, med.dose) == ("ibuprofen 600 MG Oral Tablet", "197806", "1")
    assert (med.route, med.frequency, med.status) == ("Oral Route of Administration", "every 6 h", "active")
    assert med.start == datetime(2014, 9, 16, 13, 0)
    assert med.encounter_id == stay.id  # discharge list belongs to the document's stay

    roles = sorted((c.role, c.name) for c in record.conditions)
    assert roles == [
        ("", "Appendicitis"),
        ("", "Dark stools"),
        ("admission", "Appendicitis"),
        ("discharge", "Appendicitis"),
    ]
    assert sorted(a.substance for a in record.allergies) == ["Egg", "codeine", "penicillin G"]

    document = record.documents[0]
    assert document.kind == "discharge_summary"
    assert document.title == "Community Health and Hospitals: Discharge Summary"
    assert document.date == datetime(2014, 9, 17, 19, 4)
    assert document.author == "Henry Seven"
    assert document.encounter_id == stay.id
    assert len(document.sections) == 21
    course = document.section_text("hospital_course")
    assert course.startswith("Patient presented with dark stools and pain lower left quadrant of abdomen.")
    assert course.endswith("Will discharge.")
    meds_text = document.section_text("discharge_medications")
    assert "Ibuprofen 600mg Oral Tablet | take 1 tablet QID PRN | 600 MG" in meds_text
    instructions = document.section_text("discharge_instructions").splitlines()
    assert instructions[0] == "1. Take all of your prescription medication as directed."
    assert len(instructions) == 6
    # Sections found by templateId where the code is a placeholder ("C-CDAV2-DDN").
    assert document.section_text("discharge_diagnosis") == "Appendicitis"
    # The admission diagnosis points at narrative #AdmDx: its span is that text.
    [admission] = [c for c in record.conditions if c.role == "admission"]
    assert document.text[admission.provenance.start : admission.provenance.end] == "Appendicitis"


@needs_corpus
def test_synthea_ccd_counts() -> None:
    """ElementTree counts: Medications 6 substanceAdministration, Problems 12 act/observation,
    Encounters 24, Surgeries 72, Vital Signs 30 + Diagnostic Results 30 observations; the
    Allergies section is nullFlavor NI. One surgical admission 2022-05-22 (grep)."""
    record = read(synthea("Suanne858"))
    assert record.patient.name == "Suanne Bode"  # Synthea's digits dropped
    assert record.patient.sex == "female"
    assert record.patient.birth_date == date(1997, 3, 1)
    counts = record.counts()
    assert counts["medications"] == 6
    assert counts["conditions"] == 12
    assert counts["encounters"] == 24
    assert counts["procedures"] == 72
    assert counts["observations"] == 60
    assert counts["allergies"] == 0
    assert len([o for o in record.observations if o.category == "vital"]) == 30
    [stay] = [e for e in record.encounters if e.is_inpatient]
    assert stay.type_text == "Admission to surgical department"
    assert (stay.start, stay.end) == (datetime(2022, 5, 22, 9, 4, 41), datetime(2022, 5, 23, 9, 4, 41))
    obstetric = next(e for e in record.encounters if e.type_text == "Obstetric emergency hospital admission")
    assert obstetric.kind == "emergency"
    assert record.documents[0].kind == "summary"
    # Whole-life CCD: nothing links entries to encounters, everything is left timed.
    assert all(not i.encounter_id for i in all_items(record))
    assert all(m.start is not None for m in record.medications)


@needs_corpus
def test_large_synthea_ccd_counts() -> None:
    """ElementTree counts: 56 medications, 43 problems, 61 encounters, 164 procedures."""
    counts = read(synthea("Virgilio529")).counts()
    assert (counts["medications"], counts["conditions"], counts["encounters"], counts["procedures"]) == (
        56,
        43,
        61,
        164,
    )


@needs_corpus
def test_nist_inpatient_results() -> None:
    """RESULTS has one organizer with 3 observations (HGB 10.2 g/dl, WBC 12.3, PLT 123),
    VITAL SIGNS 2 organizers x 3 observations (ElementTree)."""
    record = read(NIST)
    assert record.patient.name == "Isabella Isa Jones"
    assert record.patient.birth_date == date(1947, 5, 1)
    labs = [o for o in record.observations if o.category == "lab"]
    assert [(o.name, o.value, o.unit) for o in labs] == [
        ("HGB", "10.2", "g/dl"),
        ("WBC", "12.3", "10+3/ul"),
        ("PLT", "123", "10+3/ul"),
    ]
    assert labs[0].reference_range == "M 13-18 g/dl; F 12-16 g/dl"
    assert labs[1].reference_range == "4.3-10.8 10+3/ul"
    assert labs[2].flag == "L"
    assert len([o for o in record.observations if o.category == "vital"]) == 6


@needs_corpus
def test_entry_links_to_the_stay_and_header_encounter_is_not_duplicated() -> None:
    """Allscripts e1: encompassingEncounter 1.3.6.1.4.1.22812.3.99930.3.3.4|5283815 reappears
    in the Encounters section. One of the 3 discharge-medication entries and both allergy
    entries carry entryRelationship/encounter/id; the other two discharge medications get
    the stay because the section itself is about it."""
    record = read(ALLSCRIPTS_E1)
    [stay] = record.encounters
    assert stay.id == "1.3.6.1.4.1.22812.3.99930.3.3.4|5283815"
    assert stay.kind == "inpatient"
    assert (stay.start, stay.end) == (datetime(2012, 10, 2), datetime(2012, 10, 5))
    discharge = [m for m in record.medications if m.role == "discharge"]
    assert len(discharge) == 3 and all(m.encounter_id == stay.id for m in discharge)
    assert all(a.encounter_id == stay.id for a in record.allergies)


@needs_corpus
def test_vendor_oddities_are_reported_not_dropped() -> None:
    """Sunrise: an encounter ends '00010101000000'; entries link encounters the file lacks;
    'No Known Hospital Discharge Medications' is a negated entry."""
    record = read(SUNRISE)
    messages = "\n".join(p.message for p in record.problems)
    assert "entry[1]/encounter/effectiveTime/high: '00010101000000' is not an HL7 date; left empty" in messages
    assert "link to encounters not present in the document" in messages
    assert "Hospital Discharge Medications 1" in messages
    assert not [m for m in record.medications if m.role == "discharge"]
    table = record.documents[0].section_text("vital_signs")
    assert "| | |" not in table  # all-empty spacer rows are dropped


@needs_corpus
def test_hl7_ccd_source_errors_are_reported() -> None:
    """CCD 1: Pneumonia low 20130703, high 20080814; a severity observation sits directly
    under the second allergy act; BUN result has value nullFlavor NI, status active."""
    record = read(HL7_CCD1)
    messages = "\n".join(p.message for p in record.problems)
    assert "end 2008-08-14 is before start 2013-07-03 in the source" in messages
    assert "'Urea nitrogen, Serum' has no value (statusCode active; possibly pending)" in messages
    assert sorted(a.substance for a in record.allergies) == ["Penicillin", "codeine"]
    assert "'IMMUNIZATIONS' (11369-6): 5 structured entries not imported" in messages


@needs_corpus
def test_no_patient_text_in_logs_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="emrwriter")
    read(DS)
    for rec in caplog.records:
        if rec.levelno > logging.DEBUG:
            assert "Isabella" not in rec.getMessage() and "Discharge_Summary" not in rec.getMessage()


# ----------------------------------------------------------------------------- hand-made input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title></ClinicalDocument>
"""

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <code code="11506-3" codeSystem="2.16.840.1.113883.6.1"/>
  <title>Ward note</title>
  <effectiveTime value="20240102083000+0800"/>
  <recordTarget><patientRole>
    <id root="1.2.3" extension="42"/>
    <patient><name><given>Wei</given><family>Zhang</family></name>
      <administrativeGenderCode code="M"/><birthTime value="1960"/></patient>
  </patientRole></recordTarget>
  <component><structuredBody>
    <component><section>
      <code code="10160-0"/><title>Medications</title>
      <text><table><tbody><tr><td ID="m1">Metformin 500 mg</td><td>twice daily</td></tr></tbody></table></text>
      <entry><substanceAdministration moodCode="INT">
        <statusCode code="active"/>
        <effectiveTime xsi:type="IVL_TS"><low value="20231201"/></effectiveTime>
        <effectiveTime xsi:type="PIVL_TS" operator="A"><period value="12" unit="h"/></effectiveTime>
        <routeCode code="C38288" displayName="Oral"/>
        <doseQuantity value="500" unit="mg"/>
        <consumable><manufacturedProduct><manufacturedMaterial>
          <code code="860975"><originalText><reference value="#m1"/></originalText></code>
        </manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>
      <entry><substanceAdministration nullFlavor="NI"/></entry>
    </section></component>
    <component><section>
      <code code="11369-6"/><title>Immunizations</title>
      <text><paragraph>Influenza   vaccine,
        2023</paragraph></text>
      <entry><substanceAdministration moodCode="EVN"/></entry>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>
"""


def test_entity_bomb_is_refused() -> None:
    with pytest.raises(RecordError, match=r"^bomb\.xml: XML declares entities, refused"):
        load(Path("bomb.xml"), BILLION_LAUGHS)


def test_external_entity_is_refused() -> None:
    with pytest.raises(RecordError, match=r"^xxe\.xml: XML declares entities"):
        load(Path("xxe.xml"), EXTERNAL_ENTITY)


def test_malformed_xml_names_file_and_line() -> None:
    data = b'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n  <title>x</titel>\n</ClinicalDocument>\n'
    with pytest.raises(RecordError, match=r"^bad\.xml: malformed XML at line 3, column \d+: mismatched tag"):
        load(Path("bad.xml"), data)


def test_hostile_nesting_fails_cleanly() -> None:
    depth = 50_000
    narrative = "<content>" * depth + "x" + "</content>" * depth
    data = (
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody><component><section>'
        f"<title>T</title><text>{narrative}</text></section></component></structuredBody></component>"
        "</ClinicalDocument>"
    ).encode()
    with pytest.raises(RecordError, match=r"^deep\.xml: XML is nested too deeply to import$"):
        load(Path("deep.xml"), data)


def test_not_a_clinical_document() -> None:
    with pytest.raises(RecordError, match=r"^other\.xml: not a C-CDA document \(root element <Bundle>"):
        load(Path("other.xml"), b'<Bundle xmlns="http://hl7.org/fhir"/>')
    with pytest.raises(RecordError, match="not in the HL7 v3 namespace"):
        load(Path("plain.xml"), b"<ClinicalDocument/>")


def test_minimal_document_mapping() -> None:
    record = load(Path("note.xml"), MINIMAL.encode())
    assert record.patient.name == "Wei Zhang" and record.patient.sex == "male"
    assert record.patient.birth_date == date(1960, 1, 1)
    assert record.patient.identifiers == ["1.2.3|42"]
    [med] = record.medications
    assert (med.name, med.code, med.dose, med.route, med.frequency) == (
        "Metformin 500 mg",
        "860975",
        "500 mg",
        "Oral",
        "every 12 h",
    )
    assert med.start == datetime(2023, 12, 1)
    assert (
        med.provenance.locator
        == "/ClinicalDocument/component/structuredBody/component[1]/section/entry[1]/substanceAdministration"
    )
    document = record.documents[0]
    assert document.kind == "progress_note"
    assert document.date == datetime(2024, 1, 2, 8, 30)  # wall-clock kept, offset dropped
    assert document.text == "Medications\nMetformin 500 mg | twice daily\n\nImmunizations\nInfluenza vaccine, 2023\n"
    assert document.text[med.provenance.start : med.provenance.end] == "Metformin 500 mg"
    assert [(s.key, document.text[s.start : s.end]) for s in document.sections] == [
        ("medications", "Metformin 500 mg | twice daily"),
        ("immunizations", "Influenza vaccine, 2023"),
    ]
    messages = [p.message for p in record.problems]
    assert any("'Immunizations' (11369-6): 1 structured entries not imported" in m for m in messages)
    assert any(m.startswith("skipped entries without content (nullFlavor or empty): 1 (Medications 1)") for m in messages)
