"""The facts of one stay, read from structured items: what data-filled sections
render exactly and what the evidence and the checks build on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..records.model import Allergy, Condition, Document, Encounter, Medication, Observation, Patient, Procedure
from ..records.stay import HISTORY, STAY, Stay

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
    discharge_medications: list[Medication]
    stay_medications: list[Medication]
    procedures: list[Procedure]
    labs: list[Observation]
    vitals: list[Observation]
    allergies: list[Allergy]
    documents: list[Document]
    quotes: dict[str, list[Quote]] = field(default_factory=dict)
    attending: str = ""

    @property
    def abnormal_labs(self) -> list[Observation]:
        return [o for o in self.labs if o.flag and o.flag.upper() not in {"N", "NORMAL"}]

    def quoted(self, key: str) -> str:
        """All recognised text under one heading key, in document order."""
        return "\n".join(q.text for q in self.quotes.get(key, []))


def stay_facts(stay: Stay) -> StayFacts:
    conditions = stay.items("conditions")
    admission = [c for c in conditions if c.role == "admission"]
    discharge = [c for c in conditions if c.role == "discharge"]
    if not discharge:  # structured sources: what was diagnosed during the stay
        discharge = [c for c in conditions if c.role != "admission"]
    if not admission and stay.encounter.reason:
        admission = [Condition(provenance=stay.encounter.provenance, name=stay.encounter.reason, role="admission")]
    documents = sorted(stay.items("documents"), key=_document_order)
    observations = stay.items("observations")
    return StayFacts(
        patient=stay.record.patient,
        encounter=stay.encounter,
        admission_diagnoses=admission,
        discharge_diagnoses=discharge,
        history_conditions=[c for c in stay.items("conditions", HISTORY) if c.status not in {"resolved", "inactive"}],
        discharge_medications=discharge_medications(stay),
        stay_medications=stay.items("medications"),
        procedures=stay.items("procedures"),
        labs=[o for o in observations if o.category == "lab"],
        vitals=[o for o in observations if o.category == "vital"],
        allergies=_distinct_allergies(stay.record.allergies),  # never history: an allergy always applies
        documents=documents,
        quotes=_quotes(documents),
        attending=next((d.author for d in reversed(documents) if d.author), ""),
    )


def discharge_medications(stay: Stay) -> list[Medication]:
    """A discharge list if the record has one; otherwise what is active at discharge."""
    meds = stay.record.medications
    listed = [m for m in meds if m.role == "discharge" and stay.label(m) == STAY]
    if listed:
        return listed
    end = stay.encounter.end
    active = []
    for med in meds:
        if stay.label(med) not in (STAY, HISTORY) or med.status in {"stopped", "cancelled", "entered-in-error", "completed"}:
            continue
        if med.end is not None and end is not None and med.end < end:
            continue
        active.append(med)
    return active


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
