"""Polarity and sides: a drafted finding whose status is the opposite of the record's
("the record says absent; the draft says present"), and a side the record gives
otherwise ("right foot" where the record says "left foot").

Each drafted sentence is read for its findings and their statuses (``assertion``) and
compared with the record passages that say the most like it: the passage it restates
when it restates one (``alignment``), else the passages sharing its rarest words. A
finding is flagged when the best-matching finding of the record (same name, same
surroundings, same kind of statement) has the opposite polarity and none as good has
the same. Statuses of one polarity are interchangeable ("afebrile", "no fever",
"体温正常"; "normal LFTs", "liver function tests within normal limits").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from ..facts.assertion import Assertion, Reading, SideMention, read
from ..facts.tokens import Token
from .alignment import Alignment
from .evidence import Passage, RecordEvidence
from .findings import HIGH, Evidence, Finding, worded

CANDIDATES = 8  # passages compared besides the restated one
MIN_CONCEPT = 0.5  # shared keys / keys of the smaller name
MIN_SHARE = 0.2  # weight of the shared keys / weight of the drafted name
MARGIN = 0.03  # a same-polarity statement this close to the best match clears the finding
MIN_SENTENCE = 0.45  # similarity of the passage a flagged statement comes from, when the sentence restates it
MIN_SENTENCE_PROSE = 0.6  # ... when the sentence restates no passage
MIN_SCORE = 0.55


@dataclass
class RecordReadings:
    """Every passage of the record read once, with an index from key to passages."""

    readings: list[Reading]
    postings: dict[str, list[int]] = field(default_factory=dict)

    def idf(self, key: str) -> float:
        return math.log(1 + len(self.readings) / (1 + len(self.postings.get(key, ()))))


def record_readings(evidence: RecordEvidence) -> RecordReadings:
    """The readings of the record's passages (computed once per evidence)."""
    cached = getattr(evidence, "readings", None)
    if cached is not None:
        return cached
    readings = [_read_piece(p.text, p.start, p.end, p.tokens) for p in evidence.passages]
    postings: dict[str, list[int]] = defaultdict(list)
    for index, reading in enumerate(readings):
        for key in reading.keys:
            postings[key].append(index)
    result = RecordReadings(readings, dict(postings))
    evidence.readings = result
    return result


def _protected(tokens: list[Token]) -> tuple[tuple[int, int], ...]:
    return tuple((t.start, t.end) for t in tokens if t.kind == "drug")


def _quiet(tokens: list[Token]) -> tuple[tuple[int, int], ...]:
    return tuple((t.start, t.end) for t in tokens if t.kind in {"date", "time", "qty"})


def check_polarity(
    text: str, start: int, end: int, tokens: list[Token], evidence: RecordEvidence, alignment: Alignment | None
) -> list[Finding]:
    """Findings on the statuses and sides of the sentence ``text[start:end]`` (``tokens``: its tokens)."""
    reading = _read_piece(text, start, end, tokens)
    start, end = _unwrapped(text, start, end)
    if not reading.assertions and not reading.sides:
        return []
    index = record_readings(evidence)
    candidates = _candidates(reading, index, evidence, alignment)
    if not candidates:
        return []
    surface = _surface(text[start:end], candidates, evidence)
    main = alignment.main_passage() if alignment is not None and not alignment.ambiguous else None
    findings: list[Finding] = []
    for assertion in reading.assertions:
        finding = _polarity_finding(text, (start, end), assertion, candidates, surface, index, evidence, main)
        if finding is not None:
            findings.append(finding)
    findings = _merged(findings, text)
    for side in reading.sides:
        finding = _side_finding(text, side, candidates, surface, index, evidence, main)
        if finding is not None:
            findings.append(finding)
    return findings


def _merged(findings: list[Finding], text: str) -> list[Finding]:
    """One finding for one flipped cue: "reports chest pain, palpitations, or fever" where
    the record denies all three is one change, not three."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        last = merged[-1] if merged else None
        if last is not None and finding.start < last.end and dict(finding.fields).get("ours") == dict(last.fields).get("ours"):
            widest = finding if finding.end - finding.start > last.end - last.start else last
            start, end = min(last.start, finding.start), max(last.end, finding.end)
            merged[-1] = replace(widest, start=start, end=end, text=text[start:end])
            continue
        merged.append(finding)
    return merged


def _read_piece(text: str, start: int, end: int, tokens: list[Token]) -> Reading:
    """The reading of a sentence, read whole when a hard wrap cut it (``_unwrapped``):
    what it says in ``text[start:end]`` (``tokens``: its tokens; names of drugs are
    read as words, dates and quantities as nothing)."""
    outer = _unwrapped(text, start, end)
    reading = read(text, *outer, _protected(tokens), _quiet(tokens))
    if outer != (start, end):
        reading.assertions = [a for a in reading.assertions if start <= a.span[0] < end]
        reading.sides = [m for m in reading.sides if start <= m.start < end]
    return reading


_CLOSED = re.compile(r"[.!?:;。！？；：]$")
_WRAPPED_ON = re.compile(r"[ \t]*\n[ \t]*(?=[A-Za-z])")
_NEXT_PIECE = re.compile(r"[^\n]*?(?:[.!?](?=\s|$)|(?=\n)|$)")
WRAP_WIDTH = 50  # a line at least this long that stops mid-sentence was hard-wrapped


def _unwrapped(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` when a hard wrap cut it before a
    capital ("Her O2\nSATURATIONS were stable."): the sentence cut takes such a line
    break for a sentence end, and a finding's cue would be left in the other half."""
    for _ in range(6):
        line_start = text.rfind("\n", 0, end) + 1
        wrap = _WRAPPED_ON.match(text, end)
        if wrap is None or _CLOSED.search(text[start:end].rstrip()) or end - line_start < WRAP_WIDTH:
            break
        end = _NEXT_PIECE.match(text, wrap.end()).end()
    for _ in range(6):
        before = text[:start].rstrip(" \t")
        if not before.endswith("\n") or not text[start : start + 1].isupper():
            break
        line = before[:-1]
        previous_start = line.rfind("\n") + 1
        if len(line) - previous_start < WRAP_WIDTH or _CLOSED.search(line.rstrip()):
            break
        stop = max(line.rfind(". ", previous_start), line.rfind("? ", previous_start), line.rfind("! ", previous_start))
        start = stop + 2 if stop >= 0 else previous_start
    return start, end


def _weighted_dice(a: frozenset[str], b: frozenset[str], index: RecordReadings) -> float:
    if not a and not b:
        return 1.0
    shared = sum(index.idf(k) for k in a & b)
    total = sum(index.idf(k) for k in a) + sum(index.idf(k) for k in b)
    return 2 * shared / total if total else 0.0


def _candidates(
    reading: Reading, index: RecordReadings, evidence: RecordEvidence, alignment: Alignment | None
) -> dict[int, float]:
    """Passages to compare with, and how alike each is to the sentence."""
    scores: dict[int, float] = defaultdict(float)
    crowded = max(20, 0.3 * len(index.readings))
    for key in reading.keys:
        postings = index.postings.get(key, ())
        if len(postings) > crowded:
            continue
        weight = index.idf(key)
        for p in postings:
            scores[p] += weight
    chosen = set(sorted(scores, key=scores.get, reverse=True)[:CANDIDATES])
    restated = set(alignment.owners) if alignment is not None else set()
    found = {p: _weighted_dice(reading.keys, index.readings[p].keys, index) for p in chosen | restated}
    for p in restated:  # a sentence that restates two short record sentences at once
        found[p] = max(found[p], 0.9 * _weighted_containment(reading.keys, index.readings[p].keys, index))
    return found


def _weighted_containment(a: frozenset[str], b: frozenset[str], index: RecordReadings) -> float:
    smaller = min(sum(index.idf(k) for k in a), sum(index.idf(k) for k in b))
    return sum(index.idf(k) for k in a & b) / smaller if smaller else 0.0


def _other_side(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two surroundings name different sides ("左侧巴氏征阳性" and "右侧巴氏征阴性")?"""
    ours = {k for k in a if k.startswith("@")}
    theirs = {k for k in b if k.startswith("@")}
    return bool(ours and theirs and not ours & theirs)


def _surface(sentence: str, candidates: dict[int, float], evidence: RecordEvidence) -> dict[int, float]:
    """How alike the words as written are, cues included: of two passages that name the
    same findings, the one the sentence was written from ("Diarrhea resolved." rather
    than "Diarrhea." for "Diarrhea persisted.")."""
    ours = " ".join(sentence.lower().split())
    return {p: fuzz.ratio(ours, " ".join(evidence.passages[p].quote.lower().split())) / 100 for p in candidates}


def _share(part: frozenset[str], whole: frozenset[str], index: RecordReadings) -> float:
    total = sum(index.idf(k) for k in whole)
    return sum(index.idf(k) for k in part) / total if total else 0.0


def _concept_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass
class _Match:
    score: float
    passage: int
    assertion: Assertion


def _polarity_finding(
    text: str,
    sentence: tuple[int, int],
    ours: Assertion,
    candidates: dict[int, float],
    surface: dict[int, float],
    index: RecordReadings,
    evidence: RecordEvidence,
    main: int | None,
) -> Finding | None:
    if ours.measured:
        return None
    matches: list[_Match] = []
    for p, similarity in candidates.items():
        for theirs in index.readings[p].assertions:
            if theirs.measured:
                continue  # "体温39℃" is a value (checked as one), no statement that fever is there
            if theirs.possible != ours.possible or theirs.historical != ours.historical:
                continue  # "no history of stroke" says nothing against "stroke"; "if fever" nothing against "fever"
            if not ours.has_cue and theirs.tells_course(evidence.passages[p].text):
                continue  # a diagnosis named alone ("1. DKA") says nothing against "DKA resolved"
            overlap = _concept_overlap(ours.concept, theirs.concept)
            if overlap < MIN_CONCEPT or _other_side(ours.context, theirs.context):
                continue
            if ours.has_cue and _share(ours.concept & theirs.concept, ours.concept, index) < MIN_SHARE:
                continue  # a common word of a long name ("started") is no finding of its own
            score = (
                0.45 * similarity
                + 0.2 * _weighted_dice(ours.context, theirs.context, index)
                + 0.15 * _weighted_dice(ours.concept, theirs.concept, index)
                + 0.1 * overlap
                + 0.1 * (ours.inherited == theirs.inherited)
                + 0.15 * surface[p]
                + (0.1 if p == main else 0.0)
            )
            matches.append(_Match(score, p, theirs))
    against = [m for m in matches if m.assertion.polarity != ours.polarity]
    if not against:
        return None
    best = max(against, key=lambda m: m.score)
    # cleared by a statement as good that agrees about the same words (a draft clause can
    # hold two findings of the record: "住院期间再次发作胸痛" against "住院期间未再发作胸痛")
    disputed = ours.concept & best.assertion.concept
    for m in matches:
        if m.assertion.polarity == ours.polarity and m.score >= best.score - MARGIN:
            if len(m.assertion.concept & disputed) >= 0.5 * len(disputed):
                return None
    floor = MIN_SENTENCE if main is not None else MIN_SENTENCE_PROSE
    if candidates[best.passage] < floor or best.score < MIN_SCORE:
        return None
    passage = evidence.passages[best.passage]
    theirs = best.assertion
    start, end = _widened(ours.span_of(theirs.concept), text, sentence, passage)
    said_start, said_end = theirs.span_of(ours.concept)
    return Finding(
        start,
        end,
        text[start:end],
        "polarity",
        HIGH,
        evidence=Evidence(passage.provenance(), passage.quote),
        **worded(
            "polarity_changed",
            said=" ".join(passage.text[said_start:said_end].split()),
            theirs=theirs.status,
            ours=ours.status,
        ),
    )


_WORDS = re.compile(r"[\u4e00-\u9fff]|\w+|[^\w\s]")
_CLAUSE_BREAK = re.compile(r"[,;:，；：。!?！？]|\.(?=\s|$)")


def _widened(span: tuple[int, int], text: str, sentence: tuple[int, int], passage: Passage) -> tuple[int, int]:
    """The finding's span with the words of its clause that differ from the record
    passage: the cue put in or taken out ("accompanied by difficulty" where the record
    says "without difficulty"; "Lungs congested" where it says "Lungs clear")."""
    start, end = span
    ours = [(m.group().lower(), m.start()) for m in _WORDS.finditer(text, sentence[0], sentence[1])]
    theirs = [m.group().lower() for m in _WORDS.finditer(passage.text, passage.start, passage.end)]
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence[0], start)), default=sentence[0])
    after = _CLAUSE_BREAK.search(text, end, sentence[1])
    clause_end = after.start() if after else sentence[1]
    matcher = SequenceMatcher(None, [w for w, _ in ours], theirs, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            a, b = ours[i1][1], ours[i2 - 1][1] + len(ours[i2 - 1][0])
        else:  # taken out: the place where it was
            a = ours[i1][1] if i1 < len(ours) else sentence[1]
            b = a + 1
        if clause_start <= a and b <= clause_end + 1:
            start, end = min(start, a), max(end, min(b, sentence[1]))
    return start, end


def _side_finding(
    text: str,
    ours: SideMention,
    candidates: dict[int, float],
    surface: dict[int, float],
    index: RecordReadings,
    evidence: RecordEvidence,
    main: int | None,
) -> Finding | None:
    matches: list[tuple[float, int, SideMention]] = []
    for p, similarity in candidates.items():
        for theirs in index.readings[p].sides:
            overlap = _concept_overlap(ours.body, theirs.body)
            if overlap < MIN_CONCEPT:
                continue
            score = (
                0.5 * similarity
                + 0.25 * _weighted_dice(ours.body, theirs.body, index)
                + 0.15 * overlap
                + 0.15 * surface[p]
                + (0.1 if p == main else 0.0)
            )
            matches.append((score, p, theirs))
    if not matches:
        return None
    score, p, theirs = max(matches, key=lambda m: m[0])
    if theirs.side == ours.side:
        return None
    if any(m[2].side == ours.side and m[0] >= score - MARGIN for m in matches):
        return None
    floor = MIN_SENTENCE if main is not None else MIN_SENTENCE_PROSE
    if candidates[p] < floor:
        return None
    passage: Passage = evidence.passages[p]
    return Finding(
        ours.start,
        ours.end,
        text[ours.start : ours.end],
        "side",
        HIGH,
        evidence=Evidence(passage.provenance(), passage.quote),
        **worded("side_changed", theirs=theirs.side, ours=ours.side),
    )
