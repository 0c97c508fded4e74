"""Discharge medications as a reconciliation: the home list, the changes during the stay
and the discharge orders, each discharge drug marked new / changed / continued and each
home drug that is not continued listed as stopped (with its reason where the record
gives one). A stopped drug is never a discharge medication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..records.medication_text import reason_in, status_cue
from ..records.model import Document, Medication, Provenance
from ..records.stay import HISTORY, STAY, Stay
from ..vocabulary.drugs import canonical_drug, find_drugs
from .extract import where
from .tokens import split_sentences, tokenize

_ENDED = frozenset({"stopped", "cancelled", "entered-in-error", "completed"})


@dataclass
class MedicationChange:
    drug: str  # canonical name
    name: str  # as the record writes it
    action: str  # new | stopped | changed
    detail: str  # the dose now, e.g. "40 mg once daily"
    provenance: Provenance
    quote: str = ""
    before: str = ""  # a changed drug's dose before, e.g. "20 mg once daily"


@dataclass
class Reconciliation:
    discharge: list[Medication] = field(default_factory=list)  # status new / changed / continued ("" unknown)
    stopped: list[Medication] = field(default_factory=list)  # status stopped, role as listed (home, inpatient, "")
    home: list[Medication] = field(default_factory=list)
    changes: list[MedicationChange] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # one line each, for the doctor
    inferred_stops: list[Medication] = field(default_factory=list)  # stopped only by absence: to confirm


def drug_key(med: Medication) -> str:
    return canonical_drug(med.name) or med.name.strip().lower()


def _distinct(meds: list[Medication], rank=None, conflicts: list[str] | None = None) -> dict[str, Medication]:
    """One medication per drug. ``rank`` (a medication -> sortable) orders the sources: the
    later, more authoritative one wins (discharge orders over a note of the day before), a
    fuller line over a bare name from the same source; two sources giving different doses
    for the same drug are a conflict, said in ``conflicts``."""
    found: dict[str, Medication] = {}
    for med in meds:
        key = drug_key(med)
        if not key:
            continue
        known = found.get(key)
        if known is None:
            found[key] = med
            continue
        if conflicts is not None and known.dose and med.dose and _dose_changed(known, med):
            conflicts.append(f"{med.name}: {_dose_text(known)} ({known.provenance}) / {_dose_text(med)} ({med.provenance})")
        newer = rank(med) > rank(known) if rank else False
        same = rank(med) == rank(known) if rank else True
        if newer or (same and _fullness(med) >= _fullness(known)):
            found[key] = med
    return found


def _fullness(med: Medication) -> int:
    return sum(bool(x) for x in (med.dose, med.route, med.frequency, med.status))


def _dose_text(med: Medication) -> str:
    return " ".join(x for x in (med.dose, med.route, med.frequency) if x)


def _dose_changed(before: Medication, after: Medication) -> bool:
    qa = [t.value for t in tokenize(before.dose) if t.kind == "qty"]
    qb = [t.value for t in tokenize(after.dose) if t.kind == "qty"]
    if qa and qb and not qa[0].same_as(qb[0]):
        return True
    fa = [t.key for t in tokenize(before.frequency) if t.kind == "freq"]
    fb = [t.key for t in tokenize(after.frequency) if t.kind == "freq"]
    return bool(fa and fb and fa[0] != fb[0])


def _discharge_list(stay: Stay) -> list[Medication]:
    """The discharge list if the record has one; otherwise what is active at discharge."""
    meds = stay.record.medications
    listed = [m for m in meds if m.role == "discharge" and m.status not in _ENDED and stay.label(m) == STAY]
    if listed:
        return listed
    end = stay.encounter.end
    active = []
    for med in meds:
        if med.role in {"home", "discharge"} or stay.label(med) not in (STAY, HISTORY) or med.status in _ENDED:
            continue
        if med.end is not None and end is not None and med.end < end:
            continue
        active.append(med)
    return active


_AUTHORITY = {"discharge_orders": 2, "medication_list": 2, "orders": 2, "discharge_summary": 1}


def _source_rank(documents: list[Document]):
    """A medication's source as (authority, date): discharge orders and lists first, then the
    discharge summary, then notes; within each the later one."""
    by_place = {(d.provenance.file, d.provenance.locator): d for d in documents}

    def rank(med: Medication) -> tuple[int, datetime]:
        p = med.provenance
        document = by_place.get((p.file, p.locator.split(" / ")[0])) or by_place.get((p.file, ""))
        if document is None:  # a CSV or a structured source: an order list
            return (2, med.start or datetime.min)
        return (_AUTHORITY.get(document.kind, 0), document.date or datetime.min)

    return rank


def _active_before(stay: Stay) -> list[Medication]:
    """For a structured record (FHIR, C-CDA) without a home list: what was prescribed before the
    stay and still active when it began."""
    start = stay.encounter.start
    found = []
    for med in stay.record.medications:
        if med.role or stay.label(med) != HISTORY or med.status in _ENDED:
            continue
        if med.end is not None and start is not None and med.end < start:
            continue
        found.append(med)
    return found


@dataclass
class _StopStatement:
    drug: str
    name: str
    when: datetime | None
    reason: str
    provenance: Provenance
    quote: str


def _stop_statements(documents: list[Document]) -> list[_StopStatement]:
    """Sentences of the stay's notes that stop or hold a drug ("停用阿司匹林（消化道出血）",
    "metformin held for contrast"), each with the note's date."""
    found = []
    for document in documents:
        text = document.text
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if status_cue(sentence) != "stopped" and not re.search(
                r"\b(?:held|discontinued|stopped)\b|停用|停药|停服", sentence, re.I
            ):
                continue
            for drug in find_drugs(sentence):
                provenance = Provenance(document.provenance.file, where(document), start, end)
                found.append(
                    _StopStatement(
                        drug.name,
                        sentence[drug.start : drug.end],
                        document.date,
                        reason_in(sentence),
                        provenance,
                        sentence.strip(),
                    )
                )
    return found


def reconcile(stay: Stay, documents: list[Document]) -> Reconciliation:
    """Home list + changes + discharge orders -> the reconciled discharge list."""
    record_meds = stay.record.medications
    home = _distinct([m for m in record_meds if m.role == "home" and stay.label(m) != "later"] or _active_before(stay))
    # an inpatient order that ran its course (an IV antibiotic with a stop time) is no stopped drug
    listed_stops = _distinct(
        [m for m in record_meds if m.status == "stopped" and m.role != "inpatient" and stay.label(m) != HISTORY]
    )
    conflicts: list[str] = []
    discharge = _distinct(_discharge_list(stay), _source_rank(documents), conflicts)
    result = Reconciliation(home=list(home.values()), conflicts=conflicts)
    for key, med in discharge.items():
        status = med.status if med.status in {"new", "changed", "continued"} else ""
        before = home.get(key)
        if home and not status:  # against the home list, where the discharge list says nothing
            status = "new" if before is None else ("changed" if _dose_changed(before, med) else "continued")
        elif home and status == "changed" and before is None:
            status = "new"  # only a drug taken before can be changed ("每周减量5mg" is a taper of a new drug)
        reconciled = replace(med, status=status)
        result.discharge.append(reconciled)
        if status in {"new", "changed"}:
            was = _dose_text(before) if status == "changed" and before is not None else ""
            result.changes.append(MedicationChange(key, med.name, status, _dose_text(med), med.provenance, before=was))
        stop = listed_stops.get(key)
        if stop is not None and stop.role == "discharge":
            result.conflicts.append(f"{med.name}: listed for discharge and as stopped ({stop.provenance})")
    statements = _stop_statements(documents)
    for key, med in listed_stops.items():
        if key in discharge:
            continue
        said = next((s for s in statements if s.drug == key and s.reason), None)
        result.stopped.append(replace(med, status="stopped", reason=med.reason or (said.reason if said else "")))
    if discharge:
        for key, med in home.items():
            if key in discharge or key in listed_stops:
                continue
            said = next((s for s in statements if s.drug == key and s.reason), None)
            stopped = replace(med, status="stopped", reason=said.reason if said else "")
            result.stopped.append(stopped)
            if not any(s.drug == key for s in statements):
                result.inferred_stops.append(stopped)  # only its absence from the discharge list says so
    for med in result.stopped:
        result.changes.append(MedicationChange(drug_key(med), med.name, "stopped", _dose_text(med), med.provenance))
    return result
