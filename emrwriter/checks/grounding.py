"""Grounding: every number, dose, unit, date, lab value, drug, side and negation
in the draft must be what the record says.

A drafted sentence that restates a record sentence is lined up with it
(``alignment``): each value must match its counterpart there. A sentence of
its own (model prose) is checked value by value: the value must occur in the
record in a similar context (the same drug or test nearby, similar words).
Faithful rewrites never differ, because both sides are compared as
normalised tokens.
"""

from __future__ import annotations

import logging
import re

from rapidfuzz import fuzz, process

from ..facts.negation import EN_NEGATION_CUES, ZH_NEGATION_CHARS, side_of
from ..facts.tokens import EN_STOPWORDS, Token, split_sentences, tokenize
from ..facts.units import Quantity
from ..words import languages, words
from .alignment import Alignment, alignments
from .context import features, nearest_anchor, window
from .evidence import Mention, RecordEvidence
from .findings import HIGH, MEDIUM, Evidence, Finding, worded
from .polarity import check_polarity
from .scaffolding import Scaffolding, default_scaffolding

log = logging.getLogger(__name__)

SUPPORT = 0.4  # share of a value's (weighted) context that must recur around the same value in the record
CHECKED_KINDS = frozenset({"qty", "date", "time", "code", "drug", "freq"})
DOSE_DIMENSIONS = frozenset(
    {
        "mass",
        "volume",
        "units",
        "tablet",
        "capsule",
        "puff",
        "drop",
        "spray",
        "patch",
        "ampoule",
        "equivalent",
        "amount",
        "mass/time",
        "mass/mass",
        "mass/puff",
        "units/mass",
    }
)


# The heading of the draft's own notes (what was left out, import problems), in any language.
NOTES_HEADINGS = re.compile(
    r"^\s*(?:" + "|".join(re.escape(words(language)["export"]["notes_heading"]) for language in languages()) + r")\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def checked_span(text: str) -> int:
    """Where the draft's own notes begin (nothing after is about the patient)."""
    match = NOTES_HEADINGS.search(text)
    return match.start() if match else len(text)


def check_grounding(
    text: str, evidence: RecordEvidence, tokens: list[Token] | None = None, scaffolding: Scaffolding | None = None
) -> list[Finding]:
    """Findings on the values of ``text``. Lines the draft writes around the record's
    content (``scaffolding``: the template's and the words file's; by default any
    template's) describe the draft, not the patient, and are not checked."""
    tokens = tokens if tokens is not None else tokenize(text)
    scaffolding = scaffolding or default_scaffolding()
    keys = features(tokens)
    stop = checked_span(text)
    findings: list[Finding] = []
    position = 0
    hint: int | None = None
    for start, end in split_sentences(text, semicolons=False):
        if start >= stop:
            break
        if scaffolding.covers_span(text, start, end):
            continue
        while position < len(tokens) and tokens[position].start < start:
            position += 1
        indices = []
        while position < len(tokens) and tokens[position].start < end:
            if tokens[position].kind != "sep":
                indices.append(position)
            position += 1
        sentence = [tokens[i] for i in indices]
        has_values = any(t.kind in CHECKED_KINDS for t in sentence)
        alignment = None
        if has_values or _has_side_or_cue(tokens, indices) or _names_a_finding(tokens, indices):
            found = alignments(sentence, evidence, hint)
            if found:
                alignment, own = _restated(found, indices, tokens, keys, evidence, text)
                hint = hint if alignment.ambiguous else alignment.main_passage()
            else:
                alignment = None
                own = _context_findings(indices, tokens, keys, evidence)
                own += _prose_sides(text, indices, tokens, evidence)
            findings.extend(own)
        else:
            own = []
        for finding in check_polarity(text, start, end, sentence, evidence, alignment):
            if not any(f.kind == finding.kind and f.start < finding.end and finding.start < f.end for f in own):
                findings.append(finding)
    log.debug("grounding: %d findings", len(findings))
    return findings


def _restated(
    found: list[Alignment], indices: list[int], tokens: list[Token], keys: list[str | None], evidence: RecordEvidence, text: str
) -> tuple[Alignment, list[Finding]]:
    """The record sentence a drafted sentence restates: the best fit, unless it disagrees
    and another near copy agrees (the record states it more than once, with other values
    in one place)."""
    first = _near_copy_findings(found[0], indices, tokens, keys, evidence, text)
    if any(f.severity == HIGH for f in first):
        for other in found[1:]:
            own = _near_copy_findings(other, indices, tokens, keys, evidence, text)
            if not any(f.severity == HIGH for f in own):
                return other, own
    return found[0], first


def _names_a_finding(tokens: list[Token], indices: list[int]) -> bool:
    """Enough words to restate a record sentence (whose negation the draft may have dropped)."""
    return sum(tokens[i].kind in {"word", "cjk", "lab"} for i in indices) >= 2


def _has_side_or_cue(tokens: list[Token], indices: list[int]) -> bool:
    return any(side_of(tokens[i]) or _is_cue(tokens[i]) for i in indices)


def _is_cue(token: Token) -> bool:
    return (token.kind == "word" and token.value in EN_NEGATION_CUES) or (
        token.kind == "cjk" and token.value in ZH_NEGATION_CHARS
    )


# ---------------------------------------------------------------------------
# values compared


def compatible(a: Token, b: Token, strict: bool = False) -> bool:
    """Do two tokens state the same value (in any of its spellings)? ``strict``: a
    bare number matches only a bare number (in a restated sentence units do not vanish)."""
    if a.kind != b.kind:
        return False
    if a.kind == "qty":
        if strict and (a.value.unit is None) != (b.value.unit is None):
            return False
        return a.value.same_as(b.value)
    if a.kind == "date":
        return a.value.compatible(b.value)
    return a.key == b.key


def _kind_of(token: Token, anchor: Token | None, evidence: RecordEvidence) -> str:
    if token.kind in {"date", "time"}:
        return "date"
    if token.kind == "drug":
        return "drug"
    if token.kind == "freq":
        return "dose"
    if token.kind == "qty":
        quantity: Quantity = token.value
        if anchor is not None and anchor.kind == "lab":
            return "lab"
        if anchor is not None and anchor.kind == "drug" or quantity.dimension in DOSE_DIMENSIONS and anchor is not None:
            return "dose"
    return "number"


# ---------------------------------------------------------------------------
# a sentence that restates the record


def _near_copy_findings(
    alignment: Alignment, indices: list[int], tokens: list[Token], keys: list[str | None], evidence: RecordEvidence, text: str
) -> list[Finding]:
    findings: list[Finding] = []
    draft, region = alignment.draft, alignment.region
    matched = alignment.matched
    used = set(matched.values())
    main_index = alignment.main_passage()
    counterpart: dict[int, int] = {}
    added: set[int] = set()  # draft tokens in a stretch of its own (not a substitution)
    for tag, i1, i2, j1, j2 in alignment.opcodes:
        if tag == "replace":  # pair tokens of one kind in order ("Lovenox" with "Plavix", not with "GI")
            for kind in {t.kind for t in draft[i1:i2]}:
                ours = [k for k in range(i1, i2) if draft[k].kind == kind]
                theirs = [k for k in range(j1, j2) if region[k].kind == kind]
                if len(theirs) > len(ours):  # prefer the passage the sentence restates
                    theirs = sorted(theirs, key=lambda k: alignment.owners[k] != main_index)[: len(ours)]
                    theirs.sort()
                counterpart.update(zip(ours, theirs))
        if tag == "delete" or (tag == "replace" and i2 - i1 >= 3):  # draft-only tokens
            added.update(range(i1, i2))
    owners_matched = {alignment.owners[j] for j in matched.values()}
    for i, token in enumerate(draft):
        if token.kind not in CHECKED_KINDS:
            continue
        if i in matched and not _same_owner(alignment, i, matched[i]):
            used.discard(matched[i])  # "Paxil 20 mg" lined up with "Paxil 10 mg. Prednisone 20 mg"
            del matched[i]
        if i in matched:
            other = region[matched[i]]
            if token.kind == "date" and not token.value.compatible(other.value):
                findings.append(_changed(token, other, evidence, alignment, matched[i], tokens, indices[i]))
            continue
        j = counterpart.get(i)
        in_place = j is not None and alignment.owners[j] == main_index
        if in_place and j not in used and _in_place_of(alignment, i, j):
            if compatible(token, region[j]):
                used.add(j)
                continue
            if not any(compatible(other, region[j]) for k, other in enumerate(draft) if k != i):
                # substituted in place, and what the record says here is gone from the sentence
                findings.append(_changed(token, region[j], evidence, alignment, j, tokens, indices[i]))
                continue
        pool = [
            j
            for j in range(len(region))
            if j not in used and alignment.owners[j] in owners_matched and compatible(token, region[j], strict=True)
        ]
        if pool:
            used.add(pool[0])
            continue
        if token.kind == "freq" and _frequency_elsewhere_ok(token, draft, i, region):
            continue
        j = counterpart.get(i)
        if i not in added and j is not None and _in_place_of(alignment, i, j):
            findings.append(_changed(token, region[j], evidence, alignment, j, tokens, indices[i]))
        else:  # the draft adds to what it restates (a date, another drug's dose from another note): check it as prose
            findings.extend(_context_findings([indices[i]], tokens, keys, evidence))
    findings.extend(_side_swaps(alignment, evidence))
    return findings


def _in_place_of(alignment: Alignment, i: int, j: int) -> bool:
    """Was the draft's value ``i`` written in place of the record's ``j``? Only a value of
    its kind and dimension, of the same drug or test when both name one ("furosemide 20 mg"
    is not written in place of "Lokelma 10 g", nor "0.4mg" in place of "第3天")."""
    ours, theirs = alignment.draft[i], alignment.region[j]
    if theirs.kind != ours.kind or not _comparable(ours, theirs):
        return False
    if ours.kind in {"drug", "lab"}:
        return True
    before = [t for t in alignment.draft[:i] if t.kind in {"drug", "lab"}]  # the draft is one sentence
    mine = before[-1] if before else nearest_anchor(alignment.draft, i)
    if mine is None:
        return True
    owner = alignment.owners[j]
    sentence = [k for k, o in enumerate(alignment.owners) if o == owner]  # the record sentence of ``j``
    theirs = [alignment.region[k] for k in sentence]
    other = nearest_anchor(theirs, sentence.index(j))
    if other is not None:
        return other.key == mine.key
    return any(t.key == mine.key for t in theirs)  # a drug the record sentence never names has no dose there


def _comparable(ours: Token, theirs: Token) -> bool:
    """Could one value have been written in place of the other? (a rate is not put for
    a concentration: such a pairing comes from a reordered sentence, not a change)"""
    if ours.kind != "qty":
        return True
    a, b = ours.value.unit, theirs.value.unit
    return (
        a is None
        or b is None
        or a.dimension == b.dimension
        or a.symbol != b.symbol
        and a.dimension.split("/")[0] == b.dimension.split("/")[0]
    )


def _anchor_index(tokens: list[Token], index: int, owners: list[int] | None = None) -> int | None:
    """The nearest drug or test before ``tokens[index]`` (same passage), within four tokens."""
    for position in range(index - 1, max(-1, index - 5), -1):
        if owners is not None and owners[position] != owners[index]:
            return None
        if tokens[position].kind in {"drug", "lab"}:
            return position
    return None


def _same_owner(alignment: Alignment, i: int, j: int) -> bool:
    """A value lined up with the record keeps its drug or test: the draft's anchor of
    ``i`` must be lined up with the record's anchor of ``j``."""
    ours = _anchor_index(alignment.draft, i)
    theirs = _anchor_index(alignment.region, j, alignment.owners)
    if ours is None and theirs is None:
        return True
    matched = alignment.matched
    if ours is not None and ours in matched:
        return matched[ours] == theirs
    return ours is None or theirs is None or alignment.draft[ours].key == alignment.region[theirs].key


def _frequency_elsewhere_ok(token: Token, draft: list[Token], i: int, region: list[Token]) -> bool:
    """ "twice daily with meals" vs "with meals twice daily": modifiers move."""
    return token.value in {"with-meals", "ac", "pc"}


def _changed(
    token: Token, other: Token, evidence: RecordEvidence, alignment: Alignment, j: int, tokens: list[Token], index: int
) -> Finding:
    passage = evidence.passages[alignment.owners[j]]
    said = passage.text[other.start : other.end]
    anchor = nearest_anchor(tokens, index)
    kind = _kind_of(token, anchor, evidence)
    if (
        token.kind == "qty"
        and other.kind == "qty"
        and token.value.value == other.value.value
        and token.value.unit != other.value.unit
    ):
        kind = "unit"
    draft_text = _token_text(token)
    return Finding(
        token.start,
        token.end,
        draft_text,
        kind,
        HIGH,
        evidence=Evidence(passage.provenance(), passage.quote),
        **worded("value_changed", said=said, text=draft_text),
    )


def _side_swaps(alignment: Alignment, evidence: RecordEvidence) -> list[Finding]:
    """A side word swapped for another in place ("right" -> "left", "右下肺" -> "左下肺")."""
    findings: list[Finding] = []
    draft, region = alignment.draft, alignment.region
    for tag, i1, i2, j1, j2 in alignment.opcodes:
        if tag != "replace" or i2 - i1 > 2 or j2 - j1 > 2:
            continue
        ours, theirs = draft[i1:i2], region[j1:j2]
        our_sides = {side_of(t) for t in ours if side_of(t) and not _approximately(t, draft)}
        their_sides = {side_of(t) for t in theirs if side_of(t) and not _approximately(t, region)}
        if our_sides and their_sides and not our_sides & their_sides:
            passage = evidence.passages[alignment.owners[j1]]
            token = next(t for t in ours if side_of(t))
            findings.append(
                Finding(
                    token.start,
                    token.end,
                    _token_text(token),
                    "side",
                    HIGH,
                    evidence=Evidence(passage.provenance(), passage.quote),
                    **worded("side_changed", theirs="/".join(sorted(their_sides)), ours="/".join(sorted(our_sides))),
                )
            )
    return findings


_EN_SIDE = {"left": "left", "right": "right", "bilateral": "bilateral"}


def _prose_sides(text: str, indices: list[int], tokens: list[Token], evidence: RecordEvidence) -> list[Finding]:
    """A side in prose ("her left knee") where the record names that body part only
    with the other side ("right knee osteoarthritis", "右下肺")."""
    findings = []
    for position, index in enumerate(indices):
        token = tokens[index]
        side = side_of(token)
        if side is None or side == "bilateral" or _approximately(token, [tokens[i] for i in indices]):
            continue
        if token.kind == "word":
            following = [tokens[i] for i in indices[position + 1 : position + 3] if tokens[i].kind == "word"]
            if not following or str(following[0].value) in EN_STOPWORDS:
                continue
            body = re.escape(following[0].text.lower())
            said = {
                m.group(1)
                for m in re.finditer(rf"\b(left|right|bilateral)(?:[- ]sided)?\s+(?:\w+\s+)?{body}", evidence.text_lower)
            }
            said = {_EN_SIDE[w] for w in said}
        else:
            body = text[token.end : token.end + 2]
            if len(body) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in body):
                continue
            said = {
                side_of(Token("cjk", "", 0, 0, m.group(1)))
                for m in re.finditer(rf"([左右双])侧?{re.escape(body)}", evidence.text_lower)
            }
        if said and side not in said and "bilateral" not in said:
            findings.append(
                Finding(
                    token.start,
                    token.end,
                    token.text,
                    "side",
                    HIGH,
                    **worded("side_only", sides="/".join(sorted(s for s in said if s))),
                )
            )
    return findings


def _token_text(token: Token) -> str:
    return token.text


def _approximately(token: Token, tokens: list[Token]) -> bool:
    """左右 after a number means "about", not a side."""
    if token.kind != "cjk":
        return False
    index = tokens.index(token)
    pair = "".join(str(t.value) for t in tokens[max(0, index - 1) : index + 2] if t.kind == "cjk")
    return "左右" in pair


# ---------------------------------------------------------------------------
# a sentence of its own


def _weight(feature, evidence: RecordEvidence) -> float:
    weight = evidence.idf(feature.key) / (1.0 + 0.25 * (feature.distance - 1))
    if not feature.inside:
        weight *= 0.4
    if feature.anchor:
        weight *= 2.0
    return weight


def _overlap(features, mention: Mention, evidence: RecordEvidence) -> float:
    total = sum(_weight(f, evidence) for f in features)
    if total == 0:
        return 0.0
    return sum(_weight(f, evidence) for f in features if f.key in mention.context) / total


def support(
    token: Token, index: int, tokens: list[Token], keys: list[str | None], evidence: RecordEvidence
) -> tuple[float, Mention | None]:
    """How well the record supports a value here: the best context overlap among the
    record's mentions of the same value (1.0 when the value has no context). The words
    before a value (its label) and after it (its qualifiers) are scored apart as well
    as together, so a restatement with new words on one side still counts."""
    candidates = [m for m in evidence.mentions_by_kind[token.kind] if compatible(token, m.token)]
    if not candidates:
        return 0.0, None
    anchor = nearest_anchor(tokens, index)
    context = window(tokens, keys, index)
    inside = [f for f in context if f.inside]
    left = [f for f in inside if _is_left(f, tokens, keys, index)]
    right = [f for f in inside if f not in left]
    best, best_mention = -1.0, None
    for mention in candidates:
        if anchor is not None and anchor.key != mention.anchor and anchor.key not in mention.context:
            score = 0.0
        elif anchor is not None:
            score = 1.0  # the same value of the same drug or test
        elif not context:
            score = 1.0
        else:
            score = max(
                _overlap(context, mention, evidence),
                _overlap(left, mention, evidence) if len(left) >= 2 else 0.0,
                _overlap(right, mention, evidence) if len(right) >= 2 else 0.0,
            )
        if score > best:
            best, best_mention = score, mention
    return best, best_mention


def _is_left(feature, tokens: list[Token], keys: list[str | None], index: int) -> bool:
    """Was this feature found before the value? (window() lists left features first)."""
    return keys.index(feature.key) < index if feature.key in keys else False


def _context_findings(indices: list[int], tokens: list[Token], keys: list[str | None], evidence: RecordEvidence) -> list[Finding]:
    findings: list[Finding] = []
    for index in indices:
        token = tokens[index]
        if token.kind == "drug":
            finding = _drug_finding(token, evidence)
            if finding is not None:
                findings.append(finding)
            continue
        if token.kind not in CHECKED_KINDS:
            continue
        score, mention = support(token, index, tokens, keys, evidence)
        if score >= SUPPORT:
            continue
        anchor = nearest_anchor(tokens, index)
        if anchor is not None and anchor.kind == "drug" and _drug_finding(anchor, evidence) is not None:
            continue  # the dose of a drug the record never names: the drug is the finding
        kind = _kind_of(token, anchor, evidence)
        draft_text = _token_text(token)
        closest = _closest_same_kind(token, index, tokens, keys, evidence)
        if closest is not None and token.kind == "qty" and _other_unit(token.value, closest.token.value):
            kind = "unit"
        if mention is None:
            if closest is not None:
                message = worded("not_in_record_closest", text=draft_text, said=_mention_text(closest, evidence))
            else:
                message = worded("not_in_record", text=draft_text)
            findings.append(
                Finding(token.start, token.end, draft_text, kind, HIGH, evidence=_mention_evidence(closest, evidence), **message)
            )
        else:
            if closest is not None and not compatible(closest.token, token):
                message = worded("about_something_else_says", text=draft_text, said=_mention_text(closest, evidence))
            else:
                message = worded("about_something_else", text=draft_text)
            findings.append(
                Finding(
                    token.start,
                    token.end,
                    draft_text,
                    kind,
                    MEDIUM,
                    evidence=_mention_evidence(closest or mention, evidence),
                    **message,
                )
            )
    return findings


def _other_unit(ours: Quantity, theirs: Quantity) -> bool:
    """The same number with another unit: "40 g" where the record says "40 mg"."""
    return (
        ours.unit is not None
        and theirs.unit is not None
        and ours.value == theirs.value
        and ours.unit.symbol != theirs.unit.symbol
    )


def _closest_same_kind(
    token: Token, index: int, tokens: list[Token], keys: list[str | None], evidence: RecordEvidence
) -> Mention | None:
    """The record value that best fits this context, whatever its value (the likely truth)."""
    anchor = nearest_anchor(tokens, index)
    context = window(tokens, keys, index)
    if not context:
        return None
    best, best_mention = 0.0, None
    for mention in evidence.mentions_by_kind[token.kind]:
        if (
            token.kind == "qty"
            and token.value.dimension != mention.token.value.dimension
            and mention.token.value.unit is not None
            and token.value.unit is not None
        ):
            continue
        if anchor is not None and anchor.key != mention.anchor and anchor.key not in mention.context:
            continue
        score = sum(_weight(f, evidence) for f in context if f.key in mention.context)
        if score > best:
            best, best_mention = score, mention
    return best_mention


def _mention_text(mention: Mention, evidence: RecordEvidence) -> str:
    passage = evidence.passages[mention.passage]
    return passage.text[mention.token.start : mention.token.end]


def _mention_evidence(mention: Mention | None, evidence: RecordEvidence) -> Evidence | None:
    if mention is None:
        return None
    passage = evidence.passages[mention.passage]
    return Evidence(passage.provenance(), passage.quote)


def _drug_finding(token: Token, evidence: RecordEvidence) -> Finding | None:
    name = str(token.value)
    if name in evidence.drugs or name.lower() in evidence.text_lower:
        return None
    if evidence.drugs:
        match = process.extractOne(name, list(evidence.drugs), scorer=fuzz.ratio)
        if match is not None and match[1] >= 92:
            return None
    return Finding(
        token.start,
        token.end,
        _token_text(token),
        "drug",
        HIGH,
        **worded("drug_not_in_record", text=_token_text(token), name=name),
    )
