"""Sentence citations: link each drafted sentence to the record passages that
support it, and mark the sentences nothing supports.

Support is overlap of normalised tokens (words, Chinese character pairs,
values, drug and test names), weighted by how rare a token is in the record and
three times more for numbers, dates, drugs and tests: a sentence that shares
only "the patient was" with a passage is not supported by it; one whose dose
and drug recur there is. A sentence is supported when enough of it is covered
by at most a few passages and every number, date and drug in it is among them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..facts.tokens import Token, split_sentences, tokenize
from ..records.headings import heading_key, is_title
from ..records.model import Provenance
from ..records.stay import Stay
from .context import features, nearest_anchor
from .evidence import RecordEvidence, build_evidence
from .grounding import compatible

STRONG_KINDS = frozenset({"qty", "date", "time", "drug", "lab", "code", "freq"})
CHECKED_KINDS = frozenset({"qty", "date", "time", "drug", "code"})
CANDIDATES = 40  # passages considered per sentence, by shared rare tokens


@dataclass(frozen=True)
class Citation:
    """One drafted sentence: its span in the draft, the record passages that support
    it (best first) and whether they suffice."""

    start: int
    end: int
    sources: list[Provenance] = field(default_factory=list)
    supported: bool = False
    score: float = 0.0  # weighted share of the sentence found in ``sources``

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "supported": self.supported,
            "score": round(self.score, 3),
            "sources": [{"file": s.file, "locator": s.locator, "start": s.start, "end": s.end} for s in self.sources],
        }


def _weights(tokens: list[Token], evidence: RecordEvidence) -> dict[str, float]:
    weights: dict[str, float] = {}
    for token, key in zip(tokens, features(tokens)):
        if key is None:
            continue
        weight = evidence.idf(key) * (3.0 if token.kind in STRONG_KINDS else 1.0)
        weights[key] = max(weights.get(key, 0.0), weight)
    return weights


def _passage_features(evidence: RecordEvidence, index: int, cache: dict[int, set[str]]) -> set[str]:
    if index not in cache:
        cache[index] = {k for k in features(evidence.passages[index].tokens) if k}
    return cache[index]


def cite_sentence(
    tokens: list[Token],
    evidence: RecordEvidence,
    *,
    threshold: float = 0.5,
    max_sources: int = 3,
    cache: dict[int, set[str]] | None = None,
) -> tuple[list[int], bool, float]:
    """(passage indices, supported, score) for one sentence's tokens (no separators)."""
    cache = cache if cache is not None else {}
    weights = _weights(tokens, evidence)
    total = sum(weights.values())
    if total == 0:
        return [], False, 0.0
    shared: dict[int, float] = {}
    for key in {t.key for t in tokens}:
        weight = evidence.idf(key)
        for index in evidence.by_key.get(key, ()):
            shared[index] = shared.get(index, 0.0) + weight
    # The same value written otherwise, beside the same test or drug ("Potassium 6.8" in a
    # table whose unit heads the column, for "Potassium 6.8 mmol/L").
    anchored = {}
    for i, token in enumerate(tokens):
        anchor = nearest_anchor(tokens, i) if token.kind in CHECKED_KINDS else None
        if anchor is not None:
            anchored[token.key] = (token, anchor.key)
    for token, anchor in anchored.values():
        for m in evidence.mentions_by_kind.get(token.kind, ()):
            if m.anchor == anchor and compatible(token, m.token):
                shared[m.passage] = shared.get(m.passage, 0.0) + evidence.idf(token.key)
    candidates = sorted(shared, key=shared.get, reverse=True)[:CANDIDATES]

    def covered(index: int) -> set[str]:
        found = _passage_features(evidence, index, cache)
        loose = {key for key, (token, anchor) in anchored.items() if anchor in found and _value_in(token, [index], evidence)}
        return found | loose

    chosen: list[int] = []
    uncovered = dict(weights)
    while uncovered and len(chosen) < max_sources:
        best, gain = None, 0.0
        for index in candidates:
            if index in chosen:
                continue
            passage = covered(index)
            value = sum(w for k, w in uncovered.items() if k in passage)
            if value > gain:
                best, gain = index, value
        if best is None or gain < 0.1 * total:
            break
        chosen.append(best)
        passage = covered(best)
        uncovered = {k: w for k, w in uncovered.items() if k not in passage}
    score = 1.0 - sum(uncovered.values()) / total
    values = [t for t in tokens if t.kind in CHECKED_KINDS]
    values_found = all(_value_in(token, chosen, evidence) or _dated_by(token, chosen, evidence) for token in values)
    return chosen, score >= threshold and values_found, score


def _value_in(token: Token, passages: list[int], evidence: RecordEvidence) -> bool:
    for index in passages:
        for other in evidence.passages[index].tokens:
            if other.key == token.key or (other.kind == token.kind and compatible(token, other)):
                return True
    return False


def _dated_by(token: Token, passages: list[int], evidence: RecordEvidence) -> bool:
    """A date that the note holding a cited passage is dated with (its header, its sub-note's
    heading): "INR 3.8 (2026-03-02)" from a note of that day."""
    if token.kind not in {"date", "time"}:
        return False
    texts = {id(evidence.passages[i].text) for i in passages}
    return _value_in(token, [i for i, p in enumerate(evidence.passages) if id(p.text) in texts], evidence)


def is_heading(line: str, extra: frozenset[str] = frozenset()) -> bool:
    """A heading or title line states nothing to cite."""
    stripped = line.strip().strip("#*【】").strip().rstrip(":：")
    return stripped in extra or is_title(stripped) or (heading_key(stripped) is not None and len(stripped.split()) <= 6)


def cite(
    draft_text: str,
    evidence: RecordEvidence | Stay,
    *,
    threshold: float = 0.5,
    max_sources: int = 3,
    headings: frozenset[str] = frozenset(),
) -> list[Citation]:
    """Citations for every sentence of ``draft_text`` (zh or en), in order; heading
    lines (known headings, titles, and ``headings``: a template's) are left out.

    ``evidence`` is the record as ``build_evidence(stay)`` (or ``evidence_from_texts``)
    returns it; a Stay is accepted and read once.
    """
    if isinstance(evidence, Stay):
        evidence = build_evidence(evidence)
    tokens = tokenize(draft_text)
    citations: list[Citation] = []
    cache: dict[int, set[str]] = {}
    position = 0
    for start, end in split_sentences(draft_text, semicolons=False):
        while position < len(tokens) and tokens[position].start < start:
            position += 1
        sentence: list[Token] = []
        while position < len(tokens) and tokens[position].start < end:
            if tokens[position].kind != "sep":
                sentence.append(tokens[position])
            position += 1
        if not sentence or is_heading(draft_text[start:end], headings):
            continue
        chosen, supported, score = cite_sentence(sentence, evidence, threshold=threshold, max_sources=max_sources, cache=cache)
        sources = [evidence.passages[i].provenance() for i in chosen]
        citations.append(Citation(start, end, sources, supported, score))
    return citations
