"""The record as the verifier reads it: passages with provenance, tokenised once.

A passage is one sentence of a stay document (its provenance is the document's
file and the sentence's character span) or one structured item rendered as a
line (its provenance is the item's). Value tokens are indexed with their
clause context so the verifier can ask "where does the record say 40 mg, and
about what?"; passages are indexed by token so a drafted sentence can find the
record sentence it restates.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..facts.stay import StayFacts, stay_facts
from ..facts.tokens import Token, split_sentences, tokenize
from ..records.model import Document, Provenance
from ..records.stay import HISTORY, Stay
from ..templates import format_when
from ..vocabulary.drugs import canonical_drug
from .context import clause_set, features, nearest_anchor

log = logging.getLogger(__name__)


@dataclass
class Passage:
    """One sentence of the record (or one rendered item)."""

    text: str  # the full text the offsets refer to (a document's text, or the rendered line)
    start: int
    end: int
    tokens: list[Token]  # non-separator tokens of this passage, offsets into ``text``
    source: Provenance
    label: str  # e.g. "progress_note_2026-10-04.txt · ASSESSMENT AND PLAN"
    rendered: bool = False  # a structured item written out as a line: ``source`` is the item's own

    @property
    def quote(self) -> str:
        return self.text[self.start : self.end]

    def provenance(self, start: int | None = None, end: int | None = None) -> Provenance:
        """Provenance of the whole passage or of a span inside it (offsets into ``text``)."""
        s = self.start if start is None else start
        e = self.end if end is None else end
        if self.rendered:
            return self.source
        return Provenance(self.source.file, self.source.locator, s, e)


@dataclass(frozen=True)
class Mention:
    """A value token of the record with what surrounds it."""

    passage: int
    token: Token
    context: frozenset[str]
    anchor: str | None  # key of the drug/test it belongs to


@dataclass
class RecordEvidence:
    passages: list[Passage] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    drugs: set[str] = field(default_factory=set)  # canonical names of every drug the record names
    document_frequency: dict[str, int] = field(default_factory=dict)
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # token key -> passages
    mentions_by_kind: dict[str, list[Mention]] = field(default_factory=lambda: defaultdict(list))
    facts: StayFacts | None = None
    language: str = "en"
    text_lower: str = ""  # every passage, folded: for phrase look-ups
    readings: Any = None  # every passage read for statuses and sides (polarity.RecordReadings), on first use

    def idf(self, key: str) -> float:
        return math.log(1 + len(self.passages) / (1 + self.document_frequency.get(key, 0)))

    def add_text(self, text: str, source: Provenance, label: str, rendered: bool = False, offset: int = 0) -> None:
        """Add a text cut into sentences: a document, or a piece of one that begins at
        ``offset`` in it, or a structured item written out as a line (``rendered``:
        every passage then carries the item's own provenance)."""
        tokens = tokenize(text)
        keys = features(tokens)
        sentences = split_sentences(text, semicolons=False)
        position = 0
        for start, end in sentences:
            first = position
            while first < len(tokens) and tokens[first].start < start:
                first += 1
            last = first
            while last < len(tokens) and tokens[last].start < end:
                last += 1
            position = last
            content = [t for t in tokens[first:last] if t.kind != "sep"]
            if not content:
                continue
            index = len(self.passages)
            passage_source = source if rendered else Provenance(source.file, source.locator, offset + start, offset + end)
            self.passages.append(Passage(text, start, end, content, passage_source, label, rendered))
            for key in {t.key for t in content}:
                self.by_key[key].append(index)
            for position_in_text in range(first, last):
                token = tokens[position_in_text]
                if token.is_value or token.kind == "freq":
                    anchor = nearest_anchor(tokens, position_in_text)
                    mention = Mention(index, token, clause_set(tokens, keys, position_in_text), anchor.key if anchor else None)
                    self.mentions.append(mention)
                    self.mentions_by_kind[token.kind].append(mention)
                if token.kind == "drug":
                    self.drugs.add(token.value)
        self.text_lower += "\n" + text.lower()

    def finish(self) -> None:
        frequency: dict[str, int] = defaultdict(int)
        for passage in self.passages:
            for key in {k for k in features(passage.tokens) if k}:
                frequency[key] += 1
        self.document_frequency = dict(frequency)


def build_evidence(stay: Stay) -> RecordEvidence:
    """Everything the record says about the stay, as passages: the stay's documents
    sentence by sentence, then its structured items (and the patient's history
    conditions and medications, which drafts rightly mention) one line each."""
    facts = stay_facts(stay)
    evidence = RecordEvidence(facts=facts)
    for document in facts.documents:
        _add_document(evidence, document)
    for line, provenance in _item_lines(stay, facts):
        evidence.add_text(line, provenance, provenance.file, rendered=True)
    for med in stay.record.medications:
        if med.name:
            evidence.drugs.add(canonical_drug(med.name))
    evidence.language = _language(evidence)
    evidence.finish()
    log.debug(
        "evidence: %d passages, %d value mentions, %d drugs", len(evidence.passages), len(evidence.mentions), len(evidence.drugs)
    )
    return evidence


def evidence_from_texts(texts: list[tuple[str, Provenance]]) -> RecordEvidence:
    """Evidence from plain texts (for callers that hold text, not a Stay): each text
    with the provenance of where it begins (a document: start 0 or None)."""
    evidence = RecordEvidence()
    for text, provenance in texts:
        evidence.add_text(text, provenance, provenance.file, offset=provenance.start or 0)
    evidence.language = _language(evidence)
    evidence.finish()
    return evidence


def _add_document(evidence: RecordEvidence, document: Document) -> None:
    source = Provenance(document.provenance.file, "", 0, len(document.text))
    before = len(evidence.passages)
    evidence.add_text(document.text, source, document.provenance.file)
    sections = sorted(document.sections, key=lambda s: s.start)
    for passage in evidence.passages[before:]:
        heading = next((s.heading for s in reversed(sections) if s.start <= passage.start), "")
        if heading:
            passage.source = Provenance(passage.source.file, heading, passage.source.start, passage.source.end)
            passage.label = f"{passage.label} · {heading}"


def _item_lines(stay: Stay, facts: StayFacts) -> list[tuple[str, Provenance]]:
    """Structured items rendered as text; items read from a note's text are
    already in its sentences and are not repeated."""
    lines: list[tuple[str, Provenance]] = []

    in_documents = {d.provenance.file for d in facts.documents}

    def add(text: str, provenance: Provenance | None) -> None:
        # items read from a stay document's text are already in its sentences
        if text.strip() and provenance is not None and (provenance.start is None or provenance.file not in in_documents):
            lines.append((text, provenance))

    encounter = facts.encounter
    if encounter.start or encounter.end:
        stay_text = f"Admission date {format_when(encounter.start)}. Discharge date {format_when(encounter.end)}."
        stay_text += f" 入院日期 {format_when(encounter.start)}。出院日期 {format_when(encounter.end)}。"
        if encounter.start and encounter.end:
            days = (encounter.end.date() - encounter.start.date()).days
            stay_text += f" Length of stay {days} days. 住院{days}天。"
        lines.append((stay_text, encounter.provenance or Provenance("encounter", f"Encounter/{encounter.id}")))
    patient = facts.patient
    if patient.birth_date:
        when = encounter.start or encounter.end or datetime.now()
        age = _age(patient.birth_date, when.date())
        lines.append(
            (
                f"Date of birth {format_when(patient.birth_date)}. Age {age} years. {age}岁。",
                patient.provenance or Provenance("patient", "Patient"),
            ),
        )
    for item in [
        *facts.admission_diagnoses,
        *facts.discharge_diagnoses,
        *stay.items("conditions"),
        *stay.items("conditions", HISTORY),
    ]:
        when = f" onset {format_when(item.onset)}" if item.onset else ""
        add(f"{item.name}{when}.", item.provenance)
    for med in [*stay.items("medications"), *stay.items("medications", HISTORY)]:
        dates = " ".join(f"{label} {format_when(d)}" for label, d in (("start", med.start), ("end", med.end)) if d)
        add(f"{med.name} {med.dose} {med.route} {med.frequency} {med.status} {dates}.", med.provenance)
    for obs in [*facts.labs, *facts.vitals]:
        add(f"{obs.name} {obs.value} {obs.unit} {obs.flag} ({obs.reference_range}) {format_when(obs.time)}.", obs.provenance)
    for proc in [*facts.procedures, *stay.items("procedures", HISTORY)]:
        add(f"{proc.name} {format_when(proc.date)}.", proc.provenance)
    for allergy in facts.allergies:
        add(f"Allergy: {allergy.substance} {allergy.reaction} {allergy.severity}.", allergy.provenance)
    return lines


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _language(evidence: RecordEvidence) -> str:
    cjk = sum(1 for p in evidence.passages for t in p.tokens if t.kind == "cjk")
    words = sum(1 for p in evidence.passages for t in p.tokens if t.kind == "word")
    return "zh" if cjk > words else "en"
