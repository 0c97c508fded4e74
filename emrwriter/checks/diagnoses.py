"""Diagnoses in the draft that the record never names.

A term passes when its head word and the word that qualifies it occur together
in one record passage ("kidney injury"), when its abbreviation or expansion
does ("AKI"), or, in Chinese, when its last four characters occur in the record
("获得性肺炎"). Generic qualifiers (acute, chronic, left ...) are not required.
"""

from __future__ import annotations

import re

from ..facts.conditions import EN_ABBREVIATIONS, Term, en_terms, expand_abbreviation, zh_terms
from ..facts.tokens import Token, stem
from .evidence import RecordEvidence
from .findings import MEDIUM, Finding, worded
from .scaffolding import Scaffolding, default_scaffolding


def _passage_words(evidence: RecordEvidence) -> list[set[str]]:
    cached = getattr(evidence, "_diagnosis_words", None)
    if cached is None:
        cached = [{stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]*", p.quote.lower())} for p in evidence.passages]
        for words in cached:
            for word in list(words):
                expansion = expand_abbreviation(word)
                if expansion:
                    words.update(stem(w) for w in expansion.split())
        evidence._diagnosis_words = cached  # type: ignore[attr-defined]
    return cached


def _en_supported(term: Term, evidence: RecordEvidence) -> bool:
    head = stem(term.head)
    needed = {head}
    expansion = expand_abbreviation(term.head)
    if expansion:
        needed = {stem(w) for w in expansion.split()}
    elif term.words[:-1]:
        needed.add(stem(term.words[-2]))
    if any(needed <= words for words in _passage_words(evidence)):
        return True
    # "congestive heart failure" in the draft, "CHF" in the record
    phrase = " ".join(term.words[-3:])
    return any(
        abbr in evidence.text_lower.split() and expansion_text in phrase for abbr, expansion_text in EN_ABBREVIATIONS.items()
    )


def _zh_supported(term: Term, evidence: RecordEvidence) -> bool:
    text = term.words[0]
    core = text[-min(len(text), 4) :]
    return core in evidence.text_lower or text in evidence.text_lower


def check_diagnoses(
    text: str,
    evidence: RecordEvidence,
    tokens: list[Token],
    limit: int | None = None,
    scaffolding: Scaffolding | None = None,
) -> list[Finding]:
    limit = len(text) if limit is None else limit
    scaffolding = scaffolding or default_scaffolding()
    findings: list[Finding] = []
    for terms, supported in ((en_terms, _en_supported), (zh_terms, _zh_supported)):
        for term in terms(text[:limit]):
            if _skipped(text, term, scaffolding) or supported(term, evidence):
                continue
            words = text[term.start : term.end]
            findings.append(
                Finding(term.start, term.end, words, "diagnosis", MEDIUM, **worded("diagnosis_not_named", term=words))
            )
    return findings


def _skipped(text: str, term: Term, scaffolding: Scaffolding) -> bool:
    """A term in the draft's own words (a label, "(no discharge diagnosis found in the record)")."""
    line_start = text.rfind("\n", 0, term.start) + 1
    line_end = text.find("\n", term.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return scaffolding.covers(line) or scaffolding.placeholder_in(line)
