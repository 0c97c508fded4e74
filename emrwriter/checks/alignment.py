"""Find the record sentence a drafted sentence restates, and line the two up.

Data-filled sections and much model prose restate record sentences nearly word
for word. When a drafted sentence lines up with a stretch of the record
(after normalisation: "2mg"/"2 mg", "bid"/"twice daily", dates in any form),
every value, drug, side and negation in it must match its counterpart there;
a value that does not is a changed fact even when the same value occurs
somewhere else in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from ..facts.tokens import Token
from .evidence import RecordEvidence

CANDIDATES = 6  # passages scored by shared tokens, then aligned
NEAR_COPY = 0.6  # share of the drafted sentence's tokens found in order in the record stretch
MIN_TOKENS = 3
HINT_MARGIN = 0.35  # how much better another passage must fit to beat the one after the previous sentence's
TIE = 0.05  # another passage that fits about as well (or better) may be the one restated, if it agrees


@dataclass
class Alignment:
    """A drafted sentence lined up with a stretch of record passages."""

    draft: list[Token]
    region: list[Token]
    owners: list[int]  # passage index of each region token
    opcodes: list[tuple[str, int, int, int, int]]
    coverage: float  # matched draft tokens / draft tokens
    ambiguous: bool = False  # another note restated equally well (a repeated template sentence)

    @property
    def matched(self) -> dict[int, int]:
        pairs: dict[int, int] = {}
        for tag, i1, i2, j1, _ in self.opcodes:
            if tag == "equal":
                for k in range(i2 - i1):
                    pairs[i1 + k] = j1 + k
        return pairs

    def main_passage(self) -> int:
        """The passage most of the matched tokens come from (the evidence to show)."""
        counts: dict[int, int] = {}
        for j in self.matched.values():
            counts[self.owners[j]] = counts.get(self.owners[j], 0) + 1
        return max(counts, key=counts.get) if counts else self.owners[0]


def _region(evidence: RecordEvidence, index: int) -> tuple[list[Token], list[int]]:
    """A passage with its neighbours from the same text (sentence cuts may differ)."""
    passages = evidence.passages
    chosen = [index]
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(passages) and passages[neighbour].text is passages[index].text:
            chosen.append(neighbour)
    tokens: list[Token] = []
    owners: list[int] = []
    for p in sorted(chosen):
        tokens.extend(passages[p].tokens)
        owners.extend([p] * len(passages[p].tokens))
    return tokens, owners


def _score(keys: list[str], region: list[Token]) -> tuple[float, list[tuple[str, int, int, int, int]]]:
    """Share of the drafted sentence found in order in the region, discounted when the
    matches are spread over a much longer stretch ("停用莫西沙星" is not restated by
    "停用头孢曲松钠，今日起改为莫西沙星片")."""
    matcher = SequenceMatcher(None, keys, [t.key for t in region], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    matched = sum(b.size for b in blocks)
    if not blocks:
        return 0.0, matcher.get_opcodes()
    spread = blocks[-1].b + blocks[-1].size - blocks[0].b
    return matched / max(len(keys), 0.6 * spread), matcher.get_opcodes()


def align(draft: list[Token], evidence: RecordEvidence, hint: int | None = None) -> Alignment | None:
    """The best near-copy alignment of a drafted sentence, or None when it restates
    no single stretch of the record. ``hint``: the passage the previous drafted
    sentence restated; a passage just after it wins a near tie (drafts restate a
    note in order, and daily notes repeat the same sentences with other values)."""
    found = alignments(draft, evidence, hint)
    return found[0] if found else None


def alignments(draft: list[Token], evidence: RecordEvidence, hint: int | None = None) -> list[Alignment]:
    """Every near-copy alignment of a drafted sentence, the best (as ``align`` chooses
    it) first: a sentence the record states more than once ("clopidogrel 75 mg*7" in the
    standing orders, "*14" in the discharge orders) restates whichever one it agrees with."""
    if len(draft) < MIN_TOKENS:
        return []
    keys = [t.key for t in draft]
    scores: dict[int, float] = {}
    for key in set(keys):
        postings = evidence.by_key.get(key, ())
        if len(postings) > len(evidence.passages) * 0.3 and len(postings) > 20:
            continue  # too common to point anywhere
        weight = evidence.idf(key)
        for p in postings:
            scores[p] = scores.get(p, 0.0) + weight
    candidates = sorted(scores, key=scores.get, reverse=True)[:CANDIDATES]
    if hint is not None:
        candidates += [
            p for p in range(hint + 1, hint + 4) if p in scores and p not in candidates and _same_text(evidence, hint, p)
        ]
    best: Alignment | None = None
    near: Alignment | None = None
    by_text: dict[int, float] = {}
    viable: list[Alignment] = []
    for p in candidates:
        region, owners = _region(evidence, p)
        coverage, opcodes = _score(keys, region)
        alignment = Alignment(draft, region, owners, opcodes, coverage)
        if coverage >= NEAR_COPY:
            viable.append(alignment)
        text_id = id(evidence.passages[p].text)
        by_text[text_id] = max(by_text.get(text_id, 0.0), coverage)
        if best is None or coverage > best.coverage:
            best = alignment
        if (
            hint is not None
            and hint < p <= hint + 3
            and _same_text(evidence, hint, p)
            and (near is None or coverage > near.coverage)
        ):
            near = alignment
    if near is not None and best is not None and near.coverage >= NEAR_COPY and best.coverage - near.coverage <= HINT_MARGIN:
        best = near
    if best is None or best.coverage < NEAR_COPY:
        return []
    best_text = id(evidence.passages[best.main_passage()].text)
    best.ambiguous = any(cov >= best.coverage - 0.02 for t, cov in by_text.items() if t != best_text)
    others = [
        a
        for a in viable
        if a is not best and a.coverage >= best.coverage - TIE and _copy_sized(evidence, a.main_passage(), len(draft))
    ]
    return [best, *sorted(others, key=lambda a: a.coverage, reverse=True)]


def _copy_sized(evidence: RecordEvidence, passage: int, words: int) -> bool:
    """Is a passage short enough to be another copy of the sentence, not a longer one that
    mentions its words ("4. Lisinopril 2.5 mg daily" is not restated by "Renal agreed with
    decreasing his lisinopril to 5 mg daily and ...")?"""
    return len(evidence.passages[passage].tokens) <= 2 * words + 2


def _same_text(evidence: RecordEvidence, a: int, b: int) -> bool:
    return 0 <= b < len(evidence.passages) and evidence.passages[a].text is evidence.passages[b].text
