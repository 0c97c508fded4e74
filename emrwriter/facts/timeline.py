"""The stay as a timeline: what happened on which day, each entry with its source.

Built from the one fact layer by rules, never by the model: presentation and findings on
admission, each dated note's opening statement, procedures, medications started, changed
or stopped (with the reason the record gives), results that were abnormal and how they
moved, consultations, and the state at discharge. The model-written sections are drafted
from these entries (a short, ordered, checked list), and the "from the record" mode renders
them as sentences without a model. Text stays in the record's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..records.dates import find_date
from ..records.fields import line_fields
from ..records.headings import heading_key
from ..records.model import Document, Provenance
from ..records.subnotes import NOTE_WORDS
from ..records.text_lists import after_marker
from ..words import words as words_for
from .extract import LabResult, where
from .stay import StayFacts
from .tokens import split_sentences

# What a narrative section draws on, by the kind of entry.
KINDS = ("presentation", "admission_findings", "note", "procedure", "medication", "result", "consult", "discharge_state")
_SKIP_LINE = re.compile(r"^\s*(?:[\w\u4e00-\u9fff ]{1,12}[:：]\s*$|[-=_*#]{3,})")
_MAX_SENTENCE = 160
_MAX_COURSE = 20  # sentences of a summary's hospital course told (a course is a paragraph, not a chart)
# "患者入院第3天。", "Hospital day 3.": a count of days says nothing about the day
_DAY_COUNT = re.compile(
    r"^(?:患者|患儿)?(?:入院|住院|术后)(?:第\s*\d+\s*天|\d+\s*天)[。.]?$|^(?:hospital day|HD|POD)\s*#?\s*\d+\.?$", re.I
)
_MAX_RESULTS = 8


@dataclass
class TimelineEntry:
    day: date | None
    kind: str  # one of KINDS
    text: str  # one sentence, in the record's language (a quote of the record, or a fact stated plainly)
    provenance: Provenance
    quoted: bool = True  # the text is the record's own words
    items: list[object] = field(default_factory=list)  # the facts it states (medications, results, procedures)


def build_timeline(facts: StayFacts, language: str) -> list[TimelineEntry]:
    """The stay's entries in order of day (undated ones where their note stands)."""
    entries: list[TimelineEntry] = []
    admitted = facts.encounter.start.date() if facts.encounter.start else None
    discharged = facts.encounter.end.date() if facts.encounter.end else None
    entries += _presentation(facts, admitted)
    entries += _admission_findings(facts, language)
    entries += _notes(facts) or _course(facts)
    entries += [_procedure(p, language) for p in facts.procedures]
    entries += _medications(facts, discharged, language)
    entries += _trends(facts, language)
    entries += _quoted_sections(facts, "consultations", "consult")
    entries += _discharge_state(facts, discharged)
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(entries, key=lambda e: (e.day or admitted or date.min, e.kind == "discharge_state", order[e.kind]))


def entries_for(timeline: list[TimelineEntry], kinds: tuple[str, ...]) -> list[TimelineEntry]:
    return [e for e in timeline if e.kind in kinds]


# ---------------------------------------------------------------------------


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _first_sentence(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first sentence of ``text[start:end]`` that says something (no field line, no rule)."""
    for s, e in split_sentences(text[start:end]):
        sentence = text[start + s : start + e].strip()
        if len(sentence) < 6 or _SKIP_LINE.match(sentence) or _DAY_COUNT.match(sentence):
            continue
        if not _is_field(sentence) and not _is_heading(sentence):
            first = start + s + len(text[start + s : start + e]) - len(text[start + s : start + e].lstrip())
            return first, min(start + e, first + _MAX_SENTENCE)
    return None


def _is_heading(sentence: str) -> bool:
    """ "陈立峰主治医师查房记录", "HOSPITAL COURSE": a heading line, not a statement."""
    bare = sentence.strip().rstrip(":：")
    return len(bare) <= 30 and not re.search(r"[，,。.;；]", bare) and bool(heading_key(bare) or NOTE_WORDS.search(bare))


def _is_field(sentence: str) -> bool:
    """ "记录时间：2026-10-08 12:40", "Date: 03/15/2026", "S:": a field or a label, not a statement."""
    fields = line_fields(sentence, 0, len(sentence))
    if fields and fields[0].key and sentence.lstrip().startswith(fields[0].label):
        return True
    return (
        bool(re.match(r"^[\w\u4e00-\u9fff ]{1,14}[:：]\s*\S{0,12}$", sentence))
        or find_date(sentence) is not None
        and len(sentence) < 40
    )


def _quote(document: Document, span: tuple[int, int], part: str) -> tuple[str, Provenance]:
    text = re.sub(r"\s+", " ", document.text[span[0] : span[1]]).strip()
    return text, Provenance(document.provenance.file, where(document, part), span[0], span[1])


def _presentation(facts: StayFacts, admitted: date | None) -> list[TimelineEntry]:
    """Why the patient came: the chief complaint (else the admission condition, else the
    history of the present illness) as written."""
    for key in ("chief_complaint", "admission_condition", "history_of_present_illness", "admission_diagnosis"):
        for document in facts.documents:
            for section in (s for s in document.sections if s.key == key):
                span = _first_sentence(document.text, section.start, section.end)
                if span:
                    text, provenance = _quote(document, span, section.heading)
                    return [TimelineEntry(admitted or _day(document.date), "presentation", text, provenance)]
    return []


def _result_text(result: LabResult) -> str:
    """ "BNP 1840 pg/mL": the result as the record gives it (its flag is in the labs table)."""
    return f"{result.name} {result.value}{' ' + result.unit if result.unit else ''}"


def _abnormal(result: LabResult) -> bool:
    return bool(result.flag) and result.flag.upper() not in {"N", "NORMAL"}


def _admission_findings(facts: StayFacts, language: str) -> list[TimelineEntry]:
    """The abnormal results of the first day with results."""
    labs = [r for r in facts.lab_results if r.category == "lab" and r.time is not None]
    if not labs:
        return []
    first = min(r.time.date() for r in labs)
    seen: set[str] = set()
    abnormal = []
    for result in labs:  # the first value of each test
        if result.time.date() == first and _abnormal(result) and result.key not in seen and len(abnormal) < _MAX_RESULTS:
            seen.add(result.key)
            abnormal.append(result)
    if not abnormal:
        return []
    end = "。" if language == "zh" else "."  # one result a sentence: each is checked against its own source
    return [
        TimelineEntry(first, "admission_findings", _result_text(r) + end, r.provenance, quoted=False, items=[r]) for r in abnormal
    ]


def _notes(facts: StayFacts) -> list[TimelineEntry]:
    """Each dated progress note's opening statement: how the patient was that day."""
    found = []
    for document in facts.documents:
        if document.kind not in {"progress_note", "first_progress_note"} or document.date is None:
            continue
        first_line_end = document.text.find("\n", len(document.text) - len(document.text.lstrip())) + 1
        span = _first_sentence(document.text, first_line_end, len(document.text))  # after the note's heading line
        if span:
            text, provenance = _quote(document, span, "text")
            found.append(TimelineEntry(document.date.date(), "note", text, provenance))
    return found


def _procedure(procedure, language: str) -> TimelineEntry:
    when = _day(procedure.date)
    name = procedure.name.rstrip(" .。;；,，")
    text = f"行{name}。" if language == "zh" else f"{name[:1].upper()}{name[1:]}."  # the day is the entry's
    return TimelineEntry(when, "procedure", text, procedure.provenance, quoted=False, items=[procedure])


def _medications(facts: StayFacts, discharged: date | None, language: str) -> list[TimelineEntry]:
    """Drugs started, changed or stopped, as the reconciliation found them (at discharge)."""
    words = words_for(language)["timeline"]
    found = []
    for change in facts.medication_changes:
        detail = f" {change.detail}" if change.detail else ""
        if change.before:
            detail += words["was"].format(dose=change.before)
        med = next(
            (m for m in facts.stopped_medications + facts.discharge_medications if m.provenance == change.provenance), None
        )
        reason = med.reason if med is not None and med.reason else ""
        if language == "zh":
            text = f"{words[change.action]}{change.name}{detail}{'（' + reason + '）' if reason else ''}。"
        else:
            text = f"{words[change.action]} {change.name}{detail}{' (' + reason + ')' if reason else ''}."
        found.append(TimelineEntry(discharged, "medication", text, change.provenance, quoted=False, items=[med] if med else []))
    return found


def _trends(facts: StayFacts, language: str) -> list[TimelineEntry]:
    """A test that was abnormal and measured more than once: its values in order."""
    by_test: dict[tuple[str, str], list[LabResult]] = {}  # one test in one unit ("sodium 2,000 mg/d" is a diet)
    for result in facts.lab_results:
        if result.category == "lab" and result.time is not None:
            by_test.setdefault((result.key, result.unit.lower()), []).append(result)
    found = []
    for results in by_test.values():
        results.sort(key=lambda r: r.time)
        if len(results) < 2 or not any(_abnormal(r) for r in results):
            continue
        first, last = results[0], results[-1]  # the course as its first and last value, each with its day
        unit = f" {last.unit}" if last.unit else ""
        text = (
            f"{last.name} {first.value}{unit}（{first.time.date().isoformat()}）→ {last.value}{unit}（{last.time.date().isoformat()}）。"
            if language == "zh"
            else f"{last.name} {first.value}{unit} ({first.time.date().isoformat()}) → {last.value}{unit} ({last.time.date().isoformat()})."
        )
        found.append(TimelineEntry(last.time.date(), "result", text, last.provenance, quoted=False, items=[first, last]))
    return found


def _course(facts: StayFacts) -> list[TimelineEntry]:
    """Without dated progress notes, the stay as a summary in the record tells it: each
    sentence of its hospital course, in order, quoted (a dictated discharge summary)."""
    found = []
    for document in facts.documents:
        for section in (s for s in document.sections if s.key == "hospital_course"):
            for start, end in split_sentences(document.text[section.start : section.end]):
                span = (
                    after_marker(document.text, section.start + start, section.start + end),
                    section.start + end,
                )
                sentence = document.text[span[0] : span[1]].strip()
                if len(sentence) >= 6 and not _is_field(sentence) and not _is_heading(sentence) and len(found) < _MAX_COURSE:
                    text, provenance = _quote(document, span, section.heading)
                    found.append(TimelineEntry(_day(document.date), "note", text, provenance))
    return found


def _quoted_sections(facts: StayFacts, key: str, kind: str) -> list[TimelineEntry]:
    found = []
    for document in facts.documents:
        for section in document.sections:
            if section.key == key:
                span = _first_sentence(document.text, section.start, section.end)
                if span:
                    text, provenance = _quote(document, span, section.heading)
                    found.append(TimelineEntry(_day(document.date), kind, text, provenance))
    return found


def _discharge_state(facts: StayFacts, discharged: date | None) -> list[TimelineEntry]:
    """The state at discharge as written: the discharge condition, else the last note's opening."""
    for quote in facts.quotes.get("discharge_condition", []):
        span = _first_sentence(quote.document.text, quote.start, quote.end)
        if span:
            text, provenance = _quote(quote.document, span, "discharge_condition")
            return [TimelineEntry(discharged or _day(quote.document.date), "discharge_state", text, provenance)]
    return []


def timeline_json(timeline: list[TimelineEntry]) -> list[dict]:
    return [
        {
            "day": e.day.isoformat() if e.day else None,
            "kind": e.kind,
            "text": e.text,
            "quoted": e.quoted,
            "source": str(e.provenance),
        }
        for e in timeline
    ]
