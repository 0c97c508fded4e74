"""The facts of one stay: the one fact layer that the data sections render exactly, the
evidence and the checks build on, and `inspect --json` shows.

Every importer (FHIR, C-CDA, CSV, notes) gives items with provenance; this module reads
the stay's items and the structure in its notes (lab results, procedures, follow-up,
pending results), reconciles the medications (home list, changes, discharge orders), and
says honestly what it had to infer (a discharge diagnosis proposed from the notes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..records.model import (
    Allergy,
    Condition,
    Document,
    Encounter,
    Medication,
    Observation,
    Patient,
    Procedure,
    Record,
    RecordError,
)
from ..records.stay import HISTORY, STAY, Stay, select_encounter
from .extract import (
    FollowUp,
    LabResult,
    PendingResult,
    follow_ups,
    merge_results,
    pending_results,
    procedures_from_text,
    results_from_text,
    structured_results,
)
from .reconcile import MedicationChange, drug_key, reconcile

# Free-text sections that data-filled sections may quote verbatim, by heading key.
QUOTED_SECTIONS = (
    "chief_complaint",
    "admission_condition",
    "discharge_condition",
    "discharge_instructions",
    "follow_up",
    "hospital_course",
)

DOCUMENT_ORDER = (
    "admission_note",
    "first_progress_note",
    "progress_note",
    "operative_note",
    "note",
    "summary",
    "medication_list",
    "discharge_orders",
    "discharge_summary",
)


@dataclass
class Quote:
    """A recognised section of a document, quoted whole with where it came from."""

    text: str
    document: Document
    start: int
    end: int


@dataclass
class StayFacts:
    patient: Patient
    encounter: Encounter
    admission_diagnoses: list[Condition]
    discharge_diagnoses: list[Condition]
    history_conditions: list[Condition]
    discharge_medications: list[Medication]  # reconciled: status new / changed / continued ("" unknown)
    stay_medications: list[Medication]
    procedures: list[Procedure]
    labs: list[Observation]
    vitals: list[Observation]
    allergies: list[Allergy]
    documents: list[Document]
    quotes: dict[str, list[Quote]] = field(default_factory=dict)
    attending: str = ""
    # True when the record states no discharge diagnosis and the list is proposed from the
    # post-operative diagnoses, the notes' assessments or the admission diagnoses
    discharge_diagnoses_proposed: bool = False
    procedure_diagnoses: list[Condition] = field(default_factory=list)
    stopped_medications: list[Medication] = field(default_factory=list)
    home_medications: list[Medication] = field(default_factory=list)
    medication_changes: list[MedicationChange] = field(default_factory=list)
    lab_results: list[LabResult] = field(default_factory=list)  # structured and from the notes' text
    pending: list[PendingResult] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    # home drugs listed as stopped only because the discharge list leaves them out (for the doctor to confirm)
    inferred_stops: list[Medication] = field(default_factory=list)

    @property
    def abnormal_labs(self) -> list[Observation]:
        return [o for o in self.labs if o.flag and o.flag.upper() not in {"N", "NORMAL"}]

    def quoted(self, key: str) -> str:
        """All recognised text under one heading key, in document order."""
        return "\n".join(q.text for q in self.quotes.get(key, []))


def stay_facts(stay: Stay) -> StayFacts:
    conditions = stay.items("conditions")
    documents = sorted(stay.items("documents"), key=_document_order)
    observations = stay.items("observations")
    admission = _distinct_conditions([c for c in conditions if c.role == "admission"])
    if not admission:  # the first assessment of the stay (an admission note's "Impression") is what it was admitted for
        admission = _distinct_conditions(_assessed(conditions, earliest=True))
    if not admission and stay.encounter.reason:
        admission = [Condition(provenance=stay.encounter.provenance, name=stay.encounter.reason, role="admission")]
    procedure_diagnoses = _distinct_conditions([c for c in conditions if c.role == "procedure"])
    discharge, proposed = _discharge_diagnoses(conditions, admission, procedure_diagnoses)
    medications = reconcile(stay, documents)
    text_results = [r for d in documents for r in results_from_text(d)]
    return StayFacts(
        patient=stay.record.patient,
        encounter=stay.encounter,
        admission_diagnoses=admission,
        discharge_diagnoses=discharge,
        discharge_diagnoses_proposed=proposed,
        procedure_diagnoses=procedure_diagnoses,
        history_conditions=[c for c in stay.items("conditions", HISTORY) if c.status not in {"resolved", "inactive"}]
        + [c for c in conditions if c.role == "history"],
        discharge_medications=medications.discharge,
        stopped_medications=medications.stopped,
        home_medications=medications.home,
        medication_changes=medications.changes,
        conflicts=medications.conflicts,
        inferred_stops=medications.inferred_stops,
        stay_medications=stay.items("medications"),
        procedures=_procedures(stay, documents),
        labs=[o for o in observations if o.category == "lab"],
        vitals=[o for o in observations if o.category == "vital"],
        lab_results=merge_results(structured_results(observations), text_results),
        pending=pending_results(stay, documents, observations),
        follow_ups=follow_ups(documents),
        allergies=_distinct_allergies(stay.record.allergies),  # never history: an allergy always applies
        documents=documents,
        quotes=_quotes(documents),
        attending=next((d.author for d in reversed(documents) if d.author), ""),
    )


def prepare_facts(record: Record) -> None:
    """Read the default stay's notes once (their tokens are kept), so that the first
    stay_facts of a face that must not block (the app's GUI thread) is quick."""
    try:
        stay_facts(select_encounter(record))
    except RecordError:
        pass  # no inpatient stay: the doctor chooses one, and its facts are read then


def _fold(name: str) -> str:
    return re.sub(r"[\s,，.。;；:：]+", " ", name).strip().lower()


def _distinct_conditions(conditions: list[Condition]) -> list[Condition]:
    """The same diagnosis told by several notes is listed once (the first telling)."""
    seen: dict[str, Condition] = {}
    for condition in conditions:
        seen.setdefault(_fold(condition.name), condition)
    return list(seen.values())


def _discharge_diagnoses(
    conditions: list[Condition], admission: list[Condition], procedure: list[Condition]
) -> tuple[list[Condition], bool]:
    """The stated discharge diagnoses; for structured sources, what was diagnosed during the
    stay; otherwise a proposal for the doctor to confirm: the post-operative diagnoses, the
    problems of the latest assessment, then the admission diagnoses."""
    stated = [c for c in conditions if c.role == "discharge"]
    if stated:
        return _distinct_conditions(stated), False
    structured = [c for c in conditions if c.role == ""]
    if structured:
        return _distinct_conditions(structured), False
    proposal = _distinct_conditions(procedure + _assessed(conditions, earliest=False)) or admission
    return proposal, bool(proposal)


def _assessed(conditions: list[Condition], earliest: bool) -> list[Condition]:
    """The working diagnoses of the first (or the last) dated assessment of the stay."""
    working = [c for c in conditions if c.role == "working"]
    dates = [c.recorded for c in working if c.recorded]
    if not dates:
        return working
    when = min(dates) if earliest else max(dates)
    return [c for c in working if c.recorded == when]


_PLANNED = re.compile(
    r"(?:拟|建议|计划|择期|必要时|待|如需|考虑)[^，。；,;]{0,4}?行?\s*$|(?:plan(?:ned)?\s+(?:for|to)|recommend\w*|consider|will need)\s*$",
    re.I,
)


def _procedures(stay: Stay, documents: list[Document]) -> list[Procedure]:
    """The stay's procedures: structured ones, then those the notes list or say were done
    (not those only planned or recommended), each once."""
    found: dict[str, Procedure] = {}

    def known(name: str) -> bool:
        """Told already; a fuller name ("腹腔镜胆囊切除术") replaces a shorter one ("腹腔镜")."""
        key = _procedure_key(name)
        if not key:
            return True
        for other in list(found):
            if key in other:
                return True
            if other in key and other != key and other not in structured_keys:
                del found[other]
        return False

    structured_keys: set[str] = set()
    for procedure in stay.items("procedures"):
        if not known(procedure.name):
            found[_procedure_key(procedure.name)] = procedure
            structured_keys.add(_procedure_key(procedure.name))
    for document in documents:
        for text_procedure in procedures_from_text(document):
            start = text_procedure.provenance.start or 0
            if _PLANNED.search(document.text[max(0, start - 12) : start]):
                continue
            year = text_procedure.date.year if text_procedure.date else None
            if year and stay.encounter.start and year < stay.encounter.start.year:
                continue  # "(2019)": a procedure of an earlier year
            day = text_procedure.date
            when = datetime(day.year, day.month, day.day) if day and day.year and day.month and day.day else None
            procedure = Procedure(
                text_procedure.provenance, stay.encounter.id, name=text_procedure.name, date=when or document.date
            )
            if not known(procedure.name):
                found[_procedure_key(procedure.name)] = procedure
    return list(found.values())


def _procedure_key(name: str) -> str:
    return _fold(re.sub(r"\s*\((?:procedure|regime/therapy)\)$", "", name))  # without SNOMED's semantic tag


def _distinct_allergies(allergies: list[Allergy]) -> list[Allergy]:
    """The same allergy told by several notes is listed once (the first telling)."""
    seen: dict[str, Allergy] = {}
    for allergy in allergies:
        seen.setdefault(allergy.substance.strip().lower(), allergy)
    return list(seen.values())


def _document_order(doc: Document) -> tuple[int, datetime]:
    rank = DOCUMENT_ORDER.index(doc.kind) if doc.kind in DOCUMENT_ORDER else DOCUMENT_ORDER.index("note")
    return (rank if doc.kind in {"discharge_orders", "discharge_summary"} else 0, doc.date or datetime.min)


def _quotes(documents: list[Document]) -> dict[str, list[Quote]]:
    quotes: dict[str, list[Quote]] = {}
    for doc in documents:
        for section in doc.sections:
            if section.key in QUOTED_SECTIONS:
                text = doc.text[section.start : section.end].strip()
                if text:
                    quotes.setdefault(section.key, []).append(Quote(text, doc, section.start, section.end))
    return quotes


# ---------------------------------------------------------------------------
# the facts as plain data (inspect --json)


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def facts_json(facts: StayFacts) -> dict:
    """The one fact layer as JSON: what the data sections and the checks read."""
    patient = facts.patient
    diagnoses = [
        {
            "name": c.name,
            "role": role,
            "proposed": role == "discharge" and facts.discharge_diagnoses_proposed,
            "source": str(c.provenance),
        }
        for role, items in (
            ("admission", facts.admission_diagnoses),
            ("discharge", facts.discharge_diagnoses),
            ("procedure", facts.procedure_diagnoses),
            ("history", facts.history_conditions),
        )
        for c in items
    ]
    medications = [_medication_json(m, "discharge") for m in facts.discharge_medications]
    # a stopped drug keeps the list it was on (home, inpatient, ""), never "discharge"
    medications += [
        _medication_json(m, "" if m.role == "discharge" else m.role, inferred=m in facts.inferred_stops)
        for m in facts.stopped_medications
    ]
    medications += [_medication_json(m, "home") for m in facts.home_medications]
    return {
        "patient": {
            "name": patient.name,
            "sex": patient.sex,
            "birth_date": _when(patient.birth_date),
            "identifiers": patient.identifiers,
        },
        "admission_date": _when(facts.encounter.start),
        "discharge_date": _when(facts.encounter.end),
        "diagnoses": diagnoses,
        "medications": medications,
        "labs": [
            {"name": r.name, "value": r.value, "unit": r.unit, "flag": r.flag, "time": _when(r.time), "source": str(r.provenance)}
            | _range(r, facts.labs)
            for r in facts.lab_results
            if r.category == "lab"
        ],
        "procedures": [{"name": p.name, "date": _when(p.date), "source": str(p.provenance)} for p in facts.procedures],
        "allergies": [{"substance": a.substance, "reaction": a.reaction} for a in facts.allergies],
        "follow_up": [{"text": f.text, "source": str(f.provenance)} for f in facts.follow_ups],
        "pending": [{"name": p.name, "source": str(p.provenance)} for p in facts.pending],
        "documents": [{"title": d.title, "kind": d.kind, "date": _when(d.date), "author": d.author} for d in facts.documents],
        "conflicts": facts.conflicts,
    }


def _medication_json(med: Medication, role: str, inferred: bool = False) -> dict:
    return {
        "name": med.name,
        "dose": med.dose,
        "route": med.route,
        "frequency": med.frequency,
        "status": med.status,
        "role": role,
        "reason": med.reason,
        "source": str(med.provenance),
        "inferred": inferred,
    }


def _range(result: LabResult, observations: list[Observation]) -> dict:
    for obs in observations:
        if obs.provenance == result.provenance:
            return {"reference_range": obs.reference_range, "flag_source": obs.flag_source}
    return {"reference_range": "", "flag_source": "record" if result.flag else ""}


# ---------------------------------------------------------------------------
# the items of a record as the fact layer sees them (the app's record pane)


def reviewed_items(stay: Stay, facts: StayFacts, kind: str) -> list[tuple[object, str]]:
    """(item, label) of one kind for the record pane: the stay's facts first (reconciled
    medications with their status, diagnoses by role, labs and procedures read from the notes
    too), then the record's own items of other times (history, later) and of the stay that no
    fact already shows."""
    if kind == "medications":  # a home drug continued, changed or stopped is shown once, with its status
        listed = {drug_key(m) for m in facts.discharge_medications + facts.stopped_medications}
        home = [m for m in facts.home_medications if drug_key(m) not in listed]
        stay_rows: list = facts.discharge_medications + facts.stopped_medications + home
    elif kind == "conditions":
        stay_rows = facts.admission_diagnoses + facts.discharge_diagnoses + facts.procedure_diagnoses
    elif kind == "observations":
        stay_rows = facts.labs + facts.vitals + [_observation(r) for r in facts.lab_results if not _is_structured(r, facts)]
    elif kind == "procedures":
        stay_rows = list(facts.procedures)
    else:
        return [(item, stay.label(item)) for item in getattr(stay.record, kind)]
    shown = {item.provenance for item in stay_rows}
    if kind == "medications":
        shown |= {m.provenance for m in facts.home_medications}
    rows = [(item, STAY) for item in stay_rows]
    for item in getattr(stay.record, kind):
        if item.provenance not in shown:
            rows.append((item, stay.label(item)))
    return rows


def _is_structured(result: LabResult, facts: StayFacts) -> bool:
    return any(obs.provenance == result.provenance for obs in facts.labs + facts.vitals)


def _observation(result: LabResult) -> Observation:
    """A lab result read from a note's text, as an Observation for display."""
    return Observation(
        result.provenance,
        name=result.name,
        value=result.value,
        unit=result.unit,
        flag=result.flag,
        time=result.time,
        category=result.category,
    )
