"""Stay dates that notes state without a label.

Many records never write "出院日期：": the discharge is told by a dated note ("患者今日
出院", "准予明日出院", "Discharge home today"), or only by the date of the discharge orders
("DISCHARGE INSTRUCTIONS - 2026-03-18"). A free-text stay with no labelled date takes the
date such a note gives, with the sentence as its provenance; the admission date likewise
falls back to the date of the admission note. A labelled date always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .dates import find_yearless_date
from .model import Document, Encounter, Provenance, Record

# (pattern, days after the note's date)
_DISCHARGE_PHRASES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(?:今日|今天|今)(?:予以|予|准予|办理|可|拟)?出院|准予出院|予以出院|予出院|办理出院(?:手续)?"), 0),
    (re.compile(r"(?:明日|明天)(?:予以|予|准予|办理|可|拟)?出院"), 1),
    (
        re.compile(
            r"\bdischarg(?:e|ed|ing)\s+(?:home\s+|to\s+(?:home|rehab\w*|snf|a skilled nursing facility)\s+)?today\b"
            r"|\b(?:is|was|being|will be|can be|to be)\s+discharged\b(?![^.\n]{0,40}\btomorrow\b)"
            r"|\bstable for discharge\b|\bready for discharge\b|\bdischarged? home\b(?![^.\n]{0,40}\btomorrow\b)",
            re.IGNORECASE,
        ),
        0,
    ),
    (re.compile(r"\bdischarg(?:e|ed|ing)\b[^.\n]{0,30}\btomorrow\b", re.IGNORECASE), 1),
)
_NEGATION = re.compile(
    r"(?:不|暂不|未|尚不|不能|不宜|不同意|拒绝|not|no|cannot|unable to|not yet)\W{0,3}(?:\w+\W+){0,2}$", re.IGNORECASE
)
_ADMISSION_KINDS = ("admission_note", "first_progress_note")
_DISCHARGE_DOCUMENT_KINDS = ("discharge_orders", "discharge_summary")


@dataclass
class _Found:
    value: datetime
    provenance: Provenance


def _said_discharge(document: Document) -> _Found | None:
    """The discharge date a dated note says in words; the last such sentence wins."""
    if document.date is None:
        return None
    found = None
    for pattern, days in _DISCHARGE_PHRASES:
        for match in pattern.finditer(document.text):
            before = document.text[max(0, match.start() - 20) : match.start()]
            if _NEGATION.search(before):
                continue
            when = datetime.combine(document.date.date() + timedelta(days=days), datetime.min.time())
            provenance = Provenance(document.provenance.file, document.provenance.locator, match.start(), match.end())
            if found is None or when >= found.value:
                found = _Found(when, provenance)
    return found


# "患者于2026年1月21日出院", "discharged home on March 10, 2026": the discharge with its own date
_DATED_DISCHARGE = re.compile(
    r"于\s*(?P<d>[^，。；\n]{4,20}?)\s*(?:办理)?出院|\bdischarged\b[^.;\n]{0,30}?\bon\s+(?P<e>[^.;\n]{4,30})", re.I
)
# "discharged on hospital day 5", "住院第5天出院": counted from the day of admission (day 1)
_HOSPITAL_DAY = re.compile(r"\bhospital day\s*#?\s*(?P<n>\d{1,3})\b|住院第\s*(?P<z>\d{1,3})\s*天", re.I)


def _dated_discharge(document: Document, admitted: datetime | None) -> _Found | None:
    text = document.text
    for match in _DATED_DISCHARGE.finditer(text):
        group = "d" if match["d"] else "e"
        year = (document.date or admitted or datetime.now()).year
        found = find_yearless_date(text, year, match.start(group), match.end(group))
        if found is not None:
            return _Found(
                found.value, Provenance(document.provenance.file, document.provenance.locator, match.start(), match.end())
            )
    if admitted is not None:
        for match in _HOSPITAL_DAY.finditer(text):
            sentence = text[text.rfind("\n", 0, match.start()) + 1 : match.end() + 40]
            if re.search(r"discharg|出院", sentence, re.I):
                day = int(match["n"] or match["z"])
                when = datetime.combine(admitted.date() + timedelta(days=day - 1), datetime.min.time())
                return _Found(when, Provenance(document.provenance.file, document.provenance.locator, match.start(), match.end()))
    return None


def _whole_note(document: Document) -> Provenance:
    return Provenance(document.provenance.file, document.provenance.locator or document.title, 0, min(len(document.text), 200))


def infer_stay_dates(record: Record, encounter: Encounter) -> None:
    """Fill a free-text stay's missing admission/discharge date from its notes (in place)."""
    documents = [d for d in record.documents if d.date is not None and d.encounter_id in ("", encounter.id)]
    if encounter.start is None:
        _admission_from_notes(documents, encounter)
    if encounter.end is None:
        dated = [f for f in (_dated_discharge(d, encounter.start) for d in record.documents) if f is not None]
        if dated:
            latest = max(dated, key=lambda f: f.value)
            if encounter.start is None or latest.value >= encounter.start:
                encounter.end, encounter.end_source = latest.value, latest.provenance
    if encounter.end is None:
        said = [f for f in map(_said_discharge, documents) if f is not None]
        ordered = [_Found(d.date, _whole_note(d)) for d in documents if d.kind in _DISCHARGE_DOCUMENT_KINDS]
        candidates = said or ordered
        if candidates:
            latest = max(candidates, key=lambda f: f.value)
            if encounter.start is None or latest.value >= encounter.start:
                encounter.end, encounter.end_source = latest.value, latest.provenance
    if encounter.start is None:
        _admission_from_notes(documents, encounter)


def _admission_from_notes(documents: list[Document], encounter: Encounter) -> None:
    for kind in _ADMISSION_KINDS:
        notes = sorted((d for d in documents if d.kind == kind), key=lambda d: d.date)
        if notes and (encounter.end is None or notes[0].date <= encounter.end):
            encounter.start, encounter.start_source = notes[0].date, _whole_note(notes[0])
            return
