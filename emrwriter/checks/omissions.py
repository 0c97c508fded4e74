"""Omissions: discharge medications of the record that the draft leaves out.

A missing discharge medication is among the commonest errors of discharge
summaries (Kripalani 2007). Each drug of the record's discharge list must be
named in the draft's discharge medication section (or, when the draft has
none, anywhere in it), by any of its names ("Lasix" for furosemide counts).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..facts.tokens import Token
from ..records.headings import find_sections
from ..records.model import Medication
from ..vocabulary.drugs import canonical_drug, find_drugs
from .evidence import RecordEvidence
from .findings import HIGH, Evidence, Finding, worded
from .grounding import checked_span

LIST_KEYS = ("discharge_medications",)
# Headings that may sit inside a medication list without ending it ("Allergies:" or
# "Stopped medications (do not take):" above the table).
INSIDE_KEYS = frozenset({"allergies", "other", "medications", "discharge_medications", "stopped_medications"})


def medication_scope(text: str) -> list[tuple[int, int]]:
    """Spans of the draft where discharge medications belong: the discharge medication
    section(s), running on through sub-headings such as "Allergies:"; without one
    (出院医嘱 with its table after 随访), the whole draft."""
    limit = checked_span(text)
    sections = find_sections(text[:limit])
    spans = []
    for index, section in enumerate(sections):
        if section.key not in LIST_KEYS:
            continue
        end = section.end
        for later in sections[index + 1 :]:
            if later.key not in INSIDE_KEYS:
                break
            end = later.end
        spans.append((section.start, end))
    return spans or [(0, limit)]


def check_omissions(text: str, evidence: RecordEvidence, tokens: list[Token]) -> list[Finding]:
    facts = evidence.facts
    if facts is None or not facts.discharge_medications:
        return []
    scope = medication_scope(text)
    named = {t.value for t in tokens if t.kind == "drug" and any(s <= t.start < e for s, e in scope)}
    scope_text = "\n".join(text[s:e] for s, e in scope).lower()
    findings: list[Finding] = []
    seen: set[str] = set()
    for med in facts.discharge_medications:
        name = med.name.strip()
        if not name:
            continue
        canonical = canonical_drug(name)
        if canonical in seen:
            continue
        seen.add(canonical)
        if _named(name, canonical, named, scope_text):
            continue
        where = _end_of_scope(text, scope)
        findings.append(
            Finding(
                where,
                where,
                name,
                "omission",
                HIGH,
                evidence=_med_evidence(med, evidence),
                check="omission",
                **worded("discharge_medication_omitted", name=name),
            )
        )
    return findings


def _end_of_scope(text: str, scope: list[tuple[int, int]]) -> int:
    """Where a missing item belongs: the line break after the medication list (an
    empty span there overlaps no sentence of the draft)."""
    end = scope[-1][1]
    while end > scope[-1][0] and text[end - 1].isspace():
        end -= 1
    newline = text.find("\n", end)
    return newline if newline >= 0 else len(text)


def _named(name: str, canonical: str, named: set, scope_text: str) -> bool:
    if find_drugs(name):
        return canonical in named or canonical in scope_text
    core = re.sub(r"[（(].*?[)）]", "", name).strip().lower()
    if not core:
        return True
    if core in scope_text:
        return True
    words = [w for w in re.split(r"\s+", core) if len(w) >= 4]
    return bool(words) and fuzz.partial_ratio(words[0], scope_text) >= 90


def _med_evidence(med: Medication, evidence: RecordEvidence) -> Evidence:
    source = med.provenance
    quote = ""
    if source.start is not None and evidence.facts is not None:
        for document in evidence.facts.documents:
            if document.provenance.file == source.file:
                quote = document.text[source.start : source.end]
                break
    return Evidence(source, quote or " ".join(x for x in (med.name, med.dose, med.route, med.frequency) if x))
