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

from ..facts.drugs import allergy_class, canonical_drug, in_allergy_class
from ..facts.extract import ABNORMAL_FLAGS, PENDING_VALUE, LabResult, StructuredFacts, structure, structured_results
from ..facts.lab_names import lab_names
from ..facts.tokens import Token, split_sentences
from ..records.stay import Stay
from .evidence import RecordEvidence
from .findings import HIGH, LOW, MEDIUM, Evidence, Finding
from .grounding import checked_span

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
NOT_FOUND = re.compile(r"[（(](?:no [^)）]*found in the record|病历中未找到[^)）]*)[)）]", re.IGNORECASE)
ALLERGY_WORDS = re.compile(r"allerg|过敏|intoleran|adverse reaction|不耐受", re.IGNORECASE)


def check_safety(text: str, tokens: list[Token], evidence: RecordEvidence, stay: Stay) -> list[Finding]:
    facts = evidence.facts
    if facts is None:
        return []
    limit = checked_span(text)
    body = text[:limit]
    structured = getattr(evidence, "structured", None)
    if structured is None:  # read once per record: the GUI re-checks the same record as the doctor edits
        structured = structure(stay, facts.documents, facts.discharge_medications, facts.labs + facts.vitals)
        evidence.structured = structured
    sentences = [(s, e) for s, e in split_sentences(body)]
    drug_tokens = [t for t in tokens if t.kind == "drug" and t.start < limit]
    findings: list[Finding] = []
    findings += _pending(body, sentences, structured)
    findings += _medication_changes(body, sentences, drug_tokens, structured)
    findings += _follow_up(body, evidence)
    findings += _allergies(body, sentences, drug_tokens, evidence)
    findings += _abnormal_labs(body, structured, facts.labs)
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


def _pending(body: str, sentences: list[tuple[int, int]], structured: StructuredFacts) -> list[Finding]:
    findings = []
    for pending in structured.pending:
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
                    f"result pending at discharge not mentioned: {pending.name}",
                    evidence,
                    check="safety",
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
                    f"{pending.name} is still pending at discharge; the draft does not say so",
                    evidence,
                    check="safety",
                )
            )
    return findings


def _medication_changes(
    body: str, sentences: list[tuple[int, int]], drugs: list[Token], structured: StructuredFacts
) -> list[Finding]:
    findings = []
    for change in structured.medication_changes:
        places = [t for t in drugs if t.value == change.drug]
        if not places:
            places_text = _mentions(body, [change.name])
            places = [
                Token("drug", "", p, p + len(change.name), change.drug, body[p : p + len(change.name)]) for p in places_text
            ]
        evidence = Evidence(change.provenance, f"{change.name} {change.detail}".strip())
        verb = {"new": "started", "stopped": "stopped", "changed": "changed"}[change.action]
        if not places:
            severity = MEDIUM if change.action == "stopped" else LOW
            findings.append(
                Finding(
                    0,
                    0,
                    change.name,
                    "medication_change",
                    severity,
                    f"{change.name} was {verb} ({change.detail or 'see record'}); the draft neither mentions it nor gives a reason",
                    evidence,
                    check="safety",
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
                f"{change.name} was {verb}; the draft gives no reason",
                evidence,
                check="safety",
            )
        )
    return findings


def _reason_window(body: str, sentences: list[tuple[int, int]], token: Token) -> str:
    """The sentence (or table row) naming the drug, without the drug name itself."""
    s, e = _sentence_at(sentences, token.start)
    return body[s : token.start] + " " + body[token.end : e]


def _follow_up(body: str, evidence: RecordEvidence) -> list[Finding]:
    for s, e in split_sentences(body):
        sentence = body[s:e]
        if FOLLOW_UP_CUES.search(sentence) and not NOT_FOUND.search(sentence):
            return []
    quotes = evidence.facts.quotes.get("follow_up", []) if evidence.facts else []
    record = Evidence(quotes[0].document.provenance, quotes[0].text) if quotes else None
    message = "no follow-up arrangements in the draft" + (" (the record has them)" if quotes else "")
    return [Finding(len(body), len(body), "", "follow_up", HIGH, message, record, check="safety")]


def _allergies(body: str, sentences: list[tuple[int, int]], drugs: list[Token], evidence: RecordEvidence) -> list[Finding]:
    facts = evidence.facts
    findings = []
    if facts is None:
        return findings
    listed = [(canonical_drug(m.name), m.name, m.provenance) for m in facts.discharge_medications]
    in_draft = []
    for token in drugs:
        s, e = _sentence_at(sentences, token.start)
        if not ALLERGY_WORDS.search(body[s:e]):
            in_draft.append(token)
    for allergy in facts.allergies:
        substance = allergy.substance
        cls = allergy_class(substance)
        own = canonical_drug(substance)
        evidence_item = Evidence(allergy.provenance, f"{substance} {allergy.reaction}".strip())

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
                        HIGH,
                        f"{token.text} matches the recorded allergy to {substance}",
                        evidence_item,
                        check="safety",
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
                        HIGH,
                        f"discharge medication {name} matches the recorded allergy to {substance}",
                        Evidence(provenance, name),
                        check="safety",
                    )
                )
    return findings


def _matches_allergy(drug: str, allergen: str, cls: str | None) -> bool:
    return drug == allergen or (cls is not None and in_allergy_class(drug, cls))


def _abnormal_labs(body: str, structured: StructuredFacts, observations) -> list[Finding]:
    """The last value of each test, when flagged abnormal, must be addressed in the draft."""
    results: list[LabResult] = structured_results(observations) or [r for r in structured.labs if r.flag]
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
                f"last {result.name} {result.value} {result.unit} is flagged {result.flag}; the draft does not address it",
                Evidence(result.provenance, f"{result.name} {result.value} {result.unit} {result.flag}".strip()),
                check="safety",
            )
        )
    return findings
