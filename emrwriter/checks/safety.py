"""Safety checks at discharge (decision support, each a finding with evidence):
results pending at discharge that the draft does not mention; medication
changes (new, stopped, dose changed) without a stated reason; no follow-up;
a discharge medication that matches a recorded allergy; an abnormal last lab
value that the draft does not address.

These are the failures the literature keeps finding in discharge summaries
(pending tests missing in 65%, follow-up missing in up to 43%: Kripalani 2007).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..facts.extract import ABNORMAL_FLAGS, PENDING_VALUE, LabResult, structured_results
from ..facts.stay import StayFacts
from ..facts.tokens import Token, split_sentences
from ..records.stay import Stay
from ..vocabulary.drugs import allergy_class, canonical_drug, in_allergy_class, is_intolerance
from ..vocabulary.lab_names import lab_names
from .evidence import RecordEvidence
from .findings import HIGH, LOW, MEDIUM, Evidence, Finding, worded
from .grounding import checked_span
from .scaffolding import Scaffolding, default_scaffolding

PENDING_CUES = re.compile(
    r"pending|await|outstanding|to follow|follow(?:ed)? up|not yet|待回报|待回|待报|未回|追踪|培养中|结果", re.IGNORECASE
)
REASON_CUES = re.compile(
    r"\b(?:for|due to|because|given|secondary to|as|to treat|to prevent|to control|to reduce|to improve|replac\w*|instead"
    r"|in place of|switch\w*|owing to|in view of|since|per|indicat\w*|reason|worsen\w*|risk|caus\w*|so that|after"
    r"|intoleran\w*|allerg\w*|side effect|adverse|renal|kidney|elevat\w*|low|high)\b"
    r"|因|由于|鉴于|考虑|用于|以|治疗|控制|预防|改善|替代|改为|换用|升级|降阶梯|序贯|所致|导致|避免|目的|指征|后",
    re.IGNORECASE,
)
FOLLOW_UP_CUES = re.compile(
    r"follow[- ]?up|followup|clinic|appointment|return to|see (?:dr|your|the)|pcp|primary care|recheck|repeat\b"
    r"|随访|随诊|复诊|门诊|复查|返院|就诊",
    re.IGNORECASE,
)
ALLERGY_WORDS = re.compile(r"allerg|过敏|intoleran|adverse reaction|不耐受", re.IGNORECASE)


def check_safety(
    text: str, tokens: list[Token], evidence: RecordEvidence, stay: Stay, scaffolding: Scaffolding | None = None
) -> list[Finding]:
    facts = evidence.facts
    if facts is None:
        return []
    limit = checked_span(text)
    body = text[:limit]
    sentences = [(s, e) for s, e in split_sentences(body)]
    drug_tokens = [t for t in tokens if t.kind == "drug" and t.start < limit]
    findings: list[Finding] = []
    findings += _pending(body, sentences, facts)
    findings += _medication_changes(body, sentences, drug_tokens, facts)
    findings += _follow_up(body, evidence, scaffolding or default_scaffolding())
    findings += _allergies(body, sentences, drug_tokens, evidence)
    findings += _abnormal_labs(body, facts)
    return findings


def _mentions(body: str, names: list[str]) -> list[int]:
    """Where any of ``names`` occurs in the draft (case-insensitive; short ASCII names as words)."""
    lowered = body.lower()
    found = []
    for name in names:
        name = name.lower().strip()
        if len(name) < 2:
            continue
        if name.isascii() and len(name) <= 4:
            found += [m.start() for m in re.finditer(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered)]
        else:
            start = lowered.find(name)
            while start >= 0:
                found.append(start)
                start = lowered.find(name, start + 1)
    return sorted(found)


def _sentence_at(sentences: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next(((s, e) for s, e in sentences if s <= position < e), (position, position))


def _test_names(key: str, name: str) -> list[str]:
    plain = re.sub(r"[（(].*?[)）]", "", name).strip()
    return list({plain, name, *lab_names(key)})


def _pending(body: str, sentences: list[tuple[int, int]], facts: StayFacts) -> list[Finding]:
    findings = []
    for pending in facts.pending:
        places = _mentions(body, _test_names(pending.key, pending.name))
        if not places and len(pending.name) >= 6:
            places = [0] if fuzz.partial_ratio(pending.name.lower(), body.lower()) >= 90 else []
        evidence = Evidence(pending.provenance, pending.quote)
        if not places:
            findings.append(
                Finding(
                    0,
                    0,
                    pending.name,
                    "pending",
                    HIGH,
                    evidence=evidence,
                    check="safety",
                    **worded("pending_not_mentioned", name=pending.name),
                )
            )
            continue
        if not any(PENDING_CUES.search(body[s:e]) for s, e in (_sentence_at(sentences, p) for p in places)):
            findings.append(
                Finding(
                    places[0],
                    places[0] + len(pending.name),
                    body[places[0] : places[0] + len(pending.name)],
                    "pending",
                    MEDIUM,
                    evidence=evidence,
                    check="safety",
                    **worded("pending_not_said", name=pending.name),
                )
            )
    return findings


def _medication_changes(body: str, sentences: list[tuple[int, int]], drugs: list[Token], facts: StayFacts) -> list[Finding]:
    findings = []
    for change in facts.medication_changes:
        places = [t for t in drugs if t.value == change.drug]
        if not places:
            places_text = _mentions(body, [change.name])
            places = [
                Token("drug", "", p, p + len(change.name), change.drug, body[p : p + len(change.name)]) for p in places_text
            ]
        evidence = Evidence(change.provenance, f"{change.name} {change.detail}".strip())
        if not places:
            severity = MEDIUM if change.action == "stopped" else LOW
            findings.append(
                Finding(
                    0,
                    0,
                    change.name,
                    "medication_change",
                    severity,
                    evidence=evidence,
                    check="safety",
                    **(
                        worded("medication_change_unmentioned", name=change.name, action=change.action, detail=change.detail)
                        if change.detail
                        else worded("medication_change_unmentioned_plain", name=change.name, action=change.action)
                    ),
                )
            )
            continue
        if any(REASON_CUES.search(_reason_window(body, sentences, t)) for t in places):
            continue
        first = places[0]
        findings.append(
            Finding(
                first.start,
                first.end,
                first.text or change.name,
                "medication_change",
                MEDIUM,
                evidence=evidence,
                check="safety",
                **worded("medication_change_no_reason", name=change.name, action=change.action),
            )
        )
    return findings


def _reason_window(body: str, sentences: list[tuple[int, int]], token: Token) -> str:
    """The sentence (or table row) naming the drug, without the drug name itself."""
    s, e = _sentence_at(sentences, token.start)
    return body[s : token.start] + " " + body[token.end : e]


def _follow_up(body: str, evidence: RecordEvidence, scaffolding: Scaffolding) -> list[Finding]:
    for s, e in split_sentences(body):
        sentence = body[s:e]
        if FOLLOW_UP_CUES.search(sentence) and not scaffolding.placeholder_in(sentence):
            return []
    quotes = evidence.facts.quotes.get("follow_up", []) if evidence.facts else []
    record = Evidence(quotes[0].document.provenance, quotes[0].text) if quotes else None
    message = worded("no_follow_up_in_draft" if quotes else "no_follow_up")
    return [Finding(len(body), len(body), "", "follow_up", HIGH, evidence=record, check="safety", **message)]


def _allergies(body: str, sentences: list[tuple[int, int]], drugs: list[Token], evidence: RecordEvidence) -> list[Finding]:
    facts = evidence.facts
    findings = []
    if facts is None:
        return findings
    listed = [(canonical_drug(m.name), m.name, m.provenance) for m in facts.discharge_medications]
    in_draft = []
    for token in drugs:
        s, e = _sentence_at(sentences, token.start)
        line_start = body.rfind("\n", 0, token.start) + 1  # "Allergies: PENICILLIN (HIVES); AMOXICILLIN (HIVES)"
        if not ALLERGY_WORDS.search(body[min(s, line_start) : e]):
            in_draft.append(token)
    for allergy in facts.allergies:
        substance = allergy.substance
        cls = allergy_class(substance)
        own = canonical_drug(substance)
        evidence_item = Evidence(allergy.provenance, f"{substance} {allergy.reaction}".strip())
        severity = MEDIUM if is_intolerance(allergy.reaction) else HIGH  # "nausea/vomiting" is a side effect, not an allergy

        reported: set[str] = set()
        for token in in_draft:
            if _matches_allergy(str(token.value), own, cls) and token.value not in reported:
                reported.add(str(token.value))
                findings.append(
                    Finding(
                        token.start,
                        token.end,
                        token.text,
                        "allergy",
                        severity,
                        evidence=evidence_item,
                        check="safety",
                        **worded("allergy_in_draft", drug=token.text, substance=substance),
                    )
                )
        for drug, name, provenance in listed:
            if _matches_allergy(drug, own, cls) and drug not in reported:
                reported.add(drug)
                findings.append(
                    Finding(
                        0,
                        0,
                        name,
                        "allergy",
                        severity,
                        evidence=Evidence(provenance, name),
                        check="safety",
                        **worded("allergy_discharge_medication", name=name, substance=substance),
                    )
                )
    return findings


def _matches_allergy(drug: str, allergen: str, cls: str | None) -> bool:
    return drug == allergen or (cls is not None and in_allergy_class(drug, cls))


def _abnormal_labs(body: str, facts: StayFacts) -> list[Finding]:
    """The last value of each test, when flagged abnormal, must be addressed in the draft."""
    results: list[LabResult] = structured_results(facts.labs) or [r for r in facts.lab_results if r.flag and r.category == "lab"]
    last: dict[str, LabResult] = {}
    for result in sorted(results, key=lambda r: (r.time is None, r.time)):
        if PENDING_VALUE.search(result.value or ""):
            continue
        last[result.key] = result
    findings = []
    for key, result in last.items():
        if result.category != "lab" or not result.flag or not ABNORMAL_FLAGS.match(result.flag.strip()):
            continue
        if _mentions(body, _test_names(key, result.name)):
            continue
        findings.append(
            Finding(
                0,
                0,
                result.name,
                "abnormal_lab",
                MEDIUM,
                evidence=Evidence(result.provenance, f"{result.name} {result.value} {result.unit} {result.flag}".strip()),
                check="safety",
                **worded("abnormal_lab_unaddressed", name=result.name, value=result.value, unit=result.unit, flag=result.flag),
            )
        )
    return findings
