"""Encounter selection: which inpatient stay the summary is about, and which
items belong to it. Whole-life records (Synthea) have many encounters; what
happened before the stay is history and is labelled so, never mixed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from .model import ITEM_KINDS, Encounter, Item, Record, RecordError

STAY, HISTORY, LATER = "stay", "history", "later"


def inpatient_stays(record: Record) -> list[Encounter]:
    """Inpatient stays, most recent first (undated ones last)."""
    stays = [e for e in record.encounters if e.is_inpatient]
    return sorted(stays, key=lambda e: e.start or datetime.min, reverse=True)


@dataclass
class Stay:
    """One stay of a record with every item labelled stay / history / later."""

    record: Record
    encounter: Encounter
    labels: dict[int, str] = field(default_factory=dict)  # id(item) -> label

    def items(self, kind: str, label: str = STAY) -> list:
        return [item for item in getattr(self.record, kind) if self.labels[id(item)] == label]

    def label(self, item: Item) -> str:
        return self.labels[id(item)]

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind: {lab: len(self.items(kind, lab)) for lab in (STAY, HISTORY, LATER)} for kind in ITEM_KINDS}


def select_encounter(record: Record, encounter_id: str | None = None) -> Stay:
    """The chosen stay (default: the most recent inpatient stay)."""
    stays = inpatient_stays(record)
    if encounter_id:
        chosen = next((e for e in record.encounters if e.id == encounter_id), None)
        if chosen is None:
            listed = ", ".join(e.id for e in stays[:10]) or "none"
            raise RecordError(f"encounter {encounter_id!r} is not in this record (inpatient stays: {listed})")
    elif stays:
        chosen = stays[0]
    else:
        raise RecordError("this record has no inpatient stay; choose an encounter with --encounter (see 'emrwriter inspect')")
    stay = Stay(record, chosen)
    by_id = {e.id: e for e in record.encounters}
    for kind in ITEM_KINDS:
        for item in getattr(record, kind):
            stay.labels[id(item)] = _label(item, chosen, by_id, len(record.encounters) == 1)
    return stay


def _label(item: Item, stay: Encounter, encounters: dict[str, Encounter], only_one: bool) -> str:
    if item.encounter_id == stay.id:
        return STAY
    linked = encounters.get(item.encounter_id)
    if linked is not None and linked.start is not None:
        return _place(linked.start, stay, whole_days=False)
    when = item.when
    if when is None:
        return STAY if only_one else HISTORY
    return _place(when, stay, whole_days=True)


def _place(when: datetime, stay: Encounter, whole_days: bool) -> str:
    """Items dated by day only (or by a note's date) count for the whole admission
    and discharge days; items of a linked encounter are placed by exact time."""
    start, end = stay.start, stay.end
    if whole_days:
        start = datetime.combine(start.date(), time.min) if start else None
        end = datetime.combine(end.date(), time.max) if end else None
    if start is not None and when < start:
        return HISTORY
    if end is not None and when > end:
        return LATER
    return STAY
