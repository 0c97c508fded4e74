"""The record as the model reads it: pieces of evidence (documents and compact
lists of structured items) chosen for the stay, fitted into the context.

When the whole record fits, the model reads all of it. When it does not (or it
would take longer to read than allowed), the structured lists that data-filled
sections and the checks rely on are always kept, and the rest is chosen by
relevance to the model-written sections: BM25 over words (English) and character
bigrams (Chinese), blended with how much a summary usually needs that kind of
note section, taking turns between sections so each gets its most relevant
evidence. The chosen pieces form one record shared by every section, so it is
still read only once. What does not fit is left out by name, never cut off
mid-text."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..facts.stay import StayFacts
from ..facts.timeline import TimelineEntry
from ..records.model import Observation, Provenance
from ..templates import format_when
from ..words import fill, words


@dataclass
class Piece:
    label: str
    text: str
    priority: int  # lower is kept first when the context is short
    order: int  # position in the record as the model reads it
    sources: list[Provenance] = field(default_factory=list)
    tokens: int = 0
    kind: str = "note"  # the facts it lists ("diagnoses", "discharge_medications", ...) or "note"
    topic: str = ""  # for a part of a note: its heading key ("hospital_course", ...)
    relevance: float = 0.0  # the best blended score for any section, when chosen by relevance


@dataclass
class PromptEvidence:
    """The record as the model reads it: the pieces chosen, in record order, and the ones
    left out (by name, with why). Not the checks' RecordEvidence (the whole record, indexed)
    nor a finding's evidence (a quote from the record)."""

    pieces: list[Piece]  # included, in record order
    omitted: list[Piece]
    method: str = "priority"  # "all" (everything fitted) | "priority" | "relevance"
    budget: int = 0  # the record tokens allowed
    reason: str = ""  # why there was a limit; "" for the context

    def omitted_notes(self, budget: int, language: str = "en") -> list[str]:
        """What was left out and why, in ``language`` (the draft's)."""
        table = words(language)
        wording = table["omitted"]
        why = fill(table, wording["context"], budget=budget)
        if self.reason:
            why = fill(table, wording["limited"], reason=self.reason, budget=budget)
        notes = []
        for p in self.omitted:
            note = fill(table, wording["note"], label=p.label, tokens=p.tokens, why=why)
            if self.method == "relevance":
                note += fill(table, wording["relevance"], relevance=p.relevance)
            notes.append(note)
        return notes


# Which facts each template source names, as piece kinds.
SOURCE_KINDS = {
    "admission_diagnoses": "diagnoses",
    "discharge_diagnoses": "diagnoses",
    "history_conditions": "history",
    "allergies": "allergies",
    "procedures": "procedures",
    "stay_medications": "medications",
    "discharge_medications": "discharge_medications",
    "abnormal_labs": "abnormal_labs",
    "labs": "labs",
    "vitals": "vitals",
}
# Kept whatever the budget: the lists the data sections render and the checks compare
# the prose against (diagnoses, allergies, discharge drugs, procedures, abnormal results).
ALWAYS_KEPT = frozenset({"diagnoses", "allergies", "discharge_medications", "procedures", "abnormal_labs", "timeline"})


def required_kinds(sources: Iterable[str]) -> set[str]:
    """The piece kinds to keep for a template whose sections cite ``sources``."""
    return set(ALWAYS_KEPT) | {SOURCE_KINDS[s] for s in sources if s in SOURCE_KINDS}


def gather_pieces(facts: StayFacts, language: str, timeline: list[TimelineEntry] | None = None) -> list[Piece]:
    """Every piece of the stay the model could read, with priority and order: the stay's
    timeline (dated, ordered, each entry checked against its source) before the notes."""
    labels = words(language)["record"]
    pieces: list[Piece] = []

    def add(
        kind: str, label: str, lines: list[str], priority: int, order: int, sources: list[Provenance], topic: str = ""
    ) -> None:
        if lines:
            pieces.append(Piece(label, "\n".join(lines), priority, order, sources, kind=kind, topic=topic))

    def lists(kind: str, lines: list[str], priority: int, order: int, sources: list[Provenance]) -> None:
        add(kind, labels[kind], lines, priority, order, sources)

    diagnoses = [f"{labels['admission']}: {c.name}" for c in facts.admission_diagnoses]
    diagnoses += [f"{labels['discharge']}: {c.name}" for c in facts.discharge_diagnoses]
    lists("diagnoses", diagnoses, 0, 0, [c.provenance for c in facts.admission_diagnoses + facts.discharge_diagnoses])
    lists("history", [c.name for c in facts.history_conditions], 3, 1, [c.provenance for c in facts.history_conditions])
    lists("allergies", [_allergy_line(a) for a in facts.allergies], 0, 2, [a.provenance for a in facts.allergies])
    if timeline:
        lines = [f"{format_when(e.day)} {e.text}".strip() for e in timeline]
        lists("timeline", lines, 0, 3, [e.provenance for e in timeline])
    order = 10
    for doc in facts.documents:
        for label, start, end, priority, topic in _document_parts(doc):
            text = doc.text[start:end].strip()
            source = Provenance(doc.provenance.file, doc.provenance.locator, start, end)
            add("note", label, [text] if text else [], priority, order, [source], topic)
            order += 1
    end = order
    lists("procedures", [_procedure_line(p) for p in facts.procedures], 1, end, [p.provenance for p in facts.procedures])
    lists(
        "medications",
        [_medication_line(m) for m in facts.stay_medications],
        2,
        end + 1,
        [m.provenance for m in facts.stay_medications],
    )
    lists(
        "discharge_medications",
        [_medication_line(m) for m in facts.discharge_medications],
        1,
        end + 2,
        [m.provenance for m in facts.discharge_medications],
    )
    abnormal = facts.abnormal_labs
    normal = [o for o in facts.labs if o not in abnormal]
    lists("abnormal_labs", [_observation_line(o) for o in abnormal], 2, end + 3, [o.provenance for o in abnormal])
    lists("labs", [_observation_line(o) for o in normal], 4, end + 4, [o.provenance for o in normal])
    lists("vitals", [_observation_line(o) for o in facts.vitals], 4, end + 5, [o.provenance for o in facts.vitals])
    return pieces


# Which parts of a note a summary needs most, by heading key (lower is kept first).
SECTION_PRIORITY = {
    **dict.fromkeys(
        ("chief_complaint", "admission_diagnosis", "discharge_diagnosis", "hospital_course", "discharge_condition"), 0
    ),
    **dict.fromkeys(
        (
            "history_of_present_illness",
            "assessment",
            "progress",
            "plan",
            "admission_condition",
            "discharge_medications",
            "discharge_instructions",
            "follow_up",
        ),
        1,
    ),
    **dict.fromkeys(("labs", "procedures", "subjective", "objective", "medications", "stopped_medications"), 2),
}
OTHER_PRIORITY = 3


def _document_parts(doc) -> list[tuple[str, int, int, int, str]]:
    """A document as (label, start, end, priority, heading key) parts: its recognised
    sections, and the text before the first one. A long record loses whole
    low-priority sections, never the middle of one."""
    name = " ".join(part for part in (doc.title or doc.kind, format_when(doc.date)) if part)
    sections = sorted(doc.sections, key=lambda s: s.start)
    if not sections:
        return [(name, 0, len(doc.text), 1, "")]
    parts = []
    if doc.text[: sections[0].start].strip():
        parts.append((name, 0, sections[0].start, OTHER_PRIORITY, ""))
    for section in sections:
        parts.append(
            (
                f"{name} · {section.heading}",
                section.start,
                section.end,
                SECTION_PRIORITY.get(section.key, OTHER_PRIORITY),
                section.key,
            )
        )
    return parts


def fit_evidence(
    pieces: list[Piece],
    budget: int,
    count_tokens: Callable[[str], int],
    render: Callable[[list[Piece]], str],
    *,
    queries: dict[str, str] | None = None,
    required: set[str] | None = None,
) -> PromptEvidence:
    """Keep pieces while the rendered record stays within ``budget`` tokens.

    Without ``queries``: by priority (then record order). With ``queries`` (one text
    per model-written section, e.g. its heading and task): pieces whose kind is in
    ``required`` first, then by relevance, the sections taking turns. Either way the
    kept pieces are put back in record order, and the rendered total is checked
    (token counts of pieces do not quite add up across their joins)."""
    base = count_tokens(render([]))
    for piece in pieces:
        piece.tokens = count_tokens(render([piece])) - base
    required = required or set()
    if base + sum(p.tokens for p in pieces) <= budget and count_tokens(render(sorted(pieces, key=lambda p: p.order))) <= budget:
        return PromptEvidence(sorted(pieces, key=lambda p: p.order), [], "all", budget)
    must = sorted((p for p in pieces if p.kind in required), key=lambda p: (p.priority, p.order))
    rest = [p for p in pieces if p.kind not in required]
    if queries:
        ranking = _relevance_ranking(rest, queries)
        method = "relevance"
    else:
        ranking = sorted(rest, key=lambda p: (p.priority, p.order))
        method = "priority"
    kept: list[Piece] = []
    used = base
    for piece in must + ranking:
        if used + piece.tokens <= budget:
            kept.append(piece)
            used += piece.tokens
    # The sum of piece sizes can be off by a token or two per join: drop the last
    # chosen (least wanted) until the rendered record really fits.
    while kept and count_tokens(render(sorted(kept, key=lambda p: p.order))) > budget:
        optional = [p for p in kept if p.kind not in required]
        kept.remove(optional[-1] if optional else kept[-1])
    chosen = {id(p) for p in kept}
    omitted = [p for p in must + ranking if id(p) not in chosen]
    kept.sort(key=lambda p: p.order)
    return PromptEvidence(kept, omitted, method, budget)


# -- relevance -------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z0-9]+|[0-9]+(?:\.[0-9]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
STOPWORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "into",
        "over",
        "under",
        "than",
        "then",
        "there",
        "their",
        "patient",
        "patients",
        "write",
        "section",
        "sections",
        "sentence",
        "sentences",
        "paragraph",
        "paragraphs",
        "one",
        "two",
        "three",
        "four",
        "five",
        "task",
        "summary",
        "record",
        "records",
        "stay",
        "exactly",
        "recorded",
        "only",
        # words of instructions rather than of content ("in time order", "where the patient went", ...)
        "time",
        "order",
        "provided",
        "key",
        "values",
        "where",
        "went",
        "why",
        "what",
        "which",
        "who",
        "when",
        "how",
        "them",
        "use",
        "include",
        "including",
        "concise",
        "clinical",
        "prose",
        "brief",
        "short",
        "about",
        "also",
        "other",
        "more",
        "most",
        "less",
        "each",
        "any",
        "all",
        "such",
        "if",
        "mention",
        "mentions",
        "still",
        "back",
        "not",
        "no",
        "do",
        "does",
    }
)
PRIORITY_WEIGHT = 0.35  # how much the usual need of a note section counts against its words
BM25_K1, BM25_B = 1.2, 0.75


def terms(text: str) -> list[str]:
    """Index terms: lower-case English words (no stop words) and Chinese character
    bigrams (a lone character stands for itself). Bigrams need no dictionary and
    match Chinese clinical terms about as well as a word segmenter at this scale."""
    text = text.lower()
    found = [w for w in _WORD.findall(text) if w not in STOPWORDS]
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            found.append(run)
        else:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def bm25_scores(documents: list[list[str]], query: list[str]) -> list[float]:
    """Okapi BM25 of each document (a list of terms) for the query."""
    n = len(documents)
    if not n:
        return []
    lengths = [len(d) for d in documents]
    average = sum(lengths) / n or 1.0
    frequencies = [Counter(d) for d in documents]
    document_frequency = Counter(t for f in frequencies for t in f)
    scores = []
    for freq, length in zip(frequencies, lengths):
        score = 0.0
        for term in set(query):
            tf = freq.get(term, 0)
            if not tf:
                continue
            df = document_frequency[term]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average))
        scores.append(score)
    return scores


def _relevance_ranking(pieces: list[Piece], queries: dict[str, str]) -> list[Piece]:
    """All ``pieces``, most wanted first: each section ranks them by BM25 (normalised
    to its best piece) blended with the priority of the piece's kind, then the
    sections take turns, each adding its best piece not yet taken. Terms that every
    section's query shares are the template's boilerplate, not its subject: dropped."""
    if not pieces:
        return []
    documents = [terms(f"{p.label} {p.topic.replace('_', ' ')} {p.text}") for p in pieces]
    prior = [(OTHER_PRIORITY + 2 - min(p.priority, OTHER_PRIORITY + 1)) / (OTHER_PRIORITY + 2) for p in pieces]
    asked = [terms(text) for text in queries.values()]
    if len(asked) > 1:  # what every section's instructions say ("write the ... section of the discharge summary")
        shared = set.intersection(*(set(a) for a in asked))
        asked = [[t for t in a if t not in shared] or a for a in asked]
    per_section = []
    for query in asked:
        raw = bm25_scores(documents, query)
        top = max(raw) or 1.0
        blended = [(1 - PRIORITY_WEIGHT) * r / top + PRIORITY_WEIGHT * w for r, w in zip(raw, prior)]
        for piece, score in zip(pieces, blended):
            piece.relevance = max(piece.relevance, score)
        per_section.append(sorted(range(len(pieces)), key=lambda i: (-blended[i], pieces[i].order)))
    ranking: list[Piece] = []
    taken: set[int] = set()
    cursors = [0] * len(per_section)
    while len(taken) < len(pieces):
        for s, order in enumerate(per_section):
            while cursors[s] < len(order) and order[cursors[s]] in taken:
                cursors[s] += 1
            if cursors[s] < len(order):
                index = order[cursors[s]]
                taken.add(index)
                ranking.append(pieces[index])
    return ranking


def _medication_line(med) -> str:
    parts = [med.name, med.dose, med.route, med.frequency]
    line = " ".join(p for p in parts if p)
    dates = " - ".join(format_when(d) for d in (med.start, med.end) if d)
    extras = ", ".join(x for x in (med.status, dates) if x)
    return f"{line} ({extras})" if extras else line


def _observation_line(obs: Observation) -> str:
    line = f"{format_when(obs.time)} {obs.name}: {obs.value} {obs.unit}".strip()
    if obs.flag:
        line += f" [{obs.flag}]"
    if obs.reference_range:
        line += f" (ref {obs.reference_range})"
    return line


def _procedure_line(proc) -> str:
    return f"{format_when(proc.date)} {proc.name}".strip()


def _allergy_line(allergy) -> str:
    return ", ".join(p for p in (allergy.substance, allergy.reaction, allergy.severity) if p)
